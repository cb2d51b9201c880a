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
  EXPECT_EQ(reg->CreateTopic("t", 1, 1, {{"cleanup.policy", "compacted"}}).code(),
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

RegisterBrokerRecord SampleRegistration() {
  RegisterBrokerRecord r;
  r.broker_id = 7;
  r.incarnation_id = RandomUuid();
  r.broker_epoch = 42;
  r.end_points = {{"PLAINTEXT", "broker7.example", 65000, 0}, {"SSL", "10.0.0.7", 9093, 1}};
  r.features = {{"metadata.version", 1, 20}};
  r.rack = "rack-a";
  r.fenced = false;
  r.in_controlled_shutdown = true;
  return r;
}

TEST(MetadataRecordsTest, RegisterBrokerRecordRoundTripsAtVersion1) {
  RegisterBrokerRecord r = SampleRegistration();
  Bytes b = EncodeMetadataRecord(r);
  EXPECT_EQ(b[0], 1);  // frame version
  EXPECT_EQ(b[1], 0);  // RegisterBrokerRecord
  EXPECT_EQ(b[2], 1);  // version 1
  EXPECT_EQ(LoadBE32(b.data() + 3), 7u);  // broker_id right after the frame
  auto back = DecodeMetadataRecord(b);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  auto& q = std::get<RegisterBrokerRecord>(*back);
  EXPECT_EQ(q.broker_id, 7);
  EXPECT_EQ(q.incarnation_id, r.incarnation_id);
  EXPECT_EQ(q.broker_epoch, 42);
  ASSERT_EQ(q.end_points.size(), 2u);
  EXPECT_EQ(q.end_points[0].name, "PLAINTEXT");
  EXPECT_EQ(q.end_points[0].host, "broker7.example");
  EXPECT_EQ(q.end_points[0].port, 65000);  // a uint16 above INT16_MAX
  EXPECT_EQ(q.end_points[1].security_protocol, 1);
  ASSERT_EQ(q.features.size(), 1u);
  EXPECT_EQ(q.features[0].name, "metadata.version");
  EXPECT_EQ(q.features[0].max_supported_version, 20);
  EXPECT_EQ(q.rack, "rack-a");
  EXPECT_FALSE(q.fenced);
  EXPECT_TRUE(q.in_controlled_shutdown);
}

TEST(MetadataRecordsTest, RegisterBrokerRecordVersion0HasNoControlledShutdownField) {
  RegisterBrokerRecord r = SampleRegistration();
  Bytes b = EncodeMetadataRecord(r);
  // v0 is v1 without in_controlled_shutdown, the byte before the empty
  // tag section at the end.
  b[2] = 0;
  b.erase(b.end() - 2);
  auto back = DecodeMetadataRecord(b);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  auto& q = std::get<RegisterBrokerRecord>(*back);
  EXPECT_EQ(q.broker_epoch, 42);
  EXPECT_FALSE(q.fenced);
  EXPECT_FALSE(q.in_controlled_shutdown);  // Kafka's default
}

TEST(MetadataRecordsTest, NewerRecordVersionIsCorrupt) {
  Bytes b = EncodeMetadataRecord(SampleRegistration());
  b[2] = 2;  // v2 adds is_migrating_zk_broker: not ours to guess past
  EXPECT_EQ(DecodeMetadataRecord(b).status().code(), ErrorCode::kCorruptMessage);
  Bytes t = EncodeMetadataRecord(TopicRecord{"t", RandomUuid()});
  t[2] = 1;
  EXPECT_EQ(DecodeMetadataRecord(t).status().code(), ErrorCode::kCorruptMessage);
}

TEST_F(TopicRegistryTest, RegisterBrokerEpochIsTheRecordsOffset) {
  auto reg = Open(*Env::Default());
  ASSERT_TRUE(reg->CreateTopic("t", 2, 1, {}).ok());  // offsets 0..2
  RegisterBrokerRecord r = SampleRegistration();
  r.broker_epoch = -1;
  auto written = reg->RegisterBroker(r);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_EQ(written->broker_epoch, 3);
  auto found = reg->FindBroker(7);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->broker_epoch, 3);
  EXPECT_EQ(found->incarnation_id, r.incarnation_id);
  EXPECT_FALSE(reg->FindBroker(8));
}

TEST_F(TopicRegistryTest, ReplayKeepsTheLatestRegistrationWithAnIncreasingEpoch) {
  RegisterBrokerRecord first = SampleRegistration();
  {
    auto reg = Open(*Env::Default());
    auto w = reg->RegisterBroker(first);
    ASSERT_TRUE(w.ok());
    first = *w;
    ASSERT_TRUE(reg->CreateTopic("t", 1, 1, {}).ok());
  }
  RegisterBrokerRecord second = SampleRegistration();  // a restart: new incarnation
  {
    auto reg = Open(*Env::Default());
    ASSERT_TRUE(reg->FindBroker(7));
    EXPECT_EQ(reg->FindBroker(7)->incarnation_id, first.incarnation_id);
    auto w = reg->RegisterBroker(second);
    ASSERT_TRUE(w.ok());
    second = *w;
  }
  EXPECT_GT(second.broker_epoch, first.broker_epoch);
  auto reg = Open(*Env::Default());
  auto latest = reg->FindBroker(7);
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->incarnation_id, second.incarnation_id);
  EXPECT_EQ(latest->broker_epoch, second.broker_epoch);
  EXPECT_EQ(reg->Brokers().size(), 1u);
  EXPECT_TRUE(reg->Find("t"));  // topics replay alongside
}

}  // namespace
}  // namespace gregor
