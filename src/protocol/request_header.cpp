// SPDX-License-Identifier: Apache-2.0
#include "protocol/request_header.h"

#include "protocol/decoder.h"
#include "protocol/encoder.h"

namespace gregor {

int16_t RequestHeaderVersion(ApiKey key, int16_t version) {
  return IsFlexible(key, version) ? 2 : 1;
}

int16_t ResponseHeaderVersion(ApiKey key, int16_t version) {
  // [protocol-apiversions-header]
  // A client sends ApiVersions before it knows which versions we speak, so
  // its response must be readable at any version: header v0 (KIP-511).
  if (key == ApiKey::kApiVersions) return 0;
  // [protocol-apiversions-header]
  return IsFlexible(key, version) ? 1 : 0;
}

Result<ParsedRequest> ParseRequestHeader(ByteSpan frame) {
  ByteReader r(frame);
  ParsedRequest p{};
  p.header.api_key = static_cast<ApiKey>(r.ReadInt16());
  p.header.api_version = r.ReadInt16();
  p.header.correlation_id = r.ReadInt32();
  p.header_version = RequestHeaderVersion(p.header.api_key, p.header.api_version);
  // [protocol-parse-header]
  // client_id is a classic nullable string in both header versions; the
  // tagged-field section of v2 is read with flexible rules.
  Decoder classic(r, p.header.api_version, /*flexible=*/false);
  classic.Value("client_id", p.header.client_id);
  if (!classic.status().ok()) return Result<ParsedRequest>(classic.status());
  if (p.header_version >= 2) {
    Decoder flexible(r, p.header.api_version, /*flexible=*/true);
    flexible.TaggedFields();
    if (!flexible.status().ok()) return Result<ParsedRequest>(flexible.status());
  }
  // [protocol-parse-header]
  if (!r.ok()) return Result<ParsedRequest>(ErrorCode::kInvalidRequest, "truncated request header");
  p.body = frame.subspan(r.position());
  return p;
}

void WriteRequestHeader(Bytes& out, const RequestHeader& h) {
  ByteWriter w(out);
  w.PutInt16(static_cast<int16_t>(h.api_key));
  w.PutInt16(h.api_version);
  w.PutInt32(h.correlation_id);
  std::optional<std::string> client_id = h.client_id;
  Encoder(out, h.api_version, /*flexible=*/false).Value("client_id", client_id);
  if (RequestHeaderVersion(h.api_key, h.api_version) >= 2) {
    Encoder(out, h.api_version, /*flexible=*/true).TaggedFields();
  }
}

void WriteResponseHeader(Bytes& out, int32_t correlation_id, int16_t header_version) {
  ByteWriter w(out);
  w.PutInt32(correlation_id);
  if (header_version >= 1) w.PutUnsignedVarint(0);  // empty tagged fields
}

Result<ParsedResponse> ParseResponseHeader(ByteSpan frame, int16_t header_version) {
  ByteReader r(frame);
  ParsedResponse p{};
  p.correlation_id = r.ReadInt32();
  if (header_version >= 1) {
    Decoder flexible(r, 0, /*flexible=*/true);
    flexible.TaggedFields();
  }
  if (!r.ok())
    return Result<ParsedResponse>(ErrorCode::kInvalidRequest, "truncated response header");
  p.body = frame.subspan(r.position());
  return p;
}

}  // namespace gregor
