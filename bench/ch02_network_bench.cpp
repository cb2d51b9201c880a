// SPDX-License-Identifier: Apache-2.0
// Chapter 02 benchmarks: what the wire codec costs per request.
//
//   Produce/{Encode,Decode}/<n>  ProduceRequest v7 with n partitions of one
//                                16 KiB record batch each; bytes/s (of the
//                                encoded body) and requests/s
//   Fetch/{Encode,Decode}/<n>    FetchResponse v11, the same shape
//   Metadata/{Encode,Decode}     MetadataResponse v4, 100 topics x 3
//                                partitions, 3 replicas each
//   RequestHeader/Parse          ParseRequestHeader of a Produce v7 frame
//                                (header v1 with a client id); requests/s
//
// Encode is EncodeTo into a reused buffer (what the network thread does);
// Decode is Decode<M> of that body, records copied out. For Produce and
// Fetch the codec is a memcpy of the batches: bytes/s is copy speed, flat
// while the batches fit in L2 (1, 10) and lower at 100 partitions (1.6 MiB,
// copied from L3). The inputs stay cache-hot: real requests arrive cold.
//
// GREGOR_BENCH_SMOKE=1 (the bench-smoke CTest) uses 1 KiB batches and 10
// topics so the file still runs every benchmark in well under a second.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "protocol/fetch.h"
#include "protocol/message_codec.h"
#include "protocol/metadata.h"
#include "protocol/produce.h"
#include "protocol/request_header.h"
#include "record/memory_records_builder.h"

namespace gregor {
namespace {

bool Smoke() { return std::getenv("GREGOR_BENCH_SMOKE") != nullptr; }

constexpr int16_t kProduceVersion = 7;
constexpr int16_t kFetchVersion = 11;
constexpr int16_t kMetadataVersion = 4;

size_t BatchBytes() { return Smoke() ? (1 << 10) : (16 << 10); }

// One record batch of about BatchBytes() bytes: 100-byte values with a
// key, uncompressed (the codec never looks inside it).
Bytes SampleBatch() {
  std::mt19937 rng(1);
  std::vector<Record> records;
  size_t total = 0;
  for (int i = 0; total < BatchBytes(); ++i) {
    Record r;
    r.timestamp = 1'700'000'000'000 + i;
    r.key = "user-" + std::to_string(rng() % 10000);
    std::string v = "{\"id\":" + std::to_string(i) + ",\"payload\":\"";
    while (v.size() + 2 < 100) v.push_back(char('a' + rng() % 8));
    r.value = v + "\"}";
    total += r.key->size() + r.value->size() + 10;
    records.push_back(std::move(r));
  }
  return BuildBatch(records);
}

ProduceRequest SampleProduce(int partitions) {
  Bytes batch = SampleBatch();
  ProduceRequest req;
  req.acks = -1;
  req.timeout_ms = 30000;
  TopicProduceData topic{.name = "bench-topic", .partition_data = {}};
  for (int p = 0; p < partitions; ++p) topic.partition_data.push_back({p, batch});
  req.topic_data.push_back(std::move(topic));
  return req;
}

FetchResponse SampleFetch(int partitions) {
  Bytes batch = SampleBatch();
  FetchResponse resp;
  FetchableTopicResponse topic{.topic = "bench-topic", .partitions = {}};
  for (int p = 0; p < partitions; ++p) {
    FetchPartitionData d;
    d.partition_index = p;
    d.high_watermark = 1'000'000;
    d.last_stable_offset = 1'000'000;
    d.log_start_offset = 0;
    d.records = batch;
    topic.partitions.push_back(std::move(d));
  }
  resp.responses.push_back(std::move(topic));
  return resp;
}

MetadataResponse SampleMetadata() {
  int topics = Smoke() ? 10 : 100;
  MetadataResponse resp;
  for (int b = 1; b <= 3; ++b) resp.brokers.push_back({b, "broker-" + std::to_string(b), 9092, {}});
  resp.cluster_id = "gregor-bench-cluster";
  resp.controller_id = 1;
  for (int t = 0; t < topics; ++t) {
    MetadataResponseTopic topic;
    topic.name = "topic-" + std::to_string(t);
    for (int p = 0; p < 3; ++p) {
      MetadataResponsePartition part;
      part.partition_index = p;
      part.leader_id = 1 + (t + p) % 3;
      part.replica_nodes = {1, 2, 3};
      part.isr_nodes = {1, 2, 3};
      topic.partitions.push_back(std::move(part));
    }
    resp.topics.push_back(std::move(topic));
  }
  return resp;
}

// Shared loops: `m` encoded (or decoded) at `version`, rates per request.
template <class M>
void EncodeLoop(benchmark::State& state, const M& m, int16_t version) {
  Bytes out;
  out.reserve(EncodedSize(m, version));
  for (auto _ : state) {
    out.clear();
    EncodeTo(out, m, version);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(out.size()));
  state.SetItemsProcessed(int64_t(state.iterations()));
}

template <class M>
void DecodeLoop(benchmark::State& state, const M& m, int16_t version) {
  Bytes body = Encode(m, version);
  for (auto _ : state) {
    auto decoded = Decode<M>(body, version);
    if (!decoded.ok()) {
      state.SkipWithError(decoded.status().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(decoded);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(body.size()));
  state.SetItemsProcessed(int64_t(state.iterations()));
}

// ---------------------------------------------------------------- produce

void BM_ProduceEncode(benchmark::State& state) {
  EncodeLoop(state, SampleProduce(int(state.range(0))), kProduceVersion);
}
BENCHMARK(BM_ProduceEncode)->Name("Produce/Encode")->Arg(1)->Arg(10)->Arg(100);

void BM_ProduceDecode(benchmark::State& state) {
  DecodeLoop(state, SampleProduce(int(state.range(0))), kProduceVersion);
}
BENCHMARK(BM_ProduceDecode)->Name("Produce/Decode")->Arg(1)->Arg(10)->Arg(100);

// ---------------------------------------------------------------- fetch

void BM_FetchEncode(benchmark::State& state) {
  EncodeLoop(state, SampleFetch(int(state.range(0))), kFetchVersion);
}
BENCHMARK(BM_FetchEncode)->Name("Fetch/Encode")->Arg(1)->Arg(10)->Arg(100);

void BM_FetchDecode(benchmark::State& state) {
  DecodeLoop(state, SampleFetch(int(state.range(0))), kFetchVersion);
}
BENCHMARK(BM_FetchDecode)->Name("Fetch/Decode")->Arg(1)->Arg(10)->Arg(100);

// ---------------------------------------------------------------- metadata

void BM_MetadataEncode(benchmark::State& state) {
  EncodeLoop(state, SampleMetadata(), kMetadataVersion);
}
BENCHMARK(BM_MetadataEncode)->Name("Metadata/Encode");

void BM_MetadataDecode(benchmark::State& state) {
  DecodeLoop(state, SampleMetadata(), kMetadataVersion);
}
BENCHMARK(BM_MetadataDecode)->Name("Metadata/Decode");

// ---------------------------------------------------------------- header

void BM_RequestHeaderParse(benchmark::State& state) {
  RequestHeader h{.api_key = ApiKey::kProduce,
                  .api_version = kProduceVersion,
                  .correlation_id = 42,
                  .client_id = std::string("rdkafka")};
  Bytes frame;
  WriteRequestHeader(frame, h);
  EncodeTo(frame, SampleProduce(1), kProduceVersion);
  for (auto _ : state) {
    auto parsed = ParseRequestHeader(frame);
    if (!parsed.ok()) {
      state.SkipWithError(parsed.status().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(parsed);
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
}
BENCHMARK(BM_RequestHeaderParse)->Name("RequestHeader/Parse");

}  // namespace
}  // namespace gregor

BENCHMARK_MAIN();
