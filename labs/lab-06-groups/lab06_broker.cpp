// SPDX-License-Identifier: Apache-2.0
#include "lab06_broker.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "../../tests/unit/server/server_test_util.h"
#include "../../tests/unit/storage/storage_test_util.h"
#include "gregor/producer.h"
#include "server/kafka_server.h"

namespace gregor::lab06 {

using namespace std::chrono_literals;

struct Lab06Broker::Impl {
  testing::TempDir dir;
  std::unique_ptr<KafkaConfig> config;
  std::unique_ptr<KafkaServer> server;
  bool started = false;
};

Lab06Broker::Lab06Broker(const std::map<std::string, std::string>& extra)
    : impl_(std::make_unique<Impl>()) {
  std::map<std::string, std::string> props = {{"node.id", std::to_string(testing::kTestNodeId)},
                                              {"listeners", "PLAINTEXT://127.0.0.1:0"},
                                              {"log.dirs", impl_->dir.path() + "/data"}};
  for (const auto& [k, v] : extra) props[k] = v;
  auto config = KafkaConfig::Create(props);
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  if (!config.ok()) return;
  impl_->config = std::make_unique<KafkaConfig>(*config);
  impl_->server = std::make_unique<KafkaServer>(*impl_->config, SystemClock::Instance());
  Status s = impl_->server->Startup();
  EXPECT_TRUE(s.ok()) << s.ToString();
  impl_->started = s.ok();
}

Lab06Broker::~Lab06Broker() {
  if (impl_->server && impl_->started) {
    EXPECT_TRUE(impl_->server->Shutdown().ok());
  }
}

bool Lab06Broker::ok() const { return impl_->started; }

std::string Lab06Broker::bootstrap() const {
  return "127.0.0.1:" + std::to_string(impl_->server->BoundPort());
}

bool Lab06Broker::CreateTopic(const std::string& topic, int32_t partitions) {
  return testing::CreateTopicOverSocket(impl_->server->BoundPort(), topic, partitions);
}

bool Lab06Broker::Produce(const std::string& topic, int32_t partition, int count, int first) {
  auto config = ProducerConfig::FromProperties({{"bootstrap.servers", bootstrap()},
                                                {"client.id", "lab06-producer"},
                                                {"linger.ms", "0"},
                                                {"max.block.ms", "2000"},
                                                {"request.timeout.ms", "3000"},
                                                {"delivery.timeout.ms", "5000"}});
  if (!config.ok()) return false;
  auto producer = KafkaProducer<std::string, std::string>::Create(*config, StringSerializer(),
                                                                  StringSerializer());
  if (!producer.ok()) return false;
  std::vector<RecordFuture> futures;
  for (int i = first; i < first + count; ++i) {
    ProducerRecord<std::string, std::string> r(
        topic, std::nullopt, topic + "-" + std::to_string(partition) + "-" + std::to_string(i));
    r.partition = partition;
    futures.push_back((*producer)->Send(r));
  }
  bool all = true;
  for (auto& f : futures) {
    auto m = f.GetFor(5s);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    all = all && m.ok();
  }
  (*producer)->Close(2000ms);
  return all;
}

}  // namespace gregor::lab06
