// SPDX-License-Identifier: Apache-2.0
// RecordBatch header: field positions, CRC coverage, the broker's stamps
// and ValidateBatch's refusals, one per test.
#include "record/record_batch.h"

#include <gtest/gtest.h>

#include <limits>

#include "record/memory_records_builder.h"
#include "record/record_batch_reader.h"
#include "record_test_util.h"

namespace gregor {
namespace {

using record_test::FixCrc;
using record_test::FixLength;
using record_test::SampleRecords;

constexpr size_t kNoLimit = std::numeric_limits<size_t>::max();

Bytes ValidBatch(BatchOptions options = {}) { return BuildBatch(SampleRecords(), options); }

// A batch written field by field at Kafka's offsets, independently of the
// builder: one record, key "k", value "v", no headers.
Bytes HandMadeBatch() {
  const uint8_t record[] = {0x10, 0x00, 0x00, 0x00, 0x02, 'k', 0x02, 'v', 0x00};
  Bytes b(61 + sizeof record);
  StoreBE64(&b[0], 42);                       // baseOffset
  StoreBE32(&b[8], uint32_t(b.size() - 12));  // batchLength
  StoreBE32(&b[12], 7);                       // partitionLeaderEpoch
  b[16] = 2;                                  // magic
  StoreBE16(&b[21], 0x0010);                  // attributes: transactional
  StoreBE32(&b[23], 0);                       // lastOffsetDelta
  StoreBE64(&b[27], 1700000000000);           // baseTimestamp
  StoreBE64(&b[35], 1700000000123);           // maxTimestamp
  StoreBE64(&b[43], 5555);                    // producerId
  StoreBE16(&b[51], 3);                       // producerEpoch
  StoreBE32(&b[53], 99);                      // baseSequence
  StoreBE32(&b[57], 1);                       // recordsCount
  std::copy(std::begin(record), std::end(record), b.begin() + 61);
  StoreBE32(&b[17], Crc32c(ByteSpan(b).subspan(21)));
  return b;
}

TEST(RecordBatchTest, HeaderFieldsSitAtKafkasOffsets) {
  Bytes b = HandMadeBatch();
  RecordBatchHeader h = ReadBatchHeader(b);
  EXPECT_EQ(h.base_offset, 42);
  EXPECT_EQ(h.batch_length, int32_t(b.size() - 12));
  EXPECT_EQ(h.partition_leader_epoch, 7);
  EXPECT_EQ(h.magic, 2);
  EXPECT_EQ(h.crc, LoadBE32(&b[17]));
  EXPECT_EQ(h.attributes, 0x0010);
  EXPECT_TRUE(h.is_transactional());
  EXPECT_FALSE(h.is_control());
  EXPECT_EQ(h.compression(), CompressionType::kNone);
  EXPECT_EQ(h.timestamp_type(), TimestampType::kCreateTime);
  EXPECT_EQ(h.last_offset_delta, 0);
  EXPECT_EQ(h.base_timestamp, 1700000000000);
  EXPECT_EQ(h.max_timestamp, 1700000000123);
  EXPECT_EQ(h.producer_id, 5555);
  EXPECT_EQ(h.producer_epoch, 3);
  EXPECT_EQ(h.base_sequence, 99);
  EXPECT_EQ(h.records_count, 1);
  EXPECT_EQ(h.SizeInBytes(), b.size());
  EXPECT_EQ(h.NextOffset(), 43);
}

TEST(RecordBatchTest, HandMadeBatchValidatesAndDecodes) {
  Bytes b = HandMadeBatch();
  ASSERT_TRUE(ValidateBatch(b, kNoLimit).ok());
  Result<DecodedBatch> d = DecodeBatch(b);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->records.size(), 1u);
  EXPECT_EQ(d->records[0].offset, 42);
  EXPECT_EQ(d->records[0].timestamp, 1700000000000);
  EXPECT_EQ(d->records[0].key, "k");
  EXPECT_EQ(d->records[0].value, "v");
}

TEST(RecordBatchTest, BuilderWritesTheSameBytesAsTheHandMadeBatch) {
  BatchOptions o;
  o.base_offset = 42;
  o.producer_id = 5555;
  o.producer_epoch = 3;
  o.base_sequence = 99;
  o.transactional = true;
  MemoryRecordsBuilder builder(o);
  builder.Append(record_test::MakeRecord(1700000000000, "k", "v"));
  Bytes built = builder.Build();
  Bytes hand = HandMadeBatch();
  // Only the stamps differ: epoch (-1 from a producer) and maxTimestamp.
  SetPartitionLeaderEpoch(hand, -1);
  StoreBE64(&hand[35], 1700000000000);
  FixCrc(hand);
  EXPECT_EQ(built, hand);
}

TEST(RecordBatchTest, CrcCoversAttributesToTheEnd) {
  Bytes good = ValidBatch();
  for (size_t i = BatchLayout::kAttributes; i < good.size(); ++i) {
    Bytes b = good;
    b[i] ^= 0x01;
    Result<RecordBatchHeader> r = ValidateBatch(b, kNoLimit);
    ASSERT_FALSE(r.ok()) << "flip at " << i;
    // A flip in a header field may be refused before the CRC (a count, the
    // codec); in the records only the CRC can see it.
    if (i >= BatchLayout::kRecords) {
      EXPECT_NE(r.status().message().find("CRC"), std::string::npos) << i;
    }
  }
}

TEST(RecordBatchTest, CrcDoesNotCoverBaseOffsetOrLeaderEpoch) {
  Bytes good = ValidBatch();
  for (size_t i : {size_t(0), size_t(3), size_t(7), size_t(12), size_t(15)}) {
    Bytes b = good;
    b[i] ^= 0xff;
    EXPECT_TRUE(ValidateBatch(b, kNoLimit).ok()) << "flip at " << i;
  }
}

TEST(RecordBatchTest, SetBaseOffsetKeepsCrcValid) {
  Bytes b = ValidBatch();
  SetBaseOffset(b, 1234567890123);
  Result<RecordBatchHeader> h = ValidateBatch(b, kNoLimit);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->base_offset, 1234567890123);
  Result<DecodedBatch> d = DecodeBatch(b);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->records.front().offset, 1234567890123);
  EXPECT_EQ(d->records.back().offset, 1234567890123 + int64_t(SampleRecords().size()) - 1);
}

TEST(RecordBatchTest, SetPartitionLeaderEpochKeepsCrcValid) {
  Bytes b = ValidBatch();
  SetPartitionLeaderEpoch(b, 17);
  Result<RecordBatchHeader> h = ValidateBatch(b, kNoLimit);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->partition_leader_epoch, 17);
}

TEST(RecordBatchTest, SetLogAppendTimeSetsBitAndMaxTimestampAndRecomputesCrc) {
  for (CompressionType c : record_test::AllCodecs()) {
    BatchOptions o;
    o.compression = c;
    Bytes b = ValidBatch(o);
    uint32_t old_crc = LoadBE32(&b[BatchLayout::kCrc]);
    SetLogAppendTime(b, 1800000000000);
    EXPECT_NE(LoadBE32(&b[BatchLayout::kCrc]), old_crc);
    Result<RecordBatchHeader> h = ValidateBatch(b, kNoLimit);
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    EXPECT_EQ(h->timestamp_type(), TimestampType::kLogAppendTime);
    EXPECT_EQ(h->max_timestamp, 1800000000000);
    EXPECT_EQ(h->compression(), c);
  }
}

TEST(RecordBatchTest, SetLogAppendTimeLeavesFollowingBatchAlone) {
  Bytes two = ValidBatch();
  Bytes second = ValidBatch();
  size_t first_size = two.size();
  two.insert(two.end(), second.begin(), second.end());
  SetLogAppendTime(two, 5);
  EXPECT_TRUE(ValidateBatch(two, kNoLimit).ok());
  EXPECT_TRUE(std::equal(second.begin(), second.end(), two.begin() + first_size));
}

TEST(RecordBatchTest, PeekBatchSizeReadsTheLengthField) {
  Bytes b = ValidBatch();
  EXPECT_EQ(PeekBatchSize(b), b.size());
  EXPECT_EQ(PeekBatchSize(ByteSpan(b).first(12)), b.size());
  EXPECT_EQ(PeekBatchSize(ByteSpan(b).first(11)), std::nullopt);
  StoreBE32(&b[8], uint32_t(-1));
  EXPECT_EQ(PeekBatchSize(b), std::nullopt);
}

TEST(RecordBatchTest, EveryTruncatedPrefixFailsCleanly) {
  for (CompressionType c : {CompressionType::kNone, CompressionType::kGzip}) {
    BatchOptions o;
    o.compression = c;
    Bytes good = ValidBatch(o);
    for (size_t n = 0; n < good.size(); ++n) {
      Bytes prefix(good.begin(), good.begin() + n);  // exact size: ASan sees overreads
      Result<RecordBatchHeader> v = ValidateBatch(prefix, kNoLimit);
      ASSERT_FALSE(v.ok()) << n;
      EXPECT_EQ(v.status().code(), ErrorCode::kCorruptMessage) << n;
      ASSERT_FALSE(DecodeBatch(prefix).ok()) << n;
      if (n > 0) {  // no bytes at all are zero batches
        ASSERT_FALSE(DecodeBatches(prefix).ok()) << n;
      }
    }
  }
}

TEST(RecordBatchTest, NegativeBatchLengthIsCorrupt) {
  Bytes b = ValidBatch();
  StoreBE32(&b[8], uint32_t(-5));
  Result<RecordBatchHeader> r = ValidateBatch(b, kNoLimit);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kCorruptMessage);
  EXPECT_NE(r.status().message().find("negative batchLength"), std::string::npos);
}

TEST(RecordBatchTest, HugeBatchLengthIsMessageTooLarge) {
  Bytes b = ValidBatch();
  StoreBE32(&b[8], uint32_t(std::numeric_limits<int32_t>::max()));
  Result<RecordBatchHeader> r = ValidateBatch(b, 1 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kMessageTooLarge);
}

TEST(RecordBatchTest, HugeBatchLengthBeyondTheBytesIsCorrupt) {
  Bytes b = ValidBatch();
  StoreBE32(&b[8], uint32_t(std::numeric_limits<int32_t>::max()));
  Result<RecordBatchHeader> r = ValidateBatch(b, kNoLimit);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kCorruptMessage);
}

TEST(RecordBatchTest, BatchOfExactlyTheMaximumIsAccepted) {
  Bytes b = ValidBatch();
  EXPECT_TRUE(ValidateBatch(b, b.size()).ok());
  Result<RecordBatchHeader> r = ValidateBatch(b, b.size() - 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kMessageTooLarge);
}

TEST(RecordBatchTest, BatchLengthBelowTheHeaderIsCorrupt) {
  Bytes b = ValidBatch();
  StoreBE32(&b[8], 48);
  Result<RecordBatchHeader> r = ValidateBatch(b, kNoLimit);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kCorruptMessage);
}

TEST(RecordBatchTest, BadCrcIsCorruptAndNamesBothValues) {
  Bytes b = ValidBatch();
  uint32_t stored = LoadBE32(&b[BatchLayout::kCrc]) ^ 0xdeadbeef;
  StoreBE32(&b[BatchLayout::kCrc], stored);
  Result<RecordBatchHeader> r = ValidateBatch(b, kNoLimit);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kCorruptMessage);
  std::string m = r.status().message();
  EXPECT_NE(m.find("expected"), std::string::npos) << m;
  EXPECT_NE(m.find("actual"), std::string::npos) << m;
  char hex[16];
  std::snprintf(hex, sizeof hex, "%08x", stored);
  EXPECT_NE(m.find(hex), std::string::npos) << m;
}

TEST(RecordBatchTest, WrongMagicIsCorrupt) {
  for (int8_t magic : {0, 1, 3, -1}) {
    Bytes b = ValidBatch();
    b[BatchLayout::kMagic] = uint8_t(magic);
    Result<RecordBatchHeader> r = ValidateBatch(b, kNoLimit);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kCorruptMessage);
    EXPECT_NE(r.status().message().find("magic"), std::string::npos);
  }
}

TEST(RecordBatchTest, UnknownCompressionTypeIsUnsupported) {
  for (int16_t codec : {5, 6, 7}) {
    Bytes b = ValidBatch();
    StoreBE16(&b[BatchLayout::kAttributes], uint16_t(codec));
    FixCrc(b);
    Result<RecordBatchHeader> r = ValidateBatch(b, kNoLimit);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kUnsupportedCompressionType);
  }
}

TEST(RecordBatchTest, NegativeRecordsCountIsCorrupt) {
  Bytes b = ValidBatch();
  StoreBE32(&b[BatchLayout::kRecordsCount], uint32_t(-1));
  FixCrc(b);
  Result<RecordBatchHeader> r = ValidateBatch(b, kNoLimit);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kCorruptMessage);
}

TEST(RecordBatchTest, NegativeLastOffsetDeltaIsCorrupt) {
  Bytes b = ValidBatch();
  StoreBE32(&b[BatchLayout::kLastOffsetDelta], uint32_t(-1));
  FixCrc(b);
  EXPECT_FALSE(ValidateBatch(b, kNoLimit).ok());
}

TEST(RecordBatchTest, MoreRecordsThanOffsetDeltasIsCorrupt) {
  Bytes b = ValidBatch();  // 6 records, lastOffsetDelta 5
  StoreBE32(&b[BatchLayout::kLastOffsetDelta], 4);
  FixCrc(b);
  EXPECT_FALSE(ValidateBatch(b, kNoLimit).ok());
  StoreBE32(&b[BatchLayout::kLastOffsetDelta], 9);  // a compacted batch: fine
  FixCrc(b);
  EXPECT_TRUE(ValidateBatch(b, kNoLimit).ok());
}

TEST(RecordBatchTest, BytesAfterTheBatchAreNotLookedAt) {
  Bytes b = ValidBatch();
  b.push_back(0xff);
  EXPECT_TRUE(ValidateBatch(b, kNoLimit).ok());
}

TEST(RecordBatchTest, ShrunkBatchLengthWithFixedCrcStillFailsLater) {
  // batchLength one short: the CRC no longer covers the last byte, fails.
  Bytes b = ValidBatch();
  StoreBE32(&b[8], LoadBE32(&b[8]) - 1);
  EXPECT_FALSE(ValidateBatch(b, kNoLimit).ok());
  // Fix the CRC over the shorter range: valid header, but the records no longer parse.
  b.pop_back();
  FixLength(b);
  FixCrc(b);
  EXPECT_TRUE(ValidateBatch(b, kNoLimit).ok());
  EXPECT_FALSE(DecodeBatch(b).ok());
}

}  // namespace
}  // namespace gregor
