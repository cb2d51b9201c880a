// SPDX-License-Identifier: Apache-2.0
// LogManager: every partition log on this broker, spread over the log
// directories of `log.dirs` (Kafka's LogManager).
//
// A log directory holds one subdirectory per partition plus three files:
//
//   <log.dir>/orders-0/                        a Log's segments
//   <log.dir>/recovery-point-offset-checkpoint each log's recovery point
//   <log.dir>/log-start-offset-checkpoint      each log's log start offset
//   <log.dir>/.kafka_cleanshutdown             present only after a clean
//                                              Shutdown, until next Startup
//
// Startup loads every `topic-N` directory. With the clean-shutdown marker,
// logs open without recovery (their checkpoints were written at shutdown
// and everything was flushed). Without it, each log recovers from its
// checkpointed recovery point. A missing or unreadable checkpoint means
// recovery point 0: a full recovery, slower but correct. The marker is
// removed once loading is done, so a crash from then on is unclean.
// New logs go to the directory holding the fewest.
//
// A log directory that fails (an I/O error reported to the
// LogDirFailureChannel, then HandleLogDirFailure) is offline until the
// process exits: its logs are no longer flushed, cleaned or checkpointed,
// no new log goes there, and Shutdown writes no marker in it, so the next
// start recovers it.
//
// Compaction: the LogCleaner's threads (started by Startup when the
// CleanerConfig enables them, stopped first by Shutdown and the
// destructor) clean the logs whose cleanup.policy includes "compact", and
// run their retention; CleanupLogs skips those logs while the threads run.
// DeleteLog waits for a running pass on the log and drops the partition
// from cleaner-offset-checkpoint.
//
// Thread-safety: all methods are thread-safe. mu_ guards the map of logs;
// checkpoint writes are serialised by checkpoint_mu_; each Log has its own
// lock.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/clock.h"
#include "storage/env.h"
#include "storage/log.h"
#include "storage/log_cleaner.h"
#include "storage/log_config.h"
#include "storage/log_dir_failure_channel.h"
#include "storage/topic_partition.h"

namespace gregor {

inline constexpr char kRecoveryPointCheckpointFile[] = "recovery-point-offset-checkpoint";
inline constexpr char kLogStartOffsetCheckpointFile[] = "log-start-offset-checkpoint";
inline constexpr char kCleanShutdownFile[] = ".kafka_cleanshutdown";

/// All partition logs of a broker; see the file comment.
class LogManager {
 public:
  /// Manages `log_dirs` with `default_config` for every log. Nothing is
  /// read until Startup. `env` and `clock` must outlive the manager.
  /// `cleaner_config` starts the cleaner threads at Startup if enabled.
  LogManager(Env& env, std::vector<std::string> log_dirs, const LogConfig& default_config,
             Clock& clock, const CleanerConfig& cleaner_config = {});
  /// Closes the logs without the clean-shutdown marker (call Shutdown
  /// for a clean stop).
  ~LogManager();

  /// Creates missing log directories and loads every log in them (see the
  /// file comment). Errors: KAFKA_STORAGE_ERROR; CORRUPT_MESSAGE if a
  /// partition appears in two directories.
  Status Startup();

  /// The partition's log, created (empty, in the least loaded directory)
  /// if absent; `config` replaces the default for a new log. Errors:
  /// INVALID_TOPIC_EXCEPTION for an illegal topic name, KAFKA_STORAGE_ERROR.
  Result<std::shared_ptr<Log>> GetOrCreateLog(const TopicPartition& tp,
                                              const std::optional<LogConfig>& config = {});
  /// The partition's log, or null.
  std::shared_ptr<Log> GetLog(const TopicPartition& tp) const;
  std::vector<TopicPartition> AllPartitions() const;
  /// Removes the log and its directory (topic deletion). Errors:
  /// UNKNOWN_TOPIC_OR_PARTITION, KAFKA_STORAGE_ERROR.
  Status DeleteLog(const TopicPartition& tp);

  /// Writes both checkpoint files of every directory, atomically.
  /// Errors: KAFKA_STORAGE_ERROR.
  Status CheckpointRecoveryOffsetsAndLogStartOffsets();
  /// Flushes every log to its end (what flush.ms would schedule).
  Status FlushAll();
  /// Flushes every log's rolled segments (Log::FlushRolledSegments), then
  /// writes the checkpoints, so that recovery after a crash starts at the
  /// active segments instead of wherever the last clean shutdown left the
  /// recovery points. KafkaServer calls it every
  /// log.flush.offset.checkpoint.interval.ms. Errors: the first log's
  /// error, after trying all.
  Status FlushRolledSegmentsAndCheckpoint();
  /// Retention over every log (Log::DeleteOldSegments); the number of
  /// segments deleted. Errors: the first log's error, after trying all.
  Result<int> CleanupLogs();
  /// Clean stop: flush, checkpoint, close every log, then write the
  /// marker in each directory. Without an error on the way, the next
  /// Startup skips recovery. Errors: KAFKA_STORAGE_ERROR (no marker).
  Status Shutdown();

  const std::vector<std::string>& log_dirs() const { return log_dirs_; }
  /// The config of logs created without one of their own.
  const LogConfig& default_config() const { return default_config_; }
  /// The log directory holding `tp`'s log, or "" if none.
  std::string LogDirOf(const TopicPartition& tp) const;
  /// The log cleaner (threads running only if enabled); lives as long as
  /// the manager.
  LogCleaner& cleaner() { return *cleaner_; }

  // Log directory failure (see the file comment).
  /// Where flush, retention and checkpoint I/O errors are reported; null
  /// (the default): nowhere. REQUIRES: set before Startup; outlives this.
  void SetLogDirFailureChannel(LogDirFailureChannel* channel) { failure_channel_ = channel; }
  /// The topics' own configs (topic overrides from the metadata log, as
  /// Kafka's LogManager.startup gets them); an existing log of a topic
  /// named here loads with its config instead of the default. REQUIRES:
  /// before Startup.
  void SetTopicConfigs(std::map<std::string, LogConfig> configs) {
    topic_configs_ = std::move(configs);
  }
  /// Takes `log_dir` offline (Kafka's LogManager.handleLogDirFailure);
  /// returns the partitions whose logs are in it.
  std::vector<TopicPartition> HandleLogDirFailure(const std::string& log_dir);
  bool IsLogDirOffline(const std::string& log_dir) const;
  /// Whether no log directory is online (the broker must stop).
  bool AllLogDirsOffline() const;

 private:
  struct Entry {
    std::shared_ptr<Log> log;
    std::string log_dir;
  };
  Status LoadLogDir(const std::string& log_dir);
  Status WriteCheckpoints(const std::string& log_dir, const std::map<TopicPartition, Entry>& logs);
  // Partitions whose log directory is online.
  std::vector<TopicPartition> OnlinePartitions() const;
  // Reports a KAFKA_STORAGE_ERROR `s` in `log_dir` to the failure channel.
  void ReportStorageError(const std::string& log_dir, const Status& s);

  Env& env_;
  const std::vector<std::string> log_dirs_;
  const LogConfig default_config_;
  Clock& clock_;

  mutable std::mutex mu_;
  // Guarded by mu_:
  std::map<TopicPartition, Entry> logs_;
  std::set<std::string> offline_dirs_;  // HandleLogDirFailure

  LogDirFailureChannel* failure_channel_ = nullptr;  // set before Startup
  std::map<std::string, LogConfig> topic_configs_;   // set before Startup

  std::mutex checkpoint_mu_;  // serialises checkpoint file writes

  // The compacted logs of online directories, for the cleaner threads.
  std::vector<LogCleanerCandidate> CompactedLogs() const;
  // Last: its threads stop before anything above goes away.
  std::unique_ptr<LogCleaner> cleaner_;
};

}  // namespace gregor
