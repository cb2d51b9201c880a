// SPDX-License-Identifier: Apache-2.0
// DelayedOperation and DelayedOperationPurgatory over a MockClock timer:
// completion on a key, expiration, exactly-once under races.
#include "server/delayed_operation_purgatory.h"

#include <gtest/gtest.h>

#include <thread>

namespace gregor {
namespace {

// Completes when `ready` is set; counts its callbacks.
class FlagOperation : public DelayedOperation {
 public:
  explicit FlagOperation(int64_t delay_ms) : DelayedOperation(delay_ms) {}
  bool TryComplete() override { return ready.load() && ForceComplete(); }
  void OnComplete() override { completions.fetch_add(1); }
  void OnExpiration() override { expirations.fetch_add(1); }
  std::atomic<bool> ready{false};
  std::atomic<int> completions{0};
  std::atomic<int> expirations{0};
};

class PurgatoryTest : public ::testing::Test {
 protected:
  std::shared_ptr<FlagOperation> Park(int64_t delay_ms, std::vector<TopicPartition> keys) {
    auto op = std::make_shared<FlagOperation>(delay_ms);
    EXPECT_FALSE(purgatory_.TryCompleteElseWatch(op, keys));
    return op;
  }
  void Advance(int64_t ms) {
    for (int64_t i = 0; i < ms; ++i) {
      clock_.AdvanceMs(1);
      timer_.AdvanceClock();
    }
  }

  MockClock clock_;
  Timer timer_{clock_};
  DelayedOperationPurgatory purgatory_{"Fetch", timer_};
  TopicPartition a_{"a", PartitionId{0}};
  TopicPartition b_{"b", PartitionId{1}};
};

TEST_F(PurgatoryTest, ReadyOperationCompletesWithoutWaiting) {
  auto op = std::make_shared<FlagOperation>(500);
  op->ready = true;
  EXPECT_TRUE(purgatory_.TryCompleteElseWatch(op, {a_}));
  EXPECT_EQ(op->completions, 1);
  EXPECT_EQ(purgatory_.Watched(), 0u);
  EXPECT_EQ(purgatory_.Delayed(), 0u);
}

TEST_F(PurgatoryTest, CheckAndCompleteOnItsKeyCompletesAndUnwatches) {
  auto op = Park(500, {a_, b_});
  EXPECT_EQ(purgatory_.Watched(), 2u);
  EXPECT_EQ(purgatory_.Delayed(), 1u);
  EXPECT_EQ(purgatory_.CheckAndComplete(a_), 0u);  // not ready yet
  op->ready = true;
  EXPECT_EQ(purgatory_.CheckAndComplete(b_), 1u);
  EXPECT_EQ(op->completions, 1);
  EXPECT_EQ(purgatory_.Delayed(), 0u);  // cancelled out of the timer
  Advance(600);
  EXPECT_EQ(op->expirations, 0);
  EXPECT_EQ(op->completions, 1);
}

TEST_F(PurgatoryTest, OtherKeysDoNotComplete) {
  auto op = Park(500, {a_});
  op->ready = true;
  EXPECT_EQ(purgatory_.CheckAndComplete(b_), 0u);
  EXPECT_EQ(op->completions, 0);
}

TEST_F(PurgatoryTest, OperationExpiresAtItsDelay) {
  auto op = Park(500, {a_});
  Advance(499);
  EXPECT_EQ(op->completions, 0);
  Advance(1);
  EXPECT_EQ(op->completions, 1);
  EXPECT_EQ(op->expirations, 1);
  EXPECT_EQ(purgatory_.CheckAndComplete(a_), 0u);  // and it is unwatched
  EXPECT_EQ(purgatory_.Watched(), 0u);
}

TEST_F(PurgatoryTest, PurgeDropsCompletedOperationsFromOtherKeys) {
  DelayedOperationPurgatory purgatory("Fetch", timer_, /*purge_interval=*/2);
  auto op = std::make_shared<FlagOperation>(500);
  purgatory.TryCompleteElseWatch(op, {a_, b_});
  op->ready = true;
  purgatory.CheckAndComplete(a_);
  EXPECT_EQ(purgatory.Watched(), 1u);  // still under b_
  purgatory.TryCompleteElseWatch(std::make_shared<FlagOperation>(500), {a_});
  EXPECT_EQ(purgatory.Watched(), 1u);  // the purge ran on the 2nd watch
}

TEST_F(PurgatoryTest, ConcurrentTryCompleteAndForceCompleteCompleteExactlyOnce) {
  for (int round = 0; round < 200; ++round) {
    auto op = Park(1000, {a_});
    op->ready = true;
    clock_.AdvanceMs(1000);  // due as well: the timer joins the race
    std::atomic<int> wins{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
      threads.emplace_back([&, i] {
        bool won = i % 2 == 0 ? purgatory_.CheckAndComplete(a_) == 1 : op->ForceComplete();
        if (won) wins.fetch_add(1);
      });
    }
    threads.emplace_back([&] { timer_.AdvanceClock(); });
    for (auto& t : threads) t.join();
    EXPECT_EQ(op->completions, 1);
    EXPECT_EQ(wins + op->expirations, 1);
  }
}

}  // namespace
}  // namespace gregor
