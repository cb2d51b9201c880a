// SPDX-License-Identifier: Apache-2.0
// gregor-producer-perf-test: how fast one producer sends (Kafka's
// kafka-producer-perf-test.sh, ProducerPerformance), with the same options
// and output lines so the figures can sit beside Kafka's.
//
//   gregor-producer-perf-test --topic T --num-records N --record-size S
//       --throughput R --producer-props bootstrap.servers=H:P acks=1 ...
//       [--producer.config FILE] [--print-metrics]
//
// One thread sends N records of S bytes with a null key and no partition
// (the partitioner chooses), as fast as the producer takes them or at about
// R records/s (ThroughputThrottler; R = -1: unthrottled). Every record has
// the same value: S letters A-Z from a fixed linear congruential sequence
// (bench/baselines/rdkafka_producer.c sends the same bytes), so compression
// sees text rather than zeros. Latency runs from Send() to the record's
// callback, in whole ms on the steady clock. PerfStats prints a window line
// every 5 s and the final line after Close() (with --print-metrics: after
// Flush(), followed by the producer's metrics, then Close()).
//
// Exit status: 0 when every record was acknowledged; 1 when any failed
// (each failure's error goes to stderr, the first few in full) or the
// producer could not start; 2 on bad usage.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "gregor/producer.h"
#include "perf_stats.h"
#include "throughput_throttler.h"
#include "tool_properties.h"

namespace po = boost::program_options;
using gregor::tools::PerfStats;

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// S letters A-Z; the C baseline computes the same sequence.
std::string MakePayload(int32_t size) {
  std::string payload(size_t(size), 'A');
  uint32_t x = 0x9e3779b9u;
  for (char& c : payload) {
    x = x * 1664525u + 1013904223u;
    c = char('A' + (x >> 24) % 26);
  }
  return payload;
}

// What every record's callback shares. The callback itself captures only
// a pointer and the send time (16 bytes), so std::function keeps it inline
// and a Send() costs the tool no allocation for its callback.
struct Shared {
  std::mutex mu;
  PerfStats* stats = nullptr;  // Guarded by mu.
  int32_t record_size = 0;
  int64_t failed = 0;  // Guarded by mu.
};

constexpr int64_t kErrorsPrinted = 10;

// Kafka's ToolsUtils.printMetrics layout: "group:name:{tags}", sorted,
// padded to the longest, values with three decimals.
void PrintMetrics(const std::map<std::string, double>& metrics, const std::string& client_id) {
  std::map<std::string, double> named;
  size_t width = 0;
  for (const auto& [name, value] : metrics) {
    auto it = named.emplace("producer-metrics:" + name + ":{client-id=" + client_id + "}", value);
    width = std::max(width, it.first->first.size());
  }
  std::printf("\n%-*s   %s\n", int(width), "Metric Name", "Value");
  for (const auto& [name, value] : named) {
    std::printf("%-*s : %.3f\n", int(width), name.c_str(), value);
  }
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description desc("gregor-producer-perf-test options");
  desc.add_options()("help", "print this help")(
      "topic", po::value<std::string>(), "produce messages to this topic")(
      "num-records", po::value<int64_t>(), "number of messages to produce")(
      "record-size", po::value<int32_t>(), "message size in bytes")(
      "throughput", po::value<double>(),
      "throttle to about this many messages/s; -1 disables throttling")(
      "producer-props", po::value<std::vector<std::string>>()->multitoken(),
      "producer properties PROP-NAME=PROP-VALUE ... (bootstrap.servers, acks, linger.ms, ...);"
      " they override --producer.config")(
      "producer.config", po::value<std::string>(), "producer properties file")(
      "print-metrics", "print the producer's metrics at the end of the test");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "gregor-producer-perf-test: " << e.what() << "\n" << desc;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc;
    return 0;
  }
  for (const char* required : {"topic", "num-records", "record-size", "throughput"}) {
    if (!vm.count(required)) {
      std::cerr << "gregor-producer-perf-test: --" << required << " is required\n" << desc;
      return 2;
    }
  }
  const std::string topic = vm["topic"].as<std::string>();
  const int64_t num_records = vm["num-records"].as<int64_t>();
  const int32_t record_size = vm["record-size"].as<int32_t>();
  const double throughput = vm["throughput"].as<double>();
  if (num_records <= 0 || record_size <= 0 || throughput == 0) {
    std::cerr << "gregor-producer-perf-test: --num-records and --record-size must be > 0,"
                 " --throughput non-zero\n";
    return 2;
  }
  if (!vm.count("producer-props") && !vm.count("producer.config")) {
    std::cerr << "gregor-producer-perf-test: Either --producer-props or --producer.config must"
                 " be specified.\n";
    return 2;
  }

  gregor::tools::Properties props;
  gregor::Status s;
  if (vm.count("producer.config")) {
    s = gregor::tools::LoadPropertiesFile(vm["producer.config"].as<std::string>(), &props);
  }
  if (s.ok() && vm.count("producer-props")) {
    s = gregor::tools::AddProperties(vm["producer-props"].as<std::vector<std::string>>(), &props);
  }
  if (!s.ok()) {
    std::cerr << "gregor-producer-perf-test: " << s.ToString() << "\n";
    return 2;
  }
  props.try_emplace("client.id", "perf-producer-client");
  auto config = gregor::ProducerConfig::FromProperties(props);
  if (!config.ok()) {
    std::cerr << "gregor-producer-perf-test: " << config.status().ToString() << "\n";
    return 1;
  }
  auto created = gregor::Producer::Create(std::move(*config));
  if (!created.ok()) {
    std::cerr << "gregor-producer-perf-test: " << created.status().ToString() << "\n";
    return 1;
  }
  gregor::Producer& producer = **created;

  const std::string payload = MakePayload(record_size);
  const int64_t start_ms = NowMs();
  PerfStats stats(num_records, start_ms, &std::cout);
  Shared shared;
  shared.stats = &stats;
  shared.record_size = record_size;
  gregor::tools::ThroughputThrottler throttler(throughput, start_ms);

  for (int64_t i = 0; i < num_records; ++i) {
    gregor::SerializedRecord record;
    record.topic = topic;
    record.value = payload;
    const int64_t send_start_ms = NowMs();
    Shared* sh = &shared;
    producer.Send(std::move(record), [sh, send_start_ms](const gregor::RecordMetadata&,
                                                         const gregor::Status& status) {
      const int64_t now = NowMs();
      std::lock_guard lock(sh->mu);
      if (status.ok()) {
        sh->stats->Record(int32_t(now - send_start_ms), sh->record_size, now);
      } else if (++sh->failed <= kErrorsPrinted) {
        std::cerr << "Error when sending message: " << status.ToString() << "\n";
      }
    });
    if (throttler.ShouldThrottle(i, send_start_ms)) throttler.Throttle();
  }

  if (vm.count("print-metrics")) {
    producer.Flush();
    {
      std::lock_guard lock(shared.mu);
      stats.PrintTotal(NowMs());
    }
    PrintMetrics(producer.Metrics(), props["client.id"]);
    producer.Close();
  } else {
    producer.Close();
    std::lock_guard lock(shared.mu);
    stats.PrintTotal(NowMs());
  }
  std::lock_guard lock(shared.mu);
  if (shared.failed > 0) {
    std::cerr << shared.failed << " of " << num_records << " records failed\n";
    return 1;
  }
  return 0;
}
