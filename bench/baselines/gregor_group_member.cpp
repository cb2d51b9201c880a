// SPDX-License-Identifier: Apache-2.0
// gregor_group_member: one Gregor consumer in a group, for
// bench/run_rebalance.py. It subscribes, polls until SIGTERM or SIGINT,
// then closes (leaving the group), and prints each rebalance callback as
//   started <epoch ms>
//   assigned <epoch ms> <topic-partition,...>
//   revoked <epoch ms> <topic-partition,...>
// flushed at once, so the driver sees when every member has its share.
//
//   gregor_group_member BOOTSTRAP TOPIC GROUP [PROP=VALUE ...]
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gregor/consumer.h"

namespace {

std::atomic<bool> stop{false};

long long EpochMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void Print(const char* what, const std::vector<gregor::TopicPartition>& partitions) {
  std::string list;
  for (const auto& tp : partitions) {
    if (!list.empty()) list += ',';
    list += tp.topic + "-" + std::to_string(tp.partition.value());
  }
  std::printf("%s %lld %s\n", what, EpochMs(), list.c_str());
  std::fflush(stdout);
}

struct Listener : gregor::ConsumerRebalanceListener {
  void OnPartitionsRevoked(const std::vector<gregor::TopicPartition>& p) override {
    Print("revoked", p);
  }
  void OnPartitionsAssigned(const std::vector<gregor::TopicPartition>& p) override {
    Print("assigned", p);
  }
};

}  // namespace

int main(int argc, char** argv) {
  const long long started = EpochMs();
  if (argc < 4) {
    std::fprintf(stderr, "usage: gregor_group_member BOOTSTRAP TOPIC GROUP [PROP=VALUE ...]\n");
    return 2;
  }
  std::signal(SIGTERM, [](int) { stop = true; });
  std::signal(SIGINT, [](int) { stop = true; });
  std::map<std::string, std::string> props{{"bootstrap.servers", argv[1]}, {"group.id", argv[3]}};
  for (int i = 4; i < argc; ++i) {
    std::string kv = argv[i];
    auto eq = kv.find('=');
    if (eq == std::string::npos) return 2;
    props[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  auto config = gregor::ConsumerConfig::FromProperties(props);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.status().ToString().c_str());
    return 1;
  }
  auto consumer = gregor::Consumer::Create(std::move(*config));
  if (!consumer.ok()) {
    std::fprintf(stderr, "%s\n", consumer.status().ToString().c_str());
    return 1;
  }
  std::printf("started %lld\n", started);
  std::fflush(stdout);
  auto s = (*consumer)->Subscribe({argv[2]}, std::make_shared<Listener>());
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  while (!stop) {
    auto polled = (*consumer)->Poll(std::chrono::milliseconds(50));
    if (!polled.ok()) {
      std::fprintf(stderr, "%s\n", polled.status().ToString().c_str());
      return 1;
    }
  }
  (*consumer)->Close();
  return 0;
}
