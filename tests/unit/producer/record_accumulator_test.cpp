// SPDX-License-Identifier: Apache-2.0
// RecordAccumulator on a MockClock: when batches become ready (full,
// linger.ms, flush, backoff), how Drain shares a request among partitions,
// delivery.timeout.ms expiry and retries going back to the front.
#include "producer/record_accumulator.h"

#include <gtest/gtest.h>

#include <future>

#include "producer_test_util.h"

namespace gregor {
namespace {

using testing::ClusterResponse;

class RecordAccumulatorTest : public ::testing::Test {
 protected:
  RecordAccumulatorTest() : metadata_({Node{-1, "127.0.0.1", 9000}}) {}

  void SetUp() override { metadata_.Update(ClusterResponse("t", 4, 2), clock_.NowMs()); }

  std::unique_ptr<RecordAccumulator> Make(RecordAccumulatorConfig config) {
    pool_ = std::make_unique<BufferPool>(config.batch_size * 64, config.batch_size, clock_);
    return std::make_unique<RecordAccumulator>(config, *pool_, clock_);
  }
  static RecordAccumulatorConfig Config(int32_t batch_size = 1024, int64_t linger_ms = 10) {
    RecordAccumulatorConfig c;
    c.batch_size = batch_size;
    c.linger_ms = linger_ms;
    c.retry_backoff_ms = 100;
    c.retry_backoff_max_ms = 1000;
    c.delivery_timeout_ms = 5000;
    return c;
  }
  RecordAccumulator::AppendResult Append(RecordAccumulator& acc, int32_t partition,
                                         size_t value_size = 50) {
    Record r{clock_.NowMs(), std::string("key"), std::string(value_size, 'v'), {}};
    return acc.Append("t", partition, r, nullptr, 0, 4, {0, 1, 2, 3});
  }
  int64_t Now() const { return clock_.NowNs() / 1'000'000; }

  MockClock clock_;
  Metadata metadata_;
  std::unique_ptr<BufferPool> pool_;
};

TEST_F(RecordAccumulatorTest, NotReadyBeforeLingerThenReady) {
  auto acc = Make(Config(1024, 10));
  auto r = Append(*acc, 0);
  ASSERT_TRUE(r.status.ok());
  EXPECT_TRUE(r.new_batch_created);
  auto ready = acc->Ready(metadata_, Now());
  EXPECT_TRUE(ready.ready_nodes.empty());
  EXPECT_EQ(ready.next_ready_check_delay_ms, 10);
  clock_.AdvanceMs(10);
  ready = acc->Ready(metadata_, Now());
  EXPECT_EQ(ready.ready_nodes, (std::set<int32_t>{0}));  // partition 0's leader
}

TEST_F(RecordAccumulatorTest, FullBatchIsReadyAtOnce) {
  auto acc = Make(Config(1024, 100000));
  RecordAccumulator::AppendResult r;
  int appends = 0;
  do {
    r = Append(*acc, 1, 100);
    ++appends;
  } while (!r.batch_is_full);
  EXPECT_GT(appends, 1);
  EXPECT_TRUE(r.new_batch_created);  // the record that did not fit opened a second
  auto ready = acc->Ready(metadata_, Now());
  EXPECT_EQ(ready.ready_nodes, (std::set<int32_t>{1}));
}

TEST_F(RecordAccumulatorTest, FlushMakesEverythingReady) {
  auto acc = Make(Config(1024, 100000));
  Append(*acc, 2);
  EXPECT_TRUE(acc->Ready(metadata_, Now()).ready_nodes.empty());
  acc->BeginFlush();
  EXPECT_EQ(acc->Ready(metadata_, Now()).ready_nodes, (std::set<int32_t>{0}));
}

TEST_F(RecordAccumulatorTest, UnknownLeaderIsReported) {
  metadata_.Update(ClusterResponse("t", 4, 2, {3}), clock_.NowMs());
  auto acc = Make(Config(1024, 0));
  Append(*acc, 3);
  auto ready = acc->Ready(metadata_, Now());
  EXPECT_TRUE(ready.ready_nodes.empty());
  EXPECT_EQ(ready.unknown_leader_topics, (std::set<std::string>{"t"}));
}

TEST_F(RecordAccumulatorTest, DrainTakesOneBatchPerPartitionAndRotates) {
  auto acc = Make(Config(1024, 0));
  // Node 0 leads partitions 0 and 2; two batches each.
  for (int p : {0, 2}) {
    for (int i = 0; i < 30; ++i) Append(*acc, p, 100);
  }
  auto ready = acc->Ready(metadata_, Now());
  ASSERT_EQ(ready.ready_nodes, (std::set<int32_t>{0}));
  // Room for one batch per request: the partitions take turns.
  std::vector<int32_t> order;
  for (int i = 0; i < 4; ++i) {
    auto drained = acc->Drain(metadata_, {0}, 1100, Now());
    ASSERT_EQ(drained[0].size(), 1u);
    order.push_back(drained[0][0]->topic_partition().partition);
  }
  EXPECT_EQ(order[0] == 0 ? 2 : 0, order[1]);
  EXPECT_EQ(order[0], order[2]);
  EXPECT_EQ(order[1], order[3]);
}

TEST_F(RecordAccumulatorTest, DrainRespectsMaxRequestSizeButSendsAtLeastOne) {
  auto acc = Make(Config(1024, 0));
  for (int p : {0, 2}) Append(*acc, p, 900);
  auto drained = acc->Drain(metadata_, {0}, 2000, Now());
  EXPECT_EQ(drained[0].size(), 2u);
  for (int p : {0, 2}) Append(*acc, p, 900);
  drained = acc->Drain(metadata_, {0}, 1500, Now());
  EXPECT_EQ(drained[0].size(), 1u);
  drained = acc->Drain(metadata_, {0}, 10, Now());  // too small: still one
  EXPECT_EQ(drained[0].size(), 1u);
  EXPECT_TRUE(drained[0][0]->IsClosed());
}

TEST_F(RecordAccumulatorTest, MutedPartitionIsSkipped) {
  auto acc = Make(Config(1024, 0));
  Append(*acc, 0);
  acc->MutePartition(ProducerTopicPartition{"t", 0});
  EXPECT_TRUE(acc->Ready(metadata_, Now()).ready_nodes.empty());
  EXPECT_TRUE(acc->Drain(metadata_, {0}, 100000, Now()).empty());
  acc->UnmutePartition(ProducerTopicPartition{"t", 0});
  EXPECT_EQ(acc->Drain(metadata_, {0}, 100000, Now())[0].size(), 1u);
}

TEST_F(RecordAccumulatorTest, BatchesExpireAfterDeliveryTimeout) {
  auto acc = Make(Config(1024, 100000));
  Append(*acc, 0);
  clock_.AdvanceMs(4999);
  EXPECT_TRUE(acc->ExpiredBatches(Now()).empty());
  clock_.AdvanceMs(1);
  auto expired = acc->ExpiredBatches(Now());
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_FALSE(acc->HasUndrained());
}

TEST_F(RecordAccumulatorTest, RetryGoesToTheFrontAfterBackoff) {
  auto acc = Make(Config(1024, 0));
  Append(*acc, 0, 900);
  auto first = acc->Drain(metadata_, {0}, 100000, Now())[0][0];
  Append(*acc, 0, 900);  // a later batch for the same partition
  acc->Reenqueue(first, Now());
  EXPECT_EQ(first->attempts(), 1);
  // Backing off: not ready, not drained, although the later batch would be.
  auto ready = acc->Ready(metadata_, Now());
  EXPECT_TRUE(ready.ready_nodes.empty());
  EXPECT_EQ(ready.next_ready_check_delay_ms, 100);
  EXPECT_TRUE(acc->Drain(metadata_, {0}, 100000, Now()).empty());
  clock_.AdvanceMs(100);
  auto drained = acc->Drain(metadata_, {0}, 100000, Now());
  ASSERT_EQ(drained[0].size(), 1u);
  EXPECT_EQ(drained[0][0], first);  // the retry keeps its place in line
}

TEST_F(RecordAccumulatorTest, RetryBackoffGrowsExponentiallyToTheMax) {
  auto acc = Make(Config());
  EXPECT_EQ(acc->RetryBackoffMs(1), 100);
  EXPECT_EQ(acc->RetryBackoffMs(2), 200);
  EXPECT_EQ(acc->RetryBackoffMs(4), 800);
  EXPECT_EQ(acc->RetryBackoffMs(5), 1000);
  EXPECT_EQ(acc->RetryBackoffMs(50), 1000);
}

TEST_F(RecordAccumulatorTest, BuiltInPartitionerFillsOnePartitionFirst) {
  auto acc = Make(Config(1024, 100000));
  std::map<int32_t, int> per_partition;
  for (int i = 0; i < 8; ++i) ++per_partition[Append(*acc, -1, 100).partition];
  // ~150 bytes a record: 8 records stay under batch.size on one partition.
  EXPECT_EQ(per_partition.size(), 1u);
  for (int i = 0; i < 200; ++i) ++per_partition[Append(*acc, -1, 100).partition];
  EXPECT_GT(per_partition.size(), 1u);
}

// partitioner.availability.timeout.ms: node 1 has had sendable batches
// but no free slot for longer than the timeout, so the built-in
// partitioner leaves its partitions (1 and 3) alone.
TEST_F(RecordAccumulatorTest, BuiltInPartitionerAvoidsAnUnavailableLeader) {
  RecordAccumulatorConfig c = Config(1024, 100000);
  c.partition_availability_timeout_ms = 100;
  auto acc = Make(c);
  for (int p = 0; p < 4; ++p) Append(*acc, p);
  acc->UpdateNodeLatencyStats(0, Now(), true);
  acc->UpdateNodeLatencyStats(1, Now(), true);
  clock_.AdvanceMs(200);
  acc->UpdateNodeLatencyStats(0, Now(), true);
  acc->UpdateNodeLatencyStats(1, Now(), false);  // busy all along
  acc->Ready(metadata_, Now());
  std::set<int32_t> chosen;
  for (int i = 0; i < 300; ++i) chosen.insert(Append(*acc, -1, 100).partition);
  EXPECT_EQ(chosen, (std::set<int32_t>{0, 2}));
}

TEST_F(RecordAccumulatorTest, AwaitFlushCompletionReturnsOnceBatchesAreDone) {
  auto acc = Make(Config(1024, 0));
  Append(*acc, 0);
  acc->BeginFlush();
  auto batch = acc->Drain(metadata_, {0}, 100000, Now())[0][0];
  std::thread completer([&] {
    batch->Done(0, -1, Status::Ok());
    acc->Deallocate(batch);
  });
  acc->AwaitFlushCompletion();  // must not hang
  completer.join();
  EXPECT_FALSE(acc->FlushInProgress());
  EXPECT_FALSE(acc->HasIncomplete());
}

// A batch split after a flush began: the flush waits for the pieces,
// not just for the original batch (which completes when it is split).
TEST_F(RecordAccumulatorTest, FlushWaitsForThePiecesOfASplitBatch) {
  auto acc = Make(Config(4096, 0));
  for (int i = 0; i < 10; ++i) Append(*acc, 0, 300);
  acc->BeginFlush();
  auto big = acc->Drain(metadata_, {0}, 100000, Now())[0][0];
  EXPECT_GT(acc->SplitAndReenqueue(big), 1);
  acc->Deallocate(big);
  auto flushed = std::async(std::launch::async, [&] { acc->AwaitFlushCompletion(); });
  EXPECT_EQ(flushed.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  while (acc->HasUndrained()) {
    auto drained = acc->Drain(metadata_, {0}, 100000, Now());
    for (auto& b : drained[0]) {
      b->Done(0, -1, Status::Ok());
      acc->Deallocate(b);
    }
  }
  EXPECT_EQ(flushed.wait_for(std::chrono::seconds(5)), std::future_status::ready);
}

TEST_F(RecordAccumulatorTest, AppendBlocksThenFailsWhenMemoryIsExhausted) {
  RecordAccumulatorConfig c = Config(1024, 0);
  pool_ = std::make_unique<BufferPool>(1024, 1024, clock_);
  RecordAccumulator acc(c, *pool_, clock_);
  Record r{0, std::string("k"), std::string(900, 'v'), {}};
  ASSERT_TRUE(acc.Append("t", 0, r, nullptr, 0, 4, {}).status.ok());
  auto second = acc.Append("t", 1, r, nullptr, 10, 4, {});
  EXPECT_EQ(second.status.code(), ErrorCode::kRequestTimedOut);
}

}  // namespace
}  // namespace gregor
