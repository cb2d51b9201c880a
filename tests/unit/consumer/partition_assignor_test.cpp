// SPDX-License-Identifier: Apache-2.0
// The range and roundrobin assignors: a case checked against kafka-python,
// the member order with static members, and, over random groups, that
// every subscribed partition goes to exactly one subscribed member with
// the balance each assignor promises.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "consumer/range_assignor.h"
#include "consumer/round_robin_assignor.h"

namespace gregor {
namespace {

using Owned = std::vector<std::pair<std::string, int32_t>>;

Owned Flatten(const std::vector<TopicPartition>& tps) {
  Owned out;
  for (const auto& tp : tps) out.emplace_back(tp.topic, tp.partition.value());
  std::sort(out.begin(), out.end());
  return out;
}

GroupSubscription Mixed() {
  return {{"m1", {{"a", "b"}, {}, {}, {}}},
          {"m2", {{"a", "c"}, {}, {}, {}}},
          {"m3", {{"a", "b", "c"}, {}, {}, {}}}};
}
const PartitionCounts kMixedCounts = {{"a", 5}, {"b", 3}, {"c", 1}};

// Expected values printed by kafka-python 2.0.2's RangePartitionAssignor
// and RoundRobinPartitionAssignor for the same subscriptions and counts.
TEST(RangeAssignorTest, MatchesKafkaPython) {
  GroupAssignment a = RangeAssignor().Assign(kMixedCounts, Mixed());
  EXPECT_EQ(Flatten(a["m1"]), (Owned{{"a", 0}, {"a", 1}, {"b", 0}, {"b", 1}}));
  EXPECT_EQ(Flatten(a["m2"]), (Owned{{"a", 2}, {"a", 3}, {"c", 0}}));
  EXPECT_EQ(Flatten(a["m3"]), (Owned{{"a", 4}, {"b", 2}}));
}

TEST(RoundRobinAssignorTest, MatchesKafkaPython) {
  GroupAssignment a = RoundRobinAssignor().Assign(kMixedCounts, Mixed());
  EXPECT_EQ(Flatten(a["m1"]), (Owned{{"a", 0}, {"a", 3}, {"b", 1}}));
  EXPECT_EQ(Flatten(a["m2"]), (Owned{{"a", 1}, {"a", 4}, {"c", 0}}));
  EXPECT_EQ(Flatten(a["m3"]), (Owned{{"a", 2}, {"b", 0}, {"b", 2}}));
}

TEST(PartitionAssignorTest, StaticMembersComeFirstByInstanceId) {
  GroupSubscription s = {{"a-dyn", {{"t"}, {}, {}, {}}},
                         {"z-static", {{"t"}, {}, {}, std::string("host-1")}},
                         {"b-static", {{"t"}, {}, {}, std::string("host-2")}}};
  EXPECT_EQ(SortedMembers(s), (std::vector<std::string>{"z-static", "b-static", "a-dyn"}));
  // The first in that order gets the extra partition.
  GroupAssignment a = RangeAssignor().Assign({{"t", 4}}, s);
  EXPECT_EQ(Flatten(a["z-static"]), (Owned{{"t", 0}, {"t", 1}}));
  EXPECT_EQ(Flatten(a["a-dyn"]), (Owned{{"t", 3}}));
}

TEST(PartitionAssignorTest, UnknownTopicsAndIdleMembersGetEmptyEntries) {
  GroupSubscription s = {{"m1", {{"missing"}, {}, {}, {}}}, {"m2", {{"t"}, {}, {}, {}}},
                         {"m3", {{"t"}, {}, {}, {}}}};
  RangeAssignor range;
  RoundRobinAssignor round_robin;
  for (const PartitionAssignor* assignor :
       std::initializer_list<const PartitionAssignor*>{&range, &round_robin}) {
    GroupAssignment a = assignor->Assign({{"t", 1}}, s);
    EXPECT_EQ(a.size(), 3u) << assignor->name();
    EXPECT_TRUE(a["m1"].empty());
    EXPECT_EQ(a["m2"].size() + a["m3"].size(), 1u);
  }
}

// Random groups: each subscribed partition is owned exactly once, by a
// member that subscribes to its topic. With identical subscriptions, range
// balances each topic within one and roundrobin the whole group.
TEST(PartitionAssignorTest, RandomGroupsAreCompleteAndBalanced) {
  std::mt19937 rng(7);
  const std::vector<std::string> topics = {"t0", "t1", "t2", "t3"};
  for (int round = 0; round < 300; ++round) {
    PartitionCounts counts;
    for (const auto& t : topics) counts[t] = int32_t(rng() % 9);  // 0..8 partitions
    const int members = 1 + int(rng() % 6);
    const bool same = round % 2 == 0;
    std::vector<std::string> shared;
    for (const auto& t : topics) {
      if (rng() % 2) shared.push_back(t);
    }
    if (shared.empty()) shared.push_back("t0");
    GroupSubscription s;
    for (int m = 0; m < members; ++m) {
      Subscription sub;
      if (same) {
        sub.topics = shared;
      } else {
        for (const auto& t : topics) {
          if (rng() % 2) sub.topics.push_back(t);
        }
      }
      s["member-" + std::to_string(rng() % 1000) + "-" + std::to_string(m)] = sub;
    }
    RangeAssignor range;
    RoundRobinAssignor round_robin;
    for (const PartitionAssignor* assignor :
         std::initializer_list<const PartitionAssignor*>{&range, &round_robin}) {
      GroupAssignment a = assignor->Assign(counts, s);
      std::set<std::pair<std::string, int32_t>> seen;
      for (const auto& [member, tps] : a) {
        for (const auto& tp : tps) {
          const auto& subscribed = s.at(member).topics;
          EXPECT_NE(std::find(subscribed.begin(), subscribed.end(), tp.topic), subscribed.end());
          EXPECT_TRUE(seen.emplace(tp.topic, tp.partition.value()).second)
              << assignor->name() << " gave " << tp.ToString() << " twice";
        }
      }
      size_t expected = 0;
      std::set<std::string> subscribed_topics;
      for (const auto& [m, sub] : s) subscribed_topics.insert(sub.topics.begin(), sub.topics.end());
      for (const auto& t : subscribed_topics) expected += size_t(counts[t]);
      EXPECT_EQ(seen.size(), expected) << assignor->name() << " round " << round;
      if (!same) continue;
      if (assignor == &round_robin) {
        size_t lo = SIZE_MAX, hi = 0;
        for (const auto& [m, tps] : a) {
          lo = std::min(lo, tps.size());
          hi = std::max(hi, tps.size());
        }
        EXPECT_LE(hi - lo, 1u) << "round " << round;
      } else {
        for (const auto& t : shared) {
          size_t lo = SIZE_MAX, hi = 0;
          for (const auto& [m, tps] : a) {
            size_t n = size_t(std::count_if(tps.begin(), tps.end(),
                                            [&](const TopicPartition& tp) { return tp.topic == t; }));
            lo = std::min(lo, n);
            hi = std::max(hi, n);
          }
          EXPECT_LE(hi - lo, 1u) << t << " round " << round;
        }
      }
    }
  }
}

}  // namespace
}  // namespace gregor
