// SPDX-License-Identifier: Apache-2.0
// ByteReader and ByteWriter: Kafka's big-endian fixed-width integers and
// zig-zag varints over byte spans, with bounds checks.
//
// ByteReader never reads past its span. A read that would, or a malformed
// varint, puts the reader into a sticky failed state: that read and every
// later one return 0 / empty, and ok() turns false. Parsers read a whole
// structure and test ok() once, or in each loop iteration when a count from
// the input drives the loop. Hostile input therefore costs at most one pass
// over the bytes that are really there, and never an allocation sized by an
// untrusted length.
//
// Varints (Kafka's ByteUtils): varint/varlong are zig-zag encoded signed
// 32/64-bit values in 1..5 / 1..10 bytes, 7 bits per byte, low bits first,
// high bit = "more". Unsigned varints (no zig-zag) are what the flexible
// protocol uses for compact lengths. An encoding longer than its maximum
// width is malformed.
//
// Thread-safety: none; a reader or writer belongs to one thread.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

namespace gregor {

using Bytes = std::vector<uint8_t>;
using ByteSpan = std::span<const uint8_t>;

inline ByteSpan AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view AsString(ByteSpan b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

inline uint16_t LoadBE16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
inline uint32_t LoadBE32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
inline uint64_t LoadBE64(const uint8_t* p) {
  return uint64_t(LoadBE32(p)) << 32 | LoadBE32(p + 4);
}
inline void StoreBE16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v >> 8);
  p[1] = uint8_t(v);
}
inline void StoreBE32(uint8_t* p, uint32_t v) {
  for (int i = 3; i >= 0; --i, v >>= 8) p[i] = uint8_t(v);
}
inline void StoreBE64(uint8_t* p, uint64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8) p[i] = uint8_t(v);
}

inline uint32_t ZigZagEncode32(int32_t v) { return (uint32_t(v) << 1) ^ uint32_t(v >> 31); }
inline int32_t ZigZagDecode32(uint32_t v) { return int32_t(v >> 1) ^ -int32_t(v & 1); }
inline uint64_t ZigZagEncode64(int64_t v) { return (uint64_t(v) << 1) ^ uint64_t(v >> 63); }
inline int64_t ZigZagDecode64(uint64_t v) { return int64_t(v >> 1) ^ -int64_t(v & 1); }

/// Bytes an unsigned varint of v takes (1..10).
inline int UnsignedVarintSize(uint64_t v) {
  int n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}
inline int VarintSize(int32_t v) { return UnsignedVarintSize(ZigZagEncode32(v)); }
inline int VarlongSize(int64_t v) { return UnsignedVarintSize(ZigZagEncode64(v)); }

/// Reads big-endian integers and varints from a span; see the file comment
/// for the sticky failure rule.
class ByteReader {
 public:
  explicit ByteReader(ByteSpan data) : data_(data) {}

  bool ok() const { return ok_; }
  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  /// Marks the reader failed (a parser found a semantic error).
  void Fail() { ok_ = false; pos_ = data_.size(); }

  int8_t ReadInt8() { return Need(1) ? int8_t(data_[pos_++]) : 0; }
  int16_t ReadInt16() { return Need(2) ? int16_t(LoadBE16(Advance(2))) : 0; }
  int32_t ReadInt32() { return Need(4) ? int32_t(LoadBE32(Advance(4))) : 0; }
  int64_t ReadInt64() { return Need(8) ? int64_t(LoadBE64(Advance(8))) : 0; }
  uint32_t ReadUint32() { return uint32_t(ReadInt32()); }

  /// The next n bytes, without copying. Empty (and failed) if fewer remain.
  ByteSpan ReadBytes(size_t n) {
    if (!Need(n)) return {};
    return ByteSpan(Advance(n), n);
  }
  void Skip(size_t n) { ReadBytes(n); }

  uint64_t ReadUnsignedVarlong(int max_bytes = 10) {
    uint64_t v = 0;
    for (int shift = 0, i = 0; i < max_bytes; ++i, shift += 7) {
      if (!Need(1)) return 0;
      uint8_t b = data_[pos_++];
      v |= uint64_t(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    Fail();  // too many continuation bytes
    return 0;
  }
  uint32_t ReadUnsignedVarint() { return uint32_t(ReadUnsignedVarlong(5)); }
  int32_t ReadVarint() { return ZigZagDecode32(ReadUnsignedVarint()); }
  int64_t ReadVarlong() { return ZigZagDecode64(ReadUnsignedVarlong(10)); }

 private:
  // [byte-reader-need]
  bool Need(size_t n) {
    if (ok_ && n <= remaining()) return true;
    Fail();
    return false;
  }
  // [byte-reader-need]
  const uint8_t* Advance(size_t n) {
    const uint8_t* p = data_.data() + pos_;
    pos_ += n;
    return p;
  }

  ByteSpan data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

/// Appends big-endian integers and varints to a byte vector it does not own.
/// PutInt32At patches a value written earlier (a length or CRC slot).
class ByteWriter {
 public:
  explicit ByteWriter(Bytes& out) : out_(out) {}

  size_t position() const { return out_.size(); }
  void PutInt8(int8_t v) { out_.push_back(uint8_t(v)); }
  void PutInt16(int16_t v) { StoreBE16(Grow(2), uint16_t(v)); }
  void PutInt32(int32_t v) { StoreBE32(Grow(4), uint32_t(v)); }
  void PutInt64(int64_t v) { StoreBE64(Grow(8), uint64_t(v)); }
  void PutBytes(ByteSpan b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void PutUnsignedVarlong(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(uint8_t(v) | 0x80);
      v >>= 7;
    }
    out_.push_back(uint8_t(v));
  }
  void PutUnsignedVarint(uint32_t v) { PutUnsignedVarlong(v); }
  void PutVarint(int32_t v) { PutUnsignedVarlong(ZigZagEncode32(v)); }
  void PutVarlong(int64_t v) { PutUnsignedVarlong(ZigZagEncode64(v)); }

  /// REQUIRES: pos + 4 <= position().
  void PutInt32At(size_t pos, int32_t v) { StoreBE32(out_.data() + pos, uint32_t(v)); }
  void PutInt64At(size_t pos, int64_t v) { StoreBE64(out_.data() + pos, uint64_t(v)); }

 private:
  uint8_t* Grow(size_t n) {
    out_.resize(out_.size() + n);
    return out_.data() + out_.size() - n;
  }
  Bytes& out_;
};

}  // namespace gregor
