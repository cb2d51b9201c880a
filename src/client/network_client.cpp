// SPDX-License-Identifier: Apache-2.0
#include "client/network_client.h"

#include <algorithm>
#include <future>
#include <limits>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "common/logging.h"
#include "protocol/api_versions.h"

namespace gregor {

namespace asio = boost::asio;
using asio::ip::tcp;

struct NetworkClient::InFlightRequest {
  int32_t correlation_id;
  ApiKey api_key;
  int16_t version;
  int64_t deadline_ms;
  std::function<void(ClientResponse)> callback;  // empty for the ApiVersions handshake
};

struct NetworkClient::QueuedRequest {
  ClientRequest request;
  int64_t deadline_ms;
};

// One TCP connection. Handlers hold a shared_ptr, so a connection outlives
// its pending operations; `closed` tells late handlers to do nothing.
struct NetworkClient::Connection {
  Connection(asio::io_context& io, int32_t id) : node(id), socket(io), resolver(io) {}
  int32_t node;
  tcp::socket socket;
  tcp::resolver resolver;
  bool closed = false;
  std::deque<InFlightRequest> in_flight;  // oldest first
  std::deque<Bytes> write_queue;          // front is being written
  // Requests that expect no response (acks=0): done when frame number
  // `first` has been written. Frames are numbered from 1 as queued.
  uint64_t frames_queued = 0;
  uint64_t frames_written = 0;
  std::deque<std::pair<uint64_t, InFlightRequest>> unanswered;
  uint8_t size_buf[4] = {};
  Bytes read_buf;
  std::unordered_map<int16_t, ApiVersionRange> broker_versions;  // from ApiVersions
};

struct NetworkClient::NodeEntry {
  Node address;
  std::shared_ptr<Connection> conn;  // null when disconnected
  std::deque<QueuedRequest> queued;
  int32_t connect_attempts = 0;
};

namespace {

ClientResponse Failure(int32_t node, ApiKey key, Status status) {
  ClientResponse r;
  r.node = node;
  r.api_key = key;
  r.status = std::move(status);
  return r;
}

}  // namespace

NetworkClient::NetworkClient(NetworkClientConfig config, Clock& clock)
    : config_(std::move(config)),
      clock_(clock),
      work_(asio::make_work_guard(io_)),
      states_(config_.reconnect_backoff_ms, config_.reconnect_backoff_max_ms),
      timer_(io_),
      thread_([this] { io_.run(); }) {}

NetworkClient::~NetworkClient() { Close(); }

template <class F>
auto NetworkClient::RunOnNetworkThread(F f) -> decltype(f()) {
  if (joined_) return f();
  std::packaged_task<decltype(f())()> task(std::move(f));
  auto result = task.get_future();
  asio::post(io_, [&task] { task(); });
  return result.get();
}

void NetworkClient::Send(ClientRequest request) {
  if (closed_) {
    auto cb = std::move(request.callback);
    cb(Failure(request.destination.id, request.api_key,
               Status(ErrorCode::kNetworkException, "client closed")));
    return;
  }
  asio::post(io_, [this, r = std::move(request)]() mutable { DoSend(std::move(r)); });
}

ClientResponse NetworkClient::SendAndWait(ClientRequest request) {
  std::promise<ClientResponse> done;
  auto result = done.get_future();
  request.callback = [&done](ClientResponse r) { done.set_value(std::move(r)); };
  Send(std::move(request));
  return result.get();
}

void NetworkClient::Wakeup() {
  asio::post(io_, [this] { Poll(); });
}

void NetworkClient::Close() {
  if (closed_.exchange(true)) return;
  asio::post(io_, [this] {
    shutting_down_ = true;
    FailAll(Status(ErrorCode::kNetworkException, "client closed"));
    timer_.cancel();
    work_.reset();
  });
  if (thread_.joinable()) thread_.join();
  // A Send that raced with Close may have posted after the thread left run().
  io_.restart();
  io_.poll();
  joined_ = true;
}

NodeConnectionInfo NetworkClient::ConnectionInfo(int32_t node) {
  return RunOnNetworkThread([this, node] {
    NodeConnectionInfo info;
    int64_t now = NowMs();
    info.state = states_.State(node);
    info.connection_delay_ms = states_.ConnectionDelay(node, now);
    auto it = nodes_.find(node);
    if (it != nodes_.end()) {
      info.queued = it->second->queued.size();
      info.in_flight = it->second->conn ? it->second->conn->in_flight.size() : 0;
      info.connect_attempts = it->second->connect_attempts;
    }
    return info;
  });
}

std::optional<ApiVersionRange> NetworkClient::BrokerApiVersions(int32_t node, ApiKey key) {
  return RunOnNetworkThread([this, node, key]() -> std::optional<ApiVersionRange> {
    auto it = nodes_.find(node);
    if (it == nodes_.end() || !it->second->conn || !states_.IsReady(node)) return std::nullopt;
    auto& versions = it->second->conn->broker_versions;
    auto v = versions.find(int16_t(key));
    if (v == versions.end()) return std::nullopt;
    return v->second;
  });
}

void NetworkClient::DoSend(ClientRequest request) {
  if (shutting_down_) {
    request.callback(Failure(request.destination.id, request.api_key,
                             Status(ErrorCode::kNetworkException, "client closed")));
    return;
  }
  int32_t id = request.destination.id;
  auto& entry = nodes_[id];
  if (!entry) entry = std::make_unique<NodeEntry>();
  entry->address = request.destination;
  int64_t timeout =
      request.request_timeout_ms >= 0 ? request.request_timeout_ms : config_.request_timeout_ms;
  entry->queued.push_back(QueuedRequest{std::move(request), NowMs() + timeout});
  Poll();
}

// The heart of the client, run after every event: expire what is late,
// connect where requests wait, send what fits, and arm the timer for the
// next deadline. (Kafka's NetworkClient.poll, driven by events instead of
// a caller's loop.)
void NetworkClient::Poll() {
  if (shutting_down_) return;
  int64_t now = NowMs();
  int64_t next = std::numeric_limits<int64_t>::max();
  std::vector<std::pair<std::function<void(ClientResponse)>, ClientResponse>> failed;

  for (auto& [id, entry] : nodes_) {
    // Queued requests past their deadline.
    for (auto it = entry->queued.begin(); it != entry->queued.end();) {
      if (it->deadline_ms <= now) {
        failed.emplace_back(std::move(it->request.callback),
                            Failure(id, it->request.api_key,
                                    Status(ErrorCode::kRequestTimedOut,
                                           "no connection to " + entry->address.ToString() +
                                               " within request.timeout.ms")));
        it = entry->queued.erase(it);
      } else {
        next = std::min(next, it->deadline_ms);
        ++it;
      }
    }
    // In-flight requests past their deadline: fail them, then close.
    if (auto conn = entry->conn) {
      bool expired = false;
      for (auto it = conn->in_flight.begin(); it != conn->in_flight.end();) {
        if (it->deadline_ms <= now) {
          expired = true;
          if (it->callback) {
            failed.emplace_back(std::move(it->callback),
                                Failure(id, it->api_key,
                                        Status(ErrorCode::kRequestTimedOut,
                                               std::string(ApiKeyName(it->api_key)) +
                                                   " to " + entry->address.ToString() +
                                                   " timed out")));
          }
          it = conn->in_flight.erase(it);
        } else {
          next = std::min(next, it->deadline_ms);
          ++it;
        }
      }
      if (expired) {
        Disconnect(conn, Status(ErrorCode::kRequestTimedOut,
                                "request to " + entry->address.ToString() + " timed out"));
        // Disconnect ran Poll() again; this pass's view of the maps is stale.
        for (auto& [cb, r] : failed) cb(std::move(r));
        return;
      }
    }
    // [client-poll-dispatch]
    if (entry->queued.empty()) continue;
    if (!entry->conn) {
      int64_t delay = states_.ConnectionDelay(id, now);
      if (delay == 0) {
        StartConnect(id, *entry);
      } else if (delay != std::numeric_limits<int64_t>::max()) {
        next = std::min(next, now + delay);
      }
    } else if (states_.IsReady(id)) {
      while (!entry->queued.empty() && entry->conn &&
             int32_t(entry->conn->in_flight.size()) <
                 config_.max_in_flight_requests_per_connection) {
        QueuedRequest q = std::move(entry->queued.front());
        entry->queued.pop_front();
        Dispatch(*entry, std::move(q));
      }
    }
    // [client-poll-dispatch]
  }

  if (next != std::numeric_limits<int64_t>::max()) {
    timer_.expires_after(std::chrono::milliseconds(std::max<int64_t>(0, next - now)));
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) Poll();
    });
  }
  for (auto& [cb, r] : failed) cb(std::move(r));
}

void NetworkClient::StartConnect(int32_t node_id, NodeEntry& entry) {
  auto conn = std::make_shared<Connection>(io_, node_id);
  entry.conn = conn;
  ++entry.connect_attempts;
  states_.Connecting(node_id, NowMs());
  Logger("client")->debug("connecting node={} address={}", node_id, entry.address.ToString());
  conn->resolver.async_resolve(
      entry.address.host, std::to_string(entry.address.port),
      [this, conn](const boost::system::error_code& ec, tcp::resolver::results_type results) {
        if (conn->closed) return;
        if (ec) {
          Disconnect(conn, Status(ErrorCode::kNetworkException, "resolve failed: " + ec.message()));
          return;
        }
        asio::async_connect(
            conn->socket, results,
            [this, conn](const boost::system::error_code& ec2, const tcp::endpoint&) {
              if (conn->closed) return;
              if (ec2) {
                Disconnect(conn,
                           Status(ErrorCode::kNetworkException, "connect failed: " + ec2.message()));
                return;
              }
              boost::system::error_code ignored;
              conn->socket.set_option(tcp::no_delay(true), ignored);
              states_.CheckingApiVersions(conn->node);
              StartRead(conn);
              SendApiVersionsRequest(conn, ApiVersionsRequest::kVersions.max);
            });
      });
}

void NetworkClient::SendApiVersionsRequest(const std::shared_ptr<Connection>& conn,
                                           int16_t version) {
  ApiVersionsRequest body;
  body.client_software_name = "gregor";
  body.client_software_version = "0.1.0";
  RequestHeader h{ApiKey::kApiVersions, version, next_correlation_id_++, config_.client_id};
  conn->in_flight.push_back(InFlightRequest{h.correlation_id, ApiKey::kApiVersions, version,
                                            NowMs() + config_.request_timeout_ms, {}});
  Write(conn, EncodeRequestFrame(h, body));
  Poll();  // arm the timer for the handshake's deadline
}

void NetworkClient::HandleApiVersionsResponse(const std::shared_ptr<Connection>& conn,
                                              ClientResponse r) {
  // [client-apiversions-fallback]
  // A broker that does not know our ApiVersions version answers with error
  // 35 and a v0 body, so fall back to v0 when the first decode fails.
  auto decoded = Decode<ApiVersionsResponse>(r.body(), r.api_version);
  if (!decoded.ok() || decoded->error_code == ErrorCode::kUnsupportedVersion) {
    auto v0 = Decode<ApiVersionsResponse>(r.body(), 0);
    if (v0.ok()) decoded = std::move(v0);
  }
  if (!decoded.ok()) {
    Disconnect(conn, Status(ErrorCode::kNetworkException,
                            "bad ApiVersions response: " + decoded.status().ToString()));
    return;
  }
  if (decoded->error_code == ErrorCode::kUnsupportedVersion) {
    for (const auto& k : decoded->api_keys) {
      if (k.api_key == int16_t(ApiKey::kApiVersions) && k.max_version < r.api_version &&
          k.max_version >= 0) {
        SendApiVersionsRequest(conn, k.max_version);
        return;
      }
    }
  }
  // [client-apiversions-fallback]
  if (decoded->error_code != ErrorCode::kNone) {
    Disconnect(conn, Status(decoded->error_code, "ApiVersions failed"));
    return;
  }
  for (const auto& k : decoded->api_keys) {
    conn->broker_versions[k.api_key] =
        ApiVersionRange{ApiKey(k.api_key), k.min_version, k.max_version};
  }
  states_.Ready(conn->node);
  Logger("client")->debug("ready node={} apis={}", conn->node, decoded->api_keys.size());
  Poll();
}

void NetworkClient::Dispatch(NodeEntry& entry, QueuedRequest q) {
  ClientRequest& req = q.request;
  auto& conn = entry.conn;
  // [client-version-choice]
  auto it = conn->broker_versions.find(int16_t(req.api_key));
  int16_t version = -1;
  if (it != conn->broker_versions.end()) {
    version = std::min(req.versions.max, it->second.max_version);
    if (version < std::max(req.versions.min, it->second.min_version)) version = -1;
  }
  // [client-version-choice]
  if (version < 0) {
    std::string broker = it == conn->broker_versions.end()
                             ? std::string("none")
                             : "v" + std::to_string(it->second.min_version) + "-" +
                                   std::to_string(it->second.max_version);
    req.callback(Failure(conn->node, req.api_key,
                         Status(ErrorCode::kUnsupportedVersion,
                                std::string(ApiKeyName(req.api_key)) + ": client v" +
                                    std::to_string(req.versions.min) + "-" +
                                    std::to_string(req.versions.max) + ", broker " + broker)));
    return;
  }
  RequestHeader h{req.api_key, version, next_correlation_id_++, config_.client_id};
  Bytes frame(4);
  WriteRequestHeader(frame, h);
  req.encode_body(frame, version);
  StoreBE32(frame.data(), uint32_t(frame.size() - 4));
  InFlightRequest sent{h.correlation_id, req.api_key, version, q.deadline_ms,
                       std::move(req.callback)};
  Write(conn, std::move(frame));
  if (req.expects_response) {
    conn->in_flight.push_back(std::move(sent));
  } else {
    // acks=0: the broker never answers; done once the frame is written.
    conn->unanswered.emplace_back(conn->frames_queued, std::move(sent));
  }
}

void NetworkClient::Write(const std::shared_ptr<Connection>& conn, Bytes frame) {
  conn->write_queue.push_back(std::move(frame));
  ++conn->frames_queued;
  if (conn->write_queue.size() == 1) StartWrite(conn);
}

void NetworkClient::StartWrite(const std::shared_ptr<Connection>& conn) {
  asio::async_write(conn->socket, asio::buffer(conn->write_queue.front()),
                    [this, conn](const boost::system::error_code& ec, size_t) {
                      if (conn->closed) return;
                      if (ec) {
                        Disconnect(conn, Status(ErrorCode::kNetworkException,
                                                "write failed: " + ec.message()));
                        return;
                      }
                      conn->write_queue.pop_front();
                      ++conn->frames_written;
                      if (!conn->write_queue.empty()) StartWrite(conn);
                      while (!conn->unanswered.empty() &&
                             conn->unanswered.front().first <= conn->frames_written) {
                        InFlightRequest done = std::move(conn->unanswered.front().second);
                        conn->unanswered.pop_front();
                        ClientResponse r;
                        r.node = conn->node;
                        r.api_key = done.api_key;
                        r.api_version = done.version;
                        r.correlation_id = done.correlation_id;
                        done.callback(std::move(r));
                      }
                    });
}

void NetworkClient::StartRead(const std::shared_ptr<Connection>& conn) {
  asio::async_read(
      conn->socket, asio::buffer(conn->size_buf),
      [this, conn](const boost::system::error_code& ec, size_t) {
        if (conn->closed) return;
        if (ec) {
          Disconnect(conn, Status(ErrorCode::kNetworkException,
                                  "connection closed: " + ec.message()));
          return;
        }
        int32_t size = int32_t(LoadBE32(conn->size_buf));
        if (size < 4 || size > config_.max_response_size) {
          Disconnect(conn, Status(ErrorCode::kNetworkException,
                                  "invalid response size " + std::to_string(size)));
          return;
        }
        conn->read_buf.resize(size_t(size));
        asio::async_read(conn->socket, asio::buffer(conn->read_buf),
                         [this, conn](const boost::system::error_code& ec2, size_t) {
                           if (conn->closed) return;
                           if (ec2) {
                             Disconnect(conn, Status(ErrorCode::kNetworkException,
                                                     "connection closed: " + ec2.message()));
                             return;
                           }
                           HandleResponse(conn);
                           if (!conn->closed) StartRead(conn);
                         });
      });
}

void NetworkClient::HandleResponse(const std::shared_ptr<Connection>& conn) {
  if (conn->in_flight.empty()) {
    Disconnect(conn, Status(ErrorCode::kNetworkException, "response with no request in flight"));
    return;
  }
  // [client-correlation-check]
  InFlightRequest& oldest = conn->in_flight.front();
  auto header = ParseResponseHeader(conn->read_buf,
                                    ResponseHeaderVersion(oldest.api_key, oldest.version));
  if (!header.ok() || header->correlation_id != oldest.correlation_id) {
    Disconnect(conn, Status(ErrorCode::kNetworkException,
                            "correlation id mismatch: expected " +
                                std::to_string(oldest.correlation_id) + ", got " +
                                (header.ok() ? std::to_string(header->correlation_id)
                                             : header.status().ToString())));
    return;
  }
  // [client-correlation-check]
  ClientResponse r;
  r.node = conn->node;
  r.api_key = oldest.api_key;
  r.api_version = oldest.version;
  r.correlation_id = oldest.correlation_id;
  r.body_offset = size_t(header->body.data() - conn->read_buf.data());
  r.frame = std::move(conn->read_buf);
  auto callback = std::move(oldest.callback);
  conn->in_flight.pop_front();
  if (!callback) {
    HandleApiVersionsResponse(conn, std::move(r));
    return;
  }
  callback(std::move(r));
  Poll();  // a slot is free: send what waits
}

void NetworkClient::Disconnect(const std::shared_ptr<Connection>& conn, const Status& why) {
  if (conn->closed) return;
  conn->closed = true;
  boost::system::error_code ignored;
  conn->resolver.cancel();
  conn->socket.close(ignored);
  bool was_ready = states_.IsReady(conn->node);
  states_.Disconnected(conn->node, NowMs());
  Logger("client")->debug("disconnected node={} reason={}", conn->node, why.ToString());

  std::vector<std::pair<std::function<void(ClientResponse)>, ClientResponse>> failed;
  Status network = why.code() == ErrorCode::kNetworkException
                       ? why
                       : Status(ErrorCode::kNetworkException, why.ToString());
  for (auto& f : conn->in_flight) {
    if (f.callback) failed.emplace_back(std::move(f.callback), Failure(conn->node, f.api_key, network));
  }
  conn->in_flight.clear();
  for (auto& [frame, f] : conn->unanswered) {
    failed.emplace_back(std::move(f.callback), Failure(conn->node, f.api_key, network));
  }
  conn->unanswered.clear();
  auto it = nodes_.find(conn->node);
  if (it != nodes_.end() && it->second->conn == conn) {
    NodeEntry& entry = *it->second;
    entry.conn.reset();
    if (!was_ready) {
      // Never reached READY: the queued requests would only wait for the
      // same failure again (see the header).
      Status s = why.code() == ErrorCode::kNetworkException ? network : why;
      for (auto& q : entry.queued) {
        failed.emplace_back(std::move(q.request.callback),
                            Failure(conn->node, q.request.api_key,
                                    Status(s.code(), entry.address.ToString() + ": " +
                                                         s.message())));
      }
      entry.queued.clear();
    }
  }
  for (auto& [cb, r] : failed) cb(std::move(r));
  Poll();
}

void NetworkClient::FailAll(const Status& why) {
  for (auto& [id, entry] : nodes_) {
    // A copy: Disconnect resets entry->conn, which `conn` must outlive.
    if (auto conn = entry->conn) Disconnect(conn, why);
    for (auto& q : entry->queued) {
      q.request.callback(Failure(id, q.request.api_key, why));
    }
    entry->queued.clear();
  }
}

}  // namespace gregor
