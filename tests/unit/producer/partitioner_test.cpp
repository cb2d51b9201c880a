// SPDX-License-Identifier: Apache-2.0
// Murmur2 against Kafka's own vectors, keyed placement, serializers, and
// KIP-794's built-in partitioner: stickiness, switching, adaptiveness.
#include <gtest/gtest.h>

#include <map>

#include "gregor/producer.h"
#include "producer/built_in_partitioner.h"

namespace gregor {
namespace {

// The vectors of Kafka's UtilsTest.testMurmur2, also what kafka-python's
// murmur2 returns (as signed 32-bit).
TEST(Murmur2Test, MatchesKafkasVectors) {
  EXPECT_EQ(Murmur2("21"), -973932308);
  EXPECT_EQ(Murmur2("foobar"), -790332482);
  EXPECT_EQ(Murmur2("a-little-bit-long-string"), -985981536);
  EXPECT_EQ(Murmur2("a-little-bit-longer-string"), -1486304829);
  EXPECT_EQ(Murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58897971);
  EXPECT_EQ(Murmur2("abc"), 479470107);
}

TEST(Murmur2Test, EmptyAndHighBytes) {
  EXPECT_EQ(Murmur2(""), 275646681);
  EXPECT_EQ(Murmur2("\xff\xfe\xfd"), 998637092);
}

// Values computed with kafka-python's DefaultPartitioner (same murmur2).
TEST(DefaultPartitionForKeyTest, SameAsJavaAndKafkaPython) {
  EXPECT_EQ(DefaultPartitionForKey("21", 3), 0);
  EXPECT_EQ(DefaultPartitionForKey("21", 7), 3);
  EXPECT_EQ(DefaultPartitionForKey("a-little-bit-long-string", 3), 2);
  EXPECT_EQ(DefaultPartitionForKey("a-little-bit-long-string", 7), 1);
  EXPECT_EQ(DefaultPartitionForKey("abc", 7), 4);
  EXPECT_EQ(DefaultPartitionForKey("key-0", 3), 1);
  EXPECT_EQ(DefaultPartitionForKey("\xff\xfe\xfd", 7), 5);
}

TEST(SerializerTest, StringsAsTheyAre) {
  auto s = StringSerializer();
  EXPECT_EQ(s("t", std::string("héllo")), "héllo");
  EXPECT_EQ(s("t", std::nullopt), std::nullopt);
}

TEST(SerializerTest, IntegersBigEndian) {
  EXPECT_EQ(IntegerSerializer()("t", 0x01020304), std::string("\x01\x02\x03\x04", 4));
  EXPECT_EQ(IntegerSerializer()("t", -1), std::string("\xff\xff\xff\xff", 4));
  EXPECT_EQ(LongSerializer()("t", int64_t(0x0102030405060708)),
            std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  EXPECT_EQ(LongSerializer()("t", std::nullopt), std::nullopt);
}

// A deterministic "random": returns the values given, in turn.
std::function<int32_t(int32_t)> Sequence(std::vector<int32_t> values) {
  auto i = std::make_shared<size_t>(0);
  return [values, i](int32_t n) { return values[(*i)++ % values.size()] % n; };
}

TEST(BuiltInPartitionerTest, SticksUntilBatchSizeThenSwitches) {
  BuiltInPartitioner p("t", 1000, Sequence({1, 2, 0}));
  int32_t first = p.PeekCurrentPartition(3, {0, 1, 2});
  EXPECT_EQ(first, 1);
  for (int i = 0; i < 9; ++i) {
    p.UpdatePartitionInfo(first, 100, 3, {0, 1, 2}, true);
    EXPECT_EQ(p.PeekCurrentPartition(3, {0, 1, 2}), first) << "after " << (i + 1) * 100;
  }
  p.UpdatePartitionInfo(first, 100, 3, {0, 1, 2}, true);  // 1000 bytes
  EXPECT_EQ(p.PeekCurrentPartition(3, {0, 1, 2}), 2);
}

TEST(BuiltInPartitionerTest, WaitsForFullBatchesUntilTwiceBatchSize) {
  BuiltInPartitioner p("t", 1000, Sequence({0, 1}));
  int32_t first = p.PeekCurrentPartition(2, {0, 1});
  p.UpdatePartitionInfo(first, 1500, 2, {0, 1}, /*enable_switch=*/false);
  EXPECT_EQ(p.PeekCurrentPartition(2, {0, 1}), first);
  p.UpdatePartitionInfo(first, 500, 2, {0, 1}, false);  // 2000: switch anyway
  EXPECT_NE(p.PeekCurrentPartition(2, {0, 1}), first);
}

TEST(BuiltInPartitionerTest, UpdateForAnOldPartitionIsIgnored) {
  BuiltInPartitioner p("t", 100, Sequence({0, 1}));
  int32_t first = p.PeekCurrentPartition(2, {0, 1});
  p.UpdatePartitionInfo(first, 100, 2, {0, 1}, true);
  int32_t second = p.PeekCurrentPartition(2, {0, 1});
  ASSERT_NE(second, first);
  p.UpdatePartitionInfo(first, 1000, 2, {0, 1}, true);  // a late thread
  EXPECT_EQ(p.PeekCurrentPartition(2, {0, 1}), second);
}

TEST(BuiltInPartitionerTest, PicksOnlyPartitionsWithALeader) {
  BuiltInPartitioner p("t", 1, nullptr);
  std::map<int32_t, int> seen;
  for (int i = 0; i < 200; ++i) {
    int32_t cur = p.PeekCurrentPartition(4, {1, 3});
    ++seen[cur];
    p.UpdatePartitionInfo(cur, 1, 4, {1, 3}, true);
  }
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_GT(seen[1], 0);
  EXPECT_GT(seen[3], 0);
}

TEST(BuiltInPartitionerTest, AdaptiveAvoidsLongQueues) {
  BuiltInPartitioner p("t", 1, nullptr);
  // Partition 0 has 9 batches queued (a slow broker), 1 and 2 none:
  // weights 1, 10, 10.
  p.UpdatePartitionLoadStats({9, 0, 0}, {0, 1, 2});
  std::map<int32_t, int> seen;
  int32_t cur = p.PeekCurrentPartition(3, {0, 1, 2});
  for (int i = 0; i < 3000; ++i) {
    p.UpdatePartitionInfo(cur, 1, 3, {0, 1, 2}, true);
    cur = p.PeekCurrentPartition(3, {0, 1, 2});
    ++seen[cur];
  }
  EXPECT_LT(seen[0], 400);  // expected ~1/21 of 3000 = 143
  EXPECT_GT(seen[1], 1000);
  EXPECT_GT(seen[2], 1000);
}

TEST(BuiltInPartitionerTest, EqualQueuesMeanUniform) {
  BuiltInPartitioner p("t", 1, Sequence({2}));
  p.UpdatePartitionLoadStats({3, 3, 3}, {0, 1, 2});
  EXPECT_EQ(p.PeekCurrentPartition(3, {0, 1, 2}), 2);
}

}  // namespace
}  // namespace gregor
