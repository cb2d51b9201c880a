// SPDX-License-Identifier: Apache-2.0
// KafkaApis: dispatch, ApiVersions and Metadata (kafka_apis.h).
#include "server/kafka_apis.h"

#include <charconv>

#include "common/logging.h"
#include "protocol/api_versions.h"
#include "protocol/metadata.h"
#include "storage/topic_partition.h"

namespace gregor {

namespace {

std::shared_ptr<spdlog::logger> ApisLog() { return Logger("server"); }

std::string ClientId(const RequestHeader& h) { return h.client_id.value_or("<null>"); }

// The first listener of advertised.listeners, else of listeners.
AdvertisedEndpoint FirstAdvertisedEndpoint(const KafkaConfig& config) {
  auto listeners = config.GetList("advertised.listeners");
  if (listeners.empty()) listeners = config.GetList("listeners");
  for (const auto& l : listeners) {
    if (auto ep = ParseListener(l)) return *ep;
    ApisLog()->warn("unparsable listener listener={}", l);
  }
  return AdvertisedEndpoint{};
}

}  // namespace

std::optional<AdvertisedEndpoint> ParseListener(const std::string& listener) {
  size_t scheme = listener.find("://");
  if (scheme == std::string::npos) return std::nullopt;
  std::string_view rest = std::string_view(listener).substr(scheme + 3);
  size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host = rest.substr(0, colon);
  std::string_view port_text = rest.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);  // e.g. [::1]:9092
  }
  int32_t port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 0 || port > 65535) {
    return std::nullopt;
  }
  AdvertisedEndpoint ep;
  // A wildcard bind address is not somewhere a client can connect to.
  ep.host = (host.empty() || host == "0.0.0.0") ? "127.0.0.1" : std::string(host);
  ep.port = port;
  return ep;
}

KafkaApis::KafkaApis(const KafkaConfig& config, ReplicaManager& replicas, TopicRegistry& topics,
                     Clock& clock, std::string cluster_id)
    : config_(config),
      replicas_(replicas),
      topics_(topics),
      clock_(clock),
      cluster_id_(std::move(cluster_id)),
      node_id_(config.GetInt("node.id")),
      endpoint_(FirstAdvertisedEndpoint(config)) {
  for (const ApiVersionRange& api : SupportedApis()) {
    size_t index = size_t(api.key);
    if (request_metrics_.size() <= index) request_metrics_.resize(index + 1);
    request_metrics_[index] =
        std::make_unique<RequestMetrics>(metrics_registry_, std::string(ApiKeyName(api.key)));
  }
}

ApiResponse KafkaApis::Unreadable(const ParsedRequest& req, const Status& status) {
  ApisLog()->warn("closing connection: undecodable request api={} version={} client_id={} error={}",
                  ApiKeyName(req.header.api_key), req.header.api_version, ClientId(req.header),
                  status.ToString());
  return {ApiResponse::Action::kClose, {}};
}

ApiResponse KafkaApis::Handle(ByteSpan frame) {
  int64_t start_ns = clock_.NowNs();
  return HandleParsed(ParseRequestHeader(frame), start_ns);
}

ApiResponse KafkaApis::HandleParsed(const Result<ParsedRequest>& parsed, int64_t start_ns) {
  if (!parsed.ok()) {
    ApisLog()->warn("closing connection: bad request header error={}", parsed.status().ToString());
    return {ApiResponse::Action::kClose, {}};
  }
  const ParsedRequest& req = *parsed;
  const RequestHeader& h = req.header;
  const ApiVersionRange* range = FindSupportedApi(h.api_key);
  bool supported =
      range && h.api_version >= range->min_version && h.api_version <= range->max_version;
  if (!supported) {
    if (h.api_key == ApiKey::kApiVersions) {
      // A newer client: tell it what we speak in the one body every
      // version can read (v0), so it retries with a version listed there.
      return {ApiResponse::Action::kSend,
              EncodeResponse(h.correlation_id,
                             MakeApiVersionsResponse(ErrorCode::kUnsupportedVersion), 0)};
    }
    // Kafka closes the connection on an API or version it does not serve.
    ApisLog()->warn("closing connection: unsupported api key={} ({}) version={} client_id={}",
                    int(h.api_key), ApiKeyName(h.api_key), h.api_version, ClientId(h));
    return {ApiResponse::Action::kClose, {}};
  }

  ApiResponse response = Dispatch(req);
  RequestMetricsOf(h.api_key).Record(double(clock_.NowNs() - start_ns) / 1e6);
  ApisLog()->debug("request api={} version={} client_id={} correlation_id={} duration_us={}",
                   ApiKeyName(h.api_key), h.api_version, ClientId(h), h.correlation_id,
                   (clock_.NowNs() - start_ns) / 1000);
  return response;
}

void KafkaApis::Handle(ByteSpan frame, ApiResponder respond, std::string_view peer) {
  int64_t start_ns = clock_.NowNs();
  auto parsed = ParseRequestHeader(frame);
  if (parsed.ok() && IsAsync(parsed->header.api_key)) {
    const ApiKey key = parsed->header.api_key;
    const ApiVersionRange* range = FindSupportedApi(key);
    int16_t v = parsed->header.api_version;
    if (range && v >= range->min_version && v <= range->max_version) {
      // May answer later: TotalTimeMs runs until the (possibly later) answer.
      auto timed = [this, key, start_ns, respond = std::move(respond)](ApiResponse r) {
        RequestMetricsOf(key).Record(double(clock_.NowNs() - start_ns) / 1e6);
        respond(std::move(r));
      };
      return DispatchAsync(*parsed, peer, std::move(timed));
    }
  }
  // The header is parsed once, also on the produce path.
  respond(HandleParsed(parsed, start_ns));
}

// [kafka-apis-dispatch]
ApiResponse KafkaApis::Dispatch(const ParsedRequest& req) {
  switch (req.header.api_key) {
    case ApiKey::kApiVersions:
      return HandleApiVersions(req);
    case ApiKey::kMetadata:
      return HandleMetadata(req);
    case ApiKey::kProduce:
      return HandleProduce(req);
    case ApiKey::kFetch:
      return HandleFetch(req);
    case ApiKey::kListOffsets:
      return HandleListOffsets(req);
    case ApiKey::kCreateTopics:
      return HandleCreateTopics(req);
    case ApiKey::kDeleteTopics:
      return HandleDeleteTopics(req);
    case ApiKey::kFindCoordinator:
      return HandleFindCoordinator(req);
    case ApiKey::kHeartbeat:
      return HandleHeartbeat(req);
    case ApiKey::kLeaveGroup:
      return HandleLeaveGroup(req);
    case ApiKey::kOffsetFetch:
      return HandleOffsetFetch(req);
    case ApiKey::kDescribeGroups:
      return HandleDescribeGroups(req);
    case ApiKey::kListGroups:
      return HandleListGroups(req);
    case ApiKey::kJoinGroup:
    case ApiKey::kSyncGroup:
    case ApiKey::kOffsetCommit:
    case ApiKey::kDeleteGroups:
      return AnswerIfImmediate(req);
    default:
      break;
  }
  // Advertised in SupportedApis() but not dispatched here: a bug.
  ApisLog()->error("no handler for api={}", int(req.header.api_key));
  return {ApiResponse::Action::kClose, {}};
}
// [kafka-apis-dispatch]

ApiResponse KafkaApis::HandleApiVersions(const ParsedRequest& req) {
  auto body = Decode<ApiVersionsRequest>(req.body, req.header.api_version);
  if (!body.ok()) return Unreadable(req, body.status());
  return Send(req, MakeApiVersionsResponse());
}

ApiResponse KafkaApis::HandleMetadata(const ParsedRequest& req) {
  int16_t version = req.header.api_version;
  auto body = Decode<MetadataRequest>(req.body, version);
  if (!body.ok()) return Unreadable(req, body.status());

  MetadataResponse response;
  int32_t port = endpoint_.port != 0 ? endpoint_.port : bound_port_.load();
  response.brokers.push_back({node_id_, endpoint_.host, port, std::nullopt});
  response.cluster_id = cluster_id_;
  response.controller_id = node_id_;

  // One topic's entry: its partitions, each led by this node once the
  // ReplicaManager hosts it (between the registry's change and the
  // broker's MakeLeader there is a moment when it does not yet).
  auto describe = [&](const TopicInfo& info) {
    MetadataResponseTopic t;
    t.name = info.name;
    t.is_internal = info.name.starts_with("__");
    for (int32_t p = 0; p < info.partitions; ++p) {
      MetadataResponsePartition part;
      part.partition_index = p;
      part.replica_nodes = {node_id_};
      // [kafka-apis-metadata-leader]
      if (replicas_.IsHosted(TopicPartition{info.name, PartitionId{p}})) {
        part.leader_id = node_id_;
        part.leader_epoch = 0;
        part.isr_nodes = {node_id_};
      } else {
        part.error_code = ErrorCode::kLeaderNotAvailable;
      }
      // [kafka-apis-metadata-leader]
      t.partitions.push_back(std::move(part));
    }
    return t;
  };

  if (body->RequestsAllTopics(version)) {
    for (const TopicInfo& info : topics_.AllTopics()) response.topics.push_back(describe(info));
    return Send(req, response);
  }
  // Before v4 there is no allow_auto_topic_creation: the broker decides.
  bool may_create = config_.GetBool("auto.create.topics.enable") &&
                    (version < 4 || body->allow_auto_topic_creation);
  for (const MetadataRequestTopic& wanted : *body->topics) {
    if (auto info = topics_.Find(wanted.name)) {
      response.topics.push_back(describe(*info));
      continue;
    }
    MetadataResponseTopic t;
    t.name = wanted.name;
    t.is_internal = wanted.name.starts_with("__");
    if (!TopicPartition::IsValidTopic(wanted.name)) {
      t.error_code = ErrorCode::kInvalidTopicException;
    } else if (!may_create) {
      t.error_code = ErrorCode::kUnknownTopicOrPartition;
    } else {
      // Kafka answers an auto-created topic with LEADER_NOT_AVAILABLE;
      // the client asks again and then finds its partitions.
      Status s = topics_.CreateTopic(wanted.name, config_.GetInt("num.partitions"), -1, {});
      bool created = s.ok() || s.code() == ErrorCode::kTopicAlreadyExists;  // lost a race: fine
      t.error_code = created ? ErrorCode::kLeaderNotAvailable : s.code();
      if (!created) ApisLog()->info("auto-create failed topic={} error={}", t.name, s.ToString());
    }
    response.topics.push_back(std::move(t));
  }
  return Send(req, response);
}

}  // namespace gregor
