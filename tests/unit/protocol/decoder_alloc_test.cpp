// SPDX-License-Identifier: Apache-2.0
// CVE-2022-34917 as a test: a tiny frame that announces a huge array,
// string or records length must fail without allocating anything sized by
// that length. A counting global operator new (hence a binary of its own)
// records the largest single allocation made while decoding.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "protocol/message_codec.h"
#include "group_samples.h"
#include "samples.h"

namespace {
std::atomic<size_t> g_largest{0};
std::atomic<size_t> g_total{0};
}  // namespace

void* operator new(size_t n) {
  size_t prev = g_largest.load();
  while (n > prev && !g_largest.compare_exchange_weak(prev, n)) {
  }
  g_total += n;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace gregor {
namespace {

template <KafkaMessage M>
void ExpectFailsCheaply(const Bytes& body, int16_t version) {
  g_largest = 0;
  g_total = 0;
  bool ok = Decode<M>(body, version).ok();
  size_t largest = g_largest, total = g_total;
  EXPECT_FALSE(ok);
  EXPECT_LT(largest, 1024u) << "an allocation sized by the hostile length";
  EXPECT_LT(total, 16u * 1024u);
}

TEST(DecoderAllocTest, HugeArrayCount) {
  ExpectFailsCheaply<DeleteTopicsRequest>({0x7f, 0xff, 0xff, 0xff, 0, 1, 'x', 0, 0, 0}, 0);
  ExpectFailsCheaply<MetadataRequest>({0x7f, 0xff, 0xff, 0xff, 0, 1, 'x', 0, 0, 0}, 1);
  ExpectFailsCheaply<FetchRequest>(
      {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff, 0}, 4);
}

TEST(DecoderAllocTest, HugeCompactArrayCount) {
  ExpectFailsCheaply<ApiVersionsResponse>({0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f, 0}, 3);
}

TEST(DecoderAllocTest, HugeStringAndRecordsLength) {
  ExpectFailsCheaply<DeleteTopicsRequest>({0, 0, 0, 1, 0x7f, 0xff, 'x', 0, 0, 0}, 0);
  // Produce v3: null txn id, acks, timeout, 1 topic "t", 1 partition, records 2^31-1.
  ExpectFailsCheaply<ProduceRequest>({0xff, 0xff, 0, 1, 0, 0, 0, 1, 0, 0,    0,    1,    0,    1,
                                      't',  0,    0, 0, 1, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff, 1},
                                     3);
}

TEST(DecoderAllocTest, ValidDecodeStillAllocatesNormally) {
  Bytes body = Encode(testing::SampleFetchResponse(), 11);
  EXPECT_TRUE(Decode<FetchResponse>(body, 11).ok());
}

// The group coordinator's messages (chapter 06).
// Every prefix of a valid encoding: no allocation larger than the input.
template <KafkaMessage M>
void ExpectTruncationsFailCheaply(const M& m) {
  for (int16_t v = M::kVersions.min; v <= M::kVersions.max; ++v) {
    Bytes full = Encode(m, v);
    for (size_t n = 0; n < full.size(); ++n) {
      Bytes cut(full.begin(), full.begin() + long(n));
      ExpectFailsCheaply<M>(cut, v);
    }
  }
}

TEST(GroupDecoderAllocTest, TruncatedBodies) {
  ExpectTruncationsFailCheaply(testing::SampleJoinGroupRequest());
  ExpectTruncationsFailCheaply(testing::SampleJoinGroupResponse());
  ExpectTruncationsFailCheaply(testing::SampleSyncGroupRequest());
  ExpectTruncationsFailCheaply(testing::SampleOffsetCommitRequest());
  ExpectTruncationsFailCheaply(testing::SampleOffsetFetchResponse());
  ExpectTruncationsFailCheaply(testing::SampleDescribeGroupsResponse());
}

TEST(GroupDecoderAllocTest, HugeArrayCounts) {
  // JoinGroup v0: "g", session, member "", type "c", protocols 2^31-1.
  ExpectFailsCheaply<JoinGroupRequest>(
      {0, 1, 'g', 0, 0, 0, 1, 0, 0, 0, 1, 'c', 0x7f, 0xff, 0xff, 0xff, 0}, 0);
  // DescribeGroups v0 request: groups 2^31-1.
  ExpectFailsCheaply<DescribeGroupsRequest>({0x7f, 0xff, 0xff, 0xff, 0, 1, 'g'}, 0);
  // OffsetFetch v1: "g", topics 2^31-1.
  ExpectFailsCheaply<OffsetFetchRequest>({0, 1, 'g', 0x7f, 0xff, 0xff, 0xff, 0}, 1);
}

TEST(GroupDecoderAllocTest, HugeBytesAndStringLengths) {
  // SyncGroup v0 response: error 0, assignment of 2^31-1 bytes.
  ExpectFailsCheaply<SyncGroupResponse>({0, 0, 0x7f, 0xff, 0xff, 0xff, 1, 2, 3}, 0);
  // JoinGroup v0: ... protocols 1, name "r", metadata 2^31-1 bytes.
  ExpectFailsCheaply<JoinGroupRequest>(
      {0, 1, 'g', 0, 0, 0, 1, 0, 0, 0, 1, 'c', 0, 0, 0, 1, 0, 1, 'r', 0x7f, 0xff, 0xff, 0xff, 0},
      0);
  // Heartbeat v0: group_id of 32767 bytes.
  ExpectFailsCheaply<HeartbeatRequest>({0x7f, 0xff, 'g', 0, 0, 0, 0}, 0);
}

TEST(GroupDecoderAllocTest, ValidDecodeStillWorks) {
  Bytes body = Encode(testing::SampleDescribeGroupsResponse(), 4);
  EXPECT_TRUE(Decode<DescribeGroupsResponse>(body, 4).ok());
}

}  // namespace
}  // namespace gregor
