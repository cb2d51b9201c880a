// SPDX-License-Identifier: Apache-2.0
#include "server/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace gregor {
namespace {

// Prometheus floats: integers without a fraction ("10"), others in the
// shortest %g form that reads back exactly ("0.25").
std::string FormatNumber(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(int64_t(v));
  char buf[32];
  for (int precision = 1; precision < 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) return buf;
  }
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string Labels(const std::string& name, const std::string& value, const std::string& extra) {
  std::string out;
  if (!name.empty()) out += name + "=\"" + value + "\"";
  if (!extra.empty()) out += (out.empty() ? "" : ",") + extra;
  return out.empty() ? "" : "{" + out + "}";
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(bounds_.size() + 1) {}

void Histogram::Observe(double value) {
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  // No fetch_add for atomic<double> before C++20 library support in every
  // compiler we use: a CAS loop.
  double sum = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(sum, sum + value, std::memory_order_relaxed)) {
  }
  count_.fetch_add(1, std::memory_order_relaxed);
}

MetricsRegistry::Family& MetricsRegistry::FamilyLocked(const std::string& name,
                                                       const std::string& help, bool histogram) {
  for (Family& f : families_) {
    if (f.name == name) return f;
  }
  families_.push_back(Family{name, help, histogram, {}, nullptr, false});
  return families_.back();
}

Counter* MetricsRegistry::GetCounter(const std::string& name, const std::string& help,
                                     const std::string& label_name,
                                     const std::string& label_value) {
  std::lock_guard lock(mu_);
  Family& f = FamilyLocked(name, help, false);
  for (Series& s : f.series) {
    if (s.label_name == label_name && s.label_value == label_value) return s.counter;
  }
  Counter* c = &counters_.emplace_back();
  f.series.push_back(Series{label_name, label_value, c, nullptr});
  return c;
}

Histogram* MetricsRegistry::GetHistogram(const std::string& name, const std::string& help,
                                         const std::string& label_name,
                                         const std::string& label_value,
                                         const std::vector<double>& bounds) {
  std::lock_guard lock(mu_);
  Family& f = FamilyLocked(name, help, true);
  for (Series& s : f.series) {
    if (s.label_name == label_name && s.label_value == label_value) return s.histogram;
  }
  Histogram* h = &histograms_.emplace_back(bounds);
  f.series.push_back(Series{label_name, label_value, nullptr, h});
  return h;
}

void MetricsRegistry::AddGauge(const std::string& name, const std::string& help,
                               std::function<double()> read, bool monotonic) {
  std::lock_guard lock(mu_);
  for (const Family& f : families_) {
    if (f.name == name) return;
  }
  families_.push_back(Family{name, help, false, {}, std::move(read), monotonic});
}

std::string MetricsRegistry::Render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const Family& f : families_) {
    out += "# HELP " + f.name + " " + f.help + "\n";
    if (f.gauge) {
      out += "# TYPE " + f.name + (f.monotonic ? " counter\n" : " gauge\n") + f.name + " " +
             FormatNumber(f.gauge()) + "\n";
      continue;
    }
    out += "# TYPE " + f.name + (f.is_histogram ? " histogram\n" : " counter\n");
    for (const Series& s : f.series) {
      if (!f.is_histogram) {
        out += f.name + Labels(s.label_name, s.label_value, "") + " " +
               std::to_string(s.counter->Value()) + "\n";
        continue;
      }
      const Histogram& h = *s.histogram;
      int64_t cumulative = 0;
      for (size_t i = 0; i <= h.bounds().size(); ++i) {
        cumulative += h.BucketCount(i);
        std::string le = i < h.bounds().size() ? FormatNumber(h.bounds()[i]) : "+Inf";
        out += f.name + "_bucket" + Labels(s.label_name, s.label_value, "le=\"" + le + "\"") +
               " " + std::to_string(cumulative) + "\n";
      }
      std::string labels = Labels(s.label_name, s.label_value, "");
      out += f.name + "_sum" + labels + " " + FormatNumber(h.Sum()) + "\n";
      out += f.name + "_count" + labels + " " + std::to_string(h.Count()) + "\n";
    }
  }
  return out;
}

BrokerMetrics::BrokerMetrics(MetricsRegistry& r)
    : registry(r),
      messages_in(r.GetCounter("kafka_server_brokertopicmetrics_messagesin_total",
                               "Records appended (MessagesInPerSec).")),
      bytes_in(r.GetCounter("kafka_server_brokertopicmetrics_bytesin_total",
                            "Record batch bytes appended by Produce (BytesInPerSec).")),
      bytes_out(r.GetCounter("kafka_server_brokertopicmetrics_bytesout_total",
                             "Record bytes sent by Fetch (BytesOutPerSec).")) {}

namespace {

Counter* RequestsSeries(MetricsRegistry& registry, const std::string& api) {
  return registry.GetCounter("kafka_network_requestmetrics_requests_total",
                             "Requests handled, by API (RequestsPerSec).", "request", api);
}

Histogram* TotalTimeSeries(MetricsRegistry& registry, const std::string& api) {
  return registry.GetHistogram("kafka_network_requestmetrics_totaltimems",
                               "Request time from receive to respond, ms (TotalTimeMs).",
                               "request", api);
}

}  // namespace

void BrokerMetrics::RecordRequest(const std::string& api, double total_time_ms) {
  RequestsSeries(registry, api)->Add();
  TotalTimeSeries(registry, api)->Observe(total_time_ms);
}

RequestMetrics::RequestMetrics(MetricsRegistry& registry, std::string api)
    : registry_(registry), api_(std::move(api)) {}

void RequestMetrics::Record(double total_time_ms) {
  // Acquire pairs with Resolve's release: a non-null pointer comes with a
  // fully constructed series.
  Counter* requests = requests_.load(std::memory_order_acquire);
  Histogram* total_time = total_time_.load(std::memory_order_acquire);
  if (requests == nullptr || total_time == nullptr) Resolve(&requests, &total_time);
  requests->Add();
  total_time->Observe(total_time_ms);
}

void RequestMetrics::Resolve(Counter** requests, Histogram** total_time) {
  // Registered here rather than at construction so that Render's output
  // is what a lookup per request gave: only used APIs, in first-use order.
  // Threads racing here get the same series from the registry.
  *requests = RequestsSeries(registry_, api_);
  *total_time = TotalTimeSeries(registry_, api_);
  requests_.store(*requests, std::memory_order_release);
  total_time_.store(*total_time, std::memory_order_release);
}

}  // namespace gregor
