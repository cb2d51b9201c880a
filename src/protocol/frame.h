// SPDX-License-Identifier: Apache-2.0
// Whole frames: a 4-byte big-endian size, then a header, then a body.
//
//   frame = size:int32 header body        size = bytes after the size field
//
// These helpers are for clients, tools and tests, which build one frame at
// a time; the broker's SocketServer only cuts frames at their size and
// hands the bytes after it to ParseRequestHeader.
#pragma once

#include <cstdint>

#include "protocol/message_codec.h"
#include "protocol/request_header.h"

namespace gregor {

/// The largest frame the broker accepts by default (Kafka's
/// socket.request.max.bytes, 100 MiB).
inline constexpr int32_t kDefaultMaxFrameSize = 100 * 1024 * 1024;

/// A size-prefixed request frame: `h` followed by `body` at h.api_version.
/// REQUIRES: h.api_key == M::kApiKey and M::kVersions contains the version.
template <KafkaMessage M>
Bytes EncodeRequestFrame(const RequestHeader& h, const M& body) {
  Bytes out(4);
  WriteRequestHeader(out, h);
  EncodeTo(out, body, h.api_version);
  StoreBE32(out.data(), uint32_t(out.size() - 4));
  return out;
}

/// A size-prefixed response frame answering `correlation_id` with `body`
/// at `version`, with the header version ResponseHeaderVersion() picks.
template <KafkaMessage M>
Bytes EncodeResponseFrame(int32_t correlation_id, const M& body, int16_t version) {
  Bytes out(4);
  WriteResponseHeader(out, correlation_id, ResponseHeaderVersion(M::kApiKey, version));
  EncodeTo(out, body, version);
  StoreBE32(out.data(), uint32_t(out.size() - 4));
  return out;
}

}  // namespace gregor
