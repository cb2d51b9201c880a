// SPDX-License-Identifier: Apache-2.0
// FileLock: an exclusive lock on a file, held for the life of the object
// (Kafka's FileLock). KafkaServer takes one on `.lock` in every log
// directory before it reads or writes anything there, as Kafka's
// LogManager does, so a second broker started on the same directories
// refuses to start instead of rebuilding the first one's indexes under it
// and serving the same partitions.
//
// The lock is flock(2): advisory, released by the kernel when the process
// dies (kill -9 included), so a crash never leaves a stale lock behind. It
// belongs to the open file, so a second FileLock on the same path fails
// even within one process.
#pragma once

#include <memory>
#include <string>

#include "common/errors.h"

namespace gregor {

/// An exclusive flock(2) on a file, released on destruction; see the file
/// comment.
class FileLock {
 public:
  /// Creates `path` if needed and locks it without waiting. Errors:
  /// KAFKA_STORAGE_ERROR when another process (or FileLock) holds it, or
  /// the file cannot be opened.
  static Result<std::unique_ptr<FileLock>> TryLock(const std::string& path);
  /// Unlocks and closes.
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  const std::string& path() const { return path_; }

 private:
  FileLock(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

  const std::string path_;
  const int fd_;
};

}  // namespace gregor
