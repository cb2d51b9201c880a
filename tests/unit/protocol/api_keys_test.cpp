// SPDX-License-Identifier: Apache-2.0
#include "protocol/api_keys.h"

#include <gtest/gtest.h>

namespace gregor {
namespace {

TEST(ApiKeysTest, AdvertisesExactlyTheImplementedRanges) {
  auto expect = [](ApiKey key, int16_t min, int16_t max) {
    const ApiVersionRange* r = FindSupportedApi(key);
    ASSERT_NE(r, nullptr) << ApiKeyName(key);
    EXPECT_EQ(r->min_version, min) << ApiKeyName(key);
    EXPECT_EQ(r->max_version, max) << ApiKeyName(key);
  };
  expect(ApiKey::kApiVersions, 0, 3);
  expect(ApiKey::kMetadata, 0, 6);
  expect(ApiKey::kProduce, 3, 7);
  expect(ApiKey::kFetch, 4, 11);
  expect(ApiKey::kListOffsets, 1, 3);
  expect(ApiKey::kCreateTopics, 0, 4);
  expect(ApiKey::kDeleteTopics, 0, 3);
  // Chapter 06's group APIs (their ranges: group_messages_test.cpp).
  expect(ApiKey::kJoinGroup, 0, 5);
  EXPECT_EQ(SupportedApis().size(), 17u);
  EXPECT_EQ(FindSupportedApi(ApiKey::kInitProducerId), nullptr);  // chapter 07
}

TEST(ApiKeysTest, NoAdvertisedVersionIsFlexibleExceptApiVersions3) {
  for (const ApiVersionRange& r : SupportedApis()) {
    bool flexible = IsFlexible(r.key, r.max_version);
    EXPECT_EQ(flexible, r.key == ApiKey::kApiVersions) << ApiKeyName(r.key);
  }
}

TEST(ApiKeysTest, FlexibleVersionsMatchKafkaSchemas) {
  EXPECT_EQ(FlexibleVersion(ApiKey::kApiVersions), 3);
  EXPECT_EQ(FlexibleVersion(ApiKey::kMetadata), 9);
  EXPECT_EQ(FlexibleVersion(ApiKey::kProduce), 9);
  EXPECT_EQ(FlexibleVersion(ApiKey::kFetch), 12);
  EXPECT_EQ(FlexibleVersion(ApiKey::kListOffsets), 6);
  EXPECT_EQ(FlexibleVersion(ApiKey::kCreateTopics), 5);
  EXPECT_EQ(FlexibleVersion(ApiKey::kDeleteTopics), 4);
  EXPECT_EQ(FlexibleVersion(ApiKey::kOffsetFetch), 6);
  EXPECT_EQ(FlexibleVersion(ApiKey::kInitProducerId), 2);
  EXPECT_EQ(FlexibleVersion(ApiKey::kSaslHandshake), kNeverFlexible);
  EXPECT_EQ(FlexibleVersion(static_cast<ApiKey>(999)), kNeverFlexible);
}

TEST(ApiKeysTest, NamesAreKafkas) {
  EXPECT_STREQ(ApiKeyName(ApiKey::kProduce), "Produce");
  EXPECT_STREQ(ApiKeyName(ApiKey::kApiVersions), "ApiVersions");
  EXPECT_STREQ(ApiKeyName(ApiKey::kTxnOffsetCommit), "TxnOffsetCommit");
  EXPECT_STREQ(ApiKeyName(static_cast<ApiKey>(-7)), "Unknown");
}

}  // namespace
}  // namespace gregor
