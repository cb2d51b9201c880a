// SPDX-License-Identifier: Apache-2.0
// BufferPool: reuse of batch.size buffers, the memory bound, FIFO fairness
// between blocked callers, and the max.block.ms timeout. Waiting tests use
// short real timeouts (the pool blocks on condition variables) and never
// sleep to order threads: they wait until the pool reports its waiters.
#include "producer/buffer_pool.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

namespace gregor {
namespace {

// Waits (bounded) until `pool` has `n` blocked callers.
bool WaitForWaiters(const BufferPool& pool, int32_t n) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (pool.QueuedThreads() != n) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

TEST(BufferPoolTest, PoolableBufferIsReusedAfterDeallocate) {
  BufferPool pool(1024, 256, SystemClock::Instance());
  auto a = pool.Allocate(256, 0);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->capacity(), 256u);
  const uint8_t* data = a->data();
  EXPECT_EQ(pool.AvailableMemory(), 768);
  pool.Deallocate(std::move(*a), 256);
  EXPECT_EQ(pool.FreeBuffers(), 1);
  EXPECT_EQ(pool.AvailableMemory(), 1024);
  auto b = pool.Allocate(256, 0);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->data(), data);  // the same memory, no new allocation
  EXPECT_TRUE(b->empty());
}

TEST(BufferPoolTest, OtherSizesAreNotPooled) {
  BufferPool pool(1024, 256, SystemClock::Instance());
  auto a = pool.Allocate(500, 0);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(pool.AvailableMemory(), 524);
  pool.Deallocate(std::move(*a), 500);
  EXPECT_EQ(pool.FreeBuffers(), 0);
  EXPECT_EQ(pool.UnallocatedMemory(), 1024);
}

TEST(BufferPoolTest, FreeListIsBrokenUpForLargerRequests) {
  BufferPool pool(512, 256, SystemClock::Instance());
  auto a = pool.Allocate(256, 0);
  auto b = pool.Allocate(256, 0);
  pool.Deallocate(std::move(*a), 256);
  pool.Deallocate(std::move(*b), 256);
  EXPECT_EQ(pool.FreeBuffers(), 2);
  auto big = pool.Allocate(512, 0);
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(pool.FreeBuffers(), 0);
  EXPECT_EQ(pool.AvailableMemory(), 0);
}

TEST(BufferPoolTest, TooLargeForBufferMemoryFailsAtOnce) {
  BufferPool pool(1024, 256, SystemClock::Instance());
  auto r = pool.Allocate(2048, 60000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kMessageTooLarge);
}

TEST(BufferPoolTest, ExhaustedPoolTimesOutWithClearError) {
  BufferPool pool(512, 256, SystemClock::Instance());
  auto a = pool.Allocate(256, 0);
  auto b = pool.Allocate(256, 0);
  auto c = pool.Allocate(256, 20);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kRequestTimedOut);
  EXPECT_NE(c.status().message().find("Failed to allocate 256 bytes within max.block.ms"),
            std::string::npos)
      << c.status().message();
  EXPECT_EQ(pool.QueuedThreads(), 0);
  EXPECT_EQ(pool.AvailableMemory(), 0);  // nothing leaked, nothing invented
  EXPECT_GT(pool.WaitTimeNsTotal(), 0);
}

TEST(BufferPoolTest, TimedOutWaiterReturnsWhatItGathered) {
  BufferPool pool(1000, 100, SystemClock::Instance());
  auto a = pool.Allocate(900, 0);
  ASSERT_TRUE(a.ok());
  // Wants 500, 100 are free: it takes them and waits for the rest in vain.
  auto r = pool.Allocate(500, 20);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(pool.AvailableMemory(), 100);
}

TEST(BufferPoolTest, BlockedCallerGetsMemoryWhenFreed) {
  BufferPool pool(256, 256, SystemClock::Instance());
  auto a = pool.Allocate(256, 0);
  auto waiter = std::async(std::launch::async, [&] { return pool.Allocate(256, 10000); });
  ASSERT_TRUE(WaitForWaiters(pool, 1));
  pool.Deallocate(std::move(*a), 256);
  auto got = waiter.get();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(pool.QueuedThreads(), 0);
}

TEST(BufferPoolTest, WaitersAreServedInArrivalOrder) {
  BufferPool pool(1000, 100, SystemClock::Instance());
  auto held = pool.Allocate(1000, 0);
  ASSERT_TRUE(held.ok());
  // The big request queues first; the small one behind it must not
  // overtake it even though 100 bytes free up before 800 do.
  auto big = std::async(std::launch::async, [&] { return pool.Allocate(800, 10000); });
  ASSERT_TRUE(WaitForWaiters(pool, 1));
  auto small = std::async(std::launch::async, [&] { return pool.Allocate(100, 10000); });
  ASSERT_TRUE(WaitForWaiters(pool, 2));
  pool.Deallocate(Bytes(), 100);  // enough for small, not for big
  // Small stays queued behind big (big took the 100 bytes towards its 800).
  EXPECT_EQ(small.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  pool.Deallocate(Bytes(), 800);  // big's last 700, then small's 100
  ASSERT_TRUE(big.get().ok());
  ASSERT_TRUE(small.get().ok());
  EXPECT_EQ(pool.AvailableMemory(), 0);
}

TEST(BufferPoolTest, NewcomerWaitsBehindAQueuedCaller) {
  BufferPool pool(300, 100, SystemClock::Instance());
  auto held = pool.Allocate(300, 0);
  auto first = std::async(std::launch::async, [&] { return pool.Allocate(300, 10000); });
  ASSERT_TRUE(WaitForWaiters(pool, 1));
  pool.Deallocate(Bytes(), 100);  // 100 free, but `first` is queued
  auto r = pool.Allocate(100, 20);
  EXPECT_FALSE(r.ok());
  pool.Deallocate(Bytes(), 200);
  EXPECT_TRUE(first.get().ok());
}

TEST(BufferPoolTest, CloseWakesBlockedCallers) {
  BufferPool pool(100, 100, SystemClock::Instance());
  auto held = pool.Allocate(100, 0);
  auto waiter = std::async(std::launch::async, [&] { return pool.Allocate(100, 60000); });
  ASSERT_TRUE(WaitForWaiters(pool, 1));
  pool.Close();
  auto r = waiter.get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kNetworkException);
}

}  // namespace
}  // namespace gregor
