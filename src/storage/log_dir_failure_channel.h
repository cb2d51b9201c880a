// SPDX-License-Identifier: Apache-2.0
// LogDirFailureChannel: where an I/O error in a log directory is reported,
// and where the broker learns that a directory went offline (Kafka's
// LogDirFailureChannel).
//
// Anyone that sees a KAFKA_STORAGE_ERROR from a log or a checkpoint in a
// log directory (the ReplicaManager on produce, fetch and list-offsets; the
// LogManager on flush, retention and checkpoints) calls
// MaybeAddOfflineLogDir. The first report of a directory logs the error
// and queues the directory; later ones only count. One handler thread
// (KafkaServer's, Kafka's LogDirFailureHandler) takes each queued directory
// with TakeNextOfflineLogDir and takes its partitions offline: they answer
// KAFKA_STORAGE_ERROR (56) from then on, and a broker left with no online
// log directory shuts down.
//
// A directory stays offline until the process exits: as in Kafka, it comes
// back only by a restart (after the operator fixed the disk), when the
// logs in it are recovered.
//
// Thread-safety: all methods are thread-safe. MaybeAddOfflineLogDir never
// blocks on the handler (it is called with a Log's lock held).
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace gregor {

/// Offline log directories and the queue of new ones; see the file comment.
class LogDirFailureChannel {
 public:
  LogDirFailureChannel() = default;

  /// Reports an I/O error `cause` in `log_dir`. The first report of a
  /// directory marks it offline, logs `cause` at error and queues it for
  /// the handler; returns whether this call did so.
  bool MaybeAddOfflineLogDir(const std::string& log_dir, const std::string& cause);
  /// Blocks until a directory is queued (returns it) or Close() was
  /// called and the queue is empty (returns nullopt).
  std::optional<std::string> TakeNextOfflineLogDir();
  /// Wakes TakeNextOfflineLogDir for good: the handler thread can stop.
  void Close();

  bool HasOfflineLogDir(const std::string& log_dir) const;
  /// Every directory reported so far, in name order.
  std::vector<std::string> OfflineLogDirs() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_:
  std::set<std::string> offline_;
  std::deque<std::string> queue_;
  bool closed_ = false;
};

}  // namespace gregor
