// SPDX-License-Identifier: Apache-2.0
// AdminClient (include/gregor/admin.h) on NetworkClient and Metadata: the
// Impl's helpers (admin_client_impl.h) and the topic calls; the group calls
// are in admin_client_groups.cpp.
// Each call refreshes metadata first: admin calls are rare, and a fresh
// view is what makes "create then describe" read its own writes.
#include <algorithm>
#include <mutex>
#include <set>

#include "client/admin_client_impl.h"
#include "protocol/create_topics.h"
#include "protocol/delete_topics.h"
#include "protocol/list_offsets.h"

namespace gregor {

// [admin-send-to-any-node]
// Sends `body` to some broker, trying each known node until one answers
// (a dead bootstrap server should not fail the call if another is up).
template <KafkaMessage Resp, KafkaMessage Req>
Result<Resp> AdminClient::Impl::SendToAnyNode(const Req& body, std::optional<Node> preferred) {
  std::vector<Node> nodes = metadata_.Nodes();
  if (preferred) nodes.insert(nodes.begin(), *preferred);
  Status last(ErrorCode::kNetworkException, "no brokers");
  for (const Node& node : nodes) {
    ClientResponse r = network_.SendAndWait(MakeClientRequest(node, body, {}));
    auto decoded = DecodeResponse<Resp>(r);
    if (decoded.ok() || r.status.code() != ErrorCode::kNetworkException) {
      return decoded;
    }
    last = r.status;
  }
  return Result<Resp>(last);
}
// [admin-send-to-any-node]

// The group half (admin_client_groups.cpp) asks any broker for a
// coordinator; the template lives here, so instantiate it for that.
template Result<FindCoordinatorResponse>
AdminClient::Impl::SendToAnyNode<FindCoordinatorResponse, FindCoordinatorRequest>(
    const FindCoordinatorRequest&, std::optional<Node>);

Result<MetadataResponse> AdminClient::Impl::RefreshMetadata(
    std::optional<std::vector<std::string>> topics) {
  MetadataRequest req;
  req.allow_auto_topic_creation = false;
  if (topics) {
    req.topics.emplace();
    for (auto& t : *topics) req.topics->push_back(MetadataRequestTopic{t});
  } else {
    req.topics.reset();
  }
  // v0 says "all topics" with an empty list, not null; ask for v1+ so
  // the two can never be confused.
  auto result = SendMetadata(req);
  if (result.ok()) metadata_.Update(*result, SystemClock::Instance().NowMs());
  return result;
}

Result<MetadataResponse> AdminClient::Impl::SendMetadata(const MetadataRequest& req) {
  std::vector<Node> nodes = metadata_.Nodes();
  Status last(ErrorCode::kNetworkException, "no brokers");
  for (const Node& node : nodes) {
    ClientRequest r = MakeClientRequest(node, req, {});
    r.versions.min = 1;
    ClientResponse resp = network_.SendAndWait(std::move(r));
    auto decoded = DecodeResponse<MetadataResponse>(resp);
    if (decoded.ok() || resp.status.code() != ErrorCode::kNetworkException) return decoded;
    last = resp.status;
  }
  return Result<MetadataResponse>(last);
}

std::optional<Node> AdminClient::Impl::Controller() {
  if (!metadata_.Controller()) (void)RefreshMetadata(std::vector<std::string>{});
  return metadata_.Controller();
}

Result<std::unique_ptr<AdminClient>> AdminClient::Create(const AdminConfig& config) {
  auto bootstrap = ParseBootstrapServers(config.bootstrap_servers);
  if (!bootstrap.ok()) return Result<std::unique_ptr<AdminClient>>(bootstrap.status());
  return std::unique_ptr<AdminClient>(
      new AdminClient(std::make_unique<Impl>(config, std::move(*bootstrap))));
}

AdminClient::AdminClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AdminClient::~AdminClient() = default;

Status AdminClient::CreateTopics(const std::vector<NewTopic>& topics) {
  std::lock_guard lock(impl_->mu);
  CreateTopicsRequest req;
  req.timeout_ms = int32_t(impl_->config_.request_timeout_ms);
  for (const auto& t : topics) {
    std::vector<CreatableTopicConfig> configs;
    for (const auto& [key, value] : t.configs) configs.push_back(CreatableTopicConfig{key, value});
    req.topics.push_back(
        CreatableTopic{t.name, t.num_partitions, t.replication_factor, {}, std::move(configs)});
  }
  auto resp = impl_->SendToAnyNode<CreateTopicsResponse>(req, impl_->Controller());
  if (!resp.ok()) return resp.status();
  for (const auto& r : resp->topics) {
    if (r.error_code != ErrorCode::kNone) {
      return Status(r.error_code,
                    "topic '" + r.name + "'" + (r.error_message ? ": " + *r.error_message : ""));
    }
  }
  impl_->metadata_.RequestUpdate();
  return Status::Ok();
}

Status AdminClient::DeleteTopics(const std::vector<std::string>& names) {
  std::lock_guard lock(impl_->mu);
  DeleteTopicsRequest req;
  req.topic_names = names;
  req.timeout_ms = int32_t(impl_->config_.request_timeout_ms);
  auto resp = impl_->SendToAnyNode<DeleteTopicsResponse>(req, impl_->Controller());
  if (!resp.ok()) return resp.status();
  for (const auto& r : resp->responses) {
    if (r.error_code != ErrorCode::kNone) return Status(r.error_code, "topic '" + r.name + "'");
  }
  impl_->metadata_.RequestUpdate();
  return Status::Ok();
}

Result<std::vector<std::string>> AdminClient::ListTopics() {
  std::lock_guard lock(impl_->mu);
  auto resp = impl_->RefreshMetadata(std::nullopt);
  if (!resp.ok()) return Result<std::vector<std::string>>(resp.status());
  std::vector<std::string> names;
  for (const auto& t : resp->topics) {
    if (t.error_code == ErrorCode::kNone && !t.is_internal) names.push_back(t.name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::vector<TopicDescription>> AdminClient::DescribeTopics(
    const std::vector<std::string>& names) {
  std::lock_guard lock(impl_->mu);
  std::optional<std::vector<std::string>> wanted;
  if (!names.empty()) wanted = names;
  auto resp = impl_->RefreshMetadata(wanted);
  if (!resp.ok()) return Result<std::vector<TopicDescription>>(resp.status());
  std::vector<TopicDescription> out;
  for (const auto& t : resp->topics) {
    if (t.error_code != ErrorCode::kNone) {
      return Result<std::vector<TopicDescription>>(t.error_code, "topic '" + t.name + "'");
    }
    auto cached = impl_->metadata_.Topic(t.name);
    TopicDescription d{t.name, t.is_internal, {}};
    for (const auto& p : cached->partitions) {
      d.partitions.push_back(TopicPartitionInfo{p.partition, p.leader, p.replicas, p.isr});
    }
    out.push_back(std::move(d));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

Result<std::map<TopicPartition, ListOffsetsResultInfo>> AdminClient::ListOffsets(
    const std::map<TopicPartition, OffsetSpec>& partitions) {
  using R = Result<std::map<TopicPartition, ListOffsetsResultInfo>>;
  std::lock_guard lock(impl_->mu);
  std::set<std::string> topics;
  for (const auto& [tp, spec] : partitions) topics.insert(tp.topic);
  auto md = impl_->RefreshMetadata(std::vector<std::string>(topics.begin(), topics.end()));
  if (!md.ok()) return R(md.status());
  // Only a partition's leader answers ListOffsets: one request per leader.
  std::map<int32_t, std::pair<Node, ListOffsetsRequest>> by_leader;
  for (const auto& [tp, spec] : partitions) {
    auto topic = impl_->metadata_.Topic(tp.topic);
    if (!topic || topic->error != ErrorCode::kNone) {
      return R(topic ? topic->error : ErrorCode::kUnknownTopicOrPartition,
               "partition " + tp.ToString());
    }
    auto leader = impl_->metadata_.Leader(tp.topic, tp.partition.value());
    if (!leader) return R(ErrorCode::kLeaderNotAvailable, "partition " + tp.ToString());
    auto& [node, req] = by_leader[leader->id];
    node = *leader;
    if (req.topics.empty() || req.topics.back().name != tp.topic) {
      req.topics.push_back(ListOffsetsTopic{tp.topic, {}});
    }
    req.topics.back().partitions.push_back({tp.partition.value(), spec.timestamp});
  }
  std::map<TopicPartition, ListOffsetsResultInfo> out;
  for (const auto& [id, target] : by_leader) {
    auto resp = impl_->SendToNode<ListOffsetsResponse>(target.first, target.second);
    if (!resp.ok()) return R(resp.status());
    for (const auto& t : resp->topics) {
      for (const auto& p : t.partitions) {
        TopicPartition tp{t.name, PartitionId(p.partition_index)};
        if (p.error_code != ErrorCode::kNone) {
          impl_->metadata_.HandleError(p.error_code);
          return R(p.error_code, "partition " + tp.ToString());
        }
        out[tp] = ListOffsetsResultInfo{p.offset, p.timestamp};
      }
    }
  }
  return out;
}

}  // namespace gregor
