// SPDX-License-Identifier: Apache-2.0
// Three CRC-32C implementations with one answer. Why three: the hardware
// instruction is what makes batch validation on every append affordable
// (see bench/ch01_log_bench.cpp); slicing-by-8 is the portable fallback; the
// byte table is the textbook loop the benchmark compares against.
#include "common/crc32c.h"

#include <array>

#if defined(__x86_64__)
#include <cpuid.h>
#include <nmmintrin.h>
#endif

namespace gregor {
namespace {

constexpr uint32_t kPoly = 0x82F63B78;  // Castagnoli, reflected

// kTables[0] is the byte table; kTables[k][b] is the CRC of byte b followed
// by k zero bytes, which is what lets slicing-by-8 fold 8 bytes per step.
constexpr std::array<std::array<uint32_t, 256>, 8> MakeTables() {
  std::array<std::array<uint32_t, 256>, 8> t{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t c = b;
    for (int i = 0; i < 8; ++i) c = (c & 1) ? (c >> 1) ^ kPoly : c >> 1;
    t[0][b] = c;
  }
  for (int k = 1; k < 8; ++k)
    for (uint32_t b = 0; b < 256; ++b) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xff];
  return t;
}
constexpr auto kTables = MakeTables();

#if defined(__x86_64__)
// The crc32 instruction has a latency of 3 cycles but can start one per
// cycle, so a single dependency chain uses a third of it. Crc32cSse42 runs
// three chains over three adjacent blocks at once, then joins them: CRC is
// linear, so crc(A||B) = Shift_len(B)(crc(A)) ^ crc0(B), where Shift moves a
// register over len(B) zero bytes and crc0 starts from a zero register.
// Shift for a fixed length is linear in the register's 32 bits, hence four
// 256-entry tables (one per register byte), built once from 32 basis values.
struct ShiftTable {
  uint32_t t[4][256];
  uint32_t Apply(uint32_t crc) const {
    return t[0][crc & 0xff] ^ t[1][(crc >> 8) & 0xff] ^ t[2][(crc >> 16) & 0xff] ^
           t[3][crc >> 24];
  }
};

__attribute__((target("sse4.2"))) ShiftTable MakeShiftTable(size_t bytes) {
  uint32_t basis[32];
  for (int i = 0; i < 32; ++i) {
    uint64_t reg = uint32_t(1) << i;
    for (size_t n = 0; n < bytes; n += 8) reg = _mm_crc32_u64(reg, 0);
    basis[i] = uint32_t(reg);
  }
  ShiftTable table{};
  for (int k = 0; k < 4; ++k)
    for (uint32_t b = 0; b < 256; ++b)
      for (int i = 0; i < 8; ++i)
        if (b & (1u << i)) table.t[k][b] ^= basis[8 * k + i];
  return table;
}

constexpr size_t kLongBlock = 8192;  // three of them per step: 24 KiB
constexpr size_t kShortBlock = 256;  // for batches too small for the long step

// Three interleaved chains over blocks of `block` bytes while 3*block remain.
__attribute__((target("sse4.2"))) uint64_t Crc3Way(uint64_t c, const uint8_t*& p, size_t& n,
                                                    size_t block, const ShiftTable& shift) {
  // [crc-three-chains]
  while (n >= 3 * block) {
    uint64_t c1 = 0, c2 = 0;
    const uint8_t* a = p;
    const uint8_t* b = p + block;
    const uint8_t* d = p + 2 * block;
    for (size_t i = 0; i < block; i += 8) {
      uint64_t wa, wb, wd;
      std::memcpy(&wa, a + i, 8);
      std::memcpy(&wb, b + i, 8);
      std::memcpy(&wd, d + i, 8);
      c = _mm_crc32_u64(c, wa);
      c1 = _mm_crc32_u64(c1, wb);
      c2 = _mm_crc32_u64(c2, wd);
    }
    c = shift.Apply(uint32_t(c)) ^ uint32_t(c1);
    c = shift.Apply(uint32_t(c)) ^ uint32_t(c2);
    p += 3 * block;
    n -= 3 * block;
  }
  // [crc-three-chains]
  return c;
}

__attribute__((target("sse4.2"))) uint32_t Crc32cSse42(uint32_t crc, ByteSpan data) {
  static const ShiftTable long_shift = MakeShiftTable(kLongBlock);
  static const ShiftTable short_shift = MakeShiftTable(kShortBlock);
  const uint8_t* p = data.data();
  size_t n = data.size();
  uint64_t c = ~crc;
  c = Crc3Way(c, p, n, kLongBlock, long_shift);
  c = Crc3Way(c, p, n, kShortBlock, short_shift);
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    c = _mm_crc32_u64(c, word);
  }
  uint32_t c32 = uint32_t(c);
  for (; n > 0; ++p, --n) c32 = _mm_crc32_u8(c32, *p);
  return ~c32;
}

bool DetectSse42() {
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return false;
  return (ecx & bit_SSE4_2) != 0;
}
#endif

}  // namespace

bool Crc32cHardwareAvailable() {
#if defined(__x86_64__)
  static const bool available = DetectSse42();
  return available;
#else
  return false;
#endif
}

uint32_t Crc32cTable(uint32_t crc, ByteSpan data) {
  uint32_t c = ~crc;
  for (uint8_t b : data) c = (c >> 8) ^ kTables[0][(c ^ b) & 0xff];
  return ~c;
}

uint32_t Crc32cSoftware(uint32_t crc, ByteSpan data) {
  const uint8_t* p = data.data();
  size_t n = data.size();
  uint32_t c = ~crc;
  for (; n >= 8; p += 8, n -= 8) {
    // Little-endian load of the low word, as the reflected CRC consumes bytes.
    uint32_t lo = (uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 |
                   uint32_t(p[3]) << 24) ^ c;
    c = kTables[7][lo & 0xff] ^ kTables[6][(lo >> 8) & 0xff] ^ kTables[5][(lo >> 16) & 0xff] ^
        kTables[4][lo >> 24] ^ kTables[3][p[4]] ^ kTables[2][p[5]] ^ kTables[1][p[6]] ^
        kTables[0][p[7]];
  }
  for (; n > 0; ++p, --n) c = (c >> 8) ^ kTables[0][(c ^ *p) & 0xff];
  return ~c;
}

uint32_t Crc32cExtend(uint32_t crc, ByteSpan data) {
#if defined(__x86_64__)
  if (Crc32cHardwareAvailable()) return Crc32cSse42(crc, data);
#endif
  return Crc32cSoftware(crc, data);
}

}  // namespace gregor
