// SPDX-License-Identifier: Apache-2.0
#include "storage/log_segment.h"

#include <gtest/gtest.h>

#include "storage/log_file_names.h"
#include "storage_test_util.h"

namespace gregor {
namespace {

using testing::DecodeAll;
using testing::MakeBatch;
using testing::TempDir;

class LogSegmentTest : public ::testing::Test {
 protected:
  static constexpr int64_t kBase = 50;
  static constexpr int64_t kNow = 1'000'000;

  void SetUp() override {
    config_.index_interval_bytes = 4096;
    config_.segment_index_bytes = 1024;
    Open();
  }
  void Open() {
    segment_.reset();
    auto r = LogSegment::Open(*Env::Default(), tmp_.path(), kBase, config_, kNow);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    segment_ = std::move(*r);
  }
  // Appends one batch of `n` records at the next offsets; returns its size.
  size_t AppendBatch(int n, int64_t ts = kNow, const std::string& value = "") {
    Bytes batch = MakeBatch(n, ts, value);
    SetBaseOffset(batch, next_);
    Status s = segment_->Append(next_ + n - 1, ts, batch);
    EXPECT_TRUE(s.ok()) << s.ToString();
    next_ += n;
    return batch.size();
  }
  std::vector<testing::ReadRecord> ReadAt(int64_t offset, uint32_t max_size = 1 << 20) {
    auto info = segment_->Read(offset, max_size, segment_->SizeInBytes(), true);
    EXPECT_TRUE(info.ok());
    if (!info.ok() || !info->has_value()) return {};
    auto bytes = (*info)->records.ReadAll();
    EXPECT_TRUE(bytes.ok());
    return DecodeAll(*bytes);
  }
  std::string LogPath() { return SegmentFilePath(tmp_.path(), kBase, kLogFileSuffix); }

  TempDir tmp_;
  LogConfig config_;
  std::unique_ptr<LogSegment> segment_;
  int64_t next_ = kBase;
};

TEST_F(LogSegmentTest, AppendedBatchReadsBackWithItsOffsets) {
  AppendBatch(3);
  auto records = ReadAt(kBase);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].offset, kBase);
  EXPECT_EQ(records[2].offset, kBase + 2);
  EXPECT_EQ(records[1].record.key, "k1");
}

TEST_F(LogSegmentTest, ReadFromMiddleOfBatchReturnsWholeBatch) {
  AppendBatch(5);
  AppendBatch(5);
  auto records = ReadAt(kBase + 7);
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.front().offset, kBase + 5);  // the containing batch starts there
}

TEST_F(LogSegmentTest, ReadPastLastOffsetFindsNothing) {
  AppendBatch(2);
  auto info = segment_->Read(kBase + 2, 1000, segment_->SizeInBytes(), true);
  ASSERT_TRUE(info.ok());
  EXPECT_FALSE(info->has_value());
}

TEST_F(LogSegmentTest, MinOneMessageReturnsWholeBatchBeyondMaxSize) {
  size_t size = AppendBatch(10);
  auto whole = segment_->Read(kBase, 10, segment_->SizeInBytes(), true);
  ASSERT_TRUE(whole.ok() && whole->has_value());
  EXPECT_EQ((*whole)->records.size, size);
  auto partial = segment_->Read(kBase, 10, segment_->SizeInBytes(), false);
  ASSERT_TRUE(partial.ok() && partial->has_value());
  EXPECT_EQ((*partial)->records.size, 10u);
  EXPECT_TRUE((*partial)->first_entry_incomplete);
}

TEST_F(LogSegmentTest, IndexHasAboutOneEntryPerIntervalBytes) {
  size_t total = 0, batch = 0;
  for (int i = 0; i < 200; ++i) total += batch = AppendBatch(1, kNow, std::string(1000, 'x'));
  // One entry per interval, rounded up to whole batches.
  EXPECT_GE(segment_->offset_index().entries(), int(total / (4096 + batch)));
  EXPECT_LE(segment_->offset_index().entries(), int(total / 4096));
  EXPECT_TRUE(segment_->SanityCheck().ok());
}

TEST_F(LogSegmentTest, LookupScansAtMostIntervalPlusOneBatch) {
  for (int i = 0; i < 200; ++i) AppendBatch(1, kNow, std::string(1000, 'x'));
  for (int64_t o = kBase; o < next_; o += 7) {
    OffsetPosition entry = segment_->offset_index().Lookup(o);
    auto batch = segment_->TranslateOffset(o);
    ASSERT_TRUE(batch.ok() && batch->has_value());
    EXPECT_LE((*batch)->position - entry.position, 4096u + 1100u);
  }
}

TEST_F(LogSegmentTest, RecoverRebuildsTheSameIndexes) {
  for (int i = 0; i < 100; ++i) AppendBatch(2, kNow + i, std::string(500, 'x'));
  std::vector<OffsetPosition> before;
  for (int i = 0; i < segment_->offset_index().entries(); ++i) {
    before.push_back(segment_->offset_index().Entry(i));
  }
  auto truncated = segment_->Recover();
  ASSERT_TRUE(truncated.ok());
  EXPECT_EQ(*truncated, 0u);
  ASSERT_EQ(segment_->offset_index().entries(), int(before.size()));
  for (size_t i = 0; i < before.size(); ++i)
    EXPECT_EQ(segment_->offset_index().Entry(int(i)), before[i]);
  EXPECT_EQ(segment_->max_timestamp_so_far().timestamp, kNow + 99);
}

TEST_F(LogSegmentTest, RecoverCutsAtFirstCorruptBatch) {
  AppendBatch(3);
  uint32_t good = segment_->SizeInBytes();
  AppendBatch(3);
  segment_.reset();
  std::string data = testing::Slurp(LogPath());
  data[good + 70] ^= 0x01;  // a record byte of the second batch: CRC mismatch
  testing::Spit(LogPath(), data);
  Open();
  auto truncated = segment_->Recover();
  ASSERT_TRUE(truncated.ok());
  EXPECT_EQ(*truncated, data.size() - good);
  EXPECT_EQ(segment_->SizeInBytes(), good);
  EXPECT_EQ(*segment_->ReadNextOffset(), kBase + 3);
}

TEST_F(LogSegmentTest, TruncateToRemovesWholeBatchesFromOffset) {
  AppendBatch(5);
  uint32_t first = segment_->SizeInBytes();
  AppendBatch(5);
  auto removed = segment_->TruncateTo(kBase + 5, kNow);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(segment_->SizeInBytes(), first);
  EXPECT_EQ(*segment_->ReadNextOffset(), kBase + 5);
}

TEST_F(LogSegmentTest, ShouldRollOnSizeTimeAndOffsetRange) {
  RollParams p{.max_segment_ms = 1000,
               .max_segment_bytes = 1 << 20,
               .max_timestamp_in_messages = kNow,
               .max_offset_in_messages = kBase + 1,
               .messages_size = 100,
               .now_ms = kNow};
  EXPECT_FALSE(segment_->ShouldRoll(p));  // empty segment never rolls by time
  AppendBatch(1, kNow);
  EXPECT_FALSE(segment_->ShouldRoll(p));
  p.max_timestamp_in_messages = kNow + 1001;  // measured from the first batch
  EXPECT_TRUE(segment_->ShouldRoll(p));
  p.max_timestamp_in_messages = kNow;
  p.messages_size = (1 << 20) - int32_t(segment_->SizeInBytes()) + 1;
  EXPECT_TRUE(segment_->ShouldRoll(p));
  p.messages_size = 100;
  p.max_offset_in_messages = kBase + (int64_t(1) << 31);
  EXPECT_TRUE(segment_->ShouldRoll(p));
}

TEST_F(LogSegmentTest, ShouldRollWhenIndexIsFull) {
  config_.segment_index_bytes = 8 * 3;  // three offset-index entries
  config_.index_interval_bytes = 1;
  Open();
  RollParams p{.max_segment_ms = 1 << 30,
               .max_segment_bytes = 1 << 30,
               .max_timestamp_in_messages = kNow,
               .max_offset_in_messages = next_ + 10,
               .messages_size = 100,
               .now_ms = kNow};
  while (!segment_->ShouldRoll(p)) AppendBatch(1);
  EXPECT_TRUE(segment_->offset_index().IsFull() || segment_->time_index().IsFull());
}

TEST_F(LogSegmentTest, FindOffsetByTimestampReturnsFirstRecordAtOrAfter) {
  for (int i = 0; i < 50; ++i) AppendBatch(2, kNow + 10 * i, std::string(300, 'x'));
  auto found = segment_->FindOffsetByTimestamp(kNow + 205, kBase);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->timestamp, kNow + 210);
  EXPECT_EQ((*found)->offset, kBase + 42);
  auto none = segment_->FindOffsetByTimestamp(kNow + 10'000, kBase);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_F(LogSegmentTest, ReopenedSegmentKnowsNextOffsetAndLargestTimestamp) {
  for (int i = 0; i < 20; ++i) AppendBatch(3, kNow + i, std::string(700, 'x'));
  ASSERT_TRUE(segment_->Close().ok());
  Open();
  EXPECT_TRUE(segment_->SanityCheck().ok());
  EXPECT_EQ(*segment_->ReadNextOffset(), next_);
  EXPECT_EQ(segment_->LargestTimestamp(), kNow + 19);
}

}  // namespace
}  // namespace gregor
