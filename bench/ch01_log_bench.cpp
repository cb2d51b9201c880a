// SPDX-License-Identifier: Apache-2.0
// Chapter 01 benchmarks: what the log costs, each beside its baseline.
//
//   Crc32c/*            hardware CRC-32C vs slicing-by-8 vs a byte table
//   BuildBatch/*        MemoryRecordsBuilder, records/s, per codec
//   DecodeBatch/*       DecodeBatch (validate + decompress + decode), records/s
//   LogAppend/<size>    Log::Append of a pre-built batch (validation
//                       included: one CRC pass, sizes), MB/s
//   RawWrite/<size>     write(2) of the same bytes to a file in the same
//                       directory: the ceiling LogAppend is measured against
//   OffsetLookup/<n>    OffsetIndex::Lookup in an index of n entries, ns
//   Recovery/<log>/<tail>  Log::Open after an unclean stop; the flushed part
//                       of the log is <log> MiB, the unflushed tail <tail>
//                       MiB. The claim: time depends on the tail only.
//   Cleaner/<log MiB>   one Cleaner::Clean pass over a dirty log of that
//                       size: 100-byte values, keys drawn from a set of 1%
//                       of the record count, 128 MiB segments; MB/s of
//                       dirty log processed
//
// GREGOR_BENCH_SMOKE=1 (the bench-smoke CTest) shrinks the sizes so the
// file still runs every benchmark in seconds. scripts/bench-report.py turns
// the JSON of `make bench` into the table of chapter 01, with the ratios.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "common/clock.h"
#include "common/crc32c.h"
#include "record/compression.h"
#include "record/memory_records_builder.h"
#include "record/record_batch_reader.h"
#include "storage/cleaner.h"
#include "storage/env.h"
#include "storage/log.h"
#include "storage/offset_index.h"

namespace gregor {
namespace {

namespace fs = std::filesystem;

bool Smoke() { return std::getenv("GREGOR_BENCH_SMOKE") != nullptr; }

// A scratch directory next to the build (same disk as the build tree), removed
// by the destructor.
struct ScratchDir {
  fs::path path;
  explicit ScratchDir(const std::string& name) {
    path = fs::current_path() / ("bench-scratch-" + name + "-" + std::to_string(getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~ScratchDir() { fs::remove_all(path); }
};

Bytes RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  Bytes b(n);
  for (auto& x : b) x = uint8_t(rng());
  return b;
}

// Records that look like application data: a key, a JSON-ish value with
// some repetition (so codecs have something to do), one header.
std::vector<Record> SampleRecords(int count, size_t value_size) {
  std::vector<Record> out;
  std::mt19937 rng(1);
  for (int i = 0; i < count; ++i) {
    Record r;
    r.timestamp = 1'700'000'000'000 + i;
    r.key = "user-" + std::to_string(rng() % 10000);
    std::string v = "{\"id\":" + std::to_string(i) + ",\"payload\":\"";
    while (v.size() + 2 < value_size) v.push_back(char('a' + rng() % 8));
    r.value = v + "\"}";
    r.headers.push_back({"trace", std::string("abc123")});
    out.push_back(std::move(r));
  }
  return out;
}

// A batch of about `size` bytes, uncompressed, 100-byte values.
Bytes BatchOfSize(size_t size) {
  auto records = SampleRecords(int(size / 130) + 1, 100);
  return BuildBatch(records);
}

// ---------------------------------------------------------------- CRC-32C

void BM_Crc32c(benchmark::State& state) {
  Bytes data = RandomBytes(1 << 20, 3);
  for (auto _ : state) benchmark::DoNotOptimize(Crc32c(data));
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(data.size()));
  state.SetLabel(Crc32cHardwareAvailable() ? "sse4.2" : "software");
}
BENCHMARK(BM_Crc32c)->Name("Crc32c/hardware");

void BM_Crc32cSlicing8(benchmark::State& state) {
  Bytes data = RandomBytes(1 << 20, 3);
  for (auto _ : state) benchmark::DoNotOptimize(Crc32cSoftware(0, data));
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(data.size()));
}
BENCHMARK(BM_Crc32cSlicing8)->Name("Crc32c/slicing8");

void BM_Crc32cTable(benchmark::State& state) {
  Bytes data = RandomBytes(1 << 20, 3);
  for (auto _ : state) benchmark::DoNotOptimize(Crc32cTable(0, data));
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(data.size()));
}
BENCHMARK(BM_Crc32cTable)->Name("Crc32c/bytetable");

// ---------------------------------------------------------------- batches

void BM_BuildBatch(benchmark::State& state) {
  auto type = CompressionType(state.range(0));
  auto records = SampleRecords(1000, 100);
  for (auto _ : state) {
    MemoryRecordsBuilder builder(BatchOptions{.compression = type});
    for (const auto& r : records) builder.Append(r);
    benchmark::DoNotOptimize(builder.Build());
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(records.size()));
  state.SetLabel(CompressionName(type));
}
BENCHMARK(BM_BuildBatch)->Name("BuildBatch")->DenseRange(0, 4);

void BM_DecodeBatch(benchmark::State& state) {
  auto type = CompressionType(state.range(0));
  auto records = SampleRecords(1000, 100);
  Bytes batch = BuildBatch(records, BatchOptions{.compression = type});
  for (auto _ : state) {
    auto decoded = DecodeBatch(batch);
    if (!decoded.ok()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(decoded);
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(records.size()));
  state.SetLabel(CompressionName(type));
}
BENCHMARK(BM_DecodeBatch)->Name("DecodeBatch")->DenseRange(0, 4);

// ---------------------------------------------------------------- append

// Bytes each append benchmark writes per repetition: enough to leave the
// page cache's warm-up behind, small enough for a CI disk.
int64_t AppendVolume() { return Smoke() ? (8 << 20) : (int64_t(512) << 20); }

void BM_LogAppend(benchmark::State& state) {
  Bytes batch = BatchOfSize(size_t(state.range(0)));
  int64_t appends = AppendVolume() / int64_t(batch.size());
  MockClock clock;
  for (auto _ : state) {
    state.PauseTiming();
    {
      ScratchDir dir("append");
      LogConfig config;
      config.max_message_bytes = 2 << 20;
      auto log = Log::Open(*Env::Default(), (dir.path / "bench-0").string(), config, clock);
      if (!log.ok()) {
        state.SkipWithError(log.status().ToString().c_str());
        return;
      }
      state.ResumeTiming();
      for (int64_t i = 0; i < appends; ++i) {
        auto info = (*log)->Append(batch, Epoch{0});
        if (!info.ok()) {
          state.SkipWithError(info.status().ToString().c_str());
          return;
        }
      }
      state.PauseTiming();
    }
    state.ResumeTiming();
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * appends * int64_t(batch.size()));
}
BENCHMARK(BM_LogAppend)->Name("LogAppend")->Arg(16 << 10)->Arg(1 << 20)
    ->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

void BM_RawWrite(benchmark::State& state) {
  Bytes batch = BatchOfSize(size_t(state.range(0)));
  int64_t writes = AppendVolume() / int64_t(batch.size());
  for (auto _ : state) {
    state.PauseTiming();
    {
      ScratchDir dir("raw");
      int fd = ::open((dir.path / "raw.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      state.ResumeTiming();
      for (int64_t i = 0; i < writes; ++i) {
        if (::write(fd, batch.data(), batch.size()) != ssize_t(batch.size())) {
          state.SkipWithError("write failed");
          break;
        }
      }
      state.PauseTiming();
      ::close(fd);
    }
    state.ResumeTiming();
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * writes * int64_t(batch.size()));
}
BENCHMARK(BM_RawWrite)->Name("RawWrite")->Arg(16 << 10)->Arg(1 << 20)
    ->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

// ---------------------------------------------------------------- lookup

void BM_OffsetLookup(benchmark::State& state) {
  int n = int(state.range(0));
  ScratchDir dir("index");
  auto index = OffsetIndex::Open(*Env::Default(), (dir.path / "0.index").string(), 0,
                                 size_t(n) * OffsetIndex::kEntrySize);
  if (!index.ok()) {
    state.SkipWithError(index.status().ToString().c_str());
    return;
  }
  // One entry every 32 offsets, 4 KiB apart: index.interval.bytes' shape.
  for (int i = 0; i < n; ++i) (void)(*index)->Append(int64_t(i) * 32, uint32_t(i) * 4096);
  std::mt19937_64 rng(9);
  int64_t max_offset = int64_t(n) * 32;
  for (auto _ : state) {
    benchmark::DoNotOptimize((*index)->Lookup(int64_t(rng() % uint64_t(max_offset))));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OffsetLookup)->Name("OffsetLookup")->Arg(1 << 10)->Arg(1 << 17);

// ---------------------------------------------------------------- recovery

// Writes `flushed_mib` MiB, flushes (moving the recovery point), writes
// `tail_mib` MiB more, closes without a clean-shutdown marker, then times
// the reopen: recovery validates the tail and only sanity-checks the rest.
void BM_Recovery(benchmark::State& state) {
  int64_t scale = Smoke() ? 16 : 1;  // smoke: 1/16 of the sizes
  int64_t flushed = (state.range(0) << 20) / scale, tail = (state.range(1) << 20) / scale;
  Bytes batch = BatchOfSize(1 << 20);
  MockClock clock;
  LogConfig config;
  config.max_message_bytes = 2 << 20;
  ScratchDir dir("recovery");
  std::string path = (dir.path / "bench-0").string();
  Offset recovery_point{0};
  {
    auto log = Log::Open(*Env::Default(), path, config, clock);
    if (!log.ok()) {
      state.SkipWithError(log.status().ToString().c_str());
      return;
    }
    for (int64_t b = 0; b < flushed; b += int64_t(batch.size())) (void)(*log)->Append(batch, Epoch{0});
    (void)(*log)->FlushAll();
    // The tail starts a segment of its own, so "the unflushed tail" is
    // exactly what was written after the flush (Kafka recovers from the
    // start of the segment that holds the recovery point).
    (void)(*log)->Roll();
    recovery_point = (*log)->RecoveryPoint();
    for (int64_t b = 0; b < tail; b += int64_t(batch.size())) (void)(*log)->Append(batch, Epoch{0});
  }
  int64_t validated = 0;
  for (auto _ : state) {
    LogLoadParams params{.recovery_point = recovery_point, .had_clean_shutdown = false};
    auto log = Log::Open(*Env::Default(), path, config, clock, params);
    if (!log.ok()) {
      state.SkipWithError(log.status().ToString().c_str());
      return;
    }
    validated = (*log)->recovery_stats().bytes_validated;
  }
  state.counters["validated_MiB"] = double(validated) / (1 << 20);
}
BENCHMARK(BM_Recovery)->Name("Recovery")->Args({0, 64})->Args({1024, 64})
    ->Unit(benchmark::kMillisecond)->UseRealTime();

// ---------------------------------------------------------------- cleaner

// Fills `log` with about `volume` bytes of keyed records: 100-byte values,
// keys drawn uniformly from a set of 1% of the record count, in batches of
// 128 records (about 16 KiB, a producer's default batch.size). Returns the
// number of records.
Result<int64_t> FillKeyedLog(Log& log, int64_t volume) {
  constexpr int kPerBatch = 128;
  std::string value(100, 'v');
  auto make_batch = [&](std::mt19937_64& rng, int64_t keys, int64_t ts) {
    MemoryRecordsBuilder builder(BatchOptions{});
    for (int i = 0; i < kPerBatch; ++i) {
      builder.Append(Record{ts, "key-" + std::to_string(rng() % uint64_t(keys)), value, {}});
    }
    return builder.Build();
  };
  std::mt19937_64 probe(1);
  int64_t per_record = int64_t(make_batch(probe, 1000000, 0).size()) / kPerBatch;
  int64_t records = volume / per_record;
  int64_t keys = std::max<int64_t>(1, records / 100);
  std::mt19937_64 rng(7);
  for (int64_t written = 0; written < records; written += kPerBatch) {
    Bytes batch = make_batch(rng, keys, 1'700'000'000'000 + written);
    if (auto r = log.Append(batch, Epoch{0}); !r.ok()) return r.status();
  }
  return records;
}

// One cleaning pass over a freshly written log, timed alone: writing the
// log, its fsync and the roll that makes it all inactive are setup. What
// is timed is what Kafka's cleaner thread does: build the offset map over
// the dirty section, rewrite every segment into `.cleaned`, swap.
void BM_Cleaner(benchmark::State& state) {
  int64_t scale = Smoke() ? 64 : 1;  // smoke: 16 MiB in 2 MiB segments
  int64_t volume = (state.range(0) << 20) / scale;
  MockClock clock;
  LogConfig config;
  config.segment_bytes = int32_t((int64_t(128) << 20) / scale);
  CleanerStats last;
  int64_t records = 0;
  for (auto _ : state) {
    state.PauseTiming();
    {
      ScratchDir dir("cleaner");
      auto log = Log::Open(*Env::Default(), (dir.path / "bench-0").string(), config, clock);
      if (!log.ok()) {
        state.SkipWithError(log.status().ToString().c_str());
        return;
      }
      auto filled = FillKeyedLog(**log, volume);
      Status s = filled.ok() ? (*log)->Roll() : filled.status();
      if (s.ok()) s = (*log)->FlushAll();
      if (!s.ok()) {
        state.SkipWithError(s.ToString().c_str());
        return;
      }
      records = *filled;
      // log.cleaner.dedupe.buffer.size's default, 128 MiB.
      Cleaner cleaner(size_t(128) << 20, clock);
      state.ResumeTiming();
      auto stats = cleaner.Clean(**log, 0);
      state.PauseTiming();
      if (!stats.ok()) {
        state.SkipWithError(stats.status().ToString().c_str());
        return;
      }
      last = *stats;
    }
    state.ResumeTiming();
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * last.bytes_read);
  state.counters["dirty_MiB"] = double(last.bytes_read) / (1 << 20);
  state.counters["written_MiB"] = double(last.bytes_written) / (1 << 20);
  state.counters["records"] = double(records);
  state.counters["kept"] = double(last.records_retained);
}
BENCHMARK(BM_Cleaner)
    ->Name("Cleaner")
    ->Arg(1024)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();

}  // namespace
}  // namespace gregor

BENCHMARK_MAIN();
