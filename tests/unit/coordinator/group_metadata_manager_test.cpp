// SPDX-License-Identifier: Apache-2.0
// GroupMetadataManager over a recording appender: Java's hash picks the
// partition, ownership answers NOT_COORDINATOR / LOAD_IN_PROGRESS, the
// cache changes only after a successful append, and replaying the appended
// records into a new manager (a restart) gives back the same offsets and
// group states, tombstones included.
#include "coordinator/group/group_metadata_manager.h"

#include <gtest/gtest.h>

namespace gregor {
namespace {

TEST(JavaStringHashCodeTest, MatchesJava) {
  // Values of java.lang.String.hashCode().
  EXPECT_EQ(JavaStringHashCode(""), 0);
  EXPECT_EQ(JavaStringHashCode("test"), 3556498);
  EXPECT_EQ(JavaStringHashCode("hello"), 99162322);
  EXPECT_EQ(JavaStringHashCode("my-group"), -1906497762);
  EXPECT_EQ(JavaStringHashCode("gr\xc3\xbcppe"), -1233264812);       // "grüppe"
  EXPECT_EQ(JavaStringHashCode("\xe6\x97\xa5\xe6\x9c\xac"), 835047);  // two CJK characters
  EXPECT_EQ(JavaStringHashCode("\xf0\x9f\x98\x80x"), 54959989);      // a surrogate pair, then x
}

TEST(JavaStringHashCodeTest, PartitionIsKafkasAbsModulo) {
  EXPECT_EQ(PartitionForGroup("test", 50), 48);
  EXPECT_EQ(PartitionForGroup("my-group", 50), 12);  // a negative hash
  // The one string everyone knows hashes to Integer.MIN_VALUE: Kafka's
  // Utils.abs maps it to 0 (Math.abs would leave it negative).
  EXPECT_EQ(JavaStringHashCode("polygenelubricants"), INT32_MIN);
  EXPECT_EQ(PartitionForGroup("polygenelubricants", 50), 0);
}

class GroupMetadataManagerTest : public ::testing::Test {
 protected:
  struct Appended {
    int32_t partition;
    std::vector<GroupRecord> records;
  };

  GroupMetadataManager Make(std::vector<Appended>* log, ErrorCode result = ErrorCode::kNone) {
    return GroupMetadataManager(
        50,
        [log, result](int32_t partition, std::vector<GroupRecord> records,
                      std::function<void(ErrorCode)> done) {
          if (result == ErrorCode::kNone) log->push_back({partition, std::move(records)});
          done(result);
        });
  }
  // A restart: every appended record replayed, in order, into `m`.
  static void Replay(GroupMetadataManager& m, const std::vector<Appended>& log) {
    for (int32_t p = 0; p < 50; ++p) m.BeginLoading(p);
    for (const auto& a : log) {
      for (const auto& r : a.records) {
        std::optional<ByteSpan> value;
        if (r.value) value = ByteSpan(*r.value);
        ASSERT_TRUE(m.ReplayRecord(a.partition, r.key, value).ok());
      }
    }
    for (int32_t p = 0; p < 50; ++p) m.FinishLoading(p);
  }
  static CommittedOffset Offset(int64_t offset, const std::string& metadata = "") {
    CommittedOffset o;
    o.offset = offset;
    o.leader_epoch = 0;
    o.metadata = metadata;
    o.commit_timestamp_ms = 1000;
    return o;
  }

  TopicPartition t0_{"orders", PartitionId(0)};
  TopicPartition t1_{"orders", PartitionId(1)};
};

TEST_F(GroupMetadataManagerTest, OwnershipDecidesTheCoordinatorError) {
  std::vector<Appended> log;
  auto m = Make(&log);
  const int32_t p = m.PartitionFor("my-group");
  EXPECT_EQ(m.CoordinatorError("my-group"), ErrorCode::kNotCoordinator);
  m.BeginLoading(p);
  EXPECT_EQ(m.CoordinatorError("my-group"), ErrorCode::kCoordinatorLoadInProgress);
  m.FinishLoading(p);
  EXPECT_EQ(m.CoordinatorError("my-group"), ErrorCode::kNone);
  EXPECT_EQ(m.CoordinatorError("test"), ErrorCode::kNotCoordinator);  // partition 48
  m.Unload(p);
  EXPECT_EQ(m.CoordinatorError("my-group"), ErrorCode::kNotCoordinator);
}

TEST_F(GroupMetadataManagerTest, CommitIsCachedAfterTheAppendAndGoesToTheGroupsPartition) {
  std::vector<Appended> log;
  auto m = Make(&log);
  std::map<TopicPartition, ErrorCode> errors;
  m.StoreOffsets("my-group", {{t0_, Offset(42, "meta")}, {t1_, Offset(7)}},
                 [&](auto e) { errors = e; });
  EXPECT_EQ(errors[t0_], ErrorCode::kNone);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].partition, 12);
  EXPECT_EQ(log[0].records.size(), 2u);  // one record per partition
  auto fetched = m.FetchOffsets("my-group", std::nullopt);
  ASSERT_EQ(fetched.size(), 2u);
  EXPECT_EQ(fetched[t0_], Offset(42, "meta"));
  EXPECT_EQ(m.FetchOffsets("my-group", std::vector{t1_}).size(), 1u);
  EXPECT_TRUE(m.FetchOffsets("other", std::nullopt).empty());
}

TEST_F(GroupMetadataManagerTest, FailedAppendCachesNothing) {
  std::vector<Appended> log;
  auto m = Make(&log, ErrorCode::kKafkaStorageError);
  std::map<TopicPartition, ErrorCode> errors;
  m.StoreOffsets("g", {{t0_, Offset(42)}}, [&](auto e) { errors = e; });
  EXPECT_EQ(errors[t0_], ErrorCode::kKafkaStorageError);
  EXPECT_TRUE(m.FetchOffsets("g", std::nullopt).empty());
}

TEST_F(GroupMetadataManagerTest, RestartReplaysTheLatestOffsetsAndGroupState) {
  std::vector<Appended> log;
  auto m = Make(&log);
  auto ignore = [](auto) {};
  m.StoreOffsets("g", {{t0_, Offset(1)}, {t1_, Offset(2)}}, ignore);
  m.StoreOffsets("g", {{t0_, Offset(10)}}, ignore);  // overwrites t0
  m.StoreOffsets("h", {{t0_, Offset(5)}}, ignore);
  GroupMetadataValue state;
  state.protocol_type = "consumer";
  state.generation = 3;
  state.protocol = "range";
  state.leader = "m-1";
  GroupMemberMetadata member;
  member.member_id = "m-1";
  member.client_id = "c";
  member.client_host = "/127.0.0.1";
  member.session_timeout = 10000;
  member.assignment = {1, 2};
  state.members.push_back(member);
  m.StoreGroup("g", state, ignore);
  EXPECT_EQ(m.StoredGroup("g"), state);

  std::vector<Appended> unused;
  auto restarted = Make(&unused);
  Replay(restarted, log);
  auto g = restarted.FetchOffsets("g", std::nullopt);
  EXPECT_EQ(g[t0_].offset, 10);
  EXPECT_EQ(g[t1_].offset, 2);
  EXPECT_EQ(restarted.FetchOffsets("h", std::nullopt)[t0_].offset, 5);
  EXPECT_EQ(restarted.StoredGroup("g"), state);
  EXPECT_EQ(restarted.GroupsOf(restarted.PartitionFor("g")), std::set<std::string>{"g"});
}

TEST_F(GroupMetadataManagerTest, DeletedGroupStaysDeletedAfterRestart) {
  std::vector<Appended> log;
  auto m = Make(&log);
  auto ignore = [](auto) {};
  m.StoreOffsets("g", {{t0_, Offset(1)}, {t1_, Offset(2)}}, ignore);
  m.StoreGroup("g", GroupMetadataValue{}, ignore);
  ErrorCode deleted = ErrorCode::kUnknownServerError;
  m.DeleteGroup("g", [&](ErrorCode e) { deleted = e; });
  EXPECT_EQ(deleted, ErrorCode::kNone);
  EXPECT_EQ(log.back().records.size(), 3u);  // two offset tombstones, one group tombstone
  for (const auto& r : log.back().records) EXPECT_FALSE(r.value.has_value());
  EXPECT_TRUE(m.FetchOffsets("g", std::nullopt).empty());

  std::vector<Appended> unused;
  auto restarted = Make(&unused);
  Replay(restarted, log);
  EXPECT_TRUE(restarted.FetchOffsets("g", std::nullopt).empty());
  EXPECT_FALSE(restarted.StoredGroup("g").has_value());
}

TEST_F(GroupMetadataManagerTest, BadRecordsAreRefusedAndChangeNothing) {
  std::vector<Appended> log;
  auto m = Make(&log);
  m.BeginLoading(12);
  const Bytes garbage = {0x00, 0x07, 0x01};  // key version 7
  EXPECT_EQ(m.ReplayRecord(12, garbage, std::nullopt).code(), ErrorCode::kCorruptMessage);
  Bytes key = EncodeGroupRecordKey(OffsetCommitKey{"my-group", "orders", 0});
  const Bytes bad_value = {0x00, 0x03, 0x00};  // v3, truncated
  EXPECT_EQ(m.ReplayRecord(12, key, ByteSpan(bad_value)).code(), ErrorCode::kCorruptMessage);
  // A group in a partition it does not hash to.
  Bytes value = EncodeOffsetCommitValue(OffsetCommitValue{5, 0, "", 1, -1});
  EXPECT_EQ(m.ReplayRecord(13, key, ByteSpan(value)).code(), ErrorCode::kCorruptMessage);
  m.FinishLoading(12);
  EXPECT_TRUE(m.FetchOffsets("my-group", std::nullopt).empty());
}

}  // namespace
}  // namespace gregor
