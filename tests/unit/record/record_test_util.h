// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the record tests: sample records, hand-made batches
// (a records section wrapped in a header with a correct CRC), and tampering
// that keeps or fixes the CRC.
#pragma once

#include <string>
#include <vector>

#include "common/crc32c.h"
#include "record/memory_records_builder.h"
#include "record/record.h"
#include "record/record_batch.h"

namespace gregor::record_test {

inline Record MakeRecord(int64_t ts, std::optional<std::string> key,
                         std::optional<std::string> value, std::vector<Header> headers = {}) {
  return Record{ts, std::move(key), std::move(value), std::move(headers)};
}

// Keys, a null key, a null value, headers (one with a null value), empty
// strings and a timestamp below the first (a negative delta).
inline std::vector<Record> SampleRecords() {
  return {
      MakeRecord(1000, "k0", "v0"),
      MakeRecord(1005, std::nullopt, "value without key"),
      MakeRecord(1001, "tombstone", std::nullopt),
      MakeRecord(999, "h", "with headers", {{"trace", "abc"}, {"nullable", std::nullopt}}),
      MakeRecord(1010, "", ""),
      MakeRecord(1003, std::string(300, 'k'), std::string(5000, 'v'), {{"", ""}}),
  };
}

inline void FixCrc(Bytes& batch) {
  StoreBE32(batch.data() + BatchLayout::kCrc,
            Crc32c(ByteSpan(batch).subspan(BatchLayout::kAttributes)));
}

inline void FixLength(Bytes& batch) {
  StoreBE32(batch.data() + BatchLayout::kBatchLength,
            uint32_t(batch.size() - BatchLayout::kLogOverhead));
}

// A batch around a hand-written records section (compressed or not, as
// `attributes` says), with the length and CRC right.
inline Bytes WrapRecords(ByteSpan records, int32_t count, int16_t attributes = 0,
                         int64_t base_offset = 0, int64_t base_timestamp = 1000) {
  Bytes b(BatchLayout::kHeaderSize);
  StoreBE64(b.data() + BatchLayout::kBaseOffset, uint64_t(base_offset));
  StoreBE32(b.data() + BatchLayout::kPartitionLeaderEpoch, uint32_t(-1));
  b[BatchLayout::kMagic] = 2;
  StoreBE16(b.data() + BatchLayout::kAttributes, uint16_t(attributes));
  StoreBE32(b.data() + BatchLayout::kLastOffsetDelta, uint32_t(count > 0 ? count - 1 : 0));
  StoreBE64(b.data() + BatchLayout::kBaseTimestamp, uint64_t(base_timestamp));
  StoreBE64(b.data() + BatchLayout::kMaxTimestamp, uint64_t(base_timestamp));
  StoreBE64(b.data() + BatchLayout::kProducerId, uint64_t(-1));
  StoreBE16(b.data() + BatchLayout::kProducerEpoch, uint16_t(-1));
  StoreBE32(b.data() + BatchLayout::kBaseSequence, uint32_t(-1));
  StoreBE32(b.data() + BatchLayout::kRecordsCount, uint32_t(count));
  b.insert(b.end(), records.begin(), records.end());
  FixLength(b);
  FixCrc(b);
  return b;
}

// The records section of an uncompressed batch built from `records`.
inline Bytes EncodedRecords(const std::vector<Record>& records) {
  Bytes batch = BuildBatch(records);
  return Bytes(batch.begin() + BatchLayout::kHeaderSize, batch.end());
}

inline const std::vector<CompressionType>& AllCodecs() {
  static const std::vector<CompressionType> all = {CompressionType::kNone, CompressionType::kGzip,
                                                   CompressionType::kSnappy, CompressionType::kLz4,
                                                   CompressionType::kZstd};
  return all;
}

}  // namespace gregor::record_test
