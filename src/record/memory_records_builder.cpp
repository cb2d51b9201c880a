// SPDX-License-Identifier: Apache-2.0
// MemoryRecordsBuilder: records are encoded straight into the buffer that
// becomes the batch, behind kHeaderSize bytes left for the header, so an
// uncompressed Build() hands that buffer back without copying. Each record
// is sized first (its length prefix comes before it) and then written with
// raw pointer stores: one resize per record, amortised by doubling.
#include "record/memory_records_builder.h"

#include <algorithm>
#include <cstring>

#include "common/crc32c.h"
#include "record/compression.h"

namespace gregor {

namespace {

uint8_t* PutUnsignedVarlong(uint8_t* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = uint8_t(v) | 0x80;
    v >>= 7;
  }
  *p++ = uint8_t(v);
  return p;
}
uint8_t* PutVarint(uint8_t* p, int32_t v) { return PutUnsignedVarlong(p, ZigZagEncode32(v)); }
uint8_t* PutVarlong(uint8_t* p, int64_t v) { return PutUnsignedVarlong(p, ZigZagEncode64(v)); }

// A string is its varint length and its bytes.
size_t StringSize(std::string_view s) { return VarintSize(int32_t(s.size())) + s.size(); }
uint8_t* PutString(uint8_t* p, std::string_view s) {
  p = PutVarint(p, int32_t(s.size()));
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}
// Nullable bytes: length -1 for null.
size_t NullableSize(const std::optional<std::string>& b) { return b ? StringSize(*b) : 1; }
uint8_t* PutNullable(uint8_t* p, const std::optional<std::string>& b) {
  return b ? PutString(p, *b) : PutVarint(p, -1);
}

// Two's-complement difference: a hostile or odd timestamp may not overflow.
int64_t Delta(int64_t a, int64_t base) { return int64_t(uint64_t(a) - uint64_t(base)); }

// The bytes of a record after its length field.
size_t BodySize(int64_t ts_delta, int32_t offset_delta, const Record& r) {
  size_t size = 1 + VarlongSize(ts_delta) + VarintSize(offset_delta) + NullableSize(r.key) +
                NullableSize(r.value) + VarintSize(int32_t(r.headers.size()));
  for (const Header& h : r.headers) size += StringSize(h.key) + NullableSize(h.value);
  return size;
}

}  // namespace

MemoryRecordsBuilder::MemoryRecordsBuilder(BatchOptions options) : options_(options) {
  buffer_.reserve(BatchLayout::kHeaderSize + 512);
  buffer_.resize(BatchLayout::kHeaderSize);
}

MemoryRecordsBuilder::MemoryRecordsBuilder(BatchOptions options, Bytes buffer)
    : options_(options), buffer_(std::move(buffer)) {
  buffer_.clear();
  buffer_.resize(BatchLayout::kHeaderSize);
}

void MemoryRecordsBuilder::Append(const Record& record) {
  AppendWithOffsetDelta(last_offset_delta_ + 1, record);
}

void MemoryRecordsBuilder::AppendWithOffsetDelta(int32_t offset_delta, const Record& record) {
  if (count_ == 0) {
    base_timestamp_ = record.timestamp;
    max_timestamp_ = record.timestamp;
  } else {
    max_timestamp_ = std::max(max_timestamp_, record.timestamp);
  }
  Encode(offset_delta, record);
  ++count_;
  last_offset_delta_ = offset_delta;
}

// [record-encode]
void MemoryRecordsBuilder::Encode(int32_t offset_delta, const Record& r) {
  int64_t ts_delta = Delta(r.timestamp, base_timestamp_);
  size_t body = BodySize(ts_delta, offset_delta, r);
  size_t pos = buffer_.size();
  buffer_.resize(pos + VarintSize(int32_t(body)) + body);
  uint8_t* p = buffer_.data() + pos;
  p = PutVarint(p, int32_t(body));  // length
  *p++ = 0;                         // attributes
  p = PutVarlong(p, ts_delta);
  p = PutVarint(p, offset_delta);
  p = PutNullable(p, r.key);
  p = PutNullable(p, r.value);
  p = PutVarint(p, int32_t(r.headers.size()));
  for (const Header& h : r.headers) {
    p = PutString(p, h.key);
    p = PutNullable(p, h.value);
  }
}
// [record-encode]

size_t MemoryRecordsBuilder::EstimatedSize() const { return buffer_.size(); }

Bytes MemoryRecordsBuilder::Build() {
  // A second Build() breaks the REQUIRES; keep it memory-safe all the same.
  if (buffer_.size() < BatchLayout::kHeaderSize) buffer_.resize(BatchLayout::kHeaderSize);
  int16_t attributes = int16_t(options_.compression);
  if (options_.timestamp_type == TimestampType::kLogAppendTime) {
    attributes |= BatchLayout::kTimestampTypeBit;
  }
  if (options_.transactional) attributes |= BatchLayout::kTransactionalBit;
  if (options_.control) attributes |= BatchLayout::kControlBit;

  Bytes batch;
  if (options_.compression != CompressionType::kNone) {
    ByteSpan records = ByteSpan(buffer_).subspan(BatchLayout::kHeaderSize);
    Result<Bytes> compressed = Compress(options_.compression, records, options_.compression_level);
    if (compressed.ok()) {
      batch.reserve(BatchLayout::kHeaderSize + compressed->size());
      batch.resize(BatchLayout::kHeaderSize);
      batch.insert(batch.end(), compressed->begin(), compressed->end());
    } else {
      attributes = int16_t(attributes & ~BatchLayout::kCompressionMask);
    }
  }
  if (batch.empty()) batch = std::move(buffer_);
  buffer_.clear();

  uint8_t* p = batch.data();
  StoreBE64(p + BatchLayout::kBaseOffset, uint64_t(options_.base_offset));
  StoreBE32(p + BatchLayout::kBatchLength, uint32_t(batch.size() - BatchLayout::kLogOverhead));
  StoreBE32(p + BatchLayout::kPartitionLeaderEpoch, uint32_t(-1));
  p[BatchLayout::kMagic] = uint8_t(BatchLayout::kMagicV2);
  StoreBE16(p + BatchLayout::kAttributes, uint16_t(attributes));
  StoreBE32(p + BatchLayout::kLastOffsetDelta, uint32_t(count_ > 0 ? last_offset_delta_ : 0));
  StoreBE64(p + BatchLayout::kBaseTimestamp, uint64_t(count_ > 0 ? base_timestamp_ : -1));
  StoreBE64(p + BatchLayout::kMaxTimestamp, uint64_t(max_timestamp_));
  StoreBE64(p + BatchLayout::kProducerId, uint64_t(options_.producer_id));
  StoreBE16(p + BatchLayout::kProducerEpoch, uint16_t(options_.producer_epoch));
  StoreBE32(p + BatchLayout::kBaseSequence, uint32_t(options_.base_sequence));
  StoreBE32(p + BatchLayout::kRecordsCount, uint32_t(count_));
  // [builder-crc]
  // The CRC goes last: it covers attributes..end, all written above.
  ByteSpan covered = ByteSpan(batch).subspan(BatchLayout::kAttributes);
  StoreBE32(p + BatchLayout::kCrc, Crc32c(covered));
  // [builder-crc]
  return batch;
}

Bytes BuildBatch(const std::vector<Record>& records, BatchOptions options) {
  MemoryRecordsBuilder builder(options);
  for (const Record& r : records) builder.Append(r);
  return builder.Build();
}

}  // namespace gregor
