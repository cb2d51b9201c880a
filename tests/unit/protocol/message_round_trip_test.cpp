// SPDX-License-Identifier: Apache-2.0
// Every message at every advertised version: Size() is the encoded length,
// decode(encode(m)) re-encodes to the same bytes, and at the highest
// version (where every field exists) decodes to m itself.
#include <gtest/gtest.h>

#include "protocol/message_codec.h"
#include "samples.h"

namespace gregor {
namespace {

using namespace gregor::testing;

template <KafkaMessage M>
void ExpectRoundTrips(const M& m) {
  for (int16_t v = M::kVersions.min; v <= M::kVersions.max; ++v) {
    SCOPED_TRACE(std::string(ApiKeyName(M::kApiKey)) + " v" + std::to_string(v));
    Bytes encoded = Encode(m, v);
    EXPECT_EQ(EncodedSize(m, v), encoded.size());
    Result<M> decoded = Decode<M>(encoded, v);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(Encode(*decoded, v), encoded);
    if (v == M::kVersions.max) {
      EXPECT_EQ(*decoded, m);
    }
  }
}

TEST(MessageRoundTripTest, ApiVersions) {
  ExpectRoundTrips(SampleApiVersionsRequest());
  ExpectRoundTrips(SampleApiVersionsResponse());
}
TEST(MessageRoundTripTest, Metadata) {
  ExpectRoundTrips(SampleMetadataRequest());
  ExpectRoundTrips(SampleMetadataResponse());
}
TEST(MessageRoundTripTest, Produce) {
  ExpectRoundTrips(SampleProduceRequest());
  ExpectRoundTrips(SampleProduceResponse());
}
TEST(MessageRoundTripTest, Fetch) {
  ExpectRoundTrips(SampleFetchRequest());
  ExpectRoundTrips(SampleFetchResponse());
}
TEST(MessageRoundTripTest, ListOffsets) {
  ExpectRoundTrips(SampleListOffsetsRequest());
  ExpectRoundTrips(SampleListOffsetsResponse());
}
TEST(MessageRoundTripTest, CreateTopics) {
  ExpectRoundTrips(SampleCreateTopicsRequest());
  ExpectRoundTrips(SampleCreateTopicsResponse());
}
TEST(MessageRoundTripTest, DeleteTopics) {
  ExpectRoundTrips(SampleDeleteTopicsRequest());
  ExpectRoundTrips(SampleDeleteTopicsResponse());
}
TEST(MessageRoundTripTest, EmptyMessagesToo) {
  ExpectRoundTrips(MetadataResponse{});
  ExpectRoundTrips(FetchRequest{});
  ExpectRoundTrips(FetchResponse{});
  ExpectRoundTrips(ProduceRequest{});
}

// Below the highest version the fields a version lacks come back at their
// defaults: spot checks of the version ranges that matter most to clients.
TEST(MessageVersionsTest, MetadataResponseV0HasNoRackClusterOrController) {
  Result<MetadataResponse> d = Decode<MetadataResponse>(Encode(SampleMetadataResponse(), 0), 0);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->throttle_time_ms, 0);
  EXPECT_EQ(d->brokers[0].rack, std::nullopt);
  EXPECT_EQ(d->cluster_id, std::nullopt);
  EXPECT_EQ(d->controller_id, -1);
  EXPECT_FALSE(d->topics[0].is_internal);
  EXPECT_TRUE(d->topics[0].partitions[0].offline_replicas.empty());
  EXPECT_EQ(d->topics[0].partitions[0].isr_nodes, std::vector<int32_t>{1});
}

TEST(MessageVersionsTest, MetadataRequestNullTopicsIsEmptyInV0) {
  MetadataRequest all;
  all.topics.reset();
  Result<MetadataRequest> v0 = Decode<MetadataRequest>(Encode(all, 0), 0);
  ASSERT_TRUE(v0.ok());
  EXPECT_TRUE(v0->topics && v0->topics->empty());
  EXPECT_TRUE(v0->RequestsAllTopics(0));
  Result<MetadataRequest> v1 = Decode<MetadataRequest>(Encode(all, 1), 1);
  ASSERT_TRUE(v1.ok());
  EXPECT_FALSE(v1->topics.has_value());
  EXPECT_TRUE(v1->RequestsAllTopics(1));
  EXPECT_FALSE(MetadataRequest{}.RequestsAllTopics(1));  // empty list in v1+: no topics
}

TEST(MessageVersionsTest, MetadataRequestAutoCreateDefaultsToTrueBeforeV4) {
  Result<MetadataRequest> d = Decode<MetadataRequest>(Encode(SampleMetadataRequest(), 3), 3);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->allow_auto_topic_creation);
}

TEST(MessageVersionsTest, FetchV4LacksSessionAndRackFields) {
  Result<FetchRequest> d = Decode<FetchRequest>(Encode(SampleFetchRequest(), 4), 4);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->isolation_level, 1);
  EXPECT_EQ(d->session_epoch, -1);
  EXPECT_TRUE(d->forgotten_topics_data.empty());
  EXPECT_EQ(d->rack_id, "");
  EXPECT_EQ(d->topics[0].partitions[0].log_start_offset, -1);
  EXPECT_EQ(d->topics[0].partitions[0].current_leader_epoch, -1);
  Result<FetchResponse> r = Decode<FetchResponse>(Encode(SampleFetchResponse(), 4), 4);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->error_code, ErrorCode::kNone);
  EXPECT_EQ(r->responses[0].partitions[0].preferred_read_replica, -1);
  EXPECT_EQ(r->responses[0].partitions[0].aborted_transactions->size(), 2u);
  EXPECT_FALSE(r->responses[0].partitions[1].aborted_transactions.has_value());
  EXPECT_EQ(r->responses[0].partitions[0].records, SomeRecords(9));
}

TEST(MessageVersionsTest, ProduceV3HasLogAppendTimeButNoLogStartOffset) {
  Result<ProduceResponse> d = Decode<ProduceResponse>(Encode(SampleProduceResponse(), 3), 3);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->responses[0].partition_responses[0].log_append_time_ms, 1700000000000);
  EXPECT_EQ(d->responses[0].partition_responses[0].log_start_offset, -1);
}

TEST(MessageVersionsTest, UnsupportedVersionIsRefused) {
  Bytes empty;
  EXPECT_EQ(Decode<ProduceRequest>(empty, 2).status().code(), ErrorCode::kUnsupportedVersion);
  EXPECT_EQ(Decode<FetchRequest>(empty, 12).status().code(), ErrorCode::kUnsupportedVersion);
  EXPECT_EQ(Decode<ApiVersionsRequest>(empty, 4).status().code(), ErrorCode::kUnsupportedVersion);
}

}  // namespace
}  // namespace gregor
