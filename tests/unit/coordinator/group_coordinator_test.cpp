// SPDX-License-Identifier: Apache-2.0
// GroupCoordinator on a mock clock and a timing wheel the test advances:
// a whole rebalance (join, initial delay, sync), the KIP-394 member id
// round trip, heartbeats' answers, session and rebalance timeouts, leaving,
// a join that interrupts a sync, and a static member's restart.
#include "coordinator/group/group_coordinator.h"

#include <gtest/gtest.h>

#include <memory>

namespace gregor {
namespace {

using S = GroupState;

class GroupCoordinatorTest : public ::testing::Test {
 protected:
  using JoinSlot = std::shared_ptr<std::optional<JoinGroupResult>>;
  using SyncSlot = std::shared_ptr<std::optional<SyncGroupResult>>;

  GroupCoordinatorConfig Config() {
    GroupCoordinatorConfig c;
    c.initial_rebalance_delay_ms = 100;  // the first join phase lasts 200 ms here
    return c;
  }

  JoinGroupParams Params(const std::string& member_id = "") {
    JoinGroupParams p;
    p.group_id = "g";
    p.member_id = member_id;
    p.client_id = "client";
    p.client_host = "/127.0.0.1";
    p.session_timeout_ms = 10000;
    p.rebalance_timeout_ms = 30000;
    p.protocol_type = "consumer";
    p.protocols = {GroupProtocol{"range", Bytes{'m'}}};
    return p;
  }

  JoinSlot Join(const JoinGroupParams& p) {
    auto slot = std::make_shared<std::optional<JoinGroupResult>>();
    coordinator_->HandleJoinGroup(p, [slot](const JoinGroupResult& r) { *slot = r; });
    return slot;
  }
  JoinSlot Join(const std::string& member_id = "") { return Join(Params(member_id)); }

  SyncSlot Sync(const std::string& member_id, int32_t generation,
                std::map<std::string, Bytes> assignments = {},
                std::optional<std::string> instance = {}) {
    auto slot = std::make_shared<std::optional<SyncGroupResult>>();
    coordinator_->HandleSyncGroup({"g", generation, member_id, instance, std::move(assignments)},
                                  [slot](const SyncGroupResult& r) { *slot = r; });
    return slot;
  }

  ErrorCode Heartbeat(const std::string& member_id, int32_t generation,
                      std::optional<std::string> instance = {}) {
    return coordinator_->HandleHeartbeat("g", member_id, instance, generation);
  }

  void Advance(int64_t ms) {
    for (int64_t done = 0; done < ms; done += 10) {
      clock_.AdvanceMs(std::min<int64_t>(10, ms - done));
      timer_.AdvanceClock();
    }
  }

  S State() { return coordinator_->Describe("g")->state; }

  // Two members joined and synced: generation 1, Stable. Returns {leader, follower}.
  std::pair<std::string, std::string> StableGroupOfTwo() {
    auto a = Join();
    auto b = Join();
    Advance(250);
    EXPECT_TRUE(a->has_value() && b->has_value());
    const std::string la = (*a)->member_id, lb = (*b)->member_id;
    auto sb = Sync(lb, 1);
    auto sa = Sync(la, 1, {{la, Bytes{1}}, {lb, Bytes{2}}});
    EXPECT_TRUE(sa->has_value() && sb->has_value());
    EXPECT_EQ(State(), S::kStable);
    return {la, lb};
  }

  MockClock clock_;
  Timer timer_{clock_};
  std::unique_ptr<GroupCoordinator> coordinator_ =
      std::make_unique<GroupCoordinator>(Config(), timer_, clock_);
};

TEST_F(GroupCoordinatorTest, InitialDelayWaitsWhileMembersKeepArriving) {
  GroupCoordinatorConfig c;
  c.initial_rebalance_delay_ms = 3000;
  coordinator_ = std::make_unique<GroupCoordinator>(c, timer_, clock_);
  auto a = Join();
  Advance(1000);
  auto b = Join();  // arrives during the first delay: wait another delay
  Advance(2500);    // t = 3500: first delay over, a second one running
  EXPECT_FALSE(a->has_value());
  EXPECT_EQ(State(), S::kPreparingRebalance);
  Advance(2600);  // t = 6100: the second delay saw no newcomer
  ASSERT_TRUE(a->has_value() && b->has_value());
  EXPECT_EQ((*a)->error, ErrorCode::kNone);
  EXPECT_EQ((*a)->generation_id, 1);
  EXPECT_EQ((*a)->leader_id, (*a)->member_id);
  EXPECT_EQ((*a)->members.size(), 2u);  // the leader sees every member
  EXPECT_TRUE((*b)->members.empty());
  EXPECT_EQ((*b)->protocol_name, "range");
  EXPECT_EQ(State(), S::kCompletingRebalance);
}

TEST_F(GroupCoordinatorTest, NewMemberIdIsHandedOutFirstSinceV4) {
  JoinGroupParams p = Params();
  p.require_known_member_id = true;
  auto first = Join(p);
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ((*first)->error, ErrorCode::kMemberIdRequired);
  const std::string id = (*first)->member_id;
  EXPECT_EQ(id.rfind("client-", 0), 0u) << id;  // client.id-<uuid>
  EXPECT_TRUE(coordinator_->Describe("g")->member_ids.empty());  // only pending
  auto second = Join(id);
  Advance(250);
  ASSERT_TRUE(second->has_value());
  EXPECT_EQ((*second)->error, ErrorCode::kNone);
  EXPECT_EQ((*second)->member_id, id);
  EXPECT_EQ((*second)->generation_id, 1);
}

TEST_F(GroupCoordinatorTest, PendingMemberThatNeverReturnsIsDropped) {
  JoinGroupParams p = Params();
  p.require_known_member_id = true;
  auto first = Join(p);
  Advance(10010);
  EXPECT_EQ((*Join((*first)->member_id))->error, ErrorCode::kUnknownMemberId);
}

TEST_F(GroupCoordinatorTest, FollowerSyncWaitsForTheLeadersAssignment) {
  auto a = Join();
  auto b = Join();
  Advance(250);
  const std::string la = (*a)->member_id, lb = (*b)->member_id;
  ASSERT_EQ((*a)->leader_id, la);
  auto sb = Sync(lb, 1);
  EXPECT_FALSE(sb->has_value());
  auto sa = Sync(la, 1, {{la, Bytes{1}}, {lb, Bytes{2, 2}}});
  ASSERT_TRUE(sa->has_value() && sb->has_value());
  EXPECT_EQ((*sa)->assignment, Bytes{1});
  EXPECT_EQ((*sb)->assignment, Bytes({2, 2}));
  EXPECT_EQ(State(), S::kStable);
  // A repeated SyncGroup in a Stable group is answered from memory.
  EXPECT_EQ((*Sync(lb, 1))->assignment, Bytes({2, 2}));
}

TEST_F(GroupCoordinatorTest, HeartbeatAnswers) {
  auto [leader, follower] = StableGroupOfTwo();
  EXPECT_EQ(Heartbeat(follower, 1), ErrorCode::kNone);
  EXPECT_EQ(Heartbeat(follower, 0), ErrorCode::kIllegalGeneration);
  EXPECT_EQ(Heartbeat("nobody", 1), ErrorCode::kUnknownMemberId);
  EXPECT_EQ(coordinator_->HandleHeartbeat("other", follower, {}, 1), ErrorCode::kUnknownMemberId);
}

TEST_F(GroupCoordinatorTest, SilentMemberIsEvictedAfterSessionTimeout) {
  auto [leader, follower] = StableGroupOfTwo();
  for (int i = 0; i < 3; ++i) {  // the leader heartbeats every 3 s, the follower never
    Advance(3000);
    EXPECT_EQ(Heartbeat(leader, 1), ErrorCode::kNone);
  }
  EXPECT_EQ(coordinator_->Describe("g")->member_ids.size(), 2u);
  // Past session.timeout.ms (10 s) since the follower's SyncGroup: it is
  // gone and the group rebalances; the leader learns it from its next
  // heartbeat.
  Advance(1100);
  EXPECT_EQ(coordinator_->Describe("g")->member_ids, std::vector<std::string>{leader});
  EXPECT_EQ(Heartbeat(leader, 1), ErrorCode::kRebalanceInProgress);
  auto rejoin = Join(leader);  // the only member: the join completes at once
  ASSERT_TRUE(rejoin->has_value());
  EXPECT_EQ((*rejoin)->generation_id, 2);
  EXPECT_EQ((*rejoin)->members.size(), 1u);
}

TEST_F(GroupCoordinatorTest, HeartbeatingMemberIsNeverEvicted) {
  auto [leader, follower] = StableGroupOfTwo();
  for (int i = 0; i < 20; ++i) {
    Advance(5000);
    EXPECT_EQ(Heartbeat(leader, 1), ErrorCode::kNone);
    EXPECT_EQ(Heartbeat(follower, 1), ErrorCode::kNone);
  }
  EXPECT_EQ(State(), S::kStable);
}

TEST_F(GroupCoordinatorTest, MemberThatDoesNotRejoinIsDroppedAtRebalanceTimeout) {
  auto [leader, follower] = StableGroupOfTwo();
  auto rejoin = Join(leader);  // the leader rejoins: a rebalance starts
  EXPECT_EQ(State(), S::kPreparingRebalance);
  for (int i = 0; i < 10; ++i) {  // the follower keeps heartbeating, never rejoins
    Advance(3000);
    if (!rejoin->has_value()) {
      EXPECT_EQ(Heartbeat(follower, 1), ErrorCode::kRebalanceInProgress);
    }
  }
  Advance(100);  // past rebalance.timeout.ms = 30 s
  ASSERT_TRUE(rejoin->has_value());
  EXPECT_EQ((*rejoin)->generation_id, 2);
  EXPECT_EQ((*rejoin)->members.size(), 1u);
  EXPECT_EQ(Heartbeat(follower, 2), ErrorCode::kUnknownMemberId);
}

TEST_F(GroupCoordinatorTest, LeavingTriggersARebalance) {
  auto [leader, follower] = StableGroupOfTwo();
  auto errors = coordinator_->HandleLeaveGroup("g", {{follower, {}}, {"ghost", {}}});
  EXPECT_EQ(errors, (std::vector<ErrorCode>{ErrorCode::kNone, ErrorCode::kUnknownMemberId}));
  EXPECT_EQ(State(), S::kPreparingRebalance);
  auto rejoin = Join(leader);
  ASSERT_TRUE(rejoin->has_value());
  EXPECT_EQ((*rejoin)->generation_id, 2);
  // The last member leaving empties the group: with nobody to wait for,
  // the join phase ends at once.
  EXPECT_EQ(coordinator_->HandleLeaveGroup("g", {{leader, {}}})[0], ErrorCode::kNone);
  EXPECT_EQ(State(), S::kEmpty);
  EXPECT_EQ(coordinator_->Describe("g")->generation_id, 3);
  EXPECT_TRUE(coordinator_->Describe("g")->member_ids.empty());
}

TEST_F(GroupCoordinatorTest, JoinDuringSyncSendsWaitingMembersBackToRejoin) {
  auto a = Join();
  auto b = Join();
  Advance(250);
  auto sb = Sync((*b)->member_id, 1);  // parked, waiting for the leader
  auto c = Join();                     // a newcomer before the assignment
  ASSERT_TRUE(sb->has_value());
  EXPECT_EQ((*sb)->error, ErrorCode::kRebalanceInProgress);
  EXPECT_EQ(State(), S::kPreparingRebalance);
  // The leader's late SyncGroup for generation 1 is refused as well.
  EXPECT_EQ((*Sync((*a)->member_id, 1))->error, ErrorCode::kRebalanceInProgress);
  auto ra = Join((*a)->member_id);
  auto rb = Join((*b)->member_id);
  ASSERT_TRUE(c->has_value() && ra->has_value() && rb->has_value());
  EXPECT_EQ((*ra)->generation_id, 2);
  EXPECT_EQ((*ra)->members.size(), 3u);
}

TEST_F(GroupCoordinatorTest, StaticMemberRestartKeepsAssignmentWithoutRebalance) {
  JoinGroupParams p = Params();
  p.group_instance_id = "host-a";
  auto a = Join(p);
  auto b = Join();
  Advance(250);
  const std::string old_a = (*a)->member_id, lb = (*b)->member_id;
  EXPECT_EQ(old_a.rfind("host-a-", 0), 0u) << old_a;
  auto sb = Sync(lb, 1);
  auto sa = Sync(old_a, 1, {{old_a, Bytes{7}}, {lb, Bytes{8}}}, "host-a");
  ASSERT_EQ(State(), S::kStable);
  // host-a restarts: a new member id, same instance id, same protocols.
  auto again = Join(p);
  ASSERT_TRUE(again->has_value());
  EXPECT_EQ((*again)->error, ErrorCode::kNone);
  EXPECT_EQ((*again)->generation_id, 1);  // no rebalance
  EXPECT_EQ(State(), S::kStable);
  const std::string new_a = (*again)->member_id;
  EXPECT_NE(new_a, old_a);
  EXPECT_EQ((*Sync(new_a, 1, {}, "host-a"))->assignment, Bytes{7});
  // The previous incarnation is fenced.
  EXPECT_EQ(Heartbeat(old_a, 1, "host-a"), ErrorCode::kFencedInstanceId);
  EXPECT_EQ(Heartbeat(new_a, 1, "host-a"), ErrorCode::kNone);
}

TEST_F(GroupCoordinatorTest, BadJoinsAreRefused) {
  JoinGroupParams p = Params();
  p.session_timeout_ms = 1000;  // below group.min.session.timeout.ms
  EXPECT_EQ((*Join(p))->error, ErrorCode::kInvalidSessionTimeout);
  p = Params();
  p.group_id = "";
  EXPECT_EQ((*Join(p))->error, ErrorCode::kInvalidGroupId);
  EXPECT_EQ((*Join("made-up-id"))->error, ErrorCode::kUnknownMemberId);
  Join();
  p = Params();
  p.protocols = {GroupProtocol{"sticky", {}}};  // nothing in common with range
  EXPECT_EQ((*Join(p))->error, ErrorCode::kInconsistentGroupProtocol);
  p = Params();
  p.protocol_type = "connect";
  EXPECT_EQ((*Join(p))->error, ErrorCode::kInconsistentGroupProtocol);
}

}  // namespace
}  // namespace gregor
