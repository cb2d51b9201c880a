// SPDX-License-Identifier: Apache-2.0
// How a Kafka message is declared once and coded three ways.
//
// Every message (and every struct nested in one) is a plain struct with
// default member values equal to Kafka's defaults, plus one member template
// that lists its fields in wire order, each with the versions it exists in:
//
//   template <class V> void Fields(V& v) {
//     v.Int32("throttle_time_ms", throttle_time_ms, {1});   // v1 and later
//     v.Array("topics", topics);                             // every version
//   }
//
// Fields() is instantiated with three visitors that share this base:
// Encoder (writes), Decoder (reads) and Sizer (counts bytes). The base skips
// a field whose Versions do not contain the message version, so on write it
// is not sent and on read it keeps its default; then it hands the field to
// the visitor's Value() overload for its C++ type. The wire type follows
// from the C++ type and the version's flexibility:
//
//   C++ type                        classic encoding      flexible encoding
//   bool/int8/16/32/64, ErrorCode   big-endian fixed      the same
//   std::string                     int16 len + bytes     uvarint len+1 + bytes
//   optional<string>                len -1 = null         uvarint 0 = null
//   NullableBytes (also records)    int32 len, -1 null    uvarint len+1, 0 null
//   vector<T>                       int32 count + items   uvarint count+1 + items
//   optional<vector<T>>             count -1 = null       uvarint 0 = null
//   a struct with Fields()          its fields            its fields + tagged fields
//
// In flexible versions every struct, the message itself included, ends
// with a tagged-field section (uvarint count, then tag, size, bytes per
// field). The visitors write an empty section and skip unknown tags on
// read; no message we implement declares a tagged field yet.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "common/bytes.h"
#include "common/errors.h"

namespace gregor {

/// The highest version number a Versions range can name ("v1 and later").
inline constexpr int16_t kMaxVersion = INT16_MAX;

/// An inclusive range of message versions a field exists in; `{3}` reads
/// "3 and later", `{}` is every version.
struct Versions {
  int16_t min = 0;            ///< first version with the field
  int16_t max = kMaxVersion;  ///< last version with the field
  /// True when `v` is inside the range.
  constexpr bool Contains(int16_t v) const { return min <= v && v <= max; }
};

/// A nullable byte string: Kafka's `bytes`/`records` field types. Records
/// (a produce or fetch payload of record batches) travel as raw bytes.
using NullableBytes = std::optional<Bytes>;
/// Kafka's uuid type (topic ids): 16 bytes, written as they are.
using Uuid = std::array<uint8_t, 16>;

/// The base of Encoder, Decoder and Sizer: version filtering and dispatch
/// by C++ type (the table in field_visitor.h's file comment). `Derived`
/// provides `Value(name, T&)` for each field type and `TaggedFields()`.
/// Nothing here touches bytes, so a new wire type is one Value() overload
/// per visitor.
template <class Derived>
class FieldVisitor {
 public:
  FieldVisitor(int16_t version, bool flexible) : version_(version), flexible_(flexible) {}

  /// The message version being coded.
  int16_t version() const { return version_; }
  /// True when this version uses compact lengths and tagged fields.
  bool flexible() const { return flexible_; }

  ///@{
  /// A fixed-width field present in versions `vs`.
  void Bool(const char* name, bool& x, Versions vs = {}) { Field(name, x, vs); }
  void Int8(const char* name, int8_t& x, Versions vs = {}) { Field(name, x, vs); }
  void Int16(const char* name, int16_t& x, Versions vs = {}) { Field(name, x, vs); }
  void Int32(const char* name, int32_t& x, Versions vs = {}) { Field(name, x, vs); }
  void Int64(const char* name, int64_t& x, Versions vs = {}) { Field(name, x, vs); }
  /// A 16-byte uuid.
  void UuidField(const char* name, Uuid& x, Versions vs = {}) { Field(name, x, vs); }
  /// An int16 error code.
  void Error(const char* name, ErrorCode& x, Versions vs = {}) { Field(name, x, vs); }
  ///@}

  ///@{
  /// A string or records field present in versions `vs`.
  void String(const char* name, std::string& x, Versions vs = {}) { Field(name, x, vs); }
  void NullableString(const char* name, std::optional<std::string>& x, Versions vs = {}) {
    Field(name, x, vs);
  }
  void Records(const char* name, NullableBytes& x, Versions vs = {}) {
    if (vs.Contains(version_)) self().RecordsValue(name, x);
  }
  /// A records field's value; like Value() unless the visitor streams
  /// records itself (Encoder::SetRecordsSplices).
  void RecordsValue(const char* name, NullableBytes& x) { self().Value(name, x); }
  ///@}

  /// An array of scalars, strings or structs present in versions `vs`.
  template <class T>
  void Array(const char* name, std::vector<T>& x, Versions vs = {}) {
    Field(name, x, vs);
  }
  /// An array that may be null in versions `nullable` (inside `vs`); in
  /// other versions a null array is written as empty.
  template <class T>
  void NullableArray(const char* name, std::optional<std::vector<T>>& x, Versions vs,
                     Versions nullable) {
    if (vs.Contains(version_)) self().Value(name, x, nullable.Contains(version_));
  }

  // [protocol-visitor-struct]
  /// A whole struct: its fields, then (flexible versions) its tag section.
  template <class S>
  void Struct(S& s) {
    s.Fields(self());
    if (flexible_) self().TaggedFields();
  }
  // [protocol-visitor-struct]

  /// One array element: a struct or a plain value.
  template <class T>
  void Element(const char* name, T& e) {
    if constexpr (std::is_class_v<T> && !std::is_same_v<T, std::string>) {
      Struct(e);
    } else {
      self().Value(name, e);
    }
  }

 private:
  Derived& self() { return static_cast<Derived&>(*this); }
  template <class T>
  void Field(const char* name, T& x, Versions vs) {
    if (vs.Contains(version_)) self().Value(name, x);
  }

  int16_t version_;
  bool flexible_;
};

}  // namespace gregor
