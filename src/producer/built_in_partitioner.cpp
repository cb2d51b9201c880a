// SPDX-License-Identifier: Apache-2.0
#include "producer/built_in_partitioner.h"

#include <algorithm>
#include <random>

namespace gregor {

BuiltInPartitioner::BuiltInPartitioner(std::string topic, int32_t sticky_batch_size,
                                       std::function<int32_t(int32_t)> random)
    : topic_(std::move(topic)), sticky_batch_size_(sticky_batch_size), random_(std::move(random)) {
  if (!random_) {
    random_ = [](int32_t n) {
      thread_local std::minstd_rand rng{std::random_device{}()};
      return int32_t(std::uniform_int_distribution<int32_t>(0, n - 1)(rng));
    };
  }
}

int32_t BuiltInPartitioner::PeekCurrentPartition(int32_t num_partitions,
                                                 const std::vector<int32_t>& available) {
  int32_t current = current_.load(std::memory_order_acquire);
  if (current >= 0 && current < num_partitions) return current;  // no lock
  std::lock_guard lock(mu_);
  current = current_.load(std::memory_order_relaxed);
  if (current < 0 || current >= num_partitions) {
    current = NextPartition(num_partitions, available);
    produced_bytes_ = 0;
    current_.store(current, std::memory_order_release);
  }
  return current;
}

// [built-in-partitioner-update]
void BuiltInPartitioner::UpdatePartitionInfo(
    int32_t partition, int32_t appended_bytes, int32_t num_partitions,
    const std::vector<int32_t>& available, bool enable_switch) {
  // Lock-free unless it is time to switch (Kafka uses atomics here too).
  if (partition != current_.load(std::memory_order_acquire)) return;
  int32_t produced = produced_bytes_.fetch_add(appended_bytes) +
                     appended_bytes;
  if (!(produced >= sticky_batch_size_ && enable_switch) &&
      produced < 2 * sticky_batch_size_) {
    return;
  }
  std::lock_guard lock(mu_);
  if (partition != current_.load()) return;  // another thread switched
  current_.store(NextPartition(num_partitions, available));
  produced_bytes_ = 0;
}
// [built-in-partitioner-update]

void BuiltInPartitioner::UpdatePartitionLoadStats(const std::vector<int32_t>& queue_sizes,
                                                  const std::vector<int32_t>& partition_ids,
                                                  bool all_partitions) {
  std::lock_guard lock(mu_);
  cumulative_weights_.clear();
  weighted_ids_.clear();
  if (queue_sizes.empty()) return;
  auto [lo, hi] = std::minmax_element(queue_sizes.begin(), queue_sizes.end());
  if (*lo == *hi && all_partitions) return;  // all alike: uniform
  // Weight = longest + 1 - own: the shortest queue is the likeliest.
  int32_t running = 0;
  for (size_t i = 0; i < queue_sizes.size(); ++i) {
    running += *hi + 1 - queue_sizes[i];
    cumulative_weights_.push_back(running);
    weighted_ids_.push_back(partition_ids[i]);
  }
}

int32_t BuiltInPartitioner::NextPartition(int32_t num_partitions,
                                          const std::vector<int32_t>& available) {
  if (!cumulative_weights_.empty()) {
    int32_t r = random_(cumulative_weights_.back());
    size_t i = size_t(std::upper_bound(cumulative_weights_.begin(), cumulative_weights_.end(), r) -
                      cumulative_weights_.begin());
    if (weighted_ids_[i] < num_partitions) return weighted_ids_[i];
  }
  if (!available.empty()) {
    // Avoid the current one when there is a choice.
    if (available.size() == 1) return available[0];
    int32_t pick = available[size_t(random_(int32_t(available.size())))];
    if (pick == current_) {
      pick = available[(size_t(std::find(available.begin(), available.end(), pick) -
                               available.begin()) + 1) % available.size()];
    }
    return pick;
  }
  if (num_partitions == 1) return 0;
  int32_t pick = random_(num_partitions);
  if (pick == current_) pick = (pick + 1) % num_partitions;
  return pick;
}

}  // namespace gregor
