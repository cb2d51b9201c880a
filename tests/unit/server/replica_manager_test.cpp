// SPDX-License-Identifier: Apache-2.0
#include "server/replica_manager.h"

#include <gtest/gtest.h>

#include "../storage/storage_test_util.h"
#include "common/clock.h"

namespace gregor {
namespace {

using testing::DecodeAll;
using testing::MakeBatch;
using testing::TempDir;

class ReplicaManagerTest : public ::testing::Test {
 protected:
  ReplicaManagerTest() : logs_(*Env::Default(), {dir_.path()}, LogConfig{}, clock_), rm_(logs_) {
    EXPECT_TRUE(logs_.Startup().ok());
  }
  PartitionAppendResult Append(const TopicPartition& tp, int count, int64_t ts = 1000) {
    Bytes batch = MakeBatch(count, ts);
    return rm_.AppendRecords(tp, batch);
  }

  TempDir dir_;
  MockClock clock_;
  LogManager logs_;
  ReplicaManager rm_;
  TopicPartition tp_{"orders", PartitionId{0}};
};

TEST_F(ReplicaManagerTest, UnknownPartitionIsAnErrorAndCreatesNoLog) {
  auto r = Append(tp_, 3);
  EXPECT_EQ(r.error, ErrorCode::kUnknownTopicOrPartition);
  EXPECT_EQ(logs_.GetLog(tp_), nullptr);  // produce never creates a log
  EXPECT_EQ(rm_.ReadRecords(tp_, 0, 1024, true).error, ErrorCode::kUnknownTopicOrPartition);
  EXPECT_EQ(rm_.FetchOffsetForTimestamp(tp_, -1).error, ErrorCode::kUnknownTopicOrPartition);
}

TEST_F(ReplicaManagerTest, AppendAssignsOffsetsAndReadReturnsThem) {
  ASSERT_TRUE(rm_.MakeLeader(tp_).ok());
  auto a = Append(tp_, 3);
  auto b = Append(tp_, 2);
  ASSERT_EQ(a.error, ErrorCode::kNone);
  EXPECT_EQ(a.base_offset, 0);
  EXPECT_EQ(b.base_offset, 3);
  EXPECT_EQ(b.log_start_offset, 0);
  auto read = rm_.ReadRecords(tp_, 1, 1 << 20, true);
  ASSERT_EQ(read.error, ErrorCode::kNone);
  EXPECT_EQ(read.high_watermark, 5);
  EXPECT_EQ(read.last_stable_offset, 5);  // no transactions: LSO = HW
  auto bytes = read.records.ReadAll();
  ASSERT_TRUE(bytes.ok());
  auto records = DecodeAll(*bytes);
  ASSERT_EQ(records.size(), 5u);  // from the batch holding offset 1
  EXPECT_EQ(records.front().offset, 0);
  EXPECT_EQ(records.back().offset, 4);
}

TEST_F(ReplicaManagerTest, ReadAtHighWatermarkIsEmptyBeyondIsOutOfRange) {
  ASSERT_TRUE(rm_.MakeLeader(tp_).ok());
  Append(tp_, 2);
  auto at_end = rm_.ReadRecords(tp_, 2, 1024, true);
  EXPECT_EQ(at_end.error, ErrorCode::kNone);
  EXPECT_EQ(at_end.records.size, 0u);
  EXPECT_EQ(rm_.ReadRecords(tp_, 3, 1024, true).error, ErrorCode::kOffsetOutOfRange);
}

TEST_F(ReplicaManagerTest, CorruptBatchIsRefusedPerPartition) {
  ASSERT_TRUE(rm_.MakeLeader(tp_).ok());
  Bytes batch = MakeBatch(2, 1000);
  batch.back() ^= 0x01;  // breaks the CRC
  auto r = rm_.AppendRecords(tp_, batch);
  EXPECT_EQ(r.error, ErrorCode::kCorruptMessage);
  EXPECT_EQ(logs_.GetLog(tp_)->LogEndOffset(), Offset{0});
}

TEST_F(ReplicaManagerTest, ListOffsetsEarliestLatestAndByTime) {
  ASSERT_TRUE(rm_.MakeLeader(tp_).ok());
  Append(tp_, 2, 1000);
  Append(tp_, 2, 2000);
  EXPECT_EQ(rm_.FetchOffsetForTimestamp(tp_, -2).offset, 0);
  EXPECT_EQ(rm_.FetchOffsetForTimestamp(tp_, -1).offset, 4);
  auto by_time = rm_.FetchOffsetForTimestamp(tp_, 1500);
  EXPECT_EQ(by_time.offset, 2);
  EXPECT_EQ(by_time.timestamp, 2000);
  EXPECT_EQ(rm_.FetchOffsetForTimestamp(tp_, 5000).offset, -1);  // none that new
}

TEST_F(ReplicaManagerTest, StopReplicaWithDeleteRemovesTheLog) {
  ASSERT_TRUE(rm_.MakeLeader(tp_).ok());
  Append(tp_, 1);
  ASSERT_TRUE(rm_.StopReplica(tp_, true).ok());
  EXPECT_FALSE(rm_.IsHosted(tp_));
  EXPECT_EQ(logs_.GetLog(tp_), nullptr);
  EXPECT_EQ(Append(tp_, 1).error, ErrorCode::kUnknownTopicOrPartition);
}

}  // namespace
}  // namespace gregor
