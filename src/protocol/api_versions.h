// SPDX-License-Identifier: Apache-2.0
// ApiVersions (key 18), versions 0-3: the first request on a connection;
// the client learns which versions of each API the broker speaks.
//
//   request  v0-2: empty; v3 (flexible): client_software_name,
//            client_software_version (KIP-511)
//   response error_code, api_keys[api_key, min_version, max_version],
//            throttle_time_ms (v1+); v3 also tagged fields for features,
//            which we never send.
//
// The response header is always v0 (request_header.h). A request of a
// version above 3 cannot be parsed; Kafka answers it with error 35
// UNSUPPORTED_VERSION and a v0 body still listing api_keys, so the client
// can retry with a version it finds there (MakeApiVersionsResponse).
#pragma once

#include <string>
#include <vector>

#include "protocol/api_keys.h"
#include "protocol/field_visitor.h"

namespace gregor {

// [protocol-apiversions-request]
/// ApiVersions request: who the client is (v3+), nothing else.
struct ApiVersionsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kApiVersions;
  static constexpr Versions kVersions{0, 3};

  std::string client_software_name;     ///< v3+, e.g. "librdkafka"
  std::string client_software_version;  ///< v3+, e.g. "2.0.2"

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("client_software_name", client_software_name, {3});
    v.String("client_software_version", client_software_version, {3});
  }
  bool operator==(const ApiVersionsRequest&) const = default;
};
// [protocol-apiversions-request]

/// One advertised API: Kafka's ApiVersionsResponseKey.
struct ApiVersionsResponseKey {
  int16_t api_key = 0;      ///< the API's number
  int16_t min_version = 0;  ///< lowest supported version
  int16_t max_version = 0;  ///< highest supported version

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int16("api_key", api_key);
    v.Int16("min_version", min_version);
    v.Int16("max_version", max_version);
  }
  bool operator==(const ApiVersionsResponseKey&) const = default;
};

/// ApiVersions response: an error code and the supported version ranges.
struct ApiVersionsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kApiVersions;
  static constexpr Versions kVersions{0, 3};

  ErrorCode error_code = ErrorCode::kNone;       ///< 35 for an unknown version
  std::vector<ApiVersionsResponseKey> api_keys;  ///< what the broker speaks
  int32_t throttle_time_ms = 0;                  ///< v1+

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Error("error_code", error_code);
    v.Array("api_keys", api_keys);
    v.Int32("throttle_time_ms", throttle_time_ms, {1});
  }
  bool operator==(const ApiVersionsResponse&) const = default;
};

/// The broker's answer: SupportedApis() with `error`. For an ApiVersions
/// request above v3, pass UNSUPPORTED_VERSION and encode the result at v0.
ApiVersionsResponse MakeApiVersionsResponse(ErrorCode error = ErrorCode::kNone);

}  // namespace gregor
