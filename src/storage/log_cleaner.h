// SPDX-License-Identifier: Apache-2.0
// LogCleaner: runs cleaning passes and keeps, per log directory, the file
// `cleaner-offset-checkpoint` (Kafka's LogCleaner and, in part,
// LogCleanerManager). The checkpoint of a partition is the end offset of
// its last pass: below it the log is clean. It is an OffsetCheckpointFile
// (checkpoint_file.h, written atomically) and is written only after a
// pass's swaps are durable; a crash before that repeats the pass, which is
// harmless because cleaning is idempotent.
//
// Not yet here (issue 5): the cleaner threads (log.cleaner.threads) that
// pick the dirtiest log by min.cleanable.dirty.ratio or
// max.compaction.lag.ms, and the broker accepting cleanup.policy=compact.
// Until then the broker refuses compacted topics and only tests and tools
// call CleanLog.
//
// Thread-safety: CleanLog may be called from several threads for
// different logs; one mutex serialises checkpoint reads and writes, and
// the Cleaner (one OffsetMap) is used by one pass at a time.
#pragma once

#include <mutex>
#include <string>

#include "storage/checkpoint_file.h"
#include "storage/cleaner.h"
#include "storage/topic_partition.h"

namespace gregor {

/// The name of the cleaner checkpoint file in a log directory.
inline constexpr const char* kCleanerCheckpointFile = "cleaner-offset-checkpoint";

/// Cleaning passes plus the cleaner checkpoints; see the file comment.
class LogCleaner {
 public:
  /// `dedupe_buffer_bytes` is log.cleaner.dedupe.buffer.size.
  LogCleaner(Env& env, Clock& clock, size_t dedupe_buffer_bytes);

  /// One pass over `log`, partition `tp` in log directory `log_dir`, from
  /// its checkpoint; on success the checkpoint becomes the pass's end
  /// offset. Errors: those of Cleaner::Clean, and KAFKA_STORAGE_ERROR for
  /// the checkpoint file.
  Result<CleanerStats> CleanLog(const std::string& log_dir, const TopicPartition& tp, Log& log);
  /// The checkpoint of `tp` in `log_dir`, or 0 when there is none.
  /// Errors: KAFKA_STORAGE_ERROR.
  Result<int64_t> CheckpointOf(const std::string& log_dir, const TopicPartition& tp);

  /// The swap's test hook (Cleaner::set_file_op_hook).
  void set_file_op_hook(Cleaner::FileOpHook hook) { cleaner_.set_file_op_hook(std::move(hook)); }

 private:
  Env& env_;
  std::mutex mu_;
  // Guarded by mu_:
  Cleaner cleaner_;
};

}  // namespace gregor
