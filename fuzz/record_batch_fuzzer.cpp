// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the record batch parser: ValidateBatch, DecodeBatches and
// the codecs take the input as it comes, with a 1 MiB decompression cap.
//
// A mutated batch almost always fails its CRC, which would keep the fuzzer
// out of the record decoder and the codecs. So the input is also decoded
// once more with every batch's CRC recomputed (walking by batchLength), and
// its first byte picks a codec to run directly on the rest. Whatever
// decodes is checked against an oracle: rebuilt with MemoryRecordsBuilder,
// the records must decode back to the same offsets, timestamps, keys,
// values and headers. Any mismatch aborts, which the fuzzer reports.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "common/crc32c.h"
#include "record/compression.h"
#include "record/memory_records_builder.h"
#include "record/record_batch_reader.h"

namespace gregor {
namespace {

constexpr size_t kCap = size_t(1) << 20;

Bytes WithFixedCrcs(ByteSpan in) {
  Bytes out(in.begin(), in.end());
  size_t pos = 0;
  while (std::optional<size_t> size = PeekBatchSize(ByteSpan(out).subspan(pos))) {
    if (*size < BatchLayout::kAttributes || *size > out.size() - pos) break;
    ByteSpan covered(out.data() + pos + BatchLayout::kAttributes, *size - BatchLayout::kAttributes);
    StoreBE32(out.data() + pos + BatchLayout::kCrc, Crc32c(covered));
    pos += *size;
  }
  return out;
}

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "record_batch_fuzzer: oracle failed: %s\n", what);
    std::abort();
  }
}

// Re-encodes a decoded batch and checks it decodes to the same records.
void CheckRoundTrip(const DecodedBatch& batch) {
  if (batch.records.empty()) return;
  BatchOptions options;
  options.base_offset = batch.header.base_offset;
  MemoryRecordsBuilder builder(options);
  for (const RecordView& v : batch.records) {
    int32_t delta = int32_t(uint64_t(v.offset) - uint64_t(batch.header.base_offset));
    builder.AppendWithOffsetDelta(delta, v.ToRecord());
  }
  Bytes rebuilt = builder.Build();
  Result<DecodedBatch> again = DecodeBatch(rebuilt, kCap);
  if (!again.ok()) std::fprintf(stderr, "%s\n", again.status().ToString().c_str());
  Check(again.ok(), "a rebuilt batch does not decode");
  Check(again->records.size() == batch.records.size(), "record count changed");
  for (size_t i = 0; i < batch.records.size(); ++i) {
    const RecordView& a = batch.records[i];
    const RecordView& b = again->records[i];
    Check(a.offset == b.offset && a.timestamp == b.timestamp, "offset or timestamp changed");
    Check(a.ToRecord() == b.ToRecord(), "key, value or headers changed");
  }
}

void Decode(ByteSpan in) {
  Result<RecordBatchHeader> header = ValidateBatch(in, kCap);
  if (header.ok()) Check(PeekBatchSize(in) == header->SizeInBytes(), "PeekBatchSize disagrees");
  Result<std::vector<DecodedBatch>> batches = DecodeBatches(in, kCap);
  if (!batches.ok()) return;
  for (const DecodedBatch& b : *batches) CheckRoundTrip(b);
}

}  // namespace
}  // namespace gregor

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gregor;
  ByteSpan in(data, size);
  Decode(in);
  Bytes fixed = WithFixedCrcs(in);
  Decode(fixed);
  if (size > 0) {
    Result<Bytes> out = Decompress(CompressionType(data[0] % 5), in.subspan(1), kCap);
    Check(!out.ok() || out->size() <= kCap, "output above the cap");
  }
  return 0;
}
