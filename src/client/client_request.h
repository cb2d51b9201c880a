// SPDX-License-Identifier: Apache-2.0
// ClientRequest / ClientResponse: what a caller hands to NetworkClient and
// what its callback gets back (Kafka's ClientRequest, ClientResponse).
//
// A request names its destination node, its API and the range of versions
// the caller can encode; NetworkClient picks the version once it knows the
// broker's range (min of both maxima) and then calls encode_body to write
// the body at that version. MakeClientRequest builds one from any message
// the codec knows, and DecodeResponse<M> turns the answer back into M.
//
// The callback runs exactly once, on NetworkClient's network thread: with
// an ok status and the response body, or with
//   NETWORK_EXCEPTION    the connection failed or closed first
//   REQUEST_TIMED_OUT    no answer within request.timeout.ms
//   UNSUPPORTED_VERSION  the broker speaks no version the caller can encode
// It must not block; it may call NetworkClient::Send.
//
// A request with expects_response = false (a Produce with acks=0, which the
// broker never answers) is not kept in flight: its callback runs with an
// ok status and an empty frame once the request's bytes are written to the
// socket, or with NETWORK_EXCEPTION if the connection fails first.
#pragma once

#include <cstdint>
#include <functional>
#include <utility>

#include "client/node.h"
#include "common/bytes.h"
#include "common/errors.h"
#include "protocol/api_keys.h"
#include "protocol/message_codec.h"

namespace gregor {

/// A response, or why there is none; see the file comment.
struct ClientResponse {
  int32_t node = -1;                        ///< the destination's node id
  ApiKey api_key = ApiKey::kApiVersions;    ///< the request's API
  int16_t api_version = -1;                 ///< the version used, -1 if never sent
  int32_t correlation_id = -1;              ///< -1 if never sent
  Status status;                            ///< ok, or the failure
  Bytes frame;                              ///< the response, header included
  size_t body_offset = 0;                   ///< where the body starts in frame

  /// The response body (after the response header). Empty unless ok.
  ByteSpan body() const { return ByteSpan(frame).subspan(body_offset); }
};

/// A request for NetworkClient::Send; see the file comment.
struct ClientRequest {
  Node destination;                                           ///< where to send
  ApiKey api_key = ApiKey::kMetadata;                         ///< which API
  Versions versions;                                          ///< what we can encode
  std::function<void(Bytes& out, int16_t version)> encode_body;  ///< appends the body
  std::function<void(ClientResponse)> callback;               ///< runs once
  int64_t request_timeout_ms = -1;  ///< -1: the client's request.timeout.ms
  bool expects_response = true;     ///< false: done once written (acks=0)
};

/// A request carrying `body`, encodable at any version of M::kVersions.
template <KafkaMessage M>
ClientRequest MakeClientRequest(Node destination, M body,
                                std::function<void(ClientResponse)> callback) {
  ClientRequest r;
  r.destination = std::move(destination);
  r.api_key = M::kApiKey;
  r.versions = M::kVersions;
  r.encode_body = [body = std::move(body)](Bytes& out, int16_t version) {
    EncodeTo(out, body, version);
  };
  r.callback = std::move(callback);
  return r;
}

/// The response body decoded as M at the version used, or the failure.
template <KafkaMessage M>
Result<M> DecodeResponse(const ClientResponse& r) {
  if (!r.status.ok()) return Result<M>(r.status);
  return Decode<M>(r.body(), r.api_version);
}

}  // namespace gregor
