// SPDX-License-Identifier: Apache-2.0
// The batch header, read and checked in place. The grammar and the rules
// are in chapters/formats-record-batch.md; this file is their code.
#include "record/record_batch.h"

#include <fmt/format.h>

#include "common/crc32c.h"

namespace gregor {

namespace {

// batchLength counts the header after the length field plus the records.
constexpr int32_t kMinBatchLength = int32_t(BatchLayout::kHeaderSize - BatchLayout::kLogOverhead);

Status Corrupt(std::string message) {
  return Status(ErrorCode::kCorruptMessage, std::move(message));
}

}  // namespace

// [record-batch-header]
RecordBatchHeader ReadBatchHeader(ByteSpan data) {
  ByteReader r(data.first(BatchLayout::kHeaderSize));
  RecordBatchHeader h;
  h.base_offset = r.ReadInt64();
  h.batch_length = r.ReadInt32();
  h.partition_leader_epoch = r.ReadInt32();
  h.magic = r.ReadInt8();
  h.crc = r.ReadUint32();
  h.attributes = r.ReadInt16();
  h.last_offset_delta = r.ReadInt32();
  h.base_timestamp = r.ReadInt64();
  h.max_timestamp = r.ReadInt64();
  h.producer_id = r.ReadInt64();
  h.producer_epoch = r.ReadInt16();
  h.base_sequence = r.ReadInt32();
  h.records_count = r.ReadInt32();
  return h;
}
// [record-batch-header]

std::optional<size_t> PeekBatchSize(ByteSpan data) {
  if (data.size() < BatchLayout::kLogOverhead) return std::nullopt;
  int32_t length = int32_t(LoadBE32(data.data() + BatchLayout::kBatchLength));
  if (length < 0) return std::nullopt;
  return BatchLayout::kLogOverhead + size_t(length);
}

// The order of the checks matters: the length first (nothing else can be
// trusted without it), then magic (it decides how the rest is laid out;
// a magic 0/1 message set also has its magic at offset 16), then the
// fields, and the CRC last since it is the one pass over the bytes.
Result<RecordBatchHeader> ValidateBatch(ByteSpan data, size_t max_batch_size) {
  // [batch-validate-size]
  if (data.size() < BatchLayout::kLogOverhead) {
    return Corrupt(fmt::format("batch truncated: {} bytes, no batchLength", data.size()));
  }
  int32_t length = int32_t(LoadBE32(data.data() + BatchLayout::kBatchLength));
  if (length < 0) return Corrupt(fmt::format("negative batchLength {}", length));
  size_t size = BatchLayout::kLogOverhead + size_t(length);
  if (size > max_batch_size) {
    return Status(ErrorCode::kMessageTooLarge,
                  fmt::format("batch of {} bytes exceeds the maximum {}", size, max_batch_size));
  }
  // [batch-validate-size]
  if (data.size() > BatchLayout::kMagic) {
    int8_t magic = int8_t(data[BatchLayout::kMagic]);
    if (magic != BatchLayout::kMagicV2) {
      return Corrupt(fmt::format("unsupported magic {} (only 2)", magic));
    }
  }
  if (length < kMinBatchLength) {
    return Corrupt(fmt::format("batchLength {} below the minimum {}", length, kMinBatchLength));
  }
  if (size > data.size()) {
    return Corrupt(
        fmt::format("batch truncated: batchLength says {} bytes, {} present", size, data.size()));
  }
  RecordBatchHeader h = ReadBatchHeader(data);
  if ((h.attributes & BatchLayout::kCompressionMask) > int16_t(CompressionType::kZstd)) {
    return Status(
        ErrorCode::kUnsupportedCompressionType,
        fmt::format("unknown compression type {}", h.attributes & BatchLayout::kCompressionMask));
  }
  if (h.records_count < 0) return Corrupt(fmt::format("negative recordsCount {}", h.records_count));
  if (h.last_offset_delta < 0) {
    return Corrupt(fmt::format("negative lastOffsetDelta {}", h.last_offset_delta));
  }
  if (int64_t(h.records_count) - 1 > h.last_offset_delta) {
    return Corrupt(fmt::format("recordsCount {} does not fit lastOffsetDelta {}", h.records_count,
                               h.last_offset_delta));
  }
  // [batch-validate-crc]
  uint32_t actual = Crc32c(data.subspan(BatchLayout::kAttributes, size - BatchLayout::kAttributes));
  if (actual != h.crc) {
    return Corrupt(fmt::format("batch CRC mismatch: expected {:#010x} (stored), actual {:#010x}",
                               h.crc, actual));
  }
  // [batch-validate-crc]
  return h;
}

// [batch-stamp]
void SetBaseOffset(std::span<uint8_t> batch, int64_t base_offset) {
  StoreBE64(batch.data() + BatchLayout::kBaseOffset, uint64_t(base_offset));
}

void SetPartitionLeaderEpoch(std::span<uint8_t> batch, int32_t epoch) {
  StoreBE32(batch.data() + BatchLayout::kPartitionLeaderEpoch, uint32_t(epoch));
}
// [batch-stamp]

void SetLogAppendTime(std::span<uint8_t> batch, int64_t timestamp_ms) {
  uint8_t* p = batch.data();
  uint16_t attributes = LoadBE16(p + BatchLayout::kAttributes);
  StoreBE16(p + BatchLayout::kAttributes, uint16_t(attributes | BatchLayout::kTimestampTypeBit));
  StoreBE64(p + BatchLayout::kMaxTimestamp, uint64_t(timestamp_ms));
  size_t size = PeekBatchSize(batch).value_or(batch.size());
  if (size > batch.size()) size = batch.size();
  StoreBE32(p + BatchLayout::kCrc,
            Crc32c(ByteSpan(p + BatchLayout::kAttributes, size - BatchLayout::kAttributes)));
}

}  // namespace gregor
