// SPDX-License-Identifier: Apache-2.0
// Chapter 03 benchmarks: what the producer's caller-side path costs.
//
//   Accumulator/Append/threads:{1,2}  RecordAccumulator::Append of a
//        100-byte record (null key) to one partition, batch.size 64 KiB;
//        ns per record (items/s). Includes, amortized, the batch turnover:
//        whichever thread opens a new batch drains the full one before it and
//        completes it (Drain, Close, Done, Deallocate), under a bench lock
//        that stands in for the Sender thread. With 2 threads both contend
//        for the one deque lock, as two callers of one partition do.
//   Batch/Build/{none,lz4}  fill a 64 KiB ProducerBatch with 100-byte
//        records and Close() it (header, CRC, compression): per batch,
//        with records/s and bytes/s of uncompressed input.
//   BufferPool/AllocateDeallocate/threads:{1,2}  Allocate(batch.size) and
//        Deallocate on a 32 MiB pool: the free-list hit, uncontended and
//        with 2 threads on the pool's one mutex.
//
// GREGOR_BENCH_SMOKE=1 (the bench-smoke CTest) shrinks batch.size to 4 KiB
// so every benchmark still runs in well under a second.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "client/metadata.h"
#include "common/clock.h"
#include "producer/buffer_pool.h"
#include "producer/producer_batch.h"
#include "producer/record_accumulator.h"
#include "protocol/metadata.h"

namespace gregor {
namespace {

bool Smoke() { return std::getenv("GREGOR_BENCH_SMOKE") != nullptr; }
int32_t BatchSize() { return Smoke() ? (4 << 10) : (64 << 10); }

// The perf test's record: a null key and 100 bytes of letters.
Record SampleRecord() {
  std::string value(100, 'A');
  uint32_t x = 0x9e3779b9u;
  for (char& c : value) {
    x = x * 1664525u + 1013904223u;
    c = char('A' + (x >> 24) % 26);
  }
  return Record{1'700'000'000'000, std::nullopt, std::move(value), {}};
}

// One broker (node 0) leading partition 0 of "bench".
MetadataResponse OnePartition() {
  MetadataResponse r;
  r.brokers.push_back(MetadataResponseBroker{0, "127.0.0.1", 9092, std::nullopt});
  MetadataResponseTopic t;
  t.name = "bench";
  MetadataResponsePartition p;
  p.partition_index = 0;
  p.leader_id = 0;
  p.replica_nodes = {0};
  p.isr_nodes = {0};
  t.partitions.push_back(p);
  r.topics.push_back(t);
  return r;
}

// An accumulator with a stand-in Sender: Turnover() takes the full
// batches, completes them and gives their buffers back.
struct AccumulatorRig {
  SystemClock& clock = SystemClock::Instance();
  BufferPool pool{32 << 20, BatchSize(), clock};
  RecordAccumulator acc;
  Metadata metadata{{Node{0, "127.0.0.1", 9092}}, 300000};
  std::mutex sender_mu;  // one "Sender" at a time

  static RecordAccumulatorConfig Config() {
    RecordAccumulatorConfig c;
    c.batch_size = BatchSize();
    c.linger_ms = 5;
    return c;
  }
  AccumulatorRig() : acc(Config(), pool, clock) { metadata.Update(OnePartition(), 0); }

  void Turnover() {
    std::lock_guard lock(sender_mu);
    auto drained = acc.Drain(metadata, {0}, 1 << 20, clock.NowNs() / 1'000'000);
    for (auto& [node, batches] : drained) {
      for (auto& b : batches) {
        b->Done(0, -1, Status::Ok());
        acc.Deallocate(b);
      }
    }
  }
};

AccumulatorRig* rig = nullptr;  // per run: Setup and Teardown, not per thread

void BM_AccumulatorAppend(benchmark::State& state) {
  const Record record = SampleRecord();
  const std::vector<int32_t> available{0};
  for (auto _ : state) {
    auto r = rig->acc.Append("bench", 0, record, nullptr, 1000, 1, available);
    // A new batch behind a full one: send the full one (Drain takes the
    // first batch of the deque, so only then is it the full one).
    if (r.new_batch_created && r.batch_is_full) rig->Turnover();
    benchmark::DoNotOptimize(r.future);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AccumulatorAppend)
    ->Name("Accumulator/Append")
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime()
    ->Setup([](const benchmark::State&) { rig = new AccumulatorRig(); })
    ->Teardown([](const benchmark::State&) {
      delete rig;
      rig = nullptr;
    });

void BM_BatchBuild(benchmark::State& state) {
  const auto codec = CompressionType(state.range(0));
  const Record record = SampleRecord();
  BatchOptions options;
  options.compression = codec;
  int64_t records = 0;
  for (auto _ : state) {
    Bytes buffer;
    buffer.reserve(size_t(BatchSize()));
    ProducerBatch batch(ProducerTopicPartition{"bench", 0}, options, std::move(buffer), BatchSize(),
                        false, 0);
    while (batch.TryAppend(record, nullptr, 0)) {
    }
    batch.Close();
    records += batch.record_count();
    benchmark::DoNotOptimize(batch.records().data());
  }
  state.SetItemsProcessed(records);
  state.SetBytesProcessed(records * int64_t(record.value->size()));
}
BENCHMARK(BM_BatchBuild)
    ->Name("Batch/Build")
    ->Arg(int(CompressionType::kNone))
    ->Arg(int(CompressionType::kLz4))
    ->ArgNames({"codec"});

BufferPool* pool = nullptr;  // per run: Setup and Teardown

void BM_BufferPool(benchmark::State& state) {
  for (auto _ : state) {
    auto b = pool->Allocate(BatchSize(), 1000);
    if (!b.ok()) {
      state.SkipWithError("allocate failed");
      break;
    }
    pool->Deallocate(std::move(*b), BatchSize());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BufferPool)
    ->Name("BufferPool/AllocateDeallocate")
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime()
    ->Setup([](const benchmark::State&) {
      pool = new BufferPool(32 << 20, BatchSize(), SystemClock::Instance());
    })
    ->Teardown([](const benchmark::State&) {
      delete pool;
      pool = nullptr;
    });

}  // namespace
}  // namespace gregor

BENCHMARK_MAIN();
