// SPDX-License-Identifier: Apache-2.0
// Claim of chapter 06 (Assignors: eager and cooperative): under KIP-429's
// cooperative protocol a rebalance revokes only the partitions that move;
// the cooperative assignor gives a moving partition to nobody in the first
// rebalance (its old owner only loses it), and a second, short rebalance
// hands it on. Partitions that stay where they are never stop.
//
// Two cases. NewMemberRevokesOnlyThePartitionsThatMove works at the
// assignor level: it plays the leader, feeding CooperativeStickyAssignor
// the members' subscriptions with their owned partitions, as the JoinGroup
// response carries them, and reads what each member would revoke (owned
// minus assigned); the eager comparison is RangeAssignor's.
// RealConsumersKeepUnaffectedPartitions runs the same move with real
// consumers (partition.assignment.strategy=cooperative-sticky, which makes
// Gregor's ConsumerCoordinator run the cooperative protocol) and a
// ConsumerRebalanceListener on each member, then again with range, which
// makes it eager.
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "consumer/cooperative_sticky_assignor.h"
#include "consumer/range_assignor.h"
#include "lab06_fixture.h"

namespace gregor::lab06 {
namespace {

using namespace std::chrono_literals;
using Set = std::set<TopicPartition>;

TopicPartition Tp(int p) { return TopicPartition{"t", PartitionId(p)}; }

Subscription Member(const Set& owned) {
  Subscription s;
  s.topics = {"t"};
  s.owned_partitions.assign(owned.begin(), owned.end());
  return s;
}

Set Of(const std::vector<TopicPartition>& v) { return Set(v.begin(), v.end()); }

std::string Str(const Set& s) {
  std::string out;
  for (const auto& tp : s) out += (out.empty() ? "p" : ",p") + std::to_string(tp.partition.value());
  return "{" + out + "}";
}

Set Minus(const Set& a, const Set& b) {
  Set out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
  return out;
}

// Both cases share the suite, so both use the broker fixture; the
// assignor-level case never starts the broker.
class CooperativeLab06 : public GroupLab {};

// Three members own 8 partitions (3, 3, 2); a fourth joins.
TEST_F(CooperativeLab06, NewMemberRevokesOnlyThePartitionsThatMove) {
  const PartitionCounts counts = {{"t", 8}};
  std::map<std::string, Set> owned = {
      {"A", {Tp(0), Tp(1), Tp(2)}}, {"B", {Tp(3), Tp(4), Tp(5)}}, {"C", {Tp(6), Tp(7)}}, {"D", {}}};
  CooperativeStickyAssignor cooperative;
  GroupSubscription round1;
  for (const auto& [id, o] : owned) round1[id] = Member(o);
  GroupAssignment a1 = cooperative.Assign(counts, round1);

  // Rebalance 1: who revokes what, and what is assigned to nobody.
  Set revoked, assigned1, all;
  int kept = 0;
  for (const auto& [id, o] : owned) {
    Set mine = Of(a1[id]);
    Set lost = Minus(o, mine);
    revoked.insert(lost.begin(), lost.end());
    kept += int(o.size() - lost.size());
    assigned1.insert(mine.begin(), mine.end());
    EXPECT_TRUE(Minus(mine, o).empty())
        << id << " got " << Str(Minus(mine, o)) << " which another member still owns";
  }
  for (int p = 0; p < 8; ++p) all.insert(Tp(p));
  const Set nobody = Minus(all, assigned1);

  // Rebalance 2: the revokers rejoin at once, owning what they kept.
  GroupSubscription round2;
  for (const auto& [id, o] : owned) round2[id] = Member(Of(a1[id]));
  GroupAssignment a2 = cooperative.Assign(counts, round2);
  Set revoked2;
  for (const auto& [id, mine] : a1) {
    Set lost = Minus(Of(mine), Of(a2[id]));
    revoked2.insert(lost.begin(), lost.end());
  }

  // The eager comparison: every member revokes all it owned first.
  RangeAssignor range;
  GroupAssignment eager = range.Assign(counts, round1);
  int eager_moved = 0;
  for (const auto& [id, o] : owned) eager_moved += int(Minus(Of(eager[id]), o).size());

  Banner("cooperative-sticky, 8 partitions, A%s B%s C%s own them, D joins:",
         Str(owned["A"]).c_str(), Str(owned["B"]).c_str(), Str(owned["C"]).c_str());
  Banner(
      "rebalance 1: revoked %s (%zu of 8), assigned to nobody %s, %d kept consuming; "
      "rebalance 2: D gets %s, revokes nothing more (%zu)",
      Str(revoked).c_str(), revoked.size(), Str(nobody).c_str(), kept, Str(Of(a2["D"])).c_str(),
      revoked2.size());
  Banner("eager range: all 8 revoked, %d change owner", eager_moved);

  EXPECT_EQ(revoked, nobody) << "a revoked partition must go to nobody in rebalance 1";
  EXPECT_EQ(revoked.size(), 2u) << "D's fair share is 2: only 2 partitions should move";
  EXPECT_EQ(kept, 6);
  EXPECT_TRUE(a1["D"].empty());
  EXPECT_EQ(Of(a2["D"]), revoked) << "rebalance 2 should hand the revoked partitions to D";
  EXPECT_TRUE(revoked2.empty()) << "rebalance 2 should take nothing more from anyone";
  for (const auto& [id, o] : owned) {
    if (id != "D") {
      EXPECT_EQ(Of(a2[id]), Of(a1[id])) << id;
    }
  }
}

// ---------------------------------------------------------------------------
// The same move with real consumers.

/// One listener call, as a member saw it.
struct Event {
  int64_t ms;  // since the scenario started
  int member;  // 0..3 = A..D
  char kind;   // 'R' revoked, 'A' assigned, 'L' lost
  Set tps;
};

/// Appends every listener call of member `member` to `log`. The log is
/// shared: the consumers outlive the scenario (the fixture closes them,
/// and closing calls the listener once more).
class Recorder : public ConsumerRebalanceListener {
 public:
  Recorder(int member, Steady::time_point t0, std::shared_ptr<std::vector<Event>> log)
      : member_(member), t0_(t0), log_(std::move(log)) {}
  void OnPartitionsRevoked(const std::vector<TopicPartition>& p) override { Add('R', p); }
  void OnPartitionsAssigned(const std::vector<TopicPartition>& p) override { Add('A', p); }
  void OnPartitionsLost(const std::vector<TopicPartition>& p) override { Add('L', p); }

 private:
  void Add(char kind, const std::vector<TopicPartition>& p) {
    log_->push_back({MsSince(t0_), member_, kind, Of(p)});
  }
  int member_;
  Steady::time_point t0_;
  std::shared_ptr<std::vector<Event>> log_;
};

/// What one scenario saw after D joined.
struct Rebalance {
  std::vector<Set> before;    // A, B, C's partitions when D joins
  std::vector<Set> after;     // A..D's partitions once settled
  std::vector<Set> revoked;   // A..D: union of their revoked sets after D joined
  std::vector<Event> events;  // listener calls after D joined
  std::vector<std::pair<int64_t, std::pair<int, int32_t>>> records;  // (ms, (member, partition))
  int64_t d_joined_ms = 0;
  double rebalances = 0;  // A's rebalance-total after D joined
  int lost = 0;
  bool settled = false;
};

constexpr int kPartitions = 8;
constexpr int kPerPartition = 400;
const char* const kNames[] = {"A", "B", "C", "D"};

// Polls every member in turn, 5 records each, with 10 ms of "work" per
// round, so the topic lasts some seconds: long enough to see who keeps
// reading while the group rebalances.
Rebalance RunScenario(const std::string& topic, const std::string& strategy,
                      const std::function<StringConsumer*(const Props&)>& make) {
  Rebalance out;
  const auto t0 = Steady::now();
  auto log = std::make_shared<std::vector<Event>>();
  const Props props = {{"partition.assignment.strategy", strategy}, {"max.poll.records", "5"}};
  std::vector<StringConsumer*> members;
  std::vector<int> got(4, 0);
  auto poll_round = [&]() -> bool {
    for (size_t m = 0; m < members.size(); ++m) {
      auto records = members[m]->Poll(20ms);
      EXPECT_TRUE(records.ok()) << kNames[m] << ": " << records.status().ToString();
      if (!records.ok()) return false;
      for (const auto& r : *records) {
        out.records.push_back({MsSince(t0), {int(m), r.partition}});
        ++got[m];
      }
    }
    std::this_thread::sleep_for(10ms);
    return true;
  };
  // Every member non-empty, disjoint, all 8 covered, unchanged for 500 ms.
  std::vector<Set> last;
  auto stable_since = Steady::now();
  auto settled = [&] {
    std::vector<Set> now;
    size_t total = 0;
    Set all;
    for (auto* c : members) {
      now.push_back(c->Assignment());
      total += now.back().size();
      all.insert(now.back().begin(), now.back().end());
    }
    if (now != last) {
      last = now;
      stable_since = Steady::now();
    }
    bool ok = total == size_t(kPartitions) && all.size() == size_t(kPartitions);
    for (size_t m = 0; m < members.size(); ++m) ok = ok && !now[m].empty() && got[m] > 0;
    return ok && Steady::now() - stable_since >= 500ms;
  };
  auto run_until_settled = [&](std::chrono::milliseconds timeout) {
    auto deadline = Steady::now() + timeout;
    while (Steady::now() < deadline) {
      if (!poll_round()) return false;
      if (settled()) return true;
    }
    return false;
  };

  for (int m = 0; m < 3; ++m) {
    StringConsumer* c = make(props);
    if (!c) return out;
    EXPECT_TRUE(c->Subscribe({topic}, std::make_shared<Recorder>(m, t0, log)).ok());
    members.push_back(c);
  }
  if (!run_until_settled(15s)) {
    ADD_FAILURE() << "A, B, C did not settle on the 8 partitions in 15 s";
    return out;
  }
  out.before = last;
  const size_t first_event = log->size();
  const double rebalances_before = members[0]->Metrics()["rebalance-total"];

  StringConsumer* d = make(props);
  if (!d) return out;
  out.d_joined_ms = MsSince(t0);
  EXPECT_TRUE(d->Subscribe({topic}, std::make_shared<Recorder>(3, t0, log)).ok());
  members.push_back(d);
  out.records.clear();
  out.settled = run_until_settled(15s);
  EXPECT_TRUE(out.settled) << "the group did not settle in 15 s after D joined";

  out.after = last;
  out.rebalances = members[0]->Metrics()["rebalance-total"] - rebalances_before;
  out.events.assign(log->begin() + std::ptrdiff_t(first_event), log->end());
  out.revoked.assign(4, Set());
  for (const auto& e : out.events) {
    if (e.kind == 'R') out.revoked[size_t(e.member)].insert(e.tps.begin(), e.tps.end());
    if (e.kind == 'L') ++out.lost;
  }
  return out;
}

std::string Listener(const Rebalance& r) {
  std::string out;
  for (const auto& e : r.events) {
    if (!out.empty()) out += ' ';
    out += std::string(kNames[e.member]) + ":" + e.kind + Str(e.tps) + "@" + std::to_string(e.ms);
  }
  return out;
}

TEST_F(CooperativeLab06, RealConsumersKeepUnaffectedPartitions) {
  StartBroker();
  auto make = [&](const Props& props) {
    return MakeConsumer("g-" + props.at("partition.assignment.strategy"), props);
  };
  for (const std::string topic : {"coop", "eager"}) {
    CreateTopic(topic, kPartitions);
    for (int p = 0; p < kPartitions; ++p) Produce(topic, p, kPerPartition);
  }

  // Cooperative: only what moves is revoked, the rest is read throughout.
  Rebalance coop = RunScenario("coop", "cooperative-sticky", make);
  ASSERT_TRUE(coop.settled);
  Set revoked, kept;
  for (int m = 0; m < 3; ++m) {
    revoked.insert(coop.revoked[size_t(m)].begin(), coop.revoked[size_t(m)].end());
    const Set k = Minus(coop.before[size_t(m)], coop.revoked[size_t(m)]);
    kept.insert(k.begin(), k.end());
  }
  // The window: from the first revoke to the last assign that gave a
  // partition (D's), i.e. while the moved partitions had no owner.
  int64_t first_revoke = -1, last_assign = -1;
  for (const auto& e : coop.events) {
    if (e.kind == 'R' && first_revoke < 0) first_revoke = e.ms;
    if (e.kind == 'A' && !e.tps.empty()) last_assign = e.ms;
  }
  std::vector<int> during(3, 0);
  for (const auto& [ms, who] : coop.records) {
    const auto& [m, p] = who;
    if (m < 3 && ms >= first_revoke && ms <= last_assign &&
        kept.count(TopicPartition{"coop", PartitionId(p)})) {
      ++during[size_t(m)];
    }
  }
  Banner("cooperative-sticky: A%s B%s C%s read 8 partitions; D joins at %lld ms:",
         Str(coop.before[0]).c_str(), Str(coop.before[1]).c_str(), Str(coop.before[2]).c_str(),
         (long long)coop.d_joined_ms);
  Banner("listener calls (member:Revoked/Assigned{set}@ms): %s", Listener(coop).c_str());
  Banner(
      "revoked %s (%zu of 8), D got %s; %.0f rebalances; from the first revoke (%lld ms) to D's "
      "assign (%lld ms) A/B/C read %d/%d/%d records of their %zu kept partitions",
      Str(revoked).c_str(), revoked.size(), Str(coop.after[3]).c_str(), coop.rebalances,
      (long long)first_revoke, (long long)last_assign, during[0], during[1], during[2],
      kept.size());
  EXPECT_EQ(revoked.size(), 2u) << "3 -> 4 members: D's share is 2, only 2 should move";
  EXPECT_EQ(kept.size(), 6u);
  EXPECT_EQ(coop.after[3], revoked) << "D should get exactly the revoked partitions";
  EXPECT_TRUE(coop.revoked[3].empty()) << "D revokes nothing";
  EXPECT_EQ(coop.lost, 0);
  for (int m = 0; m < 3; ++m) {
    EXPECT_EQ(coop.after[size_t(m)], Minus(coop.before[size_t(m)], coop.revoked[size_t(m)]))
        << kNames[m] << " should keep all it did not revoke";
    EXPECT_LE(coop.revoked[size_t(m)].size(), 1u) << kNames[m];
  }
  ASSERT_GE(first_revoke, 0);
  ASSERT_GE(last_assign, first_revoke);
  for (int m = 0; m < 3; ++m) {
    EXPECT_GT(during[size_t(m)], 0)
        << kNames[m] << " should read its kept partitions while the moved ones change owner";
  }

  // Eager (range): every member revokes everything before it rejoins.
  Rebalance eager = RunScenario("eager", "range", make);
  ASSERT_TRUE(eager.settled);
  int eager_revoked = 0, moved = 0;
  int64_t last_revoke = -1, first_assign = -1;
  for (const auto& e : eager.events) {
    if (e.kind == 'R') last_revoke = e.ms;
    if (e.kind == 'A' && first_assign < 0) first_assign = e.ms;
  }
  int stopped_records = 0;
  for (const auto& [ms, who] : eager.records) {
    if (ms > last_revoke && ms < first_assign) ++stopped_records;
  }
  for (int m = 0; m < 3; ++m) {
    eager_revoked += int(eager.revoked[size_t(m)].size());
    moved += int(Minus(eager.after[size_t(m)], eager.before[size_t(m)]).size());
    EXPECT_EQ(eager.revoked[size_t(m)], eager.before[size_t(m)])
        << kNames[m] << " should revoke all it owned";
  }
  moved += int(eager.after[3].size());
  Banner("range (eager): A%s B%s C%s; D joins at %lld ms:", Str(eager.before[0]).c_str(),
         Str(eager.before[1]).c_str(), Str(eager.before[2]).c_str(), (long long)eager.d_joined_ms);
  Banner("listener calls: %s", Listener(eager).c_str());
  Banner(
      "revoked %d of 8 (A%s B%s C%s); %.0f rebalance; nobody read anything from the last revoke "
      "(%lld ms) to the first assign (%lld ms): %d records; then %d partitions changed owner",
      eager_revoked, Str(eager.revoked[0]).c_str(), Str(eager.revoked[1]).c_str(),
      Str(eager.revoked[2]).c_str(), eager.rebalances, (long long)last_revoke,
      (long long)first_assign, stopped_records, moved);
  EXPECT_EQ(eager_revoked, kPartitions);
  EXPECT_EQ(stopped_records, 0);
}

}  // namespace
}  // namespace gregor::lab06
