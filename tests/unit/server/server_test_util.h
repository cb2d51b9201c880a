// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the server tests and lab 02: a broker's request path
// without sockets (KafkaApisTestBase), request payloads as the network
// layer hands them over, reassembling a zero-copy response, and a whole
// KafkaServer on a loopback port (LoopbackServerConfig,
// CreateTopicOverSocket).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "../network/test_client.h"
#include "../storage/storage_test_util.h"
#include "common/clock.h"
#include "controller/topic_registry.h"
#include "protocol/create_topics.h"
#include "protocol/fetch.h"
#include "protocol/frame.h"
#include "server/kafka_apis.h"
#include "server/kafka_config.h"
#include "server/replica_manager.h"
#include "storage/log_manager.h"

namespace gregor::testing {

/// The node id of every test broker.
inline constexpr int32_t kTestNodeId = 1;

/// A one-node broker config (node.id 1, a PLAINTEXT listener on 9093 that
/// is never bound, num.partitions 2) with `extra` on top.
inline KafkaConfig ApisTestConfig(const std::map<std::string, std::string>& extra = {}) {
  std::map<std::string, std::string> props = {{"node.id", std::to_string(kTestNodeId)},
                                              {"listeners", "PLAINTEXT://0.0.0.0:9093"},
                                              {"num.partitions", "2"}};
  for (const auto& [k, v] : extra) props[k] = v;
  auto config = KafkaConfig::Create(props);
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  return *config;
}

/// The bytes KafkaApis::Handle takes for `body`: a request header and the
/// body at `version`, without the size prefix (the network layer strips it).
template <class Req>
Bytes RequestPayload(const Req& body, int16_t version, int32_t correlation_id,
                     const std::string& client_id) {
  Bytes frame = EncodeRequestFrame({Req::kApiKey, version, correlation_id, client_id}, body);
  return Bytes(frame.begin() + 4, frame.end());
}

/// A Fetch of topic "t", partitions `partitions`, at `offset`, with 1 MiB
/// limits: what the long-poll tests and lab 02 send.
inline FetchRequest FetchOfT(int32_t max_wait_ms, int32_t min_bytes,
                             std::vector<int32_t> partitions = {0}, int64_t offset = 0) {
  FetchRequest req;
  req.max_wait_ms = max_wait_ms;
  req.min_bytes = min_bytes;
  req.max_bytes = 1 << 20;
  req.topics.push_back({"t", {}});
  for (int32_t p : partitions) req.topics[0].partitions.push_back({p, -1, offset, -1, 1 << 20});
  return req;
}

/// A response's payload as the network layer sends it after the size
/// prefix: the in-memory bytes, then each file region (read with pread)
/// followed by its `after` bytes.
inline Bytes FlattenPayload(const ApiResponse& r) {
  Bytes out = r.payload;
  for (const FileRegion& region : r.file_regions) {
    Bytes chunk(size_t(region.length));
    EXPECT_EQ(::pread(region.fd, chunk.data(), chunk.size(), off_t(region.offset)),
              ssize_t(chunk.size()));
    out.insert(out.end(), chunk.begin(), chunk.end());
    out.insert(out.end(), region.after.begin(), region.after.end());
  }
  return out;
}

/// The broker's request path without sockets: a KafkaApis over a
/// LogManager in a temporary directory (`logs/`), a ReplicaManager that
/// hosts what the TopicRegistry (`meta/__cluster_metadata-0`) announces
/// (MakeLeader on create, StopReplica on delete, as KafkaServer does) and
/// a MockClock. Test fixtures derive from it and call apis_->Handle with
/// RequestPayload(...). Everything runs on the test's thread unless the
/// test parks a Fetch in a purgatory it adds.
class KafkaApisTestBase : public ::testing::Test {
 protected:
  explicit KafkaApisTestBase(KafkaConfig config = ApisTestConfig())
      : config_(std::move(config)),
        logs_(*Env::Default(), {MakeDir(dir_.path() + "/logs")}, LogConfig{}, clock_),
        replicas_(logs_) {
    EXPECT_TRUE(logs_.Startup().ok());
    auto reg = TopicRegistry::Open(*Env::Default(), dir_.path() + "/meta/__cluster_metadata-0",
                                   clock_, [this](const TopicChange& c) { OnTopicChange(c); });
    EXPECT_TRUE(reg.ok()) << reg.status().ToString();
    if (!reg.ok()) return;
    registry_ = std::move(*reg);
    apis_ = std::make_unique<KafkaApis>(config_, replicas_, *registry_, clock_);
  }

  TempDir dir_;
  MockClock clock_;
  KafkaConfig config_;
  LogManager logs_;
  ReplicaManager replicas_;
  std::unique_ptr<TopicRegistry> registry_;
  std::unique_ptr<KafkaApis> apis_;

 private:
  static std::string MakeDir(const std::string& d) {
    std::filesystem::create_directories(d);
    return d;
  }
  // The broker's part of a topic change (KafkaServer::OnTopicChange).
  void OnTopicChange(const TopicChange& c) {
    for (int32_t p = 0; p < c.topic.partitions; ++p) {
      TopicPartition tp{c.topic.name, PartitionId{p}};
      Status s = c.kind == TopicChange::Kind::kCreated ? replicas_.MakeLeader(tp)
                                                       : replicas_.StopReplica(tp, true);
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
  }
};

/// The config of a one-node KafkaServer on 127.0.0.1 port 0 (the kernel
/// picks the port) with its log directory `data_dir`.
inline std::unique_ptr<KafkaConfig> LoopbackServerConfig(const std::string& data_dir) {
  auto config = KafkaConfig::Create({{"node.id", std::to_string(kTestNodeId)},
                                     {"listeners", "PLAINTEXT://127.0.0.1:0"},
                                     {"log.dirs", data_dir}});
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  return config.ok() ? std::make_unique<KafkaConfig>(*config) : nullptr;
}

/// Creates `topic` with `partitions` partitions through a v4 CreateTopics
/// request to the broker at 127.0.0.1:`port`; true once it has answered.
inline bool CreateTopicOverSocket(int port, const std::string& topic, int32_t partitions) {
  CreateTopicsRequest create;
  create.topics.push_back({topic, partitions, 1, {}, {}});
  create.timeout_ms = 1000;
  auto c = TestClient::Connect("127.0.0.1", port);
  return c && c->SendRaw(EncodeRequestFrame({ApiKey::kCreateTopics, 4, 1, "test"}, create)) &&
         c->ReadFrame().has_value();
}

}  // namespace gregor::testing
