// SPDX-License-Identifier: Apache-2.0
// ConsumerMetrics: the counters behind Consumer::Metrics(), named after
// Kafka's consumer-fetch-manager-metrics and consumer-coordinator-metrics.
// Written on the application thread (and the heartbeat thread for
// heartbeat-total), read by Metrics() from any thread: relaxed atomics.
#pragma once

#include <atomic>
#include <cstdint>

namespace gregor {

/// See the file comment.
struct ConsumerMetrics {
  std::atomic<int64_t> records_consumed_total{0};
  std::atomic<int64_t> bytes_consumed_total{0};
  std::atomic<int64_t> fetch_total{0};
  std::atomic<int64_t> fetch_latency_ns_total{0};
  std::atomic<int64_t> records_lag_max{0};
  std::atomic<int64_t> commit_total{0};
  std::atomic<int64_t> rebalance_total{0};
  std::atomic<int64_t> rebalance_latency_ns_total{0};
  std::atomic<int64_t> heartbeat_total{0};
  std::atomic<int64_t> failed_rebalance_total{0};
};

}  // namespace gregor
