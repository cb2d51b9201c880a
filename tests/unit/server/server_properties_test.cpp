// SPDX-License-Identifier: Apache-2.0
// The shipped config/server.properties parses, knows every key it sets, and
// keeps the single-node promises (replication factor 1 for internal topics).
#include <gtest/gtest.h>

#include "server/kafka_config.h"

namespace gregor {
namespace {

TEST(ServerPropertiesTest, SingleNodeFileIsValidAndComplete) {
  auto props = ReadPropertiesFile(GREGOR_SOURCE_DIR "/config/server.properties");
  ASSERT_TRUE(props.ok()) << props.status().ToString();
  std::vector<std::string> unknown;
  auto config = KafkaConfig::Create(*props, &unknown);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_TRUE(unknown.empty()) << unknown.front();
  EXPECT_EQ(config->GetInt("offsets.topic.replication.factor"), 1);
  EXPECT_EQ(config->GetInt("transaction.state.log.replication.factor"), 1);
  EXPECT_EQ(config->GetList("process.roles"), (std::vector<std::string>{"broker", "controller"}));
  EXPECT_EQ(config->GetList("advertised.listeners"),
            (std::vector<std::string>{"PLAINTEXT://127.0.0.1:9092"}));
}

}  // namespace
}  // namespace gregor
