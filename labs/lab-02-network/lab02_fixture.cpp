// SPDX-License-Identifier: Apache-2.0
#include "lab02_fixture.h"


namespace gregor::lab02 {

ApisLab::ApisLab() {
  EXPECT_TRUE(registry_->CreateTopic("t", 2, 1, {}).ok());
  replicas_.SetDelayedFetchPurgatory(&purgatory_);
}

// The purgatory dies before the base's ReplicaManager: unhook it first.
ApisLab::~ApisLab() { replicas_.SetDelayedFetchPurgatory(nullptr); }

void ApisLab::StartFetch(int32_t max_wait_ms, int32_t min_bytes) {
  Bytes payload = testing::RequestPayload(FetchOf(max_wait_ms, min_bytes), 11, 7, "lab02");
  apis_->Handle(payload, [this](ApiResponse r) {
    EXPECT_FALSE(response_.has_value()) << "responded twice";
    response_ = std::move(r);
    responded_at_ = timer_.NowMs();
  });
}

void ApisLab::Produce(Bytes batch) {
  ProduceRequest req;
  req.acks = 1;
  req.timeout_ms = 1000;
  req.topic_data.push_back({"t", {{0, std::move(batch)}}});
  Bytes payload = testing::RequestPayload(req, 7, 8, "lab02");
  ASSERT_EQ(apis_->Handle(payload).action, ApiResponse::Action::kSend);
}

void ApisLab::Advance(int64_t ms) {
  for (int64_t i = 0; i < ms; ++i) {
    clock_.AdvanceMs(1);
    timer_.AdvanceClock();
  }
}

size_t ApisLab::ResponseRecordBytes() {
  if (!response_) return 0;
  // The payload as the Processor sends it after the size prefix.
  Bytes wire = testing::FlattenPayload(*response_);
  auto header = ParseResponseHeader(wire, ResponseHeaderVersion(ApiKey::kFetch, 11));
  EXPECT_TRUE(header.ok());
  if (!header.ok()) return 0;
  auto body = Decode<FetchResponse>(header->body, 11);
  EXPECT_TRUE(body.ok()) << body.status().ToString();
  if (!body.ok() || body->responses.empty() || body->responses[0].partitions.empty()) return 0;
  const auto& records = body->responses[0].partitions[0].records;
  return records ? records->size() : 0;
}

void ServerLab::SetUp() {
  config_ = testing::LoopbackServerConfig(dir_.path() + "/data");
  ASSERT_TRUE(config_);
  server_ = std::make_unique<KafkaServer>(*config_, SystemClock::Instance());
  ASSERT_TRUE(server_->Startup().ok());
  ASSERT_TRUE(testing::CreateTopicOverSocket(server_->BoundPort(), "t", 2));
}

void ServerLab::TearDown() {
  if (server_) {
    EXPECT_TRUE(server_->Shutdown().ok());
  }
}

std::unique_ptr<testing::TestClient> ServerLab::Connect() {
  auto c = testing::TestClient::Connect("127.0.0.1", server_->BoundPort());
  EXPECT_TRUE(c);
  return c;
}

}  // namespace gregor::lab02
