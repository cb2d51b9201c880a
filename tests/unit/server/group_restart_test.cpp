// SPDX-License-Identifier: Apache-2.0
// Groups and committed offsets across broker restarts: a whole KafkaServer
// (loopback, port 0) is sent encoded group requests, stopped (cleanly, or
// "crashed": its directory copied while it runs, as kill -9 would leave
// it) and started again on the same directory; and __consumer_offsets is
// compacted by the cleaner down to one record per key.
#include <gtest/gtest.h>

#include <filesystem>

#include "coordinator/group/group_metadata_records.h"
#include "protocol/describe_groups.h"
#include "protocol/find_coordinator.h"
#include "protocol/join_group.h"
#include "protocol/offset_commit.h"
#include "protocol/offset_fetch.h"
#include "protocol/sync_group.h"
#include "server/kafka_server.h"
#include "server/offsets_topic.h"
#include "server_test_util.h"

namespace gregor {
namespace {

using testing::TempDir;
using testing::TestClient;

// One connection speaking encoded requests to a broker.
class Client {
 public:
  explicit Client(int port) : c_(TestClient::Connect("127.0.0.1", port)) {}
  bool connected() const { return c_ != nullptr; }

  template <class Resp, class Req>
  Resp Call(const Req& req, int16_t version) {
    const int32_t correlation_id = ++correlation_id_;
    EXPECT_TRUE(c_ && c_->SendRaw(EncodeRequestFrame(
                          {Req::kApiKey, version, correlation_id, "restart-test"}, req)));
    auto frame = c_ ? c_->ReadFrame() : std::nullopt;
    EXPECT_TRUE(frame.has_value()) << ApiKeyName(Req::kApiKey);
    if (!frame) return Resp{};
    auto header = ParseResponseHeader(*frame, ResponseHeaderVersion(Req::kApiKey, version));
    EXPECT_TRUE(header.ok());
    if (!header.ok()) return Resp{};
    EXPECT_EQ(header->correlation_id, correlation_id);
    auto body = Decode<Resp>(header->body, version);
    EXPECT_TRUE(body.ok()) << body.status().ToString();
    return body.ok() ? *body : Resp{};
  }

 private:
  std::unique_ptr<TestClient> c_;
  int32_t correlation_id_ = 0;
};

class GroupRestartTest : public ::testing::Test {
 protected:
  std::unique_ptr<KafkaServer> Start(const std::string& data_dir) {
    auto config = KafkaConfig::Create({{"node.id", std::to_string(testing::kTestNodeId)},
                                       {"listeners", "PLAINTEXT://127.0.0.1:0"},
                                       {"log.dirs", data_dir},
                                       {"offsets.topic.replication.factor", "1"},
                                       {"offsets.topic.num.partitions", "3"},
                                       {"group.initial.rebalance.delay.ms", "0"},
                                       // The test runs the cleaner itself.
                                       {"log.cleaner.enable", "false"}});
    EXPECT_TRUE(config.ok()) << config.status().ToString();
    if (!config.ok()) return nullptr;
    configs_.push_back(std::make_unique<KafkaConfig>(*config));
    auto server = std::make_unique<KafkaServer>(*configs_.back(), SystemClock::Instance());
    Status s = server->Startup();
    EXPECT_TRUE(s.ok()) << s.ToString();
    return s.ok() ? std::move(server) : nullptr;
  }

  // "g" made Stable by one member (JoinGroup v3, SyncGroup) with
  // orders-0 at 100 and orders-1 at 101 committed in its generation.
  void MakeGroupAndCommit(int port) {
    ASSERT_TRUE(testing::CreateTopicOverSocket(port, "orders", 2));
    Client c(port);
    ASSERT_TRUE(c.connected());
    ASSERT_EQ(c.Call<FindCoordinatorResponse>(FindCoordinatorRequest{"g", 0}, 2).error_code,
              ErrorCode::kNone);
    JoinGroupRequest join;
    join.group_id = "g";
    join.session_timeout_ms = 30000;
    join.rebalance_timeout_ms = 30000;
    join.protocol_type = "consumer";
    join.protocols = {{"range", Bytes{'s'}}};
    auto joined = c.Call<JoinGroupResponse>(join, 3);
    ASSERT_EQ(joined.error_code, ErrorCode::kNone);
    member_ = joined.member_id;
    SyncGroupRequest sync;
    sync.group_id = "g";
    sync.generation_id = joined.generation_id;
    sync.member_id = member_;
    sync.assignments = {{member_, Bytes{9}}};
    ASSERT_EQ(c.Call<SyncGroupResponse>(sync, 3).error_code, ErrorCode::kNone);
    OffsetCommitRequest commit;
    commit.group_id = "g";
    commit.generation_id = joined.generation_id;
    commit.member_id = member_;
    commit.topics = {{"orders", {{0, 100, 3, "m0"}, {1, 101, 3, std::nullopt}}}};
    auto committed = c.Call<OffsetCommitResponse>(commit, 7);
    ASSERT_EQ(committed.topics.size(), 1u);
    for (const auto& p : committed.topics[0].partitions) {
      EXPECT_EQ(p.error_code, ErrorCode::kNone);
    }
  }

  // OffsetFetch v5 of orders-0 and orders-1: {offset, offset}.
  std::vector<int64_t> FetchOffsets(int port) {
    Client c(port);
    OffsetFetchRequest fetch;
    fetch.group_id = "g";
    fetch.topics = std::vector<OffsetFetchRequestTopic>{{"orders", {0, 1}}};
    auto r = c.Call<OffsetFetchResponse>(fetch, 5);
    EXPECT_EQ(r.error_code, ErrorCode::kNone);
    std::vector<int64_t> out;
    for (const auto& t : r.topics) {
      for (const auto& p : t.partitions) out.push_back(p.committed_offset);
    }
    return out;
  }

  DescribedGroup Describe(int port) {
    Client c(port);
    auto r = c.Call<DescribeGroupsResponse>(DescribeGroupsRequest{{"g"}, false}, 4);
    EXPECT_EQ(r.groups.size(), 1u);
    return r.groups.empty() ? DescribedGroup{} : r.groups[0];
  }

  void ExpectGroupIsBack(int port) {
    EXPECT_EQ(FetchOffsets(port), (std::vector<int64_t>{100, 101}));
    DescribedGroup g = Describe(port);
    EXPECT_EQ(g.error_code, ErrorCode::kNone);
    EXPECT_EQ(g.group_state, "Stable");
    EXPECT_EQ(g.protocol_type, "consumer");
    EXPECT_EQ(g.protocol_data, "range");
    ASSERT_EQ(g.members.size(), 1u);
    EXPECT_EQ(g.members[0].member_id, member_);
    EXPECT_EQ(g.members[0].member_assignment, Bytes{9});
  }

  TempDir dir_;
  std::vector<std::unique_ptr<KafkaConfig>> configs_;
  std::string member_;
};

TEST_F(GroupRestartTest, OffsetsAndGroupSurviveACleanRestart) {
  const std::string data = dir_.path() + "/data";
  {
    auto server = Start(data);
    ASSERT_TRUE(server);
    MakeGroupAndCommit(server->BoundPort());
    ASSERT_TRUE(server->Shutdown().ok());
  }
  auto again = Start(data);
  ASSERT_TRUE(again);
  ExpectGroupIsBack(again->BoundPort());
}

TEST_F(GroupRestartTest, OffsetsAndGroupSurviveACrash) {
  const std::string data = dir_.path() + "/data";
  const std::string crashed = dir_.path() + "/crashed";
  auto server = Start(data);
  ASSERT_TRUE(server);
  MakeGroupAndCommit(server->BoundPort());
  // The files as a kill -9 leaves them: what was written (the page cache),
  // no clean-shutdown marker, nothing flushed by a Shutdown.
  std::filesystem::copy(data, crashed, std::filesystem::copy_options::recursive);
  auto again = Start(crashed);
  ASSERT_TRUE(again);
  ExpectGroupIsBack(again->BoundPort());
  EXPECT_TRUE(again->Shutdown().ok());
  EXPECT_TRUE(server->Shutdown().ok());
}

TEST_F(GroupRestartTest, CompactionKeepsTheLatestCommitPerKey) {
  const std::string data = dir_.path() + "/data";
  const int kCommits = 200;
  int32_t partition = 0;
  {
    auto server = Start(data);
    ASSERT_TRUE(server);
    const int port = server->BoundPort();
    ASSERT_TRUE(testing::CreateTopicOverSocket(port, "orders", 2));
    Client c(port);
    ASSERT_EQ(c.Call<FindCoordinatorResponse>(FindCoordinatorRequest{"g", 0}, 2).error_code,
              ErrorCode::kNone);
    for (int i = 1; i <= kCommits; ++i) {  // outside group management: generation -1
      OffsetCommitRequest commit;
      commit.group_id = "g";
      commit.topics = {{"orders", {{0, i, -1, std::nullopt}, {1, 7, -1, std::nullopt}}}};
      auto r = c.Call<OffsetCommitResponse>(commit, 7);
      ASSERT_EQ(r.topics.size(), 1u);
      ASSERT_EQ(r.topics[0].partitions[0].error_code, ErrorCode::kNone);
    }
    partition = PartitionForGroup("g", 3);
    const TopicPartition tp{kOffsetsTopic, PartitionId{partition}};
    LogManager& logs = *server->log_manager();
    auto log = logs.GetLog(tp);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->LogEndOffset().value(), 2 * kCommits);
    ASSERT_TRUE(log->Roll().ok());  // the active segment is never cleaned
    auto stats = logs.cleaner().CleanLog(logs.LogDirOf(tp), tp, *log);
    ASSERT_TRUE(stats.ok()) << stats.status().ToString();

    // One record per key is left in the log's files.
    std::map<std::string, int> per_key;
    for (const auto& entry : std::filesystem::directory_iterator(logs.LogDirOf(tp) + "/" +
                                                                 tp.ToString())) {
      if (entry.path().extension() != ".log") continue;
      for (const auto& r : testing::DecodeAll(AsBytes(testing::Slurp(entry.path().string())))) {
        ASSERT_TRUE(r.record.key.has_value());
        per_key[*r.record.key]++;
      }
    }
    EXPECT_EQ(per_key.size(), 2u);  // orders-0 and orders-1 of "g"
    for (const auto& [key, n] : per_key) EXPECT_EQ(n, 1);
    EXPECT_EQ(server->BoundPort(), port);
    ASSERT_TRUE(server->Shutdown().ok());
  }
  auto again = Start(data);
  ASSERT_TRUE(again);
  EXPECT_EQ(FetchOffsets(again->BoundPort()), (std::vector<int64_t>{kCommits, 7}));
}

}  // namespace
}  // namespace gregor
