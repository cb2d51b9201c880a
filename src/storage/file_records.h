// SPDX-License-Identifier: Apache-2.0
// FileRecords: a segment's .log file, the batches exactly as producers sent
// them with only baseOffset and partitionLeaderEpoch stamped (Kafka's
// FileRecords).
//
//   LogFile => RecordBatch*          (chapters/formats-storage.md)
//
// No header, no framing of our own: the batch's own baseOffset and
// batchLength fields are the framing, which is why a reader can walk the
// file batch by batch (FileBatchIterator) and why the bytes can go to a
// consumer unchanged (a FileRecordsSlice, sent with sendfile later).
// SizeInBytes() is the in-memory size, advanced only after a successful
// write: readers never see bytes beyond it, so a torn append is invisible
// until recovery cuts it off.
//
// Thread-safety: Append, TruncateTo, Flush and Close belong to the owner
// (the Log, under its lock). SizeInBytes and the reads are safe from any
// thread; a slice keeps the file open through a shared_ptr, so it stays
// readable even after the segment is deleted (POSIX unlink semantics).
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "record/record_batch.h"
#include "storage/env.h"
#include "storage/time_index.h"

namespace gregor {

class FileRecords;

/// A byte range of a .log file to return from a fetch: the file is kept
/// open by the shared_ptr. An empty slice has no file.
struct FileRecordsSlice {
  std::shared_ptr<const FileRecords> file;
  uint32_t position = 0;
  uint32_t size = 0;
  /// Reads the range into memory (the copy path; the broker's Fetch sends
  /// the range with sendfile(2) instead, see network/request.h FileRegion).
  /// Errors: KAFKA_STORAGE_ERROR.
  Result<Bytes> ReadAll() const;
};

/// Where a batch is: its last offset, file position and size (Kafka's
/// LogOffsetPosition).
struct LogOffsetPosition {
  int64_t offset = 0;
  uint32_t position = 0;
  uint32_t size = 0;
};

/// The .log file of one segment; see the file comment.
class FileRecords : public std::enable_shared_from_this<FileRecords> {
 public:
  /// Opens `path`, creating it if missing when `writable`. The size is the
  /// file's length. Errors: KAFKA_STORAGE_ERROR.
  static Result<std::shared_ptr<FileRecords>> Open(Env& env, const std::string& path,
                                                   bool writable = true);
  ~FileRecords();

  const std::string& path() const { return path_; }
  uint32_t SizeInBytes() const { return size_.load(std::memory_order_acquire); }

  /// Appends whole, validated batches in one write. REQUIRES: writable;
  /// SizeInBytes() + batches.size() <= INT32_MAX. Errors:
  /// KAFKA_STORAGE_ERROR; the size is then unchanged and the torn bytes are
  /// cut off if the file system still allows it.
  Status Append(ByteSpan batches);

  /// pread of up to out.size() bytes at `position`, never past
  /// SizeInBytes(); `*bytes_read` says how many. Errors: KAFKA_STORAGE_ERROR.
  Status Read(uint64_t position, std::span<uint8_t> out, size_t* bytes_read) const;
  /// Reads exactly [position, position + size). Errors: KAFKA_STORAGE_ERROR,
  /// or CORRUPT_MESSAGE if the range passes SizeInBytes().
  Result<Bytes> ReadBytes(uint32_t position, uint32_t size) const;
  /// [position, position + size) clamped to SizeInBytes().
  FileRecordsSlice Slice(uint32_t position, uint32_t size) const;

  /// Walks batch headers from `start_position` to the first batch whose last
  /// offset is >= `target`; nullopt if none. Errors: KAFKA_STORAGE_ERROR.
  Result<std::optional<LogOffsetPosition>> SearchForOffsetWithSize(int64_t target,
                                                                   uint32_t start_position) const;
  /// The first record at or after `start_position` with timestamp >=
  /// `timestamp` and offset >= `starting_offset`, decoding only batches
  /// whose max timestamp qualifies; nullopt if none. Errors:
  /// KAFKA_STORAGE_ERROR, CORRUPT_MESSAGE.
  Result<std::optional<TimestampOffset>> SearchForTimestamp(int64_t timestamp,
                                                            uint32_t start_position,
                                                            int64_t starting_offset) const;

  /// Cuts the file to `size` bytes; returns the bytes removed. REQUIRES:
  /// writable, size <= SizeInBytes(). Errors: KAFKA_STORAGE_ERROR.
  Result<uint32_t> TruncateTo(uint32_t size);
  /// fdatasync. Errors: KAFKA_STORAGE_ERROR.
  Status Flush();
  /// The descriptor for sendfile, or -1.
  int fd() const { return reader_->fd(); }

 private:
  FileRecords(std::string path, std::unique_ptr<WritableFile> writer,
              std::unique_ptr<RandomAccessFile> reader, uint32_t size);

  std::string path_;
  std::unique_ptr<WritableFile> writer_;  // null when read-only
  std::unique_ptr<RandomAccessFile> reader_;
  std::atomic<uint32_t> size_;
};

/// Walks the batches of a FileRecords in file order (Kafka's
/// FileLogInputStream), reading in chunks, trusting only the batchLength
/// fields. Headers are parsed but nothing is validated: recovery runs
/// ValidateBatch on each batch itself. Not thread-safe.
class FileBatchIterator {
 public:
  /// Why a walk ended.
  enum class StopReason {
    kEnd,         ///< exactly at the end
    kIncomplete,  ///< a header or batch runs past the end (a torn write)
    kCorrupt,     ///< a length field below the batch header's size
  };
  /// One batch: where it is, its header, and (when reading bodies) its bytes.
  struct Batch {
    uint32_t position = 0;
    uint32_t size = 0;
    RecordBatchHeader header;
    ByteSpan bytes;  ///< the whole batch if read_bodies, else empty; valid until Next
  };

  /// Walks [start, end) of `file`; `read_bodies` loads each whole batch.
  FileBatchIterator(const FileRecords& file, uint32_t start, uint32_t end, bool read_bodies);

  /// The next batch, or nullptr when the walk ends (see stop_reason()).
  /// Errors: KAFKA_STORAGE_ERROR.
  Result<const Batch*> Next();
  StopReason stop_reason() const { return stop_; }
  /// Position after the last batch returned: the valid prefix's length.
  uint32_t position() const { return pos_; }

 private:
  // Makes [pos, pos + n) available in buf_; false on a short file.
  Result<bool> Ensure(uint32_t pos, uint32_t n);

  const FileRecords& file_;
  uint32_t pos_;
  uint32_t end_;
  bool read_bodies_;
  Bytes buf_;
  uint64_t buf_start_ = 0;
  size_t buf_len_ = 0;
  Batch batch_;
  StopReason stop_ = StopReason::kEnd;
};

}  // namespace gregor
