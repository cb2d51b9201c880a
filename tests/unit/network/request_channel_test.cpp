// SPDX-License-Identifier: Apache-2.0
// RequestChannel without sockets: the bounded queue, Close, and routing.
#include "network/request_channel.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

namespace gregor {
namespace {

using namespace std::chrono_literals;

Request MakeRequest(int processor, std::string conn, std::string payload) {
  Request r;
  r.processor_id = processor;
  r.connection_id = std::move(conn);
  r.frame = Bytes(payload.begin(), payload.end());
  return r;
}

TEST(RequestChannelTest, RequestsComeOutInOrder) {
  RequestChannel channel(10);
  ASSERT_TRUE(channel.SendRequest(MakeRequest(0, "c", "a")));
  ASSERT_TRUE(channel.SendRequest(MakeRequest(0, "c", "b")));
  EXPECT_EQ(channel.queue_size(), 2u);
  EXPECT_EQ(AsString(channel.ReceiveRequest(1s)->frame), "a");
  EXPECT_EQ(AsString(channel.ReceiveRequest(1s)->frame), "b");
}

TEST(RequestChannelTest, ReceiveTimesOutWhenEmpty) {
  RequestChannel channel(1);
  EXPECT_FALSE(channel.ReceiveRequest(1ms).has_value());
}

TEST(RequestChannelTest, FullQueueBlocksSenderUntilAReceive) {
  RequestChannel channel(1);
  ASSERT_TRUE(channel.SendRequest(MakeRequest(0, "c", "first")));
  auto blocked = std::async(std::launch::async,
                            [&] { return channel.SendRequest(MakeRequest(0, "c", "second")); });
  // Still blocked: the queue holds one request and nobody took it.
  EXPECT_EQ(blocked.wait_for(20ms), std::future_status::timeout);
  EXPECT_EQ(AsString(channel.ReceiveRequest(1s)->frame), "first");
  ASSERT_EQ(blocked.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(blocked.get());
  EXPECT_EQ(AsString(channel.ReceiveRequest(1s)->frame), "second");
}

TEST(RequestChannelTest, CloseReleasesABlockedSender) {
  RequestChannel channel(1);
  ASSERT_TRUE(channel.SendRequest(MakeRequest(0, "c", "first")));
  auto blocked = std::async(std::launch::async,
                            [&] { return channel.SendRequest(MakeRequest(0, "c", "second")); });
  channel.Close();
  ASSERT_EQ(blocked.wait_for(10s), std::future_status::ready);
  EXPECT_FALSE(blocked.get());
  EXPECT_TRUE(channel.closed());
}

TEST(RequestChannelTest, CloseReleasesAWaitingReceiverAndRefusesNewRequests) {
  RequestChannel channel(4);
  auto waiting = std::async(std::launch::async, [&] { return channel.ReceiveRequest(60s); });
  channel.Close();
  ASSERT_EQ(waiting.wait_for(10s), std::future_status::ready);
  EXPECT_FALSE(waiting.get().has_value());
  EXPECT_FALSE(channel.SendRequest(MakeRequest(0, "c", "late")));
}

TEST(RequestChannelTest, SendResponseRoutesByProcessorId) {
  RequestChannel channel(4);
  std::vector<std::string> got0, got1;
  channel.AddProcessor(0, [&](Response r) { got0.push_back(r.connection_id); });
  channel.AddProcessor(1, [&](Response r) { got1.push_back(r.connection_id); });
  EXPECT_TRUE(channel.SendResponse(Response::NoOp(MakeRequest(1, "conn-b", ""))));
  EXPECT_TRUE(channel.SendResponse(Response::Send(MakeRequest(0, "conn-a", ""), Bytes{1})));
  EXPECT_EQ(got0, std::vector<std::string>{"conn-a"});
  EXPECT_EQ(got1, std::vector<std::string>{"conn-b"});
}

TEST(RequestChannelTest, ResponseForRemovedProcessorIsDropped) {
  RequestChannel channel(4);
  int calls = 0;
  channel.AddProcessor(0, [&](Response) { ++calls; });
  channel.RemoveProcessor(0);
  EXPECT_FALSE(channel.SendResponse(Response::Close(MakeRequest(0, "c", ""))));
  EXPECT_EQ(calls, 0);
}

TEST(ResponseTest, FactoriesCopyRoutingAndPayloadSizeCountsRegions) {
  Request req = MakeRequest(2, "conn", "x");
  req.receive_time_ns = 42;
  Response r = Response::Send(req, Bytes(10),
                              {FileRegion{nullptr, 3, 0, 100}, FileRegion{nullptr, 3, 500, 7}});
  EXPECT_EQ(r.kind, ResponseKind::kSend);
  EXPECT_EQ(r.processor_id, 2);
  EXPECT_EQ(r.connection_id, "conn");
  EXPECT_EQ(r.request_receive_time_ns, 42);
  EXPECT_EQ(r.PayloadSize(), 117);
  EXPECT_EQ(Response::NoOp(req).kind, ResponseKind::kNoOp);
  EXPECT_EQ(Response::Close(req).kind, ResponseKind::kClose);
}

}  // namespace
}  // namespace gregor
