// SPDX-License-Identifier: Apache-2.0
#include "network/end_point.h"

#include <gtest/gtest.h>

namespace gregor {
namespace {

TEST(EndPointTest, ParsesNameHostAndPort) {
  auto ep = EndPoint::Parse("PLAINTEXT://localhost:9092");
  ASSERT_TRUE(ep.ok()) << ep.status().ToString();
  EXPECT_EQ(ep->listener_name, "PLAINTEXT");
  EXPECT_EQ(ep->host, "localhost");
  EXPECT_EQ(ep->port, 9092);
}

TEST(EndPointTest, EmptyHostMeansWildcard) {
  auto ep = EndPoint::Parse("PLAINTEXT://:0");
  ASSERT_TRUE(ep.ok());
  EXPECT_EQ(ep->host, "");
  EXPECT_EQ(ep->port, 0);
}

TEST(EndPointTest, Ipv6LiteralInBracketsRoundTrips) {
  auto ep = EndPoint::Parse("INTERNAL://[::1]:19092");
  ASSERT_TRUE(ep.ok());
  EXPECT_EQ(ep->host, "::1");
  EXPECT_EQ(ep->ToString(), "INTERNAL://[::1]:19092");
}

TEST(EndPointTest, RejectsMalformedListeners) {
  for (const char* bad :
       {"localhost:9092", "PLAINTEXT://localhost", "PLAINTEXT://h:99999", "PLAINTEXT://h:-1",
        "PLAINTEXT://::1:9092", "PLAINTEXT://[::1:9092", "://h:1", "PLAINTEXT://h:12x"}) {
    auto ep = EndPoint::Parse(bad);
    EXPECT_FALSE(ep.ok()) << bad;
    if (!ep.ok()) {
      EXPECT_EQ(ep.status().code(), ErrorCode::kInvalidConfig);
    }
  }
}

}  // namespace
}  // namespace gregor
