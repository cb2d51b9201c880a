// SPDX-License-Identifier: Apache-2.0
// The producer's heap stays within buffer.memory plus a bounded overhead,
// measured with the counting operator new of tests/unit/record (this
// binary links counting_allocator.cpp, so it counts every C++ allocation).
//
// The producer here is the whole caller-to-Sender pipeline — BufferPool,
// RecordAccumulator, ProducerBatch, Sender — in front of MockClient acting
// as a slow broker: it answers one Produce request only when a Send finds
// buffer.memory full, so the pool stays exhausted and the Sender keeps
// max.in.flight requests outstanding for most of the run.
#include <gtest/gtest.h>

#include <cstdio>

#include "../record/counting_allocator.h"
#include "producer/produce_request_result.h"
#include "producer/sender.h"
#include "producer_test_util.h"

namespace gregor {
namespace {

using testing::ClusterResponse;
using testing::MockClient;

constexpr int64_t kBufferMemory = 1 << 20;
constexpr int32_t kBatchSize = 16384;  // Kafka's default batch.size
constexpr int32_t kRecords = 200'000;
constexpr int32_t kValueBytes = 100;

// Produce acknowledgements with offsets, without decoding the request
// (decoding would copy the records and count against the producer).
ProduceResponse Ack(int32_t partition, int64_t base) {
  ProduceResponse resp;
  TopicProduceResponse t;
  t.name = "t";
  PartitionProduceResponse p;
  p.index = partition;
  p.error_code = ErrorCode::kNone;
  p.base_offset = base;
  t.partition_responses.push_back(p);
  resp.responses.push_back(t);
  return resp;
}

TEST(ProducerMemoryTest, HeapStaysWithinBufferMemoryPlusBookkeeping) {
  MockClock clock;
  MockClient client;
  ProducerMetadata metadata({Node{-1, "127.0.0.1", 9000}}, 300000);
  ProducerMetrics metrics;
  metadata.Add("t");
  metadata.Update(ClusterResponse("t", 1, 1), 0);
  SenderConfig sc;
  sc.acks = 1;
  sc.max_in_flight_requests_per_connection = 5;
  RecordAccumulatorConfig ac;
  ac.batch_size = kBatchSize;
  ac.linger_ms = 0;
  BufferPool pool(kBufferMemory, kBatchSize, clock);
  RecordAccumulator acc(ac, pool, clock);
  Sender sender(sc, client, metadata, acc, clock, metrics);

  const Record record{1000, std::nullopt, std::string(kValueBytes, 'v'), {}};
  const std::vector<int32_t> available{0};
  int64_t acked = 0;
  int64_t next_offset = 0;
  int64_t pool_full = 0;  // Sends that found buffer.memory exhausted
  // The slow broker: answer the oldest request, then let the Sender run.
  auto answer_one = [&] {
    sender.RunOnce();
    if (client.size() == 0) return;
    ClientRequest r = client.Take();
    if (r.api_key == ApiKey::kMetadata) {
      MockClient::Answer(r, ClusterResponse("t", 1, 1), 6);
    } else {
      MockClient::Answer(r, Ack(0, next_offset));
      next_offset += 1;  // offsets are not checked here
    }
    sender.RunOnce();
  };

  const size_t before = alloc_count::CurrentBytes();
  alloc_count::ResetPeak();
  for (int32_t i = 0; i < kRecords; ++i) {
    for (;;) {
      // A 16-byte callback, stored inline by std::function, as the perf
      // test's; max.block.ms 0: a full pool fails at once, and the broker
      // answers before we try again.
      auto res = acc.Append(
          "t", -1, record,
          [&acked](const RecordMetadata&, const Status& s) {
            if (s.ok()) ++acked;
          },
          0, 1, available);
      if (res.status.ok()) {
        if (res.new_batch_created) sender.RunOnce();
        break;
      }
      ASSERT_EQ(res.status.code(), ErrorCode::kRequestTimedOut) << res.status.ToString();
      ++pool_full;
      answer_one();
    }
  }
  acc.BeginFlush();
  for (int i = 0; i < 10'000 && acked < kRecords; ++i) answer_one();
  const size_t peak = alloc_count::PeakBytes() - before;
  ASSERT_EQ(acked, kRecords);
  EXPECT_GT(pool_full, 1000) << "the broker was not slow: the pool never filled";
  EXPECT_EQ(pool.AvailableMemory(), kBufferMemory);

  // The honest bound. buffer.memory bounds the record bytes; on top come
  //  * per record buffered (Kafka keeps a Thunk and a FutureRecordMetadata
  //    per record outside buffer.memory too): 16 B in the batch's result
  //    table (timestamp, key and value sizes) and 32 B for its callback
  //    (a std::function), 48 B; with 100-byte values a record takes about
  //    109 B of a batch, so buffer.memory holds ~9,600 of them: ~450 KiB,
  //    i.e. ~44% of buffer.memory for records this small (~5% at 1 KiB);
  //  * per batch (at most buffer.memory / batch.size = 64 of them): the
  //    ProducerBatch, its shared result and the accumulator's and Sender's
  //    references, about 1 KiB;
  //  * a fixed 64 KiB for the deques, maps and requests in flight.
  // A real NetworkClient adds, per request in flight, the encoded request
  // (about one batch here): max.in.flight x batch.size at most.
  const double per_record = 48.0;
  const double record_in_batch = kValueBytes + 9.0;
  const size_t bookkeeping = size_t(per_record * double(kBufferMemory) / record_in_batch) +
                             size_t(kBufferMemory / kBatchSize) * 1024 + (64 << 10);
  std::printf(
      "[ MEMORY   ] %d x %d-byte records, buffer.memory=%lld, batch.size=%d: "
      "peak live heap %zu bytes (buffer.memory + %lld); allowed %zu "
      "(buffer.memory + %zu)\n",
      kRecords, kValueBytes, static_cast<long long>(kBufferMemory), kBatchSize, peak,
      static_cast<long long>(peak) - static_cast<long long>(kBufferMemory),
      size_t(kBufferMemory) + bookkeeping, bookkeeping);
  EXPECT_LE(peak, size_t(kBufferMemory) + bookkeeping);
}

}  // namespace
}  // namespace gregor
