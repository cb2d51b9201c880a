// SPDX-License-Identifier: Apache-2.0
#include "lab03_fixture.h"

#include "protocol/fetch.h"
#include "protocol/frame.h"
#include "protocol/message_codec.h"
#include "protocol/request_header.h"
#include "record/record_batch.h"
#include "record/record_batch_reader.h"

namespace gregor::lab03 {

using namespace std::chrono_literals;

void ProducerLab::TearDown() {
  // Producers first: a Close() waits for requests the broker still holds.
  for (auto& p : producers_) CloseProducer(p.get());
  producers_.clear();
  if (server_) {
    EXPECT_TRUE(server_->Shutdown().ok());
  }
  server_.reset();
}

void ProducerLab::StartBroker(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> props = {{"node.id", std::to_string(testing::kTestNodeId)},
                                              {"listeners", "PLAINTEXT://127.0.0.1:0"},
                                              {"log.dirs", dir_.path() + "/data"}};
  for (const auto& [k, v] : extra) props[k] = v;
  auto config = KafkaConfig::Create(props);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  config_ = std::make_unique<KafkaConfig>(*config);
  server_ = std::make_unique<KafkaServer>(*config_, SystemClock::Instance());
  ASSERT_TRUE(server_->Startup().ok());
}

void ProducerLab::CreateTopic(const std::string& topic, int32_t partitions) {
  ASSERT_TRUE(server_);
  ASSERT_TRUE(testing::CreateTopicOverSocket(server_->BoundPort(), topic, partitions));
}

StringProducer* ProducerLab::MakeProducer(const std::map<std::string, std::string>& props) {
  std::map<std::string, std::string> all = {
      {"bootstrap.servers", "127.0.0.1:" + std::to_string(server_->BoundPort())},
      {"client.id", "lab03"},
      {"max.block.ms", "2000"},
      {"request.timeout.ms", "3000"},
      {"delivery.timeout.ms", "5000"}};
  for (const auto& [k, v] : props) all[k] = v;
  auto config = ProducerConfig::FromProperties(all);
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  if (!config.ok()) return nullptr;
  auto p = StringProducer::Create(*config, StringSerializer(), StringSerializer());
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  if (!p.ok()) return nullptr;
  producers_.push_back(std::move(*p));
  return producers_.back().get();
}

void ProducerLab::CloseProducer(StringProducer* p, std::chrono::milliseconds timeout) {
  if (p) p->Close(timeout);
}

std::vector<StoredRecord> ProducerLab::ReadPartition(const std::string& topic, int32_t partition) {
  std::vector<StoredRecord> out;
  auto c = testing::TestClient::Connect("127.0.0.1", server_->BoundPort());
  EXPECT_TRUE(c);
  if (!c) return out;
  int64_t next = 0;
  auto deadline = Steady::now() + 5s;
  for (int32_t correlation = 1; Steady::now() < deadline; ++correlation) {
    FetchRequest req;
    req.max_wait_ms = 0;
    req.min_bytes = 1;
    req.max_bytes = 1 << 20;
    req.topics.push_back({topic, {{partition, -1, next, -1, 1 << 20}}});
    if (!c->SendRaw(EncodeRequestFrame({ApiKey::kFetch, 11, correlation, "lab03"}, req))) break;
    auto payload = c->ReadFrame(2s);
    EXPECT_TRUE(payload) << "no Fetch response";
    if (!payload) break;
    auto header = ParseResponseHeader(*payload, ResponseHeaderVersion(ApiKey::kFetch, 11));
    EXPECT_TRUE(header.ok());
    if (!header.ok()) break;
    auto body = Decode<FetchResponse>(header->body, 11);
    EXPECT_TRUE(body.ok()) << body.status().ToString();
    if (!body.ok() || body->responses.empty() || body->responses[0].partitions.empty()) break;
    const FetchPartitionData& data = body->responses[0].partitions[0];
    EXPECT_EQ(data.error_code, ErrorCode::kNone) << ErrorName(data.error_code);
    if (data.error_code != ErrorCode::kNone || !data.records) break;
    // Whole batches only: a fetch may end in the middle of one.
    ByteSpan rest(*data.records);
    size_t whole = 0;
    while (auto size = PeekBatchSize(rest.subspan(whole))) {
      if (whole + *size > rest.size()) break;
      whole += *size;
    }
    auto batches = DecodeBatches(rest.first(whole));
    EXPECT_TRUE(batches.ok()) << batches.status().ToString();
    if (!batches.ok()) break;
    for (const DecodedBatch& b : *batches) {
      for (const RecordView& r : b.records) {
        if (r.offset < next) continue;  // a batch may start before the fetch offset
        StoredRecord s;
        s.offset = r.offset;
        if (r.key) s.key = std::string(*r.key);
        if (r.value) s.value = std::string(*r.value);
        out.push_back(std::move(s));
        next = r.offset + 1;
      }
    }
    if (next >= data.high_watermark || whole == 0) break;
  }
  return out;
}

}  // namespace gregor::lab03
