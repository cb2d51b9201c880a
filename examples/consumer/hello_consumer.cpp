// SPDX-License-Identifier: Apache-2.0
// hello_consumer: chapter 06's first consumer. Joins a consumer group,
// reads a topic from the beginning, prints each record with its
// partition and offset, commits after processing each poll (at least
// once), and stops when `count` records were read or after 20 s.
//
//   gregor-example-consumer [bootstrap.servers] [topic] [group] [count]
//   (defaults: 127.0.0.1:9092 greetings hello 4)
//
// Exit status: 0 when `count` records were read and committed, 1 otherwise.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "gregor/consumer.h"

int main(int argc, char** argv) {
  std::string bootstrap = argc > 1 ? argv[1] : "127.0.0.1:9092";
  std::string topic = argc > 2 ? argv[2] : "greetings";
  std::string group = argc > 3 ? argv[3] : "hello";
  long want = argc > 4 ? std::atol(argv[4]) : 4;

  // [example-consumer]
  auto config = gregor::ConsumerConfig::FromProperties({
      {"bootstrap.servers", bootstrap},
      {"group.id", group},
      {"auto.offset.reset", "earliest"},
      {"enable.auto.commit", "false"},
  });
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.status().ToString().c_str());
    return 1;
  }
  auto consumer = gregor::KafkaConsumer<std::string, std::string>::Create(
      *config, gregor::StringDeserializer(), gregor::StringDeserializer());
  if (!consumer.ok()) return 1;
  if (!(*consumer)->Subscribe({topic}).ok()) return 1;

  long read = 0;
  auto stop = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (read < want && std::chrono::steady_clock::now() < stop) {
    auto records = (*consumer)->Poll(std::chrono::milliseconds(200));
    if (!records.ok()) break;
    for (const auto& r : *records) {
      std::printf("%s-%d@%lld %s=%s\n", std::string(r.topic).c_str(),
                  r.partition, (long long)r.offset,
                  r.key.value_or("null").c_str(),
                  r.value.value_or("null").c_str());
      ++read;
    }
    // Processed: now commit (a crash before this line replays them).
    if (!records->empty() && !(*consumer)->CommitSync().ok()) break;
  }
  (*consumer)->Close();  // leaves the group at once
  // [example-consumer]

  std::printf("%ld read\n", read);
  return read == want ? 0 : 1;
}
