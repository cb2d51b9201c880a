// SPDX-License-Identifier: Apache-2.0
// ConsumerTestBroker's implementation: the one consumer-test unit that
// includes broker headers (see consumer_test_broker.h).
#include "consumer_test_broker.h"

#include <gtest/gtest.h>

#include "../server/server_test_util.h"
#include "gregor/producer.h"
#include "server/kafka_server.h"

namespace gregor::testing {

struct ConsumerTestBroker::Impl {
  TempDir dir;
  std::unique_ptr<KafkaConfig> config;
  std::unique_ptr<KafkaServer> server;
};

ConsumerTestBroker::ConsumerTestBroker(const std::map<std::string, std::string>& extra)
    : impl_(std::make_unique<Impl>()) {
  std::map<std::string, std::string> props = {{"node.id", std::to_string(kTestNodeId)},
                                              {"listeners", "PLAINTEXT://127.0.0.1:0"},
                                              {"log.dirs", impl_->dir.path() + "/data"}};
  for (const auto& [k, v] : extra) props[k] = v;
  auto config = KafkaConfig::Create(props);
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  impl_->config = std::make_unique<KafkaConfig>(*config);
  impl_->server = std::make_unique<KafkaServer>(*impl_->config, SystemClock::Instance());
  Status s = impl_->server->Startup();
  EXPECT_TRUE(s.ok()) << s.ToString();
}

ConsumerTestBroker::~ConsumerTestBroker() {
  if (impl_->server) {
    EXPECT_TRUE(impl_->server->Shutdown().ok());
  }
}

std::string ConsumerTestBroker::bootstrap() const {
  return "127.0.0.1:" + std::to_string(impl_->server->BoundPort());
}

bool ConsumerTestBroker::CreateTopic(const std::string& topic, int32_t partitions) {
  return CreateTopicOverSocket(impl_->server->BoundPort(), topic, partitions);
}

void ConsumerTestBroker::Produce(const std::string& topic, int32_t partition, int count, int first,
                                 const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> props = {{"bootstrap.servers", bootstrap()},
                                              {"linger.ms", "0"}};
  for (const auto& [k, v] : extra) props[k] = v;
  auto config = ProducerConfig::FromProperties(props);
  ASSERT_TRUE(config.ok());
  auto producer = KafkaProducer<std::string, std::string>::Create(*config, StringSerializer(),
                                                                  StringSerializer());
  ASSERT_TRUE(producer.ok());
  std::vector<RecordFuture> futures;
  for (int i = first; i < first + count; ++i) {
    ProducerRecord<std::string, std::string> r(topic, "k" + std::to_string(i),
                                               "v" + std::to_string(i));
    r.partition = partition;
    futures.push_back((*producer)->Send(r));
  }
  (*producer)->Flush();
  for (auto& f : futures) ASSERT_TRUE(f.Get().ok()) << f.Get().status().ToString();
  (*producer)->Close();
}

}  // namespace gregor::testing
