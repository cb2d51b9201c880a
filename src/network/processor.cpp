// SPDX-License-Identifier: Apache-2.0
#include "network/processor.h"

#include <sys/sendfile.h>

#include <algorithm>
#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <limits>
#include <utility>

#include "common/logging.h"

namespace gregor {

namespace asio = boost::asio;
using asio::ip::tcp;

NetworkStats& NetworkStats::operator+=(const NetworkStats& o) {
  connections_accepted += o.connections_accepted;
  connections_closed += o.connections_closed;
  requests_received += o.requests_received;
  bytes_received += o.bytes_received;
  responses_sent += o.responses_sent;
  bytes_sent += o.bytes_sent;
  frames_refused += o.frames_refused;
  return *this;
}

// One client connection. Only on the network thread. Async handlers hold a
// ConnectionPtr, so a closed Connection lives until its last handler has
// run and seen `closed`.
struct Processor::Connection {
  explicit Connection(tcp::socket s) : socket(std::move(s)) {}
  tcp::socket socket;
  std::string id;
  std::string listener_name;
  std::string peer;
  std::array<uint8_t, 4> size_buf{};
  Bytes frame;
  bool in_flight = false;  // muted: a request is with the handlers
  bool closed = false;
  int64_t last_active_ns = 0;
  // The response being written; its bytes and file owners live until sent.
  Response sending;
  std::array<uint8_t, 4> prefix{};
  size_t region_index = 0;
  int64_t region_sent = 0;
  bool region_after_sent = false;  // the current region's `after` bytes
};

namespace {

std::string FormatEndpoint(const tcp::endpoint& ep) {
  std::string addr = ep.address().to_string();
  if (ep.address().is_v6()) addr = "[" + addr + "]";
  return addr + ":" + std::to_string(ep.port());
}

// How often the idle check runs (real time): often enough to close within
// ~10% of connections.max.idle.ms, at most once per 10 ms, at least once a second.
std::chrono::milliseconds IdleCheckPeriod(int64_t idle_ms) {
  return std::chrono::milliseconds(std::clamp<int64_t>(idle_ms / 10, 10, 1000));
}

}  // namespace

Processor::Processor(int id, const SocketServerConfig& config, RequestChannel& channel,
                     Clock& clock)
    : id_(id),
      config_(config),
      channel_(channel),
      clock_(clock),
      log_(Logger("network")),
      work_(asio::make_work_guard(io_)),
      idle_timer_(io_) {}

Processor::~Processor() { Shutdown(); }

void Processor::Start() {
  if (config_.connections_max_idle_ms > 0) {
    asio::post(io_, [this] { ScheduleIdleCheck(); });
  }
  thread_ = std::thread([this] {
    io_.run();
    exited_.set_value();
  });
}

void Processor::Shutdown() {
  if (shut_down_.exchange(true)) return;
  if (!thread_.joinable()) return;
  asio::post(io_, [this] {
    CloseAll();
    idle_timer_.cancel();
    work_.reset();  // run() returns once the aborted handlers have run
  });
  // The loop only blocks in RequestChannel::SendRequest, which Close()
  // releases; the timeout is a guard against a bug, not a code path.
  if (exited_.get_future().wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    log_->error("processor={} did not stop in 5 s; stopping its loop", id_);
    io_.stop();
  }
  thread_.join();
}

void Processor::Accept(tcp::socket socket, std::string listener_name) {
  asio::post(io_, [this, s = std::move(socket), name = std::move(listener_name)]() mutable {
    AddConnection(std::move(s), std::move(name));
  });
}

void Processor::EnqueueResponse(Response response) {
  asio::post(io_, [this, r = std::move(response)]() mutable { HandleResponse(std::move(r)); });
}

NetworkStats Processor::stats() const {
  NetworkStats s;
  s.connections_accepted = counters_.accepted.load(std::memory_order_relaxed);
  s.connections_closed = counters_.closed.load(std::memory_order_relaxed);
  s.requests_received = counters_.requests.load(std::memory_order_relaxed);
  s.bytes_received = counters_.bytes_in.load(std::memory_order_relaxed);
  s.responses_sent = counters_.responses.load(std::memory_order_relaxed);
  s.bytes_sent = counters_.bytes_out.load(std::memory_order_relaxed);
  s.frames_refused = counters_.refused.load(std::memory_order_relaxed);
  return s;
}

void Processor::AddConnection(tcp::socket socket, std::string listener_name) {
  boost::system::error_code ec;
  tcp::endpoint local = socket.local_endpoint(ec);
  tcp::endpoint remote = socket.remote_endpoint(ec);
  if (ec) return;  // the peer is already gone; the socket closes with it
  if (shut_down_.load()) return;
  socket.set_option(tcp::no_delay(true), ec);
  // sendfile(2) is called directly on the fd and must not block the thread.
  socket.native_non_blocking(true, ec);
  if (config_.socket_send_buffer_bytes > 0) {
    socket.set_option(asio::socket_base::send_buffer_size(config_.socket_send_buffer_bytes), ec);
  }
  if (config_.socket_receive_buffer_bytes > 0) {
    socket.set_option(asio::socket_base::receive_buffer_size(config_.socket_receive_buffer_bytes),
                      ec);
  }
  auto conn = std::make_shared<Connection>(std::move(socket));
  conn->peer = FormatEndpoint(remote);
  conn->id =
      FormatEndpoint(local) + "-" + conn->peer + "-" + std::to_string(next_connection_index_++);
  conn->listener_name = std::move(listener_name);
  conn->last_active_ns = clock_.NowNs();
  connections_[conn->id] = conn;
  connection_count_.fetch_add(1);
  counters_.accepted.fetch_add(1, std::memory_order_relaxed);
  log_->debug("processor={} accepted connection={}", id_, conn->id);
  ReadSize(conn);
}

void Processor::ReadSize(const ConnectionPtr& conn) {
  asio::async_read(conn->socket, asio::buffer(conn->size_buf),
                   [this, conn](const boost::system::error_code& ec, size_t) {
                     if (conn->closed) return;
                     if (ec) return CloseConnection(conn, "peer closed or read error");
                     OnSize(conn);
                   });
}

// [processor-size-check]
void Processor::OnSize(const ConnectionPtr& conn) {
  int32_t size = int32_t(LoadBE32(conn->size_buf.data()));
  if (size < 0 || size > config_.socket_request_max_bytes) {
    // Refuse before allocating: the size is the peer's claim, not a fact.
    counters_.refused.fetch_add(1, std::memory_order_relaxed);
    int32_t max = config_.socket_request_max_bytes;
    log_->warn("refusing frame: peer={} size={} max={}", conn->peer, size, max);
    return CloseConnection(conn, "invalid frame size");
  }
  conn->frame.resize(size_t(size));
  // [processor-size-check]
  if (size == 0) return OnFrame(conn);
  asio::async_read(conn->socket, asio::buffer(conn->frame),
                   [this, conn](const boost::system::error_code& ec, size_t) {
                     if (conn->closed) return;
                     if (ec) return CloseConnection(conn, "peer closed mid-frame");
                     OnFrame(conn);
                   });
}

// [processor-mute]
void Processor::OnFrame(const ConnectionPtr& conn) {
  Request request;
  request.processor_id = id_;
  request.connection_id = conn->id;
  request.listener_name = conn->listener_name;
  request.peer = conn->peer;
  request.frame = std::move(conn->frame);
  request.receive_time_ns = clock_.NowNs();
  conn->frame = Bytes();
  conn->last_active_ns = request.receive_time_ns;
  conn->in_flight = true;  // muted: no read is armed until the response
  counters_.requests.fetch_add(1, std::memory_order_relaxed);
  uint64_t frame_bytes = 4 + request.frame.size();
  counters_.bytes_in.fetch_add(frame_bytes, std::memory_order_relaxed);
  if (!channel_.SendRequest(std::move(request))) {
    CloseConnection(conn, "request channel closed");
  }
}
// [processor-mute]

void Processor::HandleResponse(Response response) {
  auto it = connections_.find(response.connection_id);
  if (it == connections_.end()) {
    log_->debug("dropping response for closed connection={}", response.connection_id);
    return;
  }
  ConnectionPtr conn = it->second;
  if (response.kind == ResponseKind::kClose) {
    return CloseConnection(conn, "close response");
  }
  if (!conn->in_flight) {
    log_->warn("dropping response for connection={} with no request in flight", conn->id);
    return;
  }
  if (response.kind == ResponseKind::kNoOp) return Unmute(conn);
  StartSend(conn, std::move(response));
}

void Processor::StartSend(const ConnectionPtr& conn, Response response) {
  int64_t payload = response.PayloadSize();
  if (payload > std::numeric_limits<int32_t>::max()) {
    log_->error("response of {} bytes for connection={} exceeds the frame limit", payload,
                conn->id);
    return CloseConnection(conn, "response too large");
  }
  conn->sending = std::move(response);
  StoreBE32(conn->prefix.data(), uint32_t(payload));
  conn->region_index = 0;
  conn->region_sent = 0;
  conn->region_after_sent = false;
  std::array<asio::const_buffer, 2> buffers = {asio::buffer(conn->prefix),
                                               asio::buffer(conn->sending.bytes)};
  asio::async_write(conn->socket, buffers,
                    [this, conn](const boost::system::error_code& ec, size_t) {
                      if (conn->closed) return;
                      if (ec) return CloseConnection(conn, "write error");
                      SendFileRegions(conn);
                    });
}

// [processor-sendfile]
void Processor::SendFileRegions(const ConnectionPtr& conn) {
  const auto& regions = conn->sending.file_regions;
  while (conn->region_index < regions.size()) {
    const FileRegion& region = regions[conn->region_index];
    int64_t left = region.length - conn->region_sent;
    if (left <= 0) {
      if (!region.after.empty() && !conn->region_after_sent) {
        conn->region_after_sent = true;
        return asio::async_write(conn->socket, asio::buffer(region.after),
                                 [this, conn](const boost::system::error_code& ec, size_t) {
                                   if (conn->closed) return;
                                   if (ec) return CloseConnection(conn, "write error");
                                   SendFileRegions(conn);
                                 });
      }
      ++conn->region_index;
      conn->region_sent = 0;
      conn->region_after_sent = false;
      continue;
    }
    off_t offset = off_t(region.offset + conn->region_sent);
    size_t chunk = size_t(std::min<int64_t>(left, int64_t{1} << 30));
    int out_fd = conn->socket.native_handle();
    ssize_t n = ::sendfile(out_fd, region.fd, &offset, chunk);
    if (n > 0) {
      conn->region_sent += n;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return AwaitWritable(conn);  // socket buffer full
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) {
      return CloseConnection(conn, "peer closed during sendfile");
    }
    // n == 0: the file is shorter than the region. The size
    // prefix promised the bytes: the frame cannot be finished.
    return SendfileFailed(conn, region, int64_t(offset), n);
  }
  FinishSend(conn);
}
// [processor-sendfile]

void Processor::AwaitWritable(const ConnectionPtr& conn) {
  conn->socket.async_wait(tcp::socket::wait_write,
                          [this, conn](const boost::system::error_code& ec) {
                            if (conn->closed) return;
                            if (ec) return CloseConnection(conn, "write error");
                            SendFileRegions(conn);
                          });
}

void Processor::SendfileFailed(const ConnectionPtr& conn, const FileRegion& region, int64_t offset,
                               ssize_t result) {
  log_->error("sendfile failed for connection={} fd={} offset={}: {}", conn->id, region.fd, offset,
              result == 0 ? "file shorter than region" : strerror(errno));
  CloseConnection(conn, "sendfile error");
}

void Processor::FinishSend(const ConnectionPtr& conn) {
  counters_.responses.fetch_add(1, std::memory_order_relaxed);
  counters_.bytes_out.fetch_add(uint64_t(4 + conn->sending.PayloadSize()),
                                std::memory_order_relaxed);
  conn->sending = Response();  // releases the bytes and the files
  Unmute(conn);
}

void Processor::Unmute(const ConnectionPtr& conn) {
  conn->in_flight = false;
  conn->last_active_ns = clock_.NowNs();
  ReadSize(conn);
}

void Processor::CloseConnection(const ConnectionPtr& conn, const char* reason) {
  if (conn->closed) return;
  conn->closed = true;
  boost::system::error_code ec;
  conn->socket.shutdown(tcp::socket::shutdown_both, ec);
  conn->socket.close(ec);
  conn->sending = Response();
  connections_.erase(conn->id);
  connection_count_.fetch_sub(1);
  counters_.closed.fetch_add(1, std::memory_order_relaxed);
  log_->debug("processor={} closed connection={}: {}", id_, conn->id, reason);
}

void Processor::CloseAll() {
  while (!connections_.empty()) {
    ConnectionPtr conn = connections_.begin()->second;
    CloseConnection(conn, "shutdown");
  }
}

void Processor::ScheduleIdleCheck() {
  idle_timer_.expires_after(IdleCheckPeriod(config_.connections_max_idle_ms));
  idle_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || shut_down_.load()) return;
    const int64_t now = clock_.NowNs();
    const int64_t max_idle_ns = config_.connections_max_idle_ms * 1'000'000;
    std::vector<ConnectionPtr> idle;
    for (const auto& [id, conn] : connections_) {
      if (!conn->in_flight && now - conn->last_active_ns > max_idle_ns) idle.push_back(conn);
    }
    for (const ConnectionPtr& conn : idle) {
      log_->info("closing idle connection={} (connections.max.idle.ms={})", conn->id,
                 config_.connections_max_idle_ms);
      CloseConnection(conn, "idle");
    }
    ScheduleIdleCheck();
  });
}

}  // namespace gregor
