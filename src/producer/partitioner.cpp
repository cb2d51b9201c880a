// SPDX-License-Identifier: Apache-2.0
// Murmur2 and DefaultPartitionForKey (include/gregor/producer.h): Kafka's
// Java client hashes a record's serialized key with its own 32-bit
// murmur2 (seed 0x9747b28c, little-endian 4-byte blocks, then the tail
// bytes) and picks (hash & 0x7fffffff) % partitions. The same key must
// land on the same partition whichever client sent it, so this follows
// Kafka's variant bit for bit; librdkafka's default (consistent_random,
// CRC32-based) does not, and chapter 03 says so.
#include "gregor/producer.h"

namespace gregor {

// [murmur2]
int32_t Murmur2(std::string_view data) {
  const uint32_t m = 0x5bd1e995;
  const int r = 24;
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  const size_t length = data.size();
  uint32_t h = 0x9747b28c ^ uint32_t(length);
  const size_t blocks = length / 4;
  for (size_t i = 0; i < blocks; ++i) {
    const uint8_t* b = p + 4 * i;
    uint32_t k = uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 |
                 uint32_t(b[3]) << 24;
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  const uint8_t* tail = p + 4 * blocks;
  switch (length % 4) {
    case 3:
      h ^= uint32_t(tail[2]) << 16;
      [[fallthrough]];
    case 2:
      h ^= uint32_t(tail[1]) << 8;
      [[fallthrough]];
    case 1:
      h ^= uint32_t(tail[0]);
      h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return int32_t(h);
}
// [murmur2]

int32_t DefaultPartitionForKey(std::string_view key, int32_t num_partitions) {
  return int32_t((uint32_t(Murmur2(key)) & 0x7fffffff) % uint32_t(num_partitions));
}

}  // namespace gregor
