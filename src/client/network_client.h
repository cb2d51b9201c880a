// SPDX-License-Identifier: Apache-2.0
// NetworkClient: the client side of the wire (Kafka's NetworkClient,
// Selector and InFlightRequests in one readable class).
//
// One Asio io_context runs on one network thread, owned by the client. Each
// destination node has at most one TCP connection, whose life follows
// ClusterConnectionStates:
//
//   Send ──> queued[node] ──(connect: resolve, TCP, ApiVersions)──> READY
//        ──> in_flight[node] (at most max.in.flight.requests.per.connection)
//        ──> response matched to the oldest in-flight request ──> callback
//
//   * Version negotiation. The first request on every connection is
//     ApiVersions (v3, retried at the broker's highest if it answers
//     UNSUPPORTED_VERSION). Each later request goes at
//     min(client max, broker max); if that is below max(client min, broker
//     min) the callback gets UNSUPPORTED_VERSION and nothing is sent.
//   * Ordering. A broker answers one connection's requests in order, so a
//     response must carry the correlation id of the oldest in-flight
//     request; anything else closes the connection (as Kafka does).
//   * Timeouts. Each request has a deadline of request.timeout.ms from
//     Send(). A queued request past it fails with REQUEST_TIMED_OUT; an
//     in-flight one too, and then the connection is closed, since a late
//     answer would break the ordering (as Kafka does).
//   * Failures. A closed connection fails its in-flight requests with
//     NETWORK_EXCEPTION. If the connection never reached READY (refused,
//     ApiVersions failed), the queued requests for that node fail too —
//     unlike Kafka, which keeps them until they time out — so a tool
//     pointed at a dead broker says so at once. The next Send reconnects
//     after the node's exponential reconnect backoff.
//
// Time comes from the injected Clock (monotonic NowNs); with a MockClock a
// test advances it and calls Wakeup() to make the client look again.
//
// Thread model: Send, Wakeup, SendAndWait and the introspection calls are
// thread-safe; all state below lives on the network thread. Callbacks run
// on the network thread and must not block on the client.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "client/client_request.h"
#include "client/cluster_connection_states.h"
#include "common/clock.h"
#include "protocol/api_keys.h"
#include "protocol/frame.h"

namespace gregor {

/// NetworkClient settings; Kafka's property names and defaults.
struct NetworkClientConfig {
  std::string client_id = "gregor";                 ///< client.id
  int64_t request_timeout_ms = 30000;               ///< request.timeout.ms
  int64_t reconnect_backoff_ms = 50;                ///< reconnect.backoff.ms
  int64_t reconnect_backoff_max_ms = 1000;          ///< reconnect.backoff.max.ms
  int32_t max_in_flight_requests_per_connection = 5;  ///< max.in.flight.requests.per.connection
  int32_t max_response_size = kDefaultMaxFrameSize;   ///< larger frames close the connection
};

/// What NetworkClient knows about one node, for tests and tools.
struct NodeConnectionInfo {
  ConnectionState state = ConnectionState::kDisconnected;  ///< connection state
  size_t queued = 0;                ///< waiting for READY or an in-flight slot
  size_t in_flight = 0;             ///< sent, not answered
  int64_t connection_delay_ms = 0;  ///< ClusterConnectionStates::ConnectionDelay
  int32_t connect_attempts = 0;     ///< TCP connects started, ever
};

/// Asynchronous connections to brokers on one network thread; see the file
/// comment for the protocol, ordering, timeout and failure rules.
class NetworkClient {
 public:
  /// Starts the network thread. `clock` must outlive the client.
  explicit NetworkClient(NetworkClientConfig config, Clock& clock = SystemClock::Instance());
  /// Close()s.
  ~NetworkClient();
  NetworkClient(const NetworkClient&) = delete;
  NetworkClient& operator=(const NetworkClient&) = delete;

  /// Queues `request`; connects to its destination if needed. The callback
  /// runs exactly once (see client_request.h). Thread-safe. After Close()
  /// the callback runs at once, on the caller's thread, with
  /// NETWORK_EXCEPTION.
  void Send(ClientRequest request);

  /// Send() and wait for the response. REQUIRES: not on the network thread
  /// (i.e. not from a callback).
  ClientResponse SendAndWait(ClientRequest request);

  /// Makes the network thread re-check deadlines and backoffs now; for
  /// tests that advance a MockClock. Thread-safe.
  void Wakeup();

  /// Closes every connection, fails all outstanding requests with
  /// NETWORK_EXCEPTION and joins the network thread. Idempotent.
  /// REQUIRES: not on the network thread.
  void Close();

  /// A snapshot of `node`'s connection. REQUIRES: not on the network thread.
  NodeConnectionInfo ConnectionInfo(int32_t node);

  /// The broker's advertised range for `key` on the READY connection to
  /// `node`, or nullopt (not connected or key not served). REQUIRES: not on
  /// the network thread.
  std::optional<ApiVersionRange> BrokerApiVersions(int32_t node, ApiKey key);

 private:
  /// One TCP connection: socket, in-flight requests, write queue.
  struct Connection;
  /// One destination: its address, connection and queued requests.
  struct NodeEntry;
  /// A request on the wire, waiting for its response.
  struct InFlightRequest;
  /// A request waiting for READY or for an in-flight slot.
  struct QueuedRequest;

  int64_t NowMs() const { return clock_.NowNs() / 1'000'000; }
  template <class F>
  auto RunOnNetworkThread(F f) -> decltype(f());

  // Only on the network thread:
  void DoSend(ClientRequest request);
  void Poll();
  void StartConnect(int32_t node_id, NodeEntry& entry);
  void SendApiVersionsRequest(const std::shared_ptr<Connection>& conn, int16_t version);
  void HandleApiVersionsResponse(const std::shared_ptr<Connection>& conn, ClientResponse r);
  void Dispatch(NodeEntry& entry, QueuedRequest q);
  void Write(const std::shared_ptr<Connection>& conn, Bytes frame);
  void StartWrite(const std::shared_ptr<Connection>& conn);
  void StartRead(const std::shared_ptr<Connection>& conn);
  void HandleResponse(const std::shared_ptr<Connection>& conn);
  void Disconnect(const std::shared_ptr<Connection>& conn, const Status& why);
  void FailAll(const Status& why);

  const NetworkClientConfig config_;
  Clock& clock_;
  std::atomic<bool> closed_{false};
  std::atomic<bool> joined_{false};

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  // Only on the network thread:
  ClusterConnectionStates states_;
  std::unordered_map<int32_t, std::unique_ptr<NodeEntry>> nodes_;
  int32_t next_correlation_id_ = 0;
  boost::asio::steady_timer timer_;
  bool shutting_down_ = false;

  std::thread thread_;  // last: starts after everything above exists
};

}  // namespace gregor
