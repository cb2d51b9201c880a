// SPDX-License-Identifier: Apache-2.0
// KafkaApis: the broker's request dispatcher (Kafka's KafkaApis). One
// request frame in, one ApiResponse out: parse the header, check the API
// and version against SupportedApis(), decode the body, run the handler,
// encode the response (header + body; the network layer adds the size
// prefix, so the bytes are handed on without a copy).
//
//   Handle(frame) --ParseRequestHeader--> key, version
//        |  unknown key / version      -> kClose (ApiVersions: error 35, v0 body)
//        |  body does not decode       -> kClose
//        v
//   HandleApiVersions / HandleMetadata / HandleProduce / HandleFetch /
//   HandleListOffsets / HandleCreateTopics / HandleDeleteTopics /
//   the group APIs (FindCoordinator ... DeleteGroups)
//        |
//        v  EncodeResponse(correlation_id, response, version)
//   ApiResponse{kSend, payload}   (acks=0 Produce: kNoResponse)
//
// The handlers live in four files by concern: kafka_apis.cpp (dispatch,
// ApiVersions, Metadata), kafka_apis_records.cpp (Produce, Fetch,
// ListOffsets), kafka_apis_topics.cpp (CreateTopics, DeleteTopics) and
// kafka_apis_groups.cpp (FindCoordinator, JoinGroup, SyncGroup, Heartbeat,
// LeaveGroup, OffsetCommit, OffsetFetch, DescribeGroups, ListGroups,
// DeleteGroups: decoding, then the GroupCoordinator).
// Errors that concern one partition or topic travel in its entry; the
// connection is closed only when the request itself cannot be understood.
// Kafka answers some undecodable bodies with INVALID_REQUEST; closing is
// simpler and every client we target treats both as fatal for the request.
//
// Long-poll Fetch: through Handle(frame, respond), a Fetch with
// max_wait_ms > 0 that finds fewer than min_bytes parks as a DelayedFetch
// in the ReplicaManager's fetch purgatory and is answered later, from the
// thread that completes it (a produce handler or the timer's reaper).
// Handle(frame) answers every Fetch at once (tests, tools). JoinGroup,
// SyncGroup, OffsetCommit and DeleteGroups are answered when the group
// coordinator calls back (a JoinGroup parks until the rebalance
// completes); through Handle(frame) an answer that does not come at once
// is dropped (kNoResponse): only the fuzzer and tests use that path. With
// SetZeroCopyFetch(true) a Fetch response carries its records as file
// regions (sendfile) instead of copies.
//
// Not yet: transactions (a transactional Produce is refused with
// INVALID_REQUEST), fetch sessions (session_id is always 0), quotas
// (throttle_time_ms is always 0).
//
// Metrics (metrics.h): every handled request adds to RequestsPerSec and
// TotalTimeMs of its API (from Handle's start to the respond call, so a
// long-poll Fetch counts its wait); Produce adds MessagesIn (lastOffsetDelta
// + 1 per appended batch) and BytesIn; Fetch adds BytesOut. The per-API
// series are reached through RequestMetrics handles made at construction,
// so the request path takes no registry lock, only atomics.
//
// Thread-safety: Handle() is called by many request handler threads at
// once. KafkaApis' only mutable state is its metrics (atomics);
// ReplicaManager and TopicRegistry are thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>
#include <optional>
#include <string>

#include "common/bytes.h"
#include "common/clock.h"
#include "controller/topic_registry.h"
#include "coordinator/group/group_coordinator.h"
#include "network/request.h"
#include "protocol/fetch.h"
#include "protocol/frame.h"
#include "protocol/request_header.h"
#include "server/fault_injector.h"
#include "server/kafka_config.h"
#include "server/metrics.h"
#include "server/replica_manager.h"

namespace gregor {

/// What the network layer must do with a handled request: send `payload`
/// (response header + body, WITHOUT the 4-byte size prefix, which the
/// network layer writes: it becomes Response::bytes as it is), send
/// nothing (acks=0 Produce), or close the connection (a request the broker
/// cannot understand). A zero-copy Fetch response continues after
/// `payload` with `file_regions` (each followed by its `after` bytes); the
/// size prefix the network layer writes counts them too.
struct ApiResponse {
  /// The network layer's next step for this request.
  enum class Action { kSend, kNoResponse, kClose };
  ApiResponse() = default;
  ApiResponse(Action a, Bytes f, std::vector<FileRegion> regions = {})
      : action(a), payload(std::move(f)), file_regions(std::move(regions)) {}
  Action action = Action::kClose;  ///< what to do
  Bytes payload;                   ///< header + body, no size prefix; empty unless kSend
  std::vector<FileRegion> file_regions;  ///< the rest of the payload (zero copy)
};

/// Receives a request's ApiResponse, exactly once, on any thread.
using ApiResponder = std::function<void(ApiResponse)>;

/// A host and port clients should connect to: the first advertised
/// listener (advertised.listeners, else listeners), as Metadata returns it.
struct AdvertisedEndpoint {
  std::string host = "127.0.0.1";  ///< never empty or 0.0.0.0
  int32_t port = 9092;             ///< the listener's port
};

/// Parses `NAME://host:port` (or `NAME://[v6]:port`); an empty host or
/// 0.0.0.0 becomes 127.0.0.1. nullopt if the string is not a listener.
std::optional<AdvertisedEndpoint> ParseListener(const std::string& listener);

/// The broker's request dispatcher; see the file comment.
class KafkaApis {
 public:
  /// All references must outlive the KafkaApis. `cluster_id` is what
  /// Metadata v2+ reports (meta.properties, later).
  KafkaApis(const KafkaConfig& config, ReplicaManager& replicas, TopicRegistry& topics,
            Clock& clock, std::string cluster_id = "gregor-cluster");

  /// Handles one request frame (header + body, WITHOUT the 4-byte size
  /// prefix). Thread-safe.
  ApiResponse Handle(ByteSpan frame);
  /// As Handle(frame), but a Fetch may long-poll and a group request may
  /// wait for its rebalance (see the file comment): `respond` is called
  /// exactly once, now or later on another thread. `peer` is the client's
  /// `address:port` (DescribeGroups reports the address). The frame need
  /// not outlive the call. Thread-safe.
  void Handle(ByteSpan frame, ApiResponder respond, std::string_view peer = {});

  /// Serves the group APIs with `coordinator` (and `manager`, for the
  /// group -> __consumer_offsets partition map); until set they answer
  /// COORDINATOR_NOT_AVAILABLE. Both outlive the KafkaApis. Call before
  /// requests arrive.
  void SetGroupCoordinator(GroupCoordinator* coordinator, const GroupMetadataManager* manager) {
    groups_ = coordinator;
    group_manager_ = manager;
  }

  /// Sends Fetch records from their files (sendfile) rather than copies.
  /// Call before requests arrive.
  void SetZeroCopyFetch(bool on) { zero_copy_fetch_ = on; }

  /// The port the listener really bound: what Metadata advertises when the
  /// configured advertised port is 0. Call before clients can connect.
  void SetBoundPort(int32_t port) { bound_port_ = port; }

  /// The broker's metrics registry (what GET /metrics renders).
  MetricsRegistry& metrics_registry() { return metrics_registry_; }
  /// The named broker counters, for tests.
  const BrokerMetrics& metrics() const { return metrics_; }
  /// The test-only fault hook (fault_injector.h); configure it before
  /// requests arrive. Produce and Fetch consult it per partition.
  FaultInjector& fault_injector() { return faults_; }

 private:
  /// Handle(frame) after the header was parsed (or failed to): version
  /// check, dispatch, metrics. `start_ns` is when the request was taken up.
  ApiResponse HandleParsed(const Result<ParsedRequest>& parsed, int64_t start_ns);
  /// Calls the handler of req.header.api_key. REQUIRES: a supported version.
  ApiResponse Dispatch(const ParsedRequest& req);
  // Each takes the parsed request and returns the action; defined in the
  // file of its concern (see the file comment).
  ApiResponse HandleApiVersions(const ParsedRequest& req);
  ApiResponse HandleMetadata(const ParsedRequest& req);
  ApiResponse HandleProduce(const ParsedRequest& req);
  ApiResponse HandleFetch(const ParsedRequest& req);
  void HandleFetch(const ParsedRequest& req, ApiResponder respond);
  ApiResponse HandleListOffsets(const ParsedRequest& req);
  ApiResponse HandleCreateTopics(const ParsedRequest& req);
  ApiResponse HandleDeleteTopics(const ParsedRequest& req);
  // The group APIs (kafka_apis_groups.cpp); the ones taking a responder
  // may answer later, from the coordinator's callback.
  /// Whether `key` is answered through a responder (DispatchAsync).
  static bool IsAsync(ApiKey key);
  void DispatchAsync(const ParsedRequest& req, std::string_view peer, ApiResponder respond);
  /// Handle(frame)'s way into an async API: the answer if it comes at once.
  ApiResponse AnswerIfImmediate(const ParsedRequest& req);
  ApiResponse HandleFindCoordinator(const ParsedRequest& req);
  void HandleJoinGroup(const ParsedRequest& req, std::string_view peer, ApiResponder respond);
  void HandleSyncGroup(const ParsedRequest& req, ApiResponder respond);
  ApiResponse HandleHeartbeat(const ParsedRequest& req);
  ApiResponse HandleLeaveGroup(const ParsedRequest& req);
  void HandleOffsetCommit(const ParsedRequest& req, ApiResponder respond);
  ApiResponse HandleOffsetFetch(const ParsedRequest& req);
  ApiResponse HandleDescribeGroups(const ParsedRequest& req);
  ApiResponse HandleListGroups(const ParsedRequest& req);
  void HandleDeleteGroups(const ParsedRequest& req, ApiResponder respond);
  /// Creates __consumer_offsets if missing; whether it exists now.
  bool EnsureOffsetsTopic();

  /// A response's payload: the response header answering
  /// `correlation_id`, then `body` at `version` — no size prefix.
  template <KafkaMessage M>
  static Bytes EncodeResponse(int32_t correlation_id, const M& body, int16_t version) {
    Bytes out;
    WriteResponseHeader(out, correlation_id, ResponseHeaderVersion(M::kApiKey, version));
    EncodeTo(out, body, version);
    return out;
  }
  /// Encodes `body` as the answer to `req`, at the request's version.
  template <KafkaMessage M>
  static ApiResponse Send(const ParsedRequest& req, const M& body) {
    return {ApiResponse::Action::kSend,
            EncodeResponse(req.header.correlation_id, body, req.header.api_version)};
  }
  /// A Fetch read: the response, the file slices its records come from
  /// (partition by partition, in response order) and the bytes found.
  struct FetchRead {
    FetchResponse response;
    std::vector<std::pair<FetchPartitionData*, FileRecordsSlice>> slices;
    int64_t bytes = 0;
    bool error = false;  ///< some partition failed: answer at once
  };
  /// Reads every partition of `fetch` (kafka_apis_records.cpp).
  std::unique_ptr<FetchRead> ReadFetch(const FetchRequest& fetch);
  /// Encodes a read as the answer to `header`, by copy or zero copy.
  ApiResponse SendFetch(const RequestHeader& header, FetchRead& read);

  /// Logs a body that failed to decode and asks for the connection to close.
  static ApiResponse Unreadable(const ParsedRequest& req, const Status& status);
  /// The request metrics handle of a supported API, made at construction.
  RequestMetrics& RequestMetricsOf(ApiKey key) { return *request_metrics_[size_t(key)]; }

  const KafkaConfig& config_;
  ReplicaManager& replicas_;
  TopicRegistry& topics_;
  Clock& clock_;
  const std::string cluster_id_;
  // Read once from config_ at construction; immutable afterwards.
  const int32_t node_id_;
  const AdvertisedEndpoint endpoint_;
  // The bound port, for an advertised port of 0 (tests bind port 0).
  std::atomic<int32_t> bound_port_{0};
  // Set before requests arrive.
  bool zero_copy_fetch_ = false;
  // Thread-safe by themselves (atomics; registration under their mutex).
  MetricsRegistry metrics_registry_;
  BrokerMetrics metrics_{metrics_registry_};
  // One handle per supported API, indexed by api key (null elsewhere);
  // made at construction, never resized, so handler threads read it freely.
  std::vector<std::unique_ptr<RequestMetrics>> request_metrics_;
  FaultInjector faults_;  // disabled unless configured
  // Set before requests arrive; null: no group coordinator.
  GroupCoordinator* groups_ = nullptr;
  const GroupMetadataManager* group_manager_ = nullptr;
};

}  // namespace gregor
