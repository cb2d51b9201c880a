// SPDX-License-Identifier: Apache-2.0
// Metrics: the broker's counters and latency histograms, named after
// Kafka's JMX beans and rendered as Prometheus text exposition format
// 0.0.4 (what GET /metrics on gregor.metrics.listener returns).
//
// Kafka JMX bean                                      -> Prometheus name
//   kafka.server:type=BrokerTopicMetrics,
//     name=MessagesInPerSec                           -> kafka_server_brokertopicmetrics_messagesin_total
//     name=BytesInPerSec                              -> kafka_server_brokertopicmetrics_bytesin_total
//     name=BytesOutPerSec                             -> kafka_server_brokertopicmetrics_bytesout_total
//   kafka.network:type=RequestMetrics,request=X,
//     name=RequestsPerSec                             -> kafka_network_requestmetrics_requests_total{request="X"}
//     name=TotalTimeMs                                -> kafka_network_requestmetrics_totaltimems_{bucket,sum,count}{request="X"}
// The rule: lower-case `domain_type_name`, drop "PerSec" (Prometheus
// derives rates from a monotonic `_total` with rate()). Kafka's meters
// are rates over 1/5/15 minutes; a counter is what a scraper wants.
//
// A Counter is one atomic; a Histogram has fixed bucket bounds (in ms)
// and one atomic per bucket, cumulative only when rendered. Instruments
// are created at registration and live as long as the registry; Add and
// Observe are lock-free and may be called from any thread. Render takes
// the registry's mutex only to walk the instrument list. Finding a series
// by name takes that mutex too, so the request path keeps a handle per
// API instead (RequestMetrics): after an API's first request, recording
// touches only atomics.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace gregor {

/// A monotonic counter (Prometheus `counter`): a single atomic, Add from
/// any thread, never reset. Owned by a MetricsRegistry.
class Counter {
 public:
  /// REQUIRES: n >= 0 (counters only go up).
  void Add(int64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  int64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

/// A latency histogram with fixed upper bounds (Prometheus `histogram`):
/// one atomic count per bucket plus +Inf, a sum and a count. Observe from
/// any thread; bounds never change after construction.
class Histogram {
 public:
  /// REQUIRES: `bounds` strictly increasing.
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value);
  int64_t Count() const { return count_.load(std::memory_order_relaxed); }
  double Sum() const { return sum_.load(std::memory_order_relaxed); }
  const std::vector<double>& bounds() const { return bounds_; }
  /// Observations <= bounds()[i] (not cumulative); i == bounds().size() is +Inf.
  int64_t BucketCount(size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }

 private:
  const std::vector<double> bounds_;
  std::vector<std::atomic<int64_t>> buckets_;  // bounds_.size() + 1
  std::atomic<int64_t> count_{0};
  std::atomic<double> sum_{0};
};

/// Request latency buckets in ms, as Kafka's percentiles would spread them.
inline const std::vector<double> kLatencyBucketsMs = {1, 5, 10, 25, 50, 100, 250, 500, 1000, 5000};

/// The set of a broker's instruments, rendered together. A metric family
/// (one name, one HELP/TYPE) may hold several series that differ by one
/// label. Registration and Render are thread-safe; instrument pointers
/// stay valid for the registry's lifetime.
class MetricsRegistry {
 public:
  /// Returns the series `name{label_name="label_value"}` (no label when
  /// label_name is empty), creating it on first use. REQUIRES: the same
  /// name is always registered as the same kind with the same help.
  Counter* GetCounter(const std::string& name, const std::string& help,
                      const std::string& label_name = "", const std::string& label_value = "");
  /// As GetCounter; `bounds` is used when the series is created.
  Histogram* GetHistogram(const std::string& name, const std::string& help,
                          const std::string& label_name, const std::string& label_value,
                          const std::vector<double>& bounds = kLatencyBucketsMs);

  /// Registers a gauge (Prometheus `gauge`, no labels) whose value `read`
  /// returns at each Render; `read` runs under the registry's mutex and
  /// must not call back into it. With `monotonic` the family is typed
  /// `counter` (a total kept elsewhere, e.g. by the log cleaner). A second
  /// registration of `name` is ignored.
  void AddGauge(const std::string& name, const std::string& help, std::function<double()> read,
                bool monotonic = false);

  /// Prometheus text format 0.0.4: families in registration order, each
  /// `# HELP`, `# TYPE`, then its series in registration order.
  std::string Render() const;

 private:
  struct Series {
    std::string label_name, label_value;
    Counter* counter = nullptr;
    Histogram* histogram = nullptr;
  };
  struct Family {
    std::string name, help;
    bool is_histogram = false;
    std::vector<Series> series;
    std::function<double()> gauge;  // set: a callback family, no series
    bool monotonic = false;         // a callback family typed `counter`
  };
  Family& FamilyLocked(const std::string& name, const std::string& help, bool histogram);

  mutable std::mutex mu_;
  // Guarded by mu_ (the deques only grow: pointers into them stay valid):
  std::vector<Family> families_;
  std::deque<Counter> counters_;
  std::deque<Histogram> histograms_;
};

/// The RequestsPerSec and TotalTimeMs series of one API (Kafka's
/// RequestMetrics for `request=X`), as a handle made once per API so the
/// request path needs no registry lookup. The series are registered on
/// the API's first Record, not at construction, so /metrics lists only
/// APIs that have been used, in the order of first use (as a lookup per
/// request did). Record from any thread: after the first, it only loads
/// two atomic pointers and updates the instruments' atomics.
class RequestMetrics {
 public:
  /// `registry` must outlive the handle. `api` is Kafka's name ("Produce").
  RequestMetrics(MetricsRegistry& registry, std::string api);
  /// Counts one request of this API that took `total_time_ms`.
  void Record(double total_time_ms);

 private:
  // The first Record (or a racing few): registers the series, which the
  // registry makes idempotent, and publishes the pointers.
  void Resolve(Counter** requests, Histogram** total_time);

  MetricsRegistry& registry_;
  const std::string api_;
  // Null until the first Record; then set once to registry-owned series.
  std::atomic<Counter*> requests_{nullptr};
  std::atomic<Histogram*> total_time_{nullptr};
};

/// The broker's named instruments (see the file comment), registered once
/// in a MetricsRegistry; KafkaApis updates them from handler threads.
struct BrokerMetrics {
  explicit BrokerMetrics(MetricsRegistry& registry);
  /// RequestsPerSec and TotalTimeMs series of one API (e.g. "Produce"),
  /// found by name under the registry's mutex. The request path uses a
  /// RequestMetrics handle instead; this is for tests and rare callers.
  void RecordRequest(const std::string& api, double total_time_ms);

  MetricsRegistry& registry;
  Counter* messages_in;
  Counter* bytes_in;
  Counter* bytes_out;
};

}  // namespace gregor
