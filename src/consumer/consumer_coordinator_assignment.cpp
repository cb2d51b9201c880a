// SPDX-License-Identifier: Apache-2.0
// ConsumerCoordinator, assigning: the assignors by name, each one's
// subscription metadata for JoinGroup (owned partitions, sticky user
// data), and the leader's half of SyncGroup — every member's subscription
// in, the chosen assignor run over Metadata's partition counts, every
// member's assignment out. Joining is in consumer_coordinator.cpp.
#include <algorithm>

#include "common/logging.h"
#include "consumer/consumer_coordinator.h"
#include "consumer/cooperative_sticky_assignor.h"
#include "consumer/range_assignor.h"
#include "consumer/round_robin_assignor.h"
#include "consumer/sticky_assignor.h"
#include "protocol/consumer_protocol.h"
#include "protocol/metadata.h"
#include "protocol/sync_group.h"

namespace gregor {

std::vector<TopicPartition> ConsumerCoordinator::FromProtocol(
    const std::vector<ConsumerProtocolTopicPartition>& parts) {
  std::vector<TopicPartition> out;
  for (const auto& t : parts) {
    for (int32_t p : t.partitions) out.push_back(TopicPartition{t.topic, PartitionId(p)});
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<ConsumerProtocolTopicPartition> ConsumerCoordinator::ToProtocol(
    const std::vector<TopicPartition>& tps) {
  std::vector<ConsumerProtocolTopicPartition> out;
  for (const auto& tp : tps) {
    if (out.empty() || out.back().topic != tp.topic) out.push_back({tp.topic, {}});
    out.back().partitions.push_back(tp.partition.value());
  }
  return out;
}

Result<std::vector<std::unique_ptr<PartitionAssignor>>> ConsumerCoordinator::MakeAssignors(
    const std::vector<std::string>& names) {
  std::vector<std::unique_ptr<PartitionAssignor>> out;
  for (const auto& n : names) {
    if (n == "range") {
      out.push_back(std::make_unique<RangeAssignor>());
    } else if (n == "roundrobin") {
      out.push_back(std::make_unique<RoundRobinAssignor>());
    } else if (n == "sticky") {
      out.push_back(std::make_unique<StickyAssignor>());
    } else if (n == "cooperative-sticky") {
      out.push_back(std::make_unique<CooperativeStickyAssignor>());
    } else {
      return Status(ErrorCode::kInvalidConfig,
                    "partition.assignment.strategy: unknown assignor '" + n +
                        "' (range, roundrobin, sticky, cooperative-sticky)");
    }
  }
  if (out.empty()) return Status(ErrorCode::kInvalidConfig, "partition.assignment.strategy: empty");
  return out;
}

std::vector<JoinGroupRequestProtocol> ConsumerCoordinator::Protocols() const {
  ConsumerProtocolSubscription base;
  base.topics.assign(subscriptions_.subscription().begin(), subscriptions_.subscription().end());
  // Under eager the assignment was just cleared, so this is empty.
  base.owned_partitions = ToProtocol(subscriptions_.AssignedPartitionList());
  std::vector<JoinGroupRequestProtocol> out;
  for (const auto& a : assignors_) {
    ConsumerProtocolSubscription sub = base;
    if (a->name() == "sticky") {
      sub.user_data = StickyAssignorUserData{last_assignment_, last_generation_}.Encode();
    } else if (a->name() == "cooperative-sticky") {
      sub.user_data = CooperativeStickyAssignor::EncodeUserData(last_generation_);
    }
    out.push_back({a->name(), EncodeConsumerProtocol(sub, 1)});
  }
  return out;
}

Status ConsumerCoordinator::SendSyncGroup(int64_t deadline_ms) {
  JoinGroupResponse join = std::move(*joined_);
  joined_.reset();
  SyncGroupRequest req;
  req.group_id = config_.group_id;
  req.generation_id = join.generation_id;
  req.member_id = join.member_id;
  req.group_instance_id = config_.group_instance_id;
  if (join.leader == join.member_id) {
    const PartitionAssignor* assignor = nullptr;
    for (const auto& a : assignors_) {
      if (a->name() == join.protocol_name) assignor = a.get();
    }
    if (!assignor) {
      return Status(ErrorCode::kInconsistentGroupProtocol,
                    "coordinator chose assignor '" + join.protocol_name + "' we do not have");
    }
    GroupSubscription subscriptions;
    std::set<std::string> topics;
    for (const auto& m : join.members) {
      auto sub = DecodeConsumerProtocol<ConsumerProtocolSubscription>(m.metadata);
      if (!sub.ok()) {
        Logger("consumer")
            ->warn("member {} sent a bad subscription: {}", m.member_id, sub.status().ToString());
        continue;
      }
      Subscription& s = subscriptions[m.member_id];
      s.topics = sub->topics;
      if (sub->user_data) s.user_data = *sub->user_data;
      s.owned_partitions = FromProtocol(sub->owned_partitions);
      s.group_instance_id = m.group_instance_id;
      topics.insert(sub->topics.begin(), sub->topics.end());
    }
    // The leader needs every member's topics in its metadata.
    bool missing = false;
    for (const auto& t : topics) missing |= !metadata_.Topic(t).has_value();
    if (missing) {
      MetadataRequest mreq;
      std::set<std::string> wanted = topics;
      wanted.insert(subscriptions_.subscription().begin(), subscriptions_.subscription().end());
      for (const auto& t : wanted) mreq.topics->push_back(MetadataRequestTopic{t});
      auto done = std::make_shared<bool>(false);
      ClientRequest mr = MakeClientRequest(metadata_.Nodes()[0], std::move(mreq), nullptr);
      mr.versions.min = 1;
      client_.Send(std::move(mr), [this, done](ClientResponse resp) {
        *done = true;
        auto d = DecodeResponse<MetadataResponse>(resp);
        if (d.ok()) metadata_.Update(*d, NowMs());
      });
      Status s = PollUntil(
          std::max(deadline_ms, NowMs() + config_.request_timeout_ms), [done] { return *done; },
          false);
      if (!s.ok()) return s;
    }
    PartitionCounts counts;
    for (const auto& t : topics) {
      auto tm = metadata_.Topic(t);
      if (tm && tm->error == ErrorCode::kNone && !tm->partitions.empty()) {
        counts[t] = int32_t(tm->partitions.size());
      }
    }
    GroupAssignment assignment = assignor->Assign(counts, subscriptions);
    Logger("consumer")
        ->info("leader of group {} generation {}: assigned with {}", config_.group_id,
               join.generation_id, assignor->name());
    for (const auto& [member, parts] : assignment) {
      ConsumerProtocolAssignment a;
      a.assigned_partitions = ToProtocol(parts);
      req.assignments.push_back({member, EncodeConsumerProtocol(a, 0)});
    }
  }
  std::optional<Node> coordinator = Coordinator();
  if (!coordinator) {
    join_retry_ms_ = 0;
    return Status::Ok();
  }
  phase_ = Phase::kSyncSent;
  ClientRequest r = MakeClientRequest(*coordinator, std::move(req), nullptr);
  r.request_timeout_ms =
      std::max<int64_t>(config_.request_timeout_ms, config_.max_poll_interval_ms + 5000);
  client_.Send(std::move(r), [this](ClientResponse resp) { HandleSyncResponse(resp); });
  return Status::Ok();
}

}  // namespace gregor
