// SPDX-License-Identifier: Apache-2.0
#include "storage/time_index.h"

#include "common/bytes.h"

namespace gregor {

Result<std::unique_ptr<TimeIndex>> TimeIndex::Open(Env& env, const std::string& path,
                                                   int64_t base_offset, size_t max_index_size,
                                                   bool writable) {
  bool existed = env.FileExists(path);
  auto file = OpenFile(env, path, max_index_size, kEntrySize, writable);
  if (!file.ok()) return file.status();
  std::unique_ptr<TimeIndex> index(
      new TimeIndex(std::move(*file), path, base_offset, kEntrySize, writable));
  if (!existed) index->set_entries(0);
  return index;
}

TimestampOffset TimeIndex::Entry(int n) const {
  const uint8_t* p = EntryAt(n);
  return {int64_t(LoadBE64(p)), base_offset() + int32_t(LoadBE32(p + 8))};
}

TimestampOffset TimeIndex::LastEntry() const {
  return entries() == 0 ? TimestampOffset{kNoTimestamp, base_offset()} : Entry(entries() - 1);
}

TimestampOffset TimeIndex::Lookup(int64_t timestamp) const {
  // LAB-01: BEGIN SOLUTION TimeIndex::Lookup
  // HINT: the same binary search as OffsetIndex::Lookup, on timestamps.
  int lo = 0, hi = entries() - 1, found = -1;
  while (lo <= hi) {
    int mid = lo + (hi - lo) / 2;
    if (Entry(mid).timestamp <= timestamp) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found < 0 ? TimestampOffset{kNoTimestamp, base_offset()} : Entry(found);
  // LAB-01: END SOLUTION
}

Status TimeIndex::MaybeAppend(int64_t timestamp, int64_t offset, bool skip_full_check) {
  auto error = [&](const std::string& why) {
    return Status(ErrorCode::kUnknownServerError, "time index " + path() + ": " + why);
  };
  TimestampOffset last = LastEntry();
  if (entries() > 0 && timestamp < last.timestamp) {
    return error("timestamp " + std::to_string(timestamp) + " below last " +
                 std::to_string(last.timestamp));
  }
  if (entries() > 0 && timestamp == last.timestamp) return Status::Ok();
  if (timestamp == kNoTimestamp) return Status::Ok();
  int32_t relative = 0;
  if (!ToRelative(offset, &relative) || (entries() > 0 && offset < last.offset)) {
    return error("offset " + std::to_string(offset) + " out of order");
  }
  if (skip_full_check ? entries() >= max_entries() : IsFull()) return error("full");
  uint8_t* p = MutableEntryAt(entries());
  StoreBE64(p, uint64_t(timestamp));
  StoreBE32(p + 8, uint32_t(relative));
  set_entries(entries() + 1);
  return Status::Ok();
}

void TimeIndex::TruncateTo(int64_t offset) {
  int n = entries();
  while (n > 0 && Entry(n - 1).offset >= offset) --n;
  set_entries(n);
}

Status TimeIndex::SanityCheck() const {
  auto corrupt = [&](const std::string& why) {
    return Status(ErrorCode::kCorruptMessage, "corrupt time index " + path() + ": " + why);
  };
  if (!LengthIsMultipleOfEntries()) {
    return corrupt("length " + std::to_string(file_length()) + " is not a multiple of 12");
  }
  if (entries() == 0) return Status::Ok();
  TimestampOffset first = Entry(0), last = LastEntry();
  // Timestamps strictly increase; a later entry not above the first is a
  // zero-filled slot left by a crash before the index was trimmed.
  if (entries() > 1 && last.timestamp <= first.timestamp) {
    return corrupt("last timestamp " + std::to_string(last.timestamp) + " below first " +
                   std::to_string(first.timestamp));
  }
  if (last.offset < base_offset() || (entries() > 1 && last.offset < first.offset)) {
    return corrupt("last offset " + std::to_string(last.offset) + " out of range");
  }
  return Status::Ok();
}

}  // namespace gregor
