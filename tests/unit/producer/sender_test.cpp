// SPDX-License-Identifier: Apache-2.0
// The Sender against MockClient on a MockClock: requests per leader,
// completion, retries that keep order with max.in.flight = 1, splitting,
// delivery.timeout.ms — and the buffer-reuse race: a batch expired while
// its request is in flight must keep its buffer until that request ends.
#include "producer/sender.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "producer/produce_request_result.h"
#include "producer_test_util.h"
#include "record/record_batch_reader.h"

namespace gregor {
namespace {

using testing::ClusterResponse;
using testing::MockClient;

class SenderTest : public ::testing::Test {
 protected:
  SenderTest() : metadata_({Node{-1, "127.0.0.1", 9000}}, 300000) {}

  void Build(SenderConfig sc = {}, int32_t batch_size = 1024, int64_t pool_batches = 8) {
    sc.delivery_timeout_ms = 5000;
    sc.retry_backoff_ms = 100;
    sender_config_ = sc;
    RecordAccumulatorConfig ac;
    ac.batch_size = batch_size;
    ac.linger_ms = 0;
    ac.retry_backoff_ms = 100;
    ac.delivery_timeout_ms = 5000;
    pool_ = std::make_unique<BufferPool>(batch_size * pool_batches, batch_size, clock_);
    acc_ = std::make_unique<RecordAccumulator>(ac, *pool_, clock_);
    metadata_.Add("t");
    metadata_.Update(ClusterResponse("t", 2, 1), Now());
    sender_ = std::make_unique<Sender>(sc, client_, metadata_, *acc_, clock_, metrics_);
  }
  int64_t Now() const { return clock_.NowNs() / 1'000'000; }

  RecordFuture Append(int32_t partition, const std::string& key, size_t value_size = 20,
                      std::vector<std::string>* log = nullptr) {
    Record r{1000, key, std::string(value_size, 'v'), {}};
    SendCallback cb;
    if (log) {
      cb = [log, key](const RecordMetadata& m, const Status& s) {
        log->push_back(key + (s.ok() ? "@" + std::to_string(m.offset) : ":" + s.ToString()));
      };
    }
    auto res = acc_->Append("t", partition, r, cb, 0, 2, {0, 1});
    EXPECT_TRUE(res.status.ok());
    return res.future;
  }

  // The next Produce request; Metadata requests met on the way are answered.
  ClientRequest TakeProduce() {
    for (;;) {
      if (client_.size() == 0) sender_->RunOnce();
      if (client_.size() == 0) {
        ADD_FAILURE() << "no request";
        return {};
      }
      ClientRequest r = client_.Take();
      if (r.api_key == ApiKey::kMetadata) {
        MockClient::Answer(r, ClusterResponse("t", 2, 1), 6);
        sender_->RunOnce();
        continue;
      }
      return r;
    }
  }
  // Keys of the records a Produce request carries, in order.
  static std::vector<std::string> Keys(const ClientRequest& r) {
    std::vector<std::string> keys;
    for (const auto& t : MockClient::Body(r).topic_data) {
      for (const auto& p : t.partition_data) {
        auto batches = DecodeBatches(*p.records);
        EXPECT_TRUE(batches.ok()) << batches.status().ToString();
        if (!batches.ok()) continue;
        for (const auto& b : *batches) {
          for (const auto& rec : b.records) keys.emplace_back(*rec.key);
        }
      }
    }
    return keys;
  }
  void Respond(ClientRequest& r, ErrorCode error, int64_t base = 0) {
    MockClient::Answer(r, MockClient::ResponseFor(r, error, base));
    sender_->RunOnce();
  }

  MockClock clock_;
  MockClient client_;
  ProducerMetadata metadata_;
  ProducerMetrics metrics_;
  SenderConfig sender_config_;
  std::unique_ptr<BufferPool> pool_;
  std::unique_ptr<RecordAccumulator> acc_;
  std::unique_ptr<Sender> sender_;
};

TEST_F(SenderTest, SendsReadyBatchAndCompletesItsRecords) {
  Build();
  std::vector<std::string> log;
  auto f = Append(0, "a", 20, &log);
  Append(0, "b", 20, &log);
  ClientRequest r = TakeProduce();
  EXPECT_EQ(r.destination.id, 0);
  EXPECT_EQ(Keys(r), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(MockClient::Body(r).acks, -1);
  Respond(r, ErrorCode::kNone, 42);
  EXPECT_EQ(log, (std::vector<std::string>{"a@42", "b@43"}));
  EXPECT_EQ(f.Get()->offset, 42);
  EXPECT_EQ(pool_->AvailableMemory(), pool_->total_memory());
  EXPECT_EQ(metrics_.record_send_total, 2);
}

TEST_F(SenderTest, RetryOnNotLeaderKeepsOrderWithMaxInFlightOne) {
  SenderConfig sc;
  sc.max_in_flight_requests_per_connection = 1;
  Build(sc, 256);
  std::vector<std::string> log;
  Append(0, "first", 150, &log);
  ClientRequest r1 = TakeProduce();
  Append(0, "second", 150, &log);  // a later batch of the same partition
  sender_->RunOnce();
  EXPECT_EQ(client_.size(), 0u) << "partition is muted while its batch is in flight";
  Respond(r1, ErrorCode::kNotLeaderOrFollower);
  EXPECT_TRUE(log.empty());
  EXPECT_TRUE(metadata_.cluster().UpdateRequested(Now()));
  clock_.AdvanceMs(100);  // retry.backoff.ms
  ClientRequest r2 = TakeProduce();
  EXPECT_EQ(Keys(r2), (std::vector<std::string>{"first"}));
  Respond(r2, ErrorCode::kNone, 0);
  ClientRequest r3 = TakeProduce();
  EXPECT_EQ(Keys(r3), (std::vector<std::string>{"second"}));
  Respond(r3, ErrorCode::kNone, 1);
  EXPECT_EQ(log, (std::vector<std::string>{"first@0", "second@1"}));
  EXPECT_EQ(metrics_.record_retry_total, 1);
}

TEST_F(SenderTest, WithMoreInFlightALaterBatchMayOvertakeARetry) {
  Build({}, 256);  // max.in.flight = 5, no idempotence: Kafka documents the reordering
  std::vector<std::string> log;
  Append(0, "first", 150, &log);
  ClientRequest r1 = TakeProduce();
  Append(0, "second", 150, &log);
  ClientRequest r2 = TakeProduce();  // sent while r1 is in flight
  Respond(r1, ErrorCode::kNotLeaderOrFollower);
  Respond(r2, ErrorCode::kNone, 0);
  clock_.AdvanceMs(100);
  ClientRequest r3 = TakeProduce();
  Respond(r3, ErrorCode::kNone, 1);
  EXPECT_EQ(log, (std::vector<std::string>{"second@0", "first@1"}));
}

// The race the issue names: delivery.timeout.ms expires a batch whose
// Produce request is still in flight (here: not even written yet, the
// network thread encodes it later). The batch fails at once, but its
// buffer must not go back to the pool — a new batch would reuse it and the
// late write would send the new batch's bytes under the old batch's name.
TEST_F(SenderTest, ExpiredInFlightBatchKeepsItsBufferUntilTheRequestCompletes) {
  Build({}, 1024, /*pool_batches=*/2);
  std::vector<std::string> log;
  Append(0, "old", 100, &log);
  ClientRequest in_flight = TakeProduce();  // held: encode_body not run yet
  clock_.AdvanceMs(5000);                   // delivery.timeout.ms
  sender_->RunOnce();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_NE(log[0].find("REQUEST_TIMED_OUT"), std::string::npos) << log[0];
  // The buffer is still out: neither on the free list nor available.
  EXPECT_EQ(pool_->FreeBuffers(), 0);
  EXPECT_EQ(pool_->AvailableMemory(), pool_->total_memory() - 1024);
  // New records need a buffer now; they must not get the in-flight one.
  Append(0, "new", 100, &log);
  // The network thread finally writes the old request: still the old bytes.
  EXPECT_EQ(Keys(in_flight), (std::vector<std::string>{"old"}));
  // The request completes: now the buffer comes back (once), and the old
  // batch's callback does not run again.
  Respond(in_flight, ErrorCode::kNone, 0);
  EXPECT_EQ(log.size(), 1u);
  EXPECT_EQ(pool_->FreeBuffers(), 1);
}

TEST_F(SenderTest, ExpiredInFlightBatchBufferReturnsOnConnectionFailure) {
  Build({}, 1024, 2);
  Append(0, "old", 100);
  ClientRequest in_flight = TakeProduce();
  clock_.AdvanceMs(5000);
  sender_->RunOnce();
  EXPECT_EQ(pool_->FreeBuffers(), 0);
  MockClient::Fail(in_flight, ErrorCode::kNetworkException);
  sender_->RunOnce();
  EXPECT_EQ(pool_->FreeBuffers(), 1);
  EXPECT_EQ(pool_->AvailableMemory(), pool_->total_memory());
}

TEST_F(SenderTest, MessageTooLargeSplitsTheBatch) {
  Build({}, 4096);
  std::vector<std::string> log;
  std::vector<RecordFuture> futures;
  for (int i = 0; i < 10; ++i) futures.push_back(Append(0, "k" + std::to_string(i), 300, &log));
  ClientRequest r1 = TakeProduce();
  ASSERT_EQ(Keys(r1).size(), 10u);
  Respond(r1, ErrorCode::kMessageTooLarge);
  EXPECT_TRUE(log.empty());
  EXPECT_EQ(metrics_.batch_split_total, 1);
  int64_t offset = 0;
  std::vector<std::string> keys;
  while (log.size() < 10) {
    ClientRequest r = TakeProduce();
    auto k = Keys(r);
    ASSERT_FALSE(k.empty());
    ASSERT_LT(k.size(), 10u);
    keys.insert(keys.end(), k.begin(), k.end());
    Respond(r, ErrorCode::kNone, offset);
    offset += int64_t(k.size());
  }
  EXPECT_EQ(keys.front(), "k0");
  EXPECT_EQ(keys.back(), "k9");
  EXPECT_EQ(log.back(), "k9@9");
  EXPECT_EQ(futures[9].Get()->offset, 9);
  EXPECT_EQ(pool_->AvailableMemory(), pool_->total_memory());
}

TEST_F(SenderTest, SingleRecordTooLargeFails) {
  Build();
  auto f = Append(0, "big", 20);
  ClientRequest r = TakeProduce();
  Respond(r, ErrorCode::kMessageTooLarge);
  EXPECT_EQ(f.Get().status().code(), ErrorCode::kMessageTooLarge);
}

TEST_F(SenderTest, NonRetriableErrorFailsAtOnce) {
  Build();
  auto f = Append(0, "a");
  ClientRequest r = TakeProduce();
  Respond(r, ErrorCode::kTopicAuthorizationFailed);
  EXPECT_EQ(f.Get().status().code(), ErrorCode::kTopicAuthorizationFailed);
  EXPECT_EQ(metrics_.record_error_total, 1);
  EXPECT_EQ(pool_->AvailableMemory(), pool_->total_memory());
}

TEST_F(SenderTest, RetriesAreBounded) {
  SenderConfig sc;
  sc.retries = 1;
  Build(sc);
  auto f = Append(0, "a");
  ClientRequest r1 = TakeProduce();
  Respond(r1, ErrorCode::kNotEnoughReplicas);
  clock_.AdvanceMs(100);
  ClientRequest r2 = TakeProduce();
  Respond(r2, ErrorCode::kNotEnoughReplicas);
  EXPECT_EQ(f.Get().status().code(), ErrorCode::kNotEnoughReplicas);
}

TEST_F(SenderTest, NetworkFailureRetriesAndRefreshesMetadata) {
  Build();
  auto f = Append(0, "a");
  ClientRequest r1 = TakeProduce();
  MockClient::Fail(r1, ErrorCode::kNetworkException);
  sender_->RunOnce();
  EXPECT_FALSE(f.Ready());
  EXPECT_TRUE(metadata_.cluster().UpdateRequested(Now()));
  clock_.AdvanceMs(100);
  ClientRequest r2 = TakeProduce();
  Respond(r2, ErrorCode::kNone, 5);
  EXPECT_EQ(f.Get()->offset, 5);
}

TEST_F(SenderTest, AcksZeroCompletesWithoutOffsets) {
  SenderConfig sc;
  sc.acks = 0;
  Build(sc);
  auto f = Append(0, "a");
  ClientRequest r = TakeProduce();
  EXPECT_FALSE(r.expects_response);
  EXPECT_EQ(MockClient::Body(r).acks, 0);
  ClientResponse written;  // NetworkClient's "bytes written" completion
  written.node = 0;
  written.api_key = ApiKey::kProduce;
  r.callback(std::move(written));
  sender_->RunOnce();
  auto m = f.Get();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->offset, -1);
}

TEST_F(SenderTest, QueuedBatchWithoutLeaderExpires) {
  Build();
  metadata_.Update(ClusterResponse("t", 2, 1, {1}), Now());
  auto f = Append(1, "a");
  sender_->RunOnce();
  clock_.AdvanceMs(5000);
  sender_->RunOnce();
  EXPECT_EQ(f.Get().status().code(), ErrorCode::kRequestTimedOut);
  EXPECT_EQ(pool_->AvailableMemory(), pool_->total_memory());
}

TEST_F(SenderTest, OneRequestPerLeaderWithEveryReadyPartition) {
  Build();
  Append(0, "p0");
  Append(1, "p1");
  ClientRequest r = TakeProduce();
  auto body = MockClient::Body(r);
  ASSERT_EQ(body.topic_data.size(), 1u);
  EXPECT_EQ(body.topic_data[0].partition_data.size(), 2u);
}

}  // namespace
}  // namespace gregor

namespace gregor {
namespace {

// The thread protocol: Run() sleeps until Wakeup() or a completion, sends,
// and after InitiateClose() returns only once nothing is buffered or in
// flight. (Real condition-variable waits, bounded by the test.)
TEST_F(SenderTest, RunSendsAfterWakeupAndClosesWhenDrained) {
  Build();
  std::thread thread([this] { sender_->Run(); });
  auto wait_for_request = [this] {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (client_.size() == 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    return client_.size() > 0;
  };
  auto f = Append(0, "a");
  sender_->Wakeup();
  ASSERT_TRUE(wait_for_request());
  ClientRequest r = client_.Take();
  ASSERT_EQ(r.api_key, ApiKey::kProduce);
  Append(1, "b");  // buffered when close starts: must still be sent
  sender_->InitiateClose();
  MockClient::Answer(r, MockClient::ResponseFor(r, ErrorCode::kNone, 0));
  ASSERT_TRUE(wait_for_request());
  ClientRequest r2 = client_.Take();
  EXPECT_EQ(Keys(r2), (std::vector<std::string>{"b"}));
  MockClient::Answer(r2, MockClient::ResponseFor(r2, ErrorCode::kNone, 0));
  auto done = std::async(std::launch::async, [&thread] { thread.join(); });
  EXPECT_EQ(done.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  if (done.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    sender_->ForceClose();
  }
  done.wait();
  EXPECT_EQ(f.Get()->offset, 0);
  EXPECT_FALSE(acc_->HasIncomplete());
}

}  // namespace
}  // namespace gregor
