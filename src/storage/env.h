// SPDX-License-Identifier: Apache-2.0
// Env: the file-system interface of the storage layer (LevelDB's Env). Every
// byte the broker writes to disk goes through it, so tests can swap in a
// FaultInjectionEnv (fault_injection_env.h) that fails writes with ENOSPC or
// EIO and simulates a power loss.
//
//   WritableFile      append-only writes, Sync (fdatasync), Truncate
//   RandomAccessFile  positional reads (pread); fd() for sendfile later
//   MappedFile        a read-write memory mapping of a whole file: the
//                     .index and .timeindex files, as Kafka maps them
//   Env               opens those, and the directory operations: list,
//                     create, remove, atomic rename, SyncDir
//
// Errors: every failing call returns KAFKA_STORAGE_ERROR with the path and
// the errno text ("append 00000000000000000000.log: No space left on
// device"). That is Kafka's code for "this log directory failed"; a Log
// that sees one goes offline.
//
// Thread-safety: Env methods are thread-safe. A file object belongs to one
// owner at a time; RandomAccessFile::Read is const and safe from several
// threads (pread has no shared position).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/errors.h"

namespace gregor {

/// A file opened for appending: every Append goes to the end.
// [env-writable-file]
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  /// Appends `data` at the end of the file. On error a prefix of `data` may
  /// have reached the file (a torn write); the caller must truncate it away
  /// or treat the file as damaged.
  virtual Status Append(ByteSpan data) = 0;
  /// Forces written data to stable storage (fdatasync).
  virtual Status Sync() = 0;
  /// Cuts the file to `size` bytes. REQUIRES: size <= current size.
  virtual Status Truncate(uint64_t size) = 0;
  /// Closes the descriptor; later calls fail. The destructor closes too.
  virtual Status Close() = 0;
};
// [env-writable-file]

/// A file opened for positional reads.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  /// Reads up to `n` bytes at `offset` into `scratch`; `*bytes_read` is less
  /// than `n` only at end of file.
  virtual Status Read(uint64_t offset, size_t n, uint8_t* scratch, size_t* bytes_read) const = 0;
  /// The native descriptor for sendfile(2), or -1 when there is none.
  virtual int fd() const { return -1; }
};

/// A whole file mapped into memory, read-write unless opened read-only.
/// Writes to data() reach the file without a system call; Sync (msync)
/// makes them durable. Resize changes the file length and remaps, so
/// pointers into data() are invalid after it.
class MappedFile {
 public:
  virtual ~MappedFile() = default;
  /// The mapping; nullptr when size() is 0.
  virtual uint8_t* data() = 0;
  virtual const uint8_t* data() const = 0;
  virtual size_t size() const = 0;
  /// Sets the file length to `new_size` (zero-filled when growing) and
  /// remaps. REQUIRES: not read-only.
  virtual Status Resize(size_t new_size) = 0;
  /// msync: makes the mapped bytes durable.
  virtual Status Sync() = 0;
  /// Unmaps and closes; later calls fail. The destructor does it too.
  virtual Status Close() = 0;
};

/// The file-system interface; see the file comment.
class Env {
 public:
  virtual ~Env() = default;

  /// The real, POSIX file system (a process-wide instance).
  static Env* Default();

  /// Creates `path`, or empties it if it exists, for appending.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;
  /// Opens `path` for appending, creating it empty if missing; existing
  /// bytes are kept (a segment's .log file).
  virtual Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) = 0;
  /// Opens an existing `path` for reading.
  virtual Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;
  /// Maps `path`. An existing file is mapped at its current length; a
  /// missing one is created with `initial_size` zero bytes (unless
  /// `read_only`, which fails on a missing file).
  virtual Result<std::unique_ptr<MappedFile>> NewMappedFile(const std::string& path,
                                                            size_t initial_size,
                                                            bool read_only) = 0;

  virtual bool FileExists(const std::string& path) = 0;
  /// Names (not paths) of the entries of `dir`, without "." and "..".
  virtual Result<std::vector<std::string>> GetChildren(const std::string& dir) = 0;
  /// Creates `dir` and missing parents; ok if it exists.
  virtual Status CreateDir(const std::string& dir) = 0;
  /// Removes an empty directory.
  virtual Status RemoveDir(const std::string& dir) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  /// rename(2): atomically replaces `to` if it exists. Durable only after
  /// SyncDir of the directory.
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  /// Sets the length of `path`: cuts it, or extends it with zeros.
  virtual Status Truncate(const std::string& path, uint64_t size) = 0;
  virtual Result<uint64_t> FileSize(const std::string& path) = 0;
  /// fsync of a directory: makes creations, removals and renames in it durable.
  virtual Status SyncDir(const std::string& dir) = 0;
};

/// Reads a whole (small) file: checkpoints, markers, tests.
Result<std::string> ReadFileToString(Env& env, const std::string& path);
/// Writes `data` to `path` (created or emptied), then Syncs it.
Status WriteStringToFileSync(Env& env, const std::string& path, std::string_view data);
/// The directory part of `path` ("." when there is none).
std::string DirName(const std::string& path);
/// The last component of `path`.
std::string BaseName(const std::string& path);

}  // namespace gregor
