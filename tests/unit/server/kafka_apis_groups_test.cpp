// SPDX-License-Identifier: Apache-2.0
// The group APIs through KafkaApis: encoded request frames in, encoded
// responses out, over a real LogManager, ReplicaManager and TopicRegistry,
// with __consumer_offsets loaded as KafkaServer loads it and a group
// coordinator on a mock clock and a timer the test advances.
#include <gtest/gtest.h>

#include <filesystem>

#include "coordinator/group/group_coordinator.h"
#include "coordinator/group/group_metadata_manager.h"
#include "protocol/delete_groups.h"
#include "protocol/describe_groups.h"
#include "protocol/find_coordinator.h"
#include "protocol/heartbeat.h"
#include "protocol/join_group.h"
#include "protocol/leave_group.h"
#include "protocol/list_groups.h"
#include "protocol/offset_commit.h"
#include "protocol/offset_fetch.h"
#include "protocol/sync_group.h"
#include "server/offsets_topic.h"
#include "server_test_util.h"

namespace gregor {
namespace {

using Action = ApiResponse::Action;
constexpr const char* kClientId = "groups-test";
constexpr const char* kPeer = "127.0.0.1:50123";

// A broker's request path with its group coordinator (KafkaServer's
// StartGroupCoordinator and OnTopicChange, without sockets or threads).
class KafkaApisGroupsTest : public ::testing::Test {
 protected:
  KafkaApisGroupsTest() { Build({}); }

  void Build(const std::map<std::string, std::string>& extra) {
    apis_.reset();
    registry_.reset();
    coordinator_.reset();
    manager_.reset();
    replicas_.reset();
    logs_.reset();
    std::map<std::string, std::string> props = {{"listeners", "PLAINTEXT://127.0.0.1:9093"},
                                                {"offsets.topic.replication.factor", "1"},
                                                {"group.initial.rebalance.delay.ms", "0"}};
    for (const auto& [k, v] : extra) props[k] = v;
    config_ = std::make_unique<KafkaConfig>(testing::ApisTestConfig(props));
    const std::string dir = dir_.path() + "/" + std::to_string(++builds_);
    std::filesystem::create_directories(dir + "/logs");
    logs_ = std::make_unique<LogManager>(*Env::Default(), std::vector<std::string>{dir + "/logs"},
                                         LogConfig{}, clock_);
    ASSERT_TRUE(logs_->Startup().ok());
    replicas_ = std::make_unique<ReplicaManager>(*logs_);
    manager_ = std::make_unique<GroupMetadataManager>(
        config_->GetInt("offsets.topic.num.partitions"),
        MakeOffsetsTopicAppender(*replicas_, clock_));
    GroupCoordinatorConfig c;
    c.initial_rebalance_delay_ms = config_->GetInt("group.initial.rebalance.delay.ms");
    coordinator_ = std::make_unique<GroupCoordinator>(c, timer_, clock_, manager_.get());
    auto reg = TopicRegistry::Open(*Env::Default(), dir + "/meta/__cluster_metadata-0", clock_,
                                   [this](const TopicChange& change) { OnTopicChange(change); });
    ASSERT_TRUE(reg.ok()) << reg.status().ToString();
    registry_ = std::move(*reg);
    apis_ = std::make_unique<KafkaApis>(*config_, *replicas_, *registry_, clock_);
    apis_->SetGroupCoordinator(coordinator_.get(), manager_.get());
  }

  void OnTopicChange(const TopicChange& change) {
    for (int32_t p = 0; p < change.topic.partitions; ++p) {
      TopicPartition tp{change.topic.name, PartitionId{p}};
      const bool offsets = change.topic.name == kOffsetsTopic;
      if (change.kind == TopicChange::Kind::kDeleted) {
        if (offsets) {
          manager_->Unload(p);
          coordinator_->OnPartitionUnloaded(p);
        }
        ASSERT_TRUE(replicas_->StopReplica(tp, /*delete_log=*/true).ok());
        continue;
      }
      auto lc = TopicLogConfig(logs_->default_config(), change.topic.configs);
      ASSERT_TRUE(lc.ok());
      ASSERT_TRUE(replicas_->MakeLeader(tp, *lc).ok());
      if (offsets) {
        ASSERT_TRUE(LoadOffsetsPartition(*replicas_, *manager_, *coordinator_, p).ok());
      }
    }
  }

  // A request sent; its response once it comes.
  struct Call {
    std::shared_ptr<std::optional<ApiResponse>> response;
    bool answered() const { return response->has_value(); }
  };
  template <class Req>
  Call Send(const Req& body, int16_t version, std::string_view peer = kPeer) {
    Bytes payload = testing::RequestPayload(body, version, 7, kClientId);
    Call call{std::make_shared<std::optional<ApiResponse>>()};
    apis_->Handle(payload, [slot = call.response](ApiResponse r) { *slot = std::move(r); }, peer);
    return call;
  }
  template <class Resp>
  Resp Parse(const Call& call, int16_t version) {
    EXPECT_TRUE(call.answered());
    if (!call.answered()) return Resp{};
    const ApiResponse& r = **call.response;
    EXPECT_EQ(r.action, Action::kSend);
    auto header = ParseResponseHeader(r.payload, ResponseHeaderVersion(Resp::kApiKey, version));
    EXPECT_TRUE(header.ok());
    if (!header.ok()) return Resp{};
    EXPECT_EQ(header->correlation_id, 7);
    auto body = Decode<Resp>(header->body, version);
    EXPECT_TRUE(body.ok()) << body.status().ToString();
    return body.ok() ? *body : Resp{};
  }
  template <class Resp, class Req>
  Resp RoundTrip(const Req& body, int16_t version, std::string_view peer = kPeer) {
    return Parse<Resp>(Send(body, version, peer), version);
  }

  FindCoordinatorResponse FindCoordinator(const std::string& key, int8_t key_type = 0) {
    return RoundTrip<FindCoordinatorResponse>(FindCoordinatorRequest{key, key_type}, 2);
  }
  static JoinGroupRequest JoinOf(const std::string& member_id) {
    JoinGroupRequest r;
    r.group_id = "g";
    r.session_timeout_ms = 10000;
    r.rebalance_timeout_ms = 30000;
    r.member_id = member_id;
    r.protocol_type = "consumer";
    r.protocols = {{"range", Bytes{'s'}}};
    return r;
  }
  static OffsetCommitRequest CommitOf(int32_t generation, const std::string& member_id,
                                      const std::string& topic, std::vector<int32_t> partitions) {
    OffsetCommitRequest r;
    r.group_id = "g";
    r.generation_id = generation;
    r.member_id = member_id;
    OffsetCommitRequestTopic t{topic, {}};
    for (int32_t p : partitions) t.partitions.push_back({p, 100 + p, 0, "meta"});
    r.topics.push_back(t);
    return r;
  }
  static OffsetFetchRequest FetchOf(std::optional<std::vector<int32_t>> partitions) {
    OffsetFetchRequest r;
    r.group_id = "g";
    if (partitions) {
      r.topics = std::vector<OffsetFetchRequestTopic>{{"orders", *partitions}};
    } else {
      r.topics = std::nullopt;
    }
    return r;
  }
  // The JoinGroup v5 round trip of a single member: generation 1, leader.
  std::string JoinAlone() {
    auto first = RoundTrip<JoinGroupResponse>(JoinOf(""), 5);
    EXPECT_EQ(first.error_code, ErrorCode::kMemberIdRequired);
    Call second = Send(JoinOf(first.member_id), 5);
    timer_.AdvanceClock();
    auto joined = Parse<JoinGroupResponse>(second, 5);
    EXPECT_EQ(joined.error_code, ErrorCode::kNone);
    EXPECT_EQ(joined.generation_id, 1);
    EXPECT_EQ(joined.leader, first.member_id);
    EXPECT_EQ(joined.protocol_name, "range");
    EXPECT_EQ(joined.members.size(), 1u);
    return first.member_id;
  }

  testing::TempDir dir_;
  int builds_ = 0;
  MockClock clock_;
  Timer timer_{clock_};
  std::unique_ptr<KafkaConfig> config_;
  std::unique_ptr<LogManager> logs_;
  std::unique_ptr<ReplicaManager> replicas_;
  std::unique_ptr<GroupMetadataManager> manager_;
  std::unique_ptr<GroupCoordinator> coordinator_;
  std::unique_ptr<TopicRegistry> registry_;
  std::unique_ptr<KafkaApis> apis_;
};

// --- FindCoordinator --------------------------------------------------------

TEST_F(KafkaApisGroupsTest, FindCoordinatorCreatesTheCompactedOffsetsTopic) {
  EXPECT_FALSE(registry_->Find(kOffsetsTopic).has_value());
  auto r = FindCoordinator("g");
  EXPECT_EQ(r.error_code, ErrorCode::kNone);
  EXPECT_EQ(r.node_id, testing::kTestNodeId);
  EXPECT_EQ(r.host, "127.0.0.1");
  EXPECT_EQ(r.port, 9093);
  auto topic = registry_->Find(kOffsetsTopic);
  ASSERT_TRUE(topic.has_value());
  EXPECT_EQ(topic->partitions, 50);
  EXPECT_EQ(topic->configs["cleanup.policy"], "compact");
  EXPECT_EQ(coordinator_->CoordinatorError("g"), ErrorCode::kNone);  // loaded
}

TEST_F(KafkaApisGroupsTest, FindCoordinatorNeedsEnoughBrokersForTheOffsetsTopic) {
  Build({{"offsets.topic.replication.factor", "3"}});
  EXPECT_EQ(FindCoordinator("g").error_code, ErrorCode::kCoordinatorNotAvailable);
  EXPECT_FALSE(registry_->Find(kOffsetsTopic).has_value());
}

TEST_F(KafkaApisGroupsTest, FindCoordinatorForTransactionsIsNotAvailable) {
  EXPECT_EQ(FindCoordinator("txn", 1).error_code, ErrorCode::kCoordinatorNotAvailable);
}

// --- a group's life through encoded frames -----------------------------------

TEST_F(KafkaApisGroupsTest, GroupLifecycleThroughEncodedRequests) {
  ASSERT_TRUE(registry_->CreateTopic("orders", 2, 1, {}).ok());
  ASSERT_EQ(FindCoordinator("g").error_code, ErrorCode::kNone);
  const std::string member = JoinAlone();

  SyncGroupRequest sync;
  sync.group_id = "g";
  sync.generation_id = 1;
  sync.member_id = member;
  sync.assignments = {{member, Bytes{4, 2}}};
  auto synced = RoundTrip<SyncGroupResponse>(sync, 3);
  EXPECT_EQ(synced.error_code, ErrorCode::kNone);
  EXPECT_EQ(synced.assignment, Bytes({4, 2}));

  EXPECT_EQ(RoundTrip<HeartbeatResponse>(HeartbeatRequest{"g", 1, member, std::nullopt}, 3)
                .error_code,
            ErrorCode::kNone);

  auto committed = RoundTrip<OffsetCommitResponse>(CommitOf(1, member, "orders", {0}), 7);
  ASSERT_EQ(committed.topics.size(), 1u);
  ASSERT_EQ(committed.topics[0].partitions.size(), 1u);
  EXPECT_EQ(committed.topics[0].partitions[0].error_code, ErrorCode::kNone);

  auto named = RoundTrip<OffsetFetchResponse>(FetchOf(std::vector<int32_t>{0, 1}), 5);
  EXPECT_EQ(named.error_code, ErrorCode::kNone);
  ASSERT_EQ(named.topics.size(), 1u);
  ASSERT_EQ(named.topics[0].partitions.size(), 2u);
  EXPECT_EQ(named.topics[0].partitions[0].committed_offset, 100);
  EXPECT_EQ(named.topics[0].partitions[0].committed_leader_epoch, 0);
  EXPECT_EQ(named.topics[0].partitions[0].metadata, "meta");
  EXPECT_EQ(named.topics[0].partitions[1].committed_offset, -1);  // never committed
  EXPECT_EQ(named.topics[0].partitions[1].error_code, ErrorCode::kNone);
  auto all = RoundTrip<OffsetFetchResponse>(FetchOf(std::nullopt), 5);
  ASSERT_EQ(all.topics.size(), 1u);
  EXPECT_EQ(all.topics[0].name, "orders");
  ASSERT_EQ(all.topics[0].partitions.size(), 1u);
  EXPECT_EQ(all.topics[0].partitions[0].committed_offset, 100);

  auto described = RoundTrip<DescribeGroupsResponse>(DescribeGroupsRequest{{"g"}, false}, 4);
  ASSERT_EQ(described.groups.size(), 1u);
  const DescribedGroup& g = described.groups[0];
  EXPECT_EQ(g.error_code, ErrorCode::kNone);
  EXPECT_EQ(g.group_state, "Stable");
  EXPECT_EQ(g.protocol_type, "consumer");
  EXPECT_EQ(g.protocol_data, "range");
  ASSERT_EQ(g.members.size(), 1u);
  EXPECT_EQ(g.members[0].member_id, member);
  EXPECT_EQ(g.members[0].client_id, kClientId);
  EXPECT_EQ(g.members[0].client_host, "/127.0.0.1");
  EXPECT_EQ(g.members[0].member_assignment, Bytes({4, 2}));

  LeaveGroupRequest leave;
  leave.group_id = "g";
  leave.members = {{member, std::nullopt}};
  auto left = RoundTrip<LeaveGroupResponse>(leave, 3);
  EXPECT_EQ(left.error_code, ErrorCode::kNone);
  ASSERT_EQ(left.members.size(), 1u);
  EXPECT_EQ(left.members[0].error_code, ErrorCode::kNone);

  auto listed = RoundTrip<ListGroupsResponse>(ListGroupsRequest{}, 2);
  ASSERT_EQ(listed.groups.size(), 1u);
  EXPECT_EQ(listed.groups[0].group_id, "g");
  EXPECT_EQ(listed.groups[0].protocol_type, "consumer");

  auto deleted = RoundTrip<DeleteGroupsResponse>(DeleteGroupsRequest{{"g"}}, 1);
  ASSERT_EQ(deleted.results.size(), 1u);
  EXPECT_EQ(deleted.results[0].error_code, ErrorCode::kNone);
  EXPECT_TRUE(RoundTrip<ListGroupsResponse>(ListGroupsRequest{}, 2).groups.empty());
  auto after = RoundTrip<OffsetFetchResponse>(FetchOf(std::nullopt), 5);
  EXPECT_TRUE(after.topics.empty());
}

TEST_F(KafkaApisGroupsTest, JoinGroupIsAnsweredWhenTheRebalanceCompletes) {
  Build({{"group.initial.rebalance.delay.ms", "3000"}});
  ASSERT_EQ(FindCoordinator("g").error_code, ErrorCode::kNone);
  Call join = Send(JoinOf(""), 3);  // v3: no member id round trip
  EXPECT_FALSE(join.answered());
  clock_.AdvanceMs(3000);
  timer_.AdvanceClock();
  auto r = Parse<JoinGroupResponse>(join, 3);
  EXPECT_EQ(r.error_code, ErrorCode::kNone);
  EXPECT_EQ(r.generation_id, 1);
}

TEST_F(KafkaApisGroupsTest, DescribeGroupsShowsTheProtocolOnlyWhenStable) {
  ASSERT_EQ(FindCoordinator("g").error_code, ErrorCode::kNone);
  auto joined = RoundTrip<JoinGroupResponse>(JoinOf(""), 3);  // alone: generation 1 at once
  ASSERT_EQ(joined.error_code, ErrorCode::kNone);
  auto r = RoundTrip<DescribeGroupsResponse>(DescribeGroupsRequest{{"g", "unknown"}, false}, 0);
  ASSERT_EQ(r.groups.size(), 2u);
  EXPECT_EQ(r.groups[0].group_state, "CompletingRebalance");
  EXPECT_EQ(r.groups[0].protocol_type, "consumer");
  EXPECT_EQ(r.groups[0].protocol_data, "");
  ASSERT_EQ(r.groups[0].members.size(), 1u);
  EXPECT_TRUE(r.groups[0].members[0].member_metadata.empty());
  EXPECT_EQ(r.groups[1].error_code, ErrorCode::kNone);
  EXPECT_EQ(r.groups[1].group_state, "Dead");
}

TEST_F(KafkaApisGroupsTest, DeletingTheOffsetsTopicForgetsItsGroups) {
  ASSERT_EQ(FindCoordinator("g").error_code, ErrorCode::kNone);
  const std::string member = JoinAlone();
  ASSERT_TRUE(registry_->DeleteTopic(kOffsetsTopic).ok());
  EXPECT_EQ(RoundTrip<HeartbeatResponse>(HeartbeatRequest{"g", 1, member, std::nullopt}, 3)
                .error_code,
            ErrorCode::kNotCoordinator);
  // Recreated, empty: the group is gone with the records it was built from.
  ASSERT_EQ(FindCoordinator("g").error_code, ErrorCode::kNone);
  EXPECT_TRUE(RoundTrip<ListGroupsResponse>(ListGroupsRequest{}, 2).groups.empty());
  auto described = RoundTrip<DescribeGroupsResponse>(DescribeGroupsRequest{{"g"}, false}, 4);
  ASSERT_EQ(described.groups.size(), 1u);
  EXPECT_EQ(described.groups[0].group_state, "Dead");
  EXPECT_EQ(RoundTrip<HeartbeatResponse>(HeartbeatRequest{"g", 1, member, std::nullopt}, 3)
                .error_code,
            ErrorCode::kUnknownMemberId);
}

// --- errors in the response's shape ------------------------------------------

TEST_F(KafkaApisGroupsTest, OffsetCommitToUnknownTopicIsRefusedPerPartition) {
  ASSERT_TRUE(registry_->CreateTopic("orders", 2, 1, {}).ok());
  ASSERT_EQ(FindCoordinator("g").error_code, ErrorCode::kNone);
  OffsetCommitRequest req = CommitOf(-1, "", "nope", {0, 1});
  req.topics.push_back({"orders", {{0, 5, -1, std::nullopt}, {7, 5, -1, std::nullopt}}});
  auto r = RoundTrip<OffsetCommitResponse>(req, 7);
  ASSERT_EQ(r.topics.size(), 2u);
  EXPECT_EQ(r.topics[0].name, "nope");
  for (const auto& p : r.topics[0].partitions) {
    EXPECT_EQ(p.error_code, ErrorCode::kUnknownTopicOrPartition);
  }
  ASSERT_EQ(r.topics[1].partitions.size(), 2u);
  EXPECT_EQ(r.topics[1].partitions[0].error_code, ErrorCode::kNone);
  EXPECT_EQ(r.topics[1].partitions[1].error_code, ErrorCode::kUnknownTopicOrPartition);
}

TEST_F(KafkaApisGroupsTest, OffsetFetchV1ReportsCoordinatorErrorsPerPartition) {
  // No FindCoordinator yet: __consumer_offsets does not exist, so this
  // broker coordinates no group.
  auto v1 = RoundTrip<OffsetFetchResponse>(FetchOf(std::vector<int32_t>{0, 1}), 1);
  ASSERT_EQ(v1.topics.size(), 1u);
  ASSERT_EQ(v1.topics[0].partitions.size(), 2u);
  for (const auto& p : v1.topics[0].partitions) {
    EXPECT_EQ(p.error_code, ErrorCode::kNotCoordinator);
    EXPECT_EQ(p.committed_offset, -1);
  }
}

TEST_F(KafkaApisGroupsTest, OffsetFetchV2ReportsCoordinatorErrorsAtTheTop) {
  for (int16_t v : {2, 5}) {
    auto r = RoundTrip<OffsetFetchResponse>(FetchOf(std::vector<int32_t>{0, 1}), v);
    EXPECT_EQ(r.error_code, ErrorCode::kNotCoordinator) << "v" << v;
    // As Kafka's error response: no partitions.
    EXPECT_TRUE(r.topics.empty()) << "v" << v;
  }
}

TEST_F(KafkaApisGroupsTest, LeaveGroupV0AnswersAtTheTopAndV3PerMember) {
  ASSERT_EQ(FindCoordinator("g").error_code, ErrorCode::kNone);
  const std::string member = JoinAlone();
  LeaveGroupRequest v0;
  v0.group_id = "g";
  v0.member_id = "ghost";
  auto r0 = RoundTrip<LeaveGroupResponse>(v0, 0);
  EXPECT_EQ(r0.error_code, ErrorCode::kUnknownMemberId);
  EXPECT_TRUE(r0.members.empty());

  LeaveGroupRequest v3;
  v3.group_id = "g";
  v3.members = {{"ghost", std::nullopt}, {member, std::nullopt}};
  auto r3 = RoundTrip<LeaveGroupResponse>(v3, 3);
  EXPECT_EQ(r3.error_code, ErrorCode::kNone);
  ASSERT_EQ(r3.members.size(), 2u);
  EXPECT_EQ(r3.members[0].member_id, "ghost");
  EXPECT_EQ(r3.members[0].error_code, ErrorCode::kUnknownMemberId);
  EXPECT_EQ(r3.members[1].member_id, member);
  EXPECT_EQ(r3.members[1].error_code, ErrorCode::kNone);
}

TEST_F(KafkaApisGroupsTest, UndecodableGroupRequestsCloseTheConnection) {
  const ApiKey keys[] = {ApiKey::kFindCoordinator, ApiKey::kJoinGroup,    ApiKey::kSyncGroup,
                         ApiKey::kHeartbeat,       ApiKey::kLeaveGroup,   ApiKey::kOffsetCommit,
                         ApiKey::kOffsetFetch,     ApiKey::kDescribeGroups, ApiKey::kListGroups,
                         ApiKey::kDeleteGroups};
  for (ApiKey key : keys) {
    Bytes frame;
    WriteRequestHeader(frame, {key, 1, 7, kClientId});
    // Every body but ListGroups' starts with a string or an array: a
    // length far past the end of the frame.
    frame.insert(frame.end(), {0x7f, 0xff, 0x00});
    std::optional<ApiResponse> r;
    apis_->Handle(frame, [&](ApiResponse a) { r = std::move(a); }, kPeer);
    ASSERT_TRUE(r.has_value()) << ApiKeyName(key);
    if (key == ApiKey::kListGroups) continue;  // v1 has no body to misread
    EXPECT_EQ(r->action, Action::kClose) << ApiKeyName(key);
  }
}

}  // namespace
}  // namespace gregor
