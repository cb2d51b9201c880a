// SPDX-License-Identifier: Apache-2.0
// LAB-01 experiments on the time index and ListOffsets (chapter 01, "The
// log and its indexes"): timestamps come from producers and need not rise,
// yet the time index only ever grows, and a lookup by timestamp still finds
// the first offset whose record is at least that new. Exercises
// LogSegment::IndexBatch, TimeIndex::Lookup, OffsetIndex::Lookup and, for
// DeleteRecords, Log::DeletableSegments.
#include <algorithm>
#include <set>

#include "lab01_fixture.h"

namespace gregor::lab01 {
namespace {

class TimeIndexLab01 : public LogLab {
 protected:
  // Batches of 1-6 records whose timestamps jump around within
  // [t0_, t0_ + 10 s): out of order inside a batch and across batches.
  ::testing::AssertionResult AppendShuffledTimes(int batches) {
    for (int i = 0; i < batches; ++i) {
      auto r =
          AppendBatch(int(rng_.Next(1, 6)), 100, [&](int) { return t0_ + rng_.Next(0, 9'999); });
      if (!r) return r;
    }
    return ::testing::AssertionSuccess();
  }
  // The oracle: the first record (by offset) at or above `from` whose
  // timestamp is >= `timestamp`, by brute force over what was appended.
  const WrittenRecord* FirstAtOrAfter(int64_t timestamp, int64_t from = 0) const {
    for (const WrittenRecord& w : records_) {
      if (w.offset >= from && w.timestamp >= timestamp) return &w;
    }
    return nullptr;
  }
  // Every timestamp that matters: each record's, one below and one above,
  // and times before and after all of them.
  std::set<int64_t> Probes() const {
    std::set<int64_t> probes{t0_ - 1000, t0_ + 20'000};
    for (const WrittenRecord& w : records_)
      probes.insert({w.timestamp - 1, w.timestamp, w.timestamp + 1});
    return probes;
  }
  // Looks every probe up and compares with the oracle; returns the misses.
  int CheckProbes(const std::set<int64_t>& probes, int64_t from) {
    int bad = 0;
    for (int64_t t : probes) {
      auto found = log_->LookupOffsetForTimestamp(t);
      EXPECT_TRUE(found.ok()) << found.status().ToString();
      if (!found.ok()) return bad + 1;
      const WrittenRecord* want = FirstAtOrAfter(t, from);
      bool ok = want ? found->has_value() && (*found)->offset == want->offset &&
                           (*found)->timestamp == want->timestamp
                     : !found->has_value();
      if (!ok && ++bad <= 5) {
        ADD_FAILURE() << "timestamp " << t << ": got "
                      << (found->has_value() ? std::to_string((*found)->offset) : "none")
                      << ", expected " << (want ? std::to_string(want->offset) : "none");
      }
    }
    return bad;
  }

  Lcg rng_{7};
  int64_t t0_ = clock_.NowMs();
};

// Claims: (1) the .timeindex entries' timestamps strictly increase even
// though the batches' max timestamps do not, because an entry is written
// only when the segment's max timestamp grew; (2) LookupOffsetForTimestamp(T)
// returns the first offset whose record has timestamp >= T, as a brute-force
// scan of every record would, in whichever segment it lies.
TEST_F(TimeIndexLab01, LookupFindsFirstOffsetWithTimestampAtOrAfter) {
  config_.index_interval_bytes = 512;
  config_.segment_bytes = 8 << 10;
  ASSERT_NO_FATAL_FAILURE(Open());
  ASSERT_TRUE(AppendShuffledTimes(80));
  ASSERT_TRUE(log_->FlushAll().ok());

  int entries = 0, out_of_order = 0;
  int64_t running_max = -1;
  for (const WrittenBatch& b : batches_) {
    if (b.max_timestamp < running_max) ++out_of_order;
    running_max = std::max(running_max, b.max_timestamp);
  }
  auto segments = log_->Segments();
  ASSERT_GT(segments.size(), 2u);
  for (const SegmentInfo& segment : segments) {
    std::vector<TimestampOffset> index = TimeIndexOnDisk(segment);
    entries += int(index.size());
    for (size_t i = 1; i < index.size(); ++i) {
      EXPECT_GT(index[i].timestamp, index[i - 1].timestamp) << "segment " << segment.base_offset;
      EXPECT_GE(index[i].offset, index[i - 1].offset) << "segment " << segment.base_offset;
    }
  }
  EXPECT_GT(out_of_order, 0) << "the experiment needs out-of-order batches";
  EXPECT_GT(entries, int(segments.size()));

  std::set<int64_t> probes = Probes();
  EXPECT_EQ(CheckProbes(probes, 0), 0) << "timestamps looked up wrongly";
  Banner(
      "%zu timestamp lookups over %zu records in %zu segments (%d of %zu batches out of "
      "timestamp order, %d rising time-index entries): all = first offset with ts >= T",
      probes.size(), records_.size(), segments.size(), out_of_order, batches_.size(), entries);
}

// Claims: ListOffsets' special values: earliest (-2) is the log start
// offset, latest (-1) the log end offset, max (-3) the largest timestamp.
// After DeleteRecords raises the log start offset (here into the middle of
// a batch) no lookup answers below it, and retention removes the segments
// wholly below it.
TEST_F(TimeIndexLab01, SpecialTimestampsAndTheLogStartOffset) {
  config_.index_interval_bytes = 512;
  config_.segment_bytes = 8 << 10;
  ASSERT_NO_FATAL_FAILURE(Open());
  ASSERT_TRUE(AppendShuffledTimes(60));
  int64_t leo = log_->LogEndOffset().value();
  int64_t max_ts = 0;
  for (const WrittenRecord& w : records_) max_ts = std::max(max_ts, w.timestamp);

  auto earliest = log_->LookupOffsetForTimestamp(kEarliestTimestamp);
  auto latest = log_->LookupOffsetForTimestamp(kLatestTimestamp);
  auto max = log_->LookupOffsetForTimestamp(kMaxTimestamp);
  ASSERT_TRUE(earliest.ok() && latest.ok() && max.ok());
  ASSERT_TRUE(earliest->has_value() && latest->has_value() && max->has_value());
  int64_t earliest_before = (*earliest)->offset;
  EXPECT_EQ(earliest_before, 0);
  EXPECT_EQ((*latest)->offset, leo);
  EXPECT_EQ((*max)->timestamp, max_ts);

  // DeleteRecords up to the middle of a batch in the third segment.
  auto segments = log_->Segments();
  ASSERT_GT(segments.size(), 3u);
  auto holder = std::find_if(batches_.begin(), batches_.end(), [&](const WrittenBatch& b) {
    return b.segment_base_offset == segments[2].base_offset && b.last_offset > b.first_offset;
  });
  ASSERT_NE(holder, batches_.end());
  int64_t start = holder->first_offset + 1;
  ASSERT_TRUE(log_->MaybeIncrementLogStartOffset(Offset(start)).ok());
  auto deleted = log_->DeleteOldSegments();
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(*deleted, 2);
  EXPECT_EQ(log_->Segments().front().base_offset, segments[2].base_offset);

  earliest = log_->LookupOffsetForTimestamp(kEarliestTimestamp);
  ASSERT_TRUE(earliest.ok() && earliest->has_value());
  EXPECT_EQ((*earliest)->offset, start);
  auto oldest = log_->LookupOffsetForTimestamp(t0_ - 1000);  // older than every record
  ASSERT_TRUE(oldest.ok() && oldest->has_value());
  EXPECT_EQ((*oldest)->offset, start);
  EXPECT_EQ(CheckProbes(Probes(), start), 0) << "lookups after DeleteRecords";
  Banner(
      "earliest=%lld latest=%lld max.timestamp=t0+%lld ms; after DeleteRecords to %lld: "
      "%d segments deleted, earliest=%lld, lookup(older than all)=%lld",
      (long long)earliest_before, (long long)leo, (long long)(max_ts - t0_), (long long)start,
      *deleted, (long long)(*earliest)->offset, (long long)(*oldest)->offset);
}

}  // namespace
}  // namespace gregor::lab01
