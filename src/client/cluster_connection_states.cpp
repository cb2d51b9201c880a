// SPDX-License-Identifier: Apache-2.0
#include "client/cluster_connection_states.h"

#include <algorithm>
#include <limits>

namespace gregor {

const char* ConnectionStateName(ConnectionState s) {
  switch (s) {
    case ConnectionState::kDisconnected: return "DISCONNECTED";
    case ConnectionState::kConnecting: return "CONNECTING";
    case ConnectionState::kCheckingApiVersions: return "CHECKING_API_VERSIONS";
    case ConnectionState::kReady: return "READY";
  }
  return "UNKNOWN";
}

ClusterConnectionStates::ClusterConnectionStates(int64_t reconnect_backoff_ms,
                                                 int64_t reconnect_backoff_max_ms)
    : reconnect_backoff_ms_(reconnect_backoff_ms),
      reconnect_backoff_max_ms_(std::max(reconnect_backoff_ms, reconnect_backoff_max_ms)) {}

// [client-backoff]
int64_t ClusterConnectionStates::BackoffFor(int32_t failed_attempts) const {
  if (failed_attempts <= 0) return 0;
  // Double per failure, stopping once the cap is reached (no overflow).
  int64_t backoff = reconnect_backoff_ms_;
  for (int32_t i = 1; i < failed_attempts && backoff < reconnect_backoff_max_ms_; ++i) {
    backoff *= 2;
  }
  return std::min(backoff, reconnect_backoff_max_ms_);
}
// [client-backoff]

int64_t ClusterConnectionStates::CurrentBackoffMs(int32_t node) const {
  auto it = nodes_.find(node);
  return it == nodes_.end() ? 0 : BackoffFor(it->second.failed_attempts);
}

bool ClusterConnectionStates::CanConnect(int32_t node, int64_t now_ms) const {
  return ConnectionDelay(node, now_ms) == 0;
}

bool ClusterConnectionStates::IsBlackedOut(int32_t node, int64_t now_ms) const {
  auto it = nodes_.find(node);
  if (it == nodes_.end() || it->second.state != ConnectionState::kDisconnected) return false;
  return now_ms - it->second.last_connect_attempt_ms < BackoffFor(it->second.failed_attempts);
}

int64_t ClusterConnectionStates::ConnectionDelay(int32_t node, int64_t now_ms) const {
  auto it = nodes_.find(node);
  if (it == nodes_.end()) return 0;
  const NodeState& s = it->second;
  if (s.state != ConnectionState::kDisconnected) return std::numeric_limits<int64_t>::max();
  int64_t elapsed = now_ms - s.last_connect_attempt_ms;
  return std::max<int64_t>(0, BackoffFor(s.failed_attempts) - elapsed);
}

void ClusterConnectionStates::Connecting(int32_t node, int64_t now_ms) {
  NodeState& s = nodes_[node];
  s.state = ConnectionState::kConnecting;
  s.last_connect_attempt_ms = now_ms;
}

void ClusterConnectionStates::CheckingApiVersions(int32_t node) {
  nodes_[node].state = ConnectionState::kCheckingApiVersions;
}

void ClusterConnectionStates::Ready(int32_t node) {
  NodeState& s = nodes_[node];
  s.state = ConnectionState::kReady;
  s.failed_attempts = 0;
}

// [client-disconnected]
void ClusterConnectionStates::Disconnected(int32_t node, int64_t now_ms) {
  NodeState& s = nodes_[node];
  // A connection that worked and then closed (broker restart, idle close)
  // deserves one quick retry; a connect that never got to READY counts.
  if (s.state != ConnectionState::kReady) {
    ++s.failed_attempts;
  } else {
    s.failed_attempts = 1;
    s.last_connect_attempt_ms = now_ms;
  }
  s.state = ConnectionState::kDisconnected;
}
// [client-disconnected]

ConnectionState ClusterConnectionStates::State(int32_t node) const {
  auto it = nodes_.find(node);
  return it == nodes_.end() ? ConnectionState::kDisconnected : it->second.state;
}

}  // namespace gregor
