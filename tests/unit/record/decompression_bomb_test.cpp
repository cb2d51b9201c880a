// SPDX-License-Identifier: Apache-2.0
// Decompression bombs: 256 MiB of zeros in each codec, decoded with a
// 1 MiB cap. Each must fail with CORRUPT_MESSAGE, and the peak of bytes
// allocated through operator new during the decode (counting_allocator.h:
// our buffers and, through the hooks in compression.cpp, the codecs'
// working memory) must stay under twice the cap. The bombs are built by
// streaming, so the 256 MiB never exist in this process either.
#include <gtest/gtest.h>
#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>

#include "counting_allocator.h"
#include "record/compression.h"
#include "record/record_batch_reader.h"
#include "record_test_util.h"

namespace gregor {
namespace {

constexpr size_t kCap = size_t(1) << 20;
constexpr size_t kBombSize = size_t(256) << 20;
constexpr size_t kChunk = size_t(1) << 20;

Bytes GzipBomb() {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_RLE), Z_OK);
  Bytes zeros(kChunk), out;
  uint8_t buf[1 << 16];
  for (size_t done = 0; done < kBombSize; done += kChunk) {
    zs.next_in = zeros.data();
    zs.avail_in = uInt(kChunk);
    int flush = done + kChunk == kBombSize ? Z_FINISH : Z_NO_FLUSH;
    do {
      zs.next_out = buf;
      zs.avail_out = sizeof buf;
      deflate(&zs, flush);
      out.insert(out.end(), buf, buf + (sizeof buf - zs.avail_out));
    } while (zs.avail_out == 0);
  }
  deflateEnd(&zs);
  return out;
}

Bytes Lz4Bomb() {
  LZ4F_preferences_t prefs;
  std::memset(&prefs, 0, sizeof prefs);
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  prefs.frameInfo.contentSize = kBombSize;  // declared, and only a hint
  LZ4F_cctx* cctx = nullptr;
  EXPECT_FALSE(LZ4F_isError(LZ4F_createCompressionContext(&cctx, LZ4F_VERSION)));
  Bytes zeros(kChunk), out(LZ4F_compressBound(kChunk, &prefs) + 64);
  Bytes bomb;
  size_t n = LZ4F_compressBegin(cctx, out.data(), out.size(), &prefs);
  bomb.insert(bomb.end(), out.begin(), out.begin() + n);
  for (size_t done = 0; done < kBombSize; done += kChunk) {
    n = LZ4F_compressUpdate(cctx, out.data(), out.size(), zeros.data(), kChunk, nullptr);
    bomb.insert(bomb.end(), out.begin(), out.begin() + n);
  }
  n = LZ4F_compressEnd(cctx, out.data(), out.size(), nullptr);
  bomb.insert(bomb.end(), out.begin(), out.begin() + n);
  LZ4F_freeCompressionContext(cctx);
  return bomb;
}

// The frame declares its 256 MiB content size; window_log sets the window
// the decoder would need.
Bytes ZstdBomb(int window_log) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 1);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, window_log);
  ZSTD_CCtx_setPledgedSrcSize(cctx, kBombSize);
  Bytes zeros(kChunk), buf(ZSTD_CStreamOutSize()), bomb;
  for (size_t done = 0; done < kBombSize; done += kChunk) {
    ZSTD_EndDirective mode = done + kChunk == kBombSize ? ZSTD_e_end : ZSTD_e_continue;
    ZSTD_inBuffer in{zeros.data(), kChunk, 0};
    size_t left;
    do {
      ZSTD_outBuffer out{buf.data(), buf.size(), 0};
      left = ZSTD_compressStream2(cctx, &out, &in, mode);
      EXPECT_FALSE(ZSTD_isError(left));
      bomb.insert(bomb.end(), buf.begin(), buf.begin() + out.pos);
    } while (mode == ZSTD_e_end ? left != 0 : in.pos < in.size);
  }
  ZSTD_freeCCtx(cctx);
  return bomb;
}

Bytes XerialBomb() {
  Bytes bomb = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1};
  std::string zeros(32 * 1024, '\0'), block;
  snappy::Compress(zeros.data(), zeros.size(), &block);
  for (size_t done = 0; done < kBombSize; done += zeros.size()) {
    uint8_t len[4];
    StoreBE32(len, uint32_t(block.size()));
    bomb.insert(bomb.end(), len, len + 4);
    bomb.insert(bomb.end(), block.begin(), block.end());
  }
  return bomb;
}

// Raw snappy written by hand: the length preamble, one literal zero, then
// copies of 64 bytes at offset 1 (tag 0xfe) until 256 MiB.
Bytes RawSnappyBomb() {
  Bytes bomb = {0x80, 0x80, 0x80, 0x80, 0x01, 0x00, 0x00};  // 2^28; literal "\0"
  size_t left = kBombSize - 1;
  bomb.reserve(left / 64 * 3 + 16);
  for (; left >= 64; left -= 64) bomb.insert(bomb.end(), {0xfe, 0x01, 0x00});
  if (left > 0) bomb.insert(bomb.end(), {uint8_t(((left - 1) << 2) | 2), 0x01, 0x00});
  return bomb;
}

// Decodes `bomb` under the cap and returns the peak of bytes allocated
// through operator new meanwhile (above what was live before).
size_t PeakWhileDecompressing(CompressionType type, const Bytes& bomb, Status* status) {
  size_t before = alloc_count::CurrentBytes();
  alloc_count::ResetPeak();
  *status = Decompress(type, bomb, kCap).status();
  return alloc_count::PeakBytes() - before;
}

void ExpectBombDefused(CompressionType type, const Bytes& bomb) {
  Status status;
  size_t peak = PeakWhileDecompressing(type, bomb, &status);
  EXPECT_EQ(status.code(), ErrorCode::kCorruptMessage) << status.ToString();
  EXPECT_LT(peak, 2 * kCap) << CompressionName(type) << " peak " << peak;
  ::testing::Test::RecordProperty(std::string(CompressionName(type)) + "_peak_bytes",
                                  std::to_string(peak));

  // The same bomb as a batch's records section, through DecodeBatch.
  Bytes batch = record_test::WrapRecords(bomb, 1, int16_t(type));
  size_t before = alloc_count::CurrentBytes();
  alloc_count::ResetPeak();
  Result<DecodedBatch> d = DecodeBatch(batch, kCap);
  size_t batch_peak = alloc_count::PeakBytes() - before;
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), ErrorCode::kCorruptMessage);
  EXPECT_LT(batch_peak, 2 * kCap) << CompressionName(type) << " batch peak " << batch_peak;
}

TEST(DecompressionBombTest, GzipStopsAtTheCap) {
  ExpectBombDefused(CompressionType::kGzip, GzipBomb());
}

TEST(DecompressionBombTest, XerialSnappyIsRefusedFromItsChunkLengths) {
  ExpectBombDefused(CompressionType::kSnappy, XerialBomb());
}

TEST(DecompressionBombTest, RawSnappyIsRefusedFromItsPreamble) {
  Bytes bomb = RawSnappyBomb();
  ASSERT_TRUE(
      snappy::IsValidCompressedBuffer(reinterpret_cast<const char*>(bomb.data()), bomb.size()));
  ExpectBombDefused(CompressionType::kSnappy, bomb);
}

TEST(DecompressionBombTest, Lz4StopsAtTheCap) {
  ExpectBombDefused(CompressionType::kLz4, Lz4Bomb());
}

TEST(DecompressionBombTest, ZstdWithASmallWindowStopsAtTheCap) {
  ExpectBombDefused(CompressionType::kZstd, ZstdBomb(17));
}

TEST(DecompressionBombTest, ZstdNeedingAWindowOverTheCapIsRefused) {
  ExpectBombDefused(CompressionType::kZstd, ZstdBomb(23));
}

// A legacy (v0.6) zstd frame whose header asks for a 128 MiB window: the
// legacy decoders ignore windowLogMax and allocate it with plain malloc,
// so only v1 frames are accepted (found by record_batch_fuzzer).
TEST(DecompressionBombTest, ZstdLegacyFrameIsRefused) {
  const Bytes legacy = {0x26, 0xb5, 0x2f, 0xfd, 0x4f, 0x00, 0xa8, 0x27, 0xfd,
                        0x00, 0xfd, 0x20, 0x00, 0xa8, 0x27, 0xfd, 0x00};
  Result<Bytes> d = Decompress(CompressionType::kZstd, legacy, size_t(1) << 20);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), ErrorCode::kCorruptMessage);
}

// The bound in the ordinary case: a 4 MiB output under a 64 MiB cap costs
// at most twice the output (the buffer doubling) plus the codec's state.
TEST(DecompressionBombTest, NormalDecodesCostAboutTheirOutput) {
  Bytes data(size_t(4) << 20);
  for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t((i * 7) ^ (i >> 9));
  for (CompressionType type : record_test::AllCodecs()) {
    Bytes c = *Compress(type, data);
    size_t before = alloc_count::CurrentBytes();
    alloc_count::ResetPeak();
    Result<Bytes> d = Decompress(type, c, size_t(64) << 20);
    size_t peak = alloc_count::PeakBytes() - before;
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ(*d, data);
    EXPECT_LT(peak, 2 * data.size() + (size_t(1) << 20)) << CompressionName(type);
  }
}

}  // namespace
}  // namespace gregor
