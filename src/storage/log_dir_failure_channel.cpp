// SPDX-License-Identifier: Apache-2.0
#include "storage/log_dir_failure_channel.h"

#include "common/logging.h"

namespace gregor {

bool LogDirFailureChannel::MaybeAddOfflineLogDir(const std::string& log_dir,
                                                 const std::string& cause) {
  {
    std::lock_guard lock(mu_);
    if (!offline_.insert(log_dir).second) return false;
    queue_.push_back(log_dir);
  }
  // Kafka logs this at error with the exception; the handler logs what it did.
  Logger("storage")->error("log dir offline dir={} cause={}", log_dir, cause);
  cv_.notify_all();
  return true;
}

std::optional<std::string> LogDirFailureChannel::TakeNextOfflineLogDir() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return closed_ || !queue_.empty(); });
  if (queue_.empty()) return std::nullopt;
  std::string dir = std::move(queue_.front());
  queue_.pop_front();
  return dir;
}

void LogDirFailureChannel::Close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

bool LogDirFailureChannel::HasOfflineLogDir(const std::string& log_dir) const {
  std::lock_guard lock(mu_);
  return offline_.contains(log_dir);
}

std::vector<std::string> LogDirFailureChannel::OfflineLogDirs() const {
  std::lock_guard lock(mu_);
  return {offline_.begin(), offline_.end()};
}

}  // namespace gregor
