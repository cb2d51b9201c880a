// SPDX-License-Identifier: Apache-2.0
// KafkaApis end to end below the network: request payloads in, response
// payloads out, over a real LogManager, ReplicaManager and TopicRegistry
// (testing::KafkaApisTestBase).
#include "server/kafka_apis.h"

#include <gtest/gtest.h>

#include "protocol/api_versions.h"
#include "protocol/create_topics.h"
#include "protocol/delete_topics.h"
#include "protocol/fetch.h"
#include "protocol/list_offsets.h"
#include "protocol/metadata.h"
#include "protocol/produce.h"
#include "server_test_util.h"

namespace gregor {
namespace {

using testing::DecodeAll;
using testing::MakeBatch;
using Action = ApiResponse::Action;

constexpr int32_t kNode = testing::kTestNodeId;

KafkaConfig MakeConfig(const std::map<std::string, std::string>& extra = {}) {
  return testing::ApisTestConfig(extra);
}

class KafkaApisTest : public testing::KafkaApisTestBase {
 protected:
  /// Sends `body` at `version` (a payload without its size prefix).
  template <class Req>
  ApiResponse Call(const Req& body, int16_t version, KafkaApis* apis = nullptr) {
    Bytes payload = testing::RequestPayload(body, version, 42, "kafka-apis-test");
    return (apis ? apis : apis_.get())->Handle(payload);
  }

  /// Decodes a kSend response as `Resp` at `version`. The payload starts
  /// with the response header: KafkaApis writes no size prefix.
  template <class Resp>
  Resp Parse(const ApiResponse& r, int16_t version) {
    EXPECT_EQ(r.action, Action::kSend);
    EXPECT_TRUE(r.file_regions.empty());
    auto header =
        ParseResponseHeader(r.payload, ResponseHeaderVersion(Resp::kApiKey, version));
    EXPECT_TRUE(header.ok());
    EXPECT_EQ(header->correlation_id, 42);
    auto body = Decode<Resp>(header->body, version);
    EXPECT_TRUE(body.ok()) << body.status().ToString();
    return body.ok() ? *body : Resp{};
  }

  template <class Resp, class Req>
  Resp RoundTrip(const Req& body, int16_t version) {
    return Parse<Resp>(Call(body, version), version);
  }

  void CreateTopic(const std::string& name, int32_t partitions = 1) {
    ASSERT_TRUE(registry_->CreateTopic(name, partitions, 1, {}).ok());
  }

  ProduceRequest ProduceOf(const std::string& topic, int32_t partition, Bytes records,
                           int16_t acks = -1) {
    ProduceRequest req;
    req.acks = acks;
    req.timeout_ms = 1000;
    req.topic_data.push_back({topic, {{partition, std::move(records)}}});
    return req;
  }
  PartitionProduceResponse Produce(const std::string& topic, int32_t partition, Bytes records) {
    auto resp = RoundTrip<ProduceResponse>(ProduceOf(topic, partition, std::move(records)), 7);
    EXPECT_EQ(resp.responses.size(), 1u);
    if (resp.responses.empty() || resp.responses[0].partition_responses.empty()) return {};
    return resp.responses[0].partition_responses[0];
  }

  FetchRequest FetchOf(const std::string& topic, std::vector<int32_t> partitions, int64_t offset,
                       int32_t partition_max_bytes = 1 << 20) {
    FetchRequest req;
    FetchTopic t{topic, {}};
    for (int32_t p : partitions) t.partitions.push_back({p, -1, offset, -1, partition_max_bytes});
    req.topics.push_back(t);
    return req;
  }
  FetchPartitionData FetchOne(const std::string& topic, int64_t offset, int16_t version = 11,
                              int32_t partition_max_bytes = 1 << 20) {
    auto resp = RoundTrip<FetchResponse>(FetchOf(topic, {0}, offset, partition_max_bytes), version);
    EXPECT_EQ(resp.session_id, 0);
    EXPECT_EQ(resp.error_code, ErrorCode::kNone);
    if (resp.responses.empty() || resp.responses[0].partitions.empty()) return {};
    return resp.responses[0].partitions[0];
  }

  MetadataResponse Metadata(std::vector<std::string> names, bool allow, int16_t version = 4) {
    MetadataRequest req;
    req.topics.emplace();
    for (auto& n : names) req.topics->push_back({n});
    req.allow_auto_topic_creation = allow;
    return RoundTrip<MetadataResponse>(req, version);
  }
};

// --- framing and versions ---------------------------------------------------

TEST_F(KafkaApisTest, ApiVersionsV0AndV3ListTheSupportedApis) {
  for (int16_t v : {0, 3}) {
    auto resp = RoundTrip<ApiVersionsResponse>(ApiVersionsRequest{"t", "1"}, v);
    EXPECT_EQ(resp.error_code, ErrorCode::kNone);
    EXPECT_EQ(resp.api_keys.size(), SupportedApis().size()) << "v" << v;
    EXPECT_EQ(resp.throttle_time_ms, 0);
  }
}

TEST_F(KafkaApisTest, ApiVersionsV4GetsUnsupportedVersionWithV0BodyAndHeaderV0) {
  Bytes frame;
  WriteRequestHeader(frame, {ApiKey::kApiVersions, 4, 42, "future-client"});
  EncodeTo(frame, ApiVersionsRequest{"future", "9"}, 3);  // some flexible body
  auto r = apis_->Handle(frame);
  ASSERT_EQ(r.action, Action::kSend);
  auto header = ParseResponseHeader(r.payload, 0);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->correlation_id, 42);
  auto body = Decode<ApiVersionsResponse>(header->body, 0);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->error_code, ErrorCode::kUnsupportedVersion);
  EXPECT_FALSE(body->api_keys.empty());  // so the client can pick a version
}

// The network layer writes the size prefix, so KafkaApis' bytes go to the
// socket as they are: they start with the response header.
TEST_F(KafkaApisTest, ResponsePayloadHasNoSizePrefix) {
  auto r = Call(ApiVersionsRequest{}, 3);
  ASSERT_EQ(r.action, Action::kSend);
  ASSERT_GE(r.payload.size(), 4u);
  EXPECT_EQ(LoadBE32(r.payload.data()), 42u);  // the correlation id, first
  Bytes expected = EncodeResponseFrame(42, MakeApiVersionsResponse(), 3);
  EXPECT_EQ(r.payload, Bytes(expected.begin() + 4, expected.end()));
}

TEST_F(KafkaApisTest, UnsupportedProduceVersionClosesTheConnection) {
  Bytes frame;
  WriteRequestHeader(frame, {ApiKey::kProduce, 2, 42, "old-client"});
  frame.resize(frame.size() + 16);
  EXPECT_EQ(apis_->Handle(frame).action, Action::kClose);
}

TEST_F(KafkaApisTest, UnknownApiKeyClosesTheConnection) {
  Bytes frame;
  WriteRequestHeader(frame, {ApiKey(99), 0, 42, "x"});
  EXPECT_EQ(apis_->Handle(frame).action, Action::kClose);
}

TEST_F(KafkaApisTest, GarbageFrameClosesTheConnection) {
  Bytes garbage = {0x00, 0x03, 0x00};
  EXPECT_EQ(apis_->Handle(garbage).action, Action::kClose);
  EXPECT_EQ(apis_->Handle(ByteSpan{}).action, Action::kClose);
}

TEST_F(KafkaApisTest, TruncatedBodyClosesTheConnection) {
  Bytes frame;
  WriteRequestHeader(frame, {ApiKey::kMetadata, 1, 42, "x"});
  frame.push_back(0x00);  // half of the topics count
  EXPECT_EQ(apis_->Handle(frame).action, Action::kClose);
}

TEST(ParseListenerTest, WildcardAndEmptyHostsBecomeLoopback) {
  EXPECT_EQ(ParseListener("PLAINTEXT://0.0.0.0:9092")->host, "127.0.0.1");
  EXPECT_EQ(ParseListener("PLAINTEXT://:9094")->port, 9094);
  EXPECT_EQ(ParseListener("PLAINTEXT://:9094")->host, "127.0.0.1");
  EXPECT_EQ(ParseListener("EXTERNAL://kafka.example:19092")->host, "kafka.example");
  EXPECT_EQ(ParseListener("PLAINTEXT://[::1]:9092")->host, "::1");
  EXPECT_FALSE(ParseListener("localhost:9092"));
  EXPECT_FALSE(ParseListener("PLAINTEXT://host:port"));
}

// --- Metadata -----------------------------------------------------------------

TEST_F(KafkaApisTest, MetadataV0EmptyListMeansAllTopics) {
  CreateTopic("a", 1);
  CreateTopic("b", 3);
  auto resp = Metadata({}, true, 0);
  ASSERT_EQ(resp.brokers.size(), 1u);
  EXPECT_EQ(resp.brokers[0].node_id, kNode);
  EXPECT_EQ(resp.brokers[0].host, "127.0.0.1");  // listener was 0.0.0.0
  EXPECT_EQ(resp.brokers[0].port, 9093);
  ASSERT_EQ(resp.topics.size(), 2u);
  EXPECT_EQ(resp.topics[1].name, "b");
  ASSERT_EQ(resp.topics[1].partitions.size(), 3u);
  const auto& p = resp.topics[1].partitions[2];
  EXPECT_EQ(p.error_code, ErrorCode::kNone);
  EXPECT_EQ(p.leader_id, kNode);
  EXPECT_EQ(p.replica_nodes, std::vector<int32_t>{kNode});
  EXPECT_EQ(p.isr_nodes, std::vector<int32_t>{kNode});
}

TEST_F(KafkaApisTest, MetadataV1NullListMeansAllTopicsAndReportsController) {
  CreateTopic("a");
  MetadataRequest req;
  req.topics.reset();
  auto resp = RoundTrip<MetadataResponse>(req, 1);
  EXPECT_EQ(resp.topics.size(), 1u);
  EXPECT_EQ(resp.controller_id, kNode);
}

TEST_F(KafkaApisTest, MetadataAutoCreatesWhenAllowed) {
  auto first = Metadata({"auto"}, true);
  ASSERT_EQ(first.topics.size(), 1u);
  EXPECT_EQ(first.topics[0].error_code, ErrorCode::kLeaderNotAvailable);
  EXPECT_EQ(first.cluster_id, "gregor-cluster");
  auto second = Metadata({"auto"}, true);
  ASSERT_EQ(second.topics.size(), 1u);
  EXPECT_EQ(second.topics[0].error_code, ErrorCode::kNone);
  ASSERT_EQ(second.topics[0].partitions.size(), 2u);  // num.partitions
  EXPECT_EQ(second.topics[0].partitions[1].leader_id, kNode);
}

TEST_F(KafkaApisTest, MetadataDoesNotAutoCreateWhenNotAllowed) {
  auto resp = Metadata({"nope"}, false);
  ASSERT_EQ(resp.topics.size(), 1u);
  EXPECT_EQ(resp.topics[0].error_code, ErrorCode::kUnknownTopicOrPartition);
  EXPECT_FALSE(registry_->Find("nope"));
}

TEST_F(KafkaApisTest, MetadataDoesNotAutoCreateWhenDisabledByConfig) {
  KafkaConfig off = MakeConfig({{"auto.create.topics.enable", "false"}});
  KafkaApis apis(off, replicas_, *registry_, clock_);
  MetadataRequest req;
  req.topics = std::vector<MetadataRequestTopic>{{"nope"}};
  auto resp = Parse<MetadataResponse>(Call(req, 3, &apis), 3);  // v3: no allow flag
  ASSERT_EQ(resp.topics.size(), 1u);
  EXPECT_EQ(resp.topics[0].error_code, ErrorCode::kUnknownTopicOrPartition);
}

TEST_F(KafkaApisTest, MetadataInvalidNameIsInvalidTopic) {
  auto resp = Metadata({"bad/name"}, true);
  ASSERT_EQ(resp.topics.size(), 1u);
  EXPECT_EQ(resp.topics[0].error_code, ErrorCode::kInvalidTopicException);
}

TEST_F(KafkaApisTest, MetadataMarksDoubleUnderscoreTopicsInternal) {
  CreateTopic("__consumer_offsets");
  auto resp = Metadata({"__consumer_offsets"}, false);
  ASSERT_EQ(resp.topics.size(), 1u);
  EXPECT_TRUE(resp.topics[0].is_internal);
}

// --- Produce ------------------------------------------------------------------

TEST_F(KafkaApisTest, ProduceToUnknownTopicIsUnknownTopicOrPartition) {
  auto p = Produce("ghost", 0, MakeBatch(1, 1000));
  EXPECT_EQ(p.error_code, ErrorCode::kUnknownTopicOrPartition);
}

TEST_F(KafkaApisTest, ProduceThenFetchReturnsTheSameBytesWithOffsetsAssigned) {
  CreateTopic("orders");
  Bytes a = MakeBatch(3, 1000), b = MakeBatch(2, 2000);
  auto pa = Produce("orders", 0, a);
  auto pb = Produce("orders", 0, b);
  ASSERT_EQ(pa.error_code, ErrorCode::kNone);
  EXPECT_EQ(pa.base_offset, 0);
  EXPECT_EQ(pb.base_offset, 3);
  EXPECT_EQ(pb.log_append_time_ms, -1);  // CreateTime
  EXPECT_EQ(pb.log_start_offset, 0);

  auto f = FetchOne("orders", 0);
  ASSERT_EQ(f.error_code, ErrorCode::kNone);
  EXPECT_EQ(f.high_watermark, 5);
  ASSERT_TRUE(f.records);
  Bytes expected = a;
  expected.insert(expected.end(), b.begin(), b.end());
  ASSERT_EQ(f.records->size(), expected.size());
  // The broker rewrites baseOffset (bytes 0-7) and stamps the leader epoch
  // (12-15, outside the CRC); everything else is what the client sent.
  StoreBE64(expected.data() + a.size(), 3);
  for (size_t at : {size_t(0), a.size()}) StoreBE32(expected.data() + at + 12, 0);
  EXPECT_EQ(*f.records, expected);
  auto records = DecodeAll(*f.records);
  ASSERT_EQ(records.size(), 5u);
  EXPECT_EQ(records[4].offset, 4);
}

TEST_F(KafkaApisTest, AcksZeroSendsNoResponseButAppends) {
  CreateTopic("fire");
  auto r = Call(ProduceOf("fire", 0, MakeBatch(3, 1000), 0), 7);
  EXPECT_EQ(r.action, Action::kNoResponse);
  EXPECT_TRUE(r.payload.empty());
  EXPECT_EQ(FetchOne("fire", 0).high_watermark, 3);
}

TEST_F(KafkaApisTest, AcksZeroSendsNothingEvenOnError) {
  EXPECT_EQ(Call(ProduceOf("ghost", 0, MakeBatch(1, 1000), 0), 7).action, Action::kNoResponse);
}

TEST_F(KafkaApisTest, InvalidAcksIsInvalidRequiredAcks) {
  CreateTopic("orders");
  auto resp = RoundTrip<ProduceResponse>(ProduceOf("orders", 0, MakeBatch(1, 1000), 2), 7);
  EXPECT_EQ(resp.responses[0].partition_responses[0].error_code, ErrorCode::kInvalidRequiredAcks);
  EXPECT_EQ(FetchOne("orders", 0).high_watermark, 0);
}

TEST_F(KafkaApisTest, BadCrcIsCorruptMessage) {
  CreateTopic("orders");
  Bytes batch = MakeBatch(2, 1000);
  batch.back() ^= 0xff;  // inside the CRC-covered records
  EXPECT_EQ(Produce("orders", 0, batch).error_code, ErrorCode::kCorruptMessage);
  EXPECT_EQ(FetchOne("orders", 0).high_watermark, 0);
}

TEST_F(KafkaApisTest, EmptyRecordsIsCorruptMessage) {
  CreateTopic("orders");
  EXPECT_EQ(Produce("orders", 0, Bytes{}).error_code, ErrorCode::kCorruptMessage);
}

TEST_F(KafkaApisTest, TransactionalProduceIsRefused) {
  CreateTopic("orders");
  auto req = ProduceOf("orders", 0, MakeBatch(1, 1000));
  req.transactional_id = "txn-1";
  auto resp = RoundTrip<ProduceResponse>(req, 7);
  EXPECT_EQ(resp.responses[0].partition_responses[0].error_code, ErrorCode::kInvalidRequest);
}

// --- Fetch --------------------------------------------------------------------

TEST_F(KafkaApisTest, FetchAtHighWatermarkIsEmptyWithLsoAndEmptyAbortedList) {
  CreateTopic("orders");
  Produce("orders", 0, MakeBatch(3, 1000));
  auto f = FetchOne("orders", 3, 4);
  EXPECT_EQ(f.error_code, ErrorCode::kNone);
  EXPECT_EQ(f.high_watermark, 3);
  EXPECT_EQ(f.last_stable_offset, 3);
  ASSERT_TRUE(f.aborted_transactions);  // empty, not null
  EXPECT_TRUE(f.aborted_transactions->empty());
  ASSERT_TRUE(f.records);
  EXPECT_TRUE(f.records->empty());
}

TEST_F(KafkaApisTest, FetchBeyondHighWatermarkIsOffsetOutOfRange) {
  CreateTopic("orders");
  Produce("orders", 0, MakeBatch(3, 1000));
  auto f = FetchOne("orders", 4);
  EXPECT_EQ(f.error_code, ErrorCode::kOffsetOutOfRange);
}

TEST_F(KafkaApisTest, FetchUnknownPartitionIsUnknownTopicOrPartition) {
  EXPECT_EQ(FetchOne("ghost", 0).error_code, ErrorCode::kUnknownTopicOrPartition);
}

TEST_F(KafkaApisTest, FirstBatchIsReturnedEvenIfLargerThanPartitionMaxBytes) {
  CreateTopic("orders");
  Bytes batch = MakeBatch(5, 1000, std::string(200, 'x'));
  Produce("orders", 0, batch);
  auto f = FetchOne("orders", 0, 11, /*partition_max_bytes=*/16);  // KIP-74
  ASSERT_TRUE(f.records);
  EXPECT_EQ(f.records->size(), batch.size());
  EXPECT_EQ(DecodeAll(*f.records).size(), 5u);
}

TEST_F(KafkaApisTest, ResponseMaxBytesStopsAfterTheFirstPartitionWithData) {
  CreateTopic("orders", 2);
  Produce("orders", 0, MakeBatch(3, 1000));
  Produce("orders", 1, MakeBatch(3, 1000));
  auto req = FetchOf("orders", {0, 1}, 0);
  req.max_bytes = 1;
  auto resp = RoundTrip<FetchResponse>(req, 11);
  ASSERT_EQ(resp.responses[0].partitions.size(), 2u);
  const auto& p0 = resp.responses[0].partitions[0];
  const auto& p1 = resp.responses[0].partitions[1];
  EXPECT_EQ(DecodeAll(*p0.records).size(), 3u);  // the first may exceed it
  EXPECT_EQ(p1.error_code, ErrorCode::kNone);
  EXPECT_EQ(p1.high_watermark, 3);  // offsets still reported
  EXPECT_TRUE(!p1.records || p1.records->empty());
}

// --- ListOffsets --------------------------------------------------------------

TEST_F(KafkaApisTest, ListOffsetsEarliestLatestAndByTime) {
  CreateTopic("orders");
  Produce("orders", 0, MakeBatch(3, 1000));
  Produce("orders", 0, MakeBatch(2, 2000));
  for (int16_t version : {1, 3}) {
    ListOffsetsRequest req;
    req.topics.push_back(
        {"orders", {{0, kListOffsetsEarliest}, {0, kListOffsetsLatest}, {0, 1500}, {0, 5000}}});
    auto resp = RoundTrip<ListOffsetsResponse>(req, version);
    ASSERT_EQ(resp.topics.size(), 1u);
    const auto& p = resp.topics[0].partitions;
    ASSERT_EQ(p.size(), 4u);
    EXPECT_EQ(p[0].offset, 0);
    EXPECT_EQ(p[0].timestamp, -1);
    EXPECT_EQ(p[1].offset, 5);
    EXPECT_EQ(p[1].timestamp, -1);
    EXPECT_EQ(p[2].offset, 3);
    EXPECT_EQ(p[2].timestamp, 2000);
    EXPECT_EQ(p[3].error_code, ErrorCode::kNone);
    EXPECT_EQ(p[3].offset, -1);  // no record that late
  }
}

TEST_F(KafkaApisTest, ListOffsetsUnknownPartition) {
  ListOffsetsRequest req;
  req.topics.push_back({"ghost", {{0, kListOffsetsLatest}}});
  auto resp = RoundTrip<ListOffsetsResponse>(req, 2);
  EXPECT_EQ(resp.topics[0].partitions[0].error_code, ErrorCode::kUnknownTopicOrPartition);
}

// --- CreateTopics / DeleteTopics ----------------------------------------------

CreatableTopic Creatable(std::string name, int32_t partitions = 1, int16_t rf = 1) {
  CreatableTopic t;
  t.name = std::move(name);
  t.num_partitions = partitions;
  t.replication_factor = rf;
  return t;
}

TEST_F(KafkaApisTest, CreateTopicsCreatesAndRefusesDuplicates) {
  CreateTopicsRequest req;
  req.topics = {Creatable("new", 3)};
  auto first = RoundTrip<CreateTopicsResponse>(req, 4);
  ASSERT_EQ(first.topics.size(), 1u);
  EXPECT_EQ(first.topics[0].error_code, ErrorCode::kNone);
  EXPECT_FALSE(first.topics[0].error_message);
  ASSERT_TRUE(registry_->Find("new"));
  EXPECT_EQ(registry_->Find("new")->partitions, 3);
  EXPECT_TRUE(replicas_.IsHosted({"new", PartitionId{2}}));
  auto again = RoundTrip<CreateTopicsResponse>(req, 4);
  EXPECT_EQ(again.topics[0].error_code, ErrorCode::kTopicAlreadyExists);
  EXPECT_TRUE(again.topics[0].error_message);
}

TEST_F(KafkaApisTest, CreateTopicsInvalidNameAndDefaults) {
  CreateTopicsRequest req;
  req.topics = {Creatable("bad/name"), Creatable("defaulted", -1, -1)};
  auto resp = RoundTrip<CreateTopicsResponse>(req, 4);
  ASSERT_EQ(resp.topics.size(), 2u);
  EXPECT_EQ(resp.topics[0].error_code, ErrorCode::kInvalidTopicException);
  EXPECT_EQ(resp.topics[1].error_code, ErrorCode::kNone);
  EXPECT_EQ(registry_->Find("defaulted")->partitions, 2);  // num.partitions
}

TEST_F(KafkaApisTest, CreateTopicsValidateOnlyCreatesNothing) {
  CreateTopicsRequest req;
  req.topics = {Creatable("dry")};
  req.validate_only = true;
  auto resp = RoundTrip<CreateTopicsResponse>(req, 1);
  EXPECT_EQ(resp.topics[0].error_code, ErrorCode::kNone);
  EXPECT_FALSE(registry_->Find("dry"));
}

TEST_F(KafkaApisTest, CreateTopicsAcceptsAssignmentsToThisNodeOnly) {
  CreateTopicsRequest req;
  CreatableTopic mine = Creatable("mine", -1, -1);
  mine.assignments = {{0, {kNode}}, {1, {kNode}}};
  CreatableTopic other = Creatable("other", -1, -1);
  other.assignments = {{0, {kNode + 1}}};
  req.topics = {mine, other};
  auto resp = RoundTrip<CreateTopicsResponse>(req, 3);
  EXPECT_EQ(resp.topics[0].error_code, ErrorCode::kNone);
  EXPECT_EQ(registry_->Find("mine")->partitions, 2);
  EXPECT_EQ(resp.topics[1].error_code, ErrorCode::kInvalidRequest);
}

TEST_F(KafkaApisTest, DeleteTopicsUnknownAndExisting) {
  CreateTopic("doomed");
  DeleteTopicsRequest req;
  req.topic_names = {"ghost", "doomed"};
  auto resp = RoundTrip<DeleteTopicsResponse>(req, 3);
  ASSERT_EQ(resp.responses.size(), 2u);
  EXPECT_EQ(resp.responses[0].error_code, ErrorCode::kUnknownTopicOrPartition);
  EXPECT_EQ(resp.responses[1].error_code, ErrorCode::kNone);
  EXPECT_EQ(Metadata({"doomed"}, false).topics[0].error_code, ErrorCode::kUnknownTopicOrPartition);
}

TEST_F(KafkaApisTest, DeleteTopicsDisabledByConfig) {
  CreateTopic("kept");
  KafkaConfig off = MakeConfig({{"delete.topic.enable", "false"}});
  KafkaApis apis(off, replicas_, *registry_, clock_);
  DeleteTopicsRequest req;
  req.topic_names = {"kept"};
  auto resp = Parse<DeleteTopicsResponse>(Call(req, 1, &apis), 1);
  EXPECT_EQ(resp.responses[0].error_code, ErrorCode::kTopicDeletionDisabled);
  EXPECT_TRUE(registry_->Find("kept"));
}

// --- Metrics ------------------------------------------------------------------

TEST_F(KafkaApisTest, ProduceOfThreeRecordsCountsThreeMessagesInAndTheirBytes) {
  CreateTopic("orders");
  Bytes batch = MakeBatch(3, 1000);
  ASSERT_EQ(Produce("orders", 0, batch).error_code, ErrorCode::kNone);
  EXPECT_EQ(apis_->metrics().messages_in->Value(), 3);
  EXPECT_EQ(apis_->metrics().bytes_in->Value(), int64_t(batch.size()));
}

TEST_F(KafkaApisTest, FailedProduceCountsNoMessagesIn) {
  EXPECT_EQ(Produce("ghost", 0, MakeBatch(2, 1000)).error_code,
            ErrorCode::kUnknownTopicOrPartition);
  EXPECT_EQ(apis_->metrics().messages_in->Value(), 0);
}

TEST_F(KafkaApisTest, FetchCountsBytesOutAndEveryRequestIsCountedByApi) {
  CreateTopic("orders");
  Bytes batch = MakeBatch(2, 1000);
  Produce("orders", 0, batch);
  FetchOne("orders", 0);
  EXPECT_EQ(apis_->metrics().bytes_out->Value(), int64_t(batch.size()));
  std::string text = apis_->metrics_registry().Render();
  EXPECT_NE(text.find("kafka_network_requestmetrics_requests_total{request=\"Produce\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("kafka_network_requestmetrics_totaltimems_count{request=\"Fetch\"} 1\n"),
            std::string::npos)
      << text;
}

TEST_F(KafkaApisTest, InjectedProduceFaultAnswersTheErrorThenAppends) {
  CreateTopic("orders");
  KafkaConfig faulty = MakeConfig({{"gregor.test.fault.partition", "orders-0"},
                                   {"gregor.test.fault.error", "NOT_LEADER_OR_FOLLOWER"}});
  ASSERT_TRUE(apis_->fault_injector().Configure(faulty, apis_->metrics_registry()).ok());
  EXPECT_EQ(Produce("orders", 0, MakeBatch(1, 1000)).error_code,
            ErrorCode::kNotLeaderOrFollower);
  EXPECT_EQ(apis_->metrics().messages_in->Value(), 0);
  EXPECT_EQ(Produce("orders", 0, MakeBatch(1, 1000)).error_code, ErrorCode::kNone);
}

}  // namespace
}  // namespace gregor
