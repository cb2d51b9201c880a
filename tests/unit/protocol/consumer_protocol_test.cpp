// SPDX-License-Identifier: Apache-2.0
// ConsumerProtocol subscriptions and assignments: the bytes that must mean
// the same to Gregor, kafka-python and librdkafka members of one group.
#include "protocol/consumer_protocol.h"

#include <gtest/gtest.h>

#include <string_view>

#include "group_samples.h"
#include "hex.h"

namespace gregor {
namespace {

using namespace gregor::testing;


template <class T>
void ExpectRoundTrips(const T& m) {
  for (int16_t v = T::kVersions.min; v <= T::kVersions.max; ++v) {
    SCOPED_TRACE("v" + std::to_string(v));
    Bytes encoded = EncodeConsumerProtocol(m, v);
    int16_t version = -1;
    Result<T> d = DecodeConsumerProtocol<T>(encoded, &version);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ(version, v);
    EXPECT_EQ(EncodeConsumerProtocol(*d, v), encoded);
    if (v == T::kVersions.max) {
      EXPECT_EQ(*d, m);
    }
  }
}

TEST(GroupConsumerProtocolTest, SubscriptionRoundTrips) { ExpectRoundTrips(SampleSubscription()); }
TEST(GroupConsumerProtocolTest, AssignmentRoundTrips) { ExpectRoundTrips(SampleAssignment()); }

TEST(GroupConsumerProtocolTest, SubscriptionV0HasNoOwnedPartitions) {
  Result<ConsumerProtocolSubscription> d = DecodeConsumerProtocol<ConsumerProtocolSubscription>(
      EncodeConsumerProtocol(SampleSubscription(), 0));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->topics, SampleSubscription().topics);
  EXPECT_EQ(d->user_data, SomePayload(7));
  EXPECT_TRUE(d->owned_partitions.empty());
}

// clang-format off

TEST(GroupConsumerProtocolTest, SubscriptionV1Bytes) {
  ConsumerProtocolSubscription s{.topics = {"t", "u"},
                                 .user_data = std::nullopt,
                                 .owned_partitions = {{"t", {0}}}};
  Bytes expected = FromHex(
      "0001"                // version 1
      "00000002"            // topics: 2
      "0001 74"             //   "t"
      "0001 75"             //   "u"
      "ffffffff"            // user_data: null (bytes length -1)
      "00000001"            // owned_partitions: 1 (v1+)
      "0001 74"             //   topic "t"
      "00000001 00000000"); //   partitions [0]
  EXPECT_EQ(EncodeConsumerProtocol(s, 1), expected);
  // kafka-python 2.0.2 (v0 only) reads these bytes with
  // ConsumerProtocolMemberMetadata.decode as version=1, subscription=['t',
  // 'u'], user_data=None, ignoring owned_partitions: a Gregor member's
  // subscription is usable by a kafka-python leader.
  Result<ConsumerProtocolSubscription> d =
      DecodeConsumerProtocol<ConsumerProtocolSubscription>(expected);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, s);
}

TEST(GroupConsumerProtocolTest, SubscriptionV0MatchesKafkaPythonAndKafkaJs) {
  // kafka-python 2.0.2 ConsumerProtocolMemberMetadata(0, ["t"], b"").encode()
  // and kafkajs 2.2.4 MemberMetadata.encode({version: 0, topics: ['t']})
  // both printed this:
  Bytes clients = FromHex("00000000000100017400000000");
  ConsumerProtocolSubscription s{.topics = {"t"}, .user_data = Bytes{}, .owned_partitions = {}};
  EXPECT_EQ(EncodeConsumerProtocol(s, 0), clients);
  Result<ConsumerProtocolSubscription> d =
      DecodeConsumerProtocol<ConsumerProtocolSubscription>(clients);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, s);
}

TEST(GroupConsumerProtocolTest, AssignmentV1Bytes) {
  ConsumerProtocolAssignment a{.assigned_partitions = {{"t", {0, 1}}}, .user_data = std::nullopt};
  Bytes expected = FromHex(
      "0001"                          // version 1 (v0's layout)
      "00000001"                      // assigned_partitions: 1
      "0001 74"                       //   topic "t"
      "00000002 00000000 00000001"    //   partitions [0, 1]
      "ffffffff");                    // user_data: null
  EXPECT_EQ(EncodeConsumerProtocol(a), expected);
  // kafka-python 2.0.2 ConsumerProtocolMemberAssignment.decode reads these
  // bytes as version=1, assignment=[('t', [0, 1])], user_data=None, and
  // kafkajs 2.2.4 MemberAssignment.decode as {t: [0, 1]}: a Gregor leader's
  // assignment reaches both.
  Result<ConsumerProtocolAssignment> d = DecodeConsumerProtocol<ConsumerProtocolAssignment>(
      expected);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, a);
}

TEST(GroupConsumerProtocolTest, AssignmentV0MatchesKafkaPython) {
  // kafka-python 2.0.2 ConsumerProtocolMemberAssignment(0, [("t", [0, 1])],
  // b"").encode():
  Bytes kafka_python = FromHex("00000000000100017400000002000000000000000100000000");
  ConsumerProtocolAssignment a{.assigned_partitions = {{"t", {0, 1}}}, .user_data = Bytes{}};
  EXPECT_EQ(EncodeConsumerProtocol(a, 0), kafka_python);
  Result<ConsumerProtocolAssignment> d = DecodeConsumerProtocol<ConsumerProtocolAssignment>(
      kafka_python);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, a);
}

// What librdkafka 2.0.2 puts in its JoinGroup v5 metadata and its
// SyncGroup v3 assignment (see group_messages_test.cpp, librdkafka tests).
TEST(GroupConsumerProtocolTest, LibrdkafkaSubscriptionAndAssignment) {
  Bytes sub = FromHex("0001 00000001 0001 74 00000000 00000000");
  int16_t version = -1;
  Result<ConsumerProtocolSubscription> s =
      DecodeConsumerProtocol<ConsumerProtocolSubscription>(sub, &version);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(version, 1);
  EXPECT_EQ(s->topics, std::vector<std::string>{"t"});
  EXPECT_EQ(s->user_data, Bytes{});  // empty, not null
  EXPECT_TRUE(s->owned_partitions.empty());
  EXPECT_EQ(EncodeConsumerProtocol(*s, 1), sub);
  Bytes asg = FromHex("0000 00000001 0001 74 00000001 00000000 00000000");
  Result<ConsumerProtocolAssignment> a = DecodeConsumerProtocol<ConsumerProtocolAssignment>(asg);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->assigned_partitions,
            (std::vector<ConsumerProtocolTopicPartition>{{"t", {0}}}));
  EXPECT_EQ(EncodeConsumerProtocol(*a, 0), asg);
}

// A newer member (Java 3.x writes subscription v3: generation_id, rack_id)
// is read with the v1 layout; the trailing fields are ignored.
TEST(GroupConsumerProtocolTest, NewerVersionReadsAsNewestKnown) {
  Bytes v3 = FromHex(
      "0003 00000001 0001 74 ffffffff"   // topics ["t"], user_data null
      "00000001 0001 74 00000001 00000002"  // owned_partitions t:[2]
      "00000005"                         // generation_id (v2+)
      "0006 7261636b2d61");              // rack_id "rack-a" (v3+)
  int16_t version = 0;
  Result<ConsumerProtocolSubscription> d =
      DecodeConsumerProtocol<ConsumerProtocolSubscription>(v3, &version);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(version, 3);
  EXPECT_EQ(d->topics, std::vector<std::string>{"t"});
  ASSERT_EQ(d->owned_partitions.size(), 1u);
  EXPECT_EQ(d->owned_partitions[0].partitions, std::vector<int32_t>{2});
}

// clang-format on

TEST(GroupConsumerProtocolTest, NegativeVersionIsMalformed) {
  Result<ConsumerProtocolAssignment> d =
      DecodeConsumerProtocol<ConsumerProtocolAssignment>(FromHex("ffff 00000000 ffffffff"));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), ErrorCode::kInvalidRequest);
}

TEST(GroupConsumerProtocolTest, EveryTruncationFails) {
  for (int16_t v : {0, 1}) {
    Bytes s = EncodeConsumerProtocol(SampleSubscription(), v);
    for (size_t n = 0; n < s.size(); ++n) {
      EXPECT_FALSE(DecodeConsumerProtocol<ConsumerProtocolSubscription>(ByteSpan(s.data(), n)).ok())
          << "subscription v" << v << " cut at " << n;
    }
    Bytes a = EncodeConsumerProtocol(SampleAssignment(), v);
    for (size_t n = 0; n < a.size(); ++n) {
      EXPECT_FALSE(DecodeConsumerProtocol<ConsumerProtocolAssignment>(ByteSpan(a.data(), n)).ok())
          << "assignment v" << v << " cut at " << n;
    }
  }
}

TEST(GroupConsumerProtocolTest, HugeCountsFailWithoutReading) {
  // topics count 2^31-1 in a 10-byte subscription.
  EXPECT_FALSE(
      DecodeConsumerProtocol<ConsumerProtocolSubscription>(FromHex("0000 7fffffff 0001 74 0000"))
          .ok());
  // user_data length 2^31-1.
  EXPECT_FALSE(
      DecodeConsumerProtocol<ConsumerProtocolAssignment>(FromHex("0000 00000000 7fffffff 00"))
          .ok());
}

}  // namespace
}  // namespace gregor
