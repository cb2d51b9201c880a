// SPDX-License-Identifier: Apache-2.0
// ClusterConnectionStates: the state of the client's connection to each
// node, and when it may try again (Kafka's ClusterConnectionStates).
//
//   DISCONNECTED --Connecting--> CONNECTING --CheckingApiVersions-->
//   CHECKING_API_VERSIONS --Ready--> READY;  any --Disconnected--> DISCONNECTED
//
// Reconnect backoff is exponential: after the n-th consecutive failed
// attempt the node is "blacked out" for
//   min(reconnect.backoff.ms * 2^(n-1), reconnect.backoff.max.ms)
// counted from the last connection attempt. Reaching READY resets n. Kafka
// also adds +-20% jitter so that many clients do not reconnect in step; we
// leave it out to keep tests exact (see the chapter's Real world).
//
// Pure bookkeeping over times passed in by the caller (from a Clock), so it
// is tested without sockets or sleeping. Not thread-safe: NetworkClient
// uses it only on its network thread.
#pragma once

#include <cstdint>
#include <unordered_map>

namespace gregor {

/// Where a connection to one node stands.
enum class ConnectionState {
  kDisconnected,         ///< no socket; may connect when not blacked out
  kConnecting,           ///< TCP connect in progress
  kCheckingApiVersions,  ///< connected, ApiVersions request in flight
  kReady,                ///< versions known; requests may be sent
};

/// Kafka's name of a state ("READY") for logs and tests.
const char* ConnectionStateName(ConnectionState s);

/// Per-node connection state and exponential reconnect backoff; see the
/// file comment. Single-threaded (the network thread).
class ClusterConnectionStates {
 public:
  /// REQUIRES: 0 <= reconnect_backoff_ms <= reconnect_backoff_max_ms.
  ClusterConnectionStates(int64_t reconnect_backoff_ms, int64_t reconnect_backoff_max_ms);

  /// True when `node` is disconnected and its backoff has elapsed at now_ms
  /// (a node never seen may always connect).
  bool CanConnect(int32_t node, int64_t now_ms) const;
  /// True when `node` is disconnected and still inside its backoff.
  bool IsBlackedOut(int32_t node, int64_t now_ms) const;
  /// Milliseconds until CanConnect may turn true: 0 if it already is, the
  /// rest of the backoff if blacked out, INT64_MAX while connecting/ready.
  int64_t ConnectionDelay(int32_t node, int64_t now_ms) const;

  /// Records a connection attempt starting at now_ms.
  void Connecting(int32_t node, int64_t now_ms);
  /// The TCP connection is up; the ApiVersions exchange begins.
  void CheckingApiVersions(int32_t node);
  /// Versions negotiated; resets the failure count and backoff.
  void Ready(int32_t node);
  /// The connection failed or closed at now_ms: counts one more failure
  /// (unless it had been READY) and starts the backoff.
  void Disconnected(int32_t node, int64_t now_ms);

  /// The state of `node`; kDisconnected for unknown nodes.
  ConnectionState State(int32_t node) const;
  bool IsReady(int32_t node) const { return State(node) == ConnectionState::kReady; }
  /// The backoff that applies after the current number of failures.
  int64_t CurrentBackoffMs(int32_t node) const;
  /// Forgets `node` entirely.
  void Remove(int32_t node) { nodes_.erase(node); }

 private:
  /// One node's row: its state, last attempt and consecutive failures.
  struct NodeState {
    ConnectionState state = ConnectionState::kDisconnected;
    int64_t last_connect_attempt_ms = 0;
    int32_t failed_attempts = 0;
  };
  int64_t BackoffFor(int32_t failed_attempts) const;

  const int64_t reconnect_backoff_ms_;
  const int64_t reconnect_backoff_max_ms_;
  std::unordered_map<int32_t, NodeState> nodes_;
};

}  // namespace gregor
