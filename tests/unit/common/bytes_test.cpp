// SPDX-License-Identifier: Apache-2.0
#include "common/bytes.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>

namespace gregor {
namespace {

TEST(ByteWriterTest, WritesBigEndian) {
  Bytes out;
  ByteWriter w(out);
  w.PutInt16(0x0102);
  w.PutInt32(0x03040506);
  w.PutInt64(0x0708090a0b0c0d0e);
  EXPECT_EQ(out, (Bytes{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}));
}

TEST(ByteReaderTest, RoundTripsFixedWidth) {
  Bytes out;
  ByteWriter w(out);
  w.PutInt8(-5);
  w.PutInt16(-300);
  w.PutInt32(std::numeric_limits<int32_t>::min());
  w.PutInt64(std::numeric_limits<int64_t>::max());
  ByteReader r(out);
  EXPECT_EQ(r.ReadInt8(), -5);
  EXPECT_EQ(r.ReadInt16(), -300);
  EXPECT_EQ(r.ReadInt32(), std::numeric_limits<int32_t>::min());
  EXPECT_EQ(r.ReadInt64(), std::numeric_limits<int64_t>::max());
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ByteReaderTest, ReadPastEndFailsAndStaysFailed) {
  Bytes data{1, 2, 3};
  ByteReader r(data);
  EXPECT_EQ(r.ReadInt32(), 0);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.ReadInt8(), 0);  // sticky: even a read that would fit fails
  EXPECT_TRUE(r.ReadBytes(1).empty());
}

TEST(ByteReaderTest, ReadBytesDoesNotCopy) {
  Bytes data{1, 2, 3, 4};
  ByteReader r(data);
  r.Skip(1);
  ByteSpan s = r.ReadBytes(2);
  EXPECT_EQ(s.data(), data.data() + 1);
  EXPECT_EQ(s.size(), 2u);
}

TEST(ByteReaderTest, HugeLengthFailsWithoutAllocating) {
  Bytes data{1, 2};
  ByteReader r(data);
  EXPECT_TRUE(r.ReadBytes(size_t(1) << 40).empty());
  EXPECT_FALSE(r.ok());
}

// Published zig-zag examples from Kafka's ByteUtils tests and the protobuf
// encoding guide: 0->0, -1->1, 1->2, -2->3, 2147483647->4294967294.
TEST(VarintTest, ZigZagKnownValues) {
  EXPECT_EQ(ZigZagEncode32(0), 0u);
  EXPECT_EQ(ZigZagEncode32(-1), 1u);
  EXPECT_EQ(ZigZagEncode32(1), 2u);
  EXPECT_EQ(ZigZagEncode32(-2), 3u);
  EXPECT_EQ(ZigZagEncode32(std::numeric_limits<int32_t>::max()), 4294967294u);
  EXPECT_EQ(ZigZagEncode32(std::numeric_limits<int32_t>::min()), 4294967295u);
}

TEST(VarintTest, KnownEncodings) {
  auto enc = [](int32_t v) {
    Bytes out;
    ByteWriter(out).PutVarint(v);
    return out;
  };
  EXPECT_EQ(enc(0), (Bytes{0x00}));
  EXPECT_EQ(enc(-1), (Bytes{0x01}));
  EXPECT_EQ(enc(63), (Bytes{0x7e}));
  EXPECT_EQ(enc(-64), (Bytes{0x7f}));
  EXPECT_EQ(enc(64), (Bytes{0x80, 0x01}));
  EXPECT_EQ(enc(300), (Bytes{0xd8, 0x04}));
  EXPECT_EQ(enc(std::numeric_limits<int32_t>::min()), (Bytes{0xff, 0xff, 0xff, 0xff, 0x0f}));
}

TEST(VarintTest, RoundTripAndSizeRandom) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 20000; ++i) {
    int64_t v64 = int64_t(rng()) >> (rng() % 64);
    int32_t v32 = int32_t(v64);
    Bytes out;
    ByteWriter w(out);
    w.PutVarint(v32);
    w.PutVarlong(v64);
    ASSERT_EQ(out.size(), size_t(VarintSize(v32) + VarlongSize(v64)));
    ByteReader r(out);
    ASSERT_EQ(r.ReadVarint(), v32);
    ASSERT_EQ(r.ReadVarlong(), v64);
    ASSERT_TRUE(r.ok());
  }
}

TEST(VarintTest, TooLongVarintIsMalformed) {
  Bytes six{0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
  ByteReader r(six);
  r.ReadVarint();
  EXPECT_FALSE(r.ok());
  Bytes eleven(10, 0x80);
  eleven.push_back(0x01);
  ByteReader r2(eleven);
  r2.ReadVarlong();
  EXPECT_FALSE(r2.ok());
}

TEST(VarintTest, TruncatedVarintFails) {
  Bytes data{0x80, 0x80};
  ByteReader r(data);
  r.ReadVarlong();
  EXPECT_FALSE(r.ok());
}

TEST(ByteWriterTest, PatchesLengthSlot) {
  Bytes out;
  ByteWriter w(out);
  w.PutInt32(0);
  w.PutInt64(7);
  w.PutInt32At(0, int32_t(out.size() - 4));
  EXPECT_EQ(ByteReader(out).ReadInt32(), 8);
}

}  // namespace
}  // namespace gregor
