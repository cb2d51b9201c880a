// SPDX-License-Identifier: Apache-2.0
// Claim of chapter 06 (Assignors: eager and cooperative): under KIP-429's
// cooperative protocol a rebalance revokes only the partitions that move;
// the cooperative assignor gives a moving partition to nobody in the first
// rebalance (its old owner only loses it), and a second, short rebalance
// hands it on. Partitions that stay where they are never stop.
//
// Gregor's consumer follows the eager protocol only (consumer_coordinator.h),
// so this case works at the assignor level: it plays the leader, feeding
// CooperativeStickyAssignor the members' subscriptions with their owned
// partitions, as the JoinGroup response carries them, and reads what each
// member would revoke (owned minus assigned). The eager comparison is
// RangeAssignor's: under eager every member revokes everything it owned.
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <string>

#include "../lab_banner.h"
#include "consumer/cooperative_sticky_assignor.h"
#include "consumer/range_assignor.h"

namespace gregor::lab06 {
namespace {

using labs::Banner;
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

// Three members own 6 partitions, 2 each; a fourth joins.
TEST(CooperativeLab06, NewMemberRevokesOnlyThePartitionsThatMove) {
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

}  // namespace
}  // namespace gregor::lab06
