// SPDX-License-Identifier: Apache-2.0
#include "controller/topic_registry.h"

#include <gtest/gtest.h>

#include "../storage/storage_test_util.h"
#include "storage/fault_injection_env.h"

namespace gregor {
namespace {

class TopicRegistryTest : public ::testing::Test {
 protected:
  std::unique_ptr<TopicRegistry> Open(Env& env) {
    auto r = TopicRegistry::Open(env, dir_.path() + "/__cluster_metadata-0", clock_,
                                 [this](const TopicChange& c) { changes_.push_back(c); });
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(*r) : nullptr;
  }

  testing::TempDir dir_;
  MockClock clock_;
  std::vector<TopicChange> changes_;
};

TEST_F(TopicRegistryTest, CreateAnnouncesAndFinds) {
  auto reg = Open(*Env::Default());
  ASSERT_TRUE(reg->CreateTopic("orders", 3, 1, {{"retention.ms", "1000"}}).ok());
  ASSERT_EQ(changes_.size(), 1u);
  EXPECT_EQ(changes_[0].kind, TopicChange::Kind::kCreated);
  EXPECT_EQ(changes_[0].topic.partitions, 3);
  auto info = reg->Find("orders");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->configs.at("retention.ms"), "1000");
  EXPECT_NE(info->id, TopicId{});
}

TEST_F(TopicRegistryTest, TopicsSurviveReopenWithTheSameIds) {
  TopicId id;
  {
    auto reg = Open(*Env::Default());
    ASSERT_TRUE(reg->CreateTopic("a", 2, -1, {}).ok());
    ASSERT_TRUE(reg->CreateTopic("b", 1, 1, {}).ok());
    ASSERT_TRUE(reg->DeleteTopic("b").ok());
    id = reg->Find("a")->id;
  }
  changes_.clear();
  auto reg = Open(*Env::Default());
  ASSERT_EQ(reg->AllTopics().size(), 1u);
  EXPECT_EQ(reg->Find("a")->id, id);
  EXPECT_EQ(reg->Find("a")->partitions, 2);
  EXPECT_FALSE(reg->Find("b"));
  ASSERT_EQ(changes_.size(), 1u);  // replay announces what exists
}

TEST_F(TopicRegistryTest, AcknowledgedChangesSurvivePowerLoss) {
  FaultInjectionEnv env(Env::Default());
  {
    auto reg = Open(env);
    ASSERT_TRUE(reg->CreateTopic("durable", 1, 1, {}).ok());
  }
  env.DropUnsyncedData();
  auto reg = Open(env);
  EXPECT_TRUE(reg->Find("durable"));
}

TEST_F(TopicRegistryTest, ValidationErrorsAreKafkas) {
  auto reg = Open(*Env::Default());
  EXPECT_EQ(reg->CreateTopic("bad name", 1, 1, {}).code(), ErrorCode::kInvalidTopicException);
  EXPECT_EQ(reg->CreateTopic("t", 0, 1, {}).code(), ErrorCode::kInvalidPartitions);
  EXPECT_EQ(reg->CreateTopic("t", 1, 3, {}).code(), ErrorCode::kInvalidReplicationFactor);
  EXPECT_EQ(reg->CreateTopic("t", 1, 1, {{"no.such", "1"}}).code(), ErrorCode::kInvalidConfig);
  EXPECT_EQ(reg->CreateTopic("t", 1, 1, {{"cleanup.policy", "compact"}}).code(),
            ErrorCode::kInvalidConfig);
  ASSERT_TRUE(reg->CreateTopic("t", 1, 1, {}).ok());
  EXPECT_EQ(reg->CreateTopic("t", 1, 1, {}).code(), ErrorCode::kTopicAlreadyExists);
  EXPECT_EQ(reg->DeleteTopic("nope").code(), ErrorCode::kUnknownTopicOrPartition);
  EXPECT_TRUE(reg->CreateTopic("v", 1, 1, {}, /*validate_only=*/true).ok());
  EXPECT_FALSE(reg->Find("v"));
}

TEST(MetadataRecordsTest, RoundTripAndFraming) {
  PartitionRecord p;
  p.partition_id = 4;
  p.topic_id[3] = 9;
  p.replicas = p.isr = {1};
  p.leader = 1;
  p.leader_epoch = 0;
  Bytes b = EncodeMetadataRecord(p);
  EXPECT_EQ(b[0], 1);  // frame version
  EXPECT_EQ(b[1], 3);  // PartitionRecord
  EXPECT_EQ(b[2], 0);  // version
  auto back = DecodeMetadataRecord(b);
  ASSERT_TRUE(back.ok());
  auto& q = std::get<PartitionRecord>(*back);
  EXPECT_EQ(q.partition_id, 4);
  EXPECT_EQ(q.topic_id, p.topic_id);
  EXPECT_EQ(q.isr, std::vector<int32_t>{1});
  b[1] = 77;
  EXPECT_EQ(DecodeMetadataRecord(b).status().code(), ErrorCode::kCorruptMessage);
}

}  // namespace
}  // namespace gregor
