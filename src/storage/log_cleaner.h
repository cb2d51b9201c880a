// SPDX-License-Identifier: Apache-2.0
// LogCleaner: the cleaner threads, their passes, and, per log directory,
// the file `cleaner-offset-checkpoint` (Kafka's LogCleaner). The
// checkpoint of a partition is the end offset of its last pass: below it
// the log is clean. It is an OffsetCheckpointFile (checkpoint_file.h,
// written atomically) and is written only after a pass's swaps are
// durable; a crash before that repeats the pass, which is harmless
// because cleaning is idempotent.
//
// Threads (log.cleaner.threads, started by Startup when log.cleaner.enable):
// each owns a Cleaner whose OffsetMap gets log.cleaner.dedupe.buffer.size
// / threads bytes, and loops:
//   1. ask the LogCleanerManager for the filthiest compacted log (it is
//      marked in progress, so no other thread or DeleteLog touches it);
//   2. clean it (Cleaner::Clean) and store the new checkpoint; on an error,
//      log it and leave the log alone for log.cleaner.backoff.ms;
//   3. run retention (Log::DeleteOldSegments) on the compacted logs, as
//      Kafka does, so a segment is never deleted under a running pass;
//   4. if nothing was cleaned, sleep log.cleaner.backoff.ms, or less:
//      Shutdown wakes it at once.
// Logs come from a LogSource callback (LogManager's logs), so this file
// knows nothing of how logs are found.
//
// Thread-safety: all methods are thread-safe. checkpoint_mu_ serialises
// each checkpoint file's read-modify-write; a pass itself runs without it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/checkpoint_file.h"
#include "storage/cleaner.h"
#include "storage/log_cleaner_manager.h"
#include "storage/topic_partition.h"

namespace gregor {

/// The name of the cleaner checkpoint file in a log directory.
inline constexpr const char* kCleanerCheckpointFile = "cleaner-offset-checkpoint";

/// The broker's cleaner settings (Kafka's CleanerConfig; KafkaConfig
/// fills it from the log.cleaner.* keys).
struct CleanerConfig {
  /// log.cleaner.enable (Kafka's default is true; the broker sets it). A
  /// LogManager built without a CleanerConfig starts no threads.
  bool enable = false;
  /// log.cleaner.threads.
  int num_threads = 1;
  /// log.cleaner.dedupe.buffer.size: total OffsetMap memory, all threads.
  int64_t dedupe_buffer_size = 128 << 20;
  /// log.cleaner.backoff.ms: idle sleep, and the pause after a failed pass.
  int64_t backoff_ms = 15000;
};

/// What the cleaner did so far, for the metrics (Kafka's LogCleaner
/// gauges). Every field is written by cleaner threads and read by anyone.
struct LogCleanerStats {
  std::atomic<int64_t> bytes_read{0};
  std::atomic<int64_t> bytes_written{0};
  std::atomic<int64_t> passes{0};
  /// Clock::NowMs when the last pass ended (or the cleaner was made).
  std::atomic<int64_t> last_run_ms{0};
  /// The last pass's duration, written / read and map fill (as Kafka's
  /// max-clean-time-secs, cleaner-recopy-percent and
  /// max-buffer-utilization-percent report the last passes).
  std::atomic<double> last_clean_time_secs{0};
  std::atomic<double> last_recopy_percent{0};
  std::atomic<double> last_buffer_utilization_percent{0};
};

/// The cleaner threads plus the cleaner checkpoints; see the file comment.
class LogCleaner {
 public:
  /// The compacted logs to consider (checkpoint left 0: filled in here).
  using LogSource = std::function<std::vector<LogCleanerCandidate>()>;

  /// A cleaner for direct calls to CleanLog (tests, tools): no threads;
  /// `dedupe_buffer_bytes` is the one OffsetMap's memory.
  LogCleaner(Env& env, Clock& clock, size_t dedupe_buffer_bytes);
  /// A cleaner whose threads (Startup) clean the logs `source` lists.
  LogCleaner(Env& env, Clock& clock, const CleanerConfig& config, LogSource source);
  /// Shutdown().
  ~LogCleaner();

  /// Starts config.num_threads threads if config.enable. Idempotent.
  void Startup();
  /// Stops the threads: wakes them and joins (a running pass ends first).
  void Shutdown();

  /// One pass over `log`, partition `tp` in log directory `log_dir`, from
  /// its checkpoint; on success the checkpoint becomes the pass's end
  /// offset. Errors: those of Cleaner::Clean, and KAFKA_STORAGE_ERROR for
  /// the checkpoint file. Does not consult the LogCleanerManager.
  Result<CleanerStats> CleanLog(const std::string& log_dir, const TopicPartition& tp, Log& log);
  /// One step of a cleaner thread (steps 1-3 of the file comment) with
  /// `cleaner`; true if a pass cleaned something. Exposed for tests.
  bool CleanFilthiestLog(Cleaner& cleaner);
  /// The checkpoint of `tp` in `log_dir`, or 0 when there is none.
  /// Errors: KAFKA_STORAGE_ERROR.
  Result<int64_t> CheckpointOf(const std::string& log_dir, const TopicPartition& tp);
  /// Drops `tp` from `log_dir`'s checkpoint file (its log was deleted).
  /// Errors: KAFKA_STORAGE_ERROR.
  Status RemoveCheckpoint(const std::string& log_dir, const TopicPartition& tp);

  LogCleanerManager& manager() { return manager_; }
  const LogCleanerStats& stats() const { return stats_; }
  const CleanerConfig& config() const { return config_; }

  /// Called with the partition, its log directory and the error when a
  /// pass or the retention of a compacted log fails with
  /// KAFKA_STORAGE_ERROR (Kafka's cleaner reports those to the
  /// LogDirFailureChannel). REQUIRES: set before Startup.
  using StorageErrorHandler =
      std::function<void(const TopicPartition&, const std::string&, const Status&)>;
  void set_storage_error_handler(StorageErrorHandler h) { storage_error_handler_ = std::move(h); }

  /// The swap's test hook (Cleaner::set_file_op_hook) of the CleanLog cleaner.
  void set_file_op_hook(Cleaner::FileOpHook hook);

 private:
  void ThreadLoop(Cleaner* cleaner);
  // Clean with `cleaner` and store the checkpoint (REQUIRES: the caller
  // owns `cleaner` for the pass).
  Result<CleanerStats> CleanWith(Cleaner& cleaner, const std::string& log_dir,
                                 const TopicPartition& tp, Log& log);
  void RecordPass(const CleanerStats& stats, double secs, const Cleaner& cleaner);
  void ReportStorageError(const TopicPartition& tp, const std::string& log_dir, const Status& s);

  Env& env_;
  Clock& clock_;
  const CleanerConfig config_;
  const LogSource source_;
  LogCleanerManager manager_;
  LogCleanerStats stats_;
  StorageErrorHandler storage_error_handler_;  // set before Startup

  std::mutex checkpoint_mu_;  // one checkpoint read-modify-write at a time

  std::mutex direct_mu_;
  // Guarded by direct_mu_: the CleanLog cleaner, made on first use.
  std::unique_ptr<Cleaner> direct_cleaner_;
  size_t direct_dedupe_bytes_;
  Cleaner::FileOpHook hook_;

  std::mutex thread_mu_;
  std::condition_variable wake_;
  // Guarded by thread_mu_:
  bool stopping_ = false;
  std::vector<std::unique_ptr<Cleaner>> cleaners_;  // one per thread
  std::vector<std::thread> threads_;
};

}  // namespace gregor
