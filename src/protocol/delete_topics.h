// SPDX-License-Identifier: Apache-2.0
// DeleteTopics (key 20), versions 0-3.
//
//   request  topic_names[string], timeout_ms
//   response throttle_time_ms (v1+), responses[name, error_code]
#pragma once

#include <string>
#include <vector>

#include "protocol/api_keys.h"
#include "protocol/field_visitor.h"

namespace gregor {

/// DeleteTopics request.
struct DeleteTopicsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kDeleteTopics;
  static constexpr Versions kVersions{0, 3};

  std::vector<std::string> topic_names;  ///< topics to delete
  int32_t timeout_ms = 0;                ///< how long to wait for deletion

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Array("topic_names", topic_names);
    v.Int32("timeout_ms", timeout_ms);
  }
  bool operator==(const DeleteTopicsRequest&) const = default;
};

/// The outcome for one topic of a DeleteTopics request.
struct DeletableTopicResult {
  std::string name;                         ///< the topic
  ErrorCode error_code = ErrorCode::kNone;  ///< e.g. UNKNOWN_TOPIC_OR_PARTITION

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("name", name);
    v.Error("error_code", error_code);
  }
  bool operator==(const DeletableTopicResult&) const = default;
};

/// DeleteTopics response.
struct DeleteTopicsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kDeleteTopics;
  static constexpr Versions kVersions{0, 3};

  int32_t throttle_time_ms = 0;                 ///< v1+
  std::vector<DeletableTopicResult> responses;  ///< per topic

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int32("throttle_time_ms", throttle_time_ms, {1});
    v.Array("responses", responses);
  }
  bool operator==(const DeleteTopicsResponse&) const = default;
};

}  // namespace gregor
