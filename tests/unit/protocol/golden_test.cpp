// SPDX-License-Identifier: Apache-2.0
// Known encodings, computed by hand from Kafka's protocol guide and message
// schemas: if one of these changes, a real client breaks.
#include <gtest/gtest.h>

#include "protocol/api_versions.h"
#include "protocol/delete_topics.h"
#include "protocol/frame.h"
#include "protocol/metadata.h"
#include "protocol/produce.h"

namespace gregor {
namespace {

// clang-format off: the byte lists are laid out field by field.

RequestHeader Header(ApiKey key, int16_t version, int32_t correlation_id) {
  return {key, version, correlation_id, std::string("ab")};
}

TEST(GoldenTest, ApiVersionsV0Request) {
  Bytes frame = EncodeRequestFrame(Header(ApiKey::kApiVersions, 0, 1), ApiVersionsRequest{});
  EXPECT_EQ(frame, (Bytes{0, 0, 0, 12,        // size
                          0, 18, 0, 0,        // api_key 18, version 0
                          0, 0, 0, 1,         // correlation_id
                          0, 2, 'a', 'b'}));  // client_id; empty body
}

TEST(GoldenTest, ApiVersionsV3RequestUsesHeaderV2AndCompactStrings) {
  ApiVersionsRequest req{.client_software_name = "gregor", .client_software_version = "1.0"};
  Bytes frame = EncodeRequestFrame(Header(ApiKey::kApiVersions, 3, 7), req);
  Bytes expected{0, 0,   0,   25,                     // size
                 0, 18,  0,   3,   0,   0,   0,   7,  // key, version, correlation
                 0, 2,   'a', 'b',                    // client_id: still int16 length
                 0,                                   // header tagged fields
                 7, 'g', 'r', 'e', 'g', 'o', 'r',     // compact string: len + 1
                 4, '1', '.', '0',                    //
                 0};                                  // body tagged fields
  EXPECT_EQ(frame, expected);
  Result<ParsedRequest> p = ParseRequestHeader(ByteSpan(frame).subspan(4));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->header_version, 2);
  Result<ApiVersionsRequest> body = Decode<ApiVersionsRequest>(p->body, 3);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body, req);
}

TEST(GoldenTest, ApiVersionsV0Response) {
  ApiVersionsResponse r;
  r.api_keys = {{18, 0, 3}};
  EXPECT_EQ(EncodeResponseFrame(5, r, 0), (Bytes{0, 0,  0, 16,           // size
                                                 0, 0,  0, 5,            // correlation_id
                                                 0, 0,                   // error_code
                                                 0, 0,  0, 1,            // array count
                                                 0, 18, 0, 0,  0, 3}));  // key, min, max
}

TEST(GoldenTest, ApiVersionsV3ResponseIsFlexibleButHeaderV0) {
  ApiVersionsResponse r;
  r.api_keys = {{18, 0, 3}};
  r.throttle_time_ms = 1;
  EXPECT_EQ(EncodeResponseFrame(5, r, 3), (Bytes{0, 0,  0, 19, 0, 0, 0, 5,  // header v0: no tags
                                                 0, 0,                      // error_code
                                                 2,                         // compact count 1
                                                 0, 18, 0, 0,  0, 3, 0,     // entry + its tags
                                                 0, 0,  0, 1,               // throttle_time_ms
                                                 0}));                      // body tags
}

TEST(GoldenTest, UnsupportedApiVersionsAnswerIsV0WithError35) {
  Bytes frame = EncodeResponseFrame(9, MakeApiVersionsResponse(ErrorCode::kUnsupportedVersion), 0);
  ASSERT_GE(frame.size(), 10u);
  EXPECT_EQ(LoadBE16(frame.data() + 8), 35);
  Result<ApiVersionsResponse> r = Decode<ApiVersionsResponse>(ByteSpan(frame).subspan(8), 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->api_keys.size(), SupportedApis().size());
}

TEST(GoldenTest, MetadataV0RequestWithEmptyTopicsIsKafkaPythonsProbe) {
  Bytes frame = EncodeRequestFrame(Header(ApiKey::kMetadata, 0, 2), MetadataRequest{});
  EXPECT_EQ(frame,
            (Bytes{0, 0, 0, 16, 0,   3,   0, 0, 0, 0,
                   0, 2, 0, 2,  'a', 'b', 0, 0, 0, 0}));  // topics: empty array = all topics in v0
}

TEST(GoldenTest, MetadataV1NullTopicsIsMinusOne) {
  MetadataRequest all;
  all.topics.reset();
  EXPECT_EQ(Encode(all, 1), (Bytes{0xff, 0xff, 0xff, 0xff}));
}

TEST(GoldenTest, ProduceV3NullTransactionalId) {
  ProduceRequest r;
  r.acks = 1;
  r.timeout_ms = 1000;
  r.topic_data = {{"t", {{0, Bytes{0xaa}}}}};
  EXPECT_EQ(Encode(r, 3), (Bytes{0xff, 0xff,                            // transactional_id null
                                 0,    1,    0, 0, 0x03, 0xe8,          // acks, timeout_ms
                                 0,    0,    0, 1, 0,    1,    't',     // one topic "t"
                                 0,    0,    0, 1, 0,    0,    0,   0,  // one partition, index 0
                                 0,    0,    0, 1, 0xaa}));             // records: int32 length
}

TEST(GoldenTest, DeleteTopicsV0) {
  DeleteTopicsRequest r{.topic_names = {"x"}, .timeout_ms = 2};
  EXPECT_EQ(Encode(r, 0), (Bytes{0, 0, 0, 1, 0, 1, 'x', 0, 0, 0, 2}));
}

// clang-format on

}  // namespace
}  // namespace gregor
