// SPDX-License-Identifier: Apache-2.0
// Chapter 06 benchmarks: the consumer's record parsing, the assignors and
// the group coordinator's rebalance, each without a network.
//
//   CompletedFetch/Drain/{none,lz4}/batches:N  one partition's fetched
//        buffer of N batches of 100 records of 100 bytes (null key), drained
//        500 records at a time (max.poll.records) into ByteRecords, as
//        Poll() does: CRC-32C, decompression, decoding, views into the
//        buffer. Per whole buffer; records/s and bytes/s of values.
//   Assignor/<name>/members:M/partitions:P  one Assign() of P partitions
//        (10 topics of P/10) among M members that all subscribe to every
//        topic and own nothing yet (a group's first generation).
//   GroupCoordinator/JoinSync/members:100/{memory,log}  a whole first
//        rebalance: 100 JoinGroups (v0-3 style, no MEMBER_ID_REQUIRED
//        round trip), the initial delay (3000 ms) passed on a MockClock
//        and a Timer advanced by hand, 99 follower SyncGroups and the
//        leader's with 100 assignments, until all 100 are answered.
//        "log" adds a GroupMetadataManager whose appender keeps the
//        records in memory and succeeds at once.
//
// GREGOR_BENCH_SMOKE=1 (the bench-smoke CTest) runs the small sizes only.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "consumer/completed_fetch.h"
#include "consumer/cooperative_sticky_assignor.h"
#include "consumer/range_assignor.h"
#include "consumer/round_robin_assignor.h"
#include "consumer/sticky_assignor.h"
#include "coordinator/group/group_coordinator.h"
#include "record/memory_records_builder.h"
#include "server/timing_wheel.h"

namespace gregor {
namespace {

bool Smoke() { return std::getenv("GREGOR_BENCH_SMOKE") != nullptr; }

// ---- CompletedFetch --------------------------------------------------------

constexpr int kRecordsPerBatch = 100;
constexpr int kValueSize = 100;

// The perf test's value: 100 pseudo-random letters (lz4 finds a little).
std::string SampleValue(uint32_t seed) {
  std::string value(kValueSize, 'A');
  uint32_t x = 0x9e3779b9u ^ seed;
  for (char& c : value) {
    x = x * 1664525u + 1013904223u;
    c = char('A' + (x >> 24) % 26);
  }
  return value;
}

// N batches back to back, offsets 0.., as a Fetch response carries them.
std::shared_ptr<const Bytes> FetchedBuffer(int batches, CompressionType codec) {
  auto buffer = std::make_shared<Bytes>();
  for (int b = 0; b < batches; ++b) {
    std::vector<Record> records;
    for (int i = 0; i < kRecordsPerBatch; ++i) {
      records.push_back(Record{1'700'000'000'000, std::nullopt, SampleValue(b * 131 + i), {}});
    }
    BatchOptions options;
    options.compression = codec;
    options.base_offset = int64_t(b) * kRecordsPerBatch;
    Bytes batch = BuildBatch(records, options);
    buffer->insert(buffer->end(), batch.begin(), batch.end());
  }
  return buffer;
}

void BM_CompletedFetchDrain(benchmark::State& state) {
  const auto codec = CompressionType(state.range(0));
  const int batches = int(state.range(1));
  const auto buffer = FetchedBuffer(batches, codec);
  const TopicPartition tp{"bench", PartitionId(0)};
  int64_t records = 0;
  for (auto _ : state) {
    CompletedFetch fetch(tp, 1, 0, buffer);
    int64_t position = 0;
    int32_t leader_epoch = -1;
    while (!fetch.IsConsumed()) {
      ByteRecords out;  // one Poll()'s worth
      auto n = fetch.Drain(500, &position, &leader_epoch, out);
      if (!n.ok()) {
        state.SkipWithError("drain failed");
        return;
      }
      records += *n;
      benchmark::DoNotOptimize(out.count());
    }
  }
  state.SetItemsProcessed(records);
  state.SetBytesProcessed(records * kValueSize);
  state.counters["fetched_bytes"] = double(buffer->size());
}
BENCHMARK(BM_CompletedFetchDrain)
    ->Name("CompletedFetch/Drain")
    ->ArgNames({"codec", "batches"})
    ->ArgsProduct({{int(CompressionType::kNone), int(CompressionType::kLz4)},
                   Smoke() ? std::vector<int64_t>{10} : std::vector<int64_t>{10, 100}});

// ---- Assignors -------------------------------------------------------------

constexpr int kTopics = 10;

struct AssignorInput {
  PartitionCounts partitions;
  GroupSubscription subscriptions;
};

AssignorInput Input(int members, int partitions) {
  AssignorInput in;
  std::vector<std::string> topics;
  for (int t = 0; t < kTopics; ++t) {
    topics.push_back("topic-" + std::to_string(t));
    in.partitions[topics.back()] = partitions / kTopics;
  }
  for (int m = 0; m < members; ++m) {
    // Ids as the coordinator makes them: client.id-<uuid>.
    char id[64];
    std::snprintf(id, sizeof id, "consumer-%03d-6f1c2a9e-%04d", m, m * 7919 % 10000);
    Subscription s;
    s.topics = topics;
    in.subscriptions[id] = s;
  }
  return in;
}

template <class A>
void BM_Assign(benchmark::State& state) {
  const A assignor;
  const AssignorInput in = Input(int(state.range(0)), int(state.range(1)));
  for (auto _ : state) {
    GroupAssignment a = assignor.Assign(in.partitions, in.subscriptions);
    benchmark::DoNotOptimize(a.size());
  }
  state.SetItemsProcessed(state.iterations() * state.range(1));  // partitions/s
}

void AssignorArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"members", "partitions"});
  if (Smoke()) {
    b->Args({10, 1000});
    return;
  }
  b->ArgsProduct({{10, 100}, {1000, 10000}});
  b->Unit(benchmark::kMicrosecond);
}
BENCHMARK(BM_Assign<RangeAssignor>)->Name("Assignor/range")->Apply(AssignorArgs);
BENCHMARK(BM_Assign<RoundRobinAssignor>)->Name("Assignor/roundrobin")->Apply(AssignorArgs);
BENCHMARK(BM_Assign<StickyAssignor>)->Name("Assignor/sticky")->Apply(AssignorArgs);
BENCHMARK(BM_Assign<CooperativeStickyAssignor>)
    ->Name("Assignor/cooperative-sticky")
    ->Apply(AssignorArgs);

// ---- GroupCoordinator ------------------------------------------------------

// A __consumer_offsets stand-in: appends succeed at once, records kept.
struct MemoryLog {
  size_t records = 0;
  GroupMetadataManager::Appender Appender() {
    return [this](int32_t, std::vector<GroupRecord> batch, std::function<void(ErrorCode)> done) {
      records += batch.size();
      done(ErrorCode::kNone);
    };
  }
};

// One coordinator on a mock clock; RebalanceOnce() runs a whole first
// generation of `members` members and checks everyone was answered.
struct CoordinatorRig {
  MockClock clock;
  Timer timer{clock};
  MemoryLog log;
  std::unique_ptr<GroupMetadataManager> manager;
  std::unique_ptr<GroupCoordinator> coordinator;

  explicit CoordinatorRig(bool with_log) {
    if (with_log) {
      manager = std::make_unique<GroupMetadataManager>(50, log.Appender());
      for (int32_t p = 0; p < 50; ++p) {
        manager->BeginLoading(p);
        manager->FinishLoading(p);
      }
    }
    GroupCoordinatorConfig c;  // group.initial.rebalance.delay.ms = 3000
    coordinator = std::make_unique<GroupCoordinator>(c, timer, clock, manager.get());
  }

  static JoinGroupParams Params() {
    JoinGroupParams p;
    p.group_id = "bench-group";
    p.client_id = "consumer";
    p.client_host = "/127.0.0.1";
    p.session_timeout_ms = 45000;
    p.rebalance_timeout_ms = 300000;
    p.protocol_type = "consumer";
    p.protocols = {GroupProtocol{"range", Bytes(64, 'm')}};
    return p;
  }

  // Returns false if some member was not answered or got an error.
  bool RebalanceOnce(int members) {
    std::vector<JoinGroupResult> joined;
    joined.reserve(size_t(members));
    const JoinGroupParams params = Params();
    for (int m = 0; m < members; ++m) {
      coordinator->HandleJoinGroup(params, [&](const JoinGroupResult& r) { joined.push_back(r); });
    }
    // The initial delay, and one more while members kept arriving.
    for (int i = 0; i < 10 && int(joined.size()) < members; ++i) {
      clock.AdvanceMs(3001);
      timer.AdvanceClock();
    }
    if (int(joined.size()) != members) return false;
    std::map<std::string, Bytes> assignments;
    const JoinGroupResult* leader = nullptr;
    for (const auto& j : joined) {
      if (j.error != ErrorCode::kNone) return false;
      assignments[j.member_id] = Bytes(32, 'a');
      if (j.member_id == j.leader_id) leader = &j;
    }
    if (leader == nullptr) return false;
    int synced = 0;
    auto on_sync = [&](const SyncGroupResult& r) { synced += r.error == ErrorCode::kNone; };
    for (const auto& j : joined) {
      if (&j == leader) continue;
      coordinator->HandleSyncGroup({"bench-group", j.generation_id, j.member_id, {}, {}}, on_sync);
    }
    coordinator->HandleSyncGroup(
        {"bench-group", leader->generation_id, leader->member_id, {}, std::move(assignments)},
        on_sync);
    return synced == members;
  }
};

void BM_GroupJoinSync(benchmark::State& state) {
  const int members = int(state.range(0));
  const bool with_log = state.range(1) != 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto rig = std::make_unique<CoordinatorRig>(with_log);
    state.ResumeTiming();
    if (!rig->RebalanceOnce(members)) {
      state.SkipWithError("rebalance did not complete");
      break;
    }
    state.PauseTiming();
    rig.reset();  // members' heartbeat timers go with it
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * members);  // members/s
}
BENCHMARK(BM_GroupJoinSync)
    ->Name("GroupCoordinator/JoinSync")
    ->ArgNames({"members", "log"})
    ->Args({100, 0})
    ->Args({100, 1})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace gregor

// BENCHMARK_MAIN, without the coordinator's info line per rebalance.
int main(int argc, char** argv) {
  setenv("GREGOR_LOG_LEVEL", "warn", /*overwrite=*/0);  // common/logging.cpp reads it
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
