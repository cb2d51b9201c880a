// SPDX-License-Identifier: Apache-2.0
// RecordBatch: Kafka's magic-v2 record batch, the unit that travels on the
// wire and sits on disk unchanged (see chapters/formats-record-batch.md).
//
//   RecordBatch =>
//     baseOffset            int64   rewritten by the broker on append
//     batchLength           int32   bytes after this field
//     partitionLeaderEpoch  int32   stamped by the broker (outside the CRC)
//     magic                 int8    = 2
//     crc                   uint32  CRC-32C of attributes..end
//     attributes            int16   bits 0-2 compression, 3 timestampType,
//                                   4 transactional, 5 control
//     lastOffsetDelta       int32   record count - 1 when offsets are dense
//     baseTimestamp         int64
//     maxTimestamp          int64
//     producerId            int64   -1 without idempotence
//     producerEpoch         int16
//     baseSequence          int32
//     recordsCount          int32
//     records               [Record] compressed as one block if attributes say so
//
// This file reads and checks the 61-byte header in place. Validate() is what
// the broker runs on every produced and every recovered batch: sizes, magic,
// CRC. It does not decompress; records are checked by RecordBatchReader.
#pragma once

#include <cstdint>
#include <optional>

#include "common/bytes.h"
#include "common/errors.h"
#include "common/types.h"

namespace gregor {

enum class CompressionType : int8_t { kNone = 0, kGzip = 1, kSnappy = 2, kLz4 = 3, kZstd = 4 };
enum class TimestampType : int8_t { kCreateTime = 0, kLogAppendTime = 1 };

/// Byte offsets of the header fields (Kafka's DefaultRecordBatch constants).
struct BatchLayout {
  static constexpr size_t kBaseOffset = 0;
  static constexpr size_t kBatchLength = 8;
  static constexpr size_t kPartitionLeaderEpoch = 12;
  static constexpr size_t kMagic = 16;
  static constexpr size_t kCrc = 17;
  static constexpr size_t kAttributes = 21;
  static constexpr size_t kLastOffsetDelta = 23;
  static constexpr size_t kBaseTimestamp = 27;
  static constexpr size_t kMaxTimestamp = 35;
  static constexpr size_t kProducerId = 43;
  static constexpr size_t kProducerEpoch = 51;
  static constexpr size_t kBaseSequence = 53;
  static constexpr size_t kRecordsCount = 57;
  static constexpr size_t kRecords = 61;
  /// baseOffset + batchLength: the bytes before batchLength starts counting.
  static constexpr size_t kLogOverhead = 12;
  static constexpr size_t kHeaderSize = 61;
  static constexpr int8_t kMagicV2 = 2;

  static constexpr int16_t kCompressionMask = 0x07;
  static constexpr int16_t kTimestampTypeBit = 0x08;
  static constexpr int16_t kTransactionalBit = 0x10;
  static constexpr int16_t kControlBit = 0x20;
};

/// The decoded header of one batch.
struct RecordBatchHeader {
  int64_t base_offset = 0;
  int32_t batch_length = 0;
  int32_t partition_leader_epoch = -1;
  int8_t magic = BatchLayout::kMagicV2;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = 0;
  int64_t max_timestamp = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int32_t records_count = 0;

  /// Bytes of the whole batch, header included.
  size_t SizeInBytes() const { return BatchLayout::kLogOverhead + size_t(batch_length); }
  int64_t LastOffset() const { return base_offset + last_offset_delta; }
  int64_t NextOffset() const { return LastOffset() + 1; }
  CompressionType compression() const {
    return CompressionType(attributes & BatchLayout::kCompressionMask);
  }
  TimestampType timestamp_type() const {
    return (attributes & BatchLayout::kTimestampTypeBit) ? TimestampType::kLogAppendTime
                                                         : TimestampType::kCreateTime;
  }
  bool is_transactional() const { return attributes & BatchLayout::kTransactionalBit; }
  bool is_control() const { return attributes & BatchLayout::kControlBit; }
};

/// Reads the header fields. REQUIRES: data.size() >= BatchLayout::kHeaderSize.
RecordBatchHeader ReadBatchHeader(ByteSpan data);

/// Checks one batch at the start of `data` without decompressing:
///  - at least a header's bytes, batchLength >= 49 (header after the length
///    field) and within `data` and within `max_batch_size`;
///  - magic == 2, a known compression type, recordsCount >= 0 and
///    lastOffsetDelta >= 0 (and == recordsCount-1 unless the batch was
///    compacted; recordsCount - 1 <= lastOffsetDelta is what is enforced);
///  - the CRC-32C over attributes..end matches.
/// Returns the header, or CORRUPT_MESSAGE (sizes, magic, CRC),
/// MESSAGE_TOO_LARGE (over max_batch_size) or
/// UNSUPPORTED_COMPRESSION_TYPE, with a message naming the field.
Result<RecordBatchHeader> ValidateBatch(ByteSpan data, size_t max_batch_size);

/// The length of the batch starting at `data` according to its batchLength
/// field (12 + batchLength), or nullopt when fewer than 12 bytes or a
/// negative length: how a reader walks a log without trusting it.
std::optional<size_t> PeekBatchSize(ByteSpan data);

/// Broker-side stamps, outside the CRC: baseOffset and partitionLeaderEpoch.
/// REQUIRES: batch.size() >= BatchLayout::kHeaderSize.
void SetBaseOffset(std::span<uint8_t> batch, int64_t base_offset);
void SetPartitionLeaderEpoch(std::span<uint8_t> batch, int32_t epoch);
/// LogAppendTime: sets maxTimestamp and the timestampType bit, then
/// recomputes the CRC (both are inside it).
void SetLogAppendTime(std::span<uint8_t> batch, int64_t timestamp_ms);

}  // namespace gregor
