// SPDX-License-Identifier: Apache-2.0
// ProducerBatch and its ProduceRequestResult: appends until full, one
// completion per record whatever happens twice, futures, and splitting a
// batch the broker refused as too large.
#include "producer/producer_batch.h"

#include <gtest/gtest.h>

#include "record/record_batch_reader.h"

namespace gregor {
namespace {

Record MakeRecord(const std::string& key, size_t value_size = 10, int64_t ts = 1000) {
  return Record{ts, key, std::string(value_size, 'v'), {{"h", std::string("x")}}};
}

std::shared_ptr<ProducerBatch> NewBatch(int32_t size = 1024,
                                        CompressionType c = CompressionType::kNone) {
  Bytes buffer;
  buffer.reserve(size_t(size));
  BatchOptions options;
  options.compression = c;
  return std::make_shared<ProducerBatch>(ProducerTopicPartition{"t", 3}, options,
                                         std::move(buffer), size, true, 0);
}

TEST(ProducerBatchTest, AppendsUntilTheBufferWouldOverflow) {
  auto batch = NewBatch(1024);
  int n = 0;
  while (batch->TryAppend(MakeRecord("k" + std::to_string(n), 100), nullptr, 0)) ++n;
  EXPECT_GT(n, 5);
  EXPECT_TRUE(batch->IsFull());
  EXPECT_LE(batch->EstimatedSizeInBytes(), 1024);
  EXPECT_EQ(batch->record_count(), n);
}

TEST(ProducerBatchTest, FirstRecordAlwaysFits) {
  auto batch = NewBatch(100);
  EXPECT_TRUE(batch->TryAppend(MakeRecord("k", 500), nullptr, 0));
  EXPECT_FALSE(batch->TryAppend(MakeRecord("k", 1), nullptr, 0));
}

TEST(ProducerBatchTest, ClosedBatchIsAValidRecordBatch) {
  auto batch = NewBatch(4096, CompressionType::kLz4);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(batch->TryAppend(MakeRecord("k" + std::to_string(i)), nullptr, 0));
  batch->Close();
  EXPECT_FALSE(batch->TryAppend(MakeRecord("late"), nullptr, 0));
  auto decoded = DecodeBatch(batch->records());
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_EQ(decoded->records.size(), 5u);
  EXPECT_EQ(*decoded->records[4].key, "k4");
  EXPECT_EQ(decoded->header.compression(), CompressionType::kLz4);
}

TEST(ProducerBatchTest, DoneCompletesEveryRecordOnceInOrder) {
  auto batch = NewBatch();
  std::vector<int64_t> offsets;
  std::vector<RecordFuture> futures;
  for (int i = 0; i < 3; ++i) {
    futures.push_back(*batch->TryAppend(
        MakeRecord("k", 10, 1000 + i),
        [&](const RecordMetadata& m, const Status& s) {
          EXPECT_TRUE(s.ok());
          offsets.push_back(m.offset);
        },
        0));
  }
  EXPECT_FALSE(futures[0].Ready());
  EXPECT_TRUE(batch->Done(100, -1, Status::Ok()));
  EXPECT_EQ(offsets, (std::vector<int64_t>{100, 101, 102}));
  auto m = futures[2].Get();
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->offset, 102);
  EXPECT_EQ(m->partition, 3);
  EXPECT_EQ(m->timestamp, 1002);
  EXPECT_EQ(m->serialized_key_size, 1);
  EXPECT_EQ(m->serialized_value_size, 10);
}

TEST(ProducerBatchTest, SecondCompletionIsIgnored) {
  auto batch = NewBatch();
  int calls = 0;
  auto f = *batch->TryAppend(MakeRecord("k"), [&](const RecordMetadata&, const Status&) { ++calls; }, 0);
  EXPECT_TRUE(batch->Done(-1, -1, Status(ErrorCode::kRequestTimedOut, "expired")));
  // The late response of a request the batch was expired from.
  EXPECT_FALSE(batch->Done(7, -1, Status::Ok()));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(f.Get().status().code(), ErrorCode::kRequestTimedOut);
}

TEST(ProducerBatchTest, LogAppendTimeReplacesTheTimestamp) {
  auto batch = NewBatch();
  auto f = *batch->TryAppend(MakeRecord("k", 10, 5), nullptr, 0);
  batch->Done(0, 999, Status::Ok());
  EXPECT_EQ(f.Get()->timestamp, 999);
}

TEST(ProducerBatchTest, GetForTimesOutWhilePending) {
  auto batch = NewBatch();
  auto f = *batch->TryAppend(MakeRecord("k"), nullptr, 0);
  auto r = f.GetFor(std::chrono::milliseconds(1));
  EXPECT_EQ(r.status().code(), ErrorCode::kRequestTimedOut);
}

TEST(ProducerBatchTest, SplitMovesRecordsCallbacksAndFutures) {
  auto batch = NewBatch(8192, CompressionType::kGzip);
  std::vector<RecordFuture> futures;
  std::vector<std::string> acked;
  for (int i = 0; i < 20; ++i) {
    futures.push_back(*batch->TryAppend(
        MakeRecord("k" + std::to_string(i), 200),
        [&acked, i](const RecordMetadata&, const Status& s) {
          if (s.ok()) acked.push_back("k" + std::to_string(i));
        },
        0));
  }
  batch->Close();
  auto pieces = batch->Split(1024);
  batch->FinishSplit();
  ASSERT_GT(pieces.size(), 3u);
  EXPECT_TRUE(batch->IsDone());
  EXPECT_TRUE(acked.empty());  // the original batch fires no callback
  EXPECT_FALSE(futures[0].Ready());  // it follows the piece
  int32_t total = 0;
  int64_t base = 0;
  for (auto& p : pieces) {
    EXPECT_LE(p->EstimatedSizeInBytes(), 1024);
    EXPECT_FALSE(p->from_pool());
    total += p->record_count();
    p->Close();
    int32_t n = p->record_count();
    p->Done(base, -1, Status::Ok());
    base += n;
  }
  EXPECT_EQ(total, 20);
  ASSERT_EQ(acked.size(), 20u);
  EXPECT_EQ(acked.front(), "k0");
  EXPECT_EQ(acked.back(), "k19");
  auto m = futures[19].Get();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->offset, 19);
  EXPECT_TRUE(futures[0].Ready());
}

TEST(ProducerBatchTest, ReleaseBufferHandsBackThePoolMemory) {
  Bytes buffer;
  buffer.reserve(512);
  const uint8_t* data = buffer.data();
  ProducerBatch batch(ProducerTopicPartition{"t", 0}, BatchOptions{}, std::move(buffer), 512, true,
                      0);
  batch.TryAppend(MakeRecord("k"), nullptr, 0);
  batch.Close();
  EXPECT_EQ(batch.records().data(), data);  // built in place
  batch.Done(0, -1, Status::Ok());
  Bytes back = batch.ReleaseBuffer();
  EXPECT_EQ(back.data(), data);
  EXPECT_EQ(back.capacity(), 512u);
}

TEST(ProducerBatchTest, CompressedBatchReleasesThePoolBufferNotTheOutput) {
  Bytes buffer;
  buffer.reserve(2048);
  const uint8_t* data = buffer.data();
  BatchOptions options;
  options.compression = CompressionType::kZstd;
  ProducerBatch batch(ProducerTopicPartition{"t", 0}, options, std::move(buffer), 2048, true, 0);
  for (int i = 0; i < 10; ++i) batch.TryAppend(MakeRecord("k", 100), nullptr, 0);
  batch.Close();
  EXPECT_NE(batch.records().data(), data);  // compressed into its own buffer
  EXPECT_LT(batch.EstimatedSizeInBytes(), batch.UncompressedSizeInBytes());
  batch.Done(0, -1, Status::Ok());
  Bytes back = batch.ReleaseBuffer();
  EXPECT_EQ(back.data(), data);
  EXPECT_EQ(back.capacity(), 2048u);
}

}  // namespace
}  // namespace gregor
