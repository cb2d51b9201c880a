// SPDX-License-Identifier: Apache-2.0
// Log: one partition's log, a directory `topic-N/` of segments (Kafka's
// UnifiedLog and LocalLog in one class; loading and recovery, Kafka's
// LogLoader, live in log_loader.cpp).
//
// Offsets: [LogStartOffset, LogEndOffset) are readable. The log end offset
// (LEO) is the offset the next appended record gets. The recovery point is
// the offset below which everything is known to be on disk (flushed);
// after an unclean shutdown only segments at or above it are re-validated,
// so recovery time depends on the unflushed tail, not on the log's size.
// Segments sit in a map by base offset; the last one is active (appended
// to), the others are immutable until retention deletes them, oldest
// first, never the active one.
//
// Append stores batches exactly as produced after checking each with
// ValidateBatch (one CRC pass), stamping baseOffset and
// partitionLeaderEpoch in place (both outside the CRC) and writing them in
// one write: no copy of the batch bytes, no fsync unless flush.messages
// asks. An I/O error takes the log offline (Kafka takes the whole log
// directory offline): every later Append and Flush fails with
// KAFKA_STORAGE_ERROR until the log is reopened and recovered.
//
// Thread-safety: every public method is thread-safe; one mutex (Kafka's
// `lock`) serialises them, reads included. A returned FetchDataInfo's
// slice may be read after the lock is released.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/types.h"
#include "storage/env.h"
#include "storage/log_config.h"
#include "storage/log_segment.h"

namespace gregor {

/// ListOffsets' special timestamps (Kafka's ListOffsetsRequest constants).
inline constexpr int64_t kLatestTimestamp = -1;
inline constexpr int64_t kEarliestTimestamp = -2;
inline constexpr int64_t kMaxTimestamp = -3;

/// What an append did (Kafka's LogAppendInfo).
struct LogAppendInfo {
  Offset first_offset{-1};
  Offset last_offset{-1};
  /// Largest batch maxTimestamp and the last offset of its batch.
  int64_t max_timestamp = kNoTimestamp;
  Offset offset_of_max_timestamp{-1};
  /// The broker time stamped under LogAppendTime, else kNoTimestamp.
  int64_t log_append_time = kNoTimestamp;
  Offset log_start_offset{0};
  int32_t num_batches = 0;
  /// Bytes appended (all of the input: every batch was valid).
  int64_t valid_bytes = 0;
};

/// Where a load starts from: the log directory's checkpoints and marker.
struct LogLoadParams {
  Offset recovery_point{0};
  Offset log_start_offset{0};
  /// The directory had `.kafka_cleanshutdown`: skip recovery.
  bool had_clean_shutdown = false;
};

/// What loading did, for logs, tests and the tour.
struct LogRecoveryStats {
  int segments_loaded = 0;
  /// Segments re-validated: the unflushed tail, plus any with a bad index.
  int segments_recovered = 0;
  int64_t bytes_validated = 0;
  int64_t bytes_truncated = 0;
  /// Segments deleted because they followed a truncation point.
  int segments_deleted = 0;
};

/// One segment as seen from outside (tools, the tour, tests).
struct SegmentInfo {
  int64_t base_offset = 0;
  uint32_t size = 0;
  int offset_index_entries = 0;
  int time_index_entries = 0;
  int64_t largest_timestamp = kNoTimestamp;
  std::string log_path;
};

/// How an offset was found, step by step (the tour prints it).
struct OffsetLookupTrace {
  int64_t segment_base_offset = 0;
  OffsetPosition index_entry;  ///< the entry OffsetIndex::Lookup chose
  LogOffsetPosition batch;     ///< the batch holding the offset
  uint32_t bytes_scanned = 0;  ///< from the entry's position to the batch
};

/// One partition's log; see the file comment.
class Log {
 public:
  /// Loads (or creates) the log in `dir`, recovering as `params` say.
  /// Errors: KAFKA_STORAGE_ERROR.
  static Result<std::unique_ptr<Log>> Open(Env& env, const std::string& dir,
                                           const LogConfig& config, Clock& clock,
                                           const LogLoadParams& params = {});
  /// Close(), errors ignored.
  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;
  /// The cleaner reads segments and swaps cleaned ones in (cleaner.cpp,
  /// cleaner_swap.cpp).
  friend class Cleaner;
  /// The cleaner manager measures dirty bytes (log_cleaner_manager.cpp).
  friend class LogCleanerManager;

  /// Appends one or more concatenated batches as the leader: validates
  /// each, gives them offsets from LogEndOffset (stamping baseOffset and
  /// `leader_epoch` into `records` in place), rolls if needed, writes.
  /// Errors: CORRUPT_MESSAGE (a batch fails ValidateBatch, trailing bytes,
  /// empty input), MESSAGE_TOO_LARGE (a batch over max.message.bytes),
  /// RECORD_LIST_TOO_LARGE (the whole input over segment.bytes),
  /// INVALID_RECORD (a record without a key in a compacted log),
  /// KAFKA_STORAGE_ERROR (I/O; the log is now offline). On error nothing
  /// was appended.
  Result<LogAppendInfo> Append(std::span<uint8_t> records, Epoch leader_epoch);

  /// Up to `max_length` bytes of the log from the start of the batch
  /// holding `start_offset`, within one segment; the last batch may be cut
  /// at `max_length`, as in Kafka, and readers drop a partial trailing
  /// batch (at least one whole batch if `min_one_message`). At
  /// LogEndOffset: empty. Errors: OFFSET_OUT_OF_RANGE below LogStartOffset
  /// or above LogEndOffset; KAFKA_STORAGE_ERROR.
  Result<FetchDataInfo> Read(Offset start_offset, int32_t max_length, bool min_one_message = true);

  /// The first record with timestamp >= `timestamp` (ListOffsets), or
  /// kEarliestTimestamp / kLatestTimestamp / kMaxTimestamp. nullopt when
  /// no record is that new. Errors: KAFKA_STORAGE_ERROR, CORRUPT_MESSAGE.
  Result<std::optional<TimestampOffset>> LookupOffsetForTimestamp(int64_t timestamp);

  /// Removes everything at and above `target` (whole batches: the log then
  /// ends after the last batch below `target`). Returns false if `target`
  /// >= LogEndOffset (nothing to do). Errors: KAFKA_STORAGE_ERROR.
  Result<bool> TruncateTo(Offset target);
  /// Deletes every segment and starts an empty one at `new_offset`.
  Status TruncateFullyAndStartAt(Offset new_offset);

  /// Raises LogStartOffset (DeleteRecords); segments wholly below it go at
  /// the next DeleteOldSegments. A lower value is ignored. Errors:
  /// OFFSET_OUT_OF_RANGE above LogEndOffset.
  Status MaybeIncrementLogStartOffset(Offset new_log_start_offset);

  /// Retention: deletes, oldest first and never the active segment,
  /// segments below LogStartOffset, older than retention.ms (by their
  /// largest timestamp) and beyond retention.bytes; the last two only
  /// when cleanup.policy includes "delete". Returns how many.
  /// Errors: KAFKA_STORAGE_ERROR.
  Result<int> DeleteOldSegments();

  /// Flushes segments holding offsets in [RecoveryPoint, up_to) and makes
  /// new segment files durable (SyncDir); RecoveryPoint becomes `up_to`.
  /// REQUIRES: up_to <= LogEndOffset. Errors: KAFKA_STORAGE_ERROR (offline).
  Status Flush(Offset up_to);
  /// Flush(LogEndOffset()).
  Status FlushAll();
  /// Flushes every segment below the active one, so RecoveryPoint reaches
  /// the active segment's base offset (Kafka flushes a segment when it is
  /// rolled; LogManager calls this periodically instead). No-op when the
  /// recovery point is already there. Errors: KAFKA_STORAGE_ERROR.
  Status FlushRolledSegments();
  /// Starts a new active segment at LogEndOffset (no-op when the active
  /// segment is empty). Errors: KAFKA_STORAGE_ERROR.
  Status Roll();

  /// Trims indexes and records final timestamps; no flush. Idempotent.
  Status Close();
  /// Closes, removes every file and the directory. Errors: KAFKA_STORAGE_ERROR.
  Status Delete();

  const std::string& dir() const { return dir_; }
  /// The log's settings; fixed for its lifetime.
  const LogConfig& config() const { return config_; }
  Offset LogEndOffset() const;
  LogOffsetMetadata LogEndOffsetMetadata() const;
  Offset LogStartOffset() const;
  Offset RecoveryPoint() const;
  /// Bytes in all segments.
  int64_t Size() const;
  int NumberOfSegments() const;
  std::vector<SegmentInfo> Segments() const;
  bool IsOffline() const;
  const LogRecoveryStats& recovery_stats() const { return recovery_stats_; }
  /// How Read would find `offset`. Errors: OFFSET_OUT_OF_RANGE.
  Result<OffsetLookupTrace> TraceOffsetLookup(Offset offset) const;

 private:
  using SegmentMap = std::map<int64_t, std::shared_ptr<LogSegment>>;
  /// Decides a segment's deletion from it and the segment after it.
  using SegmentPredicate = std::function<bool(const LogSegment&, const LogSegment& next)>;

  Log(Env& env, std::string dir, const LogConfig& config, Clock& clock);

  // Loading (log_loader.cpp). REQUIRES: mu_ held or not yet shared.
  Status Load(const LogLoadParams& params);
  Status RemoveStrayFiles(const std::vector<std::string>& children);
  Status CompleteSwaps(const std::vector<std::string>& children);
  Result<uint32_t> RecoverSegment(LogSegment& segment);
  Status DeleteSegmentsAfter(int64_t base_offset);

  // REQUIRES: mu_ held.
  Result<LogSegment*> MaybeRoll(int32_t messages_size, int64_t max_timestamp, int64_t max_offset);
  Status RollLocked();
  Status TruncateFullyLocked(int64_t new_offset);
  Status FlushLocked(int64_t up_to);
  std::vector<std::shared_ptr<LogSegment>> DeletableSegments(
      const SegmentPredicate& predicate) const;
  int DeleteSegments(const std::vector<std::shared_ptr<LogSegment>>& deletable, Status* error);
  Result<std::shared_ptr<LogSegment>> NewSegment(int64_t base_offset);
  LogSegment& active() const { return *segments_.rbegin()->second; }
  void UpdateLogEndOffset(int64_t next_offset);
  Status GoOffline(Status cause);

  Env& env_;
  const std::string dir_;
  const LogConfig config_;
  Clock& clock_;
  LogRecoveryStats recovery_stats_;  // written only while loading

  mutable std::mutex mu_;
  // Guarded by mu_:
  SegmentMap segments_;
  LogOffsetMetadata log_end_offset_;
  int64_t log_start_offset_ = 0;
  int64_t recovery_point_ = 0;
  bool dir_needs_sync_ = false;  // a segment file was created since the last SyncDir
  bool offline_ = false;
  bool closed_ = false;
};

}  // namespace gregor
