// SPDX-License-Identifier: Apache-2.0
// ProducerMetrics: the counters behind Producer::Metrics(), named as
// Kafka's producer-metrics group (record-send-total, batch-size-avg,
// request-latency-avg ...). Plain atomics: caller threads and the Sender
// add, Metrics() reads; the averages are computed when read.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>

namespace gregor {

/// The producer's counters; see the file comment. Thread-safe.
struct ProducerMetrics {
  std::atomic<int64_t> record_send_total{0};    ///< records acknowledged
  std::atomic<int64_t> record_error_total{0};   ///< records failed
  std::atomic<int64_t> record_retry_total{0};   ///< records re-sent
  std::atomic<int64_t> record_size_max{0};      ///< largest record (upper bound)
  std::atomic<int64_t> batch_total{0};          ///< batches sent
  std::atomic<int64_t> batch_bytes_total{0};    ///< their bytes, as sent
  std::atomic<int64_t> batch_split_total{0};    ///< batches split
  std::atomic<int64_t> request_total{0};        ///< Produce requests sent
  std::atomic<int64_t> request_records_total{0};  ///< records in them
  std::atomic<int64_t> response_total{0};       ///< Produce responses
  std::atomic<int64_t> request_latency_ns_total{0};  ///< send to response
  std::atomic<int64_t> request_latency_ns_max{0};    ///< slowest
  std::atomic<int64_t> metadata_request_total{0};    ///< Metadata requests

  /// Raises `max` to `v` if larger.
  static void Max(std::atomic<int64_t>& max, int64_t v) {
    int64_t cur = max.load();
    while (v > cur && !max.compare_exchange_weak(cur, v)) {
    }
  }
};

}  // namespace gregor
