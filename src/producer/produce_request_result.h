// SPDX-License-Identifier: Apache-2.0
// ProduceRequestResult: the shared outcome of one ProducerBatch (Kafka's
// ProduceRequestResult), which is what RecordFuture::State is. Every record
// future of a batch points at it with the record's index, so Send()
// allocates nothing per record beyond the batch's per-record table.
//
// Life: records are added (AddRecord) while the batch is open, under the
// accumulator's deque lock; then Set() and Done() run once, on the Sender
// thread, and wake every waiter. A batch that is split (MESSAGE_TOO_LARGE)
// chains each record to its place in a new batch (Chain) before Done(); a
// future then follows the chain, as Kafka's FutureRecordMetadata does.
// Thread-safe: waiters and the completing thread meet under mu_.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gregor/producer.h"

namespace gregor {

/// The shared outcome of one batch; see the file comment.
class RecordFuture::State {
 public:
  /// The batch's topic and partition, for every record's RecordMetadata.
  State(std::string topic, int32_t partition);

  /// Adds a record; returns its index. REQUIRES: before Done(); one writer
  /// at a time (the deque lock).
  int32_t AddRecord(int64_t timestamp, int32_t key_size, int32_t value_size);
  /// Room for `n` records without reallocating. REQUIRES: as AddRecord.
  void Reserve(size_t n) { records_.reserve(n); }
  /// Records added so far.
  int32_t record_count() const { return int32_t(records_.size()); }

  /// The broker's answer: base offset (-1 with acks=0 or on error), the
  /// LogAppendTime (-1 for CreateTime) and the status. REQUIRES: not Done().
  void Set(int64_t base_offset, int64_t log_append_time, Status status);
  /// Record `index` now lives at `next_index` of `next` (a split).
  void Chain(int32_t index, std::shared_ptr<State> next, int32_t next_index);
  /// Wakes every waiter; the outcome is final.
  void Done();

  /// True once Done() ran.
  bool IsDone() const;
  /// Waits until Done() or `deadline` (nullopt: forever); false on timeout.
  bool Await(std::optional<std::chrono::steady_clock::time_point> deadline) const;
  /// Await() for record `index`, following a chain to the batch that
  /// really holds it.
  bool AwaitRecord(int32_t index,
                   std::optional<std::chrono::steady_clock::time_point> deadline) const;
  /// True once record `index`'s outcome is known (following a chain).
  bool RecordDone(int32_t index) const;
  /// The outcome of record `index`, following a chain. Takes no lock.
  /// REQUIRES: RecordDone(index) seen by this thread, or this thread
  /// called Set() (the batch's completion, before Done()).
  Result<RecordMetadata> Metadata(int32_t index) const;
  /// The status Set() recorded. REQUIRES: IsDone().
  Status status() const;

 private:
  /// What a record's RecordMetadata needs that the batch does not know.
  struct RecordInfo {
    int64_t timestamp;
    int32_t key_size;
    int32_t value_size;
  };
  /// Where a split moved a record.
  struct Link {
    std::shared_ptr<State> next;
    int32_t index;
  };

  const std::string topic_;
  const int32_t partition_;
  // Written before Done() only (see the file comment), read after it:
  std::vector<RecordInfo> records_;
  std::vector<Link> chain_;  // empty unless split
  int64_t base_offset_ = -1;
  int64_t log_append_time_ = -1;
  Status status_;

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool done_ = false;  // Guarded by mu_
};

/// A future that has already failed with `status` (a Send() refused before
/// it reached the accumulator).
RecordFuture FailedRecordFuture(const std::string& topic, int32_t partition, Status status);

}  // namespace gregor
