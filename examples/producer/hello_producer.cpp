// SPDX-License-Identifier: Apache-2.0
// hello_producer: chapter 03's first producer. Sends a few keyed records
// to a topic, prints each record's partition and offset from its
// callback (which runs on the producer's Sender thread), then checks the
// futures and closes.
//
//   gregor-example-producer [bootstrap.servers] [topic]
//   (defaults: 127.0.0.1:9092 greetings)
//
// Exit status: 0 when every record was acknowledged, 1 otherwise.
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "gregor/producer.h"

int main(int argc, char** argv) {
  std::string bootstrap = argc > 1 ? argv[1] : "127.0.0.1:9092";
  std::string topic = argc > 2 ? argv[2] : "greetings";

  // [example-producer]
  auto config = gregor::ProducerConfig::FromProperties({
      {"bootstrap.servers", bootstrap},
      {"acks", "all"},
      {"linger.ms", "5"},
  });
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.status().ToString().c_str());
    return 1;
  }
  auto producer = gregor::KafkaProducer<std::string, std::string>::Create(
      *config, gregor::StringSerializer(), gregor::StringSerializer());
  if (!producer.ok()) return 1;

  std::mutex print_mu;  // callbacks run on the Sender thread
  std::vector<gregor::RecordFuture> futures;
  for (std::string user : {"alice", "carol", "dave", "alice"}) {
    gregor::ProducerRecord<std::string, std::string> record(
        topic, user, "hello from " + user);
    futures.push_back((*producer)->Send(
        record, [user, &print_mu](const gregor::RecordMetadata& m,
                                  const gregor::Status& s) {
          std::lock_guard lock(print_mu);
          if (!s.ok()) {
            std::printf("%s failed: %s\n", user.c_str(),
                        s.ToString().c_str());
            return;
          }
          std::printf("%s -> %s-%d@%lld\n", user.c_str(),
                      m.topic.c_str(), m.partition, (long long)m.offset);
        }));
  }
  (*producer)->Flush();  // every callback above has run now
  // [example-producer]

  int failed = 0;
  for (const auto& f : futures) failed += f.Get().ok() ? 0 : 1;
  (*producer)->Close();
  std::printf("%zu sent, %d failed\n", futures.size(), failed);
  return failed == 0 ? 0 : 1;
}
