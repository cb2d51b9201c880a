// SPDX-License-Identifier: Apache-2.0
// DecodeBatch / DecodeBatches: offsets and timestamps from deltas, views,
// and every way the records section can be malformed.
#include "record/record_batch_reader.h"

#include <gtest/gtest.h>

#include <limits>

#include "record/compression.h"
#include "record_test_util.h"

namespace gregor {
namespace {

using record_test::EncodedRecords;
using record_test::MakeRecord;
using record_test::SampleRecords;
using record_test::WrapRecords;

void ExpectCorrupt(const Bytes& batch, const std::string& why = "") {
  Result<DecodedBatch> d = DecodeBatch(batch);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), ErrorCode::kCorruptMessage) << d.status().ToString();
  if (!why.empty()) {
    EXPECT_NE(d.status().message().find(why), std::string::npos) << d.status().ToString();
  }
}

TEST(RecordBatchReaderTest, OffsetsAndTimestampsComeFromTheDeltas) {
  BatchOptions o;
  o.base_offset = 1000;
  Bytes b = BuildBatch(
      {MakeRecord(500, "a", "1"), MakeRecord(400, "b", "2"), MakeRecord(900, "c", "3")}, o);
  Result<DecodedBatch> d = DecodeBatch(b);
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->records.size(), 3u);
  EXPECT_EQ(d->records[0].offset, 1000);
  EXPECT_EQ(d->records[2].offset, 1002);
  EXPECT_EQ(d->records[0].timestamp, 500);
  EXPECT_EQ(d->records[1].timestamp, 400);
  EXPECT_EQ(d->records[2].timestamp, 900);
}

TEST(RecordBatchReaderTest, LogAppendTimeGivesEveryRecordTheMaxTimestamp) {
  Bytes b = BuildBatch(SampleRecords());
  SetLogAppendTime(b, 424242);
  Result<DecodedBatch> d = DecodeBatch(b);
  ASSERT_TRUE(d.ok());
  for (const RecordView& v : d->records) EXPECT_EQ(v.timestamp, 424242);
}

TEST(RecordBatchReaderTest, UncompressedRecordsAreViewsIntoTheBatch) {
  Bytes b = BuildBatch(SampleRecords());
  Result<DecodedBatch> d = DecodeBatch(b);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->storage.empty());
  auto inside = [&](std::string_view s) {
    auto p = reinterpret_cast<const uint8_t*>(s.data());
    return p >= b.data() && p + s.size() <= b.data() + b.size();
  };
  EXPECT_TRUE(inside(*d->records[0].key));
  EXPECT_TRUE(inside(*d->records[3].value));
  EXPECT_TRUE(inside(d->records[3].headers[0].key));
}

TEST(RecordBatchReaderTest, CompressedRecordsViewIntoStorageThatSurvivesAMove) {
  BatchOptions o;
  o.compression = CompressionType::kZstd;
  Result<DecodedBatch> d = DecodeBatch(BuildBatch(SampleRecords(), o));
  ASSERT_TRUE(d.ok());
  DecodedBatch moved = std::move(*d);
  ASSERT_FALSE(moved.storage.empty());
  auto p = reinterpret_cast<const uint8_t*>(moved.records[0].key->data());
  EXPECT_GE(p, moved.storage.data());
  EXPECT_LT(p, moved.storage.data() + moved.storage.size());
  std::vector<Record> got;
  for (const RecordView& v : moved.records) got.push_back(v.ToRecord());
  EXPECT_EQ(got, SampleRecords());
}

TEST(RecordBatchReaderTest, HeadersKeepOrderAndNullValues) {
  Bytes b = BuildBatch(SampleRecords());  // outlives the views
  Result<DecodedBatch> d = DecodeBatch(b);
  ASSERT_TRUE(d.ok());
  const RecordView& r = d->records[3];
  ASSERT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.headers[0].key, "trace");
  EXPECT_EQ(r.headers[0].value, "abc");
  EXPECT_EQ(r.headers[1].key, "nullable");
  EXPECT_FALSE(r.headers[1].value.has_value());
}

TEST(RecordBatchReaderTest, EmptyBatchDecodesToNoRecords) {
  Bytes b = WrapRecords({}, 0);
  Result<DecodedBatch> d = DecodeBatch(b);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_TRUE(d->records.empty());
}

TEST(RecordBatchReaderTest, RecordCountBeyondTheBytesIsRefusedBeforeAllocating) {
  Bytes records = EncodedRecords(SampleRecords());
  Bytes b = WrapRecords(records, 6);
  StoreBE32(&b[BatchLayout::kRecordsCount], uint32_t(std::numeric_limits<int32_t>::max()));
  StoreBE32(&b[BatchLayout::kLastOffsetDelta], uint32_t(std::numeric_limits<int32_t>::max()));
  record_test::FixCrc(b);
  ExpectCorrupt(b, "cannot fit");
}

TEST(RecordBatchReaderTest, MoreRecordsCountedThanPresentIsCorrupt) {
  Bytes records = EncodedRecords({MakeRecord(1, "a", std::string(100, 'x'))});
  ExpectCorrupt(WrapRecords(records, 2), "record 1 of 2");
}

TEST(RecordBatchReaderTest, FewerRecordsCountedThanPresentIsCorrupt) {
  Bytes records = EncodedRecords(SampleRecords());
  ExpectCorrupt(WrapRecords(records, 5), "bytes after the last of 5 records");
}

TEST(RecordBatchReaderTest, TrailingGarbageAfterTheRecordsIsCorrupt) {
  Bytes records = EncodedRecords(SampleRecords());
  records.push_back(0);
  ExpectCorrupt(WrapRecords(records, 6), "1 bytes after the last");
}

TEST(RecordBatchReaderTest, TrailingGarbageInACompressedSectionIsCorrupt) {
  Bytes records = EncodedRecords(SampleRecords());
  records.insert(records.end(), {1, 2, 3});
  Bytes c = *Compress(CompressionType::kGzip, records);
  ExpectCorrupt(WrapRecords(c, 6, int16_t(CompressionType::kGzip)), "3 bytes after the last");
}

TEST(RecordBatchReaderTest, CompressedRecordCountMismatchIsCorrupt) {
  Bytes c = *Compress(CompressionType::kSnappy, EncodedRecords(SampleRecords()));
  ExpectCorrupt(WrapRecords(c, 7, int16_t(CompressionType::kSnappy)));
  ExpectCorrupt(WrapRecords(c, 5, int16_t(CompressionType::kSnappy)));
  EXPECT_TRUE(DecodeBatch(WrapRecords(c, 6, int16_t(CompressionType::kSnappy))).ok());
}

TEST(RecordBatchReaderTest, RecordLengthLongerThanItsFieldsIsCorrupt) {
  // "k"/"v" record with length 9 instead of 8, and a spare byte to cover it.
  Bytes r = {0x12, 0x00, 0x00, 0x00, 0x02, 'k', 0x02, 'v', 0x00, 0x00};
  ExpectCorrupt(WrapRecords(r, 1), "shorter than its length");
}

TEST(RecordBatchReaderTest, RecordLengthShorterThanItsFieldsIsCorrupt) {
  Bytes r = {0x0e, 0x00, 0x00, 0x00, 0x02, 'k', 0x02, 'v', 0x00};
  ExpectCorrupt(WrapRecords(r, 1));
}

TEST(RecordBatchReaderTest, RecordLengthPastTheSectionIsCorrupt) {
  Bytes r = {0x7e, 0x00, 0x00, 0x00, 0x02, 'k', 0x02, 'v', 0x00};
  ExpectCorrupt(WrapRecords(r, 1), "bad record length");
}

TEST(RecordBatchReaderTest, NegativeRecordLengthIsCorrupt) {
  Bytes r = {0x01, 0x00, 0x00, 0x00, 0x02, 'k', 0x02, 'v', 0x00};
  ExpectCorrupt(WrapRecords(r, 1), "bad record length");
}

TEST(RecordBatchReaderTest, VarintTooLongIsCorrupt) {
  // The length varint has six continuation bytes: longer than any int32.
  Bytes r = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00};
  ExpectCorrupt(WrapRecords(r, 1), "bad record length");
  // Same inside the record: a timestampDelta varlong of 11 bytes.
  Bytes t = {0x20, 0x00};
  for (int i = 0; i < 10; ++i) t.push_back(0xff);
  t.insert(t.end(), {0x01, 0x00, 0x01, 0x01, 0x00});
  t[0] = uint8_t((t.size() - 1) * 2);
  ExpectCorrupt(WrapRecords(t, 1));
}

TEST(RecordBatchReaderTest, KeyLengthBelowMinusOneIsCorrupt) {
  Bytes r = {0x0c, 0x00, 0x00, 0x00, 0x03, 0x02, 'v', 0x00};  // keyLength -2
  r.resize(8);
  r[0] = uint8_t((r.size() - 1) * 2);
  ExpectCorrupt(WrapRecords(r, 1), "bad key");
}

TEST(RecordBatchReaderTest, NegativeHeaderCountIsCorrupt) {
  Bytes r = {0x0e, 0x00, 0x00, 0x00, 0x02, 'k', 0x02, 'v', 0x01};  // headerCount -1
  r[0] = uint8_t((r.size() - 1) * 2);
  ExpectCorrupt(WrapRecords(r, 1), "bad header count");
}

TEST(RecordBatchReaderTest, HeaderCountBeyondTheBytesIsCorrupt) {
  Bytes r = {0x00, 0x00, 0x00, 0x00, 0x02, 'k', 0x02, 'v', 0xfe, 0xff, 0xff, 0xff, 0x07};
  r[0] = uint8_t((r.size() - 1) * 2);
  ExpectCorrupt(WrapRecords(r, 1), "bad header count");
}

TEST(RecordBatchReaderTest, NullHeaderKeyIsCorrupt) {
  Bytes r = {0x00, 0x00, 0x00, 0x00, 0x02, 'k', 0x02, 'v', 0x02, 0x01, 0x01};
  r[0] = uint8_t((r.size() - 1) * 2);
  ExpectCorrupt(WrapRecords(r, 1), "bad header key");
}

TEST(RecordBatchReaderTest, NegativeOffsetDeltaIsCorrupt) {
  Bytes r = {0x10, 0x00, 0x00, 0x01, 0x02, 'k', 0x02, 'v', 0x00};  // offsetDelta -1
  ExpectCorrupt(WrapRecords(r, 1), "offsetDelta -1");
}

TEST(RecordBatchReaderTest, OffsetDeltaBeyondLastOffsetDeltaIsCorrupt) {
  Bytes r = {0x10, 0x00, 0x00, 0x04, 0x02, 'k', 0x02, 'v', 0x00};  // offsetDelta 2
  ExpectCorrupt(WrapRecords(r, 1), "offsetDelta 2");
}

TEST(RecordBatchReaderTest, OffsetDeltasOutOfOrderAreCorrupt) {
  MemoryRecordsBuilder builder;
  builder.AppendWithOffsetDelta(1, MakeRecord(1, "a", "1"));
  builder.AppendWithOffsetDelta(1, MakeRecord(2, "b", "2"));  // breaks the REQUIRES
  ExpectCorrupt(builder.Build(), "offsetDelta 1 after 1");
}

TEST(RecordBatchReaderTest, DecodeBatchesWalksConsecutiveBatches) {
  Bytes all;
  int64_t next = 0;
  for (CompressionType c : record_test::AllCodecs()) {
    BatchOptions o;
    o.compression = c;
    o.base_offset = next;
    Bytes b = BuildBatch(SampleRecords(), o);
    next += int64_t(SampleRecords().size());
    all.insert(all.end(), b.begin(), b.end());
  }
  Result<std::vector<DecodedBatch>> d = DecodeBatches(all);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->size(), 5u);
  EXPECT_EQ(d->back().header.compression(), CompressionType::kZstd);
  EXPECT_EQ(d->back().records.back().offset, next - 1);
}

TEST(RecordBatchReaderTest, DecodeBatchesOfNothingIsEmpty) {
  Result<std::vector<DecodedBatch>> d = DecodeBatches({});
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->empty());
}

TEST(RecordBatchReaderTest, DecodeBatchesStopsAtTheFirstBadBatchAndSaysWhere) {
  Bytes first = BuildBatch(SampleRecords());
  Bytes second = BuildBatch(SampleRecords());
  second.back() ^= 1;
  Bytes all = first;
  all.insert(all.end(), second.begin(), second.end());
  Result<std::vector<DecodedBatch>> d = DecodeBatches(all);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("batch at byte " + std::to_string(first.size())),
            std::string::npos)
      << d.status().ToString();
}

TEST(RecordBatchReaderTest, DecodeBatchesRefusesAPartialLastBatch) {
  Bytes all = BuildBatch(SampleRecords());
  all.insert(all.end(), {0, 0, 0});
  EXPECT_FALSE(DecodeBatches(all).ok());
}

TEST(RecordBatchReaderTest, DecompressedSizeOverTheCapIsCorrupt) {
  BatchOptions o;
  o.compression = CompressionType::kGzip;
  Bytes b = BuildBatch(SampleRecords(), o);
  Result<DecodedBatch> d = DecodeBatch(b, 1000);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), ErrorCode::kCorruptMessage);
}

}  // namespace
}  // namespace gregor
