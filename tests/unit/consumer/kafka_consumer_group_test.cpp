// SPDX-License-Identifier: Apache-2.0
// KafkaConsumer in a consumer group against a real in-process broker:
// members split the partitions, a newcomer takes some, a leaver's move to
// the others, committed offsets are where a new member resumes, and
// commitSync / commitAsync / auto-commit / the rebalance listener do what
// Kafka's do. Consumers are polled in turn from the test's thread (a
// member blocked in a rebalance returns at its poll timeout and resumes at
// the next poll), waiting on conditions with deadlines.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <set>

#include "consumer_test_util.h"

namespace gregor {
namespace {

using namespace std::chrono_literals;
using testing::ConfigFor;
using testing::ConsumerTestBroker;
using testing::MakeStringConsumer;
using testing::PollUntil;
using testing::StringConsumer;
using testing::Tp;

// Records the listener's calls.
struct RecordingListener : ConsumerRebalanceListener {
  std::vector<std::string> calls;
  void OnPartitionsRevoked(const std::vector<TopicPartition>& p) override {
    calls.push_back("revoked:" + std::to_string(p.size()));
  }
  void OnPartitionsAssigned(const std::vector<TopicPartition>& p) override {
    calls.push_back("assigned:" + std::to_string(p.size()));
  }
  void OnPartitionsLost(const std::vector<TopicPartition>& p) override {
    calls.push_back("lost:" + std::to_string(p.size()));
  }
};

class KafkaConsumerGroupTest : public ::testing::Test {
 protected:
  KafkaConsumerGroupTest()
      : broker_({{"group.initial.rebalance.delay.ms", "0"},
                 {"offsets.topic.num.partitions", "1"},
                 {"offsets.topic.replication.factor", "1"}}) {}
  void SetUp() override { ASSERT_TRUE(broker_.CreateTopic("t", 3)); }

  std::unique_ptr<StringConsumer> Member(std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> props = {{"group.id", "g"},
                                                {"auto.offset.reset", "earliest"},
                                                {"heartbeat.interval.ms", "100"},
                                                {"session.timeout.ms", "6000"},
                                                {"max.poll.interval.ms", "10000"}};
    for (const auto& [k, v] : extra) props[k] = v;
    return MakeStringConsumer(ConfigFor(broker_, props));
  }

  // Polls every consumer in turn until `done` or 20 s; returns `done`.
  static bool PollAll(const std::vector<StringConsumer*>& consumers,
                      const std::function<bool()>& done, std::vector<testing::Got>* got = nullptr) {
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
      for (StringConsumer* c : consumers) {
        auto records = c->Poll(50ms);
        EXPECT_TRUE(records.ok()) << records.status().ToString();
        if (got && records.ok()) {
          for (const auto& r : *records)
            got->push_back({std::string(r.topic), r.partition, r.offset, r.key, r.value});
        }
      }
      if (done()) return true;
    }
    return false;
  }

  static bool Disjoint(const std::vector<StringConsumer*>& consumers, size_t total) {
    std::set<TopicPartition> all;
    size_t sum = 0;
    for (auto* c : consumers) {
      auto a = c->Assignment();
      if (a.empty()) return false;
      sum += a.size();
      all.insert(a.begin(), a.end());
    }
    return sum == total && all.size() == total;
  }

  ConsumerTestBroker broker_;
};

TEST_F(KafkaConsumerGroupTest, OneMemberGetsEveryPartitionAndReadsThem) {
  for (int p = 0; p < 3; ++p) broker_.Produce("t", p, 5, p * 10);
  auto c = Member();
  ASSERT_TRUE(c->Subscribe({"t"}).ok());
  EXPECT_EQ(c->Subscription(), std::set<std::string>{"t"});
  auto got = PollUntil(*c, 15, 20s);
  EXPECT_EQ(got.size(), 15u);
  EXPECT_EQ(c->Assignment().size(), 3u);
}

TEST_F(KafkaConsumerGroupTest, TwoMembersSplitThePartitions) {
  auto a = Member();
  auto b = Member();
  ASSERT_TRUE(a->Subscribe({"t"}).ok());
  ASSERT_TRUE(b->Subscribe({"t"}).ok());
  ASSERT_TRUE(PollAll({a.get(), b.get()}, [&] { return Disjoint({a.get(), b.get()}, 3); }));
  // range over 3 partitions and 2 members: 2 and 1.
  EXPECT_EQ(a->Assignment().size() + b->Assignment().size(), 3u);
}

TEST_F(KafkaConsumerGroupTest, ANewcomerTakesPartitionsFromTheOthers) {
  auto a = Member();
  auto b = Member();
  ASSERT_TRUE(a->Subscribe({"t"}).ok());
  ASSERT_TRUE(b->Subscribe({"t"}).ok());
  ASSERT_TRUE(PollAll({a.get(), b.get()}, [&] { return Disjoint({a.get(), b.get()}, 3); }));
  auto c = Member();
  ASSERT_TRUE(c->Subscribe({"t"}).ok());
  ASSERT_TRUE(PollAll({a.get(), b.get(), c.get()}, [&] {
    return Disjoint({a.get(), b.get(), c.get()}, 3) && a->Assignment().size() == 1 &&
           b->Assignment().size() == 1;
  }));
}

TEST_F(KafkaConsumerGroupTest, CloseLeavesAndTheOthersTakeOver) {
  auto a = Member();
  auto b = Member();
  ASSERT_TRUE(a->Subscribe({"t"}).ok());
  ASSERT_TRUE(b->Subscribe({"t"}).ok());
  ASSERT_TRUE(PollAll({a.get(), b.get()}, [&] { return Disjoint({a.get(), b.get()}, 3); }));
  auto start = std::chrono::steady_clock::now();
  b->Close();
  ASSERT_TRUE(PollAll({a.get()}, [&] { return a->Assignment().size() == 3; }));
  // LeaveGroup, not session.timeout.ms (6 s), moved the partitions.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST_F(KafkaConsumerGroupTest, ANewMemberResumesFromCommittedOffsets) {
  broker_.Produce("t", 0, 10);
  {
    auto a = Member({{"enable.auto.commit", "false"}});
    ASSERT_TRUE(a->Subscribe({"t"}).ok());
    auto got = PollUntil(*a, 10, 20s);
    ASSERT_EQ(got.size(), 10u);
    Status s = a->CommitSync();
    ASSERT_TRUE(s.ok()) << s.ToString();
    auto committed = a->Committed({Tp("t", 0)});
    ASSERT_TRUE(committed.ok()) << committed.status().ToString();
    EXPECT_EQ(committed->at(Tp("t", 0)).offset, 10);
    a->Close();
  }
  broker_.Produce("t", 0, 5, 10);
  auto b = Member({{"enable.auto.commit", "false"}});
  ASSERT_TRUE(b->Subscribe({"t"}).ok());
  auto got = PollUntil(*b, 5, 20s);
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0].offset, 10);
  EXPECT_EQ(got[0].value, "v10");
}

TEST_F(KafkaConsumerGroupTest, CommitSyncOfExplicitOffsetsIsWhatCommittedReturns) {
  auto a = Member({{"enable.auto.commit", "false"}});
  ASSERT_TRUE(a->Subscribe({"t"}).ok());
  ASSERT_TRUE(PollAll({a.get()}, [&] { return a->Assignment().size() == 3; }));
  Status s = a->CommitSync({{Tp("t", 1), OffsetAndMetadata{42, "meta", -1}}});
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto committed = a->Committed({Tp("t", 1), Tp("t", 2)});
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  EXPECT_EQ(committed->at(Tp("t", 1)).offset, 42);
  EXPECT_EQ(committed->at(Tp("t", 1)).metadata, "meta");
  EXPECT_EQ(committed->count(Tp("t", 2)), 0u);  // nothing committed there
}

TEST_F(KafkaConsumerGroupTest, CommitAsyncCallsBackInsideALaterPoll) {
  broker_.Produce("t", 2, 4);
  auto a = Member({{"enable.auto.commit", "false"}});
  ASSERT_TRUE(a->Subscribe({"t"}).ok());
  ASSERT_EQ(PollUntil(*a, 4, 20s).size(), 4u);
  bool called = false;
  Status seen(ErrorCode::kUnknownServerError, "not called");
  a->CommitAsync([&](const std::map<TopicPartition, OffsetAndMetadata>& offsets, const Status& s) {
    called = true;
    seen = s;
    EXPECT_EQ(offsets.at(Tp("t", 2)).offset, 4);
  });
  ASSERT_TRUE(PollAll({a.get()}, [&] { return called; }));
  EXPECT_TRUE(seen.ok()) << seen.ToString();
  EXPECT_EQ(a->Committed({Tp("t", 2)})->at(Tp("t", 2)).offset, 4);
}

TEST_F(KafkaConsumerGroupTest, AutoCommitCommitsThePositionsWhilePolling) {
  broker_.Produce("t", 0, 6);
  auto a = Member({{"auto.commit.interval.ms", "100"}});
  ASSERT_TRUE(a->Subscribe({"t"}).ok());
  ASSERT_EQ(PollUntil(*a, 6, 20s).size(), 6u);
  ASSERT_TRUE(PollAll({a.get()}, [&] {
    auto c = a->Committed({Tp("t", 0)});
    return c.ok() && c->count(Tp("t", 0)) && c->at(Tp("t", 0)).offset == 6;
  }));
}

TEST_F(KafkaConsumerGroupTest, CloseCommitsWithAutoCommit) {
  broker_.Produce("t", 1, 3);
  auto a = Member();  // auto.commit.interval.ms 5 s: only Close() commits
  ASSERT_TRUE(a->Subscribe({"t"}).ok());
  ASSERT_EQ(PollUntil(*a, 3, 20s).size(), 3u);
  a->Close();
  auto b = Member({{"enable.auto.commit", "false"}});
  ASSERT_TRUE(b->Subscribe({"t"}).ok());
  ASSERT_TRUE(PollAll({b.get()}, [&] { return b->Assignment().size() == 3; }));
  auto committed = b->Committed({Tp("t", 1)});
  ASSERT_TRUE(committed.ok());
  EXPECT_EQ(committed->at(Tp("t", 1)).offset, 3);
}

TEST_F(KafkaConsumerGroupTest, ListenerSeesRevokeBeforeEachRebalanceAndTheNewAssignment) {
  auto listener = std::make_shared<RecordingListener>();
  auto a = Member();
  ASSERT_TRUE(a->Subscribe({"t"}, listener).ok());
  ASSERT_TRUE(PollAll({a.get()}, [&] { return a->Assignment().size() == 3; }));
  EXPECT_EQ(listener->calls, (std::vector<std::string>{"assigned:3"}));
  auto b = Member();
  ASSERT_TRUE(b->Subscribe({"t"}).ok());
  ASSERT_TRUE(PollAll({a.get(), b.get()}, [&] { return Disjoint({a.get(), b.get()}, 3); }));
  ASSERT_GE(listener->calls.size(), 3u);
  EXPECT_EQ(listener->calls[1], "revoked:3");  // eager: everything, before rejoining
  EXPECT_EQ(listener->calls.back(), "assigned:" + std::to_string(a->Assignment().size()));
}

TEST_F(KafkaConsumerGroupTest, PatternSubscriptionFollowsMatchingTopics) {
  ASSERT_TRUE(broker_.CreateTopic("p-1", 1));
  ASSERT_TRUE(broker_.CreateTopic("p-2", 1));
  broker_.Produce("p-2", 0, 2);
  auto a = Member();
  ASSERT_TRUE(a->Subscribe(std::regex("p-.*")).ok());
  std::vector<testing::Got> got;
  ASSERT_TRUE(PollAll(
      {a.get()}, [&] { return got.size() >= 2; }, &got));
  EXPECT_EQ(a->Subscription(), (std::set<std::string>{"p-1", "p-2"}));
  EXPECT_EQ(got[0].topic, "p-2");
}

TEST_F(KafkaConsumerGroupTest, AssignedPartitionsStartAtTheGroupsCommittedOffset) {
  broker_.Produce("t", 0, 8);
  auto a = Member({{"enable.auto.commit", "false"}});
  ASSERT_TRUE(a->Assign({Tp("t", 0)}).ok());
  ASSERT_TRUE(a->CommitSync({{Tp("t", 0), OffsetAndMetadata{5, "", -1}}}).ok());
  a->Close();
  auto b = Member({{"enable.auto.commit", "false"}});
  ASSERT_TRUE(b->Assign({Tp("t", 0)}).ok());
  auto got = PollUntil(*b, 3, 20s);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].offset, 5);
}

// The heartbeat thread leaves for a member that stops polling; the others
// take its partitions, and it finds them lost (not revoked) when it polls
// again, then rejoins.
TEST_F(KafkaConsumerGroupTest, MemberThatStopsPollingLeavesAndLosesItsPartitions) {
  auto listener = std::make_shared<RecordingListener>();
  auto a = Member({{"max.poll.interval.ms", "1500"}});
  auto b = Member();
  ASSERT_TRUE(a->Subscribe({"t"}, listener).ok());
  ASSERT_TRUE(b->Subscribe({"t"}).ok());
  ASSERT_TRUE(PollAll({a.get(), b.get()}, [&] { return Disjoint({a.get(), b.get()}, 3); }));
  size_t owned = a->Assignment().size();
  // Only b polls now: after 1.5 s a's heartbeat thread leaves the group.
  ASSERT_TRUE(PollAll({b.get()}, [&] { return b->Assignment().size() == 3; }));
  ASSERT_TRUE(PollAll({a.get(), b.get()}, [&] { return Disjoint({a.get(), b.get()}, 3); }));
  auto lost =
      std::find(listener->calls.begin(), listener->calls.end(), "lost:" + std::to_string(owned));
  EXPECT_NE(lost, listener->calls.end()) << ::testing::PrintToString(listener->calls);
}

TEST_F(KafkaConsumerGroupTest, MembersWithoutACommonAssignorAreRefused) {
  auto a = Member({{"partition.assignment.strategy", "range"}});
  ASSERT_TRUE(a->Subscribe({"t"}).ok());
  ASSERT_TRUE(PollAll({a.get()}, [&] { return a->Assignment().size() == 3; }));
  auto b = Member({{"partition.assignment.strategy", "roundrobin"}});
  ASSERT_TRUE(b->Subscribe({"t"}).ok());
  Status seen;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (seen.ok() && std::chrono::steady_clock::now() < deadline) seen = b->Poll(100ms).status();
  EXPECT_EQ(seen.code(), ErrorCode::kInconsistentGroupProtocol) << seen.ToString();
}

TEST_F(KafkaConsumerGroupTest, CloseWaitsForAsynchronousCommits) {
  broker_.Produce("t", 0, 2);
  auto a = Member({{"enable.auto.commit", "false"}});
  ASSERT_TRUE(a->Subscribe({"t"}).ok());
  ASSERT_EQ(PollUntil(*a, 2, 20s).size(), 2u);
  Status seen(ErrorCode::kUnknownServerError, "not called");
  a->CommitAsync(
      [&](const std::map<TopicPartition, OffsetAndMetadata>&, const Status& s) { seen = s; });
  a->Close();
  EXPECT_TRUE(seen.ok()) << seen.ToString();
}

// KIP-429: a cooperative member keeps what stays and revokes only what
// moves, in a second rebalance it starts itself.
TEST_F(KafkaConsumerGroupTest, CooperativeRebalanceRevokesOnlyMovedPartitions) {
  ASSERT_TRUE(broker_.CreateTopic("c", 4));
  auto listener = std::make_shared<RecordingListener>();
  auto a = Member({{"partition.assignment.strategy", "cooperative-sticky"}});
  ASSERT_TRUE(a->Subscribe({"c"}, listener).ok());
  ASSERT_TRUE(PollAll({a.get()}, [&] { return a->Assignment().size() == 4; }));
  auto b = Member({{"partition.assignment.strategy", "cooperative-sticky"}});
  ASSERT_TRUE(b->Subscribe({"c"}).ok());
  ASSERT_TRUE(PollAll({a.get(), b.get()},
                      [&] { return a->Assignment().size() == 2 && b->Assignment().size() == 2; }));
  // assigned:4, then revoked:2 (only the two that moved), then assigned:0
  // (nothing new for a); never revoked:4.
  EXPECT_EQ(listener->calls[0], "assigned:4");
  EXPECT_EQ(std::count(listener->calls.begin(), listener->calls.end(), "revoked:4"), 0);
  EXPECT_EQ(std::count(listener->calls.begin(), listener->calls.end(), "revoked:2"), 1)
      << ::testing::PrintToString(listener->calls);
}

TEST_F(KafkaConsumerGroupTest, KafkasDefaultAssignorsAreEagerRange) {
  auto listener = std::make_shared<RecordingListener>();
  auto a = Member();  // [range, cooperative-sticky]
  ASSERT_TRUE(a->Subscribe({"t"}, listener).ok());
  ASSERT_TRUE(PollAll({a.get()}, [&] { return a->Assignment().size() == 3; }));
  auto b = Member();
  ASSERT_TRUE(b->Subscribe({"t"}).ok());
  ASSERT_TRUE(PollAll({a.get(), b.get()}, [&] { return Disjoint({a.get(), b.get()}, 3); }));
  EXPECT_EQ(listener->calls[1], "revoked:3");  // eager
  // range: the first member (by id) gets partitions 0-1 of the 3.
  EXPECT_EQ(a->Assignment().size() + b->Assignment().size(), 3u);
}

TEST_F(KafkaConsumerGroupTest, UnsubscribeLeavesTheGroup) {
  auto a = Member();
  auto b = Member();
  ASSERT_TRUE(a->Subscribe({"t"}).ok());
  ASSERT_TRUE(b->Subscribe({"t"}).ok());
  ASSERT_TRUE(PollAll({a.get(), b.get()}, [&] { return Disjoint({a.get(), b.get()}, 3); }));
  b->Unsubscribe();
  EXPECT_TRUE(b->Assignment().empty());
  ASSERT_TRUE(PollAll({a.get()}, [&] { return a->Assignment().size() == 3; }));
}

}  // namespace
}  // namespace gregor
