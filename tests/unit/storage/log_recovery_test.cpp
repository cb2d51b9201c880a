// SPDX-License-Identifier: Apache-2.0
// Log loading and recovery: corrupt, torn and garbage tails, broken
// indexes, clean shutdown, I/O errors and power loss.
#include <gtest/gtest.h>

#include <cerrno>

#include "log_test_fixture.h"
#include "storage/log_file_names.h"

namespace gregor {
namespace {

using testing::Slurp;
using testing::Spit;

class LogRecoveryTest : public testing::LogTest {
 protected:
  void SetUp() override {
    config_.segment_bytes = 8192;
    Open();
  }
  // Closes the log (no flush) and reopens it as after a crash, recovering
  // from `recovery_point`.
  void ReopenUnclean(int64_t recovery_point = 0) {
    log_.reset();
    Open(LogLoadParams{Offset(recovery_point), Offset(0), false});
  }
};

TEST_F(LogRecoveryTest, CorruptedLastBatchIsTruncatedToValidPrefix) {
  AppendMany(9, 5);
  int64_t good_end = log_->LogEndOffset().value();
  AppendMany(1, 5);
  std::string path = LastSegmentLogPath();
  log_.reset();
  std::string data = Slurp(path);
  data[data.size() - 10] ^= 0x40;  // inside the last batch's records
  Spit(path, data);
  ReopenUnclean();
  EXPECT_EQ(log_->LogEndOffset(), Offset(good_end));
  EXPECT_GT(log_->recovery_stats().bytes_truncated, 0);
  EXPECT_EQ(ReadAll().size(), size_t(good_end));
}

TEST_F(LogRecoveryTest, TornWriteIsTruncatedToLastCompleteBatch) {
  AppendMany(5, 5);
  int64_t good_end = log_->LogEndOffset().value();
  uint32_t good_size = log_->Segments().back().size;
  AppendMany(1, 5);
  std::string path = LastSegmentLogPath();
  log_.reset();
  ASSERT_TRUE(Env::Default()->Truncate(path, good_size + 30).ok());  // half a batch
  ReopenUnclean();
  EXPECT_EQ(log_->LogEndOffset(), Offset(good_end));
  EXPECT_EQ(log_->Segments().back().size, good_size);
  EXPECT_EQ(log_->recovery_stats().bytes_truncated, 30);
}

TEST_F(LogRecoveryTest, GarbageAfterLastBatchIsTruncated) {
  AppendMany(5, 5);
  uint32_t good_size = log_->Segments().back().size;
  std::string path = LastSegmentLogPath();
  log_.reset();
  Spit(path, Slurp(path) + std::string("\x00\x00\x00\x00\x00\x00\x00\x07garbage!garbage!", 24));
  ReopenUnclean();
  EXPECT_EQ(log_->Segments().back().size, good_size);
  EXPECT_EQ(log_->LogEndOffset(), Offset(25));
  EXPECT_TRUE(Append("k", "v").ok());
}

TEST_F(LogRecoveryTest, CorruptionInEarlierSegmentDeletesAllLaterSegments) {
  AppendMany(30, 5, 300);
  auto segments = log_->Segments();
  ASSERT_GE(segments.size(), 3u);
  std::string path = segments[1].log_path;
  log_.reset();
  std::string data = Slurp(path);
  data[100] ^= 0x01;  // the segment's first batch
  Spit(path, data);
  ReopenUnclean();
  EXPECT_EQ(log_->NumberOfSegments(), 2);
  EXPECT_EQ(log_->LogEndOffset(), Offset(segments[1].base_offset));
  EXPECT_EQ(log_->recovery_stats().segments_deleted, int(segments.size()) - 2);
}

TEST_F(LogRecoveryTest, MissingIndexIsRebuiltEvenAfterCleanShutdown) {
  AppendMany(30, 5, 300);
  auto segments = log_->Segments();
  int entries = segments[0].offset_index_entries;
  ASSERT_GT(entries, 0);
  ASSERT_TRUE(log_->FlushAll().ok());
  log_.reset();
  std::string index = SegmentFilePath(dir(), 0, kIndexFileSuffix);
  ASSERT_TRUE(Env::Default()->RemoveFile(index).ok());
  Open(LogLoadParams{Offset(150), Offset(0), true});
  EXPECT_EQ(log_->recovery_stats().segments_recovered, 1);
  EXPECT_EQ(log_->Segments()[0].offset_index_entries, entries);
  EXPECT_EQ(ReadAt(7).front().offset, 5);
}

TEST_F(LogRecoveryTest, CorruptIndexIsRebuilt) {
  AppendMany(30, 5, 300);
  int entries = log_->Segments()[0].offset_index_entries;
  Reopen(true);
  log_.reset();
  std::string index = SegmentFilePath(dir(), 0, kIndexFileSuffix);
  Spit(index, Slurp(index) + "xyz");  // not a whole number of entries
  Open(LogLoadParams{Offset(150), Offset(0), true});
  EXPECT_EQ(log_->recovery_stats().segments_recovered, 1);
  EXPECT_EQ(log_->Segments()[0].offset_index_entries, entries);
  EXPECT_EQ(ReadAll().size(), 150u);
}

TEST_F(LogRecoveryTest, CleanShutdownSkipsRecovery) {
  AppendMany(30, 5, 300);
  Reopen(true);
  EXPECT_EQ(log_->recovery_stats().segments_recovered, 0);
  EXPECT_EQ(log_->recovery_stats().bytes_validated, 0);
  EXPECT_EQ(log_->LogEndOffset(), Offset(150));
  EXPECT_EQ(Append("k", "v")->first_offset, Offset(150));
}

TEST_F(LogRecoveryTest, UncleanRecoveryValidatesOnlyTheUnflushedTail) {
  AppendMany(60, 5, 300);
  ASSERT_TRUE(log_->FlushAll().ok());
  int64_t recovery_point = log_->RecoveryPoint().value();
  AppendMany(2, 5, 300);
  int segments = log_->NumberOfSegments();
  ASSERT_GT(segments, 4);
  ReopenUnclean(recovery_point);
  EXPECT_LE(log_->recovery_stats().segments_recovered, 2);
  EXPECT_LT(log_->recovery_stats().bytes_validated, 2 * 8192);
  EXPECT_EQ(log_->LogEndOffset(), Offset(310));
}

TEST_F(LogRecoveryTest, FullRecoveryFromOffsetZeroValidatesEverything) {
  AppendMany(30, 5, 300);
  int64_t size = log_->Size();
  ReopenUnclean(0);
  EXPECT_EQ(log_->recovery_stats().segments_recovered, log_->NumberOfSegments());
  EXPECT_EQ(log_->recovery_stats().bytes_validated, size);
}

TEST_F(LogRecoveryTest, StrayFilesAreRemoved) {
  AppendMany(3, 5);
  log_.reset();
  Spit(dir() + "/00000000000000000099.index", "");
  Spit(dir() + "/00000000000000000000.log.deleted", "");
  ReopenUnclean();
  EXPECT_FALSE(env_.FileExists(dir() + "/00000000000000000099.index"));
  EXPECT_FALSE(env_.FileExists(dir() + "/00000000000000000000.log.deleted"));
  EXPECT_EQ(log_->LogEndOffset(), Offset(15));
}

class LogFaultTest : public testing::LogTest {
 protected:
  void SetUp() override {
    config_.segment_bytes = 8192;
    Open();
  }
};

TEST_F(LogFaultTest, NoSpaceOnAppendIsStorageErrorAndLosesNothingAcknowledged) {
  AppendMany(10, 5);
  env_.InjectFault(FaultOp::kWrite, 1, ENOSPC, /*sticky=*/true);
  auto failed = AppendBatch(5);
  EXPECT_EQ(failed.status().code(), ErrorCode::kKafkaStorageError);
  EXPECT_NE(failed.status().message().find("No space left"), std::string::npos);
  EXPECT_TRUE(log_->IsOffline());
  env_.ClearFaults();
  EXPECT_EQ(AppendBatch(5).status().code(), ErrorCode::kKafkaStorageError);  // stays offline
  log_.reset();
  Open();  // unclean: recovery cuts whatever the torn write left
  EXPECT_EQ(log_->LogEndOffset(), Offset(50));
  EXPECT_EQ(ReadAll().size(), 50u);
  EXPECT_TRUE(AppendBatch(5).ok());
}

TEST_F(LogFaultTest, IoErrorOnFlushTakesLogOffline) {
  AppendMany(3, 5);
  env_.InjectFault(FaultOp::kSync, 1, EIO);
  Status s = log_->FlushAll();
  EXPECT_EQ(s.code(), ErrorCode::kKafkaStorageError);
  EXPECT_NE(s.message().find("Input/output error"), std::string::npos);
  EXPECT_TRUE(log_->IsOffline());
  EXPECT_EQ(log_->RecoveryPoint(), Offset(0));  // nothing was confirmed durable
}

TEST_F(LogFaultTest, PowerLossAfterFlushKeepsFlushedRecords) {
  AppendMany(20, 5, 300);
  ASSERT_TRUE(log_->FlushAll().ok());
  Offset flushed = log_->RecoveryPoint();
  AppendMany(20, 5, 300);  // never flushed
  CrashAndRecover(flushed);
  EXPECT_GE(log_->LogEndOffset(), flushed);
  auto all = ReadAll();
  ASSERT_GE(all.size(), size_t(flushed.value()));
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].offset, int64_t(i));
  Offset leo = log_->LogEndOffset();
  EXPECT_EQ(Append("k", "v")->first_offset, leo);
}

TEST_F(LogFaultTest, PowerLossWithoutFlushLeavesAConsistentPrefix) {
  AppendMany(5, 5, 300);
  ASSERT_TRUE(log_->FlushAll().ok());
  AppendMany(30, 5, 300);
  CrashAndRecover(Offset(25));
  EXPECT_EQ(log_->LogEndOffset(), Offset(25));  // exactly what was synced
  EXPECT_EQ(ReadAll().size(), 25u);
  EXPECT_TRUE(AppendBatch(5).ok());
}

TEST_F(LogFaultTest, FlushMessagesSyncsEveryNRecords) {
  config_.flush_messages = 10;
  Open();
  AppendMany(1, 5);
  EXPECT_EQ(log_->RecoveryPoint(), Offset(0));
  AppendMany(1, 5);
  EXPECT_EQ(log_->RecoveryPoint(), Offset(10));
  CrashAndRecover(log_->RecoveryPoint());
  EXPECT_EQ(log_->LogEndOffset(), Offset(10));
}

// With flush.messages=1 a rolled segment is already below the recovery
// point, so the periodic flush of rolled segments skips it: the roll itself
// must make the trimmed indexes durable, or a power loss brings back
// untrimmed indexes that fail the sanity check and are rebuilt (a slow
// restart, found by the fault harness's power-loss runs).
TEST_F(LogFaultTest, PowerLossAfterRollsKeepsTrimmedIndexes) {
  config_.flush_messages = 1;
  Open();
  AppendMany(60, 5, 300);  // ~90 KiB: about ten rolled segments
  ASSERT_GE(log_->Segments().size(), 5u);
  ASSERT_EQ(log_->RecoveryPoint(), log_->LogEndOffset());
  const size_t rolled = log_->Segments().size() - 1;
  CrashAndRecover(log_->RecoveryPoint());
  EXPECT_EQ(log_->Segments().size(), rolled + 1);
  EXPECT_LE(log_->recovery_stats().segments_recovered, 1) << "rolled segments' indexes rebuilt";
  EXPECT_EQ(ReadAll().size(), 300u);
}

}  // namespace
}  // namespace gregor
