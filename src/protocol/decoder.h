// SPDX-License-Identifier: Apache-2.0
// Decoder: the reading visitor of field_visitor.h, over a ByteReader.
//
// Hostile input is the normal case here, so every length read from the
// wire is checked against the bytes that remain *before* anything is
// allocated (CVE-2022-34917: a 10-byte frame announcing 2^31 array
// elements must cost nothing). An array element takes at least one byte,
// so a count above remaining() cannot be honest. A negative length is null
// for nullable fields and an error otherwise. The first error is kept with
// the field's name; the reader is then failed, so every later read is a
// no-op and decoding stops after at most one pass over the input.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "protocol/field_visitor.h"

namespace gregor {

/// Reads a message's fields from bytes in the version's encoding; see the
/// file comment for the bounds rules. status() is the first error.
class Decoder : public FieldVisitor<Decoder> {
 public:
  /// Reads from `reader`, which must outlive the Decoder.
  Decoder(ByteReader& reader, int16_t version, bool flexible)
      : FieldVisitor(version, flexible), r_(reader) {}

  /// Ok, or INVALID_REQUEST naming the first malformed or truncated field.
  const Status& status() const { return status_; }

  ///@{
  /// Reads one value (called by FieldVisitor).
  void Value(const char* name, bool& x) {
    x = r_.ReadInt8() != 0;
    Check(name);
  }
  void Value(const char* name, int8_t& x) {
    x = r_.ReadInt8();
    Check(name);
  }
  void Value(const char* name, int16_t& x) {
    x = r_.ReadInt16();
    Check(name);
  }
  void Value(const char* name, int32_t& x) {
    x = r_.ReadInt32();
    Check(name);
  }
  void Value(const char* name, int64_t& x) {
    x = r_.ReadInt64();
    Check(name);
  }
  void Value(const char* name, ErrorCode& x) {
    x = ErrorFromWire(r_.ReadInt16());
    Check(name);
  }
  void Value(const char* name, Uuid& x) {
    ByteSpan b = r_.ReadBytes(x.size());
    if (b.size() == x.size()) std::copy(b.begin(), b.end(), x.begin());
    Check(name);
  }
  void Value(const char* name, std::string& x) {
    int64_t n = StringLength(name);
    if (n < 0) return Fail(name, "null for a non-nullable string");
    x.assign(AsString(r_.ReadBytes(size_t(n))));
  }
  void Value(const char* name, std::optional<std::string>& x) {
    int64_t n = StringLength(name);
    if (n < 0) {
      x.reset();
    } else {
      x.emplace(AsString(r_.ReadBytes(size_t(n))));
    }
  }
  void Value(const char* name, NullableBytes& x) {
    int64_t n = Length(name);
    if (n < 0) {
      x.reset();
    } else {
      ByteSpan b = r_.ReadBytes(size_t(n));
      x.emplace(b.begin(), b.end());
    }
  }
  template <class T>
  void Value(const char* name, std::vector<T>& x) {
    int64_t n = Length(name);
    if (n < 0) return Fail(name, "null for a non-nullable array");
    Elements(name, x, n);
  }
  template <class T>
  void Value(const char* name, std::optional<std::vector<T>>& x, bool nullable) {
    int64_t n = Length(name);
    if (n < 0) {
      if (!nullable) return Fail(name, "null for a non-nullable array");
      x.reset();
      return;
    }
    Elements(name, x.emplace(), n);
  }
  ///@}

  /// Skips the tagged-field section: known tags do not exist yet, unknown
  /// ones must be ignored (that is what makes them compatible).
  void TaggedFields() {
    uint32_t count = r_.ReadUnsignedVarint();
    for (uint32_t i = 0; i < count && r_.ok(); ++i) {
      r_.ReadUnsignedVarint();  // tag
      uint32_t size = r_.ReadUnsignedVarint();
      r_.Skip(size);
    }
    Check("tagged fields");
  }

 private:
  void Fail(const char* name, const char* why) {
    if (status_.ok()) {
      status_ = Status(ErrorCode::kInvalidRequest, std::string(name) + ": " + why);
    }
    r_.Fail();
  }
  void Check(const char* name) {
    if (!r_.ok()) Fail(name, "truncated or malformed");
  }
  // [protocol-decoder-bounded]
  // Validates a length read from the wire; -1 means null.
  int64_t Bounded(const char* name, int64_t n) {
    Check(name);
    if (!r_.ok()) return 0;
    if (n < -1)
      Fail(name, "negative length");
    else if (n > int64_t(r_.remaining()))
      Fail(name, "length exceeds the frame");
    return r_.ok() ? n : 0;
  }
  // [protocol-decoder-bounded]
  // Arrays, bytes and records: int32, or uvarint N+1 (0 = null).
  int64_t Length(const char* name) {
    return Bounded(name, flexible() ? int64_t(r_.ReadUnsignedVarint()) - 1 : r_.ReadInt32());
  }
  // Strings: int16, or uvarint N+1 (0 = null).
  int64_t StringLength(const char* name) {
    return Bounded(name, flexible() ? int64_t(r_.ReadUnsignedVarint()) - 1 : r_.ReadInt16());
  }
  // REQUIRES: 0 <= n <= remaining(); grows one element at a time.
  template <class T>
  void Elements(const char* name, std::vector<T>& x, int64_t n) {
    x.clear();
    for (int64_t i = 0; i < n && r_.ok(); ++i) Element(name, x.emplace_back());
  }

  ByteReader& r_;
  Status status_;
};

}  // namespace gregor
