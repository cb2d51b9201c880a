// SPDX-License-Identifier: Apache-2.0
// Cleaner: one compaction pass over one Log (the Cleaner inside Kafka's
// LogCleaner). A compacted log keeps, for every key, at least its latest
// record; older records of the key may go.
//
//   | clean section           | dirty section             | uncleanable   |
//   LogStartOffset     checkpoint        first uncleanable offset     LEO
//
// The cleaner checkpoint (cleaner-offset-checkpoint, log_cleaner.h) is
// where the last pass stopped. The first uncleanable offset is the active
// segment's base offset, or earlier: the base of the first segment whose
// newest record is younger than min.compaction.lag.ms.
//
// One pass:
//  1. Build the OffsetMap over the dirty section: key -> latest offset. If
//     the map fills up, stop at the last batch that fit; the pass then
//     cleans only up to there (end offset), as Kafka does.
//  2. Take every segment below the end offset (clean section and the
//     covered dirty part), in groups of consecutive segments whose sizes
//     sum to at most segment.bytes (index entries within
//     segment.index.bytes, offsets within 2^31 of the group's base).
//  3. Rewrite each group into one new segment `<base>.log.cleaned`: a
//     record stays unless the map holds a later offset for its key; a
//     tombstone (null value) below the end offset also goes once its
//     segment was already cleaned and its newest record is older than
//     delete.retention.ms.
//     Offsets are kept (the log now has gaps); a batch keeps its base
//     offset, producer id/epoch/base sequence, attributes, compression and
//     timestamp type. A batch with every record kept is copied byte for
//     byte; a batch with none kept is dropped; control batches are copied.
//     Segments left with no record at all are deleted, not swapped.
//  4. Swap the new segment in (cleaner_swap.cpp): `.cleaned` fsynced,
//     renamed to `.swap`, directory fsynced; old segments renamed to
//     `.deleted`; `.swap` renamed to the final names; directory fsynced;
//     `.deleted` removed. Log loading completes a `.swap` it finds
//     (log_loader.cpp), so a crash at any step leaves the old segments or
//     the new one, never a mix and never a loss.
//  The caller then stores the end offset as the new checkpoint.
//
// Simplifications, named: Kafka (KIP-534) stamps a delete horizon into a
// tombstone's batch when it is first cleaned and drops it
// delete.retention.ms later; we measure delete.retention.ms from the
// segment's newest record timestamp (Kafka's older rule used the segment
// file's mtime), and only in segments cleaned before. Kafka keeps an empty
// batch when it was a producer's last, to keep producer state; there is no
// producer state yet (chapter 07), so empty batches are dropped.
//
// Thread-safety: a Cleaner belongs to one cleaner thread. It reads inactive
// segments without the Log's lock (they are immutable; a shared_ptr keeps
// them alive) and takes the lock only to snapshot segments and to swap.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "storage/log.h"
#include "storage/offset_map.h"

namespace gregor {

/// What one cleaning pass did (Kafka's CleanerStats, in part).
struct CleanerStats {
  int64_t first_dirty_offset = 0;
  /// The first uncleanable offset at the start of the pass.
  int64_t first_uncleanable_offset = 0;
  /// Where the map stopped: the next checkpoint.
  int64_t end_offset = 0;
  bool map_full = false;
  int64_t bytes_read = 0;
  int64_t bytes_written = 0;
  int64_t records_read = 0;
  int64_t records_retained = 0;
  int64_t tombstones_removed = 0;
  int segments_cleaned = 0;
  int groups_swapped = 0;
  /// Segments deleted because every record in them was superseded.
  int segments_deleted = 0;
};

/// One compaction pass over one Log; see the file comment.
class Cleaner {
 public:
  /// Called with a name before each file operation of the swap ("rename
  /// 00..0.log.cleaned", "syncdir", ...): tests crash there.
  using FileOpHook = std::function<void(const std::string& op)>;

  /// A cleaner whose OffsetMap uses `dedupe_buffer_bytes`
  /// (log.cleaner.dedupe.buffer.size / log.cleaner.threads).
  Cleaner(size_t dedupe_buffer_bytes, Clock& clock);

  /// Cleans `log` from `checkpoint` (raised to LogStartOffset). Returns
  /// the stats; stats.end_offset is the new checkpoint. Errors:
  /// KAFKA_STORAGE_ERROR (the log may be offline; reopening recovers it),
  /// CORRUPT_MESSAGE (a bad batch in a segment), UNKNOWN_SERVER_ERROR
  /// (one batch holds more keys than the map).
  Result<CleanerStats> Clean(Log& log, int64_t checkpoint);

  /// The first offset a pass may not clean now (see the file comment).
  static int64_t FirstUncleanableOffset(Log& log, int64_t now_ms);

  void set_file_op_hook(FileOpHook hook) { hook_ = std::move(hook); }
  const OffsetMap& offset_map() const { return map_; }

 private:
  using Segments = std::vector<std::shared_ptr<LogSegment>>;

  // Fills map_ from the dirty segments over [from, to); returns the end
  // offset (to, or earlier when the map filled).
  Result<int64_t> BuildOffsetMap(const Segments& dirty, int64_t from, int64_t to,
                                 CleanerStats* stats);
  // Consecutive segments, each group fitting one cleaned segment.
  // `next_base` is the base offset of the segment after the last one.
  static std::vector<Segments> GroupSegmentsBySize(const Segments& segments, int64_t next_base,
                                                   const LogConfig& config);
  // Writes `group` into a `.cleaned` segment and swaps it in. `cleaned_upto`
  // is the previous checkpoint (segments below it were cleaned before),
  // `end_offset` where the map ends.
  Status CleanGroup(Log& log, Segments group, int64_t cleaned_upto, int64_t end_offset,
                    CleanerStats* stats);
  // Step 4 of the file comment (cleaner_swap.cpp). REQUIRES: `cleaned` is
  // flushed and closed.
  Status SwapSegments(Log& log, int64_t base, const Segments& old);
  // Deletes segments whose every record is superseded (cleaner_swap.cpp).
  Status DeleteSegments(Log& log, const Segments& segments, CleanerStats* stats);
  void Hook(const std::string& op) {
    if (hook_) hook_(op);
  }

  OffsetMap map_;
  Clock& clock_;
  FileOpHook hook_;
};

}  // namespace gregor
