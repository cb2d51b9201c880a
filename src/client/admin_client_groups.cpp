// SPDX-License-Identifier: Apache-2.0
// AdminClient's consumer-group calls (include/gregor/admin.h): list,
// describe and delete groups, read and alter their committed offsets.
//
// Every call but ListConsumerGroups has the same shape, Kafka's
// "coordinator lookup then group request": FindCoordinator at any broker,
// then the group request at the coordinator. Both steps can meet a
// coordinator that is not ready — __consumer_offsets is created by the
// first FindCoordinator and its partitions are loaded after leadership —
// or one that moved, so the whole attempt is repeated (WithRetries) on
// COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS and
// NOT_COORDINATOR, with a doubling backoff, until request.timeout.ms.
#include <algorithm>
#include <mutex>
#include <type_traits>

#include "client/admin_client_impl.h"
#include "protocol/consumer_protocol.h"
#include "protocol/delete_groups.h"
#include "protocol/describe_groups.h"
#include "protocol/list_groups.h"
#include "protocol/offset_commit.h"
#include "protocol/offset_fetch.h"

namespace gregor {
namespace {

constexpr int64_t kRetryBackoffMs = 100;      // retry.backoff.ms
constexpr int64_t kRetryBackoffMaxMs = 1000;  // retry.backoff.max.ms

using Impl = AdminClient::Impl;

// The errors that mean "this coordinator cannot answer now; look again".
bool IsCoordinatorRetriable(ErrorCode e) {
  return e == ErrorCode::kCoordinatorNotAvailable || e == ErrorCode::kCoordinatorLoadInProgress ||
         e == ErrorCode::kNotCoordinator;
}

std::string GroupName(const std::string& group) { return "group '" + group + "'"; }

// Runs `attempt` (returning a Result or a Status) until it succeeds, fails
// with a non-retriable error, or the next try would pass the deadline.
template <class F>
auto WithRetries(Impl& impl, F attempt) -> decltype(attempt()) {
  const int64_t deadline = impl.NowMs() + impl.config_.request_timeout_ms;
  int64_t backoff = kRetryBackoffMs;
  while (true) {
    auto result = attempt();
    Status s = [&] {
      if constexpr (std::is_same_v<decltype(result), Status>) {
        return result;
      } else {
        return result.status();
      }
    }();
    if (s.ok() || !IsCoordinatorRetriable(s.code()) || impl.NowMs() + backoff >= deadline) {
      return result;
    }
    SystemClock::Instance().SleepMs(backoff);
    backoff = std::min(backoff * 2, kRetryBackoffMaxMs);
  }
}

// [admin-find-coordinator]
// One FindCoordinator round trip: the group's coordinator, or its error.
Result<Node> FindGroupCoordinator(Impl& impl, const std::string& group) {
  FindCoordinatorRequest req;
  req.key = group;
  req.key_type = int8_t(CoordinatorType::kGroup);
  auto resp = impl.SendToAnyNode<FindCoordinatorResponse>(req);
  if (!resp.ok()) return Result<Node>(resp.status());
  if (resp->error_code != ErrorCode::kNone) {
    std::string why = "coordinator of " + GroupName(group);
    if (resp->error_message) why += ": " + *resp->error_message;
    return Result<Node>(resp->error_code, why);
  }
  return Node{resp->node_id, resp->host, resp->port};
}
// [admin-find-coordinator]

// The members of a described group, their assignments decoded.
Result<ConsumerGroupDescription> ToDescription(const DescribedGroup& g, const Node& coordinator) {
  ConsumerGroupDescription d;
  d.group_id = g.group_id;
  d.is_simple_consumer_group = g.protocol_type.empty();
  d.state = g.group_state;
  d.partition_assignor = g.protocol_data;
  d.coordinator = coordinator;
  for (const auto& m : g.members) {
    MemberDescription md{m.member_id, m.group_instance_id, m.client_id, m.client_host, {}};
    // Only "consumer" groups put a ConsumerProtocolAssignment there (a
    // Connect or stream group has its own format), and only once Stable.
    if (g.protocol_type == kConsumerProtocolType && !m.member_assignment.empty()) {
      auto a = DecodeConsumerProtocol<ConsumerProtocolAssignment>(m.member_assignment);
      if (!a.ok()) {
        return Result<ConsumerGroupDescription>(
            a.status().code(), "assignment of member " + m.member_id + " in " +
                                   GroupName(g.group_id) + ": " + a.status().message());
      }
      for (const auto& tp : a->assigned_partitions) {
        for (int32_t p : tp.partitions) md.assignment.push_back({tp.topic, PartitionId(p)});
      }
      std::sort(md.assignment.begin(), md.assignment.end());
    }
    d.members.push_back(std::move(md));
  }
  std::sort(d.members.begin(), d.members.end(),
            [](const auto& a, const auto& b) { return a.member_id < b.member_id; });
  return d;
}

// Groups partition-keyed values by topic, as the offset APIs want them.
template <class V>
std::map<std::string, std::vector<std::pair<int32_t, V>>> ByTopic(
    const std::map<TopicPartition, V>& m) {
  std::map<std::string, std::vector<std::pair<int32_t, V>>> out;
  for (const auto& [tp, v] : m) out[tp.topic].emplace_back(tp.partition.value(), v);
  return out;
}

}  // namespace

Result<std::vector<ConsumerGroupListing>> AdminClient::ListConsumerGroups() {
  using R = Result<std::vector<ConsumerGroupListing>>;
  std::lock_guard lock(impl_->mu);
  // Each broker knows only the groups it coordinates: ask them all.
  auto md = impl_->RefreshMetadata(std::vector<std::string>{});
  if (!md.ok()) return R(md.status());
  std::vector<ConsumerGroupListing> out;
  for (const Node& node : impl_->metadata_.Nodes()) {
    auto resp = WithRetries(*impl_, [&]() -> Result<ListGroupsResponse> {
      auto r = impl_->SendToNode<ListGroupsResponse>(node, ListGroupsRequest{});
      if (r.ok() && r->error_code != ErrorCode::kNone) {
        return Result<ListGroupsResponse>(r->error_code, "ListGroups at " + node.ToString());
      }
      return r;
    });
    if (!resp.ok()) return R(resp.status());
    for (const auto& g : resp->groups) {
      out.push_back({g.group_id, g.protocol_type.empty(), g.protocol_type});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.group_id < b.group_id; });
  return out;
}

Result<std::vector<ConsumerGroupDescription>> AdminClient::DescribeConsumerGroups(
    const std::vector<std::string>& group_ids) {
  using R = Result<std::vector<ConsumerGroupDescription>>;
  std::lock_guard lock(impl_->mu);
  std::vector<ConsumerGroupDescription> out;
  for (const auto& group : group_ids) {
    auto d = WithRetries(*impl_, [&]() -> Result<ConsumerGroupDescription> {
      auto coordinator = FindGroupCoordinator(*impl_, group);
      if (!coordinator.ok()) return Result<ConsumerGroupDescription>(coordinator.status());
      DescribeGroupsRequest req;
      req.groups = {group};
      auto resp = impl_->SendToNode<DescribeGroupsResponse>(*coordinator, req);
      if (!resp.ok()) return Result<ConsumerGroupDescription>(resp.status());
      for (const auto& g : resp->groups) {
        if (g.group_id != group) continue;
        if (g.error_code != ErrorCode::kNone) {
          return Result<ConsumerGroupDescription>(g.error_code, GroupName(group));
        }
        return ToDescription(g, *coordinator);
      }
      return Result<ConsumerGroupDescription>(
          ErrorCode::kUnknownServerError, "DescribeGroups did not answer for " + GroupName(group));
    });
    if (!d.ok()) return R(d.status());
    out.push_back(std::move(*d));
  }
  return out;
}

Result<std::map<TopicPartition, ConsumerOffsetAndMetadata>> AdminClient::ListConsumerGroupOffsets(
    const std::string& group_id, const std::optional<std::vector<TopicPartition>>& partitions) {
  using Offsets = std::map<TopicPartition, ConsumerOffsetAndMetadata>;
  std::lock_guard lock(impl_->mu);
  OffsetFetchRequest req;
  req.group_id = group_id;
  if (partitions) {
    std::map<TopicPartition, bool> wanted;
    for (const auto& tp : *partitions) wanted[tp] = true;
    req.topics.emplace();
    for (const auto& [topic, ps] : ByTopic(wanted)) {
      OffsetFetchRequestTopic t{topic, {}};
      for (const auto& p : ps) t.partition_indexes.push_back(p.first);
      req.topics->push_back(std::move(t));
    }
  } else {
    req.topics.reset();  // every partition with a commit (v2+)
  }
  return WithRetries(*impl_, [&]() -> Result<Offsets> {
    auto coordinator = FindGroupCoordinator(*impl_, group_id);
    if (!coordinator.ok()) return Result<Offsets>(coordinator.status());
    ClientRequest cr = MakeClientRequest(*coordinator, req, {});
    if (!req.topics) cr.versions.min = 2;  // v1 cannot say "all"
    auto resp = DecodeResponse<OffsetFetchResponse>(impl_->network_.SendAndWait(std::move(cr)));
    if (!resp.ok()) return Result<Offsets>(resp.status());
    if (resp->error_code != ErrorCode::kNone) {
      return Result<Offsets>(resp->error_code, "offsets of " + GroupName(group_id));
    }
    Offsets out;
    for (const auto& t : resp->topics) {
      for (const auto& p : t.partitions) {
        TopicPartition tp{t.name, PartitionId(p.partition_index)};
        if (p.error_code != ErrorCode::kNone) {
          return Result<Offsets>(p.error_code,
                                 "offset of " + tp.ToString() + " in " + GroupName(group_id));
        }
        if (p.committed_offset < 0) continue;  // no commit
        out[tp] = ConsumerOffsetAndMetadata{p.committed_offset, p.metadata.value_or(""),
                                            p.committed_leader_epoch};
      }
    }
    return out;
  });
}

Status AdminClient::AlterConsumerGroupOffsets(
    const std::string& group_id,
    const std::map<TopicPartition, ConsumerOffsetAndMetadata>& offsets) {
  std::lock_guard lock(impl_->mu);
  // [admin-alter-offsets]
  // Committed as nobody: no generation, no member. The coordinator takes
  // that only from a group without members (Kafka's "simple" commit).
  OffsetCommitRequest req;
  req.group_id = group_id;
  req.generation_id = -1;
  req.member_id = "";
  for (const auto& [topic, ps] : ByTopic(offsets)) {
    OffsetCommitRequestTopic t{topic, {}};
    for (const auto& [p, o] : ps) {
      t.partitions.push_back({p, o.offset, o.leader_epoch, o.metadata});
    }
    req.topics.push_back(std::move(t));
  }
  // [admin-alter-offsets]
  return WithRetries(*impl_, [&]() -> Status {
    auto coordinator = FindGroupCoordinator(*impl_, group_id);
    if (!coordinator.ok()) return coordinator.status();
    auto resp = impl_->SendToNode<OffsetCommitResponse>(*coordinator, req);
    if (!resp.ok()) return resp.status();
    for (const auto& t : resp->topics) {
      for (const auto& p : t.partitions) {
        if (p.error_code == ErrorCode::kNone) continue;
        if (p.error_code == ErrorCode::kUnknownMemberId ||
            p.error_code == ErrorCode::kIllegalGeneration) {
          return Status(p.error_code, GroupName(group_id) +
                                          " has active members; its offsets can only be "
                                          "altered while it is Empty (stop its consumers)");
        }
        return Status(p.error_code, "offset of " + t.name + "-" +
                                        std::to_string(p.partition_index) + " in " +
                                        GroupName(group_id));
      }
    }
    return Status::Ok();
  });
}

std::map<std::string, Status> AdminClient::DeleteConsumerGroups(
    const std::vector<std::string>& group_ids) {
  std::lock_guard lock(impl_->mu);
  std::map<std::string, Status> out;
  for (const auto& group : group_ids) {
    out[group] = WithRetries(*impl_, [&]() -> Status {
      auto coordinator = FindGroupCoordinator(*impl_, group);
      if (!coordinator.ok()) return coordinator.status();
      DeleteGroupsRequest req;
      req.groups_names = {group};
      auto resp = impl_->SendToNode<DeleteGroupsResponse>(*coordinator, req);
      if (!resp.ok()) return resp.status();
      for (const auto& r : resp->results) {
        if (r.group_id == group && r.error_code != ErrorCode::kNone) {
          return Status(r.error_code, GroupName(group));
        }
      }
      return Status::Ok();
    });
  }
  return out;
}

}  // namespace gregor
