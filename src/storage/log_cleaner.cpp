// SPDX-License-Identifier: Apache-2.0
#include "storage/log_cleaner.h"

#include <algorithm>
#include <chrono>
#include <map>

#include "common/logging.h"

namespace gregor {

LogCleaner::LogCleaner(Env& env, Clock& clock, size_t dedupe_buffer_bytes)
    : env_(env),
      clock_(clock),
      config_(CleanerConfig{.enable = false}),
      manager_(clock),
      direct_dedupe_bytes_(dedupe_buffer_bytes) {
  stats_.last_run_ms = clock_.NowMs();
}

LogCleaner::LogCleaner(Env& env, Clock& clock, const CleanerConfig& config, LogSource source)
    : env_(env),
      clock_(clock),
      config_(config),
      source_(std::move(source)),
      manager_(clock),
      direct_dedupe_bytes_(size_t(config.dedupe_buffer_size / std::max(1, config.num_threads))) {
  stats_.last_run_ms = clock_.NowMs();
}

LogCleaner::~LogCleaner() { Shutdown(); }

void LogCleaner::Startup() {
  std::lock_guard lock(thread_mu_);
  if (!config_.enable || config_.num_threads < 1 || !source_ || !threads_.empty()) return;
  stopping_ = false;
  // Kafka splits the dedupe buffer evenly between the threads.
  int n = config_.num_threads;
  size_t per_thread = size_t(config_.dedupe_buffer_size / n);
  for (int i = 0; i < n; ++i) {
    cleaners_.push_back(std::make_unique<Cleaner>(per_thread, clock_));
    Cleaner* cleaner = cleaners_.back().get();
    threads_.emplace_back([this, cleaner] { ThreadLoop(cleaner); });
  }
  Logger("log-cleaner")->info("started threads={} dedupe.buffer.per.thread={}", n, per_thread);
}

void LogCleaner::Shutdown() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(thread_mu_);
    stopping_ = true;
    threads.swap(threads_);
  }
  wake_.notify_all();
  for (auto& t : threads) t.join();
  std::lock_guard lock(thread_mu_);
  cleaners_.clear();
}

// [cleaner-thread-loop]
void LogCleaner::ThreadLoop(Cleaner* cleaner) {
  std::unique_lock lock(thread_mu_);
  while (!stopping_) {
    lock.unlock();
    bool cleaned = CleanFilthiestLog(*cleaner);
    lock.lock();
    // Idle: wait out the back-off, or until Shutdown.
    if (!cleaned) {
      wake_.wait_for(lock, std::chrono::milliseconds(config_.backoff_ms),
                     [this] { return stopping_; });
    }
  }
}
// [cleaner-thread-loop]

bool LogCleaner::CleanFilthiestLog(Cleaner& cleaner) {
  if (!source_) return false;
  std::vector<LogCleanerCandidate> candidates = source_();
  // Each directory's checkpoint file is read once per step.
  std::map<std::string, std::map<TopicPartition, int64_t>> checkpoints;
  for (auto& c : candidates) {
    if (!checkpoints.contains(c.log_dir)) {
      std::lock_guard lock(checkpoint_mu_);
      auto read = OffsetCheckpointFile(env_, c.log_dir + "/" + kCleanerCheckpointFile).Read();
      checkpoints[c.log_dir] = read.ok() ? std::move(*read) : std::map<TopicPartition, int64_t>{};
    }
    auto& offsets = checkpoints[c.log_dir];
    auto it = offsets.find(c.tp);
    c.checkpoint = it == offsets.end() ? 0 : it->second;
  }

  bool cleaned = false;
  if (auto ltc = manager_.GrabFilthiestCompactedLog(candidates)) {
    int64_t start_ns = clock_.NowNs();
    auto stats = CleanWith(cleaner, ltc->log_dir, ltc->tp, *ltc->log);
    if (stats.ok()) {
      RecordPass(*stats, double(clock_.NowNs() - start_ns) / 1e9, cleaner);
      cleaned = stats->end_offset > stats->first_dirty_offset;
      Logger("log-cleaner")
          ->info("cleaned tp={} dirty.ratio={:.3f} offsets=[{}, {}) read={} written={}",
                 ltc->tp.ToString(), ltc->CleanableRatio(), stats->first_dirty_offset,
                 stats->end_offset, stats->bytes_read, stats->bytes_written);
    } else {
      // Never fatal: the log is left alone for a back-off, then retried.
      Logger("log-cleaner")
          ->warn("cleaning failed tp={} backoff.ms={} error={}", ltc->tp.ToString(),
                 config_.backoff_ms, stats.status().ToString());
      manager_.BackOff(ltc->tp, clock_.NowMs() + config_.backoff_ms);
      ReportStorageError(ltc->tp, ltc->log_dir, stats.status());
    }
    manager_.DoneCleaning(ltc->tp);
  }

  // Retention of compacted logs runs here, between passes, as in Kafka:
  // then no segment is deleted under a running pass.
  for (const auto& c : manager_.GrabDeletableLogs(candidates)) {
    auto deleted = c.log->DeleteOldSegments();
    if (!deleted.ok()) {
      Logger("log-cleaner")
          ->warn("retention failed tp={} error={}", c.tp.ToString(), deleted.status().ToString());
      ReportStorageError(c.tp, c.log_dir, deleted.status());
    }
    manager_.DoneCleaning(c.tp);
  }
  return cleaned;
}

void LogCleaner::ReportStorageError(const TopicPartition& tp, const std::string& log_dir,
                                    const Status& s) {
  if (storage_error_handler_ && s.code() == ErrorCode::kKafkaStorageError) {
    storage_error_handler_(tp, log_dir, s);
  }
}

void LogCleaner::RecordPass(const CleanerStats& stats, double secs, const Cleaner& cleaner) {
  stats_.bytes_read += stats.bytes_read;
  stats_.bytes_written += stats.bytes_written;
  ++stats_.passes;
  stats_.last_clean_time_secs = secs;
  stats_.last_recopy_percent =
      100.0 * double(stats.bytes_written) / double(std::max<int64_t>(stats.bytes_read, 1));
  const OffsetMap& map = cleaner.offset_map();
  stats_.last_buffer_utilization_percent =
      100.0 * double(map.size()) / double(std::max<size_t>(map.capacity(), 1));
  stats_.last_run_ms = clock_.NowMs();
}

Result<int64_t> LogCleaner::CheckpointOf(const std::string& log_dir, const TopicPartition& tp) {
  std::lock_guard lock(checkpoint_mu_);
  auto offsets = OffsetCheckpointFile(env_, log_dir + "/" + kCleanerCheckpointFile).Read();
  if (!offsets.ok()) return offsets.status();
  auto it = offsets->find(tp);
  return it == offsets->end() ? int64_t{0} : it->second;
}

Status LogCleaner::RemoveCheckpoint(const std::string& log_dir, const TopicPartition& tp) {
  std::lock_guard lock(checkpoint_mu_);
  OffsetCheckpointFile file(env_, log_dir + "/" + kCleanerCheckpointFile);
  auto offsets = file.Read();
  if (!offsets.ok()) return offsets.status();
  if (offsets->erase(tp) == 0) return Status::Ok();
  return file.Write(*offsets);
}

Result<CleanerStats> LogCleaner::CleanWith(Cleaner& cleaner, const std::string& log_dir,
                                           const TopicPartition& tp, Log& log) {
  auto checkpoint = CheckpointOf(log_dir, tp);
  if (!checkpoint.ok()) return checkpoint.status();
  auto stats = cleaner.Clean(log, *checkpoint);
  if (!stats.ok() || stats->end_offset == *checkpoint) return stats;
  // Re-read under the lock: another thread may have written another
  // partition's entry meanwhile.
  std::lock_guard lock(checkpoint_mu_);
  OffsetCheckpointFile file(env_, log_dir + "/" + kCleanerCheckpointFile);
  auto offsets = file.Read();
  if (!offsets.ok()) return offsets.status();
  (*offsets)[tp] = stats->end_offset;
  if (Status s = file.Write(*offsets); !s.ok()) return s;
  return stats;
}

Result<CleanerStats> LogCleaner::CleanLog(const std::string& log_dir, const TopicPartition& tp,
                                          Log& log) {
  std::lock_guard lock(direct_mu_);
  if (!direct_cleaner_) {
    direct_cleaner_ = std::make_unique<Cleaner>(direct_dedupe_bytes_, clock_);
    direct_cleaner_->set_file_op_hook(hook_);
  }
  int64_t start_ns = clock_.NowNs();
  auto stats = CleanWith(*direct_cleaner_, log_dir, tp, log);
  if (stats.ok()) RecordPass(*stats, double(clock_.NowNs() - start_ns) / 1e9, *direct_cleaner_);
  return stats;
}

void LogCleaner::set_file_op_hook(Cleaner::FileOpHook hook) {
  std::lock_guard lock(direct_mu_);
  hook_ = std::move(hook);
  if (direct_cleaner_) direct_cleaner_->set_file_op_hook(hook_);
}

}  // namespace gregor
