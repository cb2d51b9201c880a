// SPDX-License-Identifier: Apache-2.0
#include "storage/offset_index.h"

#include "common/bytes.h"

namespace gregor {

Result<std::unique_ptr<OffsetIndex>> OffsetIndex::Open(Env& env, const std::string& path,
                                                       int64_t base_offset, size_t max_index_size,
                                                       bool writable) {
  bool existed = env.FileExists(path);
  auto file = OpenFile(env, path, max_index_size, kEntrySize, writable);
  if (!file.ok()) return file.status();
  std::unique_ptr<OffsetIndex> index(
      new OffsetIndex(std::move(*file), path, base_offset, kEntrySize, writable));
  if (!existed) index->set_entries(0);
  return index;
}

OffsetPosition OffsetIndex::Entry(int n) const {
  const uint8_t* p = EntryAt(n);
  return {base_offset() + int32_t(LoadBE32(p)), LoadBE32(p + 4)};
}

OffsetPosition OffsetIndex::LastEntry() const {
  return entries() == 0 ? OffsetPosition{base_offset(), 0} : Entry(entries() - 1);
}

// [offset-index-lookup]
OffsetPosition OffsetIndex::Lookup(int64_t target) const {
  // LAB-01: BEGIN SOLUTION OffsetIndex::Lookup
  // HINT: binary search over Entry(0) .. Entry(entries() - 1), which are
  // HINT: sorted by offset, for the last entry whose offset <= target.
  int lo = 0, hi = entries() - 1, found = -1;
  while (lo <= hi) {
    int mid = lo + (hi - lo) / 2;
    if (Entry(mid).offset <= target) {
      found = mid;  // a candidate; look for a later one
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found < 0 ? OffsetPosition{base_offset(), 0} : Entry(found);
  // LAB-01: END SOLUTION
}
// [offset-index-lookup]

Status OffsetIndex::Append(int64_t offset, uint32_t position) {
  int32_t relative = 0;
  if (IsFull()) {
    return Status(ErrorCode::kUnknownServerError, "index " + path() + " is full");
  }
  if (!ToRelative(offset, &relative) || (entries() > 0 && offset <= LastOffset())) {
    return Status(ErrorCode::kUnknownServerError,
                  "index " + path() + ": offset " + std::to_string(offset) +
                      " is not after the last entry " + std::to_string(LastOffset()));
  }
  // [offset-index-append]
  uint8_t* p = MutableEntryAt(entries());
  StoreBE32(p, uint32_t(relative));
  StoreBE32(p + 4, position);
  set_entries(entries() + 1);
  // [offset-index-append]
  return Status::Ok();
}

void OffsetIndex::TruncateTo(int64_t offset) {
  int n = entries();
  while (n > 0 && Entry(n - 1).offset >= offset) --n;
  set_entries(n);
}

Status OffsetIndex::SanityCheck() const {
  auto corrupt = [&](const std::string& why) {
    return Status(ErrorCode::kCorruptMessage, "corrupt index " + path() + ": " + why);
  };
  if (!LengthIsMultipleOfEntries()) {
    return corrupt("length " + std::to_string(file_length()) + " is not a multiple of 8");
  }
  if (entries() == 0) return Status::Ok();
  OffsetPosition first = Entry(0), last = LastEntry();
  if (last.offset < base_offset()) {
    return corrupt("last offset " + std::to_string(last.offset) + " is below base offset " +
                   std::to_string(base_offset()));
  }
  // [offset-index-sanity]
  // Entries strictly increase, so a later entry equal to or below the first
  // is a zero-filled slot left by a crash before the index was trimmed.
  if (entries() > 1 && (last.offset <= first.offset || last.position <= first.position)) {
    return corrupt("last entry does not follow the first (untrimmed or garbled)");
  }
  // [offset-index-sanity]
  return Status::Ok();
}

}  // namespace gregor
