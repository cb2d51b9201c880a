// SPDX-License-Identifier: Apache-2.0
// GroupCoordinator with a GroupMetadataManager over a controllable
// appender (records kept in memory; it can fail with a chosen error or
// hold the append until the test completes it): OffsetCommit's rules, a
// generation answered only once stored, an emptied group stored, a restart
// that replays the records into a new manager and coordinator, DeleteGroups,
// and the coordinator errors every group request answers.
#include <gtest/gtest.h>

#include <memory>

#include "coordinator/group/group_coordinator.h"
#include "coordinator/group/group_metadata_manager.h"

namespace gregor {
namespace {

using S = GroupState;
constexpr int32_t kPartitions = 50;

// __consumer_offsets in memory: what was appended, and the test's hand on
// whether (and when) an append succeeds.
struct FakeOffsetsLog {
  struct Appended {
    int32_t partition;
    std::vector<GroupRecord> records;
  };
  struct Held {
    int32_t partition;
    std::vector<GroupRecord> records;
    std::function<void(ErrorCode)> done;
  };
  std::vector<Appended> appended;  // the successful appends, in order
  ErrorCode fail_with = ErrorCode::kNone;
  bool hold = false;  // appends wait for Complete()
  std::vector<Held> held;

  GroupMetadataManager::Appender Appender() {
    return [this](int32_t partition, std::vector<GroupRecord> records,
                  std::function<void(ErrorCode)> done) {
      if (hold) {
        held.push_back({partition, std::move(records), std::move(done)});
        return;
      }
      if (fail_with == ErrorCode::kNone) appended.push_back({partition, std::move(records)});
      done(fail_with);
    };
  }
  // The oldest held append "returns" with `error`.
  void Complete(ErrorCode error = ErrorCode::kNone) {
    ASSERT_FALSE(held.empty());
    Held h = std::move(held.front());
    held.erase(held.begin());
    if (error == ErrorCode::kNone) appended.push_back({h.partition, std::move(h.records)});
    h.done(error);
  }
};

class GroupCoordinatorOffsetsTest : public ::testing::Test {
 protected:
  using JoinSlot = std::shared_ptr<std::optional<JoinGroupResult>>;
  using SyncSlot = std::shared_ptr<std::optional<SyncGroupResult>>;

  GroupCoordinatorOffsetsTest() { Start(/*own=*/true); }
  ~GroupCoordinatorOffsetsTest() override { coordinator_.reset(); }

  // A new manager and coordinator (a broker start): with `own`, every
  // partition is loaded from what `log_` holds so far.
  void Start(bool own) {
    coordinator_.reset();
    manager_ = std::make_unique<GroupMetadataManager>(kPartitions, log_.Appender());
    GroupCoordinatorConfig c;
    c.initial_rebalance_delay_ms = 100;
    coordinator_ = std::make_unique<GroupCoordinator>(c, timer_, clock_, manager_.get());
    if (!own) return;
    for (int32_t p = 0; p < kPartitions; ++p) manager_->BeginLoading(p);
    for (const auto& a : log_.appended) {
      for (const auto& r : a.records) {
        std::optional<ByteSpan> value;
        if (r.value) value = ByteSpan(*r.value);
        ASSERT_TRUE(manager_->ReplayRecord(a.partition, r.key, value).ok());
      }
    }
    for (int32_t p = 0; p < kPartitions; ++p) {
      manager_->FinishLoading(p);
      coordinator_->OnPartitionLoaded(p);
    }
  }
  void Restart() { Start(true); }

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
  JoinSlot Join(const std::string& member_id = "") {
    auto slot = std::make_shared<std::optional<JoinGroupResult>>();
    coordinator_->HandleJoinGroup(Params(member_id),
                                  [slot](const JoinGroupResult& r) { *slot = r; });
    return slot;
  }
  SyncSlot Sync(const std::string& member_id, int32_t generation,
                std::map<std::string, Bytes> assignments = {}) {
    auto slot = std::make_shared<std::optional<SyncGroupResult>>();
    coordinator_->HandleSyncGroup({"g", generation, member_id, {}, std::move(assignments)},
                                  [slot](const SyncGroupResult& r) { *slot = r; });
    return slot;
  }
  ErrorCode Heartbeat(const std::string& member_id, int32_t generation) {
    return coordinator_->HandleHeartbeat("g", member_id, {}, generation);
  }
  void Advance(int64_t ms) {
    for (int64_t done = 0; done < ms; done += 10) {
      clock_.AdvanceMs(std::min<int64_t>(10, ms - done));
      timer_.AdvanceClock();
    }
  }
  S State() { return coordinator_->Describe("g")->state; }

  // Two members joined: generation 1, CompletingRebalance. {leader, follower}.
  std::pair<std::string, std::string> JoinedGroupOfTwo() {
    auto a = Join();
    auto b = Join();
    Advance(250);
    EXPECT_TRUE(a->has_value() && b->has_value());
    if (!a->has_value() || !b->has_value()) return {};
    EXPECT_EQ((*a)->leader_id, (*a)->member_id);
    return {(*a)->member_id, (*b)->member_id};
  }
  // ... and synced: Stable, the leader assigned {1}, the follower {2}.
  std::pair<std::string, std::string> StableGroupOfTwo() {
    auto [leader, follower] = JoinedGroupOfTwo();
    auto sf = Sync(follower, 1);
    auto sl = Sync(leader, 1, {{leader, Bytes{1}}, {follower, Bytes{2}}});
    EXPECT_TRUE(sl->has_value() && sf->has_value());
    EXPECT_EQ(State(), S::kStable);
    return {leader, follower};
  }

  static CommittedOffset Offset(int64_t offset, std::string metadata = "") {
    CommittedOffset o;
    o.offset = offset;
    o.metadata = std::move(metadata);
    return o;
  }
  std::map<TopicPartition, ErrorCode> Commit(std::map<TopicPartition, CommittedOffset> offsets,
                                             int32_t generation = -1,
                                             const std::string& member_id = "",
                                             const std::string& group_id = "g") {
    std::map<TopicPartition, ErrorCode> result;
    bool answered = false;
    coordinator_->HandleCommitOffsets({group_id, member_id, {}, generation, std::move(offsets)},
                                      [&](const auto& r) {
                                        result = r;
                                        answered = true;
                                      });
    EXPECT_TRUE(answered);
    return result;
  }
  std::map<TopicPartition, CommittedOffset> Fetched(const std::string& group_id = "g") {
    std::map<TopicPartition, CommittedOffset> out;
    EXPECT_EQ(coordinator_->HandleFetchOffsets(group_id, std::nullopt, &out), ErrorCode::kNone);
    return out;
  }
  std::map<std::string, ErrorCode> Delete(std::vector<std::string> ids) {
    std::map<std::string, ErrorCode> result;
    coordinator_->HandleDeleteGroups(ids, [&](auto r) { result = std::move(r); });
    return result;
  }
  // The stored value of the last GroupMetadata record appended for "g".
  std::optional<GroupMetadataValue> LastStoredGroup() {
    std::optional<GroupMetadataValue> last;
    for (const auto& a : log_.appended) {
      for (const auto& r : a.records) {
        auto key = DecodeGroupRecordKey(r.key);
        if (!key.ok() || !std::holds_alternative<GroupMetadataKey>(*key)) continue;
        if (!r.value) {
          last.reset();
          continue;
        }
        auto value = DecodeGroupMetadataValue(*r.value);
        EXPECT_TRUE(value.ok());
        if (value.ok()) last = *value;
      }
    }
    return last;
  }

  MockClock clock_;
  Timer timer_{clock_};
  FakeOffsetsLog log_;
  std::unique_ptr<GroupMetadataManager> manager_;
  std::unique_ptr<GroupCoordinator> coordinator_;
  TopicPartition t0_{"orders", PartitionId(0)};
  TopicPartition t1_{"orders", PartitionId(1)};
};

// --- OffsetCommit's rules ---------------------------------------------------

TEST_F(GroupCoordinatorOffsetsTest, PlainCommitToUnknownGroupIsStoredAndMakesAnEmptyGroup) {
  auto errors = Commit({{t0_, Offset(42, "m")}});
  EXPECT_EQ(errors[t0_], ErrorCode::kNone);
  ASSERT_EQ(log_.appended.size(), 1u);
  EXPECT_EQ(log_.appended[0].partition, manager_->PartitionFor("g"));
  EXPECT_EQ(Fetched()[t0_].offset, 42);
  EXPECT_EQ(Fetched()[t0_].metadata, "m");
  EXPECT_EQ(State(), S::kEmpty);
  auto listed = coordinator_->ListGroups();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0], (std::pair<std::string, std::string>{"g", ""}));
}

TEST_F(GroupCoordinatorOffsetsTest, CommitWithGenerationToUnknownGroupIsIllegalGeneration) {
  EXPECT_EQ(Commit({{t0_, Offset(1)}}, 3, "m-1")[t0_], ErrorCode::kIllegalGeneration);
  EXPECT_TRUE(log_.appended.empty());
  EXPECT_FALSE(coordinator_->Describe("g").has_value());
}

TEST_F(GroupCoordinatorOffsetsTest, CommitFromUnknownMemberIsRefused) {
  StableGroupOfTwo();
  const size_t before = log_.appended.size();
  EXPECT_EQ(Commit({{t0_, Offset(1)}}, 1, "ghost")[t0_], ErrorCode::kUnknownMemberId);
  // Outside group management (no member, no generation) into a live group.
  EXPECT_EQ(Commit({{t0_, Offset(1)}}, -1, "")[t0_], ErrorCode::kUnknownMemberId);
  EXPECT_EQ(log_.appended.size(), before);
}

TEST_F(GroupCoordinatorOffsetsTest, CommitWithStaleGenerationIsIllegalGeneration) {
  auto [leader, follower] = StableGroupOfTwo();
  EXPECT_EQ(Commit({{t0_, Offset(1)}}, 0, follower)[t0_], ErrorCode::kIllegalGeneration);
  EXPECT_EQ(Commit({{t0_, Offset(1)}}, 1, follower)[t0_], ErrorCode::kNone);
}

TEST_F(GroupCoordinatorOffsetsTest, CommitWhileAwaitingTheAssignmentIsRebalanceInProgress) {
  auto [leader, follower] = JoinedGroupOfTwo();
  ASSERT_EQ(State(), S::kCompletingRebalance);
  EXPECT_EQ(Commit({{t0_, Offset(1)}}, 1, follower)[t0_], ErrorCode::kRebalanceInProgress);
  EXPECT_TRUE(Fetched().empty());
}

TEST_F(GroupCoordinatorOffsetsTest, OversizedMetadataIsRefusedPerPartition) {
  TopicPartition t2{"orders", PartitionId(2)};
  auto errors = Commit({{t0_, Offset(1, std::string(4097, 'x'))},
                        {t1_, Offset(2, std::string(4096, 'x'))},
                        {t2, Offset(3)}});
  EXPECT_EQ(errors[t0_], ErrorCode::kOffsetMetadataTooLarge);
  EXPECT_EQ(errors[t1_], ErrorCode::kNone);  // the limit itself is allowed
  EXPECT_EQ(errors[t2], ErrorCode::kNone);
  auto fetched = Fetched();
  EXPECT_FALSE(fetched.contains(t0_));
  EXPECT_EQ(fetched[t1_].offset, 2);
  EXPECT_EQ(fetched[t2].offset, 3);
}

TEST_F(GroupCoordinatorOffsetsTest, CommitAppendErrorsAreMapped) {
  const std::pair<ErrorCode, ErrorCode> cases[] = {
      {ErrorCode::kKafkaStorageError, ErrorCode::kNotCoordinator},
      {ErrorCode::kNotLeaderOrFollower, ErrorCode::kNotCoordinator},
      {ErrorCode::kRequestTimedOut, ErrorCode::kCoordinatorNotAvailable},
      {ErrorCode::kNotEnoughReplicas, ErrorCode::kCoordinatorNotAvailable},
      {ErrorCode::kMessageTooLarge, ErrorCode::kInvalidCommitOffsetSize},
      {ErrorCode::kRecordListTooLarge, ErrorCode::kInvalidCommitOffsetSize},
  };
  for (const auto& [appended, answered] : cases) {
    log_.fail_with = appended;
    EXPECT_EQ(Commit({{t0_, Offset(1)}})[t0_], answered) << ErrorName(appended);
  }
  EXPECT_TRUE(Fetched().empty());  // nothing cached from a failed append
}

// --- a generation answered once stored --------------------------------------

TEST_F(GroupCoordinatorOffsetsTest, SyncIsAnsweredOnlyOnceTheGenerationIsStored) {
  auto [leader, follower] = JoinedGroupOfTwo();
  log_.hold = true;
  auto sf = Sync(follower, 1);
  auto sl = Sync(leader, 1, {{leader, Bytes{1}}, {follower, Bytes{2, 2}}});
  EXPECT_FALSE(sl->has_value());
  EXPECT_FALSE(sf->has_value());
  EXPECT_EQ(State(), S::kCompletingRebalance);
  ASSERT_EQ(log_.held.size(), 1u);
  log_.Complete();
  ASSERT_TRUE(sl->has_value() && sf->has_value());
  EXPECT_EQ((*sl)->error, ErrorCode::kNone);
  EXPECT_EQ((*sl)->assignment, Bytes{1});
  EXPECT_EQ((*sf)->assignment, Bytes({2, 2}));
  EXPECT_EQ(State(), S::kStable);
  auto stored = LastStoredGroup();
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->generation, 1);
  EXPECT_EQ(stored->protocol, "range");
  EXPECT_EQ(stored->leader, leader);
  ASSERT_EQ(stored->members.size(), 2u);
  for (const auto& m : stored->members) {
    EXPECT_EQ(m.assignment, m.member_id == leader ? Bytes{1} : Bytes({2, 2}));
    EXPECT_EQ(m.subscription, Bytes{'m'});
  }
}

TEST_F(GroupCoordinatorOffsetsTest, FailedStoreAnswersTheMappedErrorAndRebalancesAgain) {
  auto [leader, follower] = JoinedGroupOfTwo();
  log_.hold = true;
  auto sf = Sync(follower, 1);
  auto sl = Sync(leader, 1, {{leader, Bytes{1}}, {follower, Bytes{2}}});
  log_.Complete(ErrorCode::kKafkaStorageError);
  ASSERT_TRUE(sl->has_value() && sf->has_value());
  EXPECT_EQ((*sl)->error, ErrorCode::kNotCoordinator);
  EXPECT_EQ((*sf)->error, ErrorCode::kNotCoordinator);
  EXPECT_TRUE((*sf)->assignment.empty());
  EXPECT_EQ(State(), S::kPreparingRebalance);
  EXPECT_EQ(Heartbeat(follower, 1), ErrorCode::kRebalanceInProgress);
  EXPECT_FALSE(LastStoredGroup().has_value());
}

TEST_F(GroupCoordinatorOffsetsTest, TimedOutStoreTellsMembersToRejoin) {
  auto [leader, follower] = JoinedGroupOfTwo();
  log_.hold = true;
  auto sl = Sync(leader, 1, {{leader, Bytes{1}}, {follower, Bytes{2}}});
  log_.Complete(ErrorCode::kRequestTimedOut);
  ASSERT_TRUE(sl->has_value());
  EXPECT_EQ((*sl)->error, ErrorCode::kRebalanceInProgress);
}

TEST_F(GroupCoordinatorOffsetsTest, GroupEmptiedByTheLastLeaveIsStored) {
  auto [leader, follower] = StableGroupOfTwo();
  EXPECT_EQ(coordinator_->HandleLeaveGroup("g", {{follower, {}}, {leader, {}}}),
            (std::vector<ErrorCode>{ErrorCode::kNone, ErrorCode::kNone}));
  EXPECT_EQ(State(), S::kEmpty);
  auto stored = LastStoredGroup();
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->generation, 2);
  EXPECT_TRUE(stored->members.empty());
  EXPECT_FALSE(stored->protocol.has_value());
  EXPECT_FALSE(stored->leader.has_value());
  // And it comes back Empty, with that generation.
  Restart();
  EXPECT_EQ(State(), S::kEmpty);
  EXPECT_EQ(coordinator_->Describe("g")->generation_id, 2);
}

// --- restart ----------------------------------------------------------------

TEST_F(GroupCoordinatorOffsetsTest, RestartRebuildsTheStableGroup) {
  auto [leader, follower] = StableGroupOfTwo();
  EXPECT_EQ(Commit({{t0_, Offset(17)}}, 1, follower)[t0_], ErrorCode::kNone);
  Restart();
  auto g = coordinator_->Describe("g");
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->state, S::kStable);
  EXPECT_EQ(g->generation_id, 1);
  EXPECT_EQ(g->protocol_type, "consumer");
  EXPECT_EQ(g->protocol_name, "range");
  EXPECT_EQ(g->leader_id, leader);
  ASSERT_EQ(g->members.size(), 2u);
  for (const auto& m : g->members) {
    EXPECT_EQ(m.assignment, m.member_id == leader ? Bytes{1} : Bytes{2});
    EXPECT_EQ(m.metadata, Bytes{'m'});
    EXPECT_EQ(m.client_id, "client");
    EXPECT_EQ(m.client_host, "/127.0.0.1");
  }
  EXPECT_EQ(Fetched()[t0_].offset, 17);
  EXPECT_EQ(Heartbeat(leader, 1), ErrorCode::kNone);
  EXPECT_EQ(Heartbeat(follower, 1), ErrorCode::kNone);
  EXPECT_EQ((*Sync(follower, 1))->assignment, Bytes{2});
  EXPECT_EQ(Commit({{t0_, Offset(18)}}, 1, follower)[t0_], ErrorCode::kNone);
}

TEST_F(GroupCoordinatorOffsetsTest, RestartedMemberSilentPastItsSessionIsRemoved) {
  auto [leader, follower] = StableGroupOfTwo();
  Restart();
  for (int i = 0; i < 3; ++i) {  // the leader heartbeats, the follower never does
    Advance(3000);
    EXPECT_EQ(Heartbeat(leader, 1), ErrorCode::kNone);
  }
  Advance(1100);  // 10.1 s since the load
  EXPECT_EQ(coordinator_->Describe("g")->member_ids, std::vector<std::string>{leader});
  EXPECT_EQ(State(), S::kPreparingRebalance);
  EXPECT_EQ(Heartbeat(leader, 1), ErrorCode::kRebalanceInProgress);
  auto rejoin = Join(leader);
  ASSERT_TRUE(rejoin->has_value());
  EXPECT_EQ((*rejoin)->generation_id, 2);
}

// --- DeleteGroups -----------------------------------------------------------

TEST_F(GroupCoordinatorOffsetsTest, DeleteGroupsAnswersPerGroup) {
  StableGroupOfTwo();
  EXPECT_EQ(Commit({{t0_, Offset(5)}, {t1_, Offset(6)}}, -1, "", "plain")[t0_], ErrorCode::kNone);
  auto result = Delete({"unknown", "g", "plain"});
  EXPECT_EQ(result["unknown"], ErrorCode::kGroupIdNotFound);
  EXPECT_EQ(result["g"], ErrorCode::kNonEmptyGroup);
  EXPECT_EQ(result["plain"], ErrorCode::kNone);
}

TEST_F(GroupCoordinatorOffsetsTest, DeletedGroupLeavesTombstonesAndIsGoneAfterRestart) {
  EXPECT_EQ(Commit({{t0_, Offset(5)}, {t1_, Offset(6)}})[t0_], ErrorCode::kNone);
  EXPECT_EQ(Delete({"g"})["g"], ErrorCode::kNone);
  const auto& last = log_.appended.back();
  EXPECT_EQ(last.partition, manager_->PartitionFor("g"));
  ASSERT_EQ(last.records.size(), 3u);  // two offsets and the group
  int offset_keys = 0, group_keys = 0;
  for (const auto& r : last.records) {
    EXPECT_FALSE(r.value.has_value());
    auto key = DecodeGroupRecordKey(r.key);
    ASSERT_TRUE(key.ok());
    (std::holds_alternative<OffsetCommitKey>(*key) ? offset_keys : group_keys)++;
  }
  EXPECT_EQ(offset_keys, 2);
  EXPECT_EQ(group_keys, 1);
  EXPECT_FALSE(coordinator_->Describe("g").has_value());
  EXPECT_TRUE(Fetched().empty());
  Restart();
  EXPECT_FALSE(coordinator_->Describe("g").has_value());
  EXPECT_TRUE(Fetched().empty());
  EXPECT_TRUE(coordinator_->ListGroups().empty());
}

TEST_F(GroupCoordinatorOffsetsTest, UnloadedPartitionsGroupsAreForgotten) {
  auto [leader, follower] = JoinedGroupOfTwo();
  auto sf = Sync(follower, 1);  // parked, waiting for the leader
  const int32_t p = manager_->PartitionFor("g");
  manager_->Unload(p);
  coordinator_->OnPartitionUnloaded(p);
  ASSERT_TRUE(sf->has_value());
  EXPECT_EQ((*sf)->error, ErrorCode::kNotCoordinator);
  EXPECT_FALSE(coordinator_->Describe("g").has_value());
  Advance(60000);  // its timers are gone with it
  // Led again from an empty partition (the topic was recreated): gone.
  manager_->BeginLoading(p);
  manager_->FinishLoading(p);
  coordinator_->OnPartitionLoaded(p);
  EXPECT_FALSE(coordinator_->Describe("g").has_value());
  EXPECT_EQ(Heartbeat(leader, 1), ErrorCode::kUnknownMemberId);
}

// --- coordinator errors -----------------------------------------------------

class GroupCoordinatorOwnershipTest : public GroupCoordinatorOffsetsTest {
 protected:
  // Every group request's answer for group "g", in the order join, sync,
  // heartbeat, leave, commit, fetch.
  std::vector<ErrorCode> EveryRequest() {
    std::vector<ErrorCode> out;
    auto j = Join();
    out.push_back(j->has_value() ? (*j)->error : ErrorCode::kNone);
    auto s = Sync("m-1", 1);
    out.push_back(s->has_value() ? (*s)->error : ErrorCode::kNone);
    out.push_back(Heartbeat("m-1", 1));
    auto leave = coordinator_->HandleLeaveGroup("g", {{"m-1", {}}});
    out.push_back(leave.empty() ? ErrorCode::kNone : leave[0]);
    out.push_back(Commit({{t0_, Offset(1)}})[t0_]);
    std::map<TopicPartition, CommittedOffset> fetched;
    out.push_back(coordinator_->HandleFetchOffsets("g", std::nullopt, &fetched));
    return out;
  }
};

TEST_F(GroupCoordinatorOwnershipTest, PartitionNotOwnedAnswersNotCoordinator) {
  Start(/*own=*/false);
  EXPECT_EQ(EveryRequest(), std::vector<ErrorCode>(6, ErrorCode::kNotCoordinator));
  EXPECT_EQ(coordinator_->CoordinatorError("g"), ErrorCode::kNotCoordinator);
  EXPECT_TRUE(log_.appended.empty());
}

TEST_F(GroupCoordinatorOwnershipTest, PartitionLoadingAnswersLoadInProgress) {
  Start(/*own=*/false);
  manager_->BeginLoading(manager_->PartitionFor("g"));
  EXPECT_EQ(EveryRequest(), std::vector<ErrorCode>(6, ErrorCode::kCoordinatorLoadInProgress));
  EXPECT_TRUE(log_.appended.empty());
  EXPECT_TRUE(coordinator_->ListGroups().empty());
}

}  // namespace
}  // namespace gregor
