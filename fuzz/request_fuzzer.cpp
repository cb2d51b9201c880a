// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the broker's request path: one input is one request
// frame without its size prefix, as the network layer hands it to
// KafkaApis::Handle. So the header parser, the decoder of every request
// body the broker advertises (ApiVersions, Metadata, Produce, Fetch,
// ListOffsets, CreateTopics, DeleteTopics and the ten group APIs) and
// their handlers all run, over a real LogManager, ReplicaManager,
// TopicRegistry and GroupCoordinator (with its GroupMetadataManager on
// __consumer_offsets, wired as KafkaServer::StartGroupCoordinator does).
//
// The broker lives in a temporary directory made once per process and
// removed at exit. Each input starts from the same state: topic "t" with
// two partitions, partition 0 holding a few batches (one per codec) so a
// Fetch or ListOffsets finds records, and __consumer_offsets (one
// partition, loaded) without groups. An input that changed the state
// (created or deleted a topic, appended records, left a group behind)
// makes the next input start from a rebuilt broker, so a crash replays
// alone. Deterministic and single-threaded: a MockClock, no purgatory
// (every Fetch is answered at once), a group timer never advanced (a
// JoinGroup that would wait is parked until the broker is rebuilt, and
// its answer dropped), no sockets.
//
// Oracle: a response the broker sends must parse back, header and body,
// at the request's version; otherwise the target aborts.
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "common/clock.h"
#include "controller/topic_registry.h"
#include "coordinator/group/group_coordinator.h"
#include "coordinator/group/group_metadata_manager.h"
#include "protocol/api_versions.h"
#include "protocol/create_topics.h"
#include "protocol/delete_groups.h"
#include "protocol/delete_topics.h"
#include "protocol/describe_groups.h"
#include "protocol/fetch.h"
#include "protocol/find_coordinator.h"
#include "protocol/heartbeat.h"
#include "protocol/join_group.h"
#include "protocol/leave_group.h"
#include "protocol/list_groups.h"
#include "protocol/list_offsets.h"
#include "protocol/metadata.h"
#include "protocol/offset_commit.h"
#include "protocol/offset_fetch.h"
#include "protocol/produce.h"
#include "protocol/sync_group.h"
#include "record/memory_records_builder.h"
#include "server/kafka_apis.h"
#include "server/kafka_config.h"
#include "server/offsets_topic.h"
#include "server/replica_manager.h"
#include "server/timing_wheel.h"
#include "storage/env.h"
#include "storage/log.h"
#include "storage/log_manager.h"

namespace gregor {
namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "request_fuzzer: %s\n", what);
  std::abort();
}

// The directory every broker of this process lives in.
class ProcessDir {
 public:
  ProcessDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/gregor-request-fuzz-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) Fail("mkdtemp failed");
    path_ = tmpl;
  }
  ~ProcessDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

KafkaConfig FuzzConfig() {
  // Small segments and indexes: a Produce cannot make files grow large,
  // and creating a partition preallocates little; one CreateTopics makes
  // at most 64 partitions, so an input stays fast.
  auto config = KafkaConfig::Create({{"node.id", "1"},
                                     {"listeners", "PLAINTEXT://127.0.0.1:9092"},
                                     {"num.partitions", "2"},
                                     {"log.segment.bytes", "1048576"},
                                     {"log.index.size.max.bytes", "4096"},
                                     {"gregor.create.topics.max.partitions", "64"},
                                     // One coordinator partition: rebuilding stays cheap.
                                     {"offsets.topic.num.partitions", "1"},
                                     {"offsets.topic.replication.factor", "1"}});
  if (!config.ok()) Fail("bad fuzz config");
  return *config;
}

// One broker's request path (KafkaServer without sockets and threads).
class Broker {
 public:
  explicit Broker(const std::string& dir)
      : config_(FuzzConfig()),
        logs_(*Env::Default(), {dir + "/logs"}, config_.DefaultLogConfig(), clock_),
        replicas_(logs_) {
    std::filesystem::create_directories(dir + "/logs");
    if (!logs_.Startup().ok()) Fail("LogManager::Startup failed");
    auto reg = TopicRegistry::Open(*Env::Default(), dir + "/meta/__cluster_metadata-0", clock_,
                                   [this](const TopicChange& c) { OnTopicChange(c); });
    if (!reg.ok()) Fail("TopicRegistry::Open failed");
    registry_ = std::move(*reg);
    apis_ = std::make_unique<KafkaApis>(config_, replicas_, *registry_, clock_);
    apis_->SetGroupCoordinator(&coordinator_, &groups_);
    if (!registry_->CreateTopic("t", 2, 1, {}).ok()) Fail("cannot create t");
    if (!registry_->CreateTopic(kOffsetsTopic, groups_.num_partitions(), 1,
                                OffsetsTopicConfigs(config_))
             .ok()) {
      Fail("cannot create __consumer_offsets");
    }
    if (coordinator_.CoordinatorError("g") != ErrorCode::kNone) Fail("groups not served");
    for (CompressionType c : {CompressionType::kNone, CompressionType::kGzip,
                              CompressionType::kSnappy, CompressionType::kLz4,
                              CompressionType::kZstd}) {
      BatchOptions o;
      o.compression = c;
      Bytes batch = BuildBatch({Record{1700000000000, "k", "v", {{"h", "1"}}},
                                Record{1700000000001, std::nullopt, "v2", {}}},
                               o);
      auto r = replicas_.AppendRecords(TopicPartition{"t", PartitionId{0}}, batch);
      if (r.error != ErrorCode::kNone) Fail("cannot append the baseline");
    }
    baseline_end_ = EndOffsets();
  }
  // ~LogManager closes the files; State::Rebuild removes the directory.

  KafkaApis& apis() { return *apis_; }

  /// True if the topics, any log end offset or the groups differ from the start.
  bool Changed() const {
    auto topics = registry_->AllTopics();
    if (topics.size() != 2) return true;
    auto t = registry_->Find("t");
    if (!t || t->partitions != 2 || !registry_->Find(kOffsetsTopic)) return true;
    return EndOffsets() != baseline_end_ || !coordinator_.ListGroups().empty();
  }

 private:
  std::vector<int64_t> EndOffsets() const {
    std::vector<int64_t> out;
    for (int32_t p = 0; p < 2; ++p) {
      auto log = logs_.GetLog(TopicPartition{"t", PartitionId{p}});
      out.push_back(log ? log->LogEndOffset().value() : -1);
    }
    auto offsets = logs_.GetLog(TopicPartition{kOffsetsTopic, PartitionId{0}});
    out.push_back(offsets ? offsets->LogEndOffset().value() : -1);
    return out;
  }
  void OnTopicChange(const TopicChange& c) {
    for (int32_t p = 0; p < c.topic.partitions; ++p) {
      TopicPartition tp{c.topic.name, PartitionId{p}};
      if (c.kind == TopicChange::Kind::kCreated) {
        auto lc = TopicLogConfig(logs_.default_config(), c.topic.configs);
        Status s =
            replicas_.MakeLeader(tp, lc.ok() ? std::optional<LogConfig>(*lc) : std::nullopt);
        if (s.ok() && c.topic.name == kOffsetsTopic) {
          (void)LoadOffsetsPartition(replicas_, groups_, coordinator_, p);
        }
      } else {
        if (c.topic.name == kOffsetsTopic) {
          groups_.Unload(p);
          coordinator_.OnPartitionUnloaded(p);
        }
        (void)replicas_.StopReplica(tp, true);
      }
    }
  }

  static GroupCoordinatorConfig CoordinatorConfig(const KafkaConfig& config) {
    GroupCoordinatorConfig c;
    c.min_session_timeout_ms = config.GetInt("group.min.session.timeout.ms");
    c.max_session_timeout_ms = config.GetInt("group.max.session.timeout.ms");
    c.initial_rebalance_delay_ms = config.GetInt("group.initial.rebalance.delay.ms");
    return c;
  }

  MockClock clock_;
  KafkaConfig config_;
  LogManager logs_;
  ReplicaManager replicas_;
  // Groups (KafkaServer::StartGroupCoordinator), destroyed before the
  // logs; the coordinator cancels its tasks before the timer goes.
  Timer group_timer_{clock_};
  GroupMetadataManager groups_{config_.GetInt("offsets.topic.num.partitions"),
                               MakeOffsetsTopicAppender(replicas_, clock_)};
  GroupCoordinator coordinator_{CoordinatorConfig(config_), group_timer_, clock_, &groups_};
  std::unique_ptr<TopicRegistry> registry_;
  std::unique_ptr<KafkaApis> apis_;
  std::vector<int64_t> baseline_end_;
};

template <class Resp>
void CheckDecodes(ByteSpan body, int16_t version) {
  auto r = Decode<Resp>(body, version);
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
    Fail("the broker's response does not decode");
  }
}

// The oracle: what the broker sends parses back at the request's version.
void CheckResponse(const RequestHeader& h, const ApiResponse& r) {
  if (r.action != ApiResponse::Action::kSend) return;
  if (!r.file_regions.empty()) Fail("zero-copy response while zero copy is off");
  auto parsed = ParseResponseHeader(r.payload, ResponseHeaderVersion(h.api_key, h.api_version));
  if (!parsed.ok()) Fail("the broker's response header does not parse");
  if (parsed->correlation_id != h.correlation_id) Fail("wrong correlation id");
  const ApiVersionRange* range = FindSupportedApi(h.api_key);
  bool supported =
      range && h.api_version >= range->min_version && h.api_version <= range->max_version;
  // An unsupported ApiVersions is answered in the v0 body.
  int16_t v = supported ? h.api_version : 0;
  switch (h.api_key) {
    case ApiKey::kApiVersions: return CheckDecodes<ApiVersionsResponse>(parsed->body, v);
    case ApiKey::kMetadata: return CheckDecodes<MetadataResponse>(parsed->body, v);
    case ApiKey::kProduce: return CheckDecodes<ProduceResponse>(parsed->body, v);
    case ApiKey::kFetch: return CheckDecodes<FetchResponse>(parsed->body, v);
    case ApiKey::kListOffsets: return CheckDecodes<ListOffsetsResponse>(parsed->body, v);
    case ApiKey::kCreateTopics: return CheckDecodes<CreateTopicsResponse>(parsed->body, v);
    case ApiKey::kDeleteTopics: return CheckDecodes<DeleteTopicsResponse>(parsed->body, v);
    case ApiKey::kFindCoordinator: return CheckDecodes<FindCoordinatorResponse>(parsed->body, v);
    case ApiKey::kJoinGroup: return CheckDecodes<JoinGroupResponse>(parsed->body, v);
    case ApiKey::kSyncGroup: return CheckDecodes<SyncGroupResponse>(parsed->body, v);
    case ApiKey::kHeartbeat: return CheckDecodes<HeartbeatResponse>(parsed->body, v);
    case ApiKey::kLeaveGroup: return CheckDecodes<LeaveGroupResponse>(parsed->body, v);
    case ApiKey::kOffsetCommit: return CheckDecodes<OffsetCommitResponse>(parsed->body, v);
    case ApiKey::kOffsetFetch: return CheckDecodes<OffsetFetchResponse>(parsed->body, v);
    case ApiKey::kDescribeGroups: return CheckDecodes<DescribeGroupsResponse>(parsed->body, v);
    case ApiKey::kListGroups: return CheckDecodes<ListGroupsResponse>(parsed->body, v);
    case ApiKey::kDeleteGroups: return CheckDecodes<DeleteGroupsResponse>(parsed->body, v);
    default: Fail("a response to an API the broker does not serve");
  }
}

struct State {
  State() {
    // Every refused request logs a warning; at millions per run, silence.
    ::setenv("GREGOR_LOG_LEVEL", "off", 0);
  }
  ProcessDir dir;
  std::unique_ptr<Broker> broker;
  void Rebuild() {
    broker.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir.path(), ec);
    std::filesystem::create_directories(dir.path(), ec);
    broker = std::make_unique<Broker>(dir.path());
  }
};

}  // namespace
}  // namespace gregor

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gregor;
  static State* state = new State();  // lives until exit, like the process dir
  static struct Cleanup {
    ~Cleanup() { delete state; }
  } cleanup;
  if (!state->broker) state->Rebuild();
  ByteSpan frame(data, size);
  ApiResponse response = state->broker->apis().Handle(frame);
  if (response.action != ApiResponse::Action::kClose) {
    auto parsed = ParseRequestHeader(frame);
    if (!parsed.ok()) Fail("answered a request whose header does not parse");
    CheckResponse(parsed->header, response);
  }
  if (state->broker->Changed()) state->Rebuild();
  return 0;
}
