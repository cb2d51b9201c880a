// SPDX-License-Identifier: Apache-2.0
// gregor_consumer_client: one member of a consumer group on Gregor's public
// consumer API (include/gregor/consumer.h), driven by
// groups_gregor_mixed_test.py next to kafka-python members.
//
//   gregor_consumer_client <bootstrap> <group> <topic> [property=value ...]
//
// The properties are Kafka consumer properties, on top of these defaults:
// partition.assignment.strategy=range, auto.offset.reset=earliest,
// enable.auto.commit=false. It subscribes to <topic> and loops on Poll();
// each line it prints to stdout (flushed at once) is one event:
//
//   ASSIGNED t-0,t-3       the whole assignment after a rebalance gave
//                          partitions (the list may be empty)
//   REVOKED t-0,t-3        partitions a rebalance is taking away
//   LOST t-0,t-3           partitions taken away after the member was
//                          expelled (already owned by others)
//   REC <topic> <partition> <offset> <value>
//                          a record Poll() returned (values of the test
//                          are short and hold no space)
//   ERROR <what>           a failure the test must see
//   CLOSED                 Close() returned; the process exits with 0
//
// After each Poll() it commits synchronously (CommitSync of the positions).
// A commit that fails while records are uncommitted is an ERROR; one after
// an empty poll may fail mid-rebalance (as Kafka's commitSync does with
// RebalanceInProgressException) and is only logged to stderr.
//
// Shutdown: when stdin reaches end of file (the test closes the pipe, or
// dies), a reader thread calls Wakeup(); the loop then calls Close(),
// which sends LeaveGroup, so the group rebalances at once instead of after
// session.timeout.ms. SIGTERM is not handled (it kills the process: a
// member that never leaves).
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gregor/consumer.h"

namespace {

using gregor::TopicPartition;

void Emit(const std::string& line) {
  std::fputs((line + "\n").c_str(), stdout);
  std::fflush(stdout);
}

std::string Join(const std::set<TopicPartition>& parts) {
  std::string out;
  for (const auto& tp : parts) out += (out.empty() ? "" : ",") + tp.ToString();
  return out;
}

// Keeps the member's whole assignment, so that ASSIGNED always lists all of
// it (under a cooperative protocol OnPartitionsAssigned gets only the
// newly added partitions).
class PrintingListener : public gregor::ConsumerRebalanceListener {
 public:
  void OnPartitionsRevoked(const std::vector<TopicPartition>& partitions) override {
    Drop("REVOKED ", partitions);
  }
  void OnPartitionsLost(const std::vector<TopicPartition>& partitions) override {
    Drop("LOST ", partitions);
  }
  void OnPartitionsAssigned(const std::vector<TopicPartition>& partitions) override {
    owned_.insert(partitions.begin(), partitions.end());
    Emit("ASSIGNED " + Join(owned_));
  }

 private:
  void Drop(const std::string& what, const std::vector<TopicPartition>& partitions) {
    for (const auto& tp : partitions) owned_.erase(tp);
    Emit(what + Join({partitions.begin(), partitions.end()}));
  }
  std::set<TopicPartition> owned_;  // Only on the polling thread.
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: gregor_consumer_client <bootstrap> <group> <topic> [prop=value ...]\n";
    return 2;
  }
  std::map<std::string, std::string> props = {{"bootstrap.servers", argv[1]},
                                              {"group.id", argv[2]},
                                              {"partition.assignment.strategy", "range"},
                                              {"auto.offset.reset", "earliest"},
                                              {"enable.auto.commit", "false"}};
  for (int i = 4; i < argc; ++i) {
    std::string kv = argv[i];
    size_t eq = kv.find('=');
    if (eq == std::string::npos) {
      std::cerr << "not property=value: " << kv << "\n";
      return 2;
    }
    props[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  auto config = gregor::ConsumerConfig::FromProperties(props);
  if (!config.ok()) {
    Emit("ERROR config: " + config.status().ToString());
    return 2;
  }
  auto consumer = gregor::Consumer::Create(*config);
  if (!consumer.ok()) {
    Emit("ERROR create: " + consumer.status().ToString());
    return 2;
  }
  gregor::Consumer& c = **consumer;
  if (auto s = c.Subscribe({std::string(argv[3])}, std::make_shared<PrintingListener>()); !s.ok()) {
    Emit("ERROR subscribe: " + s.ToString());
    return 2;
  }

  // Wakeup() is the one call safe from another thread; `stop` makes sure
  // a wakeup swallowed by a commit still ends the loop.
  std::atomic<bool> stop{false};
  std::thread stdin_watcher([&] {
    std::string line;
    while (std::getline(std::cin, line)) {
    }
    stop = true;
    c.Wakeup();
  });

  int status = 0;
  bool uncommitted = false;
  while (!stop) {
    auto records = c.Poll(std::chrono::milliseconds(100));
    if (!records.ok()) {
      if (gregor::IsWakeup(records.status())) continue;
      Emit("ERROR poll: " + records.status().ToString());
      status = 1;
      break;
    }
    for (const auto& r : *records) {
      Emit("REC " + std::string(r.topic) + " " + std::to_string(r.partition) + " " +
           std::to_string(r.offset) + " " + (r.value ? std::string(*r.value) : "null"));
    }
    uncommitted |= !records->empty();
    gregor::Status s = c.CommitSync(std::chrono::milliseconds(30000));
    if (gregor::IsWakeup(s)) s = c.CommitSync(std::chrono::milliseconds(30000));
    if (s.ok()) {
      uncommitted = false;
    } else if (uncommitted) {
      Emit("ERROR commit: " + s.ToString());
    } else {
      std::cerr << "commit after an empty poll: " << s.ToString() << "\n";
    }
  }
  c.Close();
  Emit("CLOSED");
  // The watcher may still sit in getline (the loop ended on an error):
  // leave without waiting for it.
  stdin_watcher.detach();
  std::_Exit(status);
}
