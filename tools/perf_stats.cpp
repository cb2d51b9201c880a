// SPDX-License-Identifier: Apache-2.0
// PerfStats: see perf_stats.h. The formats are Kafka's printf patterns
// spelled for fmt, so a reader can compare our lines with Kafka's digit
// for digit (the final rate has six decimals, the window's one).
#include "perf_stats.h"

#include <algorithm>

#include <fmt/format.h>

namespace gregor::tools {

namespace {

constexpr double kBytesPerMb = 1024.0 * 1024.0;

// Elapsed time as a divisor: never zero, so a run shorter than 1 ms still
// prints numbers.
double ElapsedMs(int64_t from_ms, int64_t to_ms) {
  return double(std::max<int64_t>(to_ms - from_ms, 1));
}

double Average(int64_t total, int64_t count) { return count ? double(total) / double(count) : 0.0; }

}  // namespace

PerfStats::PerfStats(int64_t num_records, int64_t start_ms, std::ostream* out)
    : start_ms_(start_ms),
      sampling_(num_records / std::min(num_records, kMaxSamples)),
      out_(out),
      window_start_ms_(start_ms) {
  latencies_.reserve(size_t(num_records / sampling_ + 1));
}

void PerfStats::Record(int32_t latency_ms, int32_t bytes, int64_t now_ms) {
  ++count_;
  bytes_ += bytes;
  total_latency_ += latency_ms;
  max_latency_ = std::max(max_latency_, latency_ms);
  ++window_count_;
  window_bytes_ += bytes;
  window_total_latency_ += latency_ms;
  window_max_latency_ = std::max(window_max_latency_, latency_ms);
  if (iteration_ % sampling_ == 0) latencies_.push_back(latency_ms);
  ++iteration_;
  if (now_ms - window_start_ms_ >= kReportingIntervalMs) {
    if (out_) *out_ << WindowLine(now_ms) << '\n' << std::flush;
    NewWindow(now_ms);
  }
}

std::string PerfStats::WindowLine(int64_t now_ms) const {
  double elapsed = ElapsedMs(window_start_ms_, now_ms);
  return fmt::format(
      "{} records sent, {:.1f} records/sec ({:.2f} MB/sec), {:.1f} ms avg latency, "
      "{:.1f} ms max latency.",
      window_count_, 1000.0 * double(window_count_) / elapsed,
      1000.0 * double(window_bytes_) / elapsed / kBytesPerMb,
      Average(window_total_latency_, window_count_), double(window_max_latency_));
}

std::string PerfStats::TotalLine(int64_t now_ms) {
  double elapsed = ElapsedMs(start_ms_, now_ms);
  LatencyPercentiles p = Percentiles();
  return fmt::format(
      "{} records sent, {:.6f} records/sec ({:.2f} MB/sec), {:.2f} ms avg latency, "
      "{:.2f} ms max latency, {} ms 50th, {} ms 95th, {} ms 99th, {} ms 99.9th.",
      count_, 1000.0 * double(count_) / elapsed, 1000.0 * double(bytes_) / elapsed / kBytesPerMb,
      Average(total_latency_, count_), double(max_latency_), p.p50, p.p95, p.p99, p.p999);
}

void PerfStats::PrintTotal(int64_t now_ms) {
  if (out_) *out_ << TotalLine(now_ms) << '\n' << std::flush;
}

LatencyPercentiles PerfStats::Percentiles() {
  LatencyPercentiles p;
  if (latencies_.empty()) return p;
  std::sort(latencies_.begin(), latencies_.end());
  auto at = [&](double q) { return latencies_[size_t(q * double(latencies_.size()))]; };
  p.p50 = at(0.5);
  p.p95 = at(0.95);
  p.p99 = at(0.99);
  p.p999 = at(0.999);
  return p;
}

void PerfStats::NewWindow(int64_t now_ms) {
  window_start_ms_ = now_ms;
  window_count_ = 0;
  window_bytes_ = 0;
  window_total_latency_ = 0;
  window_max_latency_ = 0;
}

}  // namespace gregor::tools
