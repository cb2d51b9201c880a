// SPDX-License-Identifier: Apache-2.0
// DelayedFetch: a Fetch that waits for min_bytes or max_wait_ms (Kafka's
// DelayedFetch), the long poll that lets a consumer at the log end get
// new records the moment they are appended instead of polling.
//
// KafkaApis parks a Fetch when max_wait_ms > 0, no partition failed, and
// fewer than min_bytes were readable. It waits in the fetch purgatory,
// watched under each partition it reads:
//
//   append to tp --> ReplicaManager --> purgatory.CheckAndComplete(tp)
//                                         --> TryComplete: re-read sizes
//   max_wait_ms passes --> timer --> Run --> ForceComplete
//   either way, once: OnComplete --> on_complete_() reads and responds
//
// TryComplete re-reads every partition through ReplicaManager::ReadRecords
// (a slice lookup; no bytes are copied) and completes when the bytes
// available reach min_bytes, or when a partition now errors (deleted,
// truncated below the fetch offset): the client must hear about it.
// Kafka compares log offset metadata instead of reading; with our slices
// the read is the same cost.
//
// Thread-safety: as DelayedOperation. `on_complete` runs on the thread
// that completed the fetch: a produce handler or the timer's reaper.
#pragma once

#include <functional>
#include <memory>

#include "protocol/fetch.h"
#include "server/delayed_operation.h"
#include "server/replica_manager.h"

namespace gregor {

/// A parked Fetch; see the file comment.
class DelayedFetch : public DelayedOperation {
 public:
  /// Waits at most fetch->max_wait_ms. `replicas` outlives the operation;
  /// `on_complete` reads the partitions again and sends the response.
  DelayedFetch(std::shared_ptr<const FetchRequest> fetch, ReplicaManager& replicas,
               std::function<void()> on_complete);

  /// The partitions to watch (the purgatory keys).
  std::vector<TopicPartition> Keys() const;

  /// Completes once min_bytes are readable or a partition errors.
  bool TryComplete() override;
  /// Calls on_complete.
  void OnComplete() override;

 private:
  const std::shared_ptr<const FetchRequest> fetch_;
  ReplicaManager& replicas_;
  std::function<void()> on_complete_;
};

}  // namespace gregor
