// SPDX-License-Identifier: Apache-2.0
// Writes the seed corpus of record_batch_fuzzer into the directory given
// (fuzz/corpus/record_batch): small valid batches of every codec and kind,
// a few broken ones, and one bare stream per codec for the direct path.
// Not built by default:
//   cmake --build build --target record_batch_make_corpus
//   build/fuzz/record_batch_make_corpus fuzz/corpus/record_batch
#include <snappy.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "common/crc32c.h"
#include "record/compression.h"
#include "record/memory_records_builder.h"

namespace gregor {
namespace {

std::vector<Record> Sample() {
  return {
      Record{1700000000000, "key", "value", {}},
      Record{1700000000005, std::nullopt, "no key", {{"trace", "t1"}}},
      Record{1699999999990, "tombstone", std::nullopt, {{"h", std::nullopt}, {"", ""}}},
      Record{1700000000001, "", std::string(40, 'z'), {}},
  };
}

Bytes Batch(CompressionType c, BatchOptions o = {}) {
  o.compression = c;
  return BuildBatch(Sample(), o);
}

void Write(const std::filesystem::path& dir, const char* name, const Bytes& b) {
  std::ofstream(dir / name, std::ios::binary)
      .write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}

void FixCrc(Bytes& b) {
  StoreBE32(b.data() + BatchLayout::kCrc, Crc32c(ByteSpan(b).subspan(BatchLayout::kAttributes)));
}

}  // namespace
}  // namespace gregor

int main(int argc, char** argv) {
  using namespace gregor;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  std::filesystem::path dir(argv[1]);
  std::filesystem::create_directories(dir);
  for (CompressionType c :
       {CompressionType::kNone, CompressionType::kGzip, CompressionType::kSnappy,
        CompressionType::kLz4, CompressionType::kZstd}) {
    Write(dir, (std::string(CompressionName(c)) + ".bin").c_str(), Batch(c));
  }
  Bytes two = Batch(CompressionType::kNone);
  BatchOptions second;
  second.base_offset = 4;
  Bytes z = Batch(CompressionType::kZstd, second);
  two.insert(two.end(), z.begin(), z.end());
  Write(dir, "two-batches.bin", two);

  Bytes lat = Batch(CompressionType::kLz4);
  SetLogAppendTime(lat, 1800000000000);
  Write(dir, "log-append-time.bin", lat);

  // A COMMIT marker: key = version 0, type 1; value = version 0, epoch 7.
  BatchOptions marker;
  marker.control = true;
  marker.transactional = true;
  marker.producer_id = 42;
  marker.producer_epoch = 1;
  Write(dir, "control-commit.bin",
        BuildBatch(
            {Record{1700000000000, std::string("\0\0\0\1", 4), std::string("\0\0\0\0\0\7", 6), {}}},
            marker));

  MemoryRecordsBuilder gaps({CompressionType::kGzip});
  gaps.AppendWithOffsetDelta(0, Sample()[0]);
  gaps.AppendWithOffsetDelta(5, Sample()[1]);
  gaps.AppendWithOffsetDelta(6, Sample()[2]);
  Write(dir, "compacted-gaps.bin", gaps.Build());

  // Raw (not xerial) snappy, as librdkafka writes it.
  Bytes plain = Batch(CompressionType::kNone);
  std::string raw;
  snappy::Compress(reinterpret_cast<const char*>(plain.data() + BatchLayout::kHeaderSize),
                   plain.size() - BatchLayout::kHeaderSize, &raw);
  Bytes rs(plain.begin(), plain.begin() + BatchLayout::kHeaderSize);
  rs.insert(rs.end(), raw.begin(), raw.end());
  StoreBE32(rs.data() + BatchLayout::kBatchLength, uint32_t(rs.size() - BatchLayout::kLogOverhead));
  StoreBE16(rs.data() + BatchLayout::kAttributes, uint16_t(CompressionType::kSnappy));
  FixCrc(rs);
  Write(dir, "snappy-raw.bin", rs);

  MemoryRecordsBuilder empty;
  Write(dir, "empty-batch.bin", empty.Build());

  Bytes truncated = Batch(CompressionType::kNone);
  truncated.resize(truncated.size() - 10);
  Write(dir, "truncated.bin", truncated);

  Bytes bad_crc = Batch(CompressionType::kGzip);
  bad_crc[BatchLayout::kCrc] ^= 0x5a;
  Write(dir, "bad-crc.bin", bad_crc);

  // The fuzzer's direct codec path: first byte = codec (mod 5), then one
  // stream of that codec, without a batch or CRC around it.
  for (CompressionType c : {CompressionType::kGzip, CompressionType::kSnappy,
                            CompressionType::kLz4, CompressionType::kZstd}) {
    Bytes records(plain.begin() + BatchLayout::kHeaderSize, plain.end());
    Result<Bytes> packed = Compress(c, records);
    if (!packed.ok()) return 1;
    Bytes seed = {uint8_t(c)};
    seed.insert(seed.end(), packed->begin(), packed->end());
    Write(dir, ("codec-" + std::string(CompressionName(c)) + ".bin").c_str(), seed);
  }
  return 0;
}
