// SPDX-License-Identifier: Apache-2.0
// Codecs: round trips, the frame details other clients depend on, and
// malformed or oversized input.
#include "record/compression.h"

#include <gtest/gtest.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <random>

#include "record_test_util.h"

namespace gregor {
namespace {

using record_test::AllCodecs;

// Text-like data: compressible, but not trivially.
Bytes SampleData(size_t n, uint32_t seed = 1) {
  std::mt19937 rng(seed);
  static const char* words[] = {"kafka ", "broker ", "record ", "batch ", "offset ", "log "};
  Bytes out;
  out.reserve(n + 8);
  while (out.size() < n) {
    const char* w = words[rng() % 6];
    out.insert(out.end(), w, w + std::strlen(w));
    if (rng() % 5 == 0) out.push_back(uint8_t(rng()));
  }
  out.resize(n);
  return out;
}

Bytes MustCompress(CompressionType type, const Bytes& data) {
  Result<Bytes> c = Compress(type, data);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : Bytes{};
}

class CodecTest : public ::testing::TestWithParam<CompressionType> {};

TEST_P(CodecTest, RoundTripsManySizes) {
  for (size_t n : {size_t(1), size_t(100), size_t(32768), size_t(32769), size_t(300000)}) {
    Bytes data = SampleData(n, uint32_t(n));
    Bytes c = MustCompress(GetParam(), data);
    Result<Bytes> d = Decompress(GetParam(), c, n);
    ASSERT_TRUE(d.ok()) << n << ": " << d.status().ToString();
    EXPECT_EQ(*d, data) << n;
  }
}

TEST_P(CodecTest, OutputOfExactlyTheCapIsAccepted) {
  Bytes data = SampleData(100000);
  Result<Bytes> d = Decompress(GetParam(), MustCompress(GetParam(), data), data.size());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(*d, data);
}

TEST_P(CodecTest, OutputOneByteOverTheCapIsCorrupt) {
  Bytes data = SampleData(100000);
  Result<Bytes> d = Decompress(GetParam(), MustCompress(GetParam(), data), data.size() - 1);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), ErrorCode::kCorruptMessage);
}

// The codecs proper: kNone has no framing to truncate or garble.
class CompressingCodecTest : public ::testing::TestWithParam<CompressionType> {};

TEST_P(CompressingCodecTest, EveryTruncationIsCorrupt) {
  Bytes c = MustCompress(GetParam(), SampleData(2000));
  for (size_t n = 0; n < c.size(); ++n) {
    Bytes prefix(c.begin(), c.begin() + n);
    Result<Bytes> d = Decompress(GetParam(), prefix, 1 << 20);
    if (GetParam() == CompressionType::kSnappy && n == 16) {
      // A bare xerial header is a valid stream of no chunks.
      ASSERT_TRUE(d.ok());
      EXPECT_TRUE(d->empty());
      continue;
    }
    ASSERT_FALSE(d.ok()) << "prefix " << n;
    EXPECT_EQ(d.status().code(), ErrorCode::kCorruptMessage);
  }
}

TEST_P(CompressingCodecTest, GarbageIsCorrupt) {
  std::mt19937 rng(3);
  for (int i = 0; i < 50; ++i) {
    Bytes junk(size_t(rng() % 300));
    for (auto& b : junk) b = uint8_t(rng());
    Result<Bytes> d = Decompress(GetParam(), junk, 1 << 20);
    if (d.ok()) continue;  // random bytes can be a valid raw snappy stream
    EXPECT_EQ(d.status().code(), ErrorCode::kCorruptMessage);
  }
}

std::string CodecName(const ::testing::TestParamInfo<CompressionType>& info) {
  return CompressionName(info.param);
}
INSTANTIATE_TEST_SUITE_P(AllCodecs, CodecTest, ::testing::ValuesIn(AllCodecs()), CodecName);
INSTANTIATE_TEST_SUITE_P(Compressing, CompressingCodecTest,
                         ::testing::Values(CompressionType::kGzip, CompressionType::kSnappy,
                                           CompressionType::kLz4, CompressionType::kZstd),
                         CodecName);

TEST(CompressionTest, GzipWritesTheGzipWrapper) {
  Bytes c = MustCompress(CompressionType::kGzip, SampleData(1000));
  ASSERT_GE(c.size(), 18u);
  EXPECT_EQ(c[0], 0x1f);
  EXPECT_EQ(c[1], 0x8b);
  EXPECT_EQ(c[2], 8);  // deflate
}

TEST(CompressionTest, GzipReadsConcatenatedMembers) {
  Bytes a = SampleData(1000, 1), b = SampleData(500, 2);
  Bytes c = MustCompress(CompressionType::kGzip, a);
  Bytes c2 = MustCompress(CompressionType::kGzip, b);
  c.insert(c.end(), c2.begin(), c2.end());
  Result<Bytes> d = Decompress(CompressionType::kGzip, c, 1 << 20);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  a.insert(a.end(), b.begin(), b.end());
  EXPECT_EQ(*d, a);
}

TEST(CompressionTest, GzipRefusesAZlibStream) {
  Bytes data = SampleData(1000);
  uLongf n = compressBound(uLong(data.size()));
  Bytes z(n);
  ASSERT_EQ(compress(z.data(), &n, data.data(), uLong(data.size())), Z_OK);
  z.resize(n);
  EXPECT_FALSE(Decompress(CompressionType::kGzip, z, 1 << 20).ok());
}

TEST(CompressionTest, SnappyWritesTheXerialHeader) {
  Bytes c = MustCompress(CompressionType::kSnappy, SampleData(1000));
  const uint8_t header[16] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1};
  ASSERT_GE(c.size(), 20u);
  EXPECT_EQ(std::memcmp(c.data(), header, 16), 0);
}

TEST(CompressionTest, SnappyXerialChunksHoldAtMost32KiB) {
  Bytes data = SampleData(100000);
  Bytes c = MustCompress(CompressionType::kSnappy, data);
  size_t chunks = 0, total = 0;
  for (size_t pos = 16; pos < c.size(); ++chunks) {
    size_t len = LoadBE32(&c[pos]);
    size_t n = 0;
    ASSERT_TRUE(snappy::GetUncompressedLength(reinterpret_cast<const char*>(&c[pos + 4]), len, &n));
    EXPECT_LE(n, 32768u);
    total += n;
    pos += 4 + len;
  }
  EXPECT_EQ(chunks, 4u);
  EXPECT_EQ(total, data.size());
}

TEST(CompressionTest, SnappyReadsRawSnappy) {
  Bytes data = SampleData(50000);
  std::string raw;
  snappy::Compress(reinterpret_cast<const char*>(data.data()), data.size(), &raw);
  Result<Bytes> d = Decompress(CompressionType::kSnappy, AsBytes(raw), 1 << 20);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(*d, data);
}

TEST(CompressionTest, RawSnappyClaimingMoreThanTheCapIsRefused) {
  Bytes data = SampleData(5000);
  std::string raw;
  snappy::Compress(reinterpret_cast<const char*>(data.data()), data.size(), &raw);
  Result<Bytes> d = Decompress(CompressionType::kSnappy, AsBytes(raw), 4999);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), ErrorCode::kCorruptMessage);
}

TEST(CompressionTest, XerialChunkLengthPastTheEndIsCorrupt) {
  Bytes c = MustCompress(CompressionType::kSnappy, SampleData(1000));
  StoreBE32(&c[16], uint32_t(c.size()));
  EXPECT_FALSE(Decompress(CompressionType::kSnappy, c, 1 << 20).ok());
  StoreBE32(&c[16], uint32_t(-1));
  EXPECT_FALSE(Decompress(CompressionType::kSnappy, c, 1 << 20).ok());
}

TEST(CompressionTest, Lz4FrameHasIndependentBlocksAndNoContentChecksum) {
  Bytes c = MustCompress(CompressionType::kLz4, SampleData(200000));
  ASSERT_GE(c.size(), 7u);
  EXPECT_EQ(LoadBE32(&c[0]), 0x04224D18u);  // magic 0x184D2204, little-endian
  uint8_t flg = c[4];
  EXPECT_EQ(flg >> 6, 1);         // version 01
  EXPECT_TRUE(flg & 0x20);        // block independence
  EXPECT_FALSE(flg & 0x04);       // content checksum
  EXPECT_EQ((c[5] >> 4) & 7, 4);  // BD: 64 KiB blocks, as Kafka's Java client
}

TEST(CompressionTest, Lz4RefusesBytesAfterTheFrame) {
  Bytes c = MustCompress(CompressionType::kLz4, SampleData(1000));
  c.push_back(0);
  EXPECT_FALSE(Decompress(CompressionType::kLz4, c, 1 << 20).ok());
}

TEST(CompressionTest, ZstdFrameCarriesTheContentSize) {
  Bytes data = SampleData(123456);
  Bytes c = MustCompress(CompressionType::kZstd, data);
  EXPECT_EQ(ZSTD_getFrameContentSize(c.data(), c.size()), data.size());
}

TEST(CompressionTest, ZstdReadsAFrameWithoutContentSize) {
  Bytes data = SampleData(100000);
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0);
  Bytes c(ZSTD_compressBound(data.size()));
  ZSTD_outBuffer out{c.data(), c.size(), 0};
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  size_t rc = ZSTD_compressStream2(cctx, &out, &in, ZSTD_e_end);
  ZSTD_freeCCtx(cctx);
  ASSERT_EQ(rc, 0u);
  c.resize(out.pos);
  ASSERT_EQ(ZSTD_getFrameContentSize(c.data(), c.size()), ZSTD_CONTENTSIZE_UNKNOWN);
  Result<Bytes> d = Decompress(CompressionType::kZstd, c, 1 << 20);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(*d, data);
}

TEST(CompressionTest, NoneCopiesAndHonoursTheCap) {
  Bytes data = SampleData(10);
  EXPECT_EQ(*Compress(CompressionType::kNone, data), data);
  EXPECT_EQ(*Decompress(CompressionType::kNone, data, 10), data);
  EXPECT_FALSE(Decompress(CompressionType::kNone, data, 9).ok());
}

TEST(CompressionTest, UnknownTypeIsUnsupported) {
  Bytes data = SampleData(10);
  EXPECT_EQ(Compress(CompressionType(5), data).status().code(),
            ErrorCode::kUnsupportedCompressionType);
  EXPECT_EQ(Decompress(CompressionType(7), data, 100).status().code(),
            ErrorCode::kUnsupportedCompressionType);
}

TEST(CompressionTest, BadLevelIsInvalidConfig) {
  EXPECT_EQ(Compress(CompressionType::kGzip, SampleData(10), 42).status().code(),
            ErrorCode::kInvalidConfig);
}

TEST(CompressionTest, NamesAreKafkas) {
  EXPECT_STREQ(CompressionName(CompressionType::kNone), "none");
  EXPECT_STREQ(CompressionName(CompressionType::kGzip), "gzip");
  EXPECT_STREQ(CompressionName(CompressionType::kSnappy), "snappy");
  EXPECT_STREQ(CompressionName(CompressionType::kLz4), "lz4");
  EXPECT_STREQ(CompressionName(CompressionType::kZstd), "zstd");
}

}  // namespace
}  // namespace gregor
