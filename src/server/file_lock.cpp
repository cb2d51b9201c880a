// SPDX-License-Identifier: Apache-2.0
#include "server/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gregor {

Result<std::unique_ptr<FileLock>> FileLock::TryLock(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status(ErrorCode::kKafkaStorageError,
                  "cannot open lock file " + path + ": " + std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return Status(ErrorCode::kKafkaStorageError,
                    "failed to acquire lock on " + path +
                        ": another broker process is using this log directory");
    }
    return Status(ErrorCode::kKafkaStorageError,
                  "cannot lock " + path + ": " + std::strerror(err));
  }
  return std::unique_ptr<FileLock>(new FileLock(path, fd));
}

FileLock::~FileLock() {
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
}

}  // namespace gregor
