// SPDX-License-Identifier: Apache-2.0
// Hostile clients against a whole KafkaServer on a loopback port (chapter
// 02, "Bad input"; issue 7). Each case gets a clear error or a closed
// connection, and afterwards a fresh client is still served. The binary
// links the counting operator new (tests/unit/record/counting_allocator),
// so the cases can bound what a request makes the broker allocate and
// check that its live heap returns to the baseline.
//
//   tagged-field flood       ApiVersions v3 with 10,000 tagged fields:
//                            skipped, answered, bounded memory; one that
//                            claims a 2 GiB field: closed, no allocation
//   half frame, then stall   closed after connections.max.idle.ms
//   10,000 connections       opened and dropped: heap back at baseline
//   message.max.bytes        a larger batch: MESSAGE_TOO_LARGE
//   CreateTopics             more partitions than one request may create:
//                            INVALID_PARTITIONS (request_fuzzer's finding)
//
// Bad CRC (CORRUPT_MESSAGE), unknown API keys and versions (closed), and
// oversize or negative frames are covered by kafka_apis_test.cpp and
// tests/unit/network/{socket_server,frame_limit}_test.cpp.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "../record/counting_allocator.h"
#include "protocol/api_versions.h"
#include "protocol/create_topics.h"
#include "protocol/produce.h"
#include "server/kafka_server.h"
#include "server_test_util.h"

namespace gregor {
namespace {

using namespace std::chrono_literals;
using testing::MakeBatch;
using testing::TempDir;
using testing::TestClient;
using testing::WaitFor;

constexpr int64_t kIdleMs = 200;
constexpr int32_t kMessageMaxBytes = 4096;

void PutUvarint(Bytes& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(uint8_t(v | 0x80));
    v >>= 7;
  }
  out.push_back(uint8_t(v));
}

// An ApiVersions v3 request frame (size prefix included) whose body ends
// in the tagged-field section `tagged` (count, then tag/size/bytes each).
Bytes ApiVersionsV3Frame(const Bytes& tagged) {
  Bytes payload = {0, 18, 0, 3, 0, 0, 0, 7, 0, 1, 'h', 0};  // header v2, no tags
  for (const char* s : {"hostile", "1.0"}) {  // compact strings
    PutUvarint(payload, std::strlen(s) + 1);
    payload.insert(payload.end(), s, s + std::strlen(s));
  }
  payload.insert(payload.end(), tagged.begin(), tagged.end());
  return TestClient::Frame(payload);
}

class HostileInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto config = KafkaConfig::Create(
        {{"node.id", std::to_string(testing::kTestNodeId)},
         {"listeners", "PLAINTEXT://127.0.0.1:0"},
         {"log.dirs", dir_.path() + "/data"},
         {"num.network.threads", "1"},
         {"num.io.threads", "2"},
         {"connections.max.idle.ms", std::to_string(kIdleMs)},
         {"message.max.bytes", std::to_string(kMessageMaxBytes)},
         {"gregor.create.topics.max.partitions", "100"}});
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    config_ = std::make_unique<KafkaConfig>(*config);
    server_ = std::make_unique<KafkaServer>(*config_, SystemClock::Instance());
    ASSERT_TRUE(server_->Startup().ok());
  }
  void TearDown() override {
    if (server_) {
      EXPECT_TRUE(server_->Shutdown().ok());
    }
  }

  std::unique_ptr<TestClient> Connect() {
    auto c = TestClient::Connect("127.0.0.1", server_->BoundPort());
    EXPECT_NE(c, nullptr);
    return c;
  }

  // A fresh client's ApiVersions v3 is answered with error 0: the broker
  // still serves.
  bool StillServes() {
    auto c = Connect();
    if (!c || !c->SendRaw(EncodeRequestFrame({ApiKey::kApiVersions, 3, 9, "witness"},
                                             ApiVersionsRequest{"witness", "1"}))) {
      return false;
    }
    auto frame = c->ReadFrame(5s);
    if (!frame) return false;
    auto header = ParseResponseHeader(*frame, 0);  // ApiVersions: header v0
    if (!header.ok() || header->correlation_id != 9) return false;
    auto body = Decode<ApiVersionsResponse>(header->body, 3);
    return body.ok() && body->error_code == ErrorCode::kNone;
  }

  TempDir dir_;
  std::unique_ptr<KafkaConfig> config_;
  std::unique_ptr<KafkaServer> server_;
};

// Unknown tagged fields must be skipped (that is their compatibility
// promise), so a flood is answered; the work is one pass over the frame.
TEST_F(HostileInputTest, TaggedFieldFloodIsSkippedInBoundedMemory) {
  Bytes tagged;
  PutUvarint(tagged, 10000);
  for (uint32_t tag = 0; tag < 10000; ++tag) {
    PutUvarint(tagged, tag);
    PutUvarint(tagged, 1);
    tagged.push_back(0xab);
  }
  Bytes frame = ApiVersionsV3Frame(tagged);
  ASSERT_TRUE(StillServes());  // warm up: loggers, buffers, first request
  alloc_count::ResetPeak();
  size_t before = alloc_count::CurrentBytes();
  auto c = Connect();
  ASSERT_TRUE(c->SendRaw(frame));
  auto response = c->ReadFrame(5s);
  ASSERT_TRUE(response.has_value());
  auto header = ParseResponseHeader(*response, 0);
  ASSERT_TRUE(header.ok());
  auto body = Decode<ApiVersionsResponse>(header->body, 3);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->error_code, ErrorCode::kNone);
  // The frame buffer (~40 KB) plus a response and a connection: nothing
  // proportional to the 10,000 fields beyond the bytes that carry them.
  EXPECT_LT(alloc_count::PeakBytes() - before, frame.size() + 256 * 1024);
  EXPECT_TRUE(StillServes());
}

TEST_F(HostileInputTest, TaggedFieldClaimingTwoGigabytesClosesTheConnection) {
  Bytes tagged;
  PutUvarint(tagged, 1);
  PutUvarint(tagged, 0);            // tag 0
  PutUvarint(tagged, 0x7fffffff);   // size: 2 GiB, with 0 bytes behind it
  ASSERT_TRUE(StillServes());
  alloc_count::ResetPeak();
  size_t before = alloc_count::CurrentBytes();
  auto c = Connect();
  ASSERT_TRUE(c->SendRaw(ApiVersionsV3Frame(tagged)));
  EXPECT_TRUE(c->WaitClosed(5s));
  EXPECT_LT(alloc_count::PeakBytes() - before, size_t(256 * 1024));
  EXPECT_TRUE(StillServes());
}

TEST_F(HostileInputTest, TaggedFieldCountOfFourBillionClosesTheConnection) {
  Bytes tagged;
  PutUvarint(tagged, 0xffffffff);  // count, then nothing
  auto c = Connect();
  ASSERT_TRUE(c->SendRaw(ApiVersionsV3Frame(tagged)));
  EXPECT_TRUE(c->WaitClosed(5s));
  EXPECT_TRUE(StillServes());
}

// A partly read frame with no bytes arriving is idle: the Processor's idle
// check closes it after connections.max.idle.ms, as Kafka's Selector does.
TEST_F(HostileInputTest, HalfAFrameThenSilenceIsClosedAfterTheIdleTimeout) {
  Bytes frame = EncodeRequestFrame({ApiKey::kApiVersions, 3, 1, "staller"},
                                   ApiVersionsRequest{"staller", "1"});
  auto c = Connect();
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(c->SendRaw(ByteSpan(frame).first(frame.size() / 2)));
  EXPECT_TRUE(c->WaitClosed(5s));
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, std::chrono::milliseconds(kIdleMs));
  EXPECT_TRUE(StillServes());
}

// Slack: asio keeps a few recycled handler blocks per thread, and the
// request channel's deque keeps its chunk; both are bounded, not per
// connection. 10,000 leaked Connections (each > 200 bytes) would be > 2 MB.
TEST_F(HostileInputTest, TenThousandConnectionsOpenedAndDroppedLeaveTheHeapAtBaseline) {
  constexpr size_t kSlack = 64 * 1024;
  ASSERT_TRUE(StillServes());
  ASSERT_TRUE(StillServes());  // the second one: every lazy structure exists
  size_t baseline = alloc_count::CurrentBytes();
  // 25 at a time, and a served witness after each round: the acceptor has
  // taken every earlier connection off the listen queue (accepts are in
  // order), so the queue (socket.listen.backlog.size, 50) never overflows
  // into a 1 s SYN retransmission, and the broker serves throughout.
  for (int round = 0; round < 400; ++round) {
    std::vector<std::unique_ptr<TestClient>> open;
    for (int i = 0; i < 25; ++i) {
      auto c = Connect();
      ASSERT_NE(c, nullptr) << "connection " << round * 25 + i;
      open.push_back(std::move(c));
    }
    // Half leave with half a size prefix written, half silently.
    for (size_t i = 0; i < open.size(); i += 2) (void)open[i]->SendRaw(Bytes{0, 0});
    open.clear();
    ASSERT_TRUE(StillServes()) << "round " << round;
  }
  ASSERT_TRUE(StillServes());
  bool back = WaitFor([&] { return alloc_count::CurrentBytes() <= baseline + kSlack; }, 10s);
  EXPECT_TRUE(back) << "live heap " << alloc_count::CurrentBytes() << " bytes, baseline "
                    << baseline;
}

TEST_F(HostileInputTest, BatchLargerThanMessageMaxBytesIsMessageTooLarge) {
  ASSERT_TRUE(testing::CreateTopicOverSocket(server_->BoundPort(), "big", 1));
  auto produce = [&](Bytes records) {
    ProduceRequest req;
    req.acks = -1;
    req.timeout_ms = 1000;
    req.topic_data.push_back({"big", {{0, std::move(records)}}});
    auto c = Connect();
    EXPECT_TRUE(c->SendRaw(EncodeRequestFrame({ApiKey::kProduce, 7, 5, "big"}, req)));
    auto frame = c->ReadFrame(5s);
    EXPECT_TRUE(frame.has_value());
    if (!frame) return ErrorCode::kUnknownServerError;
    auto header = ParseResponseHeader(*frame, ResponseHeaderVersion(ApiKey::kProduce, 7));
    EXPECT_TRUE(header.ok());
    auto body = Decode<ProduceResponse>(header->body, 7);
    EXPECT_TRUE(body.ok());
    return body->responses.at(0).partition_responses.at(0).error_code;
  };
  Bytes big = MakeBatch(4, 1000, std::string(kMessageMaxBytes, 'x'));
  ASSERT_GT(big.size(), size_t(kMessageMaxBytes));
  EXPECT_EQ(produce(big), ErrorCode::kMessageTooLarge);
  EXPECT_EQ(produce(MakeBatch(2, 1000)), ErrorCode::kNone);  // and it still appends
}

TEST_F(HostileInputTest, CreateTopicsOverThePartitionLimitIsInvalidPartitions) {
  CreateTopicsRequest create;
  create.topics.push_back({"huge", 0x7fffffff, 1, {}, {}});
  create.topics.push_back({"fits", 60, 1, {}, {}});
  create.topics.push_back({"over-the-rest", 60, 1, {}, {}});  // 100 - 60 left: 40
  create.timeout_ms = 1000;
  auto c = Connect();
  ASSERT_TRUE(c->SendRaw(EncodeRequestFrame({ApiKey::kCreateTopics, 4, 3, "admin"}, create)));
  auto frame = c->ReadFrame(10s);
  ASSERT_TRUE(frame.has_value());
  auto header = ParseResponseHeader(*frame, ResponseHeaderVersion(ApiKey::kCreateTopics, 4));
  ASSERT_TRUE(header.ok());
  auto body = Decode<CreateTopicsResponse>(header->body, 4);
  ASSERT_TRUE(body.ok());
  ASSERT_EQ(body->topics.size(), 3u);
  EXPECT_EQ(body->topics[0].error_code, ErrorCode::kInvalidPartitions);
  EXPECT_EQ(body->topics[1].error_code, ErrorCode::kNone);
  EXPECT_EQ(body->topics[2].error_code, ErrorCode::kInvalidPartitions);
  EXPECT_TRUE(StillServes());
}

}  // namespace
}  // namespace gregor
