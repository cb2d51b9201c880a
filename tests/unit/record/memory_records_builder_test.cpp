// SPDX-License-Identifier: Apache-2.0
// MemoryRecordsBuilder: Kafka's record encoding, header fields, and round
// trips through every codec.
#include "record/memory_records_builder.h"

#include <gtest/gtest.h>

#include "record/compression.h"
#include "record/record_batch_reader.h"
#include "record_test_util.h"

namespace gregor {
namespace {

using record_test::MakeRecord;
using record_test::SampleRecords;

std::vector<Record> Decoded(const Bytes& batch) {
  Result<DecodedBatch> d = DecodeBatch(batch);
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  std::vector<Record> out;
  if (d.ok()) {
    for (const RecordView& v : d->records) out.push_back(v.ToRecord());
  }
  return out;
}

TEST(MemoryRecordsBuilderTest, EncodesARecordAsKafkaDoes) {
  // length 8, attributes 0, timestampDelta 0, offsetDelta 0, key "k"
  // (zig-zag 1 = 0x02), value "v", no headers.
  EXPECT_EQ(record_test::EncodedRecords({MakeRecord(5, "k", "v")}),
            (Bytes{0x10, 0x00, 0x00, 0x00, 0x02, 'k', 0x02, 'v', 0x00}));
}

TEST(MemoryRecordsBuilderTest, EncodesNullsAsMinusOneAndHeadersAfterTheValue) {
  // Second record: timestampDelta -1 (zig-zag 0x01), offsetDelta 1 (0x02),
  // null key (0x01), null value (0x01), one header "h" with a null value.
  Bytes r = record_test::EncodedRecords(
      {MakeRecord(5, "k", "v"), MakeRecord(4, std::nullopt, std::nullopt, {{"h", std::nullopt}})});
  Bytes second(r.begin() + 9, r.end());
  EXPECT_EQ(second, (Bytes{0x12, 0x00, 0x01, 0x02, 0x01, 0x01, 0x02, 0x02, 'h', 0x01}));
}

TEST(MemoryRecordsBuilderTest, BaseTimestampIsTheFirstAndMaxTimestampTheLargest) {
  Bytes b =
      BuildBatch({MakeRecord(50, "a", "1"), MakeRecord(70, "b", "2"), MakeRecord(10, "c", "3")});
  RecordBatchHeader h = ReadBatchHeader(b);
  EXPECT_EQ(h.base_timestamp, 50);
  EXPECT_EQ(h.max_timestamp, 70);
  std::vector<Record> d = Decoded(b);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[2].timestamp, 10);
}

TEST(MemoryRecordsBuilderTest, HeaderCarriesOptionsAndCounts) {
  BatchOptions o;
  o.base_offset = 100;
  o.producer_id = 77;
  o.producer_epoch = 4;
  o.base_sequence = 12;
  o.transactional = true;
  o.control = true;
  o.compression = CompressionType::kLz4;
  Bytes b = BuildBatch(SampleRecords(), o);
  Result<RecordBatchHeader> h = ValidateBatch(b, b.size());
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->base_offset, 100);
  EXPECT_EQ(h->partition_leader_epoch, -1);
  EXPECT_EQ(h->producer_id, 77);
  EXPECT_EQ(h->producer_epoch, 4);
  EXPECT_EQ(h->base_sequence, 12);
  EXPECT_TRUE(h->is_transactional());
  EXPECT_TRUE(h->is_control());
  EXPECT_EQ(h->compression(), CompressionType::kLz4);
  EXPECT_EQ(h->records_count, int32_t(SampleRecords().size()));
  EXPECT_EQ(h->last_offset_delta, int32_t(SampleRecords().size()) - 1);
  EXPECT_EQ(h->SizeInBytes(), b.size());
}

TEST(MemoryRecordsBuilderTest, ProducerDefaultsAreNoIdempotence) {
  RecordBatchHeader h = ReadBatchHeader(BuildBatch(SampleRecords()));
  EXPECT_EQ(h.producer_id, -1);
  EXPECT_EQ(h.producer_epoch, -1);
  EXPECT_EQ(h.base_sequence, -1);
  EXPECT_EQ(h.attributes, 0);
}

TEST(MemoryRecordsBuilderTest, EstimatedSizeIsTheUncompressedBatchSize) {
  MemoryRecordsBuilder builder;
  EXPECT_EQ(builder.EstimatedSize(), BatchLayout::kHeaderSize);
  for (const Record& r : SampleRecords()) builder.Append(r);
  size_t estimate = builder.EstimatedSize();
  EXPECT_EQ(builder.records(), int(SampleRecords().size()));
  EXPECT_EQ(builder.Build().size(), estimate);
}

TEST(MemoryRecordsBuilderTest, AppendWithOffsetDeltaLeavesGaps) {
  MemoryRecordsBuilder builder;
  builder.AppendWithOffsetDelta(0, MakeRecord(1, "a", "1"));
  builder.AppendWithOffsetDelta(3, MakeRecord(2, "b", "2"));
  builder.AppendWithOffsetDelta(9, MakeRecord(3, "c", "3"));
  builder.Append(MakeRecord(4, "d", "4"));
  Bytes b = builder.Build();
  Result<DecodedBatch> d = DecodeBatch(b);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->header.last_offset_delta, 10);
  EXPECT_EQ(d->header.records_count, 4);
  std::vector<int64_t> offsets;
  for (const RecordView& v : d->records) offsets.push_back(v.offset);
  EXPECT_EQ(offsets, (std::vector<int64_t>{0, 3, 9, 10}));
}

TEST(MemoryRecordsBuilderTest, LogAppendTimeOptionSetsTheBit) {
  BatchOptions o;
  o.timestamp_type = TimestampType::kLogAppendTime;
  Bytes b = BuildBatch(SampleRecords(), o);
  Result<DecodedBatch> d = DecodeBatch(b);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->header.timestamp_type(), TimestampType::kLogAppendTime);
  for (const RecordView& v : d->records) EXPECT_EQ(v.timestamp, d->header.max_timestamp);
}

class BuilderRoundTripTest : public ::testing::TestWithParam<CompressionType> {};

TEST_P(BuilderRoundTripTest, SampleRecordsComeBackEqual) {
  BatchOptions o;
  o.compression = GetParam();
  Bytes b = BuildBatch(SampleRecords(), o);
  EXPECT_EQ(ReadBatchHeader(b).compression(), GetParam());
  EXPECT_EQ(Decoded(b), SampleRecords());
}

TEST_P(BuilderRoundTripTest, TenThousandRecordsComeBackEqual) {
  std::vector<Record> records;
  for (int i = 0; i < 10000; ++i) {
    Record r;
    r.timestamp = 1700000000000 + (i * 7919) % 5000 - 2500;
    if (i % 7 != 0) r.key = "key-" + std::to_string(i);
    if (i % 11 != 0) r.value = std::string(size_t(i % 200), char('a' + i % 26));
    if (i % 3 == 0) r.headers = {{"n", std::to_string(i)}, {"null", std::nullopt}};
    records.push_back(std::move(r));
  }
  BatchOptions o;
  o.compression = GetParam();
  Bytes b = BuildBatch(records, o);
  if (GetParam() != CompressionType::kNone) {
    EXPECT_LT(b.size(), BuildBatch(records).size() / 2);  // it did compress
  }
  EXPECT_EQ(Decoded(b), records);
}

TEST_P(BuilderRoundTripTest, CompressionLevelIsHonoured) {
  BatchOptions o;
  o.compression = GetParam();
  o.compression_level = GetParam() == CompressionType::kZstd ? 19 : 9;
  Bytes b = BuildBatch(SampleRecords(), o);
  EXPECT_EQ(ReadBatchHeader(b).compression(), GetParam());
  EXPECT_EQ(Decoded(b), SampleRecords());
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, BuilderRoundTripTest,
                         ::testing::ValuesIn(record_test::AllCodecs()),
                         [](const ::testing::TestParamInfo<CompressionType>& info) {
                           return std::string(CompressionName(info.param));
                         });

}  // namespace
}  // namespace gregor
