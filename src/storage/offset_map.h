// SPDX-License-Identifier: Apache-2.0
// OffsetMap: key hash -> latest offset, the cleaner's dedupe table (Kafka's
// SkimpyOffsetMap).
//
//   Slot => KeyHash(16 bytes) Offset(int64, -1 = empty)      24 bytes
//
// The map lives in one fixed array sized from log.cleaner.dedupe.buffer.size
// (memory / 24 slots) and never grows: the cleaner builds it over the dirty
// section until it is full (load factor 0.9, as Kafka's
// log.cleaner.io.buffer.load.factor), then cleans only up to the offset
// the map covered. Open addressing with linear probing from the hash's
// first 8 bytes; keys themselves are not stored, only their digest.
//
// Why a 16-byte digest: two keys with the same digest are one key to the
// map, so the older key's records would be dropped as "superseded" and its
// latest value lost silently. Kafka uses MD5 (16 bytes). Gregor links no
// crypto library, so the digest is two independent 64-bit hashes of the
// key (different seeds, a multiply-xorshift mix per 8-byte word): 128 bits,
// so for n distinct keys a collision has probability about n^2 / 2^129
// (1e-20 for a billion keys). It is not cryptographic: a producer who
// crafts colliding keys can make the cleaner drop one of them. MD5 has
// the same weakness against a determined adversary.
//
// Thread-safety: none; one cleaner thread owns a map.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace gregor {

/// The 16-byte digest of a key, as two 64-bit halves.
using KeyDigest = std::array<uint64_t, 2>;

/// Computes the key digest; see the file comment.
KeyDigest DigestKey(std::string_view key);

/// A fixed-memory map from key digest to latest offset; see the file comment.
class OffsetMap {
 public:
  /// Bytes per slot: 16-byte digest and 8-byte offset.
  static constexpr size_t kSlotBytes = 24;

  /// A map using at most `memory_bytes` (at least one slot), filled up to
  /// `load_factor` of its slots.
  explicit OffsetMap(size_t memory_bytes, double load_factor = 0.9);

  /// Records `offset` as the latest for `key` (replacing an older one).
  /// Returns false, changing nothing, when `key` is new and the map is
  /// full. REQUIRES: offsets put in increasing order.
  bool Put(std::string_view key, int64_t offset);
  /// The latest offset put for `key`, or nullopt.
  std::optional<int64_t> Get(std::string_view key) const;
  /// Empties the map (keeps its memory).
  void Clear();

  /// Distinct keys held.
  size_t size() const { return size_; }
  /// How many keys fit before Put refuses.
  size_t capacity() const { return capacity_; }
  bool full() const { return size_ >= capacity_; }
  /// The largest offset put, -1 when empty.
  int64_t latest_offset() const { return latest_offset_; }

 private:
  struct Slot {
    KeyDigest digest{};
    int64_t offset = -1;
  };
  // The slot holding `digest`, or the empty slot where it would go.
  size_t Find(const KeyDigest& digest) const;

  std::vector<Slot> slots_;
  size_t capacity_;
  size_t size_ = 0;
  int64_t latest_offset_ = -1;
};

}  // namespace gregor
