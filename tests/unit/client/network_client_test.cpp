// SPDX-License-Identifier: Apache-2.0
// NetworkClient against FakeBroker: version negotiation, timeouts, the
// in-flight limit, response ordering, disconnects and reconnect backoff.
#include "client/network_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <thread>

#include "fake_broker.h"
#include "protocol/metadata.h"

namespace gregor {
namespace {

using testing::FakeBroker;

Node BrokerNode(const FakeBroker& b) { return Node{1, "127.0.0.1", b.port()}; }

// Waits up to 5 s for pred(); polls, since the state lives on another thread.
template <class F>
bool Eventually(F pred) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return pred();
}

// Collects callback results in the order they run.
struct Responses {
  std::mutex mu;
  std::vector<ClientResponse> got;
  std::function<void(ClientResponse)> Callback() {
    return [this](ClientResponse r) {
      std::lock_guard lock(mu);
      got.push_back(std::move(r));
    };
  }
  size_t size() {
    std::lock_guard lock(mu);
    return got.size();
  }
};

ClientRequest MetadataTo(const Node& node, std::function<void(ClientResponse)> cb = {}) {
  return MakeClientRequest(node, MetadataRequest{}, std::move(cb));
}

TEST(NetworkClientTest, UsesHighestCommonVersion) {
  FakeBroker broker(FakeBroker::Mode::kRespond, {{int16_t(ApiKey::kApiVersions), 0, 3},
                                                  {int16_t(ApiKey::kMetadata), 0, 1}});
  NetworkClient client({});
  ClientResponse r = client.SendAndWait(MetadataTo(BrokerNode(broker)));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.api_version, 1);
  ASSERT_EQ(broker.SeenCount(), 1u);
  EXPECT_EQ(broker.Seen()[0].api_version, 1);
  auto decoded = DecodeResponse<MetadataResponse>(r);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->brokers.at(0).node_id, 1);
  auto range = client.BrokerApiVersions(1, ApiKey::kMetadata);
  ASSERT_TRUE(range.has_value());
  EXPECT_EQ(range->max_version, 1);
}

// An older broker (ApiVersions 0-2) answers our v3 ApiVersions with error
// 35 and its ranges in a v0 body; the client asks again at v2 and then
// speaks the highest common version of everything else.
TEST(NetworkClientTest, ApiVersionsFallsBackToTheBrokersHighestVersion) {
  FakeBroker broker(FakeBroker::Mode::kRespond, {{int16_t(ApiKey::kApiVersions), 0, 2},
                                                  {int16_t(ApiKey::kMetadata), 0, 5}});
  NetworkClient client({});
  ClientResponse r = client.SendAndWait(MetadataTo(BrokerNode(broker)));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(broker.ApiVersionsSeen(),
            (std::vector<int16_t>{ApiVersionsRequest::kVersions.max, 2}));
  EXPECT_EQ(r.api_version, 5);
  ASSERT_EQ(broker.SeenCount(), 1u);
  EXPECT_EQ(broker.Seen()[0].api_key, ApiKey::kMetadata);
  EXPECT_EQ(broker.Seen()[0].api_version, 5);
  auto decoded = DecodeResponse<MetadataResponse>(r);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->brokers.at(0).node_id, 1);
  auto range = client.BrokerApiVersions(1, ApiKey::kApiVersions);
  ASSERT_TRUE(range.has_value());
  EXPECT_EQ(range->max_version, 2);
}

TEST(NetworkClientTest, NoCommonVersionFailsWithUnsupportedVersion) {
  FakeBroker broker(FakeBroker::Mode::kRespond, {{int16_t(ApiKey::kApiVersions), 0, 3},
                                                  {int16_t(ApiKey::kMetadata), 7, 9}});
  NetworkClient client({});
  ClientResponse r = client.SendAndWait(MetadataTo(BrokerNode(broker)));
  EXPECT_EQ(r.status.code(), ErrorCode::kUnsupportedVersion) << r.status.ToString();
  EXPECT_EQ(broker.SeenCount(), 0u);
}

TEST(NetworkClientTest, ApiNotAdvertisedFailsWithUnsupportedVersion) {
  FakeBroker broker(FakeBroker::Mode::kRespond, {{int16_t(ApiKey::kApiVersions), 0, 3}});
  NetworkClient client({});
  ClientResponse r = client.SendAndWait(MetadataTo(BrokerNode(broker)));
  EXPECT_EQ(r.status.code(), ErrorCode::kUnsupportedVersion);
}

TEST(NetworkClientTest, UnansweredRequestTimesOutAndClosesConnection) {
  FakeBroker broker(FakeBroker::Mode::kNever);
  NetworkClient client({.request_timeout_ms = 300});
  auto start = std::chrono::steady_clock::now();
  ClientResponse r = client.SendAndWait(MetadataTo(BrokerNode(broker)));
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.status.code(), ErrorCode::kRequestTimedOut) << r.status.ToString();
  // Deadlines are whole milliseconds of the Clock, so up to 1 ms early.
  EXPECT_GE(elapsed, std::chrono::milliseconds(299));
  EXPECT_LT(elapsed, std::chrono::milliseconds(300 + 2000));
  EXPECT_TRUE(broker.WaitFor([&] { return broker.closed_locked() == 1; }));
  EXPECT_EQ(client.ConnectionInfo(1).state, ConnectionState::kDisconnected);
}

TEST(NetworkClientTest, InFlightLimitHoldsBackRequests) {
  FakeBroker broker(FakeBroker::Mode::kHold);
  NetworkClient client({.max_in_flight_requests_per_connection = 2});
  Responses responses;
  for (int i = 0; i < 5; ++i) client.Send(MetadataTo(BrokerNode(broker), responses.Callback()));
  ASSERT_TRUE(broker.WaitFor([&] { return broker.held_locked() == 2; }));
  ASSERT_TRUE(Eventually([&] {
    auto info = client.ConnectionInfo(1);
    return info.in_flight == 2 && info.queued == 3;
  }));
  EXPECT_EQ(broker.SeenCount(), 2u);

  broker.Release();  // one answer frees one slot: exactly one more goes out
  ASSERT_TRUE(broker.WaitFor([&] { return broker.seen_locked().size() == 3; }));
  ASSERT_TRUE(Eventually([&] { return client.ConnectionInfo(1).queued == 2; }));
  EXPECT_EQ(client.ConnectionInfo(1).in_flight, 2u);

  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(broker.WaitFor([&] { return broker.held_locked() >= 1; }));
    broker.Release();
  }
  ASSERT_TRUE(Eventually([&] { return responses.size() == 5; }));
  std::lock_guard lock(responses.mu);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_TRUE(responses.got[i].status.ok());
    if (i > 0) {
      EXPECT_LT(responses.got[i - 1].correlation_id, responses.got[i].correlation_id);
    }
  }
}

TEST(NetworkClientTest, OutOfOrderResponseClosesConnection) {
  FakeBroker broker(FakeBroker::Mode::kHold);
  NetworkClient client({});
  Responses responses;
  client.Send(MetadataTo(BrokerNode(broker), responses.Callback()));
  client.Send(MetadataTo(BrokerNode(broker), responses.Callback()));
  ASSERT_TRUE(broker.WaitFor([&] { return broker.held_locked() == 2; }));
  broker.Release(1);  // the newer one first
  ASSERT_TRUE(Eventually([&] { return responses.size() == 2; }));
  std::lock_guard lock(responses.mu);
  for (auto& r : responses.got) EXPECT_EQ(r.status.code(), ErrorCode::kNetworkException);
}

TEST(NetworkClientTest, DisconnectFailsInFlightWithNetworkException) {
  FakeBroker broker(FakeBroker::Mode::kHold);
  NetworkClient client({});
  std::promise<ClientResponse> done;
  client.Send(MetadataTo(BrokerNode(broker), [&](ClientResponse r) { done.set_value(r); }));
  ASSERT_TRUE(broker.WaitFor([&] { return broker.held_locked() == 1; }));
  broker.CloseConnections();
  auto f = done.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(f.get().status.code(), ErrorCode::kNetworkException);
}

TEST(NetworkClientTest, ConnectionRefusedFailsWithNetworkException) {
  int port;
  { FakeBroker gone(FakeBroker::Mode::kRespond); port = gone.port(); }
  NetworkClient client({});
  ClientResponse r = client.SendAndWait(MetadataTo(Node{1, "127.0.0.1", port}));
  EXPECT_EQ(r.status.code(), ErrorCode::kNetworkException);
}

TEST(NetworkClientTest, ReconnectWaitsForExponentialBackoff) {
  FakeBroker broker(FakeBroker::Mode::kCloseOnAccept);
  MockClock clock;
  NetworkClient client({.reconnect_backoff_ms = 1000, .reconnect_backoff_max_ms = 4000}, clock);
  ClientResponse first = client.SendAndWait(MetadataTo(BrokerNode(broker)));
  EXPECT_EQ(first.status.code(), ErrorCode::kNetworkException);
  EXPECT_EQ(client.ConnectionInfo(1).connection_delay_ms, 1000);

  // Inside the backoff the request waits; no second connect.
  std::promise<ClientResponse> done;
  client.Send(MetadataTo(BrokerNode(broker), [&](ClientResponse r) { done.set_value(r); }));
  ASSERT_TRUE(Eventually([&] { return client.ConnectionInfo(1).queued == 1; }));
  EXPECT_EQ(client.ConnectionInfo(1).connect_attempts, 1);
  EXPECT_EQ(broker.accepted(), 1u);

  clock.AdvanceMs(1000);
  client.Wakeup();
  auto f = done.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(f.get().status.code(), ErrorCode::kNetworkException);
  auto info = client.ConnectionInfo(1);
  EXPECT_EQ(info.connect_attempts, 2);
  EXPECT_EQ(info.connection_delay_ms, 2000);  // doubled
}

TEST(NetworkClientTest, SendAfterCloseFailsAtOnce) {
  NetworkClient client({});
  client.Close();
  ClientResponse r = client.SendAndWait(MetadataTo(Node{1, "127.0.0.1", 1}));
  EXPECT_EQ(r.status.code(), ErrorCode::kNetworkException);
}

}  // namespace
}  // namespace gregor
