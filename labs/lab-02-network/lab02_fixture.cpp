// SPDX-License-Identifier: Apache-2.0
#include "lab02_fixture.h"

#include <unistd.h>

namespace gregor::lab02 {

namespace {

KafkaConfig ApisConfig() {
  auto config = KafkaConfig::Create({{"node.id", "1"}, {"listeners", "PLAINTEXT://:9093"}});
  EXPECT_TRUE(config.ok());
  return *config;
}

std::string MakeDir(const std::string& d) {
  std::filesystem::create_directories(d);
  return d;
}

}  // namespace

ApisLab::ApisLab()
    : config_(ApisConfig()),
      logs_(*Env::Default(), {MakeDir(dir_.path() + "/logs")}, LogConfig{}, clock_),
      replicas_(logs_) {
  EXPECT_TRUE(logs_.Startup().ok());
  auto reg = TopicRegistry::Open(
      *Env::Default(), dir_.path() + "/meta/__cluster_metadata-0", clock_,
      [this](const TopicChange& c) {
        for (int32_t p = 0; p < c.topic.partitions; ++p) {
          EXPECT_TRUE(replicas_.MakeLeader({c.topic.name, PartitionId{p}}).ok());
        }
      });
  EXPECT_TRUE(reg.ok());
  registry_ = std::move(*reg);
  EXPECT_TRUE(registry_->CreateTopic("t", 2, 1, {}).ok());
  replicas_.SetDelayedFetchPurgatory(&purgatory_);
  apis_ = std::make_unique<KafkaApis>(config_, replicas_, *registry_, clock_);
}

void ApisLab::StartFetch(int32_t max_wait_ms, int32_t min_bytes) {
  Bytes frame = EncodeRequestFrame(RequestHeader{ApiKey::kFetch, 11, 7, "lab02"},
                                   FetchOf(max_wait_ms, min_bytes));
  apis_->Handle(ByteSpan(frame).subspan(4), [this](ApiResponse r) {
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
  Bytes frame = EncodeRequestFrame(RequestHeader{ApiKey::kProduce, 7, 8, "lab02"}, req);
  ASSERT_EQ(apis_->Handle(ByteSpan(frame).subspan(4)).action, ApiResponse::Action::kSend);
}

void ApisLab::Advance(int64_t ms) {
  for (int64_t i = 0; i < ms; ++i) {
    clock_.AdvanceMs(1);
    timer_.AdvanceClock();
  }
}

size_t ApisLab::ResponseRecordBytes() {
  if (!response_) return 0;
  // Reassemble the wire bytes as the Processor sends them: the frame, then
  // each file region (pread) and its `after` bytes.
  Bytes wire = response_->frame;
  for (const FileRegion& region : response_->file_regions) {
    Bytes chunk(size_t(region.length));
    EXPECT_EQ(::pread(region.fd, chunk.data(), chunk.size(), off_t(region.offset)),
              ssize_t(chunk.size()));
    wire.insert(wire.end(), chunk.begin(), chunk.end());
    wire.insert(wire.end(), region.after.begin(), region.after.end());
  }
  auto header =
      ParseResponseHeader(ByteSpan(wire).subspan(4), ResponseHeaderVersion(ApiKey::kFetch, 11));
  EXPECT_TRUE(header.ok());
  if (!header.ok()) return 0;
  auto body = Decode<FetchResponse>(header->body, 11);
  EXPECT_TRUE(body.ok()) << body.status().ToString();
  if (!body.ok() || body->responses.empty() || body->responses[0].partitions.empty()) return 0;
  const auto& records = body->responses[0].partitions[0].records;
  return records ? records->size() : 0;
}

void ServerLab::SetUp() {
  auto config = KafkaConfig::Create({{"node.id", "1"},
                                     {"listeners", "PLAINTEXT://127.0.0.1:0"},
                                     {"log.dirs", dir_.path() + "/data"}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  config_ = std::make_unique<KafkaConfig>(*config);
  server_ = std::make_unique<KafkaServer>(*config_, SystemClock::Instance());
  ASSERT_TRUE(server_->Startup().ok());
  CreateTopicsRequest create;
  create.topics.push_back({"t", 2, 1, {}, {}});
  create.timeout_ms = 1000;
  auto c = Connect();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->SendRaw(Frame(create, 4, 1)));
  ASSERT_TRUE(c->ReadFrame());
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
