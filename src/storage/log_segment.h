// SPDX-License-Identifier: Apache-2.0
// LogSegment: one slice of a partition's log, the files
// <baseOffset:020>.log, .index and .timeindex (Kafka's LogSegment).
//
// The .log holds batches whose offsets all lie in
// [baseOffset, baseOffset + 2^31); the indexes store offsets relative to
// baseOffset, which is why a segment rolls when that range would overflow.
// Append writes batches and, every index.interval.bytes of log, one entry
// to each index (IndexBatch). Read translates an offset to a file position
// with the offset index and a short forward scan, and returns a slice of
// the file. Recover rebuilds both indexes from the .log, validating every
// batch, and cuts the file at the first invalid byte.
//
// Invariants: SizeInBytes() is the end of the last complete, valid batch;
// index entries point at batch starts inside it; max_timestamp_so_far() is
// the largest batch maxTimestamp in the segment (with the batch's last
// offset), and the time index's entries never pass it.
//
// Thread-safety: none. A segment belongs to its Log, which calls it under
// its lock; FileRecordsSlices it returns may be read from any thread.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "storage/file_records.h"
#include "storage/log_config.h"
#include "storage/offset_index.h"
#include "storage/time_index.h"

namespace gregor {

/// Where an offset is in the log (Kafka's LogOffsetMetadata): the offset,
/// its segment's base offset and the byte position of its batch there.
struct LogOffsetMetadata {
  int64_t message_offset = 0;
  int64_t segment_base_offset = -1;
  uint32_t relative_position_in_segment = 0;
};

/// What a read returns (Kafka's FetchDataInfo): where it starts and the
/// bytes. The slice may end inside a batch (the reader drops the partial
/// batch); `first_entry_incomplete` says the first batch alone did not fit.
struct FetchDataInfo {
  LogOffsetMetadata fetch_offset_metadata;
  FileRecordsSlice records;
  bool first_entry_incomplete = false;
};

/// The inputs of the roll decision for an append (Kafka's RollParams).
struct RollParams {
  int64_t max_segment_ms = 0;
  int32_t max_segment_bytes = 0;
  int64_t max_timestamp_in_messages = 0;
  int64_t max_offset_in_messages = 0;
  int32_t messages_size = 0;
  int64_t now_ms = 0;
};

/// One segment of a Log; see the file comment.
class LogSegment {
 public:
  /// Opens the segment's files in `dir`, creating missing ones (a missing
  /// index is created empty and reported by indexes_were_missing(); the log
  /// must then Recover to rebuild it). `now_ms` is the creation time that
  /// segment.ms and retention use until the segment has timestamps.
  /// `file_suffix` is appended to all three file names: the cleaner
  /// writes a segment as `<base>.log.cleaned` and so on (log_cleaner.h).
  /// Errors: KAFKA_STORAGE_ERROR.
  static Result<std::unique_ptr<LogSegment>> Open(Env& env, const std::string& dir,
                                                  int64_t base_offset, const LogConfig& config,
                                                  int64_t now_ms,
                                                  std::string_view file_suffix = {});
  ~LogSegment();

  int64_t base_offset() const { return base_offset_; }
  uint32_t SizeInBytes() const { return log_->SizeInBytes(); }
  const FileRecords& log() const { return *log_; }
  const OffsetIndex& offset_index() const { return *offset_index_; }
  const TimeIndex& time_index() const { return *time_index_; }
  /// True if .index or .timeindex did not exist when the segment was opened.
  bool indexes_were_missing() const { return indexes_were_missing_; }
  /// The largest batch maxTimestamp and that batch's last offset.
  TimestampOffset max_timestamp_so_far() const { return max_timestamp_so_far_; }
  /// What time retention compares: the max timestamp, or the creation time
  /// when the segment has none (Kafka falls back to the file's mtime).
  int64_t LargestTimestamp() const;

  /// Appends validated, offset-stamped batches ending at `largest_offset`.
  /// `largest_timestamp` is their largest maxTimestamp. REQUIRES: offsets
  /// above everything in the segment; not full (ShouldRoll said no).
  /// Errors: KAFKA_STORAGE_ERROR (nothing appended), UNKNOWN_SERVER_ERROR if
  /// `largest_offset` does not fit a relative offset.
  Status Append(int64_t largest_offset, int64_t largest_timestamp, ByteSpan records);

  /// Up to `max_size` bytes starting at the batch that holds `start_offset`,
  /// never past `max_position`; with `min_one_message` at least that whole
  /// batch. nullopt when the segment has no batch at or after
  /// `start_offset`. Errors: KAFKA_STORAGE_ERROR.
  Result<std::optional<FetchDataInfo>> Read(int64_t start_offset, uint32_t max_size,
                                            uint32_t max_position, bool min_one_message) const;
  /// The batch holding `offset` (or the first after it), searching from
  /// the offset index's entry. nullopt if none. Errors: KAFKA_STORAGE_ERROR.
  Result<std::optional<LogOffsetPosition>> TranslateOffset(int64_t offset) const;
  /// The offset after the last batch (base_offset() when empty), by a scan
  /// from the last offset-index entry. Errors: KAFKA_STORAGE_ERROR.
  Result<int64_t> ReadNextOffset() const;
  /// The first record with timestamp >= `timestamp` and offset >=
  /// `starting_offset`, via the time index, the offset index and a scan.
  Result<std::optional<TimestampOffset>> FindOffsetByTimestamp(int64_t timestamp,
                                                               int64_t starting_offset) const;

  /// Rebuilds both indexes from the .log, validating each batch with
  /// ValidateBatch (CRC, sizes) and that offsets increase inside the
  /// segment's range; cuts the file at the first invalid or incomplete
  /// batch. Returns the bytes cut. Errors: KAFKA_STORAGE_ERROR.
  Result<uint32_t> Recover();
  /// Removes every batch whose last offset is >= `offset` (whole batches)
  /// and their index entries; returns the bytes removed. The segment may
  /// become active again, so the indexes are resized to full size.
  /// Errors: KAFKA_STORAGE_ERROR.
  Result<uint32_t> TruncateTo(int64_t offset, int64_t now_ms);

  /// segment.bytes, segment.ms (from the first batch's timestamp, else the
  /// creation time), a full index, or offsets that would not fit.
  bool ShouldRoll(const RollParams& params) const;
  /// The segment stops being active: records its final max timestamp in
  /// the time index and trims both indexes. Errors: KAFKA_STORAGE_ERROR.
  Status OnBecomeInactiveSegment();
  /// Resizes both indexes to `size` bytes (an active segment gets
  /// segment.index.bytes). Errors: KAFKA_STORAGE_ERROR.
  Status ResizeIndexes(size_t size);
  /// fsync of the .log, msync of both indexes. Errors: KAFKA_STORAGE_ERROR.
  Status Flush();
  /// Both indexes' SanityCheck, plus: the last offset-index entry points
  /// inside the .log. Errors: CORRUPT_MESSAGE.
  Status SanityCheck() const;
  /// As OnBecomeInactiveSegment, then closes the indexes. Idempotent.
  Status Close();
  /// Closes and removes the three files. Errors: KAFKA_STORAGE_ERROR.
  Status DeleteFiles();

 private:
  LogSegment(Env& env, std::string dir, int64_t base_offset, const LogConfig& config,
             int64_t now_ms);
  // Adds index entries for a batch at `position` when due.
  Status IndexBatch(const RecordBatchHeader& header, uint32_t position);
  // Rescans from the last time-index entry for the true max timestamp.
  Status LoadLargestTimestamp();

  Env& env_;
  std::string dir_;
  std::string file_suffix_;  // "" or ".cleaned"
  int64_t base_offset_;
  int32_t index_interval_bytes_;
  size_t max_index_size_;
  int64_t created_ms_;
  std::shared_ptr<FileRecords> log_;
  std::unique_ptr<OffsetIndex> offset_index_;
  std::unique_ptr<TimeIndex> time_index_;
  bool indexes_were_missing_ = false;
  bool closed_ = false;
  uint32_t bytes_since_last_index_entry_ = 0;
  TimestampOffset max_timestamp_so_far_;
  // maxTimestamp of the first batch, what segment.ms measures from.
  std::optional<int64_t> rolling_based_timestamp_;
};

}  // namespace gregor
