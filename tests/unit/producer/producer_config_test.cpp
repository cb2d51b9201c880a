// SPDX-License-Identifier: Apache-2.0
// ProducerConfig::FromProperties: Kafka's names and values, and the errors.
#include <gtest/gtest.h>

#include "gregor/producer.h"

namespace gregor {
namespace {

TEST(ProducerConfigTest, ReadsKafkaNames) {
  auto c = ProducerConfig::FromProperties({{"bootstrap.servers", "h:1"},
                                           {"acks", "all"},
                                           {"linger.ms", "20"},
                                           {"batch.size", "65536"},
                                           {"compression.type", "zstd"},
                                           {"max.in.flight.requests.per.connection", "1"},
                                           {"partitioner.ignore.keys", "true"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->bootstrap_servers, "h:1");
  EXPECT_EQ(c->acks, -1);
  EXPECT_EQ(c->linger_ms, 20);
  EXPECT_EQ(c->batch_size, 65536);
  EXPECT_EQ(c->compression_type, CompressionType::kZstd);
  EXPECT_EQ(c->max_in_flight_requests_per_connection, 1);
  EXPECT_TRUE(c->partitioner_ignore_keys);
}

TEST(ProducerConfigTest, DefaultsAreDocumented) {
  auto c = ProducerConfig::FromProperties({});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->acks, -1);
  EXPECT_EQ(c->linger_ms, 5);
  EXPECT_FALSE(c->enable_idempotence);
}

TEST(ProducerConfigTest, AcksZeroAndOne) {
  EXPECT_EQ(ProducerConfig::FromProperties({{"acks", "0"}})->acks, 0);
  EXPECT_EQ(ProducerConfig::FromProperties({{"acks", "1"}})->acks, 1);
  EXPECT_EQ(ProducerConfig::FromProperties({{"acks", "2"}}).status().code(),
            ErrorCode::kInvalidConfig);
}

TEST(ProducerConfigTest, BadNumberNamesTheKey) {
  auto c = ProducerConfig::FromProperties({{"linger.ms", "5ms"}});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kInvalidConfig);
  EXPECT_NE(c.status().message().find("linger.ms"), std::string::npos);
}

TEST(ProducerConfigTest, IdempotenceIsRefusedUntilChapter07) {
  auto c = ProducerConfig::FromProperties({{"enable.idempotence", "true"}});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kInvalidConfig);
  EXPECT_NE(c.status().message().find("chapter 07"), std::string::npos);
}

TEST(ProducerConfigTest, UnknownKeysAreIgnored) {
  EXPECT_TRUE(ProducerConfig::FromProperties({{"key.serializer", "x"}}).ok());
}

TEST(ProducerConfigTest, CreateRefusesBadBootstrap) {
  ProducerConfig c;
  c.bootstrap_servers = "nohostport";
  EXPECT_EQ(Producer::Create(c).status().code(), ErrorCode::kInvalidConfig);
}

}  // namespace
}  // namespace gregor
