// SPDX-License-Identifier: Apache-2.0
// LAB-01 experiments on segments, rolling and retention (chapter 01, "The
// log and its indexes"): the log is a row of segments named by their base
// offset; retention deletes whole segments, oldest first, and never the
// active one. Exercises Log::DeletableSegments, LogSegment::IndexBatch and
// OffsetIndex::Lookup (every read-back).
#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>

#include "lab01_fixture.h"

namespace gregor::lab01 {
namespace {

class RetentionLab01 : public LogLab {
 protected:
  RetentionLab01() {
    config_.segment_bytes = 8 << 10;
    config_.index_interval_bytes = 1024;
  }
};

// Claim: retention.ms deletes a segment once its newest record is older
// than retention.ms, walking from the oldest segment and stopping at the
// first one it must keep; even when every record has expired the active
// segment stays, and the log start offset moves to the first kept base.
TEST_F(RetentionLab01, RetentionMsDeletesOldSegmentsButNeverTheActiveOne) {
  config_.retention_ms = 20'000;
  ASSERT_NO_FATAL_FAILURE(Open());
  ASSERT_TRUE(AppendBatches(40, 5, 200, /*step_ms=*/1000));  // one batch a second
  auto before = log_->Segments();
  ASSERT_GT(before.size(), 4u);

  // Now is 40 s after the first batch: the oldest segments have expired.
  int expired = 0;
  int64_t now = clock_.NowMs();
  while (size_t(expired) + 1 < before.size() &&
         now - before[size_t(expired)].largest_timestamp > config_.retention_ms) {
    ++expired;
  }
  auto deleted = log_->DeleteOldSegments();
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(*deleted, expired);
  EXPECT_GT(expired, 0);
  EXPECT_LT(size_t(expired) + 1, before.size());
  EXPECT_EQ(log_->LogStartOffset().value(), before[size_t(expired)].base_offset);

  // A day later everything has expired; the active segment still stays.
  clock_.AdvanceMs(24 * 60 * 60 * 1000);
  auto deleted_later = log_->DeleteOldSegments();
  ASSERT_TRUE(deleted_later.ok()) << deleted_later.status().ToString();
  EXPECT_EQ(*deleted + *deleted_later, int(before.size()) - 1);
  ASSERT_EQ(log_->NumberOfSegments(), 1);
  int64_t active_base = before.back().base_offset;
  EXPECT_EQ(log_->Segments()[0].base_offset, active_base);
  EXPECT_EQ(log_->LogStartOffset().value(), active_base);
  EXPECT_EQ(log_->Read(Offset(active_base - 1), 1 << 20).status().code(),
            ErrorCode::kOffsetOutOfRange);
  ASSERT_NO_FATAL_FAILURE(ExpectRecords(active_base, log_->LogEndOffset().value()));
  auto again = log_->DeleteOldSegments();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
  Banner("retention.ms=%" PRId64
         ": %zu segments; at +40 s %d deleted (newest record older "
         "than 20 s), at +1 day %d more; the active segment [%" PRId64 ", %" PRId64
         ") stays, "
         "log start offset %" PRId64,
         config_.retention_ms, before.size(), *deleted, *deleted_later, active_base,
         log_->LogEndOffset().value(), log_->LogStartOffset().value());
}

// Claim: retention.bytes deletes whole segments, oldest first, as long as
// the log stays at or above the limit: afterwards the log is at least
// retention.bytes and deleting its oldest remaining segment would take it
// below. What remains is the newest segments, untouched.
TEST_F(RetentionLab01, RetentionBytesDeletesOldestSegmentsFirst) {
  config_.retention_ms = -1;
  config_.retention_bytes = 20 << 10;
  ASSERT_NO_FATAL_FAILURE(Open());
  ASSERT_TRUE(AppendBatches(60, 5, 200));
  auto before = log_->Segments();
  int64_t size_before = log_->Size();
  ASSERT_GT(size_before, 2 * config_.retention_bytes);

  auto deleted = log_->DeleteOldSegments();
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  auto after = log_->Segments();
  ASSERT_FALSE(after.empty());
  EXPECT_EQ(after.size() + size_t(*deleted), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].base_offset, before[size_t(*deleted) + i].base_offset);
    EXPECT_EQ(after[i].size, before[size_t(*deleted) + i].size);
  }
  int64_t size = log_->Size();
  EXPECT_GE(size, config_.retention_bytes);
  EXPECT_LT(size - int64_t(after[0].size), config_.retention_bytes);
  EXPECT_EQ(log_->LogStartOffset().value(), after[0].base_offset);
  ASSERT_NO_FATAL_FAILURE(ExpectRecords(after[0].base_offset, log_->LogEndOffset().value()));
  Banner("retention.bytes=%" PRId64 ": %zu segments / %" PRId64 " B -> %zu / %" PRId64
         " B, the oldest %d deleted; one more would leave %" PRId64 " B",
         config_.retention_bytes, before.size(), size_before, after.size(), size, *deleted,
         size - int64_t(after[0].size));
}

class LogRollLab01 : public LogLab {};

// Claim: the active segment rolls when the next append would pass
// segment.bytes; the new segment is named by the next offset (the log end
// offset), so segment i+1's base offset is one past segment i's last
// offset, each .log is <base offset, 20 digits>.log, and the segments
// together hold every record exactly once.
TEST_F(LogRollLab01, SegmentBytesRollsAtTheNextOffset) {
  config_.segment_bytes = 10'000;
  config_.index_interval_bytes = 1024;
  ASSERT_NO_FATAL_FAILURE(Open());
  Lcg rng(3);
  for (int i = 0; i < 60; ++i) {
    ASSERT_TRUE(AppendBatch(int(rng.Next(1, 8)), size_t(rng.Next(50, 500))));
  }
  auto segments = log_->Segments();
  ASSERT_GT(segments.size(), 3u);
  uint32_t fullest = 0, emptiest = UINT32_MAX;
  std::string bases;
  for (size_t i = 0; i < segments.size(); ++i) {
    const SegmentInfo& s = segments[i];
    char name[32];
    std::snprintf(name, sizeof name, "/%020" PRId64 ".log", s.base_offset);
    EXPECT_TRUE(s.log_path.ends_with(name)) << s.log_path;
    EXPECT_LE(s.size, uint32_t(config_.segment_bytes));
    // The batches that went to this segment start at its base and fill it.
    uint32_t bytes = 0;
    int64_t first = -1, last = -1;
    const WrittenBatch* next_batch = nullptr;
    for (const WrittenBatch& b : batches_) {
      if (b.segment_base_offset == s.base_offset) {
        if (first < 0) first = b.first_offset;
        last = b.last_offset;
        bytes += b.size;
      } else if (first >= 0 && !next_batch) {
        next_batch = &b;
      }
    }
    EXPECT_EQ(first, s.base_offset);
    EXPECT_EQ(bytes, s.size);
    if (i + 1 < segments.size()) {
      EXPECT_EQ(segments[i + 1].base_offset, last + 1);
      ASSERT_NE(next_batch, nullptr);
      EXPECT_GT(s.size + next_batch->size, uint32_t(config_.segment_bytes))
          << "segment " << s.base_offset << " rolled with room left";
      fullest = std::max(fullest, s.size);
      emptiest = std::min(emptiest, s.size);
    }
    if (i < 5) bases += (i ? ", " : "") + std::to_string(s.base_offset);
  }
  ASSERT_NO_FATAL_FAILURE(ExpectRecords(0, log_->LogEndOffset().value()));
  Banner(
      "segment.bytes=%d: %zu segments, base offsets %s, ...; each rolled segment holds "
      "%u..%u B (the next batch would not fit)",
      config_.segment_bytes, segments.size(), bases.c_str(), emptiest, fullest);
}

}  // namespace
}  // namespace gregor::lab01
