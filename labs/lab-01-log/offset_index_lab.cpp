// SPDX-License-Identifier: Apache-2.0
// LAB-01 experiments on the offset index (chapter 01, "The log and its
// indexes"): the index is sparse, one entry per index.interval.bytes of
// log; a lookup picks the last entry at or below the offset and scans
// forward at most about one interval; a read from any offset starts at the
// batch that holds it. Exercises LogSegment::IndexBatch and
// OffsetIndex::Lookup.
#include <algorithm>
#include <cstdint>

#include "lab01_fixture.h"

namespace gregor::lab01 {
namespace {

class OffsetIndexLab01 : public LogLab {};

// Claim: an entry is added when more than index.interval.bytes of log were
// written since the previous one, so consecutive entries are more than one
// interval and at most one interval plus one batch apart, and a segment of
// S bytes has fewer than S / interval entries. An interval smaller than a
// batch gives an entry per batch (the index cannot be finer than batches);
// one larger than the segment gives none. The closed .index file is 8
// bytes per entry, nothing else.
TEST_F(OffsetIndexLab01, IndexHasOneEntryPerIndexIntervalBytes) {
  for (int32_t interval : {512, 4096, 16384, 1 << 20}) {
    SCOPED_TRACE("index.interval.bytes=" + std::to_string(interval));
    if (log_) {
      ASSERT_TRUE(log_->Delete().ok());
    }
    batches_.clear();
    records_.clear();
    config_.index_interval_bytes = interval;
    ASSERT_NO_FATAL_FAILURE(Open());
    // 200 batches of 10 records of 90 bytes, ~1 KiB each, one segment.
    ASSERT_TRUE(AppendBatches(200, 10, 90, /*step_ms=*/1));
    ASSERT_TRUE(log_->FlushAll().ok());
    ASSERT_EQ(log_->NumberOfSegments(), 1);
    SegmentInfo segment = log_->Segments()[0];
    // Batches differ by a few bytes (keys "k7" .. "k1999"): bound by the largest.
    uint32_t smallest = UINT32_MAX, batch = 0;
    for (const WrittenBatch& b : batches_) {
      smallest = std::min(smallest, b.size);
      batch = std::max(batch, b.size);
    }
    int64_t total = segment.size;
    std::vector<OffsetPosition> entries = OffsetIndexOnDisk(segment);
    int k = int(entries.size());
    ASSERT_EQ(k, segment.offset_index_entries);

    // The count: S / (interval + batch) - 1 <= k < S / interval.
    int64_t lower = std::max<int64_t>(0, (total + interval + batch - 1) / (interval + batch) - 1);
    EXPECT_GE(k, lower);
    EXPECT_LT(int64_t(k) * interval, std::max<int64_t>(total, 1));
    // The spacing, and each entry is (last offset, position) of one batch.
    uint32_t previous = 0, min_gap = UINT32_MAX, max_gap = 0;
    for (const OffsetPosition& e : entries) {
      uint32_t gap = e.position - previous;
      min_gap = std::min(min_gap, gap);
      max_gap = std::max(max_gap, gap);
      EXPECT_GT(gap, uint32_t(interval)) << "entry at position " << e.position;
      EXPECT_LE(gap, uint32_t(interval) + batch) << "entry at position " << e.position;
      auto holder = std::find_if(batches_.begin(), batches_.end(),
                                 [&](const WrittenBatch& b) { return b.position == e.position; });
      ASSERT_NE(holder, batches_.end()) << "entry points inside a batch: " << e.position;
      EXPECT_EQ(e.offset, holder->last_offset);
      previous = e.position;
    }
    // Closing trims the preallocated file to the valid entries.
    ASSERT_TRUE(log_->Close().ok());
    EXPECT_EQ(FileBytes(segment, ".index").size(), size_t(k) * 8);
    if (k > 0) {
      Banner(
          "index.interval.bytes=%-7d %3d index entries for %lld B of %u..%u-B batches "
          "(bounds %lld..%lld), entries %u..%u B apart",
          interval, k, (long long)total, smallest, batch, (long long)lower,
          (long long)((total - 1) / interval), min_gap, max_gap);
    } else {
      Banner(
          "index.interval.bytes=%-7d %3d index entries for %lld B: the segment is "
          "smaller than one interval, .index file is %zu B",
          interval, k, (long long)total, FileBytes(segment, ".index").size());
    }
  }
}

// Claim: Lookup(offset) returns the entry with the largest offset <= the
// target ({base, 0} when there is none), and the forward scan from that
// entry to the batch holding the offset never exceeds index.interval.bytes
// plus one batch. Batches here vary in size (1-8 records of 20-600 B).
TEST_F(OffsetIndexLab01, LookupScansAtMostOneIntervalPlusOneBatch) {
  config_.index_interval_bytes = 4096;
  ASSERT_NO_FATAL_FAILURE(Open());
  Lcg rng(1);
  for (int i = 0; i < 150; ++i) {
    ASSERT_TRUE(AppendBatch(int(rng.Next(1, 8)), size_t(rng.Next(20, 600))));
  }
  ASSERT_TRUE(log_->FlushAll().ok());
  ASSERT_EQ(log_->NumberOfSegments(), 1);
  std::vector<OffsetPosition> entries = OffsetIndexOnDisk(log_->Segments()[0]);
  ASSERT_GT(entries.size(), 5u);
  uint32_t largest = 0;
  for (const WrittenBatch& b : batches_) largest = std::max(largest, b.size);
  const uint32_t bound = uint32_t(config_.index_interval_bytes) + largest;

  int64_t leo = log_->LogEndOffset().value();
  int bad = 0;
  uint64_t scanned_sum = 0, position_sum = 0;
  uint32_t scanned_max = 0;
  size_t b = 0;  // the batch holding `offset`
  for (int64_t offset = 0; offset < leo; ++offset) {
    while (batches_[b].last_offset < offset) ++b;
    auto trace = log_->TraceOffsetLookup(Offset(offset));
    ASSERT_TRUE(trace.ok()) << trace.status().ToString();
    OffsetPosition expected{0, 0};
    for (const OffsetPosition& e : entries) {
      if (e.offset <= offset) expected = e;
    }
    bool ok = trace->index_entry == expected && trace->batch.position == batches_[b].position &&
              trace->batch.offset == batches_[b].last_offset && trace->bytes_scanned <= bound;
    if (!ok && ++bad <= 5) {
      ADD_FAILURE() << "offset " << offset << ": entry (" << trace->index_entry.offset << ", "
                    << trace->index_entry.position << ") expected (" << expected.offset << ", "
                    << expected.position << "); batch at " << trace->batch.position << " expected "
                    << batches_[b].position << "; scanned " << trace->bytes_scanned << " B, bound "
                    << bound;
    }
    scanned_sum += trace->bytes_scanned;
    scanned_max = std::max(scanned_max, trace->bytes_scanned);
    position_sum += batches_[b].position;
  }
  EXPECT_EQ(bad, 0) << "offsets with a wrong lookup";
  Banner(
      "%lld lookups via %zu index entries: scanned avg %llu B, max %u B <= interval %d + "
      "largest batch %u (no index: avg %llu B)",
      (long long)leo, entries.size(), (unsigned long long)(scanned_sum / uint64_t(leo)),
      scanned_max, config_.index_interval_bytes, largest,
      (unsigned long long)(position_sum / uint64_t(leo)));
}

// Claim: a read may start at any offset, also one inside a batch and in
// any segment; it returns whole batches, starting with the one holding
// that offset (a consumer drops the records before its position).
TEST_F(OffsetIndexLab01, ReadFromMiddleOffsetReturnsTheBatchHoldingIt) {
  config_.index_interval_bytes = 1024;
  config_.segment_bytes = 16 << 10;
  ASSERT_NO_FATAL_FAILURE(Open());
  ASSERT_TRUE(AppendBatches(80, 5, 150));
  int segments = log_->NumberOfSegments();
  ASSERT_GT(segments, 3);
  int bad = 0;
  for (const WrittenBatch& b : batches_) {
    int64_t middle = (b.first_offset + b.last_offset + 1) / 2;
    auto info = log_->Read(Offset(middle), /*max_length=*/1, /*min_one_message=*/true);
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    auto bytes = info->records.ReadAll();
    ASSERT_TRUE(bytes.ok());
    auto records = Decode(*bytes);
    bool ok = !records.empty() && records.front().offset == b.first_offset &&
              records.back().offset == b.last_offset && bytes->size() == b.size &&
              info->fetch_offset_metadata.segment_base_offset == b.segment_base_offset &&
              info->fetch_offset_metadata.relative_position_in_segment == b.position;
    if (!ok && ++bad <= 5) {
      ADD_FAILURE() << "read at " << middle << " returned " << records.size() << " records from "
                    << (records.empty() ? -1 : records.front().offset) << ", expected the batch "
                    << b.first_offset << ".." << b.last_offset << " at position " << b.position
                    << " of segment " << b.segment_base_offset;
    }
  }
  EXPECT_EQ(bad, 0) << "reads that did not start at the holding batch";
  const WrittenBatch& sample = batches_[batches_.size() / 2];
  Banner(
      "read at a middle offset of each of %zu batches in %d segments: each returned its "
      "holding batch (e.g. offset %lld -> batch %lld..%lld at position %u of segment %lld)",
      batches_.size(), segments, (long long)((sample.first_offset + sample.last_offset + 1) / 2),
      (long long)sample.first_offset, (long long)sample.last_offset, sample.position,
      (long long)sample.segment_base_offset);
}

}  // namespace
}  // namespace gregor::lab01
