// SPDX-License-Identifier: Apache-2.0
#include "server/kafka_config.h"

#include <gtest/gtest.h>

#include <limits>
#include <set>

namespace gregor {
namespace {

KafkaConfig Make(const std::string& text, std::vector<std::string>* unknown = nullptr) {
  auto props = ParseProperties(text);
  EXPECT_TRUE(props.ok());
  auto config = KafkaConfig::Create(*props, unknown);
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  return *config;
}

TEST(PropertiesTest, ParsesJavaPropertiesSyntax) {
  auto props = ParseProperties(
      "# comment\n! also a comment\n\nnode.id=3\nlog.dirs : /a,/b\n"
      "listeners=PLAINTEXT://localhost:9092,\\\n  CONTROLLER://localhost:9093\n");
  ASSERT_TRUE(props.ok());
  EXPECT_EQ(props->at("node.id"), "3");
  EXPECT_EQ(props->at("log.dirs"), "/a,/b");
  EXPECT_EQ(props->at("listeners"), "PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093");
}

TEST(PropertiesTest, LineWithoutKeyIsAnError) {
  EXPECT_FALSE(ParseProperties("=value\n").ok());
}

TEST(KafkaConfigTest, DefaultsAreKafkas) {
  KafkaConfig c = Make("");
  EXPECT_EQ(c.GetInt("num.partitions"), 1);
  EXPECT_EQ(c.GetInt("message.max.bytes"), 1048588);
  EXPECT_EQ(c.GetInt("socket.request.max.bytes"), 104857600);
  EXPECT_EQ(c.GetInt("num.network.threads"), 3);
  EXPECT_EQ(c.GetInt("num.io.threads"), 8);
  EXPECT_TRUE(c.GetBool("auto.create.topics.enable"));
  EXPECT_EQ(c.GetInt("offsets.topic.replication.factor"), 3);
  LogConfig log = c.DefaultLogConfig();
  EXPECT_EQ(log.segment_bytes, 1 << 30);
  EXPECT_EQ(log.retention_ms, int64_t(168) * 3600 * 1000);
  EXPECT_EQ(log.retention_bytes, -1);
}

TEST(KafkaConfigTest, FinestRetentionUnitWins) {
  EXPECT_EQ(Make("log.retention.hours=1\nlog.retention.minutes=5\n").DefaultLogConfig().retention_ms,
            5 * 60'000);
  EXPECT_EQ(Make("log.retention.minutes=5\nlog.retention.ms=1234\n").DefaultLogConfig().retention_ms,
            1234);
  EXPECT_EQ(Make("log.retention.hours=-1\n").DefaultLogConfig().retention_ms, -1);
}

TEST(KafkaConfigTest, UnknownKeysAreReportedNotFatal) {
  std::vector<std::string> unknown;
  KafkaConfig c = Make("node.id=2\nsasl.enabled.mechanisms=PLAIN\nzookeeper.connect=x\n", &unknown);
  EXPECT_EQ(c.GetInt("node.id"), 2);
  EXPECT_EQ(std::set<std::string>(unknown.begin(), unknown.end()),
            (std::set<std::string>{"sasl.enabled.mechanisms", "zookeeper.connect"}));
}

TEST(KafkaConfigTest, BadValueIsInvalidConfig) {
  auto props = ParseProperties("num.partitions=many\n");
  auto c = KafkaConfig::Create(*props);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kInvalidConfig);
  EXPECT_FALSE(KafkaConfig::Create(*ParseProperties("auto.create.topics.enable=yes\n")).ok());
}

TEST(KafkaConfigTest, ListsSplitAndTrim) {
  KafkaConfig c = Make("log.dirs= /d1 , /d2,\n");
  EXPECT_EQ(c.GetList("log.dirs"), (std::vector<std::string>{"/d1", "/d2"}));
}

TEST(KafkaConfigTest, WrongTypeLookupIsAProgrammingError) {
  KafkaConfig c = Make("");
  EXPECT_THROW(c.GetBool("num.partitions"), std::logic_error);
  EXPECT_THROW(c.GetInt("no.such.key"), std::logic_error);
}

TEST(KafkaConfigTest, EveryDefaultParsesAsItsType) {
  // The table is data; a typo in a default would only show at lookup time.
  std::map<std::string, std::string> all;
  for (const auto& d : BrokerConfigDefs()) {
    if (!d.default_value.empty()) all[d.name] = d.default_value;
  }
  EXPECT_TRUE(KafkaConfig::Create(all).ok());
}

TEST(KafkaConfigTest, CleanerDefaultsAreKafkas) {
  KafkaConfig c = Make("");
  CleanerConfig cleaner = c.LogCleanerConfig();
  EXPECT_TRUE(cleaner.enable);
  EXPECT_EQ(cleaner.num_threads, 1);
  EXPECT_EQ(cleaner.dedupe_buffer_size, 134217728);
  EXPECT_EQ(cleaner.backoff_ms, 15000);
  LogConfig log = c.DefaultLogConfig();
  EXPECT_TRUE(log.cleanup_delete);
  EXPECT_FALSE(log.cleanup_compact);
  EXPECT_DOUBLE_EQ(log.min_cleanable_dirty_ratio, 0.5);
  EXPECT_EQ(log.delete_retention_ms, 86400000);
  EXPECT_EQ(log.min_compaction_lag_ms, 0);
  EXPECT_EQ(log.max_compaction_lag_ms, std::numeric_limits<int64_t>::max());
}

TEST(KafkaConfigTest, CleanerKeysFlowIntoTheDefaultLogConfig) {
  KafkaConfig c = Make(
      "log.cleanup.policy=compact, delete\nlog.cleaner.min.cleanable.ratio=0.25\n"
      "log.cleaner.delete.retention.ms=1000\nlog.cleaner.min.compaction.lag.ms=10\n"
      "log.cleaner.max.compaction.lag.ms=20000\nlog.cleaner.enable=false\n"
      "log.cleaner.threads=3\nlog.cleaner.dedupe.buffer.size=3000000\n"
      "log.cleaner.backoff.ms=50\n");
  LogConfig log = c.DefaultLogConfig();
  EXPECT_TRUE(log.cleanup_compact);
  EXPECT_TRUE(log.cleanup_delete);
  EXPECT_DOUBLE_EQ(log.min_cleanable_dirty_ratio, 0.25);
  EXPECT_EQ(log.delete_retention_ms, 1000);
  EXPECT_EQ(log.min_compaction_lag_ms, 10);
  EXPECT_EQ(log.max_compaction_lag_ms, 20000);
  CleanerConfig cleaner = c.LogCleanerConfig();
  EXPECT_FALSE(cleaner.enable);
  EXPECT_EQ(cleaner.num_threads, 3);
  EXPECT_EQ(cleaner.dedupe_buffer_size, 3000000);
  EXPECT_EQ(cleaner.backoff_ms, 50);
}

TEST(KafkaConfigTest, CleanerKeysOutOfRangeAreInvalidConfig) {
  for (const char* bad :
       {"log.cleanup.policy=compacted", "log.cleaner.min.cleanable.ratio=1.5",
        "log.cleaner.min.cleanable.ratio=x", "log.cleaner.min.compaction.lag.ms=-1",
        "log.cleaner.delete.retention.ms=-1", "log.cleaner.threads=-1",
        "log.cleaner.max.compaction.lag.ms=0", "log.cleaner.enable=yes"}) {
    auto props = ParseProperties(bad);
    ASSERT_TRUE(props.ok());
    EXPECT_EQ(KafkaConfig::Create(*props).status().code(), ErrorCode::kInvalidConfig) << bad;
  }
}

}  // namespace
}  // namespace gregor
