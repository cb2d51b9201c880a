// SPDX-License-Identifier: Apache-2.0
// TopicLogConfig: topic config overrides over the broker defaults, in
// particular cleanup.policy and the compaction keys.
#include <gtest/gtest.h>

#include "../storage/storage_test_util.h"
#include "controller/topic_registry.h"

namespace gregor {
namespace {

Result<LogConfig> Parse(std::map<std::string, std::string> overrides) {
  return TopicLogConfig(LogConfig{}, overrides);
}

TEST(TopicLogConfigTest, CleanupPolicyAcceptsKafkasSpellings) {
  struct Case {
    const char* value;
    bool compact, del;
  };
  for (Case c : {Case{"delete", false, true}, Case{"compact", true, false},
                 Case{"compact,delete", true, true}, Case{"delete,compact", true, true},
                 Case{" compact , delete ", true, true}, Case{"compact,compact", true, false}}) {
    auto config = Parse({{"cleanup.policy", c.value}});
    ASSERT_TRUE(config.ok()) << c.value;
    EXPECT_EQ(config->cleanup_compact, c.compact) << c.value;
    EXPECT_EQ(config->cleanup_delete, c.del) << c.value;
  }
}

TEST(TopicLogConfigTest, CleanupPolicyRefusesOtherWords) {
  for (const char* bad : {"", "compacted", "compact;delete", "compact,", "Delete", "none"}) {
    EXPECT_EQ(Parse({{"cleanup.policy", bad}}).status().code(), ErrorCode::kInvalidConfig) << bad;
  }
}

TEST(TopicLogConfigTest, DefaultPolicyIsDelete) {
  LogConfig c;
  EXPECT_TRUE(c.cleanup_delete);
  EXPECT_FALSE(c.cleanup_compact);
}

TEST(TopicLogConfigTest, CompactionKeysParse) {
  auto c = Parse({{"min.cleanable.dirty.ratio", "0.01"},
                  {"min.compaction.lag.ms", "100"},
                  {"max.compaction.lag.ms", "5000"},
                  {"delete.retention.ms", "0"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_DOUBLE_EQ(c->min_cleanable_dirty_ratio, 0.01);
  EXPECT_EQ(c->min_compaction_lag_ms, 100);
  EXPECT_EQ(c->max_compaction_lag_ms, 5000);
  EXPECT_EQ(c->delete_retention_ms, 0);
  EXPECT_TRUE(TopicRegistry::IsKnownTopicConfig("min.cleanable.dirty.ratio"));
  EXPECT_TRUE(TopicRegistry::IsKnownTopicConfig("delete.retention.ms"));
}

TEST(TopicLogConfigTest, CompactionKeysOutOfRangeAreInvalidConfig) {
  for (auto [key, value] :
       std::vector<std::pair<std::string, std::string>>{{"min.cleanable.dirty.ratio", "1.5"},
                                                        {"min.cleanable.dirty.ratio", "-0.1"},
                                                        {"min.cleanable.dirty.ratio", "half"},
                                                        {"min.compaction.lag.ms", "-1"},
                                                        {"max.compaction.lag.ms", "0"},
                                                        {"delete.retention.ms", "-5"},
                                                        {"delete.retention.ms", "1s"}}) {
    EXPECT_EQ(Parse({{key, value}}).status().code(), ErrorCode::kInvalidConfig)
        << key << "=" << value;
  }
  // The two lags may not cross (Kafka's LogConfig.validate).
  EXPECT_EQ(
      Parse({{"min.compaction.lag.ms", "10"}, {"max.compaction.lag.ms", "5"}}).status().code(),
      ErrorCode::kInvalidConfig);
}

TEST(TopicLogConfigTest, RegistryCreatesACompactedTopic) {
  testing::TempDir dir;
  MockClock clock;
  std::vector<TopicChange> changes;
  auto reg = TopicRegistry::Open(*Env::Default(), dir.path() + "/__cluster_metadata-0", clock,
                                 [&](const TopicChange& c) { changes.push_back(c); });
  ASSERT_TRUE(reg.ok());
  ASSERT_TRUE(
      (*reg)
          ->CreateTopic("k", 1, 1,
                        {{"cleanup.policy", "compact"}, {"min.cleanable.dirty.ratio", "0.1"}})
          .ok());
  auto config = TopicLogConfig(LogConfig{}, changes.at(0).topic.configs);
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(config->cleanup_compact);
  EXPECT_FALSE(config->cleanup_delete);
  EXPECT_EQ((*reg)->CreateTopic("r", 1, 1, {{"min.cleanable.dirty.ratio", "2"}}).code(),
            ErrorCode::kInvalidConfig);
}

}  // namespace
}  // namespace gregor
