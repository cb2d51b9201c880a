// SPDX-License-Identifier: Apache-2.0
// Long-poll Fetch and zero-copy Fetch over real sockets: a KafkaServer on
// port 0 with the real clock, its SystemTimer reaper and sendfile(2).
// Waits are on conditions with deadlines; the timings are the feature.
#include <gtest/gtest.h>

#include <chrono>

#include "protocol/fetch.h"
#include "protocol/frame.h"
#include "protocol/produce.h"
#include "server/kafka_server.h"
#include "server_test_util.h"

namespace gregor {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;
using testing::DecodeAll;
using testing::MakeBatch;
using testing::TempDir;
using testing::TestClient;

int64_t MsSince(Steady::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - t).count();
}

class LongPollFetchSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = testing::LoopbackServerConfig(dir_.path() + "/data");
    ASSERT_TRUE(config_);
    server_ = std::make_unique<KafkaServer>(*config_, SystemClock::Instance());
    ASSERT_TRUE(server_->Startup().ok());
    ASSERT_TRUE(testing::CreateTopicOverSocket(server_->BoundPort(), "t", 2));
  }
  void TearDown() override {
    if (server_) {
      EXPECT_TRUE(server_->Shutdown().ok());
    }
  }

  std::unique_ptr<TestClient> Connect() {
    auto c = TestClient::Connect("127.0.0.1", server_->BoundPort());
    EXPECT_TRUE(c);
    return c;
  }
  template <class Req>
  bool Send(TestClient& c, const Req& body, int16_t version) {
    return c.SendRaw(EncodeRequestFrame({Req::kApiKey, version, 9, "socket-test"}, body));
  }
  FetchRequest FetchOf(int32_t max_wait_ms, std::vector<int32_t> partitions = {0}) {
    return testing::FetchOfT(max_wait_ms, /*min_bytes=*/1, std::move(partitions));
  }
  // Produces `batch` to t-`partition` on a fresh connection, acks=1.
  void Produce(const Bytes& batch, int32_t partition = 0) {
    ProduceRequest req;
    req.acks = 1;
    req.timeout_ms = 1000;
    req.topic_data.push_back({"t", {{partition, batch}}});
    auto c = Connect();
    ASSERT_TRUE(Send(*c, req, 7));
    ASSERT_TRUE(c->ReadFrame());
  }
  static FetchResponse ParseFetch(const Bytes& payload) {
    auto header = ParseResponseHeader(payload, ResponseHeaderVersion(ApiKey::kFetch, 11));
    EXPECT_TRUE(header.ok());
    auto body = Decode<FetchResponse>(header->body, 11);
    EXPECT_TRUE(body.ok()) << body.status().ToString();
    return body.ok() ? *body : FetchResponse{};
  }
  // What the log holds for a batch produced at offset 0: the broker stamps
  // the leader epoch (bytes 12-15, outside the CRC).
  static Bytes Stored(Bytes batch) {
    StoreBE32(batch.data() + 12, 0);
    return batch;
  }

  TempDir dir_;
  std::unique_ptr<KafkaConfig> config_;
  std::unique_ptr<KafkaServer> server_;
};

TEST_F(LongPollFetchSocketTest, EmptyFetchReturnsAfterMaxWait) {
  auto c = Connect();
  auto start = Steady::now();
  ASSERT_TRUE(Send(*c, FetchOf(300), 11));
  auto payload = c->ReadFrame(5s);
  int64_t waited = MsSince(start);
  ASSERT_TRUE(payload);
  std::printf("[ measured ] empty fetch max_wait_ms=300 answered after %lld ms\n",
              static_cast<long long>(waited));
  EXPECT_GE(waited, 300);
  EXPECT_LT(waited, 2000);
  auto f = ParseFetch(*payload);
  ASSERT_EQ(f.responses.size(), 1u);
  EXPECT_TRUE(f.responses[0].partitions[0].records->empty());
}

TEST_F(LongPollFetchSocketTest, ProduceAnswersTheWaitingFetchEarly) {
  auto c = Connect();
  auto start = Steady::now();
  ASSERT_TRUE(Send(*c, FetchOf(10'000), 11));
  // Parked: nothing comes back for a while.
  EXPECT_FALSE(c->ReadFrame(150ms));
  Bytes batch = MakeBatch(3, 1000, "v");
  auto produced = Steady::now();
  Produce(batch);
  auto payload = c->ReadFrame(5s);
  int64_t after_produce = MsSince(produced);
  ASSERT_TRUE(payload);
  std::printf("[ measured ] parked fetch answered %lld ms after the produce (%lld ms total)\n",
              static_cast<long long>(after_produce), static_cast<long long>(MsSince(start)));
  EXPECT_LT(after_produce, 100);
  auto f = ParseFetch(*payload);
  EXPECT_EQ(*f.responses[0].partitions[0].records, Stored(batch));
}

TEST_F(LongPollFetchSocketTest, SendfileBytesDecodeIdenticallyAcrossPartitions) {
  Bytes a = MakeBatch(3, 1000, "alpha"), b = MakeBatch(2, 2000, "beta");
  Produce(a, 0);
  Produce(b, 1);
  auto c = Connect();
  ASSERT_TRUE(Send(*c, FetchOf(0, {0, 1}), 11));
  auto payload = c->ReadFrame(5s);
  ASSERT_TRUE(payload);
  auto f = ParseFetch(*payload);
  ASSERT_EQ(f.responses[0].partitions.size(), 2u);
  EXPECT_EQ(*f.responses[0].partitions[0].records, Stored(a));
  EXPECT_EQ(*f.responses[0].partitions[1].records, Stored(b));
  EXPECT_EQ(DecodeAll(*f.responses[0].partitions[1].records).size(), 2u);
  // The connection is still in step: a second request works.
  ASSERT_TRUE(Send(*c, FetchOf(0, {1}), 11));
  auto again = c->ReadFrame(5s);
  ASSERT_TRUE(again);
  EXPECT_EQ(*ParseFetch(*again).responses[0].partitions[0].records, Stored(b));
}

}  // namespace
}  // namespace gregor
