// SPDX-License-Identifier: Apache-2.0
// Helpers for the producer's unit tests: a cluster view built in memory,
// and MockClient, a KafkaClient that keeps every request until the test
// answers it (Kafka's MockClient), so the Sender runs without sockets.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <mutex>
#include <vector>

#include "client/metadata.h"
#include "producer/kafka_client.h"
#include "protocol/metadata.h"
#include "protocol/produce.h"

namespace gregor::testing {

/// A Metadata response: brokers 0..nodes-1, and `topic` with `partitions`
/// partitions, partition p led by node p % nodes (-1 leaders in `leaderless`).
inline MetadataResponse ClusterResponse(const std::string& topic, int32_t partitions,
                                        int32_t nodes = 1,
                                        std::vector<int32_t> leaderless = {}) {
  MetadataResponse r;
  for (int32_t n = 0; n < nodes; ++n) {
    r.brokers.push_back(MetadataResponseBroker{n, "127.0.0.1", 9000 + n, std::nullopt});
  }
  MetadataResponseTopic t;
  t.name = topic;
  for (int32_t p = 0; p < partitions; ++p) {
    MetadataResponsePartition mp;
    mp.partition_index = p;
    mp.leader_id = p % nodes;
    for (int32_t l : leaderless) {
      if (l == p) mp.leader_id = -1;
    }
    mp.replica_nodes = {p % nodes};
    mp.isr_nodes = {p % nodes};
    t.partitions.push_back(mp);
  }
  r.topics.push_back(t);
  return r;
}

/// A KafkaClient that holds requests for the test to answer.
class MockClient : public KafkaClient {
 public:
  void Send(ClientRequest request) override {
    std::lock_guard lock(mu_);
    requests_.push_back(std::move(request));
  }
  size_t size() {
    std::lock_guard lock(mu_);
    return requests_.size();
  }
  /// The oldest held request (removed).
  ClientRequest Take() {
    std::lock_guard lock(mu_);
    EXPECT_FALSE(requests_.empty());
    ClientRequest r = std::move(requests_.front());
    requests_.pop_front();
    return r;
  }
  /// The body `request` writes at `version`, as a ProduceRequest.
  static ProduceRequest Body(const ClientRequest& request, int16_t version = 7) {
    Bytes out;
    request.encode_body(out, version);
    auto decoded = Decode<ProduceRequest>(out, version);
    EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
    return decoded.ok() ? *decoded : ProduceRequest{};
  }
  /// Answers `request` with `body` at `version`.
  template <KafkaMessage M>
  static void Answer(ClientRequest& request, const M& body, int16_t version = 7) {
    ClientResponse r;
    r.node = request.destination.id;
    r.api_key = request.api_key;
    r.api_version = version;
    r.correlation_id = 1;
    r.frame = Bytes(4, 0);
    EncodeTo(r.frame, body, version);
    r.body_offset = 4;
    request.callback(std::move(r));
  }
  /// Fails `request` with `code` (no response).
  static void Fail(ClientRequest& request, ErrorCode code) {
    ClientResponse r;
    r.node = request.destination.id;
    r.api_key = request.api_key;
    r.status = Status(code, "mock failure");
    request.callback(std::move(r));
  }
  /// A Produce response giving each partition of `request` `error` (or
  /// base offset `base` when NONE).
  static ProduceResponse ResponseFor(const ClientRequest& request, ErrorCode error,
                                     int64_t base = 0) {
    ProduceRequest body = Body(request);
    ProduceResponse resp;
    for (const auto& t : body.topic_data) {
      TopicProduceResponse tr;
      tr.name = t.name;
      for (const auto& p : t.partition_data) {
        PartitionProduceResponse pr;
        pr.index = p.index;
        pr.error_code = error;
        pr.base_offset = error == ErrorCode::kNone ? base : -1;
        tr.partition_responses.push_back(pr);
      }
      resp.responses.push_back(tr);
    }
    return resp;
  }

 private:
  std::mutex mu_;
  std::deque<ClientRequest> requests_;
};

}  // namespace gregor::testing
