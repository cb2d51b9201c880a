// SPDX-License-Identifier: Apache-2.0
// GroupMetadata: the state table, protocol selection by vote, leadership,
// pending and static members, and the generation step.
#include "coordinator/group/group_metadata.h"

#include <gtest/gtest.h>

namespace gregor {
namespace {

using S = GroupState;

MemberMetadata Member(const std::string& id, std::vector<std::string> protocols,
                      int32_t rebalance_timeout_ms = 30000) {
  MemberMetadata m;
  m.member_id = id;
  m.client_id = "client";
  m.protocol_type = "consumer";
  m.rebalance_timeout_ms = rebalance_timeout_ms;
  m.session_timeout_ms = 10000;
  for (const auto& p : protocols) {
    m.supported_protocols.push_back(GroupProtocol{p, Bytes(p.begin(), p.end())});
  }
  return m;
}

TEST(GroupStateTest, TransitionsAreKafkas) {
  const S all[] = {S::kEmpty, S::kPreparingRebalance, S::kCompletingRebalance, S::kStable,
                   S::kDead};
  int allowed = 0;
  for (S from : all) {
    for (S to : all) allowed += IsValidTransition(from, to);
  }
  // 3 into PreparingRebalance, 1 each into CompletingRebalance, Stable and
  // Empty, 5 into Dead.
  EXPECT_EQ(allowed, 11);
  EXPECT_TRUE(IsValidTransition(S::kStable, S::kPreparingRebalance));
  EXPECT_FALSE(IsValidTransition(S::kEmpty, S::kStable));
  EXPECT_FALSE(IsValidTransition(S::kPreparingRebalance, S::kStable));
  EXPECT_FALSE(IsValidTransition(S::kDead, S::kEmpty));
  EXPECT_STREQ(GroupStateName(S::kCompletingRebalance), "CompletingRebalance");
}

TEST(GroupMetadataTest, IllegalTransitionIsRefusedAndStateKept) {
  GroupMetadata g("g", 5);
  Status s = g.TransitionTo(S::kStable, 6);
  EXPECT_EQ(s.code(), ErrorCode::kUnknownServerError);
  EXPECT_TRUE(g.Is(S::kEmpty));
  EXPECT_EQ(g.state_timestamp_ms(), 5);
  ASSERT_TRUE(g.TransitionTo(S::kPreparingRebalance, 7).ok());
  EXPECT_EQ(g.state_timestamp_ms(), 7);
}

TEST(GroupMetadataTest, FirstMemberLeadsAndSetsProtocolType) {
  GroupMetadata g("g", 0);
  g.Add(Member("a", {"range"}));
  g.Add(Member("b", {"range"}));
  EXPECT_EQ(g.leader_id(), "a");
  EXPECT_EQ(g.protocol_type(), "consumer");
  g.Remove("a");
  EXPECT_EQ(g.leader_id(), "b");
  g.Remove("b");
  EXPECT_FALSE(g.leader_id().has_value());
}

TEST(GroupMetadataTest, JoinNeedsSameTypeAndACommonProtocol) {
  GroupMetadata g("g", 0);
  EXPECT_FALSE(g.SupportsProtocols("", {"range"}));
  EXPECT_FALSE(g.SupportsProtocols("consumer", {}));
  EXPECT_TRUE(g.SupportsProtocols("consumer", {"range"}));
  g.Add(Member("a", {"range", "roundrobin"}));
  EXPECT_FALSE(g.SupportsProtocols("connect", {"range"}));
  EXPECT_TRUE(g.SupportsProtocols("consumer", {"roundrobin", "sticky"}));
  EXPECT_FALSE(g.SupportsProtocols("consumer", {"sticky"}));
}

TEST(GroupMetadataTest, CandidatesAreTheIntersection) {
  GroupMetadata g("g", 0);
  g.Add(Member("a", {"sticky", "range", "roundrobin"}));
  g.Add(Member("b", {"range", "roundrobin"}));
  g.Add(Member("c", {"roundrobin", "range"}));
  EXPECT_EQ(g.CandidateProtocols(), (std::set<std::string>{"range", "roundrobin"}));
}

TEST(GroupMetadataTest, MostVotedProtocolWins) {
  GroupMetadata g("g", 0);
  // a and b prefer roundrobin among the candidates; c prefers range.
  g.Add(Member("a", {"sticky", "roundrobin", "range"}));
  g.Add(Member("b", {"roundrobin", "range"}));
  g.Add(Member("c", {"range", "roundrobin"}));
  EXPECT_EQ(g.SelectProtocol(), "roundrobin");
}

TEST(GroupMetadataTest, TiedVoteGoesToTheFirstName) {
  GroupMetadata g("g", 0);
  g.Add(Member("a", {"roundrobin", "range"}));
  g.Add(Member("b", {"range", "roundrobin"}));
  EXPECT_EQ(g.SelectProtocol(), "range");
}

TEST(GroupMetadataTest, AllJoinedCountsParkedJoinsAndPendingMembers) {
  GroupMetadata g("g", 0);
  g.Add(Member("a", {"range"}));
  g.Add(Member("b", {"range"}));
  g.Get("a")->awaiting_join = true;
  EXPECT_EQ(g.NumAwaitingJoin(), 1);
  EXPECT_FALSE(g.HasAllMembersJoined());
  g.Get("b")->awaiting_join = true;
  EXPECT_TRUE(g.HasAllMembersJoined());
  g.AddPendingMember("c");  // was given an id, has not joined with it yet
  EXPECT_FALSE(g.HasAllMembersJoined());
  MemberMetadata c = Member("c", {"range"});
  c.awaiting_join = true;
  g.Add(c);
  EXPECT_FALSE(g.IsPendingMember("c"));
  EXPECT_TRUE(g.HasAllMembersJoined());
}

TEST(GroupMetadataTest, RebalanceTimeoutIsTheLongestMembers) {
  GroupMetadata g("g", 0);
  EXPECT_EQ(g.RebalanceTimeoutMs(), 0);
  g.Add(Member("a", {"range"}, 5000));
  g.Add(Member("b", {"range"}, 300000));
  EXPECT_EQ(g.RebalanceTimeoutMs(), 300000);
}

TEST(GroupMetadataTest, NextGenerationSelectsProtocolAndCompletesTheRebalance) {
  GroupMetadata g("g", 0);
  ASSERT_TRUE(g.TransitionTo(S::kPreparingRebalance, 1).ok());
  MemberMetadata a = Member("a", {"range"});
  a.is_new = true;
  g.Add(a);
  g.Add(Member("b", {"range"}));
  ASSERT_TRUE(g.InitNextGeneration(2).ok());
  EXPECT_EQ(g.generation_id(), 1);
  EXPECT_EQ(g.protocol_name(), "range");
  EXPECT_TRUE(g.Is(S::kCompletingRebalance));
  EXPECT_FALSE(g.Get("a")->is_new);
  auto metadata = g.CurrentMemberMetadata();
  ASSERT_EQ(metadata.size(), 2u);
  EXPECT_EQ(metadata["b"], Bytes({'r', 'a', 'n', 'g', 'e'}));
  // Outside a rebalance there is no next generation.
  EXPECT_EQ(g.InitNextGeneration(3).code(), ErrorCode::kUnknownServerError);
  EXPECT_EQ(g.generation_id(), 1);
}

TEST(GroupMetadataTest, NextGenerationOfAnEmptiedGroupIsEmpty) {
  GroupMetadata g("g", 0);
  ASSERT_TRUE(g.TransitionTo(S::kPreparingRebalance, 1).ok());
  ASSERT_TRUE(g.InitNextGeneration(2).ok());
  EXPECT_EQ(g.generation_id(), 1);
  EXPECT_FALSE(g.protocol_name().has_value());
  EXPECT_TRUE(g.Is(S::kEmpty));
}

TEST(GroupMetadataTest, StaticMemberRejoiningKeepsAssignmentAndLeadership) {
  GroupMetadata g("g", 0);
  MemberMetadata a = Member("a-1", {"range"});
  a.group_instance_id = "host-a";
  a.assignment = {1, 2, 3};
  g.Add(a);
  g.Add(Member("b", {"range"}));
  EXPECT_EQ(g.StaticMemberId("host-a"), "a-1");
  g.ReplaceStaticMember("host-a", "a-1", "a-2");
  EXPECT_FALSE(g.Has("a-1"));
  ASSERT_TRUE(g.Has("a-2"));
  EXPECT_EQ(g.Get("a-2")->assignment, Bytes({1, 2, 3}));
  EXPECT_EQ(g.Get("a-2")->member_id, "a-2");
  EXPECT_EQ(g.leader_id(), "a-2");
  EXPECT_EQ(g.StaticMemberId("host-a"), "a-2");
  g.Remove("a-2");
  EXPECT_FALSE(g.StaticMemberId("host-a").has_value());
}

TEST(GroupMetadataTest, CanRebalanceOnlyFromStableCompletingOrEmpty) {
  GroupMetadata g("g", 0);
  EXPECT_TRUE(g.CanRebalance());
  ASSERT_TRUE(g.TransitionTo(S::kPreparingRebalance, 1).ok());
  EXPECT_FALSE(g.CanRebalance());
  ASSERT_TRUE(g.TransitionTo(S::kDead, 2).ok());
  EXPECT_FALSE(g.CanRebalance());
}

}  // namespace
}  // namespace gregor
