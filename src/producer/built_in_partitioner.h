// SPDX-License-Identifier: Apache-2.0
// BuiltInPartitioner: where records without a key (or with
// partitioner.ignore.keys) go — Kafka's built-in partitioner of KIP-794.
//
// One instance per topic. It sticks to one partition until about
// batch.size bytes were appended there (and the partition's batches are
// full, so the switch does not leave a half-empty batch lingering), or
// until twice batch.size bytes whatever the batches; then it picks
// another partition. Sticking fills batches, which is what makes un-keyed
// throughput high (KIP-480, the sticky partitioner, had the idea; KIP-794
// fixed its habit of sending more to slower brokers, whose partitions
// stayed "current" longer).
//
// The pick: uniformly at random among partitions with a leader, or — when
// partitioner.adaptive.partitioning.enable and the queues differ —
// weighted towards partitions with short queues: each partition's weight is
// (longest queue + 1 - its queue), so a partition behind a slow broker,
// whose batches pile up, is chosen less (UpdatePartitionLoadStats, fed by
// RecordAccumulator::Ready). With partitioner.availability.timeout.ms,
// Ready also leaves out partitions whose leader has had sendable batches
// but could not take a request for that long, so they are not chosen at
// all until it recovers.
//
// Thread-safe: caller threads pick and update; Ready updates the stats.
// The current partition and its byte count are atomics, so the common
// case (stay on the current partition) takes no lock, like Kafka's
// AtomicReference<StickyPartitionInfo>; mu_ is taken only to switch.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace gregor {

/// KIP-794's sticky, adaptive partition choice for one topic; see above.
class BuiltInPartitioner {
 public:
  /// `random(n)` returns a uniform value in [0, n); injectable for tests.
  BuiltInPartitioner(std::string topic, int32_t sticky_batch_size,
                     std::function<int32_t(int32_t)> random = nullptr);

  /// The partition to append to now, choosing one if there is none or it
  /// is out of range. `available` are the partitions with a leader (all
  /// of 0..num_partitions-1 if empty). REQUIRES: num_partitions > 0.
  int32_t PeekCurrentPartition(int32_t num_partitions, const std::vector<int32_t>& available);
  /// After `appended_bytes` went to `partition`: counts them and switches
  /// once batch.size is reached and `enable_switch` (the partition's
  /// batches are full), or at twice batch.size regardless. Ignored if
  /// `partition` is no longer the current one.
  void UpdatePartitionInfo(int32_t partition, int32_t appended_bytes, int32_t num_partitions,
                           const std::vector<int32_t>& available, bool enable_switch);
  /// Queue sizes (batches waiting) per partition id. Equal sizes over
  /// `all_partitions` clear the stats (uniform choice); when some
  /// partitions were left out as unavailable, only the listed ones are
  /// chosen. Empty: uniform.
  void UpdatePartitionLoadStats(const std::vector<int32_t>& queue_sizes,
                                const std::vector<int32_t>& partition_ids,
                                bool all_partitions = true);

 private:
  // REQUIRES: mu_ held.
  int32_t NextPartition(int32_t num_partitions, const std::vector<int32_t>& available);

  const std::string topic_;
  const int32_t sticky_batch_size_;
  std::function<int32_t(int32_t)> random_;

  std::mutex mu_;
  // Read without mu_, written under it (a switch):
  std::atomic<int32_t> current_{-1};
  // Added to without mu_ (under the current partition's deque lock, as
  // Kafka), reset under mu_ on a switch:
  std::atomic<int32_t> produced_bytes_{0};
  // Guarded by mu_:
  std::vector<int32_t> cumulative_weights_;  // empty: uniform
  std::vector<int32_t> weighted_ids_;
};

}  // namespace gregor
