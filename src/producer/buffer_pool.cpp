// SPDX-License-Identifier: Apache-2.0
#include "producer/buffer_pool.h"

#include <algorithm>
#include <chrono>
#include <string>

namespace gregor {

BufferPool::BufferPool(int64_t total_memory, int32_t poolable_size, Clock& clock)
    : total_memory_(total_memory),
      poolable_size_(poolable_size),
      clock_(clock),
      non_pooled_available_(total_memory) {}

Result<Bytes> BufferPool::Allocate(int32_t size, int64_t max_time_to_block_ms) {
  // LAB-03: BEGIN SOLUTION BufferPool::Allocate
  // HINT: refuse a size above total_memory_; take a free buffer when size
  // HINT: is poolable_size_ and nobody waits; else, if the non-pooled
  // HINT: budget plus the free list cover it (and nobody waits), FreeUp and
  // HINT: allocate fresh outside the lock. Otherwise queue a condition
  // HINT: variable at the back of waiters_ and gather memory as it is
  // HINT: freed, oldest waiter first, until enough or the deadline (then
  // HINT: give back what was gathered: REQUEST_TIMED_OUT). Leaving, remove
  // HINT: yourself and wake the next waiter if memory is left.
  // [buffer-pool-allocate]
  if (size > total_memory_) {
    return Result<Bytes>(ErrorCode::kMessageTooLarge,
                         "attempt to allocate " + std::to_string(size) +
                             " bytes, but buffer.memory is " +
                             std::to_string(total_memory_));
  }
  std::unique_lock lock(mu_);
  if (closed_)
    return Result<Bytes>(ErrorCode::kNetworkException, "producer closed");
  if (waiters_.empty()) {
    if (size == poolable_size_ && !free_.empty()) {
      Bytes buffer = std::move(free_.front());
      free_.pop_front();
      return buffer;
    }
    int64_t free_list_size = int64_t(free_.size()) * poolable_size_;
    if (non_pooled_available_ + free_list_size >= size) {
      FreeUp(size);
      non_pooled_available_ -= size;
      lock.unlock();
      Bytes buffer;
      buffer.reserve(size_t(size));
      return buffer;
    }
  }
  // [buffer-pool-allocate]
  // Not enough: queue up and gather memory as it is freed.
  std::condition_variable more_memory;
  waiters_.push_back(&more_memory);
  int64_t start_ns = clock_.NowNs();
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(max_time_to_block_ms);
  int64_t accumulated = 0;
  std::optional<Bytes> pooled;
  Status failure;
  // [buffer-pool-wait]
  while (accumulated < size) {
    bool my_turn = waiters_.front() == &more_memory;
    bool has_memory = non_pooled_available_ > 0 || !free_.empty();
    if (closed_) {
      failure = Status(ErrorCode::kNetworkException,
                       "producer closed while allocating memory");
      break;
    }
    if (!my_turn || !has_memory) {
      if (more_memory.wait_until(lock, deadline) == std::cv_status::timeout &&
          std::chrono::steady_clock::now() >= deadline) {
        failure = Status(ErrorCode::kRequestTimedOut,
                         "Failed to allocate " + std::to_string(size) +
                             " bytes within max.block.ms (" +
                             std::to_string(max_time_to_block_ms) + " ms)");
        break;
      }
      continue;
    }
    if (accumulated == 0 && size == poolable_size_ && !free_.empty()) {
      pooled = std::move(free_.front());
      free_.pop_front();
      accumulated = size;
    } else {
      FreeUp(size - accumulated);
      int64_t got =
          std::min<int64_t>(size - accumulated, non_pooled_available_);
      non_pooled_available_ -= got;
      accumulated += got;
    }
  }
  // [buffer-pool-wait]
  wait_time_ns_total_ += clock_.NowNs() - start_ns;
  waiters_.erase(std::find(waiters_.begin(), waiters_.end(), &more_memory));
  if (!failure.ok()) non_pooled_available_ += accumulated;  // give it back
  // Hand on to the next waiter if anything is left.
  if (!waiters_.empty() &&
      (non_pooled_available_ > 0 || !free_.empty() || closed_)) {
    waiters_.front()->notify_one();
  }
  if (!failure.ok()) {
    if (pooled) free_.push_front(std::move(*pooled));
    return Result<Bytes>(failure);
  }
  lock.unlock();
  if (pooled) return std::move(*pooled);
  Bytes buffer;
  buffer.reserve(size_t(size));
  return buffer;
  // LAB-03: END SOLUTION
}

void BufferPool::FreeUp(int64_t size) {
  while (!free_.empty() && non_pooled_available_ < size) {
    free_.pop_back();
    non_pooled_available_ += poolable_size_;
  }
}

// [buffer-pool-deallocate]
void BufferPool::Deallocate(Bytes buffer, int32_t size) {
  std::lock_guard lock(mu_);
  if (size == poolable_size_ && buffer.capacity() == size_t(poolable_size_)) {
    buffer.clear();
    free_.push_back(std::move(buffer));
  } else {
    // Other sizes (or a buffer the builder had to grow) are freed; their
    // bytes go back to the non-pooled budget.
    non_pooled_available_ += size;
  }
  if (!waiters_.empty()) waiters_.front()->notify_one();
}
// [buffer-pool-deallocate]

void BufferPool::Close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  for (auto* w : waiters_) w->notify_one();
}

int64_t BufferPool::AvailableMemory() const {
  std::lock_guard lock(mu_);
  return non_pooled_available_ + int64_t(free_.size()) * poolable_size_;
}

int64_t BufferPool::UnallocatedMemory() const {
  std::lock_guard lock(mu_);
  return non_pooled_available_;
}

int32_t BufferPool::FreeBuffers() const {
  std::lock_guard lock(mu_);
  return int32_t(free_.size());
}

int32_t BufferPool::QueuedThreads() const {
  std::lock_guard lock(mu_);
  return int32_t(waiters_.size());
}

int64_t BufferPool::WaitTimeNsTotal() const {
  std::lock_guard lock(mu_);
  return wait_time_ns_total_;
}

}  // namespace gregor
