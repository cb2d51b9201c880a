// SPDX-License-Identifier: Apache-2.0
#include "storage/log_manager.h"

#include "common/logging.h"
#include "storage/checkpoint_file.h"

namespace gregor {

LogManager::LogManager(Env& env, std::vector<std::string> log_dirs, const LogConfig& default_config,
                       Clock& clock, const CleanerConfig& cleaner_config)
    : env_(env),
      log_dirs_(std::move(log_dirs)),
      default_config_(default_config),
      clock_(clock),
      cleaner_(std::make_unique<LogCleaner>(env, clock, cleaner_config,
                                            [this] { return CompactedLogs(); })) {}

LogManager::~LogManager() {
  cleaner_->Shutdown();  // no pass may run on a closed log
  std::lock_guard lock(mu_);
  for (auto& [tp, entry] : logs_) entry.log->Close();
}

Status LogManager::Startup() {
  for (const auto& dir : log_dirs_) {
    if (Status s = env_.CreateDir(dir); !s.ok()) return s;
    if (Status s = LoadLogDir(dir); !s.ok()) return s;
  }
  // A log deleted under a pass also fails with KAFKA_STORAGE_ERROR
  // ("closed"): only a log still here in `dir` reports its directory.
  cleaner_->set_storage_error_handler(
      [this](const TopicPartition& tp, const std::string& dir, const Status& s) {
        if (LogDirOf(tp) == dir) ReportStorageError(dir, s);
      });
  cleaner_->Startup();
  return Status::Ok();
}

Status LogManager::LoadLogDir(const std::string& log_dir) {
  std::string marker = log_dir + "/" + kCleanShutdownFile;
  bool clean = env_.FileExists(marker);
  // A checkpoint that cannot be read is treated as absent: recovery from
  // offset 0 is slow but correct.
  auto read = [&](const char* name) {
    OffsetCheckpointFile file(env_, log_dir + "/" + name);
    auto offsets = file.Read();
    if (offsets.ok()) return std::move(*offsets);
    Logger("storage")->warn("ignoring checkpoint reason={}", offsets.status().ToString());
    clean = false;  // the shutdown did not finish writing its state
    return std::map<TopicPartition, int64_t>();
  };
  auto recovery_points = read(kRecoveryPointCheckpointFile);
  auto log_start_offsets = read(kLogStartOffsetCheckpointFile);

  auto children = env_.GetChildren(log_dir);
  if (!children.ok()) return children.status();
  for (const auto& name : *children) {
    auto tp = TopicPartition::FromDirName(name);
    // The metadata log lives beside the partitions (as in Kafka's KRaft
    // mode) but belongs to the controller, which opens it itself.
    if (!tp || tp->topic == kClusterMetadataTopic) continue;
    LogLoadParams params;
    params.had_clean_shutdown = clean;
    if (auto it = recovery_points.find(*tp); it != recovery_points.end()) {
      params.recovery_point = Offset(it->second);
    }
    if (auto it = log_start_offsets.find(*tp); it != log_start_offsets.end()) {
      params.log_start_offset = Offset(it->second);
    }
    // A topic's own settings, as the metadata says (flush.messages,
    // cleanup.policy ...): a log loads with them, not the broker defaults.
    auto own = topic_configs_.find(tp->topic);
    const LogConfig& config = own != topic_configs_.end() ? own->second : default_config_;
    auto log = Log::Open(env_, log_dir + "/" + name, config, clock_, params);
    if (!log.ok()) return log.status();
    std::lock_guard lock(mu_);
    if (logs_.contains(*tp)) {
      return Status(ErrorCode::kCorruptMessage, "duplicate log directories for " + name);
    }
    logs_[*tp] = Entry{std::shared_ptr<Log>(std::move(*log)), log_dir};
  }
  // [manager-remove-marker]
  // From here on a crash is unclean.
  if (env_.FileExists(marker)) {
    if (Status s = env_.RemoveFile(marker); !s.ok()) return s;
    if (Status s = env_.SyncDir(log_dir); !s.ok()) return s;
  }
  // [manager-remove-marker]
  return Status::Ok();
}

Result<std::shared_ptr<Log>> LogManager::GetOrCreateLog(const TopicPartition& tp,
                                                        const std::optional<LogConfig>& config) {
  if (!TopicPartition::IsValidTopic(tp.topic) || tp.partition.value() < 0) {
    return Status(ErrorCode::kInvalidTopicException, "illegal partition " + tp.ToString());
  }
  std::lock_guard lock(mu_);
  if (auto it = logs_.find(tp); it != logs_.end()) return it->second.log;
  if (log_dirs_.empty()) return Status(ErrorCode::kLogDirNotFound, "no log.dirs");
  // The online directory with the fewest partitions (Kafka's nextLogDirs).
  std::map<std::string, int> load;
  for (const auto& dir : log_dirs_) {
    if (!offline_dirs_.contains(dir)) load[dir] = 0;
  }
  if (load.empty()) return Status(ErrorCode::kKafkaStorageError, "every log dir is offline");
  for (const auto& [other, entry] : logs_) {
    if (load.contains(entry.log_dir)) ++load[entry.log_dir];
  }
  std::string log_dir = load.begin()->first;
  for (const auto& [dir, n] : load) {
    if (n < load[log_dir]) log_dir = dir;
  }
  std::string dir = log_dir + "/" + tp.ToString();
  if (Status s = env_.CreateDir(dir); !s.ok()) return s;
  if (Status s = env_.SyncDir(log_dir); !s.ok()) return s;
  auto log = Log::Open(env_, dir, config.value_or(default_config_), clock_,
                       LogLoadParams{Offset(0), Offset(0), true});
  if (!log.ok()) return log.status();
  std::shared_ptr<Log> shared(std::move(*log));
  logs_[tp] = Entry{shared, log_dir};
  return shared;
}

std::shared_ptr<Log> LogManager::GetLog(const TopicPartition& tp) const {
  std::lock_guard lock(mu_);
  auto it = logs_.find(tp);
  return it == logs_.end() ? nullptr : it->second.log;
}

std::vector<TopicPartition> LogManager::AllPartitions() const {
  std::lock_guard lock(mu_);
  std::vector<TopicPartition> out;
  for (const auto& [tp, entry] : logs_) out.push_back(tp);
  return out;
}

std::string LogManager::LogDirOf(const TopicPartition& tp) const {
  std::lock_guard lock(mu_);
  auto it = logs_.find(tp);
  return it == logs_.end() ? "" : it->second.log_dir;
}

Status LogManager::DeleteLog(const TopicPartition& tp) {
  Entry entry;
  {
    std::lock_guard lock(mu_);
    auto it = logs_.find(tp);
    if (it == logs_.end()) {
      return Status(ErrorCode::kUnknownTopicOrPartition, "no log for " + tp.ToString());
    }
    entry = it->second;
    logs_.erase(it);
  }
  // No pass may run on a log being deleted (Kafka: abortAndPauseCleaning).
  cleaner_->manager().AbortAndPauseCleaning(tp);
  Status deleted = entry.log->Delete();
  if (deleted.ok()) deleted = cleaner_->RemoveCheckpoint(entry.log_dir, tp);
  cleaner_->manager().ResumeCleaning(tp);
  if (!deleted.ok()) return deleted;
  if (Status s = env_.SyncDir(entry.log_dir); !s.ok()) return s;
  // Drop the partition from the checkpoints too.
  return CheckpointRecoveryOffsetsAndLogStartOffsets();
}

Status LogManager::WriteCheckpoints(const std::string& log_dir,
                                    const std::map<TopicPartition, Entry>& logs) {
  std::map<TopicPartition, int64_t> recovery_points, log_start_offsets;
  for (const auto& [tp, entry] : logs) {
    if (entry.log_dir != log_dir) continue;
    recovery_points[tp] = entry.log->RecoveryPoint().value();
    log_start_offsets[tp] = entry.log->LogStartOffset().value();
  }
  std::lock_guard lock(checkpoint_mu_);
  OffsetCheckpointFile rp(env_, log_dir + "/" + kRecoveryPointCheckpointFile);
  if (Status s = rp.Write(recovery_points); !s.ok()) return s;
  OffsetCheckpointFile ls(env_, log_dir + "/" + kLogStartOffsetCheckpointFile);
  return ls.Write(log_start_offsets);
}

Status LogManager::CheckpointRecoveryOffsetsAndLogStartOffsets() {
  std::map<TopicPartition, Entry> snapshot;
  {
    std::lock_guard lock(mu_);
    snapshot = logs_;
  }
  Status first;
  for (const auto& dir : log_dirs_) {
    if (IsLogDirOffline(dir)) continue;  // nothing more is written there
    Status s = WriteCheckpoints(dir, snapshot);
    ReportStorageError(dir, s);
    if (!s.ok() && first.ok()) first = s;
  }
  return first;
}

Status LogManager::FlushAll() {
  Status first;
  for (const auto& tp : OnlinePartitions()) {
    if (auto log = GetLog(tp)) {
      Status s = log->FlushAll();
      ReportStorageError(LogDirOf(tp), s);
      if (!s.ok() && first.ok()) first = s;
    }
  }
  return first;
}

Status LogManager::FlushRolledSegmentsAndCheckpoint() {
  Status first;
  for (const auto& tp : OnlinePartitions()) {
    if (auto log = GetLog(tp)) {
      Status s = log->FlushRolledSegments();
      ReportStorageError(LogDirOf(tp), s);
      if (!s.ok() && first.ok()) first = s;
    }
  }
  if (Status s = CheckpointRecoveryOffsetsAndLogStartOffsets(); !s.ok() && first.ok()) first = s;
  return first;
}

Result<int> LogManager::CleanupLogs() {
  int deleted = 0;
  Status first;
  for (const auto& tp : OnlinePartitions()) {
    auto log = GetLog(tp);
    if (!log) continue;
    // The cleaner threads run compacted logs' retention between passes.
    if (log->config().cleanup_compact && cleaner_->config().enable) continue;
    auto n = log->DeleteOldSegments();
    if (!n.ok()) ReportStorageError(LogDirOf(tp), n.status());
    if (n.ok()) {
      deleted += *n;
    } else if (first.ok()) {
      first = n.status();
    }
  }
  if (!first.ok()) return first;
  return deleted;
}

// [manager-shutdown]
Status LogManager::Shutdown() {
  cleaner_->Shutdown();  // first: a pass writes segments and checkpoints
  Status first = FlushAll();
  if (Status s = CheckpointRecoveryOffsetsAndLogStartOffsets(); !s.ok() && first.ok()) first = s;
  std::lock_guard lock(mu_);
  for (auto& [tp, entry] : logs_) {
    if (Status s = entry.log->Close(); !s.ok() && first.ok()) first = s;
  }
  if (!first.ok()) return first;  // no marker: the next start recovers
  for (const auto& dir : log_dirs_) {
    if (offline_dirs_.contains(dir)) continue;  // recovered at the next start
    std::string marker = dir + "/" + kCleanShutdownFile;
    if (Status s = WriteStringToFileSync(env_, marker, ""); !s.ok()) return s;
    if (Status s = env_.SyncDir(dir); !s.ok()) return s;
  }
  return Status::Ok();
}
// [manager-shutdown]

// Log directory failure. Kafka also closes the failed directory's logs
// here; Gregor leaves them open (a fetch response may still be sending
// from their files) and closes them at Shutdown like the others.
std::vector<TopicPartition> LogManager::HandleLogDirFailure(const std::string& log_dir) {
  std::lock_guard lock(mu_);
  offline_dirs_.insert(log_dir);
  std::vector<TopicPartition> out;
  for (const auto& [tp, entry] : logs_) {
    if (entry.log_dir == log_dir) out.push_back(tp);
  }
  return out;
}

bool LogManager::IsLogDirOffline(const std::string& log_dir) const {
  std::lock_guard lock(mu_);
  return offline_dirs_.contains(log_dir);
}

bool LogManager::AllLogDirsOffline() const {
  std::lock_guard lock(mu_);
  for (const auto& dir : log_dirs_) {
    if (!offline_dirs_.contains(dir)) return false;
  }
  return true;
}

std::vector<TopicPartition> LogManager::OnlinePartitions() const {
  std::lock_guard lock(mu_);
  std::vector<TopicPartition> out;
  for (const auto& [tp, entry] : logs_) {
    if (!offline_dirs_.contains(entry.log_dir)) out.push_back(tp);
  }
  return out;
}

void LogManager::ReportStorageError(const std::string& log_dir, const Status& s) {
  if (failure_channel_ == nullptr || s.ok() || log_dir.empty()) return;
  if (s.code() == ErrorCode::kKafkaStorageError) {
    failure_channel_->MaybeAddOfflineLogDir(log_dir, s.ToString());
  }
}

std::vector<LogCleanerCandidate> LogManager::CompactedLogs() const {
  std::lock_guard lock(mu_);
  std::vector<LogCleanerCandidate> out;
  for (const auto& [tp, entry] : logs_) {
    if (!entry.log->config().cleanup_compact || offline_dirs_.contains(entry.log_dir)) continue;
    out.push_back(LogCleanerCandidate{tp, entry.log_dir, entry.log, 0});
  }
  return out;
}

}  // namespace gregor
