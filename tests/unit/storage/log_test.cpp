// SPDX-License-Identifier: Apache-2.0
// Log: append, read, roll, truncate, retention, log start offset.
#include "storage/log.h"

#include <gtest/gtest.h>

#include <thread>

#include "log_test_fixture.h"

namespace gregor {
namespace {

using testing::MakeBatch;

class LogAppendTest : public testing::LogTest {
 protected:
  void SetUp() override { Open(); }
};

TEST_F(LogAppendTest, AssignsConsecutiveOffsetsFromLogEndOffset) {
  auto a = AppendBatch(3);
  auto b = Append("k", "v");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->first_offset, Offset(0));
  EXPECT_EQ(a->last_offset, Offset(2));
  EXPECT_EQ(b->first_offset, Offset(3));
  EXPECT_EQ(log_->LogEndOffset(), Offset(4));
}

TEST_F(LogAppendTest, StampsBaseOffsetAndEpochInPlaceKeepingCrcValid) {
  AppendMany(1, 4);
  Bytes batch = MakeBatch(2, clock_.NowMs());
  ASSERT_TRUE(log_->Append(batch, Epoch(7)).ok());
  RecordBatchHeader h = ReadBatchHeader(batch);
  EXPECT_EQ(h.base_offset, 4);
  EXPECT_EQ(h.partition_leader_epoch, 7);
  EXPECT_TRUE(ValidateBatch(batch, 1 << 20).ok());
  auto read = log_->Read(Offset(4), 1 << 20);
  ASSERT_TRUE(read.ok());
  auto bytes = read->records.ReadAll();
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, batch);  // stored exactly as stamped
}

TEST_F(LogAppendTest, AcceptsSeveralConcatenatedBatches) {
  Bytes two = MakeBatch(2, clock_.NowMs());
  Bytes three = MakeBatch(3, clock_.NowMs());
  two.insert(two.end(), three.begin(), three.end());
  auto info = log_->Append(two, Epoch(0));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->num_batches, 2);
  EXPECT_EQ(info->last_offset, Offset(4));
  EXPECT_EQ(ReadAt(2).front().offset, 2);
}

TEST_F(LogAppendTest, RejectsCorruptBatchAndAppendsNothing) {
  Bytes batch = MakeBatch(2, clock_.NowMs());
  batch.back() ^= 0xff;
  auto info = log_->Append(batch, Epoch(0));
  EXPECT_EQ(info.status().code(), ErrorCode::kCorruptMessage);
  EXPECT_EQ(log_->LogEndOffset(), Offset(0));
  EXPECT_EQ(log_->Size(), 0);
}

TEST_F(LogAppendTest, RejectsTrailingPartialBatch) {
  Bytes batch = MakeBatch(2, clock_.NowMs());
  Bytes more = MakeBatch(2, clock_.NowMs());
  batch.insert(batch.end(), more.begin(), more.begin() + 20);
  EXPECT_EQ(log_->Append(batch, Epoch(0)).status().code(), ErrorCode::kCorruptMessage);
}

TEST_F(LogAppendTest, RejectsBatchOverMaxMessageBytes) {
  config_.max_message_bytes = 500;
  Open();
  EXPECT_EQ(AppendBatch(1, 1000).status().code(), ErrorCode::kMessageTooLarge);
}

TEST_F(LogAppendTest, RejectsRecordSetOverSegmentBytes) {
  config_.segment_bytes = 1000;
  Open();
  EXPECT_EQ(AppendBatch(1, 2000).status().code(), ErrorCode::kRecordListTooLarge);
}

TEST_F(LogAppendTest, LogAppendTimeOverwritesTimestampsWithBrokerClock) {
  config_.message_timestamp_type = TimestampType::kLogAppendTime;
  Open();
  Bytes batch = BuildBatch({Record{42, "k", "v", {}}});
  auto info = log_->Append(batch, Epoch(0));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->log_append_time, clock_.NowMs());
  EXPECT_EQ(ReadAt(0).front().record.timestamp, clock_.NowMs());
  EXPECT_TRUE(ValidateBatch(batch, 1 << 20).ok());
}

TEST_F(LogAppendTest, ReadsCompressedBatches) {
  ASSERT_TRUE(AppendBatch(50, 100, CompressionType::kZstd).ok());
  ASSERT_TRUE(AppendBatch(50, 100, CompressionType::kLz4).ok());
  auto records = ReadAt(60);
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.front().offset, 50);
  EXPECT_EQ(records.size(), 50u);
}

TEST_F(LogAppendTest, ConcurrentAppendsAndReadsKeepOffsetsDense) {
  config_.segment_bytes = 16 << 10;
  Open();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        Bytes batch = MakeBatch(3, clock_.NowMs(), std::string(200, 'x'));
        EXPECT_TRUE(log_->Append(batch, Epoch(0)).ok());
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 200; ++i) {
      int64_t end = log_->LogEndOffset().value();
      EXPECT_TRUE(log_->Read(Offset(end / 2), 4096).ok());
    }
  });
  for (auto& t : threads) t.join();
  EXPECT_EQ(log_->LogEndOffset(), Offset(600));
  auto all = ReadAll();
  ASSERT_EQ(all.size(), 600u);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].offset, int64_t(i));
}

class LogReadTest : public testing::LogTest {
 protected:
  void SetUp() override { Open(); }
};

TEST_F(LogReadTest, ReadFromMiddleOfBatchReturnsContainingBatch) {
  AppendMany(3, 10);
  auto records = ReadAt(15);
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.front().offset, 10);
}

TEST_F(LogReadTest, ReadAtLogEndOffsetIsEmpty) {
  AppendMany(1, 5);
  auto info = log_->Read(Offset(5), 1000);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->records.size, 0u);
  EXPECT_EQ(info->fetch_offset_metadata.message_offset, 5);
}

TEST_F(LogReadTest, ReadBeyondLogEndOffsetIsOutOfRange) {
  AppendMany(1, 5);
  EXPECT_EQ(log_->Read(Offset(6), 1000).status().code(), ErrorCode::kOffsetOutOfRange);
}

TEST_F(LogReadTest, ReadBelowLogStartOffsetIsOutOfRange) {
  AppendMany(2, 5);
  ASSERT_TRUE(log_->MaybeIncrementLogStartOffset(Offset(5)).ok());
  EXPECT_EQ(log_->Read(Offset(4), 1000).status().code(), ErrorCode::kOffsetOutOfRange);
  EXPECT_EQ(ReadAt(5).front().offset, 5);
}

TEST_F(LogReadTest, ReadAcrossSegmentsFindsEveryRecord) {
  AppendMany(100, 10, 200);
  ASSERT_GT(log_->NumberOfSegments(), 2);
  auto all = ReadAll();
  ASSERT_EQ(all.size(), 1000u);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].offset, int64_t(i));
}

TEST_F(LogReadTest, LookupOffsetForTimestampFindsFirstRecordAtOrAfter) {
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(AppendBatch(10, 300).ok());
    clock_.AdvanceMs(1000);
  }
  int64_t t0 = clock_.NowMs() - 30'000;
  auto found = log_->LookupOffsetForTimestamp(t0 + 12'500);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->offset, 130);
  EXPECT_EQ((*found)->timestamp, t0 + 13'000);
  EXPECT_EQ((*log_->LookupOffsetForTimestamp(kEarliestTimestamp))->offset, 0);
  EXPECT_EQ((*log_->LookupOffsetForTimestamp(kLatestTimestamp))->offset, 300);
  EXPECT_FALSE(log_->LookupOffsetForTimestamp(t0 + 100'000)->has_value());
}

class LogRollTest : public testing::LogTest {};

TEST_F(LogRollTest, RollsWhenSegmentBytesWouldBeExceeded) {
  config_.segment_bytes = 4096;
  Open();
  AppendMany(20, 1, 1000);
  auto segments = log_->Segments();
  ASSERT_GT(segments.size(), 4u);
  for (const auto& s : segments) EXPECT_LE(s.size, 4096u);
  EXPECT_EQ(segments[1].base_offset, 3);  // three ~1 KiB batches per segment
}

TEST_F(LogRollTest, RollsWhenSegmentMsHasPassedSinceFirstBatch) {
  config_.segment_ms = 60'000;
  Open();
  AppendMany(1);
  clock_.AdvanceMs(59'000);
  AppendMany(1);
  EXPECT_EQ(log_->NumberOfSegments(), 1);
  clock_.AdvanceMs(2'000);
  AppendMany(1);
  EXPECT_EQ(log_->NumberOfSegments(), 2);
  EXPECT_EQ(log_->Segments().back().base_offset, 20);
}

TEST_F(LogRollTest, RollsWhenOffsetIndexIsFull) {
  config_.segment_index_bytes = 8 * 4;
  config_.index_interval_bytes = 1;
  Open();
  AppendMany(20, 1, 10);
  EXPECT_GT(log_->NumberOfSegments(), 3);
  for (const auto& s : log_->Segments()) EXPECT_LE(s.offset_index_entries, 4);
}

TEST_F(LogRollTest, RolledSegmentsAreTrimmedAndNamedByBaseOffset) {
  config_.segment_bytes = 4096;
  Open();
  AppendMany(10, 1, 1000);
  auto first = log_->Segments().front();
  EXPECT_EQ(first.log_path, dir() + "/00000000000000000000.log");
  auto index_size = env_.FileSize(dir() + "/00000000000000000000.index");
  EXPECT_EQ(*index_size, uint64_t(first.offset_index_entries) * 8);
}

class LogTruncateTest : public testing::LogTest {
 protected:
  void SetUp() override {
    config_.segment_bytes = 4096;
    Open();
  }
};

TEST_F(LogTruncateTest, TruncateToRemovesLaterSegmentsAndRecords) {
  AppendMany(30, 2, 500);
  ASSERT_TRUE(log_->TruncateTo(Offset(20)).ok());
  EXPECT_EQ(log_->LogEndOffset(), Offset(20));
  EXPECT_EQ(ReadAll().size(), 20u);
  auto next = Append("k", "v");
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->first_offset, Offset(20));
}

TEST_F(LogTruncateTest, TruncateAboveLogEndOffsetDoesNothing) {
  AppendMany(1, 2);
  auto r = log_->TruncateTo(Offset(10));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
  EXPECT_EQ(log_->LogEndOffset(), Offset(2));
}

TEST_F(LogTruncateTest, TruncateFullyStartsEmptyAtNewOffset) {
  AppendMany(10, 2, 500);
  ASSERT_TRUE(log_->TruncateFullyAndStartAt(Offset(1000)).ok());
  EXPECT_EQ(log_->NumberOfSegments(), 1);
  EXPECT_EQ(log_->LogStartOffset(), Offset(1000));
  EXPECT_EQ(Append("k", "v")->first_offset, Offset(1000));
}

class LogRetentionTest : public testing::LogTest {
 protected:
  void SetUp() override {
    config_.segment_bytes = 4096;
    Open();
  }
};

TEST_F(LogRetentionTest, RetentionMsDeletesOldSegmentsButNeverTheActiveOne) {
  config_.retention_ms = 10'000;
  Open();
  AppendMany(10, 1, 1000);  // old data
  clock_.AdvanceMs(20'000);
  auto deleted = log_->DeleteOldSegments();
  ASSERT_TRUE(deleted.ok());
  EXPECT_GT(*deleted, 0);
  EXPECT_EQ(log_->NumberOfSegments(), 1);  // everything expired, the active stays
  EXPECT_EQ(log_->LogStartOffset(), Offset(log_->Segments().front().base_offset));
  EXPECT_EQ(log_->LogEndOffset(), Offset(10));
}

TEST_F(LogRetentionTest, RetentionMsKeepsSegmentsWithRecentRecords) {
  config_.retention_ms = 10'000;
  Open();
  AppendMany(6, 1, 1000);
  clock_.AdvanceMs(20'000);
  AppendMany(6, 1, 1000);  // new data in later segments
  int before = log_->NumberOfSegments();
  auto deleted = log_->DeleteOldSegments();
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 2);  // the two segments holding only old batches
  EXPECT_EQ(log_->NumberOfSegments(), before - 2);
}

TEST_F(LogRetentionTest, RetentionBytesDeletesOldestUntilUnderLimit) {
  config_.retention_bytes = 8192;
  Open();
  AppendMany(30, 1, 1000);
  ASSERT_TRUE(log_->DeleteOldSegments().ok());
  EXPECT_LE(log_->Size(), 8192 + 4096);
  EXPECT_GT(log_->Size(), 8192 - 4096);
  EXPECT_EQ(log_->LogEndOffset(), Offset(30));
}

TEST_F(LogRetentionTest, LogStartOffsetIncreaseDeletesWholeSegmentsBelowIt) {
  AppendMany(10, 1, 1000);
  ASSERT_TRUE(log_->MaybeIncrementLogStartOffset(Offset(7)).ok());
  ASSERT_TRUE(log_->DeleteOldSegments().ok());
  EXPECT_EQ(log_->LogStartOffset(), Offset(7));  // not moved back to a base offset
  EXPECT_LE(log_->Segments().front().base_offset, 7);
  EXPECT_EQ(ReadAt(7).front().offset, 7);
  EXPECT_EQ(log_->Read(Offset(6), 1000).status().code(), ErrorCode::kOffsetOutOfRange);
}

TEST_F(LogRetentionTest, LogStartOffsetCannotPassLogEndOffset) {
  AppendMany(1, 3);
  EXPECT_EQ(log_->MaybeIncrementLogStartOffset(Offset(4)).code(), ErrorCode::kOffsetOutOfRange);
  EXPECT_TRUE(log_->MaybeIncrementLogStartOffset(Offset(1)).ok());
  EXPECT_TRUE(log_->MaybeIncrementLogStartOffset(Offset(0)).ok());  // lower: ignored
  EXPECT_EQ(log_->LogStartOffset(), Offset(1));
}

}  // namespace
}  // namespace gregor
