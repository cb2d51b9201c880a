// SPDX-License-Identifier: Apache-2.0
#include "common/crc32c.h"

#include <gtest/gtest.h>

#include <random>

namespace gregor {
namespace {

// RFC 3720 (iSCSI) appendix B.4 test vectors, and the classic "123456789"
// check value 0xE3069283.
TEST(Crc32cTest, PublishedVectors) {
  Bytes zeros(32, 0x00), ones(32, 0xff), inc(32), dec(32);
  for (int i = 0; i < 32; ++i) {
    inc[i] = uint8_t(i);
    dec[i] = uint8_t(31 - i);
  }
  for (auto fn : {Crc32cExtend, Crc32cSoftware, Crc32cTable}) {
    EXPECT_EQ(fn(0, zeros), 0x8A9136AAu);
    EXPECT_EQ(fn(0, ones), 0x62A8AB43u);
    EXPECT_EQ(fn(0, inc), 0x46DD794Eu);
    EXPECT_EQ(fn(0, dec), 0x113FDB5Cu);
    EXPECT_EQ(fn(0, AsBytes("123456789")), 0xE3069283u);
    EXPECT_EQ(fn(0, ByteSpan()), 0u);
  }
}

TEST(Crc32cTest, ImplementationsAgreeOnRandomLengthsAndAlignments) {
  std::mt19937 rng(7);
  Bytes data(4096 + 16);
  for (auto& b : data) b = uint8_t(rng());
  for (int i = 0; i < 500; ++i) {
    size_t off = rng() % 16, len = rng() % 4096;
    ByteSpan s(data.data() + off, len);
    uint32_t want = Crc32cTable(0, s);
    ASSERT_EQ(Crc32cSoftware(0, s), want);
    ASSERT_EQ(Crc32c(s), want);
  }
}

// The hardware path splits large inputs into three interleaved blocks of
// 8 KiB (and 256 B) and joins them; lengths around those block sizes are
// where a joining mistake would show.
TEST(Crc32cTest, InterleavedBlocksAgreeWithTable) {
  std::mt19937 rng(11);
  Bytes data(200000);
  for (auto& b : data) b = uint8_t(rng());
  for (size_t len : {767u, 768u, 769u, 24575u, 24576u, 24577u, 50000u, 73728u, 200000u}) {
    ByteSpan s(data.data(), len);
    ASSERT_EQ(Crc32c(s), Crc32cTable(0, s)) << len;
    ASSERT_EQ(Crc32cExtend(0x12345678, s), Crc32cTable(0x12345678, s)) << len;
  }
}

TEST(Crc32cTest, ExtendEqualsWhole) {
  auto a = AsBytes("hello, "), b = AsBytes("world");
  Bytes ab(a.begin(), a.end());
  ab.insert(ab.end(), b.begin(), b.end());
  EXPECT_EQ(Crc32cExtend(Crc32c(a), b), Crc32c(ab));
}

TEST(Crc32cTest, ReportsHardwarePath) {
  // Not an assertion about the machine: records which path the other tests
  // exercised, so a log shows whether SSE4.2 was covered.
  RecordProperty("sse42", Crc32cHardwareAvailable() ? "yes" : "no");
  SUCCEED();
}

}  // namespace
}  // namespace gregor
