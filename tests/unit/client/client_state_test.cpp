// SPDX-License-Identifier: Apache-2.0
// ClusterConnectionStates, Metadata and ParseBootstrapServers: pure logic,
// times passed in, no sockets.
#include <gtest/gtest.h>

#include "client/cluster_connection_states.h"
#include "client/metadata.h"
#include "client/node.h"

namespace gregor {
namespace {

TEST(ClusterConnectionStatesTest, UnknownNodeMayConnect) {
  ClusterConnectionStates s(100, 1000);
  EXPECT_TRUE(s.CanConnect(1, 0));
  EXPECT_EQ(s.State(1), ConnectionState::kDisconnected);
}

TEST(ClusterConnectionStatesTest, BackoffDoublesUpToMax) {
  ClusterConnectionStates s(100, 350);
  int64_t now = 0;
  int64_t expected[] = {100, 200, 350, 350};
  for (int64_t want : expected) {
    s.Connecting(1, now);
    s.Disconnected(1, now);
    EXPECT_TRUE(s.IsBlackedOut(1, now));
    EXPECT_EQ(s.ConnectionDelay(1, now), want);
    EXPECT_FALSE(s.CanConnect(1, now + want - 1));
    EXPECT_TRUE(s.CanConnect(1, now + want));
    now += want;
  }
}

TEST(ClusterConnectionStatesTest, ReadyResetsBackoff) {
  ClusterConnectionStates s(100, 1000);
  for (int i = 0; i < 3; ++i) {
    s.Connecting(1, 0);
    s.Disconnected(1, 0);
  }
  EXPECT_EQ(s.CurrentBackoffMs(1), 400);
  s.Connecting(1, 1000);
  s.CheckingApiVersions(1);
  EXPECT_EQ(s.State(1), ConnectionState::kCheckingApiVersions);
  s.Ready(1);
  EXPECT_TRUE(s.IsReady(1));
  s.Disconnected(1, 2000);
  EXPECT_EQ(s.ConnectionDelay(1, 2000), 100);
}

TEST(ClusterConnectionStatesTest, NoConnectWhileConnecting) {
  ClusterConnectionStates s(100, 1000);
  s.Connecting(1, 0);
  EXPECT_FALSE(s.CanConnect(1, 10'000));
  EXPECT_FALSE(s.IsBlackedOut(1, 0));
}

TEST(ParseBootstrapServersTest, AssignsNegativeIds) {
  auto nodes = ParseBootstrapServers("a:9092, b:9093");
  ASSERT_TRUE(nodes.ok());
  ASSERT_EQ(nodes->size(), 2u);
  EXPECT_EQ((*nodes)[0], (Node{-1, "a", 9092}));
  EXPECT_EQ((*nodes)[1], (Node{-2, "b", 9093}));
}

TEST(ParseBootstrapServersTest, RejectsBadInput) {
  for (const char* bad : {"", "host", "host:", "host:0", "host:70000", ":9092", "h:12x"}) {
    EXPECT_EQ(ParseBootstrapServers(bad).status().code(), ErrorCode::kInvalidConfig) << bad;
  }
}

MetadataResponse OneTopic(int32_t leader) {
  MetadataResponse r;
  r.brokers = {{1, "h1", 9092, std::nullopt}, {2, "h2", 9092, std::nullopt}};
  r.controller_id = 1;
  MetadataResponseTopic t;
  t.name = "orders";
  for (int32_t p : {1, 0}) {
    MetadataResponsePartition mp;
    mp.partition_index = p;
    mp.leader_id = leader;
    mp.replica_nodes = {leader};
    mp.isr_nodes = {leader};
    t.partitions.push_back(mp);
  }
  r.topics.push_back(t);
  MetadataResponseTopic missing;
  missing.name = "missing";
  missing.error_code = ErrorCode::kUnknownTopicOrPartition;
  r.topics.push_back(missing);
  return r;
}

TEST(MetadataTest, StartsFromBootstrapAndWantsUpdate) {
  Metadata m({Node{-1, "boot", 9092}});
  EXPECT_EQ(m.Nodes(), (std::vector<Node>{Node{-1, "boot", 9092}}));
  EXPECT_TRUE(m.UpdateRequested(0));
  EXPECT_FALSE(m.Leader("orders", 0).has_value());
}

TEST(MetadataTest, UpdateGivesLeadersAndNodes) {
  Metadata m({Node{-1, "boot", 9092}});
  m.Update(OneTopic(2), 1000);
  EXPECT_FALSE(m.UpdateRequested(1000));
  EXPECT_EQ(m.Leader("orders", 0), (Node{2, "h2", 9092}));
  EXPECT_EQ(m.Controller(), (Node{1, "h1", 9092}));
  EXPECT_EQ(m.Nodes().size(), 2u);
  EXPECT_EQ(m.Topic("orders")->partitions.at(0).partition, 0);  // sorted
  EXPECT_EQ(m.TopicNames(), (std::set<std::string>{"orders"}));
  EXPECT_EQ(m.Topic("missing")->error, ErrorCode::kUnknownTopicOrPartition);
}

TEST(MetadataTest, LeaderNotInBrokersIsUnknown) {
  Metadata m({Node{-1, "boot", 9092}});
  m.Update(OneTopic(7), 0);
  EXPECT_FALSE(m.Leader("orders", 0).has_value());
}

TEST(MetadataTest, GoesStaleAfterMaxAge) {
  Metadata m({Node{-1, "boot", 9092}}, 5000);
  m.Update(OneTopic(1), 1000);
  EXPECT_EQ(m.TimeToNextUpdate(2000), 4000);
  EXPECT_FALSE(m.UpdateRequested(5999));
  EXPECT_TRUE(m.UpdateRequested(6000));
}

TEST(MetadataTest, LeadershipErrorsRequestUpdate) {
  Metadata m({Node{-1, "boot", 9092}});
  m.Update(OneTopic(1), 0);
  EXPECT_FALSE(m.HandleError(ErrorCode::kTopicAlreadyExists));
  EXPECT_FALSE(m.UpdateRequested(0));
  EXPECT_TRUE(m.HandleError(ErrorCode::kNotLeaderOrFollower));
  EXPECT_TRUE(m.UpdateRequested(0));
  m.Update(OneTopic(1), 0);
  EXPECT_TRUE(m.HandleError(ErrorCode::kUnknownTopicOrPartition));
  EXPECT_TRUE(m.UpdateRequested(0));
}

}  // namespace
}  // namespace gregor
