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

/// The codec of a batch's record section: attributes bits 0-2, Kafka's numbers.
enum class CompressionType : int8_t { kNone = 0, kGzip = 1, kSnappy = 2, kLz4 = 3, kZstd = 4 };
/// Whose clock the timestamps are: the producer's (CreateTime) or the
/// broker's at append (LogAppendTime, attributes bit 3).
enum class TimestampType : int8_t { kCreateTime = 0, kLogAppendTime = 1 };

/// The byte layout of a v2 batch header: the offset of each field from the
/// batch start (Kafka's DefaultRecordBatch constants), the header size and
/// the attribute bits. Constants only; the grammar is in the file comment
/// and in chapters/formats-record-batch.md.
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

/// The 61-byte header of one batch, decoded into host integers by
/// ReadBatchHeader or ValidateBatch. A plain value: it does not point into
/// the batch bytes, and the accessors only interpret `attributes` and the
/// offsets. Thread-compatible like any struct.
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

/// Reads the header fields without checking them (ValidateBatch does).
/// REQUIRES: data.size() >= BatchLayout::kHeaderSize.
RecordBatchHeader ReadBatchHeader(ByteSpan data);

/// Checks one batch at the start of `data` without decompressing:
///  - batchLength present and not negative; the batch (12 + batchLength
///    bytes) within `max_batch_size` (else MESSAGE_TOO_LARGE, checked before
///    the bytes are known to be there, as a broker refuses a huge batch);
///  - magic == 2; batchLength >= 49 (header after the length field) and the
///    whole batch within `data`;
///  - a known compression type, recordsCount >= 0 and
///    lastOffsetDelta >= 0 (and == recordsCount-1 unless the batch was
///    compacted; recordsCount - 1 <= lastOffsetDelta is what is enforced);
///  - the CRC-32C over attributes..end matches (one pass over the bytes).
/// Bytes after the batch are not looked at. Returns the header, or
/// CORRUPT_MESSAGE (sizes, magic, counts, CRC: the message gives the
/// stored and the computed value), MESSAGE_TOO_LARGE (over max_batch_size)
/// or UNSUPPORTED_COMPRESSION_TYPE, with a message naming the field.
Result<RecordBatchHeader> ValidateBatch(ByteSpan data, size_t max_batch_size);

/// The length of the batch starting at `data` according to its batchLength
/// field (12 + batchLength), or nullopt when fewer than 12 bytes or a
/// negative length: how a reader walks a log without trusting it.
std::optional<size_t> PeekBatchSize(ByteSpan data);

/// Broker-side stamp outside the CRC: the batch's baseOffset, so the CRC
/// stays valid. REQUIRES: batch.size() >= BatchLayout::kHeaderSize.
void SetBaseOffset(std::span<uint8_t> batch, int64_t base_offset);
/// Broker-side stamp outside the CRC: partitionLeaderEpoch.
/// REQUIRES: batch.size() >= BatchLayout::kHeaderSize.
void SetPartitionLeaderEpoch(std::span<uint8_t> batch, int32_t epoch);
/// LogAppendTime: sets maxTimestamp and the timestampType bit, then
/// recomputes the CRC (both are inside it). REQUIRES: `batch` starts with a
/// whole batch (ValidateBatch passed); bytes after it are left alone.
void SetLogAppendTime(std::span<uint8_t> batch, int64_t timestamp_ms);

}  // namespace gregor
