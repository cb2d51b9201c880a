// SPDX-License-Identifier: Apache-2.0
// TestClient: a blocking loopback client for the network tests, written on
// plain POSIX sockets so it shares nothing with the code under test. Every
// read takes a deadline (poll), so a broken server fails a test instead of
// hanging it. Also the server side the socket tests share: EchoHandler.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

#include "common/bytes.h"
#include "network/request_channel.h"
#include "network/request_handler.h"

namespace gregor::testing {

using namespace std::chrono_literals;

/// A connected TCP client with deadline-bounded reads.
class TestClient {
 public:
  /// Connects to `address` (an IPv4 or IPv6 literal); nullptr on failure.
  static std::unique_ptr<TestClient> Connect(const std::string& address, int port) {
    sockaddr_storage ss{};
    socklen_t len = 0;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
    if (inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
      v4->sin_family = AF_INET;
      v4->sin_port = htons(uint16_t(port));
      len = sizeof(*v4);
    } else if (inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
      v6->sin6_family = AF_INET6;
      v6->sin6_port = htons(uint16_t(port));
      len = sizeof(*v6);
    } else {
      return nullptr;
    }
    int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return nullptr;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
      ::close(fd);
      return nullptr;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return std::unique_ptr<TestClient>(new TestClient(fd));
  }
  ~TestClient() { Close(); }

  /// Writes all of `data`; false on error (e.g. the server closed).
  bool SendRaw(ByteSpan data) {
    size_t done = 0;
    while (done < data.size()) {
      ssize_t n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += size_t(n);
    }
    return true;
  }
  /// Writes a size prefix and `payload`.
  bool SendFrame(ByteSpan payload) { return SendRaw(Frame(payload)); }
  bool SendFrame(std::string_view payload) { return SendFrame(AsBytes(payload)); }

  /// `Size payload` as bytes.
  static Bytes Frame(ByteSpan payload) {
    Bytes out(4);
    StoreBE32(out.data(), uint32_t(payload.size()));
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
  }
  static Bytes Frame(std::string_view payload) { return Frame(AsBytes(payload)); }

  /// One response frame's payload; nullopt on timeout, EOF or error.
  std::optional<Bytes> ReadFrame(std::chrono::milliseconds timeout = 10s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    uint8_t size_buf[4];
    if (!ReadExact(size_buf, 4, deadline)) return std::nullopt;
    int32_t size = int32_t(LoadBE32(size_buf));
    if (size < 0) return std::nullopt;
    Bytes payload(static_cast<size_t>(size));
    if (!ReadExact(payload.data(), payload.size(), deadline)) return std::nullopt;
    return payload;
  }
  std::optional<std::string> ReadString(std::chrono::milliseconds timeout = 10s) {
    auto frame = ReadFrame(timeout);
    if (!frame) return std::nullopt;
    return std::string(AsString(*frame));
  }

  /// True once the server has closed the connection (EOF or reset) within
  /// `timeout`; bytes that arrive meanwhile are discarded.
  bool WaitClosed(std::chrono::milliseconds timeout = 10s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    uint8_t buf[4096];
    for (;;) {
      if (!WaitReadable(deadline)) return false;
      ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n == 0) return true;
      if (n < 0 && errno != EINTR && errno != EAGAIN) return true;
    }
  }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  explicit TestClient(int fd) : fd_(fd) {}

  bool WaitReadable(std::chrono::steady_clock::time_point deadline) {
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      int r = ::poll(&p, 1, int(left.count()));
      if (r > 0) return true;
      if (r < 0 && errno != EINTR) return false;
    }
  }
  bool ReadExact(uint8_t* out, size_t n, std::chrono::steady_clock::time_point deadline) {
    size_t done = 0;
    while (done < n) {
      if (!WaitReadable(deadline)) return false;
      ssize_t r = ::recv(fd_, out + done, n - done, 0);
      if (r == 0) return false;
      if (r < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        return false;
      }
      done += size_t(r);
    }
    return true;
  }

  int fd_;
};

/// Polls `condition` until it holds or `timeout` passes (integration tests
/// wait on conditions, never on fixed sleeps).
inline bool WaitFor(const std::function<bool()>& condition,
                    std::chrono::milliseconds timeout = 10s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);  // poll interval, not a wait for an event
  }
  return true;
}

/// A SocketServer handler that echoes each request's payload as its
/// response, except three scripted payloads: "noop" answers with a NoOp
/// response, "close" with a Close, and "throw" throws (a handler bug).
/// Called on request-handler threads; answers at once, on that thread.
class EchoHandler : public RequestHandler {
 public:
  explicit EchoHandler(RequestChannel& channel) : channel_(channel) {}
  void Handle(Request request) override {
    std::string_view payload = AsString(request.frame);
    if (payload == "noop") {
      channel_.SendResponse(Response::NoOp(request));
    } else if (payload == "close") {
      channel_.SendResponse(Response::Close(request));
    } else if (payload == "throw") {
      throw std::runtime_error("handler bug");
    } else {
      Bytes frame = std::move(request.frame);
      channel_.SendResponse(Response::Send(request, std::move(frame)));
    }
  }

 private:
  RequestChannel& channel_;
};

/// Whether this host has the IPv6 loopback ::1 configured.
inline bool HasIpv6Loopback() {
  std::ifstream in("/proc/net/if_inet6");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("00000000000000000000000000000001", 0) == 0) return true;
  }
  return false;
}

}  // namespace gregor::testing
