// SPDX-License-Identifier: Apache-2.0
// LogCleanerManager: which compacted log the cleaner threads clean next,
// and which logs they may not touch now (Kafka's LogCleanerManager).
//
// Choosing. For each compacted log (cleanup.policy contains "compact")
// that no thread is cleaning, paused or backing off after an error:
//
//   first dirty offset        the cleaner checkpoint, reset to the log
//                             start offset when it lies outside the log
//   first uncleanable offset  Cleaner::FirstUncleanableOffset: the active
//                             segment, or the first segment still inside
//                             min.compaction.lag.ms
//   clean bytes               segments wholly below the first dirty offset
//   cleanable bytes           segments overlapping [first dirty, first
//                             uncleanable)
//   dirty ratio               cleanable / (clean + cleanable)
//   compaction delay          how far the oldest dirty record (the
//                             smallest first-batch timestamp of the dirty
//                             inactive segments) is past max.compaction.lag.ms
//
// A log is cleanable when its dirty ratio is above its
// min.cleanable.dirty.ratio (strictly, as Kafka compares), or when its
// compaction delay is positive and it has cleanable bytes; the cleanable
// log with the highest ratio is the "filthiest" and is marked in progress
// before it is returned, so two threads never clean one log.
//
// States (Kafka's LogCleaningState), per partition:
//   (none) --grab--> in progress --done--> (none)
//   in progress --AbortAndPause--> aborted --done--> paused
//   (none) --AbortAndPause--> paused --Resume--> (none)
// AbortAndPauseCleaning blocks until no pass runs on the partition (Kafka
// also interrupts a running pass; Gregor lets it finish, which bounds the
// wait by one pass). LogManager::DeleteLog calls it before deleting a log.
//
// Thread-safety: all methods are thread-safe (one mutex). Measure reads a
// log's segments under the log's own lock and reads first batch headers
// of immutable segments without it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "storage/log.h"
#include "storage/topic_partition.h"

namespace gregor {

/// A log the cleaner could look at, with its cleaner checkpoint.
struct LogCleanerCandidate {
  TopicPartition tp;
  std::string log_dir;
  std::shared_ptr<Log> log;
  /// The partition's entry in cleaner-offset-checkpoint, 0 when none.
  int64_t checkpoint = 0;
};

/// How dirty one log is (Kafka's LogToClean); see the file comment.
struct LogToClean {
  TopicPartition tp;
  std::string log_dir;
  std::shared_ptr<Log> log;
  int64_t first_dirty_offset = 0;
  int64_t first_uncleanable_offset = 0;
  int64_t clean_bytes = 0;
  int64_t cleanable_bytes = 0;
  /// Milliseconds the oldest dirty record is past max.compaction.lag.ms; 0 if not.
  int64_t compaction_delay_ms = 0;

  /// cleanable / (clean + cleanable); 0 for an empty log.
  double CleanableRatio() const {
    int64_t total = clean_bytes + cleanable_bytes;
    return total == 0 ? 0.0 : double(cleanable_bytes) / double(total);
  }
  bool NeedCompactionNow() const { return compaction_delay_ms > 0; }
};

/// The cleaner threads' choice of log and per-partition states; see the
/// file comment.
class LogCleanerManager {
 public:
  explicit LogCleanerManager(Clock& clock) : clock_(clock) {}

  /// How dirty `candidate`'s log is at `now_ms` (no state is changed).
  static LogToClean Measure(const LogCleanerCandidate& candidate, int64_t now_ms);

  /// The filthiest cleanable compacted log among `candidates`, now marked
  /// in progress (the caller must call DoneCleaning), or nullopt. Also
  /// records the highest dirty ratio seen, cleanable or not
  /// (max_dirty_percent).
  std::optional<LogToClean> GrabFilthiestCompactedLog(
      const std::vector<LogCleanerCandidate>& candidates);
  /// The compacted logs no thread is cleaning, now marked in progress, for
  /// retention (compact,delete) and log-start-offset deletion; the caller
  /// calls DoneCleaning for each.
  std::vector<LogCleanerCandidate> GrabDeletableLogs(
      const std::vector<LogCleanerCandidate>& candidates);
  /// Ends the pass on `tp`: back to no state, or to paused if aborted
  /// meanwhile (waking AbortAndPauseCleaning).
  void DoneCleaning(const TopicPartition& tp);

  /// Stops `tp` from being cleaned, waiting for a running pass to end.
  void AbortAndPauseCleaning(const TopicPartition& tp);
  /// Undoes AbortAndPauseCleaning (and forgets any back-off of `tp`).
  void ResumeCleaning(const TopicPartition& tp);
  /// After a failed pass: `tp` is not chosen again before `until_ms`.
  void BackOff(const TopicPartition& tp, int64_t until_ms);

  bool IsCleaningInProgress(const TopicPartition& tp) const;
  bool IsPaused(const TopicPartition& tp) const;
  /// 100 x the highest dirty ratio at the last GrabFilthiestCompactedLog
  /// (Kafka's max-dirty-percent).
  double max_dirty_percent() const;

 private:
  enum class State { kInProgress, kAborted, kPaused };
  // REQUIRES: mu_ held. True when `tp` may be grabbed now.
  bool AvailableLocked(const TopicPartition& tp, int64_t now_ms) const;

  Clock& clock_;
  mutable std::mutex mu_;
  std::condition_variable done_cv_;  // a pass ended (DoneCleaning)
  // Guarded by mu_:
  std::map<TopicPartition, State> states_;
  std::map<TopicPartition, int64_t> backoff_until_ms_;
  double dirtiest_ratio_ = 0;
};

}  // namespace gregor
