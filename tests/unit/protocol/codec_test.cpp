// SPDX-License-Identifier: Apache-2.0
// The decoder against malformed input: truncation anywhere, lengths that
// lie, nulls where none are allowed, tagged fields it does not know, and
// overlong varints. None of these may crash, and all but the tagged fields
// must fail with INVALID_REQUEST.
#include <gtest/gtest.h>

#include "protocol/message_codec.h"
#include "samples.h"

namespace gregor {
namespace {

using namespace gregor::testing;

template <KafkaMessage M>
void ExpectEveryTruncationFails(const M& m) {
  for (int16_t v = M::kVersions.min; v <= M::kVersions.max; ++v) {
    Bytes full = Encode(m, v);
    for (size_t n = 0; n < full.size(); ++n) {
      Result<M> d = Decode<M>(ByteSpan(full).first(n), v);
      ASSERT_FALSE(d.ok()) << ApiKeyName(M::kApiKey) << " v" << v << " cut at " << n;
      ASSERT_EQ(d.status().code(), ErrorCode::kInvalidRequest);
    }
  }
}

TEST(DecoderTest, TruncatedAtEveryByteFails) {
  ExpectEveryTruncationFails(SampleApiVersionsRequest());
  ExpectEveryTruncationFails(SampleApiVersionsResponse());
  ExpectEveryTruncationFails(SampleMetadataRequest());
  ExpectEveryTruncationFails(SampleMetadataResponse());
  ExpectEveryTruncationFails(SampleProduceRequest());
  ExpectEveryTruncationFails(SampleProduceResponse());
  ExpectEveryTruncationFails(SampleFetchRequest());
  ExpectEveryTruncationFails(SampleFetchResponse());
  ExpectEveryTruncationFails(SampleListOffsetsRequest());
  ExpectEveryTruncationFails(SampleListOffsetsResponse());
  ExpectEveryTruncationFails(SampleCreateTopicsRequest());
  ExpectEveryTruncationFails(SampleCreateTopicsResponse());
  ExpectEveryTruncationFails(SampleDeleteTopicsRequest());
  ExpectEveryTruncationFails(SampleDeleteTopicsResponse());
}

TEST(DecoderTest, HugeArrayCountInATinyFrameFails) {
  // DeleteTopics v0: topic_names count 0x7fffffff, then 6 stray bytes.
  Bytes body{0x7f, 0xff, 0xff, 0xff, 0, 1, 'x', 0, 0, 0};
  Result<DeleteTopicsRequest> d = Decode<DeleteTopicsRequest>(body, 0);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), ErrorCode::kInvalidRequest);
  EXPECT_NE(d.status().message().find("topic_names"), std::string::npos);
}

TEST(DecoderTest, HugeCompactArrayCountFails) {
  // ApiVersions v3 response: error_code, then a compact count of 2^32-2.
  Bytes body{0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f, 0};
  EXPECT_FALSE(Decode<ApiVersionsResponse>(body, 3).ok());
}

TEST(DecoderTest, HugeRecordsLengthFails) {
  ProduceRequest one;
  one.topic_data = {{"t", {{0, Bytes{1}}}}};
  Bytes body = Encode(one, 3);
  StoreBE32(body.data() + body.size() - 5, 0x7fffffff);  // the records length
  EXPECT_FALSE(Decode<ProduceRequest>(body, 3).ok());
}

TEST(DecoderTest, NullForNonNullableStringFails) {
  Bytes body{0, 0, 0, 1, 0xff, 0xff, 0, 0, 0, 2};  // topic name length -1
  Result<DeleteTopicsRequest> d = Decode<DeleteTopicsRequest>(body, 0);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("null"), std::string::npos);
}

TEST(DecoderTest, NullForNonNullableArrayFails) {
  Bytes body{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2};  // topic_names -1
  EXPECT_FALSE(Decode<DeleteTopicsRequest>(body, 0).ok());
  // Metadata topics are nullable from v1 only.
  Bytes all{0xff, 0xff, 0xff, 0xff};
  EXPECT_FALSE(Decode<MetadataRequest>(all, 0).ok());
  EXPECT_TRUE(Decode<MetadataRequest>(all, 1).ok());
}

TEST(DecoderTest, LengthBelowMinusOneFails) {
  Bytes body{0, 0, 0, 1, 0xff, 0xfe, 0, 0, 0, 2};  // string length -2
  EXPECT_FALSE(Decode<DeleteTopicsRequest>(body, 0).ok());
  CreateTopicsResponse r;
  r.topics = {{"t", ErrorCode::kNone, std::nullopt}};
  Bytes enc = Encode(r, 1);
  enc[enc.size() - 2] = 0xfe;  // nullable error_message length -1 -> -2
  EXPECT_FALSE(Decode<CreateTopicsResponse>(enc, 1).ok());
}

TEST(DecoderTest, NullCompactStringForNonNullableFails) {
  Bytes body{0, 0, 0};  // ApiVersions v3 request: client_software_name len 0 = null
  EXPECT_FALSE(Decode<ApiVersionsRequest>(body, 3).ok());
}

TEST(DecoderTest, UnknownTaggedFieldsAreSkipped) {
  Bytes body{2, 'a', 2,   'b',       // two compact strings
             2,                      // two tagged fields
             0, 3,   'x', 'y', 'z',  // tag 0, 3 bytes
             9, 0};                  // tag 9, empty
  Result<ApiVersionsRequest> d = Decode<ApiVersionsRequest>(body, 3);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->client_software_name, "a");
  EXPECT_EQ(d->client_software_version, "b");
}

TEST(DecoderTest, TaggedFieldLongerThanFrameFails) {
  Bytes body{2, 'a', 2, 'b', 1, 0, 0x7f, 'x'};
  EXPECT_FALSE(Decode<ApiVersionsRequest>(body, 3).ok());
}

TEST(DecoderTest, HugeTaggedFieldCountFails) {
  Bytes body{2, 'a', 2, 'b', 0xff, 0xff, 0xff, 0xff, 0x0f};
  EXPECT_FALSE(Decode<ApiVersionsRequest>(body, 3).ok());
}

TEST(DecoderTest, TooLongVarintFails) {
  Bytes body{0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 2, 'b', 0};  // 6-byte uvarint
  Result<ApiVersionsRequest> d = Decode<ApiVersionsRequest>(body, 3);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), ErrorCode::kInvalidRequest);
}

TEST(DecoderTest, TrailingBytesAreIgnored) {
  Bytes body = Encode(SampleDeleteTopicsRequest(), 1);
  body.push_back(0);
  EXPECT_TRUE(Decode<DeleteTopicsRequest>(body, 1).ok());
}

TEST(SizerTest, RecordsLengthSize) {
  EXPECT_EQ(Sizer::RecordsLengthSize(100, false), 4u);
  EXPECT_EQ(Sizer::RecordsLengthSize(-1, true), 1u);
  EXPECT_EQ(Sizer::RecordsLengthSize(126, true), 1u);
  EXPECT_EQ(Sizer::RecordsLengthSize(127, true), 2u);
}

}  // namespace
}  // namespace gregor
