// SPDX-License-Identifier: Apache-2.0
#include "server/replica_manager.h"

#include "server/delayed_operation_purgatory.h"

#include "common/logging.h"

namespace gregor {

Status ReplicaManager::MakeLeader(const TopicPartition& tp, const std::optional<LogConfig>& config) {
  auto log = logs_.GetOrCreateLog(tp, config);
  if (!log.ok()) return log.status();
  std::lock_guard lock(mu_);
  partitions_[tp] = *log;
  return Status::Ok();
}

Status ReplicaManager::StopReplica(const TopicPartition& tp, bool delete_log) {
  {
    std::lock_guard lock(mu_);
    partitions_.erase(tp);
    offline_partitions_.erase(tp);
  }
  return delete_log ? logs_.DeleteLog(tp) : Status::Ok();
}

bool ReplicaManager::IsHosted(const TopicPartition& tp) const {
  std::lock_guard lock(mu_);
  return partitions_.count(tp) > 0;
}

std::shared_ptr<Log> ReplicaManager::Leader(const TopicPartition& tp, ErrorCode* error) const {
  std::lock_guard lock(mu_);
  auto it = partitions_.find(tp);
  if (it == partitions_.end()) {
    *error = ErrorCode::kUnknownTopicOrPartition;
    return nullptr;
  }
  if (offline_partitions_.contains(tp) || it->second->IsOffline()) {
    *error = ErrorCode::kKafkaStorageError;
    return nullptr;
  }
  return it->second;
}

// [replica-append]
PartitionAppendResult ReplicaManager::AppendRecords(const TopicPartition& tp,
                                                    std::span<uint8_t> records) {
  PartitionAppendResult result;
  auto log = Leader(tp, &result.error);
  if (!log) {
    MaybeReportStorageError(tp, result.error, "partition offline");
    return result;
  }
  // One node: this broker is the leader at epoch 0 (chapter 04 brings epochs).
  auto info = log->Append(records, Epoch{0});
  if (!info.ok()) {
    result.error = info.status().code();
    result.error_message = info.status().message();
    MaybeReportStorageError(tp, result.error, info.status().ToString());
    Logger("server")->debug("append failed tp={} error={}", tp.ToString(),
                            info.status().ToString());
    return result;
  }
  result.base_offset = info->first_offset.value();
  result.log_append_time = info->log_append_time;
  result.log_start_offset = info->log_start_offset.value();
  // Kafka does this in ReplicaManager too: whoever appends (a Produce
  // today, a follower or the group coordinator later) wakes the fetchers.
  if (fetch_purgatory_) fetch_purgatory_->CheckAndComplete(tp);
  return result;
}
// [replica-append]

// [replica-read]
PartitionReadResult ReplicaManager::ReadRecords(const TopicPartition& tp, int64_t fetch_offset,
                                                int32_t max_bytes, bool min_one_message) {
  PartitionReadResult result;
  auto log = Leader(tp, &result.error);
  if (!log) {
    MaybeReportStorageError(tp, result.error, "partition offline");
    return result;
  }
  // Read the offsets first: a concurrent append may move them, but the
  // answer stays consistent if the high watermark is taken before reading.
  int64_t high_watermark = log->LogEndOffset().value();
  result.high_watermark = high_watermark;
  result.last_stable_offset = high_watermark;  // no transactions yet
  result.log_start_offset = log->LogStartOffset().value();
  if (fetch_offset < result.log_start_offset || fetch_offset > high_watermark) {
    result.error = ErrorCode::kOffsetOutOfRange;
    return result;
  }
  if (fetch_offset == high_watermark) return result;  // nothing new: empty records
  auto read = log->Read(Offset{fetch_offset}, max_bytes, min_one_message);
  if (!read.ok()) {
    result.error = read.status().code();
    MaybeReportStorageError(tp, result.error, read.status().ToString());
    return result;
  }
  result.records = read->records;
  return result;
}
// [replica-read]

PartitionOffsetResult ReplicaManager::FetchOffsetForTimestamp(const TopicPartition& tp,
                                                              int64_t timestamp) {
  PartitionOffsetResult result;
  auto log = Leader(tp, &result.error);
  if (!log) {
    MaybeReportStorageError(tp, result.error, "partition offline");
    return result;
  }
  if (timestamp == kLatestTimestamp) {  // latest = the high watermark
    result.offset = log->LogEndOffset().value();
    return result;
  }
  if (timestamp == kEarliestTimestamp) {
    result.offset = log->LogStartOffset().value();
    return result;
  }
  auto found = log->LookupOffsetForTimestamp(timestamp);
  if (!found.ok()) {
    result.error = found.status().code();
    MaybeReportStorageError(tp, result.error, found.status().ToString());
    return result;
  }
  if (*found) {
    result.timestamp = (*found)->timestamp;
    result.offset = (*found)->offset;
  }
  return result;
}

void ReplicaManager::MaybeReportStorageError(const TopicPartition& tp, ErrorCode error,
                                             const std::string& cause) {
  if (error != ErrorCode::kKafkaStorageError || failure_channel_ == nullptr) return;
  std::string dir = logs_.LogDirOf(tp);
  if (dir.empty()) return;  // deleted meanwhile
  failure_channel_->MaybeAddOfflineLogDir(dir, tp.ToString() + ": " + cause);
}

bool ReplicaManager::HandleLogDirFailure(const std::string& log_dir) {
  auto failed = logs_.HandleLogDirFailure(log_dir);
  {
    std::lock_guard lock(mu_);
    for (const auto& tp : failed) {
      if (partitions_.contains(tp)) offline_partitions_.insert(tp);
    }
  }
  Logger("server")->error("partitions offline in failed log dir={} count={}", log_dir,
                          failed.size());
  return logs_.AllLogDirsOffline();
}

}  // namespace gregor
