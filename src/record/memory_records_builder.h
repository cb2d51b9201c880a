// SPDX-License-Identifier: Apache-2.0
// MemoryRecordsBuilder: builds one magic-v2 RecordBatch in memory (Kafka's
// MemoryRecordsBuilder). The producer's ProducerBatch and the tests use it;
// the broker does not: it stores what producers built.
//
// Records are encoded as they are appended, behind room left for the
// 61-byte header; Build() compresses the record section if asked, writes the
// header and the CRC-32C, and returns the finished batch (an uncompressed
// batch is returned without a copy). baseOffset is the one given (a producer
// sends 0; the broker rewrites it), partitionLeaderEpoch starts at -1.
// baseTimestamp is the first record's timestamp, maxTimestamp the largest.
// Thread-safety: none.
#pragma once

#include <cstdint>

#include "common/bytes.h"
#include "record/record.h"
#include "record/record_batch.h"

namespace gregor {

/// Options fixed for one batch: its codec, timestamp type, producer identity
/// (idempotence and transactions) and flags. Plain data; copy freely.
struct BatchOptions {
  CompressionType compression = CompressionType::kNone;
  TimestampType timestamp_type = TimestampType::kCreateTime;
  int64_t base_offset = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  bool transactional = false;
  bool control = false;
  /// Compression level; 0 = the codec's default.
  int compression_level = 0;
};

/// Builds one magic-v2 batch in memory, record by record, as Kafka's
/// MemoryRecordsBuilder does: records are encoded (varint lengths, zig-zag
/// deltas) as they are appended and the header, compression and CRC-32C are
/// applied once by Build(). Not thread-safe: one owner at a time.
class MemoryRecordsBuilder {
 public:
  explicit MemoryRecordsBuilder(BatchOptions options = {});
  /// Builds into `buffer`, reusing its capacity (the producer's BufferPool
  /// hands out batch.size buffers); its old contents are discarded.
  MemoryRecordsBuilder(BatchOptions options, Bytes buffer);

  /// Appends with the next offset delta. The first record's timestamp becomes
  /// the batch's baseTimestamp.
  void Append(const Record& record);
  /// Appends at an explicit offset delta (compacted or control batches).
  /// REQUIRES: offset_delta greater than every earlier one.
  void AppendWithOffsetDelta(int32_t offset_delta, const Record& record);

  int records() const { return count_; }
  /// Uncompressed bytes so far, header included: what batch.size compares.
  size_t EstimatedSize() const;

  /// Finishes the batch. REQUIRES: at least one record appended; Build once.
  /// Should the codec fail (it can only run out of memory), the batch is
  /// written uncompressed, which is still a valid batch.
  Bytes Build();
  /// After Build(): the record buffer the builder wrote into, emptied but
  /// with its capacity, when Build() compressed into a new buffer; empty
  /// (no capacity) when the uncompressed batch was that buffer itself.
  Bytes TakeBuffer() { return std::move(buffer_); }

 private:
  void Encode(int32_t offset_delta, const Record& record);

  BatchOptions options_;
  Bytes buffer_;  // kHeaderSize bytes kept for the header, then the encoded records
  int32_t count_ = 0;
  int32_t last_offset_delta_ = -1;
  int64_t base_timestamp_ = 0;
  int64_t max_timestamp_ = -1;
};

/// Convenience: one batch holding `records` with `options`.
Bytes BuildBatch(const std::vector<Record>& records, BatchOptions options = {});

}  // namespace gregor
