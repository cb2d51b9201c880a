// SPDX-License-Identifier: Apache-2.0
// ProducerMetadata: the producer's view of the cluster (Kafka's
// ProducerMetadata): a Metadata cache (src/client/metadata.h) plus the set
// of topics the producer has sent to, which is what each refresh asks for,
// and a version that lets Send() wait for "the next update".
//
// Send() on a topic it does not know calls Add(), which asks for a refresh,
// wakes the Sender, and AwaitUpdate()s until the Sender's Update() brings
// the topic or max.block.ms passes. The Sender fetches at most once per
// retry.backoff.ms, so a topic still being auto-created is polled, not
// hammered.
//
// Thread-safe: mu_ guards the topics and the version; Metadata has its own
// lock. The version is also atomic so Send() can read it without mu_.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "client/metadata.h"

namespace gregor {

/// The producer's cluster view and topic set; see the file comment.
class ProducerMetadata {
 public:
  /// REQUIRES: bootstrap not empty.
  ProducerMetadata(std::vector<Node> bootstrap, int64_t metadata_max_age_ms);

  /// The cached cluster view.
  Metadata& cluster() { return cluster_; }
  const Metadata& cluster() const { return cluster_; }
  /// Adds `topic` to what refreshes ask for; a new topic requests one.
  void Add(const std::string& topic);
  /// The topics refreshes ask for.
  std::vector<std::string> Topics() const;
  /// Counts updates and failed attempts; AwaitUpdate waits for a change.
  int64_t version() const;
  /// Applies a Metadata response (Sender thread) and wakes waiters.
  void Update(const MetadataResponse& response, int64_t now_ms);
  /// A fetch failed: wake waiters so they can look at their deadline.
  void FailedUpdate();
  /// Waits until version() > last_version, Close(), or `deadline`.
  /// Returns false on timeout or close.
  bool AwaitUpdate(int64_t last_version, std::chrono::steady_clock::time_point deadline);
  /// Wakes every waiter for good.
  void Close();

 private:
  Metadata cluster_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_:
  std::set<std::string> topics_;
  std::atomic<int64_t> version_{0};  // written under mu_, read anywhere
  bool closed_ = false;
};

}  // namespace gregor
