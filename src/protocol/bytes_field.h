// SPDX-License-Identifier: Apache-2.0
// Kafka's `bytes` field type for messages that carry opaque payloads (the
// group APIs' member metadata and assignments, ConsumerProtocol user
// data), as free functions over the visitors of field_visitor.h.
//
//   BytesField(v, name, Bytes&)                  non-nullable bytes
//   NullableBytesField(v, name, NullableBytes&)  nullable bytes
//
// Both use the wire encoding of NullableBytes: an int32 length (uvarint
// length+1 in flexible versions) and the bytes, -1 (0) for null. Unlike
// Records() they are never spliced. BytesField never writes null; it reads
// a null as empty (Kafka would refuse it, but an empty payload is what a
// sender of null meant, and nothing is lost by accepting it).
//
// Kafka's schemas name the bytes type for a member's protocol metadata and
// assignment because the group coordinator does not interpret them; only
// the members (and consumer_protocol.h) do.
#pragma once

#include <type_traits>
#include <utility>

#include "common/bytes.h"
#include "protocol/decoder.h"
#include "protocol/field_visitor.h"

namespace gregor {

/// A nullable `bytes` field present in versions `vs`.
template <class V>
void NullableBytesField(V& v, const char* name, NullableBytes& x, Versions vs = {}) {
  if (vs.Contains(v.version())) v.Value(name, x);
}

/// A non-nullable `bytes` field present in versions `vs`. Encoding copies
/// the payload once (the visitors code NullableBytes); group payloads are
/// small and off the data path.
template <class V>
void BytesField(V& v, const char* name, Bytes& x, Versions vs = {}) {
  if (!vs.Contains(v.version())) return;
  if constexpr (std::is_same_v<V, Decoder>) {
    NullableBytes read;
    v.Value(name, read);
    x = read ? std::move(*read) : Bytes{};
  } else {
    NullableBytes copy(x);
    v.Value(name, copy);
  }
}

}  // namespace gregor
