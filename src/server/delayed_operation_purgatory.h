// SPDX-License-Identifier: Apache-2.0
// DelayedOperationPurgatory: where operations wait, watched by key and
// expired by a timer (Kafka's DelayedOperationPurgatory).
//
//   TryCompleteElseWatch(op, keys)
//     op.SafeTryComplete()?                      -> done, never parked
//     watch op under every key
//     op.SafeTryComplete()? (data may have come)  -> done
//     timer.Add(op)                                 (expires at its delay)
//
//   CheckAndComplete(key)       -- called when something changes for key
//     SafeTryComplete() every op watched under key; unwatch completed ones
//
// The second SafeTryComplete closes the race with an append that lands
// between the first check and the watch: such an append's
// CheckAndComplete may have run before the op was watched. Keys are
// TopicPartitions: a Fetch watches the partitions it reads, and a
// successful append calls CheckAndComplete for its partition.
//
// An operation completed through one key stays in other keys' lists (and
// an expired one in all of them) until those keys are checked or the
// purge runs: every `purge_interval` watches, all lists drop their
// completed operations (Kafka's purgeInterval).
//
// Thread-safety: all methods are thread-safe. One mutex guards the watch
// lists (Kafka shards them); it is never held while an operation's
// TryComplete or OnComplete runs, because those read the log and send.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/delayed_operation.h"
#include "server/timing_wheel.h"
#include "storage/topic_partition.h"

namespace gregor {

/// Operations waiting on partitions and a deadline; see the file comment.
class DelayedOperationPurgatory {
 public:
  /// `timer` (which expires the operations) outlives the purgatory.
  DelayedOperationPurgatory(std::string name, Timer& timer, size_t purge_interval = 1000);
  DelayedOperationPurgatory(const DelayedOperationPurgatory&) = delete;
  DelayedOperationPurgatory& operator=(const DelayedOperationPurgatory&) = delete;

  /// Completes `op` now if it can, else watches it under `keys` and adds
  /// it to the timer. True if it completed during this call (on this
  /// thread). REQUIRES: `keys` is not empty; `op` was never added before.
  bool TryCompleteElseWatch(const std::shared_ptr<DelayedOperation>& op,
                            const std::vector<TopicPartition>& keys);
  /// Tries to complete every operation watched under `key`; returns how
  /// many this call completed.
  size_t CheckAndComplete(const TopicPartition& key);

  /// Watch-list entries, completed ones not yet purged included (Kafka's
  /// watched()).
  size_t Watched() const;
  /// Operations waiting in the timer (Kafka's numDelayed()).
  size_t Delayed() const { return timer_.size(); }
  const std::string& name() const { return name_; }

 private:
  using OpList = std::vector<std::shared_ptr<DelayedOperation>>;
  /// Drops completed operations from every list. REQUIRES: mu_ held.
  void PurgeCompletedLocked();

  const std::string name_;
  Timer& timer_;
  const size_t purge_interval_;

  mutable std::mutex mu_;
  // Guarded by mu_:
  std::map<TopicPartition, OpList> watchers_;
  size_t watches_since_purge_ = 0;
};

}  // namespace gregor
