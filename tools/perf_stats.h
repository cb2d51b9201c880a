// SPDX-License-Identifier: Apache-2.0
// PerfStats: the statistics of gregor-producer-perf-test (the Stats class
// inside Kafka's ProducerPerformance), kept apart from the tool so a test
// can feed known latencies and times and read back the exact lines.
//
//   PerfStats stats(num_records, start_ms, &std::cout);
//   stats.Record(latency_ms, bytes, now_ms);  // per acknowledged record
//   stats.PrintTotal(now_ms);                  // once, at the end
//
// Every record counts into a total and into the current window; when a
// Record() finds the window at least 5 s old, the window line is printed
// and a new window starts:
//
//   N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max latency.
//
// The final line adds percentiles of a latency sample:
//
//   N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max latency,
//   P50 ms 50th, P95 ms 95th, P99 ms 99th, P999 ms 99.9th.
//
// Number formats, units and the sampling follow Kafka so the lines can be
// read beside published Kafka figures: latencies are whole milliseconds;
// "MB" is 2^20 bytes; one latency in every `num_records /
// min(num_records, 500000)` records (integer division) is kept, so at most
// about 500,000 samples; the p-th percentile is the sample at index
// floor(p * samples) after sorting. Rates use elapsed milliseconds; an
// elapsed time of 0 counts as 1 ms (Kafka would print Infinity).
//
// Not thread-safe: one thread at a time (the tool calls it from the
// producer's callbacks, which run on the one Sender thread, under a mutex).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace gregor::tools {

/// Latency percentiles of the sample, in ms (see the file comment).
struct LatencyPercentiles {
  int32_t p50 = 0;   ///< 50th
  int32_t p95 = 0;   ///< 95th
  int32_t p99 = 0;   ///< 99th
  int32_t p999 = 0;  ///< 99.9th
};

/// Counts acknowledged records overall and per reporting window; see the
/// file comment for the lines it prints.
class PerfStats {
 public:
  /// Kafka's reporting interval: a window line at most every 5 s.
  static constexpr int64_t kReportingIntervalMs = 5000;
  /// Kafka keeps at most about this many latency samples.
  static constexpr int64_t kMaxSamples = 500000;

  /// REQUIRES: num_records > 0; `out` outlives this object (nullptr: print
  /// nothing). `start_ms` is the time of the first send.
  PerfStats(int64_t num_records, int64_t start_ms, std::ostream* out);

  /// One acknowledged record: its send-to-callback latency, its size and the
  /// callback time. Prints and resets the window when it is 5 s old.
  void Record(int32_t latency_ms, int32_t bytes, int64_t now_ms);

  /// The current window's line (without printing or resetting it).
  std::string WindowLine(int64_t now_ms) const;
  /// The final line over everything recorded since `start_ms`.
  std::string TotalLine(int64_t now_ms);
  /// Writes TotalLine() and a newline to `out`.
  void PrintTotal(int64_t now_ms);

  /// Sorts the sample and reads the percentiles (floor(p * n) indexing).
  LatencyPercentiles Percentiles();

  int64_t count() const { return count_; }                        ///< records recorded
  int64_t bytes() const { return bytes_; }                        ///< their bytes
  int64_t window_count() const { return window_count_; }          ///< in this window
  int64_t samples() const { return int64_t(latencies_.size()); }  ///< latencies kept

 private:
  void NewWindow(int64_t now_ms);

  const int64_t start_ms_;
  const int64_t sampling_;  // keep one latency in every sampling_
  std::ostream* const out_;
  std::vector<int32_t> latencies_;
  int64_t iteration_ = 0;
  int64_t count_ = 0;
  int64_t bytes_ = 0;
  int64_t total_latency_ = 0;
  int32_t max_latency_ = 0;
  int64_t window_start_ms_;
  int64_t window_count_ = 0;
  int64_t window_bytes_ = 0;
  int64_t window_total_latency_ = 0;
  int32_t window_max_latency_ = 0;
};

}  // namespace gregor::tools
