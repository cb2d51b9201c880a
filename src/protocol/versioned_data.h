// SPDX-License-Identifier: Apache-2.0
// Kafka's "data" schemas kept inside bytes rather than sent as requests:
// ConsumerProtocol subscriptions and assignments (the metadata and
// assignment payloads of JoinGroup and SyncGroup) and the key and value
// records of __consumer_offsets. Each is
//
//   VersionedData => version int16
//                    body    the fields of that version, classic encoding
//                            (int16 string lengths, int32 array counts)
//
// The body is a struct declared with Fields() like a protocol message and
// coded by the same visitors; the schemas used here are never flexible.
// What a reader does with a version it does not know is the schema's rule,
// so DecodeVersionedBody takes the version to read the body at and leaves
// the choice to the caller.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "common/bytes.h"
#include "common/errors.h"
#include "protocol/decoder.h"
#include "protocol/encoder.h"

namespace gregor {

/// Appends the int16 `version` and `m`'s fields at that version to `out`.
template <class T>
void EncodeVersionedTo(Bytes& out, const T& m, int16_t version) {
  ByteWriter(out).PutInt16(version);
  Encoder e(out, version, /*flexible=*/false);
  e.Struct(const_cast<T&>(m));  // the encoder only reads
}

/// `m` with its version prefix.
template <class T>
Bytes EncodeVersioned(const T& m, int16_t version) {
  Bytes out;
  EncodeVersionedTo(out, m, version);
  return out;
}

/// Reads the int16 version prefix. Errors: `error` if fewer than two bytes.
inline Result<int16_t> ReadVersionPrefix(ByteReader& r, ErrorCode error) {
  int16_t version = r.ReadInt16();
  if (!r.ok()) return Result<int16_t>(error, "truncated version prefix");
  return version;
}

/// Reads a T's fields at `version` from `r` (positioned after the
/// prefix); bytes after the last field are ignored. Errors: `error`
/// naming the first truncated or malformed field.
template <class T>
Result<T> DecodeVersionedBody(ByteReader& r, int16_t version, ErrorCode error) {
  Decoder d(r, version, /*flexible=*/false);
  T m;
  d.Struct(m);
  if (!d.status().ok()) return Result<T>(error, d.status().message());
  return Result<T>(std::move(m));
}

}  // namespace gregor
