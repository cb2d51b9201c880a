// SPDX-License-Identifier: Apache-2.0
// LAB-01 experiments on recovery (chapter 01, "The log and its indexes"):
// after an unclean stop the log re-validates only the segments from the
// recovery point on and cuts each at its first invalid or incomplete
// batch; after a clean shutdown it validates nothing; after a power loss
// every flushed record survives. Exercises LogSegment::Recover and
// LogSegment::IndexBatch (recovery rebuilds the indexes with it).
#include <cerrno>

#include "lab01_fixture.h"

namespace gregor::lab01 {
namespace {

class RecoveryLab01 : public LogLab {
 protected:
  RecoveryLab01() {
    config_.segment_bytes = 16 << 10;
    config_.index_interval_bytes = 1024;
  }
  // 30 flushed batches, then 10 more only written: the unflushed tail that
  // an unclean stop leaves for recovery to check. Returns the recovery point.
  int64_t WriteFlushedThenTail() {
    EXPECT_TRUE(AppendBatches(30, 5, 200));
    EXPECT_TRUE(log_->FlushAll().ok());
    int64_t recovery_point = log_->RecoveryPoint().value();
    EXPECT_TRUE(AppendBatches(10, 5, 200));
    return recovery_point;
  }
  static void Overwrite(const std::string& path, const std::string& data) {
    Status s = WriteStringToFileSync(*Env::Default(), path, data);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
};

// Claim: a batch whose CRC no longer matches (one flipped bit in the last
// batch of the active segment) ends the valid log: recovery cuts the file
// at that batch's start, so the log end offset becomes its base offset,
// every earlier record reads back unchanged, and the cut bytes are
// reported. The log then accepts appends at that offset.
TEST_F(RecoveryLab01, CorruptTailIsTruncatedToTheLastValidBatch) {
  ASSERT_NO_FATAL_FAILURE(Open());
  int64_t recovery_point = WriteFlushedThenTail();
  ASSERT_FALSE(HasFailure());
  WrittenBatch last = batches_.back();
  SegmentInfo active = log_->Segments().back();
  ASSERT_EQ(active.base_offset, last.segment_base_offset);
  int64_t leo_before = log_->LogEndOffset().value();
  StopUnclean();

  std::string data = FileBytes(active, ".log");
  uint32_t flipped = last.position + last.size - 10;  // inside its last record
  data[flipped] ^= 0x10;
  ASSERT_NO_FATAL_FAILURE(Overwrite(active.log_path, data));
  ASSERT_NO_FATAL_FAILURE(ReopenUnclean(recovery_point));

  const LogRecoveryStats& stats = log_->recovery_stats();
  EXPECT_EQ(log_->LogEndOffset().value(), last.first_offset);
  EXPECT_EQ(log_->Segments().back().size, last.position);
  EXPECT_EQ(stats.bytes_truncated, last.size);
  ASSERT_NO_FATAL_FAILURE(ExpectRecords(0, last.first_offset));
  ForgetFrom(last.first_offset);
  ASSERT_TRUE(AppendBatch(5, 200));
  EXPECT_EQ(batches_.back().first_offset, last.first_offset);
  Banner(
      "flipped a bit at byte %u of segment %lld: log end offset %lld -> %lld, %lld B "
      "truncated, %lld earlier records intact",
      flipped, (long long)active.base_offset, (long long)leo_before, (long long)last.first_offset,
      (long long)stats.bytes_truncated, (long long)last.first_offset);
}

// Claim: a torn write (the process died halfway through writing the last
// batch) looks to recovery like a batch that runs past the end of the
// file: it is cut off, and the log ends at the last complete batch.
TEST_F(RecoveryLab01, TornWriteIsCutAtTheLastCompleteBatch) {
  ASSERT_NO_FATAL_FAILURE(Open());
  int64_t recovery_point = WriteFlushedThenTail();
  ASSERT_FALSE(HasFailure());
  WrittenBatch last = batches_.back();
  SegmentInfo active = log_->Segments().back();
  StopUnclean();

  uint32_t torn = last.size / 2;  // half the batch reached the disk
  ASSERT_TRUE(Env::Default()->Truncate(active.log_path, last.position + torn).ok());
  ASSERT_NO_FATAL_FAILURE(ReopenUnclean(recovery_point));

  EXPECT_EQ(log_->LogEndOffset().value(), last.first_offset);
  EXPECT_EQ(log_->Segments().back().size, last.position);
  EXPECT_EQ(log_->recovery_stats().bytes_truncated, torn);
  ASSERT_NO_FATAL_FAILURE(ExpectRecords(0, last.first_offset));
  Banner(
      "cut the last batch (%u B) after %u B: recovery truncated %lld B, log end offset %lld "
      "= that batch's base offset",
      last.size, torn, (long long)log_->recovery_stats().bytes_truncated,
      (long long)log_->LogEndOffset().value());
}

// Claim: recovery cost depends on the unflushed tail, not the log's size.
// A clean shutdown validates nothing; an unclean stop validates exactly
// the segments from the one holding the recovery point to the end; only a
// recovery point of 0 validates everything.
TEST_F(RecoveryLab01, CleanShutdownSkipsValidationUncleanValidatesOnlyTheTail) {
  config_.segment_bytes = 8 << 10;
  ASSERT_NO_FATAL_FAILURE(Open());
  ASSERT_TRUE(AppendBatches(60, 5, 200));
  ASSERT_NO_FATAL_FAILURE(ReopenClean());
  EXPECT_EQ(log_->recovery_stats().segments_recovered, 0);
  EXPECT_EQ(log_->recovery_stats().bytes_validated, 0);
  EXPECT_EQ(log_->LogEndOffset().value(), 300);

  int64_t recovery_point = log_->RecoveryPoint().value();
  ASSERT_TRUE(AppendBatches(6, 5, 200));  // written, never flushed
  int64_t tail_bytes = 0, total = log_->Size();
  int tail_segments = 0, segments = log_->NumberOfSegments();
  auto all = log_->Segments();
  for (size_t i = 0; i < all.size(); ++i) {
    bool holds_or_after = i + 1 == all.size() || all[i + 1].base_offset > recovery_point;
    if (holds_or_after) {
      tail_bytes += all[i].size;
      ++tail_segments;
    }
  }
  ASSERT_NO_FATAL_FAILURE(ReopenUnclean(recovery_point));
  EXPECT_EQ(log_->recovery_stats().segments_recovered, tail_segments);
  EXPECT_EQ(log_->recovery_stats().bytes_validated, tail_bytes);
  EXPECT_EQ(log_->recovery_stats().bytes_truncated, 0);
  EXPECT_LT(tail_bytes, total / 2);
  ASSERT_NO_FATAL_FAILURE(ReopenUnclean(0));
  EXPECT_EQ(log_->recovery_stats().bytes_validated, total);
  ASSERT_NO_FATAL_FAILURE(ExpectRecords(0, 330));
  Banner(
      "clean reopen validated 0 of %lld B; unclean from recovery point %lld validated "
      "%lld B (%d of %d segments); unclean from 0 validated %lld B",
      (long long)total, (long long)recovery_point, (long long)tail_bytes, tail_segments, segments,
      (long long)log_->recovery_stats().bytes_validated);
}

// Claim: after a power loss (FaultInjectionEnv drops every byte that was
// not fsynced, and every file whose creation was not made durable) the log
// recovers to a valid prefix that contains everything flushed before the
// crash; what was only written may be gone.
TEST_F(RecoveryLab01, PowerLossKeepsEveryFlushedRecord) {
  config_.segment_bytes = 8 << 10;
  ASSERT_NO_FATAL_FAILURE(Open());
  ASSERT_TRUE(AppendBatches(20, 5, 200));
  ASSERT_TRUE(log_->FlushAll().ok());
  int64_t flushed = log_->RecoveryPoint().value();
  ASSERT_TRUE(AppendBatches(20, 5, 200));
  int64_t written = log_->LogEndOffset().value();
  int segments_before = log_->NumberOfSegments();

  ASSERT_TRUE(env_.SimulateCrash().ok());
  log_.reset();  // the dying process cannot write any more
  env_.SetFilesystemActive(true);
  ASSERT_NO_FATAL_FAILURE(Open(LogLoadParams{Offset(flushed), Offset(0), false}));

  int64_t survived = log_->LogEndOffset().value();
  EXPECT_GE(survived, flushed);
  EXPECT_LE(survived, written);
  ASSERT_NO_FATAL_FAILURE(ExpectRecords(0, survived));
  ForgetFrom(survived);
  ASSERT_TRUE(AppendBatch(5, 200));
  EXPECT_EQ(batches_.back().first_offset, survived);
  Banner(
      "power loss: %lld records flushed, %lld written; %lld survive as a valid prefix, "
      "segments %d -> %d",
      (long long)flushed, (long long)written, (long long)survived, segments_before,
      log_->NumberOfSegments());
}

}  // namespace
}  // namespace gregor::lab01
