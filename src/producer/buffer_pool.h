// SPDX-License-Identifier: Apache-2.0
// BufferPool: the producer's memory, buffer.memory bytes in all (Kafka's
// BufferPool).
//
// Batches are built in buffers from here. Buffers of exactly batch.size
// bytes (poolable_size) are kept on a free list when returned, so a busy
// producer reuses the same few buffers instead of allocating; any other
// size is allocated fresh and its bytes return to the non-pooled budget.
// Invariant: free list bytes + non-pooled available + bytes handed out ==
// total_memory.
//
// When memory is short, Allocate() blocks up to max.block.ms. Waiters queue
// in FIFO order, each on its own condition variable (Kafka's `waiters`
// deque): memory goes to the oldest waiter first, which gathers what it
// needs piece by piece and then hands on to the next, so a large request is
// not starved by a stream of small ones. A newcomer waits behind anyone
// already waiting. After the timeout the call fails with REQUEST_TIMED_OUT
// ("Failed to allocate N bytes within max.block.ms") and gives back what
// it gathered.
//
// Who calls Deallocate, and when, is the caller's rule and the reason this
// class exists in a book: a buffer must not come back while a request may
// still read it. The Sender returns a batch's buffer only once the batch is
// done and no request references it (ProducerBatch::in_flight()), so a batch
// that delivery.timeout.ms expires while its Produce request is in flight
// keeps its buffer until that request completes or its connection fails.
//
// Thread-safe: every method takes mu_.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/errors.h"

namespace gregor {

/// The producer's buffer.memory; see the file comment.
class BufferPool {
 public:
  /// `clock` measures waiting (metrics, deadlines) and must outlive the pool.
  BufferPool(int64_t total_memory, int32_t poolable_size, Clock& clock);

  /// A buffer with capacity >= `size` (exactly poolable_size for that size),
  /// empty. Blocks up to `max_time_to_block_ms` while memory is short.
  /// Errors: REQUEST_TIMED_OUT after the wait; MESSAGE_TOO_LARGE if `size`
  /// exceeds total_memory; NETWORK_EXCEPTION if the pool was closed.
  Result<Bytes> Allocate(int32_t size, int64_t max_time_to_block_ms);
  /// Returns `buffer`, allocated for `size` bytes. REQUIRES: no request or
  /// batch still reads it (see the file comment).
  void Deallocate(Bytes buffer, int32_t size);
  /// Wakes every waiter with an error; later Allocate calls fail at once.
  void Close();

  /// Bytes not handed out (free list + non-pooled).
  int64_t AvailableMemory() const;
  /// Bytes never allocated or returned unpooled.
  int64_t UnallocatedMemory() const;
  /// Buffers on the free list.
  int32_t FreeBuffers() const;
  /// Threads blocked in Allocate.
  int32_t QueuedThreads() const;
  /// Nanoseconds callers spent blocked, in total (bufferpool-wait-time-ns-total).
  int64_t WaitTimeNsTotal() const;
  int64_t total_memory() const { return total_memory_; }
  int32_t poolable_size() const { return poolable_size_; }

 private:
  // REQUIRES: mu_ held. Moves free-list buffers to the non-pooled budget
  // until `size` bytes are there or the list is empty.
  void FreeUp(int64_t size);

  const int64_t total_memory_;
  const int32_t poolable_size_;
  Clock& clock_;

  mutable std::mutex mu_;
  // Guarded by mu_:
  std::deque<Bytes> free_;
  int64_t non_pooled_available_;
  std::deque<std::condition_variable*> waiters_;
  int64_t wait_time_ns_total_ = 0;
  bool closed_ = false;
};

}  // namespace gregor
