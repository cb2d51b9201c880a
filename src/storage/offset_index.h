// SPDX-License-Identifier: Apache-2.0
// OffsetIndex: the sparse map from offset to file position of one segment
// (Kafka's OffsetIndex), file <baseOffset:020>.index.
//
//   OffsetIndexFile => Entry*        (8 bytes each, no header)
//   Entry =>
//     relativeOffset  int32 BE   offset - baseOffset of a batch's last record
//     position        int32 BE   byte position of that batch in the .log
//
// Sparse: LogSegment adds an entry only after index.interval.bytes of log
// since the previous one, so a 1 GiB segment with the 4 KiB default has at
// most ~256 Ki entries (2 MiB) and the whole index stays in memory.
// Invariant: entries are strictly increasing in offset and in position.
// Lookup(target) returns the last entry at or before `target`; the segment
// then scans the .log forward from that position, reading at most about
// index.interval.bytes plus one batch.
//
// Thread-safety: none (see AbstractIndex).
#pragma once

#include "storage/abstract_index.h"

namespace gregor {

/// An offset and the file position of the batch that ends at it (Kafka's
/// OffsetPosition).
struct OffsetPosition {
  int64_t offset = 0;
  uint32_t position = 0;
  bool operator==(const OffsetPosition&) const = default;
};

/// The .index of one segment; see the file comment.
class OffsetIndex : public AbstractIndex {
 public:
  static constexpr int kEntrySize = 8;

  /// Opens `path` or creates it preallocated to `max_index_size`. A new
  /// file has no entries; an existing one is taken whole (see
  /// AbstractIndex). `writable` = false maps it read-only (tools).
  /// Errors: KAFKA_STORAGE_ERROR.
  static Result<std::unique_ptr<OffsetIndex>> Open(Env& env, const std::string& path,
                                                   int64_t base_offset, size_t max_index_size,
                                                   bool writable = true);

  /// The entry with the largest offset <= `target`, or {base_offset, 0}
  /// when every entry is above `target` or the index is empty.
  OffsetPosition Lookup(int64_t target) const;

  /// The n-th entry. REQUIRES: 0 <= n < entries().
  OffsetPosition Entry(int n) const;
  /// The last entry, or {base_offset, 0} when empty.
  OffsetPosition LastEntry() const;
  int64_t LastOffset() const { return LastEntry().offset; }

  /// Appends (offset, position). Errors (UNKNOWN_SERVER_ERROR, as Kafka's
  /// InvalidOffsetException): the index is full; `offset` is not above the
  /// last entry's, or outside [base_offset, base_offset + 2^31).
  Status Append(int64_t offset, uint32_t position);

  /// Removes every entry with offset >= `offset`.
  void TruncateTo(int64_t offset);

  Status SanityCheck() const override;

 private:
  using AbstractIndex::AbstractIndex;
};

}  // namespace gregor
