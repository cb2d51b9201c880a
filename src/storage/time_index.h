// SPDX-License-Identifier: Apache-2.0
// TimeIndex: the sparse map from timestamp to offset of one segment (Kafka's
// TimeIndex), file <baseOffset:020>.timeindex.
//
//   TimeIndexFile => Entry*          (12 bytes each, no header)
//   Entry =>
//     timestamp       int64 BE   the segment's max timestamp so far
//     relativeOffset  int32 BE   offset - baseOffset of the batch holding it
//
// An entry is added with each offset-index entry, but only when the
// segment's max timestamp has grown since the last one, so timestamps (and
// offsets) in the file never decrease even when producers send records out
// of timestamp order. An entry (T, O) says: T is the largest timestamp of
// the records up to O, first reached in the batch ending at O. Lookup(ts)
// gives the last entry with T <= ts, so no record before O's batch has a
// timestamp >= ts, and the caller scans forward from O's batch
// (LogSegment::FindOffsetByTimestamp).
// When the segment stops being active its final max timestamp is appended,
// so the last entry is the segment's largest timestamp, which is what
// time-based retention reads. One slot is kept free for that final entry.
//
// Thread-safety: none (see AbstractIndex).
#pragma once

#include "storage/abstract_index.h"

namespace gregor {

/// Kafka's RecordBatch.NO_TIMESTAMP.
inline constexpr int64_t kNoTimestamp = -1;

/// A timestamp and the offset it belongs to (Kafka's TimestampOffset).
struct TimestampOffset {
  int64_t timestamp = kNoTimestamp;
  int64_t offset = 0;
  bool operator==(const TimestampOffset&) const = default;
};

/// The .timeindex of one segment; see the file comment.
class TimeIndex : public AbstractIndex {
 public:
  static constexpr int kEntrySize = 12;

  /// As OffsetIndex::Open. Errors: KAFKA_STORAGE_ERROR.
  static Result<std::unique_ptr<TimeIndex>> Open(Env& env, const std::string& path,
                                                 int64_t base_offset, size_t max_index_size,
                                                 bool writable = true);

  /// The entry with the largest timestamp <= `timestamp`, or
  /// {kNoTimestamp, base_offset} when there is none.
  TimestampOffset Lookup(int64_t timestamp) const;

  /// The n-th entry. REQUIRES: 0 <= n < entries().
  TimestampOffset Entry(int n) const;
  /// The last entry, or {kNoTimestamp, base_offset} when empty.
  TimestampOffset LastEntry() const;

  /// Full one slot early: the last slot is reserved for the final entry
  /// appended when the segment becomes inactive.
  bool IsFull() const override { return entries() >= max_entries() - 1; }

  /// Appends (timestamp, offset) if `timestamp` is above the last entry's;
  /// does nothing when equal. `skip_full_check` may use the reserved slot.
  /// Errors (UNKNOWN_SERVER_ERROR): no free slot; `timestamp` below the last
  /// entry's; `offset` below the last entry's or outside the segment range.
  Status MaybeAppend(int64_t timestamp, int64_t offset, bool skip_full_check = false);

  /// Removes every entry with offset >= `offset`.
  void TruncateTo(int64_t offset);

  Status SanityCheck() const override;

 private:
  using AbstractIndex::AbstractIndex;
};

}  // namespace gregor
