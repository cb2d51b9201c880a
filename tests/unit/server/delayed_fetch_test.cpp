// SPDX-License-Identifier: Apache-2.0
// Long-poll Fetch through KafkaApis::Handle(payload, respond), a Timer on a
// MockClock and the fetch purgatory: expiry at max_wait_ms, early
// completion on append, min_bytes; and the zero-copy response layout.
#include <gtest/gtest.h>

#include <optional>

#include "protocol/fetch.h"
#include "protocol/produce.h"
#include "server/delayed_operation_purgatory.h"
#include "server/kafka_apis.h"
#include "server_test_util.h"

namespace gregor {
namespace {

using testing::DecodeAll;
using testing::FlattenPayload;
using testing::MakeBatch;

class DelayedFetchTest : public testing::KafkaApisTestBase {
 protected:
  DelayedFetchTest() {
    EXPECT_TRUE(registry_->CreateTopic("t", 2, 1, {}).ok());
    replicas_.SetDelayedFetchPurgatory(&purgatory_);
  }
  // The purgatory dies before the base's ReplicaManager: unhook it first.
  ~DelayedFetchTest() override { replicas_.SetDelayedFetchPurgatory(nullptr); }

  // Sends a v11 Fetch of t-0 (and t-1 when asked) at `offset`; the
  // response lands in response_.
  void StartFetch(int32_t max_wait_ms, int32_t min_bytes, int64_t offset = 0,
                  std::vector<int32_t> partitions = {0}) {
    Bytes payload = testing::RequestPayload(
        testing::FetchOfT(max_wait_ms, min_bytes, partitions, offset), 11, 7, "test");
    apis_->Handle(payload, [this](ApiResponse r) {
      EXPECT_FALSE(response_.has_value()) << "responded twice";
      response_ = std::move(r);
      responded_at_ = timer_.NowMs();
    });
  }
  void Produce(Bytes batch, int32_t partition = 0) {
    ProduceRequest req;
    req.acks = 1;
    req.timeout_ms = 1000;
    req.topic_data.push_back({"t", {{partition, std::move(batch)}}});
    Bytes payload = testing::RequestPayload(req, 7, 8, "test");
    ASSERT_EQ(apis_->Handle(payload).action, ApiResponse::Action::kSend);
  }
  void Advance(int64_t ms) {
    for (int64_t i = 0; i < ms; ++i) {
      clock_.AdvanceMs(1);
      timer_.AdvanceClock();
    }
  }
  FetchPartitionData Partition(size_t index = 0) {
    EXPECT_TRUE(response_.has_value());
    Bytes wire = FlattenPayload(*response_);
    auto header = ParseResponseHeader(wire, ResponseHeaderVersion(ApiKey::kFetch, 11));
    EXPECT_TRUE(header.ok());
    auto body = Decode<FetchResponse>(header->body, 11);
    EXPECT_TRUE(body.ok()) << body.status().ToString();
    if (!body.ok() || body->responses.empty()) return {};
    return body->responses[0].partitions.at(index);
  }

  Timer timer_{clock_};
  DelayedOperationPurgatory purgatory_{"Fetch", timer_};
  std::optional<ApiResponse> response_;
  int64_t responded_at_ = -1;
  int64_t start_ = timer_.NowMs();
};

TEST_F(DelayedFetchTest, EmptyFetchWaitsExactlyMaxWait) {
  StartFetch(500, 1);
  EXPECT_EQ(purgatory_.Delayed(), 1u);
  Advance(499);
  EXPECT_FALSE(response_);
  Advance(1);
  ASSERT_TRUE(response_);
  EXPECT_EQ(responded_at_, start_ + 500);
  auto p = Partition();
  EXPECT_EQ(p.error_code, ErrorCode::kNone);
  EXPECT_TRUE(p.records && p.records->empty());
}

TEST_F(DelayedFetchTest, AppendCompletesTheWaitingFetchEarly) {
  StartFetch(500, 1);
  Advance(100);
  Bytes batch = MakeBatch(3, 1000);
  Produce(batch);
  ASSERT_TRUE(response_);
  EXPECT_EQ(responded_at_, start_ + 100);
  EXPECT_EQ(DecodeAll(*Partition().records).size(), 3u);
  EXPECT_EQ(purgatory_.Delayed(), 0u);  // out of the timer
  Advance(500);                         // and never expires a second time
}

TEST_F(DelayedFetchTest, MinBytesHoldsUntilEnoughArrived) {
  Bytes batch = MakeBatch(1, 1000, "v");
  StartFetch(500, int32_t(batch.size() * 3 - 1));
  Produce(batch);
  Produce(batch);
  EXPECT_FALSE(response_);  // two batches: not yet min_bytes
  Advance(10);
  Produce(batch);
  ASSERT_TRUE(response_);
  EXPECT_EQ(responded_at_, start_ + 10);
  EXPECT_EQ(DecodeAll(*Partition().records).size(), 3u);
}

TEST_F(DelayedFetchTest, ExpiryReturnsWhateverIsThereBelowMinBytes) {
  StartFetch(300, 1 << 20);
  Produce(MakeBatch(2, 1000));
  Advance(300);
  ASSERT_TRUE(response_);
  EXPECT_EQ(DecodeAll(*Partition().records).size(), 2u);
}

TEST_F(DelayedFetchTest, EnoughDataAnswersAtOnce) {
  Produce(MakeBatch(2, 1000));
  StartFetch(500, 1);
  ASSERT_TRUE(response_);
  EXPECT_EQ(purgatory_.Delayed(), 0u);
}

TEST_F(DelayedFetchTest, ErrorAnswersAtOnce) {
  StartFetch(500, 1, /*offset=*/99);  // beyond the high watermark
  ASSERT_TRUE(response_);
  EXPECT_EQ(Partition().error_code, ErrorCode::kOffsetOutOfRange);
}

TEST_F(DelayedFetchTest, ZeroCopyInterleavesFileRegionsAndMatchesTheCopyPath) {
  Produce(MakeBatch(3, 1000, "a"), 0);
  Produce(MakeBatch(2, 2000, "b"), 1);
  StartFetch(0, 1, 0, {0, 1});
  Bytes copied = FlattenPayload(*response_);
  EXPECT_TRUE(response_->file_regions.empty());
  response_.reset();
  apis_->SetZeroCopyFetch(true);
  StartFetch(0, 1, 0, {0, 1});
  ASSERT_EQ(response_->file_regions.size(), 2u);
  // bytes, region of t-0, the rest of t-0 and the start of t-1, region of t-1.
  EXPECT_FALSE(response_->file_regions[0].after.empty());
  EXPECT_EQ(response_->file_regions[0].length, int64_t(Partition(0).records->size()));
  EXPECT_EQ(response_->file_regions[1].length, int64_t(Partition(1).records->size()));
  EXPECT_EQ(FlattenPayload(*response_), copied);
  // The size prefix the network layer will write (Response::PayloadSize).
  Response wire = Response::Send(Request{}, response_->payload, response_->file_regions);
  EXPECT_EQ(wire.PayloadSize(), int64_t(copied.size()));
  EXPECT_EQ(DecodeAll(*Partition(1).records).size(), 2u);
}

}  // namespace
}  // namespace gregor
