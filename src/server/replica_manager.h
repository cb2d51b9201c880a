// SPDX-License-Identifier: Apache-2.0
// ReplicaManager: the partitions this broker hosts and the produce, fetch
// and list-offsets work on them (Kafka's ReplicaManager, single node).
//
// Requests name partitions; the ReplicaManager turns each into a Log (via
// the LogManager) or a per-partition error, so one bad partition never
// fails a whole request. Partitions come and go as the metadata says
// (MakeLeader / StopReplica, called by the broker when it replays topic
// records); a partition not hosted answers UNKNOWN_TOPIC_OR_PARTITION, as
// Kafka does, never creating a log on the produce path.
//
// High watermark: on one node the leader is the only in-sync replica, so
// the high watermark is the log end offset once an append returns
// (acks=all and acks=1 mean the same thing here). Chapter 04 separates the
// two when followers arrive; the fields are already named for it. With no
// transactions yet, the last stable offset equals the high watermark.
//
// Log directory failure: a KAFKA_STORAGE_ERROR from an offline log (an
// I/O error on append, flush or roll) is reported to the
// LogDirFailureChannel; the broker's handler thread then calls
// HandleLogDirFailure, and every partition in that directory answers
// KAFKA_STORAGE_ERROR on produce, fetch and list-offsets from then on.
//
// Thread-safety: all methods are thread-safe (request handler threads call
// them concurrently); the partition map has its own mutex, each Log its own.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>

#include "common/errors.h"
#include "storage/log_dir_failure_channel.h"
#include "storage/log_manager.h"
#include "storage/topic_partition.h"

namespace gregor {

class DelayedOperationPurgatory;

/// What a produce did to one partition (one entry of a Produce response).
struct PartitionAppendResult {
  ErrorCode error = ErrorCode::kNone;
  std::string error_message;
  int64_t base_offset = -1;
  int64_t log_append_time = -1;
  int64_t log_start_offset = -1;
};

/// What a fetch read from one partition (one entry of a Fetch response).
struct PartitionReadResult {
  ErrorCode error = ErrorCode::kNone;
  int64_t high_watermark = -1;
  int64_t last_stable_offset = -1;
  int64_t log_start_offset = -1;
  /// The bytes to send: a slice of one segment file (empty at the end).
  FileRecordsSlice records;
};

/// The answer to one ListOffsets partition query.
struct PartitionOffsetResult {
  ErrorCode error = ErrorCode::kNone;
  int64_t timestamp = -1;
  int64_t offset = -1;
};

/// The partitions of this broker; see the file comment.
class ReplicaManager {
 public:
  explicit ReplicaManager(LogManager& logs) : logs_(logs) {}

  /// Hosts `tp` as leader, creating its log if needed. Errors: as
  /// LogManager::GetOrCreateLog.
  Status MakeLeader(const TopicPartition& tp, const std::optional<LogConfig>& config = {});
  /// Stops hosting `tp`; with `delete_log` its log is removed too.
  Status StopReplica(const TopicPartition& tp, bool delete_log);
  bool IsHosted(const TopicPartition& tp) const;

  /// Appends produced batches to `tp` (validation and offsets: Log::Append).
  /// On success, completes the fetches waiting on `tp` (on this thread):
  /// every append, not only a Produce's, is news for a long-polling fetch.
  PartitionAppendResult AppendRecords(const TopicPartition& tp, std::span<uint8_t> records);

  /// Reads from `fetch_offset`, at most `max_bytes` (at least one batch
  /// when `min_one_message`, KIP-74). OFFSET_OUT_OF_RANGE outside
  /// [log start, high watermark].
  PartitionReadResult ReadRecords(const TopicPartition& tp, int64_t fetch_offset,
                                  int32_t max_bytes, bool min_one_message);

  /// ListOffsets: -2 earliest, -1 latest (the high watermark), otherwise
  /// the first offset with a timestamp >= `timestamp` (offset -1 when none).
  PartitionOffsetResult FetchOffsetForTimestamp(const TopicPartition& tp, int64_t timestamp);

  /// Where long-polling fetches wait; null (the default): none do. Set
  /// before requests arrive; the purgatory outlives this ReplicaManager's use.
  void SetDelayedFetchPurgatory(DelayedOperationPurgatory* p) { fetch_purgatory_ = p; }
  DelayedOperationPurgatory* delayed_fetch_purgatory() const { return fetch_purgatory_; }

  /// The log manager behind the partitions (checkpoints, shutdown).
  LogManager& log_manager() { return logs_; }

  /// Where a partition's I/O errors are reported; null (the default):
  /// nowhere. Set before requests arrive; the channel outlives this.
  void SetLogDirFailureChannel(LogDirFailureChannel* c) { failure_channel_ = c; }
  /// Takes `log_dir` offline in the LogManager and every partition in it
  /// here (Kafka's ReplicaManager.handleLogDirFailure). Returns whether no
  /// log directory is online any more: the broker must stop.
  bool HandleLogDirFailure(const std::string& log_dir);

 private:
  std::shared_ptr<Log> Leader(const TopicPartition& tp, ErrorCode* error) const;
  // Reports `tp`'s directory to the failure channel if `error` is
  // KAFKA_STORAGE_ERROR from an offline log. REQUIRES: mu_ not held.
  void MaybeReportStorageError(const TopicPartition& tp, ErrorCode error,
                               const std::string& cause);

  LogManager& logs_;
  DelayedOperationPurgatory* fetch_purgatory_ = nullptr;  // set before requests
  LogDirFailureChannel* failure_channel_ = nullptr;       // set before requests
  mutable std::mutex mu_;
  // Guarded by mu_:
  std::map<TopicPartition, std::shared_ptr<Log>> partitions_;
  std::set<TopicPartition> offline_partitions_;  // in a failed log dir
};

}  // namespace gregor
