// SPDX-License-Identifier: Apache-2.0
// gregor-consumer-perf-test: how fast one consumer reads (Kafka's
// kafka-consumer-perf-test.sh, ConsumerPerformance), with the same options
// and output so the figures can sit beside Kafka's.
//
//   gregor-consumer-perf-test --bootstrap-server H:P --topic T --messages N
//       [--group G] [--from-latest] [--fetch-size B] [--timeout MS]
//       [--consumer.config FILE] [--consumer-property k=v ...]
//       [--show-detailed-stats] [--reporting-interval MS] [--hide-header]
//       [--print-metrics]
//
// As Kafka's: the consumer subscribes to T in group G (default
// perf-consumer-<random>), auto.offset.reset=earliest (latest with
// --from-latest), max.partition.fetch.bytes=--fetch-size, check.crcs=false
// (Gregor checks anyway), and polls until N records came back or --timeout
// ms passed without any. Bytes are the keys' and values' sizes. The
// rebalance time runs from the start to the first OnPartitionsAssigned;
// the fetch time is the rest. It reads the byte-level Consumer: records
// are views into the fetched buffers, nothing is copied per record (Kafka's
// tool deserializes into byte arrays).
//
// Output (MB = 2^20 bytes, rates per second of the whole run or of the
// fetch time), after the header unless --hide-header:
//   start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg,
//   nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
//
// Exit status: 0 when N records came back; 1 when the consumer failed or
// the timeout passed first (Kafka prints a warning and exits 0); 2 on bad
// usage.
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "gregor/consumer.h"
#include "tool_properties.h"

namespace po = boost::program_options;

namespace {

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Kafka's default --date-format, yyyy-MM-dd HH:mm:ss:SSS, in local time.
std::string FormatDate(int64_t ms) {
  std::time_t secs = std::time_t(ms / 1000);
  std::tm tm{};
  localtime_r(&secs, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ":%03d", int(ms % 1000));
  return buf;
}

// Measures the join: from the start (or a revocation) to the assignment.
struct JoinTimer : gregor::ConsumerRebalanceListener {
  int64_t join_start_ms = 0;
  int64_t join_time_ms = 0;
  void OnPartitionsRevoked(const std::vector<gregor::TopicPartition>&) override {
    join_start_ms = WallMs();
  }
  void OnPartitionsAssigned(const std::vector<gregor::TopicPartition>&) override {
    join_time_ms += WallMs() - join_start_ms;
  }
};

void PrintHeader(bool detailed) {
  if (detailed) {
    std::printf(
        "time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, "
        "rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec\n");
  } else {
    std::printf(
        "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, "
        "nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec\n");
  }
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description desc("gregor-consumer-perf-test options");
  desc.add_options()("help", "print this help")("bootstrap-server", po::value<std::string>(),
                                                "the broker(s) to connect to, H:P[,H:P]")(
      "topic", po::value<std::string>(), "the topic to consume from")(
      "messages", po::value<int64_t>(), "the number of messages to consume")(
      "group", po::value<std::string>(), "the consumer group id (default perf-consumer-<n>)")(
      "fetch-size", po::value<int32_t>()->default_value(1048576),
      "the amount of data to fetch in a single request (max.partition.fetch.bytes)")(
      "from-latest",
      "start from the log end instead of the beginning when no offset is "
      "committed")("timeout", po::value<int64_t>()->default_value(10000),
                   "the maximum ms between records returned")(
      "consumer.config", po::value<std::string>(), "consumer properties file")(
      "consumer-property", po::value<std::vector<std::string>>()->multitoken(),
      "consumer properties PROP=VALUE ... (override --consumer.config)")(
      "show-detailed-stats", "print a line every --reporting-interval")(
      "reporting-interval", po::value<int64_t>()->default_value(5000), "ms between detailed lines")(
      "hide-header", "do not print the header line")("print-metrics",
                                                     "print the consumer's metrics at the end");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "gregor-consumer-perf-test: " << e.what() << "\n" << desc;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc;
    return 0;
  }
  for (const char* required : {"bootstrap-server", "topic", "messages"}) {
    if (!vm.count(required)) {
      std::cerr << "gregor-consumer-perf-test: Missing required argument \"[" << required << "]\"\n"
                << desc;
      return 2;
    }
  }
  const std::string topic = vm["topic"].as<std::string>();
  const int64_t messages = vm["messages"].as<int64_t>();
  const int64_t timeout_ms = vm["timeout"].as<int64_t>();
  const int64_t interval_ms = vm["reporting-interval"].as<int64_t>();
  const bool detailed = vm.count("show-detailed-stats") > 0;

  gregor::tools::Properties props;
  gregor::Status s =
      gregor::tools::LoadClientProperties(vm, "consumer.config", "consumer-property", &props);
  if (!s.ok()) {
    std::cerr << "gregor-consumer-perf-test: " << s.ToString() << "\n";
    return 2;
  }
  std::string group = vm.count("group") ? vm["group"].as<std::string>() : "";
  if (group.empty()) {
    group = "perf-consumer-" + std::to_string(std::random_device{}() % 100000);
  }
  props["bootstrap.servers"] = vm["bootstrap-server"].as<std::string>();
  props["group.id"] = group;
  props["max.partition.fetch.bytes"] = std::to_string(vm["fetch-size"].as<int32_t>());
  props["auto.offset.reset"] = vm.count("from-latest") ? "latest" : "earliest";
  props["check.crcs"] = "false";
  props.try_emplace("client.id", "perf-consumer-client");
  auto config = gregor::ConsumerConfig::FromProperties(props);
  if (!config.ok()) {
    std::cerr << "gregor-consumer-perf-test: " << config.status().ToString() << "\n";
    return 1;
  }
  auto created = gregor::Consumer::Create(std::move(*config));
  if (!created.ok()) {
    std::cerr << "gregor-consumer-perf-test: " << created.status().ToString() << "\n";
    return 1;
  }
  gregor::Consumer& consumer = **created;

  if (!vm.count("hide-header")) PrintHeader(detailed);
  auto timer = std::make_shared<JoinTimer>();
  const int64_t start_ms = WallMs();
  timer->join_start_ms = start_ms;
  s = consumer.Subscribe({topic}, timer);
  if (!s.ok()) {
    std::cerr << "gregor-consumer-perf-test: " << s.ToString() << "\n";
    return 1;
  }
  int64_t records = 0, bytes = 0;
  int64_t last_consumed_ms = WallMs();
  int64_t last_report_ms = start_ms, last_report_records = 0, last_report_bytes = 0;
  int64_t last_report_join_ms = 0;
  int status = 0;
  while (records < messages) {
    auto polled = consumer.Poll(std::chrono::milliseconds(100));
    int64_t now = WallMs();
    if (!polled.ok()) {
      std::cerr << "gregor-consumer-perf-test: " << polled.status().ToString() << "\n";
      status = 1;
      break;
    }
    if (polled->empty()) {
      if (now - last_consumed_ms > timeout_ms) {
        std::fprintf(stderr,
                     "WARNING: Exiting before consuming the expected number of messages: timeout "
                     "(%lld ms) exceeded. You can use the --timeout option to increase the "
                     "timeout.\n",
                     static_cast<long long>(timeout_ms));
        status = 1;
        break;
      }
      continue;
    }
    last_consumed_ms = now;
    for (const auto& r : *polled) {
      bytes += (r.key ? int64_t(r.key->size()) : 0) + (r.value ? int64_t(r.value->size()) : 0);
    }
    records += int64_t(polled->count());
    if (detailed && now - last_report_ms >= interval_ms) {
      double secs = double(now - last_report_ms) / 1000.0;
      double mb = double(bytes) / (1 << 20), last_mb = double(last_report_bytes) / (1 << 20);
      int64_t join = timer->join_time_ms - last_report_join_ms;
      double fetch_secs = double(now - last_report_ms - join) / 1000.0;
      std::printf("%s, %d, %.4f, %.4f, %lld, %.4f, %lld, %lld, %.4f, %.4f\n",
                  FormatDate(now).c_str(), 0, mb, (mb - last_mb) / secs,
                  static_cast<long long>(records), double(records - last_report_records) / secs,
                  static_cast<long long>(join), static_cast<long long>(now - last_report_ms - join),
                  fetch_secs > 0 ? (mb - last_mb) / fetch_secs : 0.0,
                  fetch_secs > 0 ? double(records - last_report_records) / fetch_secs : 0.0);
      last_report_ms = now;
      last_report_records = records;
      last_report_bytes = bytes;
      last_report_join_ms = timer->join_time_ms;
    }
  }
  const int64_t end_ms = WallMs();
  if (!detailed) {
    double secs = double(end_ms - start_ms) / 1000.0;
    double mb = double(bytes) / (1 << 20);
    int64_t fetch_ms = end_ms - start_ms - timer->join_time_ms;
    std::printf("%s, %s, %.4f, %.4f, %lld, %.4f, %lld, %lld, %.4f, %.4f\n",
                FormatDate(start_ms).c_str(), FormatDate(end_ms).c_str(), mb, mb / secs,
                static_cast<long long>(records), double(records) / secs,
                static_cast<long long>(timer->join_time_ms), static_cast<long long>(fetch_ms),
                fetch_ms > 0 ? mb / (double(fetch_ms) / 1000.0) : 0.0,
                fetch_ms > 0 ? double(records) / (double(fetch_ms) / 1000.0) : 0.0);
  }
  std::fflush(stdout);
  if (vm.count("print-metrics")) {
    std::printf("\n%-60s   %s\n", "Metric Name", "Value");
    for (const auto& [name, value] : consumer.Metrics()) {
      std::string full =
          "consumer-fetch-manager-metrics:" + name + ":{client-id=" + props["client.id"] + "}";
      std::printf("%-60s : %.3f\n", full.c_str(), value);
    }
  }
  consumer.Close();
  return status;
}
