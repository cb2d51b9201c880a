// SPDX-License-Identifier: Apache-2.0
// Claim of chapter 06 (Delivery semantics): a partition taken from member
// A and given to B is read by B from the last commit, so what A processed
// after its last commit is processed again; a ConsumerRebalanceListener
// that commits in OnPartitionsRevoked closes that window, because the
// revoke runs before A rejoins, while A still owns the partitions.
//
// C1 reads a 2-partition topic (50 records each) alone, committing (commitSync) after each
// batch; then it processes one more batch without committing, and C2
// joins. Both keep polling, one after the other on this thread, and
// commit after every batch — except C1 until its rebalance is over: what
// it processes until then is "the last batch before the rebalance".
// The lab's consumers keep Kafka's default partition.assignment.strategy,
// [range, cooperative-sticky], which runs the eager protocol (cooperative
// needs every assignor to support it): C1 gives up both partitions and
// even the one it gets back is read again from the commit.
#include <memory>

#include "lab06_fixture.h"

namespace gregor::lab06 {
namespace {

using namespace std::chrono_literals;

/// Commits the revoked partitions' positions (or only counts, if `commit`
/// is false).
class CommitOnRevoke : public ConsumerRebalanceListener {
 public:
  CommitOnRevoke(StringConsumer* consumer, bool commit) : consumer_(consumer), commit_(commit) {}
  void OnPartitionsRevoked(const std::vector<TopicPartition>& partitions) override {
    ++revokes;
    if (commit_ && !partitions.empty()) {
      Status s = consumer_->CommitSync(2000ms);
      EXPECT_TRUE(s.ok()) << "commit in OnPartitionsRevoked: " << s.ToString();
      commits += s.ok() ? 1 : 0;
    }
  }
  void OnPartitionsAssigned(const std::vector<TopicPartition>&) override {}
  int revokes = 0;
  int commits = 0;

 private:
  StringConsumer* consumer_;
  bool commit_;
};

class RebalanceListenerLab06 : public GroupLab {
 protected:
  static constexpr int kPerPartition = 50;
  void SetUp() override { StartBroker(); }

  struct Outcome {
    int processed_c1 = 0, processed_c2 = 0;
    int committed_before = 0;  // C1's records covered by its last commit before the rebalance
    int uncommitted = 0;       // C1's records processed after it
    int duplicates = 0;
    int revoke_commits = 0;
    std::string c1, c2;  // assignments at the end
  };

  Outcome Run(const std::string& topic, bool commit_on_revoke) {
    Outcome out;
    CreateTopic(topic, 2);
    Produce(topic, 0, kPerPartition);
    Produce(topic, 1, kPerPartition);
    const std::string group = "g-" + topic;
    StringConsumer* c1 = MakeConsumer(group);
    EXPECT_TRUE(c1);
    if (!c1) return out;
    auto listener = std::make_shared<CommitOnRevoke>(c1, commit_on_revoke);
    EXPECT_TRUE(c1->Subscribe({topic}, listener).ok());

    // Alone: process, then commit, batch by batch.
    Processed p1, p2;
    while (p1.size() < 20) {
      auto batch = PollBatch(c1, 10s);
      EXPECT_TRUE(batch) << "C1 got no records";
      if (!batch) return out;
      p1.insert(p1.end(), batch->begin(), batch->end());
      EXPECT_TRUE(c1->CommitSync(3000ms).ok());
    }
    out.committed_before = int(p1.size());
    // The last batch before the rebalance: processed, not committed.
    auto last = PollBatch(c1, 5s);
    EXPECT_TRUE(last);
    if (!last) return out;
    p1.insert(p1.end(), last->begin(), last->end());

    StringConsumer* c2 = MakeConsumer(group);
    EXPECT_TRUE(c2 && c2->Subscribe({topic}).ok());
    if (!c2) return out;
    const double rebalances_before = c1->Metrics()["rebalance-total"];
    // Done when each consumer has read its partitions to the end.
    auto caught_up = [&](StringConsumer* c) {
      const auto owned = c->Assignment();
      if (owned.size() != 1) return false;
      for (const auto& tp : owned) {
        auto position = c->Position(tp, 1000ms);
        if (!position.ok() || *position < kPerPartition) return false;
      }
      return true;
    };
    auto all_read = [&] {
      std::set<std::pair<int32_t, int64_t>> seen(p1.begin(), p1.end());
      seen.insert(p2.begin(), p2.end());
      return seen.size() == size_t(2 * kPerPartition);
    };
    auto deadline = Steady::now() + 15s;
    bool c1_rebalanced = false;
    while (Steady::now() < deadline) {
      if (c1_rebalanced && all_read() && caught_up(c1) && caught_up(c2)) {
        break;
      }
      auto r1 = c1->Poll(50ms);
      EXPECT_TRUE(r1.ok()) << r1.status().ToString();
      if (!r1.ok()) return out;
      for (const auto& r : *r1) p1.push_back({r.partition, r.offset});
      if (!c1_rebalanced) {
        c1_rebalanced =
            c1->Metrics()["rebalance-total"] > rebalances_before && !c1->Assignment().empty();
      }
      if (c1_rebalanced) {
        if (!r1->empty()) (void)c1->CommitSync(3000ms);
      } else {
        out.uncommitted += int(r1->count());  // still before the rebalance
      }
      auto r2 = c2->Poll(50ms);
      EXPECT_TRUE(r2.ok()) << r2.status().ToString();
      if (!r2.ok()) return out;
      for (const auto& r : *r2) p2.push_back({r.partition, r.offset});
      if (!r2->empty()) (void)c2->CommitSync(3000ms);
    }
    EXPECT_TRUE(c1_rebalanced && all_read()) << "the group did not settle in 15 s";
    out.uncommitted += int(last->size());
    out.processed_c1 = int(p1.size());
    out.processed_c2 = int(p2.size());
    out.duplicates = CountDuplicates(p1, p2);
    out.revoke_commits = listener->commits;
    out.c1 = PartitionList(c1->Assignment());
    out.c2 = PartitionList(c2->Assignment());
    return out;
  }
};

TEST_F(RebalanceListenerLab06, WithoutCommitOnRevokeTheNewOwnersReread) {
  Outcome o = Run("norevoke", false);
  Banner(
      "no commit on revoke: C1 committed %d, then processed %d more; C2 joined; after the "
      "rebalance C1 owns %s, C2 %s; processed C1 %d + C2 %d = %d duplicates",
      o.committed_before, o.uncommitted, o.c1.c_str(), o.c2.c_str(), o.processed_c1, o.processed_c2,
      o.duplicates);
  EXPECT_GT(o.duplicates, 0);
  EXPECT_EQ(o.duplicates, o.uncommitted) << "eager: every uncommitted record is read again";
}

TEST_F(RebalanceListenerLab06, CommitOnRevokeListenerAvoidsDuplicates) {
  Outcome o = Run("revoke", true);
  Banner(
      "commitSync in OnPartitionsRevoked (%d commit): C1 committed %d, then processed %d "
      "more; C2 joined; after the rebalance C1 owns %s, C2 %s; processed C1 %d + C2 %d = %d "
      "duplicates",
      o.revoke_commits, o.committed_before, o.uncommitted, o.c1.c_str(), o.c2.c_str(),
      o.processed_c1, o.processed_c2, o.duplicates);
  EXPECT_GE(o.revoke_commits, 1);
  EXPECT_GT(o.uncommitted, 0);
  EXPECT_EQ(o.duplicates, 0);
}

}  // namespace
}  // namespace gregor::lab06
