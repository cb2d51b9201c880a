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
// Thread-safety: all methods are thread-safe. mu_ guards the map of logs;
// checkpoint writes are serialised by checkpoint_mu_; each Log has its own
// lock.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "storage/env.h"
#include "storage/log.h"
#include "storage/log_config.h"
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
  LogManager(Env& env, std::vector<std::string> log_dirs, const LogConfig& default_config,
             Clock& clock);
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

 private:
  struct Entry {
    std::shared_ptr<Log> log;
    std::string log_dir;
  };
  Status LoadLogDir(const std::string& log_dir);
  Status WriteCheckpoints(const std::string& log_dir, const std::map<TopicPartition, Entry>& logs);

  Env& env_;
  const std::vector<std::string> log_dirs_;
  const LogConfig default_config_;
  Clock& clock_;

  mutable std::mutex mu_;
  // Guarded by mu_:
  std::map<TopicPartition, Entry> logs_;

  std::mutex checkpoint_mu_;  // serialises checkpoint file writes
};

}  // namespace gregor
