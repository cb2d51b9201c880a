// SPDX-License-Identifier: Apache-2.0
// NetworkClient's expects_response = false (what a Produce with acks=0
// uses): the broker never answers, and the callback runs once the request
// is written, without occupying an in-flight slot.
#include <gtest/gtest.h>

#include <future>

#include "../client/fake_broker.h"
#include "client/network_client.h"
#include "protocol/metadata.h"

namespace gregor {
namespace {

using testing::FakeBroker;

TEST(AcksZeroNetworkTest, RequestWithoutResponseCompletesOnceWritten) {
  FakeBroker broker(FakeBroker::Mode::kNever);
  NetworkClientConfig config;
  config.max_in_flight_requests_per_connection = 1;
  config.request_timeout_ms = 60000;
  NetworkClient client(config);
  Node node{-1, "127.0.0.1", broker.port()};
  std::vector<std::future<ClientResponse>> done;
  for (int i = 0; i < 3; ++i) {
    auto promise = std::make_shared<std::promise<ClientResponse>>();
    done.push_back(promise->get_future());
    ClientRequest r = MakeClientRequest(node, MetadataRequest{},
                                        [promise](ClientResponse resp) {
                                          promise->set_value(std::move(resp));
                                        });
    r.expects_response = false;
    client.Send(std::move(r));
  }
  // All three complete although the broker answers nothing and at most one
  // request may be in flight: none of them waits for an answer.
  for (auto& f : done) {
    ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    ClientResponse r = f.get();
    EXPECT_TRUE(r.status.ok()) << r.status.ToString();
    EXPECT_TRUE(r.frame.empty());
  }
  EXPECT_TRUE(broker.WaitFor([&] { return broker.seen_locked().size() == 3; }));
  client.Close();
}

}  // namespace
}  // namespace gregor
