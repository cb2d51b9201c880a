// SPDX-License-Identifier: Apache-2.0
// CompletedFetch: one partition's records from one Fetch response, waiting
// to be handed to the application (Kafka's CompletedFetch).
//
// It holds the response's record bytes (shared, so records returned by
// Poll() can view them instead of being copied) and is drained batch by
// batch: a batch is validated (CRC-32C), decompressed and decoded only when
// Poll() reaches it (record/record_batch_reader.h), and a compressed
// batch's decompressed bytes are shared the same way. A fetch response
// may end with a partial batch (the broker cuts at the byte limit); the
// constructor trims it, and next_fetch_offset() is where the next fetch
// of the partition should start: after the last whole batch.
//
// Records below the position are skipped (the broker returns whole
// batches, so the first may start before the fetch offset), control
// batches are skipped, and the position moves past each exhausted batch
// (its nextOffset), so compaction gaps are stepped over.
//
// Thread model: the application thread only.
#pragma once

#include <cstdint>
#include <memory>

#include "common/bytes.h"
#include "common/errors.h"
#include "gregor/consumer.h"
#include "record/record_batch_reader.h"
#include "storage/topic_partition.h"

namespace gregor {

/// See the file comment.
class CompletedFetch {
 public:
  /// `records` are the bytes of the partition's response (may be empty).
  /// `epoch` is the partition's SubscriptionState epoch when the fetch was
  /// sent; `fetch_offset` the offset it asked for.
  CompletedFetch(TopicPartition tp, uint64_t epoch, int64_t fetch_offset,
                 std::shared_ptr<const Bytes> records);

  /// Appends records at or after *position to `out`, at most `max`,
  /// moving *position (and *leader_epoch) past what it returns. Returns
  /// how many it appended. Errors: CORRUPT_MESSAGE for a batch that fails
  /// validation or decoding; the fetch is then consumed and the position
  /// stays before the bad batch (Kafka: "seek past the record").
  Result<int> Drain(int max, int64_t* position, int32_t* leader_epoch, ByteRecords& out);

  /// True once every whole batch was handed out or skipped.
  bool IsConsumed() const { return !batch_open_ && pos_ >= end_; }
  /// Where the next fetch of this partition starts; fetch_offset() if the
  /// response held no whole batch.
  int64_t next_fetch_offset() const { return next_fetch_offset_; }
  int64_t fetch_offset() const { return fetch_offset_; }
  uint64_t epoch() const { return epoch_; }
  const TopicPartition& tp() const { return tp_; }
  /// Bytes of whole batches.
  size_t size_in_bytes() const { return end_; }
  /// True before the first Drain().
  bool started() const { return started_; }

 private:
  const TopicPartition tp_;
  // The topic name records view (ConsumerRecord::topic), kept alive by
  // the ConsumerRecords they go to.
  const std::shared_ptr<const std::string> topic_;
  const uint64_t epoch_;
  const int64_t fetch_offset_;
  const std::shared_ptr<const Bytes> buffer_;
  size_t end_ = 0;  // bytes of whole batches
  int64_t next_fetch_offset_;
  size_t pos_ = 0;  // next batch to decode
  bool started_ = false;
  bool batch_open_ = false;
  DecodedBatch batch_;
  size_t index_ = 0;                            // next record of batch_
  std::shared_ptr<const Bytes> batch_storage_;  // a compressed batch's records
};

}  // namespace gregor
