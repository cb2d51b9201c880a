// SPDX-License-Identifier: Apache-2.0
#include "producer/producer_metadata.h"

namespace gregor {

ProducerMetadata::ProducerMetadata(std::vector<Node> bootstrap, int64_t metadata_max_age_ms)
    : cluster_(std::move(bootstrap), metadata_max_age_ms) {}

void ProducerMetadata::Add(const std::string& topic) {
  bool added;
  {
    std::lock_guard lock(mu_);
    added = topics_.insert(topic).second;
  }
  if (added) cluster_.RequestUpdate();
}

std::vector<std::string> ProducerMetadata::Topics() const {
  std::lock_guard lock(mu_);
  return {topics_.begin(), topics_.end()};
}

int64_t ProducerMetadata::version() const { return version_.load(); }

void ProducerMetadata::Update(const MetadataResponse& response, int64_t now_ms) {
  cluster_.Update(response, now_ms);
  {
    std::lock_guard lock(mu_);
    ++version_;
  }
  cv_.notify_all();
}

void ProducerMetadata::FailedUpdate() {
  {
    std::lock_guard lock(mu_);
    ++version_;
  }
  cv_.notify_all();
}

bool ProducerMetadata::AwaitUpdate(int64_t last_version,
                                   std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  cv_.wait_until(lock, deadline, [&] { return closed_ || version_ > last_version; });
  return !closed_ && version_ > last_version;
}

void ProducerMetadata::Close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

}  // namespace gregor
