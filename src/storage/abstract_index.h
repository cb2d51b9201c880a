// SPDX-License-Identifier: Apache-2.0
// AbstractIndex: what OffsetIndex and TimeIndex share (Kafka's
// AbstractIndex): a file of fixed-size entries, memory-mapped, of which the
// first `entries()` are valid and sorted by offset.
//
// Life of an index file:
//  - created with the segment: preallocated to segment.index.bytes rounded
//    down to whole entries, all zeros, mapped; entries() = 0;
//  - appended to while its segment is active: one entry is a store into
//    the mapping, no system call;
//  - trimmed (TrimToValidSize) when the segment rolls or closes, so a
//    closed index file is exactly entries() * entry_size bytes;
//  - reopened: an existing file is taken at its length, every slot an
//    entry (a trimmed file is full); the active segment's index is resized
//    back to segment.index.bytes by the Log.
// A file that was never trimmed (a crash) has zero-filled slots at the end;
// SanityCheck catches that and the log rebuilds the index.
//
// Thread-safety: none; the owning LogSegment is guarded by its Log's lock.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/errors.h"
#include "storage/env.h"

namespace gregor {

/// The mapped file and entry bookkeeping shared by the two index kinds; see
/// the file comment.
class AbstractIndex {
 public:
  virtual ~AbstractIndex();
  AbstractIndex(const AbstractIndex&) = delete;
  AbstractIndex& operator=(const AbstractIndex&) = delete;

  const std::string& path() const { return path_; }
  int64_t base_offset() const { return base_offset_; }
  /// Valid entries.
  int entries() const { return entries_; }
  /// Slots in the mapped file.
  int max_entries() const { return max_entries_; }
  /// Bytes of valid entries.
  size_t SizeInBytes() const { return size_t(entries_) * entry_size_; }
  /// True when no slot is free; the segment must roll.
  virtual bool IsFull() const { return entries_ >= max_entries_; }

  /// Sets the file length to `new_size` rounded down to whole entries and
  /// remaps; entries beyond it are dropped. Errors: KAFKA_STORAGE_ERROR.
  Status Resize(size_t new_size);
  /// Resize(SizeInBytes()): what a closed index looks like.
  Status TrimToValidSize() { return Resize(SizeInBytes()); }
  /// Drops every entry and resizes to `max_index_size` (recovery rebuilds).
  Status Reset(size_t max_index_size);
  /// msync. Errors: KAFKA_STORAGE_ERROR.
  Status Flush();
  /// Trims (if writable) and unmaps; the object is unusable afterwards.
  Status Close();

  /// The cheap check run on every index at load: file length a multiple of
  /// the entry size, entries increasing from first to last, last entry not
  /// below the base offset. O(1). Errors: CORRUPT_MESSAGE naming the file.
  virtual Status SanityCheck() const = 0;

 protected:
  AbstractIndex(std::unique_ptr<MappedFile> file, std::string path, int64_t base_offset,
                int entry_size, bool writable);

  /// Opens or creates the mapped file: an existing one at its length, a
  /// missing one preallocated to `max_index_size` rounded down to entries.
  static Result<std::unique_ptr<MappedFile>> OpenFile(Env& env, const std::string& path,
                                                      size_t max_index_size, int entry_size,
                                                      bool writable);

  /// The n-th entry's bytes. REQUIRES: 0 <= n < max_entries().
  const uint8_t* EntryAt(int n) const { return file_->data() + size_t(n) * entry_size_; }
  uint8_t* MutableEntryAt(int n) { return file_->data() + size_t(n) * entry_size_; }
  /// offset - base_offset as stored; true when it fits an int32 and >= 0.
  bool ToRelative(int64_t offset, int32_t* relative) const;
  /// Sets the number of valid entries. REQUIRES: n <= max_entries().
  void set_entries(int n) { entries_ = n; }
  bool writable() const { return writable_; }
  /// The file length is a whole number of entries.
  bool LengthIsMultipleOfEntries() const { return file_->size() % entry_size_ == 0; }
  size_t file_length() const { return file_->size(); }

 private:
  std::unique_ptr<MappedFile> file_;
  std::string path_;
  int64_t base_offset_;
  int entry_size_;
  bool writable_;
  int entries_ = 0;
  int max_entries_ = 0;
};

}  // namespace gregor
