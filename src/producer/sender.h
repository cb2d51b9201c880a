// SPDX-License-Identifier: Apache-2.0
// Sender: the producer's background thread (Kafka's Sender). Each pass of
// RunOnce():
//
//   1. handle what the network finished (responses, failures): complete,
//      retry or split each batch of each finished Produce request, apply
//      finished Metadata requests;
//   2. fetch metadata if it is stale or asked for (at most once per
//      retry.backoff.ms);
//   3. accumulator.Ready() -> leaders with sendable batches, minus those
//      with max.in.flight.requests.per.connection requests outstanding;
//   4. accumulator.Drain() -> one Produce request per leader; with
//      max.in.flight = 1 the drained partitions are muted until answered,
//      so a retried batch cannot be overtaken by a later one;
//   5. expire batches older than delivery.timeout.ms, queued or in flight;
//   6. send the requests through the KafkaClient.
//
// Then Run() waits for the delay Ready() gave (linger, backoff), a Wakeup()
// from Send() (a batch filled or opened), or a finished request — it never
// spins. Errors: retriable ones (NOT_LEADER_OR_FOLLOWER,
// UNKNOWN_TOPIC_OR_PARTITION, REQUEST_TIMED_OUT, NETWORK_EXCEPTION ...) go
// back to the accumulator after the backoff while attempts <= retries and
// delivery.timeout.ms allows, refreshing metadata for the "stale map"
// ones; MESSAGE_TOO_LARGE splits a batch of several records; anything else
// fails the batch.
//
// Buffers: a batch's buffer goes back to the pool only when the batch is
// done and no request can read it. A batch expired while in flight is
// failed at once (its callbacks run), but keeps its buffer until its
// request completes — see BufferPool.
//
// Thread model: RunOnce/Run on the Sender thread only (or a test's thread).
// Network callbacks, from any thread, only queue a completion under mu_ and
// notify; Wakeup, InitiateClose and ForceClose are thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "common/clock.h"
#include "gregor/producer.h"
#include "producer/kafka_client.h"
#include "producer/producer_metadata.h"
#include "producer/producer_metrics.h"
#include "producer/record_accumulator.h"

namespace gregor {

/// The Sender's settings, from ProducerConfig.
struct SenderConfig {
  int16_t acks = -1;                          ///< acks
  int32_t max_request_size = 1048576;         ///< max.request.size
  int64_t request_timeout_ms = 30000;         ///< request.timeout.ms
  int32_t retries = 2147483647;               ///< retries
  int32_t max_in_flight_requests_per_connection = 5;  ///< max.in.flight...
  int64_t delivery_timeout_ms = 120000;       ///< delivery.timeout.ms
  int64_t retry_backoff_ms = 100;             ///< metadata refresh backoff too
};

/// The producer's I/O loop; see the file comment.
class Sender {
 public:
  /// Everything passed must outlive the Sender.
  Sender(SenderConfig config, KafkaClient& client, ProducerMetadata& metadata,
         RecordAccumulator& accumulator, Clock& clock, ProducerMetrics& metrics);

  /// The thread body: RunOnce and wait, until closed and drained (or
  /// force-closed).
  void Run();
  /// One pass (see the file comment); returns how long to wait after it.
  int64_t RunOnce();
  /// Makes a waiting Run() pass again now.
  void Wakeup();
  /// Stop taking records; Run() returns once nothing is buffered or in
  /// flight.
  void InitiateClose();
  /// Run() returns after the current pass.
  void ForceClose();
  /// After Run() returned and the client has failed every request: applies
  /// those completions without retrying, so in-flight buffers are released.
  void DrainCompletionsAfterClose();

  /// Produce requests sent and not finished (Sender thread).
  size_t InFlightRequestCount() const { return in_flight_.size(); }

 private:
  /// A Produce request on its way: its batches, by node.
  struct InFlightProduce {
    int32_t node;
    int64_t sent_ns;
    std::vector<std::shared_ptr<ProducerBatch>> batches;
  };
  /// A request the network finished, waiting for the Sender thread.
  struct Completion {
    uint64_t id;
    ClientResponse response;
  };

  int64_t NowMs() const { return clock_.NowNs() / 1'000'000; }
  void ProcessCompletions(bool closing);
  void MaybeUpdateMetadata(int64_t now_ms);
  void HandleMetadataResponse(const ClientResponse& r, int64_t now_ms);
  int64_t SendProducerData(int64_t now_ms);
  void SendProduceRequest(int32_t node, std::vector<std::shared_ptr<ProducerBatch>> batches,
                          int64_t now_ms);
  void HandleProduceResponse(InFlightProduce request, const ClientResponse& r, int64_t now_ms,
                             bool closing);
  void CompleteBatch(const std::shared_ptr<ProducerBatch>& batch, ErrorCode error,
                     int64_t base_offset, int64_t log_append_time, const std::string& message,
                     int64_t now_ms, bool closing);
  void FailBatch(const std::shared_ptr<ProducerBatch>& batch, const Status& status);
  void MaybeDeallocate(const std::shared_ptr<ProducerBatch>& batch);
  bool CanRetry(const ProducerBatch& batch, ErrorCode error, int64_t now_ms) const;
  std::function<void(ClientResponse)> CompletionCallback(uint64_t id);

  const SenderConfig config_;
  KafkaClient& client_;
  ProducerMetadata& metadata_;
  RecordAccumulator& accumulator_;
  Clock& clock_;
  ProducerMetrics& metrics_;
  const bool guarantee_message_order_;

  std::mutex mu_;
  std::condition_variable cv_;
  // Set under mu_; Wakeup() reads it without mu_ to skip a pending one:
  std::atomic<bool> wakeup_{false};
  // Guarded by mu_:
  std::deque<Completion> completions_;
  bool running_ = true;
  bool force_close_ = false;

  // Only on the Sender thread:
  uint64_t next_request_id_ = 1;
  std::map<uint64_t, InFlightProduce> in_flight_;
  std::map<int32_t, int32_t> in_flight_per_node_;
  uint64_t metadata_request_id_ = 0;  // 0: none in flight
  int64_t next_metadata_fetch_ms_ = 0;
  size_t metadata_node_index_ = 0;
};

}  // namespace gregor
