// SPDX-License-Identifier: Apache-2.0
// KafkaProducer without a broker (bootstrap on a port nobody listens on):
// what fails at once, what fails after max.block.ms, Close() semantics —
// plus many threads appending while a drainer completes batches, the
// accumulator's locking under load (run it under TSan).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "gregor/producer.h"
#include "producer/record_accumulator.h"
#include "producer_test_util.h"

namespace gregor {
namespace {

std::unique_ptr<KafkaProducer<std::string, std::string>> Make(int64_t max_block_ms = 100) {
  auto config = ProducerConfig::FromProperties({{"bootstrap.servers", "127.0.0.1:1"},
                                                {"max.block.ms", std::to_string(max_block_ms)},
                                                {"max.request.size", "1000"}});
  EXPECT_TRUE(config.ok());
  auto p = KafkaProducer<std::string, std::string>::Create(*config, StringSerializer(),
                                                           StringSerializer());
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return std::move(*p);
}

TEST(KafkaProducerTest, UnknownTopicFailsAfterMaxBlockMs) {
  auto p = Make(100);
  Status seen;
  int calls = 0;
  auto f = p->Send({"t", "k", "v"}, [&](const RecordMetadata& m, const Status& s) {
    seen = s;
    ++calls;
    EXPECT_EQ(m.topic, "t");
  });
  EXPECT_TRUE(f.Ready());  // refused before the accumulator
  EXPECT_EQ(calls, 1);     // on the caller's thread
  EXPECT_EQ(seen.code(), ErrorCode::kRequestTimedOut);
  EXPECT_NE(seen.message().find("not present in metadata after 100 ms"), std::string::npos)
      << seen.message();
  EXPECT_EQ(p->Metrics()["record-error-total"], 1);
}

TEST(KafkaProducerTest, PartitionsForUnknownTopicTimesOut) {
  auto p = Make(50);
  EXPECT_EQ(p->PartitionsFor("t").status().code(), ErrorCode::kRequestTimedOut);
}

TEST(KafkaProducerTest, SendAfterCloseFailsAtOnce) {
  auto p = Make(60000);
  p->Close();
  p->Close();  // idempotent
  auto r = p->Send({"t", "k", "v"}).Get();
  EXPECT_EQ(r.status().code(), ErrorCode::kNetworkException);
}

TEST(KafkaProducerTest, FlushAndCloseWithNothingBufferedReturn) {
  auto p = Make();
  p->Flush();
  p->Close(std::chrono::milliseconds(0));
}

TEST(KafkaProducerTest, CreateRefusesIdempotence) {
  ProducerConfig c;
  c.bootstrap_servers = "127.0.0.1:1";
  c.enable_idempotence = true;
  EXPECT_EQ(Producer::Create(c).status().code(), ErrorCode::kInvalidConfig);
}

// Interceptors see every record; a throwing one does not stop the send.
TEST(KafkaProducerTest, InterceptorExceptionsAreContained) {
  struct Throwing : ProducerInterceptor {
    SerializedRecord OnSend(SerializedRecord) override { throw std::runtime_error("boom"); }
  };
  struct Counting : ProducerInterceptor {
    std::atomic<int> acks{0};
    void OnAcknowledgement(const RecordMetadata&, const Status&) override { ++acks; }
  };
  auto counting = std::make_shared<Counting>();
  ProducerConfig c;
  c.bootstrap_servers = "127.0.0.1:1";
  c.max_block_ms = 20;
  c.interceptors = {std::make_shared<Throwing>(), counting};
  auto p = Producer::Create(c);
  ASSERT_TRUE(p.ok());
  SerializedRecord r;
  r.topic = "t";
  auto f = (*p)->Send(r);
  EXPECT_EQ(f.Get().status().code(), ErrorCode::kRequestTimedOut);
  EXPECT_EQ(counting->acks, 1);
}

// Caller threads append to a few partitions while another thread drains
// and completes batches, as the Sender does: every record is completed
// exactly once and no memory is lost.
TEST(RecordAccumulatorConcurrencyTest, AppendersAndDrainerAgree) {
  MockClock clock;
  Metadata metadata({Node{-1, "127.0.0.1", 9000}});
  metadata.Update(testing::ClusterResponse("t", 3, 1), 0);
  BufferPool pool(64 * 1024, 1024, clock);
  RecordAccumulatorConfig config;
  config.batch_size = 1024;
  config.linger_ms = 0;
  RecordAccumulator acc(config, pool, clock);
  constexpr int kThreads = 4, kPerThread = 2000;
  std::atomic<int> completed{0};
  std::atomic<bool> stop{false};
  std::thread drainer([&] {
    while (!stop || acc.HasIncomplete()) {
      auto drained = acc.Drain(metadata, {0}, 1 << 20, 0);
      for (auto& [node, batches] : drained) {
        for (auto& b : batches) {
          b->Done(0, -1, Status::Ok());
          acc.Deallocate(b);
        }
      }
      std::this_thread::yield();
    }
  });
  std::vector<std::thread> appenders;
  for (int t = 0; t < kThreads; ++t) {
    appenders.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Record r{0, std::to_string(i), std::string(50, 'v'), {}};
        auto res = acc.Append("t", (t + i) % 3 == 0 ? -1 : (t + i) % 3, r,
                              [&](const RecordMetadata&, const Status& s) {
                                if (s.ok()) ++completed;
                              },
                              10000, 3, {0, 1, 2});
        ASSERT_TRUE(res.status.ok()) << res.status.ToString();
      }
    });
  }
  for (auto& a : appenders) a.join();
  stop = true;
  drainer.join();
  EXPECT_EQ(completed, kThreads * kPerThread);
  EXPECT_EQ(pool.AvailableMemory(), pool.total_memory());
}

}  // namespace
}  // namespace gregor
