// SPDX-License-Identifier: Apache-2.0
#include "common/errors.h"

#include <gtest/gtest.h>

namespace gregor {
namespace {

TEST(ErrorsTest, WireNumbersAndNamesMatchKafka) {
  EXPECT_EQ(int16_t(ErrorCode::kCorruptMessage), 2);
  EXPECT_EQ(int16_t(ErrorCode::kUnsupportedVersion), 35);
  EXPECT_EQ(int16_t(ErrorCode::kKafkaStorageError), 56);
  EXPECT_EQ(int16_t(ErrorCode::kInvalidRecord), 87);
  EXPECT_EQ(int16_t(ErrorCode::kUnknownServerError), -1);
  EXPECT_STREQ(ErrorName(ErrorCode::kCorruptMessage), "CORRUPT_MESSAGE");
  EXPECT_STREQ(ErrorName(ErrorCode::kNotLeaderOrFollower), "NOT_LEADER_OR_FOLLOWER");
}

TEST(ErrorsTest, FromWireRoundTripsAndMapsUnknown) {
  EXPECT_EQ(ErrorFromWire(45), ErrorCode::kOutOfOrderSequenceNumber);
  EXPECT_EQ(ErrorFromWire(0), ErrorCode::kNone);
  EXPECT_EQ(ErrorFromWire(30000), ErrorCode::kUnknownServerError);
}

TEST(StatusTest, OkAndToString) {
  EXPECT_TRUE(Status().ok());
  Status s(ErrorCode::kCorruptMessage, "crc mismatch");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.ToString(), "CORRUPT_MESSAGE: crc mismatch");
}

TEST(ResultTest, HoldsValueOrStatus) {
  Result<int> good = 5;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 5);
  EXPECT_TRUE(good.status().ok());
  Result<int> bad(ErrorCode::kOffsetOutOfRange, "past end");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kOffsetOutOfRange);
}

}  // namespace
}  // namespace gregor
