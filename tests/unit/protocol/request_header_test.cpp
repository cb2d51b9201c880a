// SPDX-License-Identifier: Apache-2.0
#include "protocol/request_header.h"

#include <gtest/gtest.h>

namespace gregor {
namespace {

TEST(RequestHeaderTest, VersionsFollowFlexibility) {
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kMetadata, 6), 1);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kMetadata, 9), 2);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kApiVersions, 3), 2);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kApiVersions, 4), 2);  // unknown but flexible
  EXPECT_EQ(ResponseHeaderVersion(ApiKey::kFetch, 11), 0);
  EXPECT_EQ(ResponseHeaderVersion(ApiKey::kFetch, 12), 1);
}

TEST(RequestHeaderTest, ApiVersionsResponseHeaderIsAlwaysV0) {
  for (int16_t v = 0; v < 10; ++v) EXPECT_EQ(ResponseHeaderVersion(ApiKey::kApiVersions, v), 0);
}

TEST(RequestHeaderTest, RoundTripsV1AndV2) {
  for (int16_t version : {int16_t(0), int16_t(3), int16_t(4)}) {
    RequestHeader h{ApiKey::kApiVersions, version, 42, std::string("client-1")};
    Bytes out;
    WriteRequestHeader(out, h);
    out.push_back(0x99);  // first body byte
    Result<ParsedRequest> p = ParseRequestHeader(out);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_EQ(p->header, h);
    EXPECT_EQ(p->header_version, version >= 3 ? 2 : 1);
    ASSERT_EQ(p->body.size(), 1u);
    EXPECT_EQ(p->body[0], 0x99);
  }
}

TEST(RequestHeaderTest, NullClientId) {
  RequestHeader h{ApiKey::kMetadata, 1, 7, std::nullopt};
  Bytes out;
  WriteRequestHeader(out, h);
  EXPECT_EQ(out, (Bytes{0, 3, 0, 1, 0, 0, 0, 7, 0xff, 0xff}));
  Result<ParsedRequest> p = ParseRequestHeader(out);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->header.client_id, std::nullopt);
}

TEST(RequestHeaderTest, V2SkipsUnknownTaggedFields) {
  // ApiVersions v3, correlation 1, client_id "c", two tagged fields.
  Bytes frame{0, 18, 0, 3, 0, 0, 0, 1, 0, 1, 'c', 2, 0, 2, 'x', 'y', 5, 0, 0xee};
  Result<ParsedRequest> p = ParseRequestHeader(frame);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->header.client_id, "c");
  ASSERT_EQ(p->body.size(), 1u);
  EXPECT_EQ(p->body[0], 0xee);
}

TEST(RequestHeaderTest, TruncatedAtEveryByteFails) {
  RequestHeader h{ApiKey::kApiVersions, 3, 42, std::string("client-1")};
  Bytes out;
  WriteRequestHeader(out, h);
  for (size_t n = 0; n < out.size(); ++n) {
    Result<ParsedRequest> p = ParseRequestHeader(ByteSpan(out).first(n));
    EXPECT_FALSE(p.ok()) << n;
    EXPECT_EQ(p.status().code(), ErrorCode::kInvalidRequest);
  }
}

TEST(RequestHeaderTest, ClientIdLongerThanFrameFails) {
  Bytes frame{0, 3, 0, 1, 0, 0, 0, 7, 0x7f, 0xff, 'a'};
  EXPECT_FALSE(ParseRequestHeader(frame).ok());
}

TEST(ResponseHeaderTest, V0AndV1) {
  Bytes v0, v1;
  WriteResponseHeader(v0, 0x01020304, 0);
  WriteResponseHeader(v1, 0x01020304, 1);
  EXPECT_EQ(v0, (Bytes{1, 2, 3, 4}));
  EXPECT_EQ(v1, (Bytes{1, 2, 3, 4, 0}));
  v1.push_back(0x55);
  Result<ParsedResponse> p = ParseResponseHeader(v1, 1);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->correlation_id, 0x01020304);
  EXPECT_EQ(p->body.size(), 1u);
  EXPECT_FALSE(ParseResponseHeader(ByteSpan(v0).first(3), 0).ok());
  EXPECT_FALSE(ParseResponseHeader(v0, 1).ok());  // v1 needs the tag byte
}

}  // namespace
}  // namespace gregor
