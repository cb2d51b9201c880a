// SPDX-License-Identifier: Apache-2.0
// The front door of the codec: Encode, Decode and Size for any message
// declared with Fields() (field_visitor.h).
//
// A message type M also names its API and the versions implemented:
//
//   struct MetadataRequest {
//     static constexpr ApiKey kApiKey = ApiKey::kMetadata;
//     static constexpr Versions kVersions{0, 6};
//     ...fields and Fields()...
//   };
//
// The version's flexibility comes from FlexibleVersion(M::kApiKey), so a
// message never repeats it. Decode refuses versions outside kVersions with
// UNSUPPORTED_VERSION: a message is only as good as its declaration.
// Trailing bytes after the last field are ignored, as Kafka does.
#pragma once

#include <concepts>
#include <cstdint>
#include <string>

#include "common/bytes.h"
#include "common/errors.h"
#include "protocol/api_keys.h"
#include "protocol/decoder.h"
#include "protocol/encoder.h"

namespace gregor {

/// A request or response body type the codec can handle.
template <class M>
concept KafkaMessage = requires(M m, Encoder& e, Decoder& d, Sizer& s) {
  { M::kApiKey } -> std::convertible_to<ApiKey>;
  { M::kVersions } -> std::convertible_to<Versions>;
  m.Fields(e);
  m.Fields(d);
  m.Fields(s);
};

// Encoder and Sizer take `M&` because Fields() is one template for all
// three visitors; they only read through it, so casting away const is safe.

// [protocol-codec-encode]
/// Appends `m` encoded at `version` to `out`.
/// REQUIRES: M::kVersions.Contains(version).
template <KafkaMessage M>
void EncodeTo(Bytes& out, const M& m, int16_t version) {
  Encoder e(out, version, IsFlexible(M::kApiKey, version));
  e.Struct(const_cast<M&>(m));
}
// [protocol-codec-encode]

/// `m` encoded at `version`. REQUIRES: M::kVersions.Contains(version).
template <KafkaMessage M>
Bytes Encode(const M& m, int16_t version) {
  Bytes out;
  EncodeTo(out, m, version);
  return out;
}

/// Exactly Encode(m, version).size(), without encoding.
template <KafkaMessage M>
size_t EncodedSize(const M& m, int16_t version) {
  Sizer s(version, IsFlexible(M::kApiKey, version));
  s.Struct(const_cast<M&>(m));
  return s.size();
}

/// Reads an M at `version` from `body`. Errors: UNSUPPORTED_VERSION outside
/// M::kVersions; INVALID_REQUEST for a truncated or malformed body.
template <KafkaMessage M>
Result<M> Decode(ByteSpan body, int16_t version) {
  if (!M::kVersions.Contains(version)) {
    return Result<M>(ErrorCode::kUnsupportedVersion,
                     std::string(ApiKeyName(M::kApiKey)) + " v" + std::to_string(version));
  }
  ByteReader r(body);
  Decoder d(r, version, IsFlexible(M::kApiKey, version));
  M m;
  d.Struct(m);
  if (!d.status().ok()) return Result<M>(d.status());
  return Result<M>(std::move(m));
}

}  // namespace gregor
