// SPDX-License-Identifier: Apache-2.0
// RecordAccumulator: the queues between Send() and the Sender (Kafka's
// RecordAccumulator).
//
// For every partition a deque of ProducerBatch, oldest first; records go
// into the last batch, a new one is opened when it is full. Caller threads
// append under the deque's own mutex, so sends to different partitions do
// not contend; a new batch's buffer comes from the BufferPool *outside*
// that lock (it may block for max.block.ms), then the append is retried
// under it, since another thread may have opened a batch meanwhile.
//
// The Sender thread asks Ready() which leaders have something sendable — a
// full batch, or one that waited linger.ms (retry.backoff.ms, growing
// exponentially to retry.backoff.max.ms, for a retry), or any batch when a
// flush or close is in progress or callers wait for memory — and Drain()s
// for each ready leader at most one batch per partition, up to
// max.request.size, starting each time one partition further so every
// partition gets its turn. With max.in.flight.requests.per.connection = 1
// the Sender mutes a partition while its batch is in flight, and Ready and
// Drain skip it, which keeps the order across retries.
//
// Batches that waited delivery.timeout.ms since creation are taken out by
// ExpiredBatches(); retries go back at the front (Reenqueue); a batch the
// broker found too large is split (SplitAndReenqueue). Deallocate() returns
// a finished batch's buffer to the pool — see BufferPool for when that is
// allowed.
//
// Thread model: Append, BeginFlush, AwaitFlushCompletion and Close from any
// thread; Ready, Drain, ExpiredBatches, Reenqueue, SplitAndReenqueue,
// Deallocate and the mute calls from the Sender thread only (or the closing
// thread once the Sender stopped).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "client/metadata.h"
#include "common/clock.h"
#include "producer/buffer_pool.h"
#include "producer/built_in_partitioner.h"
#include "producer/producer_batch.h"

namespace gregor {

/// The accumulator's settings, from ProducerConfig.
struct RecordAccumulatorConfig {
  int32_t batch_size = 16384;                              ///< batch.size
  CompressionType compression = CompressionType::kNone;    ///< compression.type
  int64_t linger_ms = 5;                                   ///< linger.ms
  int64_t retry_backoff_ms = 100;                          ///< retry.backoff.ms
  int64_t retry_backoff_max_ms = 1000;                     ///< retry.backoff.max.ms
  int64_t delivery_timeout_ms = 120000;                    ///< delivery.timeout.ms
  bool adaptive_partitioning = true;  ///< partitioner.adaptive.partitioning.enable
  /// partitioner.availability.timeout.ms (0: off; needs adaptive_partitioning)
  int64_t partition_availability_timeout_ms = 0;
};

/// The per-partition batch queues; see the file comment.
class RecordAccumulator {
 public:
  /// Append()'s outcome (Kafka's RecordAppendResult).
  struct AppendResult {
    Status status;                 ///< not ok: the record was not appended
    RecordFuture future;           ///< the record's future when ok
    int32_t partition = -1;        ///< where it went (the built-in choice too)
    bool batch_is_full = false;    ///< a batch is ready: wake the Sender
    bool new_batch_created = false;  ///< likewise
  };
  /// Ready()'s outcome (Kafka's ReadyCheckResult).
  struct ReadyCheckResult {
    std::set<int32_t> ready_nodes;  ///< leaders with sendable batches
    int64_t next_ready_check_delay_ms = 0;  ///< when to look again at the latest
    std::set<std::string> unknown_leader_topics;  ///< batches without a leader
  };

  /// `pool` and `clock` must outlive the accumulator.
  RecordAccumulator(RecordAccumulatorConfig config, BufferPool& pool, Clock& clock);

  /// Appends `record` to `partition` of `topic`, or, with partition -1, to
  /// the partition the built-in partitioner picks among `available` (those
  /// with a leader) of `num_partitions`. Blocks up to max_block_ms for
  /// memory. Errors: REQUEST_TIMED_OUT (memory), NETWORK_EXCEPTION (closed).
  AppendResult Append(const std::string& topic, int32_t partition, const Record& record,
                      const SendCallback& callback, int64_t max_block_ms, int32_t num_partitions,
                      const std::vector<int32_t>& available);

  /// Which leaders can be sent to now, and when to look again.
  ReadyCheckResult Ready(const Metadata& metadata, int64_t now_ms);
  /// For each of `nodes`, closed batches to send, one per partition at
  /// most, together up to max_request_size (at least one batch).
  std::map<int32_t, std::vector<std::shared_ptr<ProducerBatch>>> Drain(
      const Metadata& metadata, const std::set<int32_t>& nodes, int32_t max_request_size,
      int64_t now_ms);
  /// Queued batches past delivery.timeout.ms, removed from their deques.
  std::vector<std::shared_ptr<ProducerBatch>> ExpiredBatches(int64_t now_ms);
  /// Puts a batch back at the front of its deque for another attempt.
  void Reenqueue(const std::shared_ptr<ProducerBatch>& batch, int64_t now_ms);
  /// Splits `batch` (refused as too large) into pieces of half its size,
  /// queued at the front; returns how many. The caller then Deallocate()s
  /// `batch`.
  int32_t SplitAndReenqueue(const std::shared_ptr<ProducerBatch>& batch);
  /// Forgets a finished batch and returns its buffer to the pool.
  /// REQUIRES: batch->IsDone() and !batch->in_flight().
  void Deallocate(const std::shared_ptr<ProducerBatch>& batch);

  /// The Sender's report on a leader with sendable batches: it could take
  /// a request now (`can_drain`) or not (in-flight limit). Feeds
  /// partitioner.availability.timeout.ms (Kafka's NodeLatencyStats).
  void UpdateNodeLatencyStats(int32_t node, int64_t now_ms, bool can_drain);

  /// Partitions skipped by Ready and Drain (max.in.flight = 1).
  void MutePartition(const ProducerTopicPartition& tp) { muted_.insert(tp); }
  void UnmutePartition(const ProducerTopicPartition& tp) { muted_.erase(tp); }

  /// Makes every batch sendable until AwaitFlushCompletion returns.
  void BeginFlush();
  /// Waits until every batch created before BeginFlush (and the pieces of
  /// split ones) completed. REQUIRES: BeginFlush() called by this thread.
  void AwaitFlushCompletion();
  bool FlushInProgress() const { return flushes_in_progress_.load() > 0; }

  /// No more appends; everything left becomes sendable.
  void Close();
  /// Fails and frees every incomplete batch. REQUIRES: the Sender stopped
  /// and no request references a batch (the network client is closed).
  void AbortIncompleteBatches(const Status& status);

  /// True if a deque holds a batch.
  bool HasUndrained() const;
  /// True if a batch was neither completed nor deallocated.
  bool HasIncomplete() const;
  /// retry.backoff.ms * 2^(attempts-1), capped at retry.backoff.max.ms.
  int64_t RetryBackoffMs(int32_t attempts) const;
  const RecordAccumulatorConfig& config() const { return config_; }

 private:
  /// One partition's queue.
  struct Deque {
    explicit Deque(int32_t p) : partition(p) {}
    const int32_t partition;
    std::mutex mu;
    std::deque<std::shared_ptr<ProducerBatch>> batches;  // Guarded by mu
  };
  /// A topic's queues and its built-in partitioner (Kafka's TopicInfo).
  /// Created once and never removed, so Append may keep raw pointers.
  struct TopicInfo {
    std::string topic;  // immutable once created
    std::unique_ptr<BuiltInPartitioner> partitioner;  // immutable once set
    std::map<int32_t, std::shared_ptr<Deque>> deques;  // Guarded by topics_mu_
    // The deque appended to last: a lock-free hit for the sticky or a
    // single partition (Kafka's ConcurrentMap lookup needs no lock either).
    std::atomic<Deque*> last_deque{nullptr};
  };
  /// When a leader last had sendable batches, and last could take them.
  struct NodeLatencyStats {
    int64_t ready_ms;
    int64_t drain_ms;
  };
  /// A deque with its partition, for a pass over all of them.
  struct DequeRef {
    ProducerTopicPartition tp;
    std::shared_ptr<Deque> deque;
  };

  Deque& GetOrCreateDeque(const std::string& topic, int32_t partition);
  // The topic's info (with its partitioner), created if new. Lock-free
  // when it is the topic appended to last.
  TopicInfo& TopicInfoFor(const std::string& topic);
  // `info`'s deque for `partition`, created if new.
  Deque& DequeFor(TopicInfo& info, int32_t partition);
  BuiltInPartitioner& PartitionerFor(const std::string& topic);
  std::vector<DequeRef> AllDeques() const;
  // REQUIRES: dq.mu held. Appends to the last batch if it has room.
  std::optional<AppendResult> TryAppend(Deque& dq, int32_t partition, const Record& record,
                                        const SendCallback& callback, int32_t* appended);
  void AbortBatches(const Status& status);
  // True when `node` could not take a request for longer than
  // partitioner.availability.timeout.ms (Sender thread).
  bool IsUnavailable(int32_t node, int64_t now_ms);
  int64_t NowMs() const { return clock_.NowNs() / 1'000'000; }

  const RecordAccumulatorConfig config_;
  BufferPool& pool_;
  Clock& clock_;
  std::atomic<bool> closed_{false};
  std::atomic<int32_t> flushes_in_progress_{0};
  std::atomic<uint64_t> next_batch_id_{0};
  std::atomic<int32_t> appends_in_progress_{0};  // Kafka's appendsInProgress

  mutable std::shared_mutex topics_mu_;
  std::map<std::string, TopicInfo> topics_;  // Guarded by topics_mu_
  std::atomic<TopicInfo*> last_topic_{nullptr};  // into topics_

  mutable std::mutex incomplete_mu_;
  // Guarded by incomplete_mu_ (Kafka's IncompleteBatches):
  std::unordered_set<std::shared_ptr<ProducerBatch>> incomplete_;

  // Only on the Sender thread:
  std::set<ProducerTopicPartition> muted_;
  std::map<int32_t, size_t> drain_index_;
  std::map<int32_t, NodeLatencyStats> node_stats_;
};

}  // namespace gregor
