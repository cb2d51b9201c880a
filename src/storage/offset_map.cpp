// SPDX-License-Identifier: Apache-2.0
#include "storage/offset_map.h"

#include <algorithm>
#include <cstring>

namespace gregor {

namespace {

// A bijective 64-bit mixer (xorshift-multiply): every input bit affects
// every output bit, so close keys land far apart.
uint64_t Mix(uint64_t x) {
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ULL;
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ULL;
  x ^= x >> 32;
  return x;
}

// One 64-bit hash of `key`: each 8-byte word (the tail zero-padded) is
// mixed into the state; the length is mixed in first so "a" and "a\0"
// differ. Different seeds give independent hashes.
uint64_t Hash64(std::string_view key, uint64_t seed) {
  uint64_t h = Mix(seed ^ (uint64_t(key.size()) * 0x9e3779b97f4a7c15ULL));
  for (size_t at = 0; at < key.size(); at += 8) {
    uint64_t word = 0;
    std::memcpy(&word, key.data() + at, std::min<size_t>(8, key.size() - at));
    h = Mix(h ^ Mix(word + seed)) + 0x9e3779b97f4a7c15ULL;
  }
  return Mix(h);
}

}  // namespace

KeyDigest DigestKey(std::string_view key) {
  return {Hash64(key, 0x243f6a8885a308d3ULL), Hash64(key, 0x13198a2e03707344ULL)};
}

OffsetMap::OffsetMap(size_t memory_bytes, double load_factor)
    : slots_(std::max<size_t>(1, memory_bytes / kSlotBytes)),
      capacity_(std::max<size_t>(1, size_t(double(slots_.size()) * load_factor))) {
  capacity_ = std::min(capacity_, slots_.size());
}

size_t OffsetMap::Find(const KeyDigest& digest) const {
  // LAB-01: BEGIN SOLUTION OffsetMap::Find
  // HINT: start at slot digest[0] % slots_.size() and step forwards,
  // HINT: wrapping at the end; stop at the first slot that is empty
  // HINT: (offset < 0) or holds `digest`. After slots_.size() probes the
  // HINT: map is full and `digest` is not in it: return slots_.size().
  // [offset-map-find]
  // Linear probing. The probe count is bounded for the case where every
  // slot is taken (capacity_ == slots_.size(), tiny maps).
  size_t i = size_t(digest[0] % slots_.size());
  for (size_t probes = 0; probes < slots_.size(); ++probes) {
    const Slot& slot = slots_[i];
    if (slot.offset < 0 || slot.digest == digest) return i;
    i = (i + 1 == slots_.size()) ? 0 : i + 1;
  }
  return slots_.size();  // no room and not present
  // [offset-map-find]
  // LAB-01: END SOLUTION
}

bool OffsetMap::Put(std::string_view key, int64_t offset) {
  KeyDigest digest = DigestKey(key);
  size_t i = Find(digest);
  if (i == slots_.size()) return false;
  Slot& slot = slots_[i];
  if (slot.offset < 0) {
    if (full()) return false;
    slot.digest = digest;
    ++size_;
  }
  slot.offset = offset;
  latest_offset_ = std::max(latest_offset_, offset);
  return true;
}

std::optional<int64_t> OffsetMap::Get(std::string_view key) const {
  size_t i = Find(DigestKey(key));
  if (i == slots_.size() || slots_[i].offset < 0) return std::nullopt;
  return slots_[i].offset;
}

void OffsetMap::Clear() {
  std::fill(slots_.begin(), slots_.end(), Slot{});
  size_ = 0;
  latest_offset_ = -1;
}

}  // namespace gregor
