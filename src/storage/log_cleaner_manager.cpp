// SPDX-License-Identifier: Apache-2.0
#include "storage/log_cleaner_manager.h"

#include <algorithm>
#include <limits>

#include "storage/cleaner.h"

namespace gregor {

LogToClean LogCleanerManager::Measure(const LogCleanerCandidate& candidate, int64_t now_ms) {
  LogToClean ltc{candidate.tp, candidate.log_dir, candidate.log};
  Log& log = *candidate.log;
  int64_t first_uncleanable = Cleaner::FirstUncleanableOffset(log, now_ms);
  std::vector<std::shared_ptr<LogSegment>> dirty_inactive;
  int64_t active_base = 0;
  {
    std::lock_guard lock(log.mu_);
    // Closed or deleted: nothing to clean.
    if (log.closed_ || log.offline_ || log.segments_.empty()) return ltc;
    int64_t start = log.log_start_offset_;
    int64_t end = log.log_end_offset_.message_offset;
    // A checkpoint outside the log (truncation, DeleteRecords): start over.
    int64_t first_dirty = candidate.checkpoint;
    if (first_dirty < start || first_dirty > end) first_dirty = start;
    first_uncleanable = std::max(first_uncleanable, first_dirty);
    ltc.first_dirty_offset = first_dirty;
    ltc.first_uncleanable_offset = first_uncleanable;
    active_base = log.segments_.rbegin()->first;
    // [cleaner-measure]
    const auto& segments = log.segments_;
    for (auto it = segments.begin(); it != segments.end(); ++it) {
      auto next = std::next(it);
      int64_t base = it->first;
      int64_t seg_end = next == segments.end() ? end : next->first;
      int64_t size = it->second->SizeInBytes();
      if (seg_end <= first_dirty) {
        ltc.clean_bytes += size;  // wholly below the checkpoint
      } else if (base < first_uncleanable) {
        ltc.cleanable_bytes += size;  // overlaps the dirty section
      }
      if (seg_end > first_dirty && base < active_base) {
        dirty_inactive.push_back(it->second);
      }
    }
    // [cleaner-measure]
  }
  // max.compaction.lag.ms: the oldest dirty record's age, from each dirty
  // inactive segment's first batch (Kafka's getFirstBatchTimestamp). The
  // segments are immutable, so no lock is needed to read them.
  int64_t max_lag = log.config().max_compaction_lag_ms;
  if (max_lag < std::numeric_limits<int64_t>::max() && max_lag < now_ms) {
    int64_t clean_until = now_ms - max_lag;
    int64_t earliest = std::numeric_limits<int64_t>::max();
    for (const auto& segment : dirty_inactive) {
      FileBatchIterator it(segment->log(), 0, segment->SizeInBytes(), false);
      auto batch = it.Next();
      if (!batch.ok() || *batch == nullptr) continue;
      int64_t ts = (*batch)->header.max_timestamp;
      if (ts >= 0) earliest = std::min(earliest, ts);
    }
    if (earliest < clean_until) ltc.compaction_delay_ms = clean_until - earliest;
  }
  return ltc;
}

bool LogCleanerManager::AvailableLocked(const TopicPartition& tp, int64_t now_ms) const {
  if (states_.contains(tp)) return false;
  auto it = backoff_until_ms_.find(tp);
  return it == backoff_until_ms_.end() || it->second <= now_ms;
}

// [cleaner-grab-filthiest]
std::optional<LogToClean> LogCleanerManager::GrabFilthiestCompactedLog(
    const std::vector<LogCleanerCandidate>& candidates) {
  int64_t now = clock_.NowMs();
  std::vector<LogToClean> dirty;
  for (const auto& c : candidates) {
    if (!c.log->config().cleanup_compact || c.log->IsOffline()) continue;
    {
      std::lock_guard lock(mu_);
      if (!AvailableLocked(c.tp, now)) continue;
    }
    dirty.push_back(Measure(c, now));  // reads files: outside mu_
  }
  std::lock_guard lock(mu_);
  dirtiest_ratio_ = 0;
  const LogToClean* filthiest = nullptr;
  for (const auto& ltc : dirty) {
    double ratio = ltc.CleanableRatio();
    dirtiest_ratio_ = std::max(dirtiest_ratio_, ratio);
    bool cleanable = (ltc.NeedCompactionNow() && ltc.cleanable_bytes > 0) ||
                     ratio > ltc.log->config().min_cleanable_dirty_ratio;
    // Another thread may have grabbed it while we measured.
    if (!cleanable || !AvailableLocked(ltc.tp, now)) continue;
    if (!filthiest || ratio > filthiest->CleanableRatio()) filthiest = &ltc;
  }
  if (filthiest == nullptr) return std::nullopt;
  states_[filthiest->tp] = State::kInProgress;
  return *filthiest;
}
// [cleaner-grab-filthiest]

std::vector<LogCleanerCandidate> LogCleanerManager::GrabDeletableLogs(
    const std::vector<LogCleanerCandidate>& candidates) {
  std::lock_guard lock(mu_);
  std::vector<LogCleanerCandidate> out;
  for (const auto& c : candidates) {
    if (!c.log->config().cleanup_compact || states_.contains(c.tp)) continue;
    if (c.log->IsOffline()) continue;  // its directory is being taken offline
    states_[c.tp] = State::kInProgress;
    out.push_back(c);
  }
  return out;
}

void LogCleanerManager::DoneCleaning(const TopicPartition& tp) {
  {
    std::lock_guard lock(mu_);
    auto it = states_.find(tp);
    if (it == states_.end()) return;
    if (it->second == State::kAborted) {
      it->second = State::kPaused;
    } else if (it->second == State::kInProgress) {
      states_.erase(it);
    }
  }
  done_cv_.notify_all();
}

void LogCleanerManager::AbortAndPauseCleaning(const TopicPartition& tp) {
  std::unique_lock lock(mu_);
  auto it = states_.find(tp);
  if (it == states_.end()) {
    states_[tp] = State::kPaused;
    return;
  }
  if (it->second == State::kInProgress) it->second = State::kAborted;
  done_cv_.wait(lock, [&] {
    auto s = states_.find(tp);
    return s == states_.end() || s->second == State::kPaused;
  });
  states_[tp] = State::kPaused;
}

void LogCleanerManager::ResumeCleaning(const TopicPartition& tp) {
  std::lock_guard lock(mu_);
  auto it = states_.find(tp);
  if (it != states_.end() && it->second == State::kPaused) states_.erase(it);
  backoff_until_ms_.erase(tp);
}

void LogCleanerManager::BackOff(const TopicPartition& tp, int64_t until_ms) {
  std::lock_guard lock(mu_);
  backoff_until_ms_[tp] = until_ms;
}

bool LogCleanerManager::IsCleaningInProgress(const TopicPartition& tp) const {
  std::lock_guard lock(mu_);
  auto it = states_.find(tp);
  return it != states_.end() && it->second != State::kPaused;
}

bool LogCleanerManager::IsPaused(const TopicPartition& tp) const {
  std::lock_guard lock(mu_);
  auto it = states_.find(tp);
  return it != states_.end() && it->second == State::kPaused;
}

double LogCleanerManager::max_dirty_percent() const {
  std::lock_guard lock(mu_);
  return dirtiest_ratio_ * 100;
}

}  // namespace gregor
