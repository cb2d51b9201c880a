// SPDX-License-Identifier: Apache-2.0
// Cleaner: what one pass keeps, drops and never touches.
#include "storage/cleaner.h"

#include <gtest/gtest.h>

#include "cleaner_test_fixture.h"
#include "record/record_batch_reader.h"

namespace gregor {
namespace {

class CleanerBasicTest : public testing::CleanerTest {
 protected:
  void SetUp() override { Open(); }
};

TEST_F(CleanerBasicTest, KeepsExactlyTheLatestRecordPerKey) {
  std::map<std::string, int64_t> latest;
  for (int round = 0; round < 5; ++round) {
    for (int k = 0; k < 10; ++k) {
      std::string key = "k" + std::to_string(k);
      latest[key] = Put(key, "v" + std::to_string(round));
    }
    Roll();
  }
  int64_t leo = log_->LogEndOffset().value();
  CleanerStats stats = Clean();
  EXPECT_EQ(stats.records_read, 50);
  EXPECT_EQ(stats.records_retained, 10);
  auto by_key = ByKey();
  ASSERT_EQ(by_key.size(), 10u);
  for (const auto& [key, records] : by_key) {
    ASSERT_EQ(records.size(), 1u) << key;
    EXPECT_EQ(records[0].first, latest[key]) << "offset preserved";
    EXPECT_EQ(records[0].second, "v4");
  }
  EXPECT_EQ(log_->LogEndOffset().value(), leo);
  EXPECT_EQ(Put("after", "x"), leo) << "appends continue at the same log end offset";
}

TEST_F(CleanerBasicTest, ActiveSegmentIsNeverCleaned) {
  for (int i = 0; i < 5; ++i) Put("k", "v" + std::to_string(i));
  std::string active = LastSegmentLogPath();
  std::string before = testing::Slurp(active);
  CleanerStats stats = Clean();
  EXPECT_EQ(stats.groups_swapped, 0);
  EXPECT_EQ(ByKey()["k"].size(), 5u);
  EXPECT_EQ(testing::Slurp(active), before);
}

TEST_F(CleanerBasicTest, CleansAgainOnlyWhatBecameDirty) {
  Put("a", "1");
  Put("b", "1");
  Roll();
  Clean();
  EXPECT_EQ(cleaner_.CheckpointOf(tmp_.path(), tp_).value(), 2);
  Put("a", "2");
  Roll();
  CleanerStats stats = Clean();
  EXPECT_EQ(stats.first_dirty_offset, 2);
  EXPECT_EQ(cleaner_.CheckpointOf(tmp_.path(), tp_).value(), 3);
  auto by_key = ByKey();
  ASSERT_EQ(by_key["a"].size(), 1u);
  EXPECT_EQ(by_key["a"][0].second, "2");
  EXPECT_EQ(by_key["b"].size(), 1u);
}

TEST_F(CleanerBasicTest, TombstoneKeptUntilDeleteRetentionThenRemoved) {
  Put("k", "v");
  Tombstone("k");
  Put("other", "x");
  Roll();
  Clean();  // the tombstone supersedes the value but is itself kept
  auto by_key = ByKey();
  ASSERT_EQ(by_key["k"].size(), 1u);
  EXPECT_EQ(by_key["k"][0].second, std::nullopt);

  clock_.AdvanceMs(config_.delete_retention_ms);  // not yet past it
  Clean();
  EXPECT_EQ(ByKey()["k"].size(), 1u);

  clock_.AdvanceMs(1);
  CleanerStats stats = Clean();
  EXPECT_EQ(stats.tombstones_removed, 1);
  by_key = ByKey();
  EXPECT_FALSE(by_key.contains("k"));
  EXPECT_EQ(by_key["other"].size(), 1u);
}

TEST_F(CleanerBasicTest, MinCompactionLagKeepsYoungSegmentsDirty) {
  config_.min_compaction_lag_ms = 10000;
  Open();
  Put("k", "old");
  Roll();
  clock_.AdvanceMs(20000);
  Put("k", "young");
  Roll();
  CleanerStats stats = Clean();
  // The first segment is old enough, the second is not: the map covers
  // only the first, so "old" (its own latest there) stays.
  EXPECT_EQ(stats.first_uncleanable_offset, 1);
  EXPECT_EQ(ByKey()["k"].size(), 2u);

  clock_.AdvanceMs(10001);
  Clean();
  auto by_key = ByKey();
  ASSERT_EQ(by_key["k"].size(), 1u);
  EXPECT_EQ(by_key["k"][0].second, "young");
}

TEST_F(CleanerBasicTest, FullOffsetMapCleansOnlyTheCoveredPrefix) {
  // 40 slots hold 36 keys; 60 distinct keys need two passes.
  LogCleaner small(env_, clock_, 40 * OffsetMap::kSlotBytes);
  for (int round = 0; round < 2; ++round) {
    for (int k = 0; k < 30; ++k) Put("k" + std::to_string(round * 30 + k), "a");
    Roll();
  }
  for (int k = 0; k < 60; ++k) Put("k" + std::to_string(k), "b");
  Roll();
  auto first = small.CleanLog(tmp_.path(), tp_, *log_);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->map_full);
  EXPECT_LT(first->end_offset, first->first_uncleanable_offset);
  for (int pass = 0; pass < 5; ++pass) ASSERT_TRUE(small.CleanLog(tmp_.path(), tp_, *log_).ok());
  auto by_key = ByKey();
  ASSERT_EQ(by_key.size(), 60u);
  for (const auto& [key, records] : by_key) {
    ASSERT_EQ(records.size(), 1u) << key;
    EXPECT_EQ(records[0].second, "b") << key;
  }
}

TEST_F(CleanerBasicTest, RewrittenBatchKeepsBaseOffsetAndProducerFields) {
  BatchOptions options{.compression = CompressionType::kLz4,
                       .producer_id = 42,
                       .producer_epoch = 3,
                       .base_sequence = 17};
  Bytes batch =
      BuildBatch({Record{clock_.NowMs(), "a", "1", {}}, Record{clock_.NowMs(), "b", "1", {}},
                  Record{clock_.NowMs(), "c", "1", {}}},
                 options);
  ASSERT_TRUE(log_->Append(batch, Epoch(5)).ok());
  Put("b", "2");
  Roll();
  Clean();
  auto read = log_->Read(Offset(0), 1 << 20);
  ASSERT_TRUE(read.ok());
  auto bytes = read->records.ReadAll();
  ASSERT_TRUE(bytes.ok());
  auto decoded = DecodeBatch(*bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const RecordBatchHeader& h = decoded->header;
  EXPECT_EQ(h.base_offset, 0);
  EXPECT_EQ(h.producer_id, 42);
  EXPECT_EQ(h.producer_epoch, 3);
  EXPECT_EQ(h.base_sequence, 17);
  EXPECT_EQ(h.partition_leader_epoch, 5);
  EXPECT_EQ(h.compression(), CompressionType::kLz4);
  ASSERT_EQ(decoded->records.size(), 2u);
  EXPECT_EQ(decoded->records[0].offset, 0);
  EXPECT_EQ(decoded->records[1].offset, 2);  // "b" at 1 went: a gap
}

TEST_F(CleanerBasicTest, SmallSegmentsAreGroupedIntoOne) {
  for (int s = 0; s < 4; ++s) {
    Put("k" + std::to_string(s), "v");
    Put("k" + std::to_string(s), "w");
    Roll();
  }
  ASSERT_EQ(log_->NumberOfSegments(), 5);
  CleanerStats stats = Clean();
  EXPECT_EQ(stats.groups_swapped, 1);
  EXPECT_EQ(stats.segments_cleaned, 4);
  EXPECT_EQ(log_->NumberOfSegments(), 2);
  EXPECT_EQ(ByKey().size(), 4u);
}

TEST_F(CleanerBasicTest, CleanedLogSurvivesReopen) {
  for (int i = 0; i < 3; ++i) {
    Put("k", std::to_string(i));
    Put("j", std::to_string(i));
    Roll();
  }
  Clean();
  Reopen(false);
  auto by_key = ByKey();
  ASSERT_EQ(by_key["k"].size(), 1u);
  EXPECT_EQ(by_key["k"][0].second, "2");
  EXPECT_EQ(log_->LogEndOffset().value(), 6);
}

}  // namespace
}  // namespace gregor
