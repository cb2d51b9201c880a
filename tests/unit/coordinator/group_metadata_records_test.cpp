// SPDX-License-Identifier: Apache-2.0
// The key and value records of __consumer_offsets: every version round-
// trips, Kafka's byte layout (hand-built vectors), the versions Gregor
// writes, and unknown or truncated records refused.
#include "coordinator/group/group_metadata_records.h"

#include <gtest/gtest.h>

#include <string_view>
#include "../protocol/hex.h"

namespace gregor {
namespace {

using gregor::testing::FromHex;


OffsetCommitValue SampleOffset() {
  return {.offset = 42,
          .leader_epoch = 5,
          .metadata = "m",
          .commit_timestamp = 1700000000000,
          .expire_timestamp = -1};
}

GroupMetadataValue SampleGroup() {
  GroupMetadataValue g;
  g.protocol_type = "consumer";
  g.generation = 7;
  g.protocol = "range";
  g.leader = "consumer-1-abc";
  g.current_state_timestamp = 1700000000123;
  g.members = {{"consumer-1-abc", "host-1", "consumer-1", "/127.0.0.1", 300000, 10000,
                Bytes{0, 0, 1}, Bytes{0, 1}},
               {"consumer-2-def", std::nullopt, "consumer-2", "/10.0.0.2", 60000, 45000, {}, {}}};
  return g;
}

TEST(GroupMetadataRecordsTest, KeysRoundTrip) {
  GroupRecordKey offset = OffsetCommitKey{"g", "orders", 3};
  GroupRecordKey group = GroupMetadataKey{"g"};
  for (const GroupRecordKey& k : {offset, group}) {
    Result<GroupRecordKey> d = DecodeGroupRecordKey(EncodeGroupRecordKey(k));
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ(*d, k);
  }
}

// clang-format off

TEST(GroupMetadataRecordsTest, KeyBytes) {
  EXPECT_EQ(EncodeGroupRecordKey(OffsetCommitKey{"g", "t", 3}),
            FromHex("0001"        // key version 1: an offset commit
                    "0001 67"     // group "g"
                    "0001 74"     // topic "t"
                    "00000003")); // partition 3
  EXPECT_EQ(EncodeGroupRecordKey(GroupMetadataKey{"g"}),
            FromHex("0002"        // key version 2: group metadata
                    "0001 67"));  // group "g"
  // Version 0 (written by Kafka 0.8.2-0.9) has the same layout as 1.
  Result<GroupRecordKey> v0 = DecodeGroupRecordKey(FromHex("0000 0001 67 0001 74 00000003"));
  ASSERT_TRUE(v0.ok());
  EXPECT_EQ(*v0, GroupRecordKey(OffsetCommitKey{"g", "t", 3}));
}

TEST(GroupMetadataRecordsTest, OffsetCommitValueV3Bytes) {
  Bytes expected = FromHex(
      "0003"                // value version 3
      "000000000000002a"    // offset 42
      "00000005"            // leader_epoch 5 (v3+)
      "0001 6d"             // metadata "m"
      "0000018bcfe56800");  // commit_timestamp 1700000000000
  EXPECT_EQ(EncodeOffsetCommitValue(SampleOffset()), expected);
  Result<OffsetCommitValue> d = DecodeOffsetCommitValue(expected);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, SampleOffset());
}

TEST(GroupMetadataRecordsTest, OffsetCommitValueV1CarriesTheExpireTimestamp) {
  OffsetCommitValue v = SampleOffset();
  v.expire_timestamp = 1700086400000;
  EXPECT_EQ(OffsetCommitValueVersion(v), 1);
  Bytes bytes = EncodeOffsetCommitValue(v);
  EXPECT_EQ(bytes, FromHex("0001"                 // value version 1
                           "000000000000002a"     // offset 42; no leader_epoch before v3
                           "0001 6d"              // metadata "m"
                           "0000018bcfe56800"     // commit_timestamp
                           "0000018bd50bc400"));  // expire_timestamp (v1 only)
  Result<OffsetCommitValue> d = DecodeOffsetCommitValue(bytes);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->leader_epoch, -1);
  EXPECT_EQ(d->expire_timestamp, 1700086400000);
}

TEST(GroupMetadataRecordsTest, GroupMetadataValueV3Bytes) {
  GroupMetadataValue g;
  g.protocol_type = "consumer";
  g.generation = 1;
  g.protocol = "range";
  g.leader = "m";
  g.current_state_timestamp = 1700000000000;
  g.members = {{"m", std::nullopt, "c", "/h", 30000, 10000, Bytes{0xaa}, Bytes{}}};
  EXPECT_EQ(EncodeGroupMetadataValue(g),
            FromHex("0003"                  // value version 3
                    "0008 636f6e73756d6572" // protocol_type "consumer"
                    "00000001"              // generation 1
                    "0005 72616e6765"       // protocol "range" (nullable)
                    "0001 6d"               // leader "m" (nullable)
                    "0000018bcfe56800"      // current_state_timestamp (v2+)
                    "00000001"              // members: 1
                    "0001 6d"               //   member_id "m"
                    "ffff"                  //   group_instance_id null (v3+)
                    "0001 63"               //   client_id "c"
                    "0002 2f68"             //   client_host "/h"
                    "00007530"              //   rebalance_timeout 30000 (v1+)
                    "00002710"              //   session_timeout 10000
                    "00000001 aa"           //   subscription: 1 byte
                    "00000000"));           //   assignment: empty
}

// clang-format on

TEST(GroupMetadataRecordsTest, EveryValueVersionRoundTrips) {
  for (int16_t v = 0; v <= 3; ++v) {
    SCOPED_TRACE("v" + std::to_string(v));
    Bytes o = EncodeOffsetCommitValue(SampleOffset(), v);
    Result<OffsetCommitValue> od = DecodeOffsetCommitValue(o);
    ASSERT_TRUE(od.ok()) << od.status().ToString();
    EXPECT_EQ(EncodeOffsetCommitValue(*od, v), o);
    EXPECT_EQ(od->offset, 42);
    EXPECT_EQ(od->leader_epoch, v >= 3 ? 5 : -1);
    Bytes g = EncodeGroupMetadataValue(SampleGroup(), v);
    Result<GroupMetadataValue> gd = DecodeGroupMetadataValue(g);
    ASSERT_TRUE(gd.ok()) << gd.status().ToString();
    EXPECT_EQ(EncodeGroupMetadataValue(*gd, v), g);
    EXPECT_EQ(gd->members.size(), 2u);
    EXPECT_EQ(gd->members[0].rebalance_timeout, v >= 1 ? 300000 : 0);
    EXPECT_EQ(gd->current_state_timestamp, v >= 2 ? 1700000000123 : -1);
    EXPECT_EQ(gd->members[0].group_instance_id,
              v >= 3 ? std::optional<std::string>("host-1") : std::nullopt);
    if (v == 3) {
      EXPECT_EQ(*gd, SampleGroup());
    }
  }
}

TEST(GroupMetadataRecordsTest, EmptyGroupHasNullProtocolAndLeader) {
  GroupMetadataValue empty;
  empty.generation = 4;
  Result<GroupMetadataValue> d = DecodeGroupMetadataValue(EncodeGroupMetadataValue(empty));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->protocol, std::nullopt);
  EXPECT_EQ(d->leader, std::nullopt);
  EXPECT_TRUE(d->members.empty());
}

TEST(GroupMetadataRecordsTest, UnknownVersionsAreCorrupt) {
  EXPECT_EQ(DecodeGroupRecordKey(FromHex("0003 0001 67")).status().code(),
            ErrorCode::kCorruptMessage);
  EXPECT_EQ(DecodeGroupRecordKey(FromHex("ffff 0001 67")).status().code(),
            ErrorCode::kCorruptMessage);
  // Kafka 3.5+'s flexible OffsetCommitValue v4 is not read with v3's layout.
  EXPECT_EQ(
      DecodeOffsetCommitValue(FromHex("0004 000000000000002a ffffffff 02 6d 00")).status().code(),
      ErrorCode::kCorruptMessage);
  EXPECT_EQ(DecodeGroupMetadataValue(FromHex("0004 00")).status().code(),
            ErrorCode::kCorruptMessage);
}

TEST(GroupMetadataRecordsTest, EveryTruncationIsCorrupt) {
  Bytes key = EncodeGroupRecordKey(OffsetCommitKey{"g", "orders", 3});
  for (size_t n = 0; n < key.size(); ++n) {
    EXPECT_EQ(DecodeGroupRecordKey(ByteSpan(key.data(), n)).status().code(),
              ErrorCode::kCorruptMessage)
        << n;
  }
  Bytes offset = EncodeOffsetCommitValue(SampleOffset());
  for (size_t n = 0; n < offset.size(); ++n) {
    EXPECT_FALSE(DecodeOffsetCommitValue(ByteSpan(offset.data(), n)).ok()) << n;
  }
  Bytes group = EncodeGroupMetadataValue(SampleGroup());
  for (size_t n = 0; n < group.size(); ++n) {
    Result<GroupMetadataValue> d = DecodeGroupMetadataValue(ByteSpan(group.data(), n));
    ASSERT_FALSE(d.ok()) << n;
    EXPECT_EQ(d.status().code(), ErrorCode::kCorruptMessage);
  }
}

TEST(GroupMetadataRecordsTest, HugeMemberCountFailsWithoutReading) {
  // v0: protocol_type "", generation 0, protocol null, leader null,
  // members 2^31-1.
  Result<GroupMetadataValue> d =
      DecodeGroupMetadataValue(FromHex("0000 0000 00000000 ffff ffff 7fffffff 00"));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), ErrorCode::kCorruptMessage);
}

}  // namespace
}  // namespace gregor
