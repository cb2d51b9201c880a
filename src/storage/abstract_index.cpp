// SPDX-License-Identifier: Apache-2.0
#include "storage/abstract_index.h"

#include <limits>

namespace gregor {

AbstractIndex::AbstractIndex(std::unique_ptr<MappedFile> file, std::string path,
                             int64_t base_offset, int entry_size, bool writable)
    : file_(std::move(file)),
      path_(std::move(path)),
      base_offset_(base_offset),
      entry_size_(entry_size),
      writable_(writable) {
  max_entries_ = int(file_->size() / size_t(entry_size_));
  // A pre-existing file is taken as all valid (Kafka does the same); a new
  // one is all zeros and its caller resets entries to 0.
  entries_ = max_entries_;
}

AbstractIndex::~AbstractIndex() { Close(); }

Result<std::unique_ptr<MappedFile>> AbstractIndex::OpenFile(Env& env, const std::string& path,
                                                            size_t max_index_size, int entry_size,
                                                            bool writable) {
  size_t rounded = max_index_size / size_t(entry_size) * size_t(entry_size);
  return env.NewMappedFile(path, rounded, !writable);
}

bool AbstractIndex::ToRelative(int64_t offset, int32_t* relative) const {
  int64_t delta = offset - base_offset_;
  if (delta < 0 || delta > std::numeric_limits<int32_t>::max()) return false;
  *relative = int32_t(delta);
  return true;
}

Status AbstractIndex::Resize(size_t new_size) {
  size_t rounded = new_size / size_t(entry_size_) * size_t(entry_size_);
  if (rounded == file_->size()) return Status::Ok();
  if (Status s = file_->Resize(rounded); !s.ok()) return s;
  max_entries_ = int(rounded / size_t(entry_size_));
  if (entries_ > max_entries_) entries_ = max_entries_;
  return Status::Ok();
}

Status AbstractIndex::Reset(size_t max_index_size) {
  entries_ = 0;
  // Shrink to nothing first so the regrown file is all zeros again.
  if (Status s = Resize(0); !s.ok()) return s;
  return Resize(max_index_size);
}

Status AbstractIndex::Flush() { return file_ ? file_->Sync() : Status::Ok(); }

Status AbstractIndex::Close() {
  if (!file_) return Status::Ok();
  Status trimmed = writable_ ? TrimToValidSize() : Status::Ok();
  Status closed = file_->Close();
  file_.reset();
  return trimmed.ok() ? closed : trimmed;
}

}  // namespace gregor
