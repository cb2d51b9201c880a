// SPDX-License-Identifier: Apache-2.0
// Request and response headers (chapters/formats-protocol.md has the
// grammar).
//
//   request header v1:  api_key int16, api_version int16,
//                       correlation_id int32, client_id nullable int16-string
//   request header v2:  v1, then a tagged-field section
//   response header v0: correlation_id int32
//   response header v1: v0, then a tagged-field section
//
// Which header a message uses follows from its API's flexibility: flexible
// requests use v2, others v1 (v0, without client_id, is only ControlledShutdown
// v0, which no client sends to us). Flexible responses use v1, except
// ApiVersions, whose response header is always v0 so that a client that
// does not know the broker yet can still read the correlation id. Note
// client_id stays a classic int16 string even in header v2.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/bytes.h"
#include "common/errors.h"
#include "protocol/api_keys.h"

namespace gregor {

/// The fields that open every request: which API and version, the id the
/// response echoes, and the client's self-chosen name.
struct RequestHeader {
  ApiKey api_key = ApiKey::kApiVersions;  ///< the operation
  int16_t api_version = 0;                ///< its version
  int32_t correlation_id = 0;             ///< echoed in the response
  std::optional<std::string> client_id;   ///< null or the client's name
  bool operator==(const RequestHeader&) const = default;
};

/// The request header version of `key` at `version`: 2 if flexible, else 1.
int16_t RequestHeaderVersion(ApiKey key, int16_t version);
/// The response header version: 1 if flexible, else 0; ApiVersions always 0.
int16_t ResponseHeaderVersion(ApiKey key, int16_t version);

/// A request frame split into its header and the body that follows.
struct ParsedRequest {
  RequestHeader header;    ///< the decoded header
  int16_t header_version;  ///< 1 or 2
  ByteSpan body;           ///< points into the frame passed to ParseRequestHeader
};

/// Parses the header at the start of `frame` (the bytes after the size
/// prefix). Unknown keys parse as header v1: the caller decides what to do
/// with them. Errors: INVALID_REQUEST if the header is truncated or
/// malformed. The body span aliases `frame`.
Result<ParsedRequest> ParseRequestHeader(ByteSpan frame);

/// Appends `h` as header RequestHeaderVersion(h.api_key, h.api_version).
void WriteRequestHeader(Bytes& out, const RequestHeader& h);

/// A response frame split into its correlation id and body.
struct ParsedResponse {
  int32_t correlation_id;  ///< the request's id
  ByteSpan body;           ///< points into the frame passed to ParseResponseHeader
};

/// Appends a response header of `header_version` (0 or 1).
void WriteResponseHeader(Bytes& out, int32_t correlation_id, int16_t header_version);

/// Parses a response header of `header_version` at the start of `frame`.
/// Errors: INVALID_REQUEST if truncated or malformed.
Result<ParsedResponse> ParseResponseHeader(ByteSpan frame, int16_t header_version);

}  // namespace gregor
