// SPDX-License-Identifier: Apache-2.0
// SocketServer over real loopback sockets on port 0: framing, per-connection
// order, NoOp/Close responses, hostile sizes, sendfile regions, IPv4+IPv6
// and shutdown. Every wait has a deadline.
#include "network/socket_server.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "common/logging.h"
#include "test_client.h"

namespace gregor {
namespace {

using namespace std::chrono_literals;
using testing::EchoHandler;  // "noop" -> NoOp, "close" -> Close, "throw" -> throws
using testing::TestClient;
using testing::WaitFor;

// Answers after a random delay, half the time from its own responder thread
// (as a purgatory would), and checks that no connection ever has two
// requests inside the broker.
class DelayedEchoHandler : public RequestHandler {
 public:
  explicit DelayedEchoHandler(RequestChannel& channel) : channel_(channel) {
    responder_ = std::thread([this] { RunResponder(); });
  }
  ~DelayedEchoHandler() override {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    responder_.join();
  }
  void Handle(Request request) override {
    thread_local std::mt19937 rng(std::random_device{}());
    bool from_responder;
    std::chrono::microseconds work;
    {
      std::lock_guard lock(mu_);
      if (++in_flight_[request.connection_id] > 1) violations_++;
      from_responder = rng() % 2 == 0;
      work = std::chrono::microseconds(rng() % 300);
    }
    if (from_responder) {
      std::lock_guard lock(mu_);
      pending_.push_back({std::move(request), std::chrono::steady_clock::now() + work});
      cv_.notify_all();
      return;
    }
    std::this_thread::sleep_for(work);  // simulated request work
    Respond(std::move(request));
  }
  int violations() {
    std::lock_guard lock(mu_);
    return violations_;
  }

 private:
  struct Pending {
    Request request;
    std::chrono::steady_clock::time_point due;
  };
  void Respond(Request request) {
    {
      std::lock_guard lock(mu_);
      --in_flight_[request.connection_id];  // before: the next may come at once
    }
    Bytes frame = std::move(request.frame);
    channel_.SendResponse(Response::Send(request, std::move(frame)));
  }
  void RunResponder() {
    std::unique_lock lock(mu_);
    while (!stop_) {
      if (pending_.empty()) {
        cv_.wait_for(lock, 100ms);
        continue;
      }
      // Answer the pending requests in random order once due.
      size_t i = size_t(rng_() % pending_.size());
      auto due = pending_[i].due;  // a copy: Handle may grow pending_ meanwhile
      cv_.wait_until(lock, due);
      Request request = std::move(pending_[i].request);
      pending_.erase(pending_.begin() + long(i));
      lock.unlock();
      Respond(std::move(request));
      lock.lock();
    }
  }

  RequestChannel& channel_;
  std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_:
  std::map<std::string, int> in_flight_;
  int violations_ = 0;
  std::vector<Pending> pending_;
  bool stop_ = false;
  std::mt19937 rng_{12345};
  std::thread responder_;
};

// Keeps every request and never answers (requests stay in flight).
class HoldingHandler : public RequestHandler {
 public:
  void Handle(Request request) override {
    std::lock_guard lock(mu_);
    held_.push_back(std::move(request));
  }
  size_t held() {
    std::lock_guard lock(mu_);
    return held_.size();
  }
  std::vector<Request> Take() {
    std::lock_guard lock(mu_);
    return std::move(held_);
  }

 private:
  std::mutex mu_;
  std::vector<Request> held_;  // Guarded by mu_
};

SocketServerConfig LoopbackConfig(std::string host = "127.0.0.1") {
  SocketServerConfig config;
  config.listeners = {EndPoint{"PLAINTEXT", std::move(host), 0}};
  config.num_network_threads = 2;
  config.num_io_threads = 3;
  return config;
}

class SocketServerTest : public ::testing::Test {
 protected:
  void Start(SocketServerConfig config = LoopbackConfig(), RequestHandler* handler = nullptr) {
    server_ = std::make_unique<SocketServer>(std::move(config), clock_);
    echo_ = std::make_unique<EchoHandler>(server_->request_channel());
    Status s = server_->Startup(handler ? *handler : *echo_);
    ASSERT_TRUE(s.ok()) << s.ToString();
    port_ = server_->BoundPort();
    ASSERT_GT(port_, 0);
  }
  std::unique_ptr<TestClient> Connect(const std::string& address = "127.0.0.1") {
    auto client = TestClient::Connect(address, port_);
    EXPECT_NE(client, nullptr) << "connect to " << address << ":" << port_;
    return client;
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  Clock& clock_ = SystemClock::Instance();
  std::unique_ptr<SocketServer> server_;
  std::unique_ptr<EchoHandler> echo_;
  int port_ = 0;
};

TEST_F(SocketServerTest, EchoRoundTrip) {
  Start();
  auto client = Connect();
  ASSERT_TRUE(client->SendFrame("hello"));
  EXPECT_EQ(client->ReadString(), "hello");
  NetworkStats stats = server_->stats();
  EXPECT_EQ(stats.requests_received, 1u);
  EXPECT_EQ(stats.bytes_received, 9u);
  EXPECT_TRUE(WaitFor([&] { return server_->stats().responses_sent == 1; }));
  EXPECT_EQ(server_->stats().bytes_sent, 9u);
}

TEST_F(SocketServerTest, ZeroSizeFrameIsARequest) {
  Start();
  auto client = Connect();
  ASSERT_TRUE(client->SendFrame(""));
  auto frame = client->ReadFrame();
  ASSERT_TRUE(frame.has_value());
  EXPECT_TRUE(frame->empty());
}

TEST_F(SocketServerTest, PipelinedRequestsGetResponsesInRequestOrder) {
  SocketServerConfig config = LoopbackConfig();
  config.num_io_threads = 4;
  server_ = std::make_unique<SocketServer>(config, clock_);
  DelayedEchoHandler handler(server_->request_channel());
  ASSERT_TRUE(server_->Startup(handler).ok());
  port_ = server_->BoundPort();
  auto client = Connect();
  Bytes all;  // 100 frames in one write: they arrive back to back
  for (int i = 0; i < 100; ++i) {
    Bytes f = TestClient::Frame("request-" + std::to_string(i));
    all.insert(all.end(), f.begin(), f.end());
  }
  ASSERT_TRUE(client->SendRaw(all));
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(client->ReadString(), "request-" + std::to_string(i));
  }
  EXPECT_EQ(handler.violations(), 0);
  server_->Shutdown();  // before the handler is destroyed
}

TEST_F(SocketServerTest, ManyConnectionsInParallelEachInOrder) {
  SocketServerConfig config = LoopbackConfig();
  config.num_network_threads = 3;
  config.num_io_threads = 4;
  server_ = std::make_unique<SocketServer>(config, clock_);
  DelayedEchoHandler handler(server_->request_channel());
  ASSERT_TRUE(server_->Startup(handler).ok());
  port_ = server_->BoundPort();
  constexpr int kClients = 16, kRequests = 40;
  std::vector<std::future<bool>> results;
  for (int c = 0; c < kClients; ++c) {
    results.push_back(std::async(std::launch::async, [&, c] {
      auto client = TestClient::Connect("127.0.0.1", port_);
      if (!client) return false;
      for (int i = 0; i < kRequests; ++i) {  // pipelined: all sent first
        if (!client->SendFrame("c" + std::to_string(c) + "-" + std::to_string(i))) return false;
      }
      for (int i = 0; i < kRequests; ++i) {
        if (client->ReadString() != "c" + std::to_string(c) + "-" + std::to_string(i)) {
          return false;
        }
      }
      return true;
    }));
  }
  for (auto& r : results) {
    ASSERT_EQ(r.wait_for(60s), std::future_status::ready);
    EXPECT_TRUE(r.get());
  }
  EXPECT_EQ(handler.violations(), 0);
  EXPECT_EQ(server_->stats().requests_received, uint64_t(kClients * kRequests));
  server_->Shutdown();
}

TEST_F(SocketServerTest, NoOpResponseWritesNothingAndUnmutes) {
  Start();
  auto client = Connect();
  ASSERT_TRUE(client->SendFrame("noop"));  // acks=0: no response
  ASSERT_TRUE(client->SendFrame("after"));
  // The first frame read is the answer to the second request.
  EXPECT_EQ(client->ReadString(), "after");
  EXPECT_EQ(server_->stats().requests_received, 2u);
}

TEST_F(SocketServerTest, CloseResponseClosesTheConnection) {
  Start();
  auto client = Connect();
  ASSERT_TRUE(client->SendFrame("close"));
  EXPECT_TRUE(client->WaitClosed());
  EXPECT_TRUE(WaitFor([&] { return server_->connection_count() == 0; }));
}

TEST_F(SocketServerTest, HandlerExceptionClosesTheConnection) {
  Start();
  auto client = Connect();
  ASSERT_TRUE(client->SendFrame("throw"));
  EXPECT_TRUE(client->WaitClosed());
  auto other = Connect();  // the server goes on
  ASSERT_TRUE(other->SendFrame("still here"));
  EXPECT_EQ(other->ReadString(), "still here");
}

class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64)) {
    Logger("network")->sinks().push_back(sink_);
  }
  ~LogCapture() {
    auto& sinks = Logger("network")->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
  }
  bool Contains(const std::string& text) {
    for (const std::string& line : sink_->last_formatted()) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }

 private:
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
};

TEST_F(SocketServerTest, OversizeFrameClosesConnectionAndIsLogged) {
  LogCapture log;  // before Start: the sink list is not modified under traffic
  SocketServerConfig config = LoopbackConfig();
  config.socket_request_max_bytes = 1024;
  Start(config);
  auto client = Connect();
  Bytes size(4);
  StoreBE32(size.data(), 1025);
  ASSERT_TRUE(client->SendRaw(size));
  EXPECT_TRUE(client->WaitClosed());
  EXPECT_TRUE(WaitFor([&] { return server_->stats().frames_refused == 1; }));
  EXPECT_EQ(server_->stats().requests_received, 0u);
  EXPECT_TRUE(log.Contains("size=1025 max=1024"));
}

TEST_F(SocketServerTest, FrameOfExactlyMaxBytesIsAccepted) {
  SocketServerConfig config = LoopbackConfig();
  config.socket_request_max_bytes = 1024;
  Start(config);
  auto client = Connect();
  ASSERT_TRUE(client->SendFrame(std::string(1024, 'x')));
  EXPECT_EQ(client->ReadString(), std::string(1024, 'x'));
}

TEST_F(SocketServerTest, NegativeSizeClosesConnectionAndIsLogged) {
  LogCapture log;
  Start();
  auto client = Connect();
  Bytes size(4);
  StoreBE32(size.data(), 0xFFFFFFFF);  // -1
  ASSERT_TRUE(client->SendRaw(size));
  EXPECT_TRUE(client->WaitClosed());
  EXPECT_TRUE(WaitFor([&] { return server_->stats().frames_refused == 1; }));
  EXPECT_TRUE(log.Contains("size=-1"));
}

TEST_F(SocketServerTest, FrameSplitAcrossManySmallWritesIsReassembled) {
  Start();
  auto client = Connect();
  std::string payload(3000, '\0');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = char('a' + i % 26);
  Bytes frame = TestClient::Frame(payload);
  for (size_t i = 0; i < frame.size(); i += 7) {  // TCP_NODELAY: separate segments
    ASSERT_TRUE(client->SendRaw(ByteSpan(frame).subspan(i, std::min<size_t>(7, frame.size() - i))));
  }
  EXPECT_EQ(client->ReadString(), payload);
}

TEST_F(SocketServerTest, ClientDisconnectMidFrameIsHandled) {
  Start();
  {
    auto client = Connect();
    Bytes partial = TestClient::Frame(std::string(100, 'x'));
    partial.resize(30);  // size says 100, 26 bytes follow, then the peer goes
    ASSERT_TRUE(client->SendRaw(partial));
    ASSERT_TRUE(WaitFor([&] { return server_->stats().connections_accepted == 1; }));
  }
  EXPECT_TRUE(WaitFor([&] { return server_->stats().connections_closed == 1; }));
  EXPECT_EQ(server_->stats().requests_received, 0u);
  auto client = Connect();
  ASSERT_TRUE(client->SendFrame("next"));
  EXPECT_EQ(client->ReadString(), "next");
}

// A temporary file of `size` patterned bytes, removed at scope exit.
class TempFile {
 public:
  explicit TempFile(size_t size) {
    std::string tmpl = ::testing::TempDir() + "gregor-sendfile-XXXXXX";
    fd_ = ::mkstemp(tmpl.data());
    path_ = tmpl;
    content_.resize(size);
    for (size_t i = 0; i < size; ++i) content_[i] = uint8_t((i * 131 + i / 7) & 0xFF);
    size_t done = 0;
    while (done < size) done += size_t(::write(fd_, content_.data() + done, size - done));
  }
  ~TempFile() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  int fd() const { return fd_; }
  const Bytes& content() const { return content_; }

 private:
  int fd_;
  std::string path_;
  Bytes content_;
};

// Answers every request with "HDR:" followed by file regions.
class FileHandler : public RequestHandler {
 public:
  FileHandler(RequestChannel& channel, std::vector<FileRegion> regions)
      : channel_(channel), regions_(std::move(regions)) {}
  void Handle(Request request) override {
    channel_.SendResponse(Response::Send(request, Bytes{'H', 'D', 'R', ':'}, regions_));
  }

 private:
  RequestChannel& channel_;
  std::vector<FileRegion> regions_;
};

TEST_F(SocketServerTest, SendfileRegionsArriveByteExactAfterTheHeader) {
  TempFile file(3 * 1024 * 1024);
  SocketServerConfig config = LoopbackConfig();
  config.socket_send_buffer_bytes = 64 * 1024;  // forces EAGAIN mid-region
  server_ = std::make_unique<SocketServer>(config, clock_);
  // Two regions from the middle of the file, and an empty one between.
  FileHandler handler(
      server_->request_channel(),
      {FileRegion{nullptr, file.fd(), 1000, 2 * 1024 * 1024}, FileRegion{nullptr, file.fd(), 0, 0},
       FileRegion{nullptr, file.fd(), 17, 4096}});
  ASSERT_TRUE(server_->Startup(handler).ok());
  port_ = server_->BoundPort();
  auto client = Connect();
  for (int round = 0; round < 2; ++round) {  // unmuted after a sendfile response
    ASSERT_TRUE(client->SendFrame("fetch"));
    auto frame = client->ReadFrame(30s);
    ASSERT_TRUE(frame.has_value());
    Bytes expected = {'H', 'D', 'R', ':'};
    const Bytes& c = file.content();
    expected.insert(expected.end(), c.begin() + 1000, c.begin() + 1000 + 2 * 1024 * 1024);
    expected.insert(expected.end(), c.begin() + 17, c.begin() + 17 + 4096);
    ASSERT_EQ(frame->size(), expected.size());
    EXPECT_TRUE(*frame == expected) << "round " << round;
  }
  server_->Shutdown();
}

TEST_F(SocketServerTest, FileRegionPastEndOfFileClosesTheConnection) {
  TempFile file(100);
  server_ = std::make_unique<SocketServer>(LoopbackConfig(), clock_);
  FileHandler handler(server_->request_channel(), {FileRegion{nullptr, file.fd(), 50, 100}});
  ASSERT_TRUE(server_->Startup(handler).ok());
  port_ = server_->BoundPort();
  auto client = Connect();
  ASSERT_TRUE(client->SendFrame("fetch"));
  EXPECT_TRUE(client->WaitClosed());  // the promised size cannot be met
  server_->Shutdown();
}

TEST_F(SocketServerTest, LocalhostListensOnIpv4AndIpv6) {
  Start(LoopbackConfig("localhost"));
  auto v4 = Connect("127.0.0.1");
  ASSERT_TRUE(v4->SendFrame("over v4"));
  EXPECT_EQ(v4->ReadString(), "over v4");
  if (!testing::HasIpv6Loopback()) {
    std::cout << "[ NOTE     ] this host has no IPv6 loopback (/proc/net/if_inet6 lacks ::1); "
                 "only the IPv4 half ran\n";
    return;
  }
  auto addresses = server_->BoundAddresses();
  EXPECT_EQ(addresses.size(), 2u);
  auto v6 = Connect("::1");
  ASSERT_NE(v6, nullptr);
  ASSERT_TRUE(v6->SendFrame("over v6"));
  EXPECT_EQ(v6->ReadString(), "over v6");
}

TEST_F(SocketServerTest, BindFailureIsReportedAndLeavesNothingRunning) {
  Start();
  SocketServerConfig config = LoopbackConfig();
  config.listeners[0].port = uint16_t(port_);  // taken by the first server
  SocketServer second(config, clock_);
  EchoHandler handler(second.request_channel());
  Status s = second.Startup(handler);
  EXPECT_EQ(s.code(), ErrorCode::kNetworkException) << s.ToString();
  second.Shutdown();
}

TEST_F(SocketServerTest, UnknownListenerHasNoPort) {
  Start();
  EXPECT_EQ(server_->BoundPort("NOPE"), -1);
}

TEST_F(SocketServerTest, IdleConnectionIsClosedByTheInjectedClock) {
  MockClock mock;
  SocketServerConfig config = LoopbackConfig();
  config.connections_max_idle_ms = 1000;  // checked every 100 ms of real time
  server_ = std::make_unique<SocketServer>(config, mock);
  EchoHandler handler(server_->request_channel());
  ASSERT_TRUE(server_->Startup(handler).ok());
  port_ = server_->BoundPort();
  auto client = Connect();
  ASSERT_TRUE(client->SendFrame("ping"));
  EXPECT_EQ(client->ReadString(), "ping");
  // Not closed while the injected clock stands still, however long we wait.
  EXPECT_FALSE(client->WaitClosed(300ms));
  // The processor stamps last activity when the write completes, which can be
  // after the client has read the response; an advance that lands before
  // that stamp is absorbed by it, so advance again until the check fires.
  bool closed = false;
  for (int i = 0; i < 5 && !closed; ++i) {
    mock.AdvanceMs(1001);
    closed = client->WaitClosed(2s);
  }
  EXPECT_TRUE(closed);
  server_->Shutdown();
}

TEST_F(SocketServerTest, ConnectionWithRequestInFlightIsNotClosedAsIdle) {
  MockClock mock;
  SocketServerConfig config = LoopbackConfig();
  config.connections_max_idle_ms = 1000;
  server_ = std::make_unique<SocketServer>(config, mock);
  HoldingHandler handler;
  ASSERT_TRUE(server_->Startup(handler).ok());
  port_ = server_->BoundPort();
  auto client = Connect();
  ASSERT_TRUE(client->SendFrame("long poll"));
  ASSERT_TRUE(WaitFor([&] { return handler.held() == 1; }));
  auto witness = Connect();  // idle, nothing in flight
  ASSERT_TRUE(WaitFor([&] { return server_->connection_count() == 2; }));
  mock.AdvanceMs(5000);
  EXPECT_TRUE(witness->WaitClosed());  // an idle check has run since the advance
  // Answered late, the response still arrives: the connection was kept.
  Request held = std::move(handler.Take()[0]);
  server_->request_channel().SendResponse(Response::Send(held, Bytes{'o', 'k'}));
  EXPECT_EQ(client->ReadString(), "ok");
  server_->Shutdown();
}

TEST_F(SocketServerTest, ShutdownWithOpenConnectionsAndRequestsInFlightIsPrompt) {
  server_ = std::make_unique<SocketServer>(LoopbackConfig(), clock_);
  HoldingHandler handler;
  ASSERT_TRUE(server_->Startup(handler).ok());
  port_ = server_->BoundPort();
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < 8; ++i) {
    clients.push_back(Connect());
    ASSERT_TRUE(clients.back()->SendFrame("wait for me"));
  }
  auto idle = Connect();  // and one with nothing in flight
  ASSERT_TRUE(WaitFor([&] { return handler.held() == 8; }));
  auto start = std::chrono::steady_clock::now();
  server_->Shutdown();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  for (auto& c : clients) EXPECT_TRUE(c->WaitClosed());
  EXPECT_TRUE(idle->WaitClosed());
  // Late responses after shutdown are dropped, not crashes.
  for (Request& r : handler.Take()) {
    EXPECT_FALSE(server_->request_channel().SendResponse(Response::Send(r, Bytes{1})));
  }
  server_->Shutdown();  // idempotent
}

// Blocks in Handle until released: fills the queue so a Processor blocks.
class BlockingHandler : public RequestHandler {
 public:
  void Handle(Request) override {
    std::unique_lock lock(mu_);
    ++entered_;
    cv_.wait_for(lock, 30s, [&] { return released_; });
  }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  int entered() {
    std::lock_guard lock(mu_);
    return entered_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;  // Guarded by mu_
  int entered_ = 0;        // Guarded by mu_
};

TEST_F(SocketServerTest, ShutdownReleasesAProcessorBlockedOnAFullQueue) {
  SocketServerConfig config = LoopbackConfig();
  config.num_network_threads = 1;
  config.num_io_threads = 1;
  config.queued_max_requests = 1;
  server_ = std::make_unique<SocketServer>(config, clock_);
  BlockingHandler handler;
  ASSERT_TRUE(server_->Startup(handler).ok());
  port_ = server_->BoundPort();
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < 3; ++i) {  // one in Handle, one queued, one blocks the Processor
    clients.push_back(Connect());
    ASSERT_TRUE(clients.back()->SendFrame("x"));
  }
  ASSERT_TRUE(WaitFor([&] {
    return handler.entered() == 1 && server_->request_channel().queue_size() == 1 &&
           server_->stats().requests_received == 3;
  }));
  auto shutdown = std::async(std::launch::async, [&] { server_->Shutdown(); });
  // The Processor wakes from the closed channel and closes its connections
  // while the handler is still blocked.
  EXPECT_TRUE(WaitFor([&] { return server_->connection_count() == 0; }));
  for (auto& c : clients) EXPECT_TRUE(c->WaitClosed());
  handler.Release();
  EXPECT_EQ(shutdown.wait_for(10s), std::future_status::ready);
}

}  // namespace
}  // namespace gregor
