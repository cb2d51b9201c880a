// SPDX-License-Identifier: Apache-2.0
// Decoding a batch's records. Every length and count comes from untrusted
// bytes, so each is checked against the bytes actually present before it
// is used, and the only allocations are the decompressed records (capped
// by Decompress) and one RecordView per record (bounded by recordsCount,
// itself bounded by the bytes: a record takes at least 7).
#include "record/record_batch_reader.h"

#include <fmt/format.h>

#include <limits>

#include "record/compression.h"

namespace gregor {

namespace {

// length, attributes, timestampDelta, offsetDelta, keyLength, valueLength
// and headerCount take a byte each at least.
constexpr size_t kMinRecordSize = 7;
// keyLength and valueLength of a header.
constexpr size_t kMinHeaderSize = 2;

Status Corrupt(std::string message) {
  return Status(ErrorCode::kCorruptMessage, std::move(message));
}

int64_t WrappingAdd(int64_t a, int64_t b) { return int64_t(uint64_t(a) + uint64_t(b)); }

// Nullable bytes: -1 is null; anything below is malformed.
bool ReadNullable(ByteReader& r, std::optional<std::string_view>& out) {
  int32_t len = r.ReadVarint();
  if (!r.ok() || len < -1) return false;
  if (len == -1) {
    out.reset();
    return true;
  }
  ByteSpan bytes = r.ReadBytes(size_t(len));
  if (!r.ok()) return false;
  out = AsString(bytes);
  return true;
}

// Decodes the record at r's position into `out`; on failure returns why.
const char* DecodeRecord(ByteReader& r, const RecordBatchHeader& h, RecordView& out) {
  int32_t length = r.ReadVarint();
  if (!r.ok() || length < 0 || size_t(length) > r.remaining()) {
    return "bad record length";
  }
  ByteReader body(r.ReadBytes(size_t(length)));
  body.ReadInt8();  // attributes: unused by magic 2
  int64_t timestamp_delta = body.ReadVarlong();
  int32_t offset_delta = body.ReadVarint();
  if (!ReadNullable(body, out.key)) return "bad key";
  if (!ReadNullable(body, out.value)) return "bad value";
  int32_t header_count = body.ReadVarint();
  if (!body.ok() || header_count < 0 || size_t(header_count) > body.remaining() / kMinHeaderSize) {
    return "bad header count";
  }
  out.headers.reserve(size_t(header_count));
  for (int32_t i = 0; i < header_count; ++i) {
    int32_t key_length = body.ReadVarint();
    if (!body.ok() || key_length < 0) return "bad header key";
    HeaderView& header = out.headers.emplace_back();
    header.key = AsString(body.ReadBytes(size_t(key_length)));
    if (!ReadNullable(body, header.value)) return "bad header value";
  }
  if (!body.ok()) return "record runs past its length";
  if (body.remaining() != 0) return "record shorter than its length";
  out.offset = WrappingAdd(h.base_offset, offset_delta);
  out.timestamp = h.timestamp_type() == TimestampType::kLogAppendTime
                      ? h.max_timestamp
                      : WrappingAdd(h.base_timestamp, timestamp_delta);
  return nullptr;
}

}  // namespace

Result<DecodedBatch> DecodeBatch(ByteSpan batch, size_t max_decompressed_bytes) {
  Result<RecordBatchHeader> header = ValidateBatch(batch, std::numeric_limits<size_t>::max());
  if (!header.ok()) return header.status();
  DecodedBatch out;
  out.header = *header;
  const RecordBatchHeader& h = out.header;
  ByteSpan records =
      batch.subspan(BatchLayout::kHeaderSize, h.SizeInBytes() - BatchLayout::kHeaderSize);
  if (h.compression() != CompressionType::kNone) {
    Result<Bytes> plain = Decompress(h.compression(), records, max_decompressed_bytes);
    if (!plain.ok()) return plain.status();
    out.storage = std::move(*plain);
    records = out.storage;
  }
  // [decode-count-check]
  // The count decides an allocation, so it must fit the bytes first.
  size_t count = size_t(h.records_count);
  if (count > records.size() / kMinRecordSize) {
    return Corrupt(
        fmt::format("recordsCount {} cannot fit in {} bytes of records", count, records.size()));
  }
  out.records.reserve(count);
  // [decode-count-check]
  ByteReader r(records);
  // Offsets rise strictly and stay within the batch's range, so a consumer
  // can trust NextOffset() and the order (the builders of every client
  // write 0, 1, ...; compaction only leaves gaps).
  int64_t previous = -1;
  for (size_t i = 0; i < count; ++i) {
    RecordView& record = out.records.emplace_back();
    if (const char* why = DecodeRecord(r, h, record)) {
      return Corrupt(fmt::format("record {} of {}: {}", i, count, why));
    }
    int64_t delta = int64_t(uint64_t(record.offset) - uint64_t(h.base_offset));
    if (delta <= previous || delta > h.last_offset_delta) {
      return Corrupt(fmt::format("record {} of {}: offsetDelta {} after {}, lastOffsetDelta {}", i,
                                 count, delta, previous, h.last_offset_delta));
    }
    previous = delta;
  }
  if (r.remaining() != 0) {
    return Corrupt(fmt::format("{} bytes after the last of {} records", r.remaining(), count));
  }
  return out;
}

Result<std::vector<DecodedBatch>> DecodeBatches(ByteSpan batches, size_t max_decompressed_bytes) {
  std::vector<DecodedBatch> out;
  for (size_t pos = 0; pos < batches.size();) {
    Result<DecodedBatch> batch = DecodeBatch(batches.subspan(pos), max_decompressed_bytes);
    if (!batch.ok()) {
      Status s = batch.status();
      return Status(s.code(), fmt::format("batch at byte {}: {}", pos, s.message()));
    }
    pos += batch->header.SizeInBytes();
    out.push_back(std::move(*batch));
  }
  return out;
}

}  // namespace gregor
