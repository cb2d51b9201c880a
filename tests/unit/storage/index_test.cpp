// SPDX-License-Identifier: Apache-2.0
// OffsetIndex and TimeIndex.
#include <gtest/gtest.h>

#include "storage/log_file_names.h"
#include "storage/offset_index.h"
#include "storage/time_index.h"
#include "storage_test_util.h"

namespace gregor {
namespace {

using testing::TempDir;

class OffsetIndexTest : public ::testing::Test {
 protected:
  static constexpr int64_t kBase = 100;
  void SetUp() override { Open(); }
  void Open(size_t max_bytes = 80) {
    index_.reset();
    auto r = OffsetIndex::Open(*Env::Default(), path_, kBase, max_bytes);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    index_ = std::move(*r);
  }
  TempDir tmp_;
  std::string path_ = SegmentFilePath(tmp_.path(), kBase, kIndexFileSuffix);
  std::unique_ptr<OffsetIndex> index_;
};

TEST_F(OffsetIndexTest, NewIndexIsPreallocatedAndEmpty) {
  EXPECT_EQ(index_->entries(), 0);
  EXPECT_EQ(index_->max_entries(), 10);
  EXPECT_EQ(*Env::Default()->FileSize(path_), 80u);
  EXPECT_EQ(index_->Lookup(500), (OffsetPosition{kBase, 0}));
}

TEST_F(OffsetIndexTest, LookupFindsLargestEntryAtOrBelowTarget) {
  ASSERT_TRUE(index_->Append(110, 1000).ok());
  ASSERT_TRUE(index_->Append(120, 2000).ok());
  ASSERT_TRUE(index_->Append(130, 3000).ok());
  EXPECT_EQ(index_->Lookup(99), (OffsetPosition{kBase, 0}));  // below everything
  EXPECT_EQ(index_->Lookup(109), (OffsetPosition{kBase, 0}));
  EXPECT_EQ(index_->Lookup(110), (OffsetPosition{110, 1000}));   // exact
  EXPECT_EQ(index_->Lookup(125), (OffsetPosition{120, 2000}));   // between
  EXPECT_EQ(index_->Lookup(9999), (OffsetPosition{130, 3000}));  // past the end
}

TEST_F(OffsetIndexTest, AppendRejectsNonIncreasingOffsets) {
  ASSERT_TRUE(index_->Append(110, 1000).ok());
  EXPECT_FALSE(index_->Append(110, 2000).ok());
  EXPECT_FALSE(index_->Append(105, 2000).ok());
  EXPECT_FALSE(index_->Append(kBase - 1 + 0, 0).ok());  // below the base offset
  EXPECT_EQ(index_->entries(), 1);
}

TEST_F(OffsetIndexTest, FullIndexRefusesAppends) {
  for (int i = 1; i <= 10; ++i) ASSERT_TRUE(index_->Append(kBase + i, uint32_t(i * 10)).ok());
  EXPECT_TRUE(index_->IsFull());
  EXPECT_FALSE(index_->Append(kBase + 11, 110).ok());
}

TEST_F(OffsetIndexTest, TruncateToRemovesEntriesAtAndAboveOffset) {
  for (int i = 1; i <= 5; ++i) ASSERT_TRUE(index_->Append(kBase + 10 * i, uint32_t(i * 100)).ok());
  index_->TruncateTo(130);
  EXPECT_EQ(index_->entries(), 2);
  EXPECT_EQ(index_->LastEntry(), (OffsetPosition{120, 200}));
  index_->TruncateTo(0);
  EXPECT_EQ(index_->entries(), 0);
}

TEST_F(OffsetIndexTest, CloseTrimsFileAndReopenKeepsEntries) {
  ASSERT_TRUE(index_->Append(110, 1000).ok());
  ASSERT_TRUE(index_->Append(120, 2000).ok());
  ASSERT_TRUE(index_->Close().ok());
  EXPECT_EQ(*Env::Default()->FileSize(path_), 16u);
  Open();
  EXPECT_EQ(index_->entries(), 2);
  EXPECT_EQ(index_->Lookup(121), (OffsetPosition{120, 2000}));
  EXPECT_TRUE(index_->SanityCheck().ok());
}

TEST_F(OffsetIndexTest, SanityCheckRejectsPartialEntry) {
  ASSERT_TRUE(index_->Append(110, 1000).ok());
  ASSERT_TRUE(index_->Close().ok());
  testing::Spit(path_, testing::Slurp(path_) + "abc");
  Open();
  EXPECT_EQ(index_->SanityCheck().code(), ErrorCode::kCorruptMessage);
}

TEST_F(OffsetIndexTest, SanityCheckRejectsUntrimmedZeroTail) {
  ASSERT_TRUE(index_->Append(110, 1000).ok());
  ASSERT_TRUE(index_->Flush().ok());
  index_.reset();
  // A crash before trimming: the preallocated zeros are still there.
  ASSERT_TRUE(Env::Default()->Truncate(path_, 80).ok());
  Open();
  EXPECT_EQ(index_->entries(), 10);
  EXPECT_FALSE(index_->SanityCheck().ok());
}

TEST_F(OffsetIndexTest, ResetDropsEntriesAndRegrows) {
  ASSERT_TRUE(index_->Append(110, 1000).ok());
  ASSERT_TRUE(index_->Reset(80).ok());
  EXPECT_EQ(index_->entries(), 0);
  EXPECT_EQ(index_->max_entries(), 10);
  EXPECT_EQ(index_->Lookup(200), (OffsetPosition{kBase, 0}));
}

class TimeIndexTest : public ::testing::Test {
 protected:
  static constexpr int64_t kBase = 100;
  void SetUp() override {
    auto r = TimeIndex::Open(*Env::Default(), tmp_.path() + "/x.timeindex", kBase, 12 * 4);
    ASSERT_TRUE(r.ok());
    index_ = std::move(*r);
  }
  TempDir tmp_;
  std::unique_ptr<TimeIndex> index_;
};

TEST_F(TimeIndexTest, LookupFindsLargestTimestampAtOrBelowTarget) {
  ASSERT_TRUE(index_->MaybeAppend(1000, 105).ok());
  ASSERT_TRUE(index_->MaybeAppend(2000, 110).ok());
  EXPECT_EQ(index_->Lookup(999), (TimestampOffset{kNoTimestamp, kBase}));
  EXPECT_EQ(index_->Lookup(1000), (TimestampOffset{1000, 105}));
  EXPECT_EQ(index_->Lookup(1999), (TimestampOffset{1000, 105}));
  EXPECT_EQ(index_->Lookup(5000), (TimestampOffset{2000, 110}));
}

TEST_F(TimeIndexTest, AppendsOnlyWhenTimestampGrows) {
  ASSERT_TRUE(index_->MaybeAppend(1000, 105).ok());
  ASSERT_TRUE(index_->MaybeAppend(1000, 106).ok());  // same timestamp: no entry
  EXPECT_EQ(index_->entries(), 1);
  EXPECT_FALSE(index_->MaybeAppend(900, 107).ok());  // going back is a bug
}

TEST_F(TimeIndexTest, KeepsLastSlotForFinalEntry) {
  ASSERT_TRUE(index_->MaybeAppend(1, 101).ok());
  ASSERT_TRUE(index_->MaybeAppend(2, 102).ok());
  ASSERT_TRUE(index_->MaybeAppend(3, 103).ok());
  EXPECT_TRUE(index_->IsFull());  // 4 slots, one reserved
  EXPECT_FALSE(index_->MaybeAppend(4, 104).ok());
  EXPECT_TRUE(index_->MaybeAppend(4, 104, /*skip_full_check=*/true).ok());
}

TEST_F(TimeIndexTest, TruncateToRemovesEntriesAtAndAboveOffset) {
  ASSERT_TRUE(index_->MaybeAppend(1000, 105).ok());
  ASSERT_TRUE(index_->MaybeAppend(2000, 110).ok());
  index_->TruncateTo(110);
  EXPECT_EQ(index_->LastEntry(), (TimestampOffset{1000, 105}));
  EXPECT_TRUE(index_->SanityCheck().ok());
}

TEST(LogFileNamesTest, PrefixIsTwentyDigitsAndParsesBack) {
  EXPECT_EQ(FilenamePrefixFromOffset(42), "00000000000000000042");
  EXPECT_EQ(OffsetFromFileName("00000000000000000042.index", kIndexFileSuffix), 42);
  EXPECT_EQ(OffsetFromFileName("00000000000000000042.log", kIndexFileSuffix), std::nullopt);
  EXPECT_EQ(OffsetFromFileName("0000000000000000004x.log", kLogFileSuffix), std::nullopt);
}

}  // namespace
}  // namespace gregor
