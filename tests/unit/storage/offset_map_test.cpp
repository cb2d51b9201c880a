// SPDX-License-Identifier: Apache-2.0
// OffsetMap: latest offset per key in fixed memory.
#include "storage/offset_map.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace gregor {
namespace {

TEST(OffsetMapTest, GetReturnsLatestOffsetPut) {
  OffsetMap map(1 << 16);
  EXPECT_TRUE(map.Put("a", 1));
  EXPECT_TRUE(map.Put("b", 2));
  EXPECT_TRUE(map.Put("a", 7));
  EXPECT_EQ(map.Get("a"), 7);
  EXPECT_EQ(map.Get("b"), 2);
  EXPECT_EQ(map.Get("c"), std::nullopt);
  EXPECT_EQ(map.size(), 2u);
  EXPECT_EQ(map.latest_offset(), 7);
}

TEST(OffsetMapTest, EmptyKeyAndPrefixKeysAreDistinct) {
  OffsetMap map(1 << 16);
  map.Put("", 1);
  map.Put(std::string(1, '\0'), 2);
  map.Put("abcdefgh", 3);
  map.Put(std::string("abcdefgh\0", 9), 4);
  EXPECT_EQ(map.Get(""), 1);
  EXPECT_EQ(map.Get(std::string(1, '\0')), 2);
  EXPECT_EQ(map.Get("abcdefgh"), 3);
  EXPECT_EQ(map.Get(std::string("abcdefgh\0", 9)), 4);
}

TEST(OffsetMapTest, FullMapRefusesNewKeysButUpdatesKnownOnes) {
  OffsetMap map(10 * OffsetMap::kSlotBytes);  // 10 slots, 9 keys at 0.9
  ASSERT_EQ(map.capacity(), 9u);
  for (int i = 0; i < 9; ++i) ASSERT_TRUE(map.Put("k" + std::to_string(i), i));
  EXPECT_TRUE(map.full());
  EXPECT_FALSE(map.Put("new", 100));
  EXPECT_EQ(map.Get("new"), std::nullopt);
  EXPECT_TRUE(map.Put("k3", 101));
  EXPECT_EQ(map.Get("k3"), 101);
  EXPECT_EQ(map.size(), 9u);
}

TEST(OffsetMapTest, ClearForgetsEverything) {
  OffsetMap map(1 << 10);
  map.Put("a", 1);
  map.Clear();
  EXPECT_EQ(map.size(), 0u);
  EXPECT_EQ(map.Get("a"), std::nullopt);
  EXPECT_EQ(map.latest_offset(), -1);
}

TEST(OffsetMapTest, ManySimilarKeysNeverCollide) {
  // 200,000 near-identical keys in a map sized for them: every key keeps
  // its own offset, and no two digests are equal.
  constexpr int kKeys = 200000;
  OffsetMap map(size_t(kKeys) * 2 * OffsetMap::kSlotBytes);
  std::set<KeyDigest> digests;
  for (int i = 0; i < kKeys; ++i) {
    std::string key = "user-" + std::to_string(i);
    ASSERT_TRUE(map.Put(key, i));
    digests.insert(DigestKey(key));
  }
  EXPECT_EQ(digests.size(), size_t(kKeys));
  for (int i = 0; i < kKeys; ++i) ASSERT_EQ(map.Get("user-" + std::to_string(i)), i);
}

}  // namespace
}  // namespace gregor
