// SPDX-License-Identifier: Apache-2.0
// The four codecs over one batch's record section.
//
// Writing follows what Kafka's Java client writes (see compression.h).
// Reading is where the care goes: the input is untrusted and a few KiB can
// claim gigabytes. Every decoder therefore streams into a CappedOutput, a
// buffer that doubles up to `max_output` and never past it; a decoder that
// still has output when the buffer is full at the cap is cut off with
// CORRUPT_MESSAGE. Lengths found in the input (snappy's preamble, zstd's
// frame content size, lz4's content size) are only hints, trusted up to the
// cap. The codecs' own working memory comes from operator new through their
// allocator hooks (zlib zalloc, ZSTD_customMem, LZ4F_CustomMem), so one
// counting allocator sees everything, and it is bounded too: zlib's is
// fixed (~45 KiB), an lz4 frame may not declare blocks larger than the cap,
// and a zstd frame may not need a window larger than the cap.
#include "record/compression.h"

#include <fmt/format.h>
#include <snappy.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#define LZ4F_STATIC_LINKING_ONLY  // LZ4F_CustomMem, LZ4F_getBlockSize
#include <lz4frame.h>
#define ZSTD_STATIC_LINKING_ONLY  // ZSTD_customMem
#include <zstd.h>

namespace gregor {

namespace {

Status Corrupt(CompressionType type, std::string_view what) {
  return Status(ErrorCode::kCorruptMessage, fmt::format("{}: {}", CompressionName(type), what));
}
Status TooBig(CompressionType type, size_t cap) {
  return Corrupt(type, fmt::format("decompressed size exceeds the cap of {} bytes", cap));
}
Status CodecFailed(CompressionType type, std::string_view what) {
  return Status(ErrorCode::kUnknownServerError,
                fmt::format("{} compression failed: {}", CompressionName(type), what));
}

// ---------------------------------------------------------------- memory
// The codecs allocate through operator new (nothrow: a C library expects
// NULL, not an exception).
void* NewBytes(size_t n) { return ::operator new(n, std::nothrow); }
void DeleteBytes(void* p) { ::operator delete(p); }

voidpf ZlibAlloc(voidpf, uInt items, uInt size) {
  return NewBytes(size_t(items) * size);  // both 32-bit: no overflow
}
void ZlibFree(voidpf, voidpf p) { DeleteBytes(p); }

void* CodecAlloc(void*, size_t n) { return NewBytes(n); }
void CodecFree(void*, void* p) { DeleteBytes(p); }

const ZSTD_customMem kZstdMem = {CodecAlloc, CodecFree, nullptr};
const LZ4F_CustomMem kLz4Mem = {CodecAlloc, nullptr, CodecFree, nullptr};

struct ZstdDCtxFree {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};
struct ZstdCCtxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct Lz4DCtxFree {
  void operator()(LZ4F_dctx* d) const { LZ4F_freeDecompressionContext(d); }
};

// ---------------------------------------------------------------- output
// A decoder's output: grows by doubling from a first guess, never beyond
// the cap. Growth uses reserve() first so the vector allocates exactly the
// new size (resize() alone may round capacity up past the cap).
class CappedOutput {
 public:
  CappedOutput(size_t cap, size_t first_guess) : cap_(cap) { Resize(std::min(cap, first_guess)); }

  // Ensures room() > 0 unless the buffer already holds `cap` bytes.
  bool MakeRoom() {
    if (used_ < buf_.size()) return true;
    if (buf_.size() >= cap_) return false;
    Resize(std::min(cap_, std::max(buf_.size() * 2, kMinGrowth)));
    return true;
  }
  uint8_t* tail() { return buf_.data() + used_; }
  size_t room() const { return buf_.size() - used_; }
  void Commit(size_t n) { used_ += n; }
  Bytes Finish() {
    buf_.resize(used_);
    return std::move(buf_);
  }

 private:
  static constexpr size_t kMinGrowth = 4096;
  void Resize(size_t n) {
    buf_.reserve(n);
    buf_.resize(n);
  }

  size_t cap_;
  Bytes buf_;
  size_t used_ = 0;
};

// A first output guess when the input says nothing: records compress a few
// times over, and the buffer doubles from there.
size_t FirstGuess(size_t input_size) { return std::max<size_t>(4096, input_size * 4); }

enum class Step { kContinue, kDone, kError };

// Runs a streaming decoder to the end. `step(dst, room, produced, consumed,
// error)` decodes more input into [dst, dst + room). When the buffer is
// full at the cap, the step gets a one-byte probe instead: a stream that
// ends exactly at the cap is accepted, one that produces even one more
// byte is refused. A step that makes no progress means the input ended
// before the stream did.
// [capped-drive]
template <typename StepFn>
Result<Bytes> Drive(CompressionType type, CappedOutput& out, size_t cap, StepFn step) {
  for (;;) {
    uint8_t probe[1];
    bool full = !out.MakeRoom();
    uint8_t* dst = full ? probe : out.tail();
    size_t room = full ? sizeof probe : out.room();
    size_t produced = 0, consumed = 0;
    std::string error;
    Step s = step(dst, room, produced, consumed, error);
    if (s == Step::kError) return Corrupt(type, error);
    if (full && produced > 0) return TooBig(type, cap);
    if (!full) out.Commit(produced);
    if (s == Step::kDone) return out.Finish();
    if (produced == 0 && consumed == 0) return Corrupt(type, "truncated input");
  }
}
// [capped-drive]

// ---------------------------------------------------------------- gzip
Result<Bytes> GzipCompress(ByteSpan input, int level) {
  z_stream zs{};
  zs.zalloc = ZlibAlloc;
  zs.zfree = ZlibFree;
  // windowBits 15 + 16: a gzip header and trailer rather than zlib's.
  if (deflateInit2(&zs, level == 0 ? Z_DEFAULT_COMPRESSION : level, Z_DEFLATED, 15 + 16, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status(ErrorCode::kInvalidConfig, fmt::format("gzip: bad level {}", level));
  }
  Bytes out(deflateBound(&zs, uLong(input.size())));
  zs.next_in = const_cast<Bytef*>(input.data());
  zs.avail_in = uInt(input.size());
  zs.next_out = out.data();
  zs.avail_out = uInt(out.size());
  int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return CodecFailed(CompressionType::kGzip, zError(rc));
  return out;
}

Result<Bytes> GzipDecompress(ByteSpan input, size_t cap) {
  z_stream zs{};
  zs.zalloc = ZlibAlloc;
  zs.zfree = ZlibFree;
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return CodecFailed(CompressionType::kGzip, "inflateInit");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, inflateEnd);
  zs.next_in = const_cast<Bytef*>(input.data());
  zs.avail_in = uInt(input.size());
  // The trailer's ISIZE (little-endian, size mod 2^32 of the last member)
  // is the usual size exactly; like every hint it is trusted up to the cap.
  size_t guess = FirstGuess(input.size());
  if (input.size() >= 18) {
    const uint8_t* t = input.data() + input.size() - 4;
    uint32_t isize =
        uint32_t(t[0]) | uint32_t(t[1]) << 8 | uint32_t(t[2]) << 16 | uint32_t(t[3]) << 24;
    if (isize > 0) guess = isize;
  }
  CappedOutput out(cap, guess);
  return Drive(
      CompressionType::kGzip, out, cap,
      [&](uint8_t* dst, size_t room, size_t& produced, size_t& consumed, std::string& error) {
        zs.next_out = dst;
        zs.avail_out = uInt(std::min<size_t>(room, std::numeric_limits<uInt>::max()));
        uInt in0 = zs.avail_in, out0 = zs.avail_out;
        int rc = inflate(&zs, Z_NO_FLUSH);
        produced = out0 - zs.avail_out;
        consumed = in0 - zs.avail_in;
        if (rc == Z_STREAM_END) {
          if (zs.avail_in == 0) return Step::kDone;
          // Another gzip member follows (GZIPInputStream reads them too).
          if (inflateReset(&zs) != Z_OK) {
            error = "inflateReset failed";
            return Step::kError;
          }
          return Step::kContinue;
        }
        if (rc == Z_OK || rc == Z_BUF_ERROR) return Step::kContinue;
        error = zs.msg ? zs.msg : zError(rc);
        return Step::kError;
      });
}

// ---------------------------------------------------------------- snappy
// xerial framing (org.xerial.snappy.SnappyOutputStream, as Kafka's Java
// client writes it):
//   header  = 0x82 "SNAPPY" 0x00, int32 version = 1, int32 compatible = 1
//   chunk*  = int32 compressedLength, raw snappy block of <= 32 KiB input
constexpr uint8_t kXerialMagic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr size_t kXerialHeaderSize = 16;
constexpr size_t kXerialBlockSize = 32 * 1024;

bool IsXerial(ByteSpan input) {
  return input.size() >= sizeof kXerialMagic &&
         std::memcmp(input.data(), kXerialMagic, sizeof kXerialMagic) == 0;
}

Result<Bytes> SnappyCompress(ByteSpan input) {
  size_t chunks = (input.size() + kXerialBlockSize - 1) / kXerialBlockSize;
  Bytes out(kXerialHeaderSize + chunks * 4 +
            chunks * snappy::MaxCompressedLength(kXerialBlockSize));
  std::memcpy(out.data(), kXerialMagic, sizeof kXerialMagic);
  StoreBE32(out.data() + 8, 1);   // version
  StoreBE32(out.data() + 12, 1);  // oldest compatible version
  size_t pos = kXerialHeaderSize;
  for (size_t off = 0; off < input.size(); off += kXerialBlockSize) {
    size_t n = std::min(kXerialBlockSize, input.size() - off);
    size_t written = 0;
    snappy::RawCompress(reinterpret_cast<const char*>(input.data() + off), n,
                        reinterpret_cast<char*>(out.data() + pos + 4), &written);
    StoreBE32(out.data() + pos, uint32_t(written));
    pos += 4 + written;
  }
  out.resize(pos);
  return out;
}

Result<Bytes> SnappyRawDecompress(ByteSpan input, size_t cap) {
  const char* in = reinterpret_cast<const char*>(input.data());
  size_t n = 0;
  if (!snappy::GetUncompressedLength(in, input.size(), &n)) {
    return Corrupt(CompressionType::kSnappy, "bad raw snappy preamble");
  }
  if (n > cap) return TooBig(CompressionType::kSnappy, cap);  // before allocating
  Bytes out(n);
  if (!snappy::RawUncompress(in, input.size(), reinterpret_cast<char*>(out.data()))) {
    return Corrupt(CompressionType::kSnappy, "bad raw snappy data");
  }
  return out;
}

// Two passes over the chunks: the first reads every chunk's declared
// length and stops as soon as the sum passes the cap, so the output is
// allocated once, at its exact size, only when it fits.
Result<Bytes> XerialDecompress(ByteSpan input, size_t cap) {
  if (input.size() < kXerialHeaderSize)
    return Corrupt(CompressionType::kSnappy, "short xerial header");
  size_t total = 0;
  for (size_t pos = kXerialHeaderSize; pos < input.size();) {
    if (input.size() - pos < 4) return Corrupt(CompressionType::kSnappy, "truncated chunk length");
    int32_t len = int32_t(LoadBE32(input.data() + pos));
    if (len < 0 || size_t(len) > input.size() - pos - 4) {
      return Corrupt(CompressionType::kSnappy, fmt::format("bad chunk length {}", len));
    }
    size_t n = 0;
    if (!snappy::GetUncompressedLength(reinterpret_cast<const char*>(input.data() + pos + 4),
                                       size_t(len), &n)) {
      return Corrupt(CompressionType::kSnappy, "bad chunk preamble");
    }
    if (n > cap - total) return TooBig(CompressionType::kSnappy, cap);
    total += n;
    pos += 4 + size_t(len);
  }
  Bytes out(total);
  size_t written = 0;
  for (size_t pos = kXerialHeaderSize; pos < input.size();) {
    size_t len = LoadBE32(input.data() + pos);
    const char* chunk = reinterpret_cast<const char*>(input.data() + pos + 4);
    size_t n = 0;
    snappy::GetUncompressedLength(chunk, len, &n);
    if (!snappy::RawUncompress(chunk, len, reinterpret_cast<char*>(out.data() + written))) {
      return Corrupt(CompressionType::kSnappy, "bad chunk data");
    }
    written += n;
    pos += 4 + len;
  }
  return out;
}

// ---------------------------------------------------------------- lz4
Result<Bytes> Lz4Compress(ByteSpan input, int level) {
  LZ4F_preferences_t prefs;
  std::memset(&prefs, 0, sizeof prefs);
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;         // as Kafka's Java client
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;  // FLG bit 5; Kafka needs it
  prefs.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum;
  prefs.compressionLevel = level;
  Bytes out(LZ4F_compressFrameBound(input.size(), &prefs));
  size_t n = LZ4F_compressFrame(out.data(), out.size(), input.data(), input.size(), &prefs);
  if (LZ4F_isError(n)) return CodecFailed(CompressionType::kLz4, LZ4F_getErrorName(n));
  out.resize(n);
  return out;
}

Result<Bytes> Lz4Decompress(ByteSpan input, size_t cap) {
  std::unique_ptr<LZ4F_dctx, Lz4DCtxFree> dctx(
      LZ4F_createDecompressionContext_advanced(kLz4Mem, LZ4F_VERSION));
  if (!dctx) return CodecFailed(CompressionType::kLz4, "out of memory");
  // Read the frame header first: it says how large the blocks are, and the
  // decoder allocates two block-sized buffers as soon as it starts.
  LZ4F_frameInfo_t info;
  size_t pos = input.size();
  size_t rc = LZ4F_getFrameInfo(dctx.get(), &info, input.data(), &pos);
  if (LZ4F_isError(rc)) return Corrupt(CompressionType::kLz4, LZ4F_getErrorName(rc));
  size_t block = LZ4F_getBlockSize(info.blockSizeID);
  if (block > std::max<size_t>(cap, 64 * 1024)) {
    return Corrupt(CompressionType::kLz4, fmt::format("block size {} above the cap", block));
  }
  size_t guess = info.contentSize ? size_t(info.contentSize) : FirstGuess(input.size());
  CappedOutput out(cap, guess);
  return Drive(
      CompressionType::kLz4, out, cap,
      [&](uint8_t* dst, size_t room, size_t& produced, size_t& consumed, std::string& error) {
        size_t dst_size = room, src_size = input.size() - pos;
        size_t hint =
            LZ4F_decompress(dctx.get(), dst, &dst_size, input.data() + pos, &src_size, nullptr);
        if (LZ4F_isError(hint)) {
          error = LZ4F_getErrorName(hint);
          return Step::kError;
        }
        produced = dst_size;
        consumed = src_size;
        pos += src_size;
        if (hint != 0) return Step::kContinue;
        if (pos == input.size()) return Step::kDone;
        error = "bytes after the end of the frame";
        return Step::kError;
      });
}

// ---------------------------------------------------------------- zstd
Result<Bytes> ZstdCompress(ByteSpan input, int level) {
  std::unique_ptr<ZSTD_CCtx, ZstdCCtxFree> cctx(ZSTD_createCCtx_advanced(kZstdMem));
  if (!cctx) return CodecFailed(CompressionType::kZstd, "out of memory");
  size_t rc = ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel,
                                     level == 0 ? ZSTD_CLEVEL_DEFAULT : level);
  if (!ZSTD_isError(rc)) rc = ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_contentSizeFlag, 1);
  if (ZSTD_isError(rc)) return Status(ErrorCode::kInvalidConfig, ZSTD_getErrorName(rc));
  Bytes out(ZSTD_compressBound(input.size()));
  size_t n = ZSTD_compress2(cctx.get(), out.data(), out.size(), input.data(), input.size());
  if (ZSTD_isError(n)) return CodecFailed(CompressionType::kZstd, ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

// The smallest window log that covers `cap`, within zstd's limits: a frame
// needing a larger window is refused before the decoder allocates it.
int ZstdWindowLogMax(size_t cap) {
  int log = 10;  // ZSTD_WINDOWLOG_ABSOLUTEMIN
  while (log < ZSTD_WINDOWLOG_LIMIT_DEFAULT && (size_t(1) << log) < cap) ++log;
  return log;
}

Result<Bytes> ZstdDecompress(ByteSpan input, size_t cap) {
  std::unique_ptr<ZSTD_DCtx, ZstdDCtxFree> dctx(ZSTD_createDCtx_advanced(kZstdMem));
  if (!dctx) return CodecFailed(CompressionType::kZstd, "out of memory");
  int window_log = ZstdWindowLogMax(cap);
  ZSTD_DCtx_setParameter(dctx.get(), ZSTD_d_windowLogMax, window_log);
  // The first frame's header, read before anything is allocated: a window
  // over the limit is refused here (the decoder would refuse it too, later).
  ZSTD_frameHeader fh;
  size_t guess = FirstGuess(input.size());
  if (ZSTD_getFrameHeader(&fh, input.data(), input.size()) == 0 && fh.frameType == ZSTD_frame) {
    if (fh.windowSize > (1ull << window_log)) {
      return Corrupt(CompressionType::kZstd,
                     fmt::format("window of {} bytes above the cap", fh.windowSize));
    }
    if (fh.frameContentSize != ZSTD_CONTENTSIZE_UNKNOWN) guess = size_t(fh.frameContentSize);
  }
  CappedOutput out(cap, guess);
  size_t pos = 0;
  bool frame_start = true;
  return Drive(
      CompressionType::kZstd, out, cap,
      [&](uint8_t* dst, size_t room, size_t& produced, size_t& consumed, std::string& error) {
        // Only zstd v1 frames (and skippable ones): libzstd also decodes
        // legacy (v0.x) frames, whose decoders ignore windowLogMax and the
        // custom allocator and take what the header asks (128 MiB, found by
        // record_batch_fuzzer). Kafka's producers write v1 frames only.
        if (frame_start && input.size() - pos >= 4) {
          const uint8_t* m = input.data() + pos;
          uint32_t magic = uint32_t(m[0]) | uint32_t(m[1]) << 8 | uint32_t(m[2]) << 16 |
                           uint32_t(m[3]) << 24;
          if (magic != ZSTD_MAGICNUMBER && (magic & ZSTD_MAGIC_SKIPPABLE_MASK) !=
                                               ZSTD_MAGIC_SKIPPABLE_START) {
            error = fmt::format("not a zstd v1 frame (magic {:#010x})", magic);
            return Step::kError;
          }
        }
        ZSTD_outBuffer o{dst, room, 0};
        ZSTD_inBuffer i{input.data(), input.size(), pos};
        size_t hint = ZSTD_decompressStream(dctx.get(), &o, &i);
        if (ZSTD_isError(hint)) {
          error = ZSTD_getErrorName(hint);
          return Step::kError;
        }
        produced = o.pos;
        consumed = i.pos - pos;
        pos = i.pos;
        // 0: a frame ended and is flushed; more frames may follow.
        frame_start = hint == 0;
        return hint == 0 && pos == input.size() ? Step::kDone : Step::kContinue;
      });
}

}  // namespace

const char* CompressionName(CompressionType type) {
  switch (type) {
    case CompressionType::kNone:
      return "none";
    case CompressionType::kGzip:
      return "gzip";
    case CompressionType::kSnappy:
      return "snappy";
    case CompressionType::kLz4:
      return "lz4";
    case CompressionType::kZstd:
      return "zstd";
  }
  return "unknown";
}

Result<Bytes> Compress(CompressionType type, ByteSpan input, int level) {
  // Every codec takes 32-bit lengths somewhere; a batch is at most 2 GiB.
  if (input.size() > size_t(std::numeric_limits<int32_t>::max())) {
    return Status(ErrorCode::kMessageTooLarge, "compress: input above 2 GiB");
  }
  switch (type) {
    case CompressionType::kNone:
      return Bytes(input.begin(), input.end());
    case CompressionType::kGzip:
      return GzipCompress(input, level);
    case CompressionType::kSnappy:
      return SnappyCompress(input);
    case CompressionType::kLz4:
      return Lz4Compress(input, level);
    case CompressionType::kZstd:
      return ZstdCompress(input, level);
  }
  return Status(ErrorCode::kUnsupportedCompressionType,
                fmt::format("unknown compression type {}", int(type)));
}

Result<Bytes> Decompress(CompressionType type, ByteSpan input, size_t max_output) {
  if (input.size() > size_t(std::numeric_limits<int32_t>::max())) {
    return Corrupt(type, "input above 2 GiB");
  }
  switch (type) {
    case CompressionType::kNone:
      if (input.size() > max_output) return TooBig(type, max_output);
      return Bytes(input.begin(), input.end());
    case CompressionType::kGzip:
      return GzipDecompress(input, max_output);
    case CompressionType::kSnappy:
      return IsXerial(input) ? XerialDecompress(input, max_output)
                             : SnappyRawDecompress(input, max_output);
    case CompressionType::kLz4:
      return Lz4Decompress(input, max_output);
    case CompressionType::kZstd:
      return ZstdDecompress(input, max_output);
  }
  return Status(ErrorCode::kUnsupportedCompressionType,
                fmt::format("unknown compression type {}", int(type)));
}

}  // namespace gregor
