// SPDX-License-Identifier: Apache-2.0
// AdminClient::Impl: the state behind include/gregor/admin.h, shared by
// its two halves — topics (admin_client.cpp) and consumer groups
// (admin_client_groups.cpp). Private to src/client.
//
// One NetworkClient (its own network thread) and one Metadata cache. Every
// public AdminClient call takes `mu` for its whole length, so the helpers
// below run on one caller thread at a time and need no locking of their
// own; they block that thread on NetworkClient::SendAndWait.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "client/client_request.h"
#include "client/metadata.h"
#include "client/network_client.h"
#include "common/clock.h"
#include "gregor/admin.h"
#include "protocol/find_coordinator.h"
#include "protocol/metadata.h"

namespace gregor {

/// The NetworkClient and Metadata behind AdminClient; see the file comment.
class AdminClient::Impl {
 public:
  Impl(const AdminConfig& config, std::vector<Node> bootstrap)
      : config_(config),
        network_(NetworkClientConfig{.client_id = config.client_id,
                                     .request_timeout_ms = config.request_timeout_ms}),
        metadata_(std::move(bootstrap)) {}

  /// Sends `body` to `node` and decodes the answer as Resp.
  template <KafkaMessage Resp, KafkaMessage Req>
  Result<Resp> SendToNode(const Node& node, const Req& body) {
    return DecodeResponse<Resp>(network_.SendAndWait(MakeClientRequest(node, body, {})));
  }

  /// Sends `body` to some broker, `preferred` first, moving on to the next
  /// known node only on NETWORK_EXCEPTION. Defined (and instantiated for
  /// the requests the group half needs) in admin_client.cpp.
  template <KafkaMessage Resp, KafkaMessage Req>
  Result<Resp> SendToAnyNode(const Req& body, std::optional<Node> preferred = std::nullopt);

  /// Fetches metadata for `topics` (all topics when nullopt) into
  /// metadata_, always at v1+ so that "all" and "none" differ.
  Result<MetadataResponse> RefreshMetadata(std::optional<std::vector<std::string>> topics);
  /// Sends a Metadata request to the first node that answers.
  Result<MetadataResponse> SendMetadata(const MetadataRequest& req);
  /// The controller, refreshing metadata once if it is not known.
  std::optional<Node> Controller();

  /// Monotonic now, for deadlines.
  int64_t NowMs() const { return SystemClock::Instance().NowNs() / 1'000'000; }

  std::mutex mu;  // serializes the public calls
  AdminConfig config_;
  NetworkClient network_;
  Metadata metadata_;
};

}  // namespace gregor
