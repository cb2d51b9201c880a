// SPDX-License-Identifier: Apache-2.0
// ProducerBatch: the records bound for one partition that travel together
// in one record batch (Kafka's ProducerBatch).
//
// A batch wraps a MemoryRecordsBuilder writing into a buffer from the
// BufferPool (or a plain buffer for the halves of a split). Records are
// appended while the batch is the last in its partition's deque and has
// room (TryAppend); the Sender closes it (Close: compress, header, CRC),
// sends it, and completes it exactly once with Done(): every record's
// callback runs in order, then its ProduceRequestResult (the
// RecordFuture::State) is released. A second Done() — say a response
// arriving for a batch that delivery.timeout.ms already expired — is
// ignored and returns false, like Kafka's final-state guard.
//
// The buffer goes back to the pool only through ReleaseBuffer(), which the
// Sender calls once the batch is done *and* no request still references its
// bytes (in_flight() is false); see BufferPool.
//
// Thread model: TryAppend runs under the accumulator's deque lock on caller
// threads; everything after the batch leaves its deque (Close, Done, the
// retry state) runs on the Sender thread, or on the closing thread after
// the Sender has stopped.
#pragma once

#include <atomic>
#include <compare>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gregor/producer.h"
#include "producer/produce_request_result.h"
#include "record/memory_records_builder.h"

namespace gregor {

/// A topic and partition as the producer keys its queues (Kafka's
/// TopicPartition; the broker's storage/topic_partition.h is not a client
/// header).
struct ProducerTopicPartition {
  std::string topic;      ///< the topic
  int32_t partition = 0;  ///< the partition
  auto operator<=>(const ProducerTopicPartition&) const = default;
  /// "topic-N" for messages.
  std::string ToString() const { return topic + "-" + std::to_string(partition); }
};

/// An upper bound of the bytes `record` takes in a batch (Kafka's
/// DefaultRecord.sizeInBytesUpperBound): varints at their widest.
int32_t RecordSizeUpperBound(const Record& record);

/// One partition's batch in the making; see the file comment.
class ProducerBatch {
 public:
  /// A batch writing into `buffer` (capacity `buffer_size`, from the pool
  /// when `from_pool`), created at monotonic `now_ms`. `flush_id` orders it
  /// against RecordAccumulator::BeginFlush.
  ProducerBatch(ProducerTopicPartition tp, BatchOptions options, Bytes buffer, int32_t buffer_size,
                bool from_pool, int64_t now_ms, uint64_t flush_id = 0);

  /// Appends if there is room: the record's future, or nullopt when the
  /// batch is full or closed. `*appended_bytes` gets the bytes it added.
  std::optional<RecordFuture> TryAppend(const Record& record, const SendCallback& callback,
                                        int64_t now_ms, int32_t* appended_bytes = nullptr);
  /// Finishes the records: no more appends. Idempotent.
  void Close();
  /// The finished batch. REQUIRES: Close().
  ByteSpan records() const { return built_; }

  /// Completes every record once: callbacks in order, then the futures.
  /// False (and nothing happens) if the batch was already completed.
  bool Done(int64_t base_offset, int64_t log_append_time, const Status& status);
  /// Splits a closed batch the broker refused as too large into batches of
  /// about `split_batch_size` bytes (at least one record each; plain
  /// buffers, not the pool's). The records' callbacks and futures move to
  /// the new batches. Then FinishSplit() completes this batch (no
  /// callbacks run), once the caller tracks the new ones.
  std::vector<std::shared_ptr<ProducerBatch>> Split(int32_t split_batch_size);
  /// See Split().
  void FinishSplit();

  /// The pool buffer, emptied, for BufferPool::Deallocate.
  /// REQUIRES: IsDone() and !in_flight().
  Bytes ReleaseBuffer();

  const ProducerTopicPartition& topic_partition() const { return tp_; }
  int32_t record_count() const { return result_->record_count(); }
  /// Bytes so far (uncompressed, header included) or, once closed, exact.
  int32_t EstimatedSizeInBytes() const;
  /// Uncompressed bytes of the records, header included (exact once closed).
  int32_t UncompressedSizeInBytes() const {
    return closed_ ? uncompressed_size_ : int32_t(builder_.EstimatedSize());
  }
  /// True when the next record would not fit.
  bool IsFull() const { return full_; }
  bool IsClosed() const { return closed_; }
  bool IsDone() const { return final_.load() != FinalState::kIncomplete; }
  bool from_pool() const { return from_pool_; }
  int32_t buffer_size() const { return buffer_size_; }
  uint64_t flush_id() const { return flush_id_; }
  /// The result every record future of this batch shares.
  const std::shared_ptr<RecordFuture::State>& result() const { return result_; }

  // Retry state (Sender thread).
  int32_t attempts() const { return attempts_; }
  bool in_retry() const { return attempts_ > 0; }
  int64_t created_ms() const { return created_ms_; }
  /// Milliseconds since creation or the last retry.
  int64_t WaitedTimeMs(int64_t now_ms) const { return std::max<int64_t>(0, now_ms - last_attempt_ms_); }
  /// True once delivery.timeout.ms passed since creation.
  bool HasReachedDeliveryTimeout(int64_t delivery_timeout_ms, int64_t now_ms) const {
    return now_ms - created_ms_ >= delivery_timeout_ms;
  }
  /// Back in the queue for another attempt.
  void Reenqueued(int64_t now_ms);
  /// Taken by Drain() at now_ms.
  void Drained(int64_t now_ms) { drained_ms_ = now_ms; }
  int64_t drained_ms() const { return drained_ms_; }
  /// True while a sent request may still read records() (Sender thread).
  bool in_flight() const { return in_flight_; }
  void set_in_flight(bool v) { in_flight_ = v; }

 private:
  enum class FinalState { kIncomplete, kSucceeded, kFailed, kSplit };

  // After the first append: reserves the per-record tables.
  void ReserveRecords(int32_t first_record_bytes);

  const ProducerTopicPartition tp_;
  const BatchOptions options_;
  const int32_t buffer_size_;
  const bool from_pool_;
  const int64_t created_ms_;
  const uint64_t flush_id_;

  // Appends (deque lock), then the Sender:
  MemoryRecordsBuilder builder_;
  std::shared_ptr<RecordFuture::State> result_;
  std::vector<SendCallback> callbacks_;  // one per record, may be empty
  bool full_ = false;
  bool closed_ = false;
  Bytes built_;  // after Close()
  int32_t uncompressed_size_ = 0;  // set by Close()
  Bytes spare_;  // the pool buffer when Close() compressed into a new one

  // Sender thread:
  int32_t attempts_ = 0;
  int64_t last_attempt_ms_;
  int64_t drained_ms_ = 0;
  bool in_flight_ = false;
  std::atomic<FinalState> final_{FinalState::kIncomplete};
};

}  // namespace gregor
