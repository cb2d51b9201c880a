// SPDX-License-Identifier: Apache-2.0
// Encoder and Sizer: the writing visitors of field_visitor.h. Sizer
// returns exactly the number of bytes Encoder appends, so a frame's size
// prefix can be written before its body, and a Fetch response can send a
// partition's records straight from a file: write everything up to the
// records field's length prefix (RecordsLengthSize() bytes), then the file
// bytes with sendfile(2), then what follows (chapter 02, zero copy).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "protocol/field_visitor.h"

namespace gregor {

/// A records field whose bytes the caller sends itself (zero copy): the
/// Encoder writes the length prefix for `length` bytes at the field, sets
/// `offset` to where those bytes belong in the output, and writes none.
struct RecordsSplice {
  const NullableBytes* field = nullptr;  ///< the records field, by address
  int64_t length = 0;                    ///< bytes the caller will send there
  size_t offset = 0;                     ///< out: their position in the output
};

/// Appends a message's fields to a byte vector in the version's encoding.
/// Never fails: every C++ value has an encoding (a null in a version where
/// the field is not nullable is written as empty).
class Encoder : public FieldVisitor<Encoder> {
 public:
  /// Appends to `out`, which must outlive the Encoder.
  Encoder(gregor::Bytes& out, int16_t version, bool flexible)
      : FieldVisitor(version, flexible), w_(out) {}

  /// Records fields to leave for the caller to send (the Fetch zero-copy
  /// path); `splices` outlives the encoding and receives the offsets.
  void SetRecordsSplices(std::span<RecordsSplice> splices) { splices_ = splices; }

  ///@{
  /// Writes one value (called by FieldVisitor).
  void Value(const char*, bool& x) { w_.PutInt8(x ? 1 : 0); }
  void Value(const char*, int8_t& x) { w_.PutInt8(x); }
  void Value(const char*, int16_t& x) { w_.PutInt16(x); }
  void Value(const char*, int32_t& x) { w_.PutInt32(x); }
  void Value(const char*, int64_t& x) { w_.PutInt64(x); }
  void Value(const char*, ErrorCode& x) { w_.PutInt16(static_cast<int16_t>(x)); }
  void Value(const char*, Uuid& x) { w_.PutBytes(x); }
  void Value(const char*, std::string& x) {
    StringLength(int32_t(x.size()));
    w_.PutBytes(AsBytes(x));
  }
  void Value(const char*, std::optional<std::string>& x) {
    StringLength(x ? int32_t(x->size()) : -1);
    if (x) w_.PutBytes(AsBytes(*x));
  }
  void Value(const char*, NullableBytes& x) {
    Length(x ? int32_t(x->size()) : -1);
    if (x) w_.PutBytes(*x);
  }
  // [protocol-records-splice]
  /// A records field: spliced if listed in SetRecordsSplices, else Value.
  void RecordsValue(const char* name, NullableBytes& x) {
    for (RecordsSplice& s : splices_) {
      if (s.field != &x) continue;
      Length(int32_t(s.length));
      s.offset = w_.position();
      return;
    }
    Value(name, x);
  }
  // [protocol-records-splice]
  template <class T>
  void Value(const char* name, std::vector<T>& x) {
    Length(int32_t(x.size()));
    for (T& e : x) Element(name, e);
  }
  template <class T>
  void Value(const char* name, std::optional<std::vector<T>>& x, bool nullable) {
    if (!x) {
      Length(nullable ? -1 : 0);
      return;
    }
    Value(name, *x);
  }
  ///@}

  /// An empty tagged-field section: no tagged fields are declared yet.
  void TaggedFields() { w_.PutUnsignedVarint(0); }

 private:
  // Arrays, bytes and records: int32, or uvarint N+1 (0 = null) if flexible.
  void Length(int32_t n) {
    if (flexible()) {
      w_.PutUnsignedVarint(uint32_t(n + 1));
    } else {
      w_.PutInt32(n);
    }
  }
  // Strings: int16, or uvarint N+1 if flexible.
  void StringLength(int32_t n) {
    if (flexible()) {
      w_.PutUnsignedVarint(uint32_t(n + 1));
    } else {
      w_.PutInt16(int16_t(n));
    }
  }

  ByteWriter w_;
  std::span<RecordsSplice> splices_;
};

/// Counts the bytes Encoder would append for the same message and version.
class Sizer : public FieldVisitor<Sizer> {
 public:
  /// Starts at zero bytes.
  Sizer(int16_t version, bool flexible) : FieldVisitor(version, flexible) {}

  /// The bytes counted so far.
  size_t size() const { return size_; }

  ///@{
  /// Counts one value (called by FieldVisitor).
  void Value(const char*, bool&) { size_ += 1; }
  void Value(const char*, int8_t&) { size_ += 1; }
  void Value(const char*, int16_t&) { size_ += 2; }
  void Value(const char*, int32_t&) { size_ += 4; }
  void Value(const char*, int64_t&) { size_ += 8; }
  void Value(const char*, ErrorCode&) { size_ += 2; }
  void Value(const char*, Uuid&) { size_ += 16; }
  void Value(const char*, std::string& x) { size_ += StringLengthSize(x.size()) + x.size(); }
  void Value(const char*, std::optional<std::string>& x) {
    size_ += x ? StringLengthSize(x->size()) + x->size() : StringLengthSize(-1);
  }
  void Value(const char*, NullableBytes& x) {
    size_ += x ? LengthSize(int64_t(x->size())) + x->size() : LengthSize(-1);
  }
  template <class T>
  void Value(const char* name, std::vector<T>& x) {
    size_ += LengthSize(int64_t(x.size()));
    for (T& e : x) Element(name, e);
  }
  template <class T>
  void Value(const char* name, std::optional<std::vector<T>>& x, bool nullable) {
    if (!x) {
      size_ += LengthSize(nullable ? -1 : 0);
      return;
    }
    Value(name, *x);
  }
  ///@}

  /// An empty tagged-field section is one byte.
  void TaggedFields() { size_ += 1; }

  /// Bytes of the length prefix of a records field holding `n` bytes
  /// (-1 for null); for a caller that streams the records itself.
  static size_t RecordsLengthSize(int64_t n, bool flexible) {
    return flexible ? size_t(UnsignedVarintSize(uint64_t(n + 1))) : 4;
  }

 private:
  size_t LengthSize(int64_t n) const { return RecordsLengthSize(n, flexible()); }
  size_t StringLengthSize(int64_t n) const {
    return flexible() ? size_t(UnsignedVarintSize(uint64_t(n + 1))) : 2;
  }

  size_t size_ = 0;
};

}  // namespace gregor
