// SPDX-License-Identifier: Apache-2.0
// The sticky and cooperative-sticky assignors: balance on fresh and
// uneven groups, how few partitions move when members come and go, the
// rules for conflicting claims, determinism, the two-phase move of the
// cooperative protocol, StickyAssignorUserData (against bytes written by
// kafka-python), and random groups checked against Kafka's definition of
// balanced.
#include "consumer/sticky_assignor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "../protocol/hex.h"
#include "consumer/cooperative_sticky_assignor.h"

namespace gregor {
namespace {

using Owned = std::vector<std::pair<std::string, int32_t>>;

std::vector<TopicPartition> Tps(const Owned& owned) {
  std::vector<TopicPartition> out;
  for (const auto& [topic, p] : owned) out.push_back(TopicPartition{topic, PartitionId(p)});
  return out;
}

Owned Flatten(const std::vector<TopicPartition>& tps) {
  Owned out;
  for (const auto& tp : tps) out.emplace_back(tp.topic, tp.partition.value());
  std::sort(out.begin(), out.end());
  return out;
}

// A member that owned `owned` (sent as owned_partitions).
Subscription Sub(std::vector<std::string> topics, const Owned& owned = {}) {
  Subscription s;
  s.topics = std::move(topics);
  s.owned_partitions = Tps(owned);
  return s;
}

// A "sticky" member that owned `owned` in `generation` (sent as user_data).
Subscription StickySub(std::vector<std::string> topics, const Owned& owned, int32_t generation) {
  Subscription s;
  s.topics = std::move(topics);
  s.user_data = StickyAssignorUserData{Tps(owned), generation}.Encode();
  return s;
}

// The assignment as the previous ownership of the next rebalance.
GroupSubscription Next(const GroupSubscription& before, const GroupAssignment& a) {
  GroupSubscription after = before;
  for (auto& [id, s] : after) s.owned_partitions = a.at(id);
  return after;
}

// Partitions that were owned by one member and are now held by another.
size_t Moved(const GroupSubscription& before, const GroupAssignment& after) {
  size_t moved = 0;
  for (const auto& [id, s] : before) {
    auto it = after.find(id);
    for (const auto& tp : s.owned_partitions) {
      if (it == after.end()) continue;  // left the group: not a move
      for (const auto& [other, tps] : after) {
        if (other != id && std::find(tps.begin(), tps.end(), tp) != tps.end()) ++moved;
      }
    }
  }
  return moved;
}

bool Subscribes(const Subscription& s, const std::string& topic) {
  return std::find(s.topics.begin(), s.topics.end(), topic) != s.topics.end();
}

// Kafka's definition (AbstractStickyAssignorTest.verifyValidityAndBalance):
// whenever a member has two or more partitions more than another, the
// other subscribes to none of its partitions' topics.
bool IsBalanced(const GroupAssignment& a, const GroupSubscription& s) {
  for (const auto& [big, big_tps] : a) {
    for (const auto& [small, small_tps] : a) {
      if (big_tps.size() < small_tps.size() + 2) continue;
      for (const auto& tp : big_tps) {
        if (Subscribes(s.at(small), tp.topic)) return false;
      }
    }
  }
  return true;
}

// Every partition of a subscribed topic assigned exactly once, each to a
// member subscribed to its topic.
void ExpectComplete(const GroupAssignment& a, const GroupSubscription& s,
                    const PartitionCounts& counts) {
  std::set<TopicPartition> seen;
  for (const auto& [member, tps] : a) {
    for (const auto& tp : tps) {
      EXPECT_TRUE(Subscribes(s.at(member), tp.topic)) << member << " got " << tp.ToString();
      EXPECT_TRUE(seen.insert(tp).second) << tp.ToString() << " assigned twice";
    }
  }
  size_t expected = 0;
  std::set<std::string> topics;
  for (const auto& [m, sub] : s) topics.insert(sub.topics.begin(), sub.topics.end());
  for (const auto& t : topics) expected += counts.count(t) ? size_t(counts.at(t)) : 0;
  EXPECT_EQ(seen.size(), expected);
}

size_t Spread(const GroupAssignment& a) {
  size_t lo = SIZE_MAX, hi = 0;
  for (const auto& [m, tps] : a) {
    lo = std::min(lo, tps.size());
    hi = std::max(hi, tps.size());
  }
  return hi - lo;
}

TEST(StickyAssignorTest, NamesAndProtocols) {
  EXPECT_EQ(StickyAssignor().name(), "sticky");
  EXPECT_EQ(StickyAssignor().supported_protocols(),
            std::vector<RebalanceProtocol>{RebalanceProtocol::kEager});
  EXPECT_EQ(CooperativeStickyAssignor().name(), "cooperative-sticky");
  EXPECT_EQ(
      CooperativeStickyAssignor().supported_protocols(),
      (std::vector<RebalanceProtocol>{RebalanceProtocol::kCooperative, RebalanceProtocol::kEager}));
}

// Example 1 of Kafka's StickyAssignor javadoc: fresh, then C1 leaves.
TEST(StickyAssignorTest, FreshGroupIsBalanced) {
  const PartitionCounts counts = {{"t0", 2}, {"t1", 2}, {"t2", 2}, {"t3", 2}};
  const std::vector<std::string> all = {"t0", "t1", "t2", "t3"};
  GroupSubscription s = {{"C0", Sub(all)}, {"C1", Sub(all)}, {"C2", Sub(all)}};
  GroupAssignment a = StickyAssignor().Assign(counts, s);
  EXPECT_EQ(Flatten(a["C0"]), (Owned{{"t0", 0}, {"t1", 1}, {"t3", 0}}));
  EXPECT_EQ(Flatten(a["C1"]), (Owned{{"t0", 1}, {"t2", 0}, {"t3", 1}}));
  EXPECT_EQ(Flatten(a["C2"]), (Owned{{"t1", 0}, {"t2", 1}}));
}

TEST(StickyAssignorTest, LeavingMemberKeepsEveryoneElsesPartitions) {
  const PartitionCounts counts = {{"t0", 2}, {"t1", 2}, {"t2", 2}, {"t3", 2}};
  const std::vector<std::string> all = {"t0", "t1", "t2", "t3"};
  GroupSubscription s = {{"C0", Sub(all, {{"t0", 0}, {"t1", 1}, {"t3", 0}})},
                         {"C2", Sub(all, {{"t1", 0}, {"t2", 1}})}};
  GroupAssignment a = StickyAssignor().Assign(counts, s);
  // C1's t0-1, t2-0 and t3-1 are shared out; nothing else moves.
  EXPECT_EQ(Flatten(a["C0"]), (Owned{{"t0", 0}, {"t1", 1}, {"t2", 0}, {"t3", 0}}));
  EXPECT_EQ(Flatten(a["C2"]), (Owned{{"t0", 1}, {"t1", 0}, {"t2", 1}, {"t3", 1}}));
  EXPECT_EQ(Moved(s, a), 0u);
}

TEST(StickyAssignorTest, JoiningMemberMovesTheMinimum) {
  const PartitionCounts counts = {{"t", 12}};
  Owned a_owned, b_owned;
  for (int p = 0; p < 6; ++p) a_owned.emplace_back("t", p);
  for (int p = 6; p < 12; ++p) b_owned.emplace_back("t", p);
  GroupSubscription s = {{"a", Sub({"t"}, a_owned)}, {"b", Sub({"t"}, b_owned)}, {"c", Sub({"t"})}};
  GroupAssignment a = StickyAssignor().Assign(counts, s);
  EXPECT_EQ(a["a"].size(), 4u);
  EXPECT_EQ(a["b"].size(), 4u);
  EXPECT_EQ(a["c"].size(), 4u);
  EXPECT_EQ(Moved(s, a), 4u);  // 2 from each: the fewest a balanced result allows
}

// Example 2 of Kafka's StickyAssignor javadoc.
TEST(StickyAssignorTest, UnevenSubscriptionsAreAsBalancedAsTheyAllow) {
  const PartitionCounts counts = {{"t0", 1}, {"t1", 2}, {"t2", 3}};
  GroupSubscription s = {
      {"C0", Sub({"t0"})}, {"C1", Sub({"t0", "t1"})}, {"C2", Sub({"t0", "t1", "t2"})}};
  GroupAssignment a = StickyAssignor().Assign(counts, s);
  EXPECT_EQ(Flatten(a["C0"]), (Owned{{"t0", 0}}));
  EXPECT_EQ(Flatten(a["C1"]), (Owned{{"t1", 0}, {"t1", 1}}));
  EXPECT_EQ(Flatten(a["C2"]), (Owned{{"t2", 0}, {"t2", 1}, {"t2", 2}}));
  // C0 leaves: round robin would keep 3 of the 5, sticky keeps all 5.
  GroupSubscription after = Next(s, a);
  after.erase("C0");
  GroupAssignment b = StickyAssignor().Assign(counts, after);
  EXPECT_EQ(Flatten(b["C1"]), (Owned{{"t0", 0}, {"t1", 0}, {"t1", 1}}));
  EXPECT_EQ(Flatten(b["C2"]), (Owned{{"t2", 0}, {"t2", 1}, {"t2", 2}}));
}

// a holds 3 partitions of x, b (only y) 1, c (x and y) 2: no pair is two
// apart with a partition to pass, but the chain a -> c -> b evens it out.
TEST(StickyAssignorTest, ChainOfHandOversEvensOutUnevenSubscriptions) {
  const PartitionCounts counts = {{"x", 4}, {"y", 2}};
  GroupSubscription s = {{"a", Sub({"x"}, {{"x", 0}, {"x", 1}, {"x", 2}})},
                         {"b", Sub({"y"}, {{"y", 0}})},
                         {"c", Sub({"x", "y"}, {{"x", 3}, {"y", 1}})}};
  GroupAssignment a = StickyAssignor().Assign(counts, s);
  EXPECT_EQ(Spread(a), 0u);
  EXPECT_EQ(Moved(s, a), 2u);
  EXPECT_EQ(Flatten(a["b"]), (Owned{{"y", 0}, {"y", 1}}));
}

TEST(StickyAssignorTest, DroppedTopicsAndVanishedPartitionsAreNotKept) {
  const PartitionCounts counts = {{"x", 2}, {"y", 2}};
  GroupSubscription s = {{"a", Sub({"x"}, {{"x", 0}, {"y", 0}, {"x", 7}, {"gone", 0}})},
                         {"b", Sub({"x", "y"})}};
  GroupAssignment a = StickyAssignor().Assign(counts, s);
  ExpectComplete(a, s, counts);
  EXPECT_EQ(Flatten(a["a"]), (Owned{{"x", 0}, {"x", 1}}));
  EXPECT_EQ(Flatten(a["b"]), (Owned{{"y", 0}, {"y", 1}}));
}

// a, b and c claim partitions of t in user_data; d is new. With a's claim
// of t-0 from a newer generation than b's, a keeps t-0 and balance moves
// its t-1 to d; from the same generation neither keeps t-0, so d gets it.
TEST(StickyAssignorTest, NewerGenerationWinsConflictingClaim) {
  const PartitionCounts counts = {{"t", 4}};
  GroupSubscription s = {{"a", StickySub({"t"}, {{"t", 0}, {"t", 1}}, 3)},
                         {"b", StickySub({"t"}, {{"t", 0}, {"t", 2}}, 2)},
                         {"c", StickySub({"t"}, {{"t", 3}}, 3)},
                         {"d", Sub({"t"})}};
  GroupAssignment a = StickyAssignor().Assign(counts, s);
  EXPECT_EQ(Flatten(a["a"]), (Owned{{"t", 0}}));
  EXPECT_EQ(Flatten(a["b"]), (Owned{{"t", 2}}));
  EXPECT_EQ(Flatten(a["d"]), (Owned{{"t", 1}}));
}

TEST(StickyAssignorTest, SameGenerationConflictingClaimIsKeptByNeither) {
  const PartitionCounts counts = {{"t", 4}};
  GroupSubscription s = {{"a", StickySub({"t"}, {{"t", 0}, {"t", 1}}, 3)},
                         {"b", StickySub({"t"}, {{"t", 0}, {"t", 2}}, 3)},
                         {"c", StickySub({"t"}, {{"t", 3}}, 3)},
                         {"d", Sub({"t"})}};
  GroupAssignment a = StickyAssignor().Assign(counts, s);
  EXPECT_EQ(Flatten(a["a"]), (Owned{{"t", 1}}));
  EXPECT_EQ(Flatten(a["b"]), (Owned{{"t", 2}}));
  EXPECT_EQ(Flatten(a["d"]), (Owned{{"t", 0}}));
}

// The same group written with topics, owned partitions and members in
// other orders gets the same assignment: whichever member leads agrees.
TEST(StickyAssignorTest, OutputIgnoresInputOrder) {
  const PartitionCounts counts = {{"a", 5}, {"b", 3}, {"c", 4}};
  std::mt19937 rng(11);
  GroupSubscription base = {{"m1", Sub({"a", "b"}, {{"a", 0}, {"a", 1}, {"b", 2}})},
                            {"m2", Sub({"a", "b", "c"}, {{"c", 0}, {"c", 1}, {"c", 2}, {"c", 3}})},
                            {"m3", Sub({"c", "b"}, {{"b", 0}})},
                            {"m4", Sub({"a", "c"})}};
  StickyAssignor sticky;
  CooperativeStickyAssignor cooperative;
  const GroupAssignment expected_sticky = sticky.Assign(counts, base);
  const GroupAssignment expected_cooperative = cooperative.Assign(counts, base);
  for (int round = 0; round < 20; ++round) {
    std::vector<std::pair<std::string, Subscription>> members(base.begin(), base.end());
    std::shuffle(members.begin(), members.end(), rng);
    GroupSubscription shuffled;
    for (auto& [id, sub] : members) {
      std::shuffle(sub.topics.begin(), sub.topics.end(), rng);
      std::shuffle(sub.owned_partitions.begin(), sub.owned_partitions.end(), rng);
      shuffled.emplace(id, sub);
    }
    EXPECT_EQ(sticky.Assign(counts, shuffled), expected_sticky);
    EXPECT_EQ(cooperative.Assign(counts, shuffled), expected_cooperative);
  }
}

// Random groups with random previous owners, some stale or conflicting.
TEST(StickyAssignorTest, RandomGroupsAreCompleteAndBalanced) {
  std::mt19937 rng(2024);
  const std::vector<std::string> topics = {"t0", "t1", "t2", "t3", "t4"};
  for (int round = 0; round < 300; ++round) {
    PartitionCounts counts;
    for (const auto& t : topics) counts[t] = int32_t(rng() % 7);
    const bool same = round % 2 == 0;
    std::vector<std::string> shared;
    for (const auto& t : topics) {
      if (rng() % 2) shared.push_back(t);
    }
    if (shared.empty()) shared.push_back("t0");
    GroupSubscription s;
    const int members = 1 + int(rng() % 7);
    for (int m = 0; m < members; ++m) {
      Subscription sub;
      if (same) {
        sub.topics = shared;
      } else {
        for (const auto& t : topics) {
          if (rng() % 2) sub.topics.push_back(t);
        }
      }
      // Previous owners: any partition, even of another topic or a
      // vanished one, with a few generations so some claims conflict.
      for (const auto& t : topics) {
        for (int32_t p = 0; p < 8; ++p) {
          if (rng() % 4 == 0) sub.owned_partitions.push_back(TopicPartition{t, PartitionId(p)});
        }
      }
      s["member-" + std::to_string(rng() % 100) + "-" + std::to_string(m)] = sub;
    }
    // Half the members state a generation: "sticky" members with their
    // claims in user_data, cooperative ones with the generation alone.
    GroupSubscription eager = s;
    for (auto& [id, sub] : s) {
      if (rng() % 2) continue;
      const int32_t generation = int32_t(rng() % 3);
      sub.user_data = CooperativeStickyAssignor::EncodeUserData(generation);
      Subscription& e = eager[id];
      e.user_data = StickyAssignorUserData{e.owned_partitions, generation}.Encode();
      e.owned_partitions.clear();
    }
    GroupAssignment a = StickyAssignor().Assign(counts, eager);
    ExpectComplete(a, eager, counts);
    EXPECT_TRUE(IsBalanced(a, eager)) << "round " << round;
    if (same) {
      EXPECT_LE(Spread(a), 1u) << "round " << round;
    }

    // Cooperative: never hands a member a partition it did not own while
    // another member still does, and settles, complete and balanced,
    // within a few rebalances.
    CooperativeStickyAssignor cooperative;
    GroupSubscription current = s;
    bool settled = false;
    // Two when everyone subscribes alike (revoke, then hand over). With
    // uneven subscriptions the released partitions may land elsewhere
    // than planned, and evening that out can take a third.
    const int limit = same ? 2 : 3;
    for (int rebalance = 0; rebalance < limit && !settled; ++rebalance) {
      GroupAssignment c = cooperative.Assign(counts, current);
      settled = true;
      for (const auto& [id, tps] : c) {
        const auto& mine = current.at(id).owned_partitions;
        for (const auto& tp : tps) {
          if (std::find(mine.begin(), mine.end(), tp) != mine.end()) continue;
          for (const auto& [other, sub] : current) {
            const auto& o = sub.owned_partitions;
            if (other == id) continue;
            EXPECT_EQ(std::find(o.begin(), o.end(), tp), o.end()) << id << " " << tp.ToString();
          }
        }
        for (const auto& tp : current.at(id).owned_partitions) {
          if (std::find(tps.begin(), tps.end(), tp) == tps.end()) settled = false;  // revoked
        }
      }
      current = Next(current, c);
      if (settled) {
        ExpectComplete(c, current, counts);
        EXPECT_TRUE(IsBalanced(c, current)) << "round " << round;
      }
    }
    EXPECT_TRUE(settled) << "round " << round;
  }
}

TEST(CooperativeStickyAssignorTest, MoveTakesTwoRebalances) {
  const PartitionCounts counts = {{"t", 2}};
  GroupSubscription s = {{"A", Sub({"t"}, {{"t", 0}, {"t", 1}})}, {"B", Sub({"t"})}};
  CooperativeStickyAssignor cooperative;
  GroupAssignment first = cooperative.Assign(counts, s);
  EXPECT_EQ(Flatten(first["A"]), (Owned{{"t", 0}}));  // A revokes t-1 ...
  EXPECT_TRUE(first["B"].empty());                    // ... before B may have it
  GroupAssignment second = cooperative.Assign(counts, Next(s, first));
  EXPECT_EQ(Flatten(second["A"]), (Owned{{"t", 0}}));
  EXPECT_EQ(Flatten(second["B"]), (Owned{{"t", 1}}));
}

TEST(CooperativeStickyAssignorTest, UnaffectedPartitionsAreNeverRevoked) {
  const PartitionCounts counts = {{"x", 6}, {"y", 6}};
  const std::vector<std::string> both = {"x", "y"};
  GroupSubscription s = {{"a", Sub(both, {{"x", 0}, {"x", 1}, {"x", 2}, {"x", 3}})},
                         {"b", Sub(both, {{"x", 4}, {"x", 5}, {"y", 0}, {"y", 1}})},
                         {"c", Sub(both, {{"y", 2}, {"y", 3}, {"y", 4}, {"y", 5}})},
                         {"d", Sub(both)}};
  CooperativeStickyAssignor cooperative;
  GroupAssignment first = cooperative.Assign(counts, s);
  for (const std::string id : {"a", "b", "c"}) {
    // Each keeps 3 of its 4; nothing else is revoked.
    const auto& owned = s.at(id).owned_partitions;
    EXPECT_EQ(first[id].size(), 3u) << id;
    for (const auto& tp : first[id]) {
      EXPECT_NE(std::find(owned.begin(), owned.end(), tp), owned.end()) << id;
    }
  }
  EXPECT_TRUE(first["d"].empty());
  GroupSubscription between = Next(s, first);
  GroupAssignment second = cooperative.Assign(counts, between);
  for (const std::string id : {"a", "b", "c"}) EXPECT_EQ(second[id], first[id]) << id;
  EXPECT_EQ(second["d"].size(), 3u);
}

// a and b both claim t-0 (one is a zombie's claim, say): from the same
// generation neither keeps it. If the sticky result hands it back to a
// claimant, that one keeps consuming and the other revokes; if it goes to
// a third member, that one waits until both have let go.
TEST(CooperativeStickyAssignorTest, DoublyOwnedPartitionWaitsForBothOwners) {
  const PartitionCounts counts = {{"t", 3}};
  GroupSubscription s = {
      {"a", Sub({"t"}, {{"t", 0}})}, {"b", Sub({"t"}, {{"t", 0}, {"t", 1}})}, {"c", Sub({"t"})}};
  // t-0 goes to the first least-loaded member, a.
  GroupAssignment a = CooperativeStickyAssignor().Assign(counts, s);
  EXPECT_EQ(Flatten(a["a"]), (Owned{{"t", 0}}));
  EXPECT_EQ(Flatten(a["b"]), (Owned{{"t", 1}}));
  EXPECT_EQ(Flatten(a["c"]), (Owned{{"t", 2}}));
  // A static member comes first (partition_assignor.h), so t-0 goes to c.
  s["c"].group_instance_id = "host-0";
  GroupAssignment b = CooperativeStickyAssignor().Assign(counts, s);
  EXPECT_TRUE(b["c"].empty());                    // t-0 withheld: a and b revoke it
  EXPECT_EQ(Flatten(b["a"]), (Owned{{"t", 2}}));  // owned by nobody: no wait
  EXPECT_EQ(Flatten(b["b"]), (Owned{{"t", 1}}));
}

TEST(StickyAssignorUserDataTest, RoundTrip) {
  StickyAssignorUserData data{Tps({{"a", 1}, {"b", 0}, {"a", 0}}), 42};
  std::optional<StickyAssignorUserData> back = StickyAssignorUserData::Decode(data.Encode());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(Flatten(back->previous_assignment), (Owned{{"a", 0}, {"a", 1}, {"b", 0}}));
  EXPECT_EQ(back->generation, 42);
}

// Made once by hand with kafka-python 2.0.2's own encoder:
//   /usr/bin/python3 -c "from kafka.coordinator.assignors.sticky.sticky_assignor
//     import StickyAssignorUserDataV1 as D;
//     print(D([('orders', [0, 2]), ('payments', [1])], 7).encode().hex())"
// (StickyPartitionAssignor.metadata() itself raises under Python 3: it
// passes an iterator where the encoder wants a list.)
const char* kKafkaPythonUserData =
    "00000002 0006 6f7264657273 00000002 00000000 00000002"
    " 0008 7061796d656e7473 00000001 00000001 00000007";

TEST(StickyAssignorUserDataTest, DecodesKafkaPythonBytes) {
  const Bytes bytes = testing::FromHex(kKafkaPythonUserData);
  std::optional<StickyAssignorUserData> data = StickyAssignorUserData::Decode(bytes);
  ASSERT_TRUE(data.has_value());
  EXPECT_EQ(Flatten(data->previous_assignment),
            (Owned{{"orders", 0}, {"orders", 2}, {"payments", 1}}));
  EXPECT_EQ(data->generation, 7);
  // Gregor writes the same bytes for the same content.
  EXPECT_EQ(data->Encode(), bytes);
}

TEST(StickyAssignorUserDataTest, VersionZeroHasNoGeneration) {
  Bytes bytes = testing::FromHex(kKafkaPythonUserData);
  bytes.resize(bytes.size() - 4);
  std::optional<StickyAssignorUserData> data = StickyAssignorUserData::Decode(bytes);
  ASSERT_TRUE(data.has_value());
  EXPECT_EQ(data->previous_assignment.size(), 3u);
  EXPECT_EQ(data->generation, AbstractStickyAssignor::kDefaultGeneration);
}

TEST(StickyAssignorUserDataTest, TruncatedArrayDoesNotDecode) {
  Bytes bytes = testing::FromHex(kKafkaPythonUserData);
  bytes.resize(bytes.size() - 5);
  EXPECT_FALSE(StickyAssignorUserData::Decode(bytes).has_value());
  EXPECT_FALSE(StickyAssignorUserData::Decode(testing::FromHex("7fffffff")).has_value());
  EXPECT_FALSE(StickyAssignorUserData::Decode(testing::FromHex("fffffffe")).has_value());
}

// A kafka-python member (claims in user_data) and a Gregor member whose
// user_data is garbage (falls back to owned_partitions) share a group.
TEST(StickyAssignorTest, MixedGroupKeepsKafkaPythonClaims) {
  const PartitionCounts counts = {{"orders", 3}, {"payments", 3}};
  Subscription python;
  python.topics = {"orders", "payments"};
  python.user_data = testing::FromHex(kKafkaPythonUserData);
  Subscription gregor = Sub({"orders", "payments"}, {{"orders", 1}, {"payments", 0}});
  gregor.user_data = testing::FromHex("0000");
  GroupAssignment a = StickyAssignor().Assign(counts, {{"py", python}, {"gr", gregor}});
  EXPECT_EQ(Flatten(a["py"]), (Owned{{"orders", 0}, {"orders", 2}, {"payments", 1}}));
  EXPECT_EQ(Flatten(a["gr"]), (Owned{{"orders", 1}, {"payments", 0}, {"payments", 2}}));
}

}  // namespace
}  // namespace gregor
