// SPDX-License-Identifier: Apache-2.0
#include "server/delayed_operation_purgatory.h"

#include <algorithm>

namespace gregor {

DelayedOperationPurgatory::DelayedOperationPurgatory(std::string name, Timer& timer,
                                                     size_t purge_interval)
    : name_(std::move(name)), timer_(timer), purge_interval_(purge_interval) {}

// [purgatory-try-complete-else-watch]
bool DelayedOperationPurgatory::TryCompleteElseWatch(const std::shared_ptr<DelayedOperation>& op,
                                                     const std::vector<TopicPartition>& keys) {
  // LAB-02: BEGIN SOLUTION DelayedOperationPurgatory::TryCompleteElseWatch
  // HINT: SafeTryComplete first; if not done, add op to watchers_[key] for
  // HINT: every key (under mu_; purge every purge_interval_ watches), then
  // HINT: SafeTryComplete again (an append may have slipped in between),
  // HINT: and only then timer_.Add(op). Cancel it if it completed meanwhile.
  if (op->SafeTryComplete()) return true;
  {
    std::lock_guard lock(mu_);
    for (const TopicPartition& key : keys) watchers_[key].push_back(op);
    if (++watches_since_purge_ >= purge_interval_) PurgeCompletedLocked();
  }
  // An append between the first check and the watch did not see the op.
  if (op->SafeTryComplete()) return true;
  if (!op->IsCompleted()) timer_.Add(op);
  // Completed between the check and the Add: ForceComplete's Cancel may
  // have run before the task was in the timer.
  if (op->IsCompleted()) op->Cancel();
  return false;
  // LAB-02: END SOLUTION
}
// [purgatory-try-complete-else-watch]

// [purgatory-check-and-complete]
size_t DelayedOperationPurgatory::CheckAndComplete(const TopicPartition& key) {
  OpList ops;
  {
    std::lock_guard lock(mu_);
    auto it = watchers_.find(key);
    if (it == watchers_.end()) return 0;
    ops = it->second;  // a copy: TryComplete runs without mu_
  }
  size_t completed = 0;
  for (const auto& op : ops) {
    if (op->SafeTryComplete()) ++completed;
  }
  std::lock_guard lock(mu_);
  auto it = watchers_.find(key);
  if (it != watchers_.end()) {
    std::erase_if(it->second, [](const auto& op) { return op->IsCompleted(); });
    if (it->second.empty()) watchers_.erase(it);
  }
  return completed;
}
// [purgatory-check-and-complete]

size_t DelayedOperationPurgatory::Watched() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [key, ops] : watchers_) n += ops.size();
  return n;
}

void DelayedOperationPurgatory::PurgeCompletedLocked() {
  watches_since_purge_ = 0;
  for (auto it = watchers_.begin(); it != watchers_.end();) {
    std::erase_if(it->second, [](const auto& op) { return op->IsCompleted(); });
    it = it->second.empty() ? watchers_.erase(it) : std::next(it);
  }
}

}  // namespace gregor
