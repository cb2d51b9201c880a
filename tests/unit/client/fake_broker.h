// SPDX-License-Identifier: Apache-2.0
// FakeBroker: a scripted broker on a plain POSIX socket (127.0.0.1, port
// 0) for NetworkClient tests. One thread accepts, one thread per
// connection reads frames. It answers ApiVersions with `advertised` — or,
// when the request's version is above the ApiVersions range listed there,
// as Kafka does: error 35 (UNSUPPORTED_VERSION) with the ranges, in a v0
// body — and every other request according to `mode`:
//   kRespond  answer at once (Metadata: an empty response at its version)
//   kHold     keep the request until Release() answers it (in any order)
//   kNever    never answer
// kCloseOnAccept closes each connection as soon as it is accepted.
// Everything it sees is recorded under mu_ for the test to wait on.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "protocol/api_versions.h"
#include "protocol/frame.h"
#include "protocol/metadata.h"

namespace gregor::testing {

/// A request the fake broker received.
struct SeenRequest {
  ApiKey api_key;
  int16_t api_version;
  int32_t correlation_id;
  int fd;
};

/// The scripted broker; see the file comment.
class FakeBroker {
 public:
  enum class Mode { kRespond, kHold, kNever, kCloseOnAccept };

  explicit FakeBroker(Mode mode, std::vector<ApiVersionsResponseKey> advertised = {
                                     {int16_t(ApiKey::kMetadata), 0, 6},
                                     {int16_t(ApiKey::kApiVersions), 0, 3}})
      : mode_(mode), advertised_(std::move(advertised)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listen_fd_, 16);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }

  ~FakeBroker() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    accept_thread_.join();
    CloseConnections();
    for (auto& t : conn_threads_) t.join();
    for (int fd : fds_) ::close(fd);
  }

  int port() const { return port_; }

  /// Waits up to 5 s for pred() (called under the lock) to hold.
  bool WaitFor(const std::function<bool()>& pred) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(5), pred);
  }
  /// Requests other than ApiVersions seen so far. Call under WaitFor or after.
  std::vector<SeenRequest> Seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }
  size_t SeenCount() {
    std::lock_guard lock(mu_);
    return seen_.size();
  }
  /// The versions of the ApiVersions requests received, in order.
  std::vector<int16_t> ApiVersionsSeen() {
    std::lock_guard lock(mu_);
    return api_versions_seen_;
  }
  size_t accepted() { std::lock_guard lock(mu_); return accepted_; }
  size_t closed() { std::lock_guard lock(mu_); return closed_; }
  const std::vector<SeenRequest>& seen_locked() const { return seen_; }
  size_t accepted_locked() const { return accepted_; }
  size_t closed_locked() const { return closed_; }
  size_t held_locked() const { return held_.size(); }

  /// Answers the held request at `index` (0 = oldest still held).
  void Release(size_t index = 0) {
    std::lock_guard lock(mu_);
    SeenRequest r = held_.at(index);
    held_.erase(held_.begin() + long(index));
    Answer(r);
  }
  /// Closes every open connection from the broker's side.
  void CloseConnections() {
    std::lock_guard lock(mu_);
    for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
  }

 private:
  void AcceptLoop() {
    for (;;) {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      std::lock_guard lock(mu_);
      ++accepted_;
      cv_.notify_all();
      if (mode_ == Mode::kCloseOnAccept) {
        ::close(fd);
        ++closed_;
        continue;
      }
      fds_.push_back(fd);
      conn_threads_.emplace_back([this, fd] { ReadLoop(fd); });
    }
  }

  static bool ReadFull(int fd, uint8_t* p, size_t n) {
    while (n > 0) {
      ssize_t got = ::read(fd, p, n);
      if (got <= 0) return false;
      p += got;
      n -= size_t(got);
    }
    return true;
  }

  void ReadLoop(int fd) {
    for (;;) {
      uint8_t size_buf[4];
      if (!ReadFull(fd, size_buf, 4)) break;
      Bytes frame(LoadBE32(size_buf));
      if (!ReadFull(fd, frame.data(), frame.size())) break;
      auto parsed = ParseRequestHeader(frame);
      if (!parsed.ok()) break;
      const RequestHeader& h = parsed->header;
      std::lock_guard lock(mu_);
      if (h.api_key == ApiKey::kApiVersions) {
        api_versions_seen_.push_back(h.api_version);
        cv_.notify_all();
        ApiVersionsResponse resp;
        resp.api_keys = advertised_;
        int16_t version = h.api_version;
        for (const auto& k : advertised_) {
          if (k.api_key == int16_t(ApiKey::kApiVersions) && h.api_version > k.max_version) {
            resp.error_code = ErrorCode::kUnsupportedVersion;
            version = 0;  // the one body every client version can read
          }
        }
        Send(fd, EncodeResponseFrame(h.correlation_id, resp, version));
        continue;
      }
      SeenRequest r{h.api_key, h.api_version, h.correlation_id, fd};
      seen_.push_back(r);
      cv_.notify_all();
      if (mode_ == Mode::kRespond) Answer(r);
      if (mode_ == Mode::kHold) held_.push_back(r);
    }
    std::lock_guard lock(mu_);
    ++closed_;
    cv_.notify_all();
  }

  // REQUIRES: mu_ held. Only Metadata is answered with a real body.
  void Answer(const SeenRequest& r) {
    MetadataResponse resp;
    resp.brokers.push_back(MetadataResponseBroker{1, "127.0.0.1", port_, std::nullopt});
    Send(r.fd, EncodeResponseFrame(r.correlation_id, resp, r.api_version));
  }

  static void Send(int fd, const Bytes& frame) {
    (void)!::send(fd, frame.data(), frame.size(), MSG_NOSIGNAL);
  }

  const Mode mode_;
  const std::vector<ApiVersionsResponseKey> advertised_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread accept_thread_;

  std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_:
  std::vector<int> fds_;
  std::vector<std::thread> conn_threads_;
  std::vector<SeenRequest> seen_;
  std::vector<SeenRequest> held_;
  std::vector<int16_t> api_versions_seen_;
  size_t accepted_ = 0;
  size_t closed_ = 0;
};

}  // namespace gregor::testing
