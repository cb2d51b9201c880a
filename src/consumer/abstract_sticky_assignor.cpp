// SPDX-License-Identifier: Apache-2.0
#include "consumer/abstract_sticky_assignor.h"

#include <algorithm>
#include <deque>
#include <set>
#include <utility>

namespace gregor {
namespace {

// One member during an Assign call. Members are named by their index in
// SortedMembers order, and a lower index wins every tie.
struct Member {
  std::string id;
  std::set<std::string> topics;          // subscribed topics that exist
  std::set<TopicPartition> assigned;     // what it holds now
  std::set<TopicPartition> kept;         // the part of `assigned` it owned before
  std::map<std::string, int> per_topic;  // |assigned| per topic
};

// The working state of one assignment: who holds what, changed only by
// Give, so the members' sets and owner_ never disagree.
class StickyAssignmentBuilder {
 public:
  StickyAssignmentBuilder(const PartitionCounts& counts, const GroupSubscription& subscriptions)
      : counts_(counts) {
    for (const std::string& id : SortedMembers(subscriptions)) {
      Member m;
      m.id = id;
      for (const std::string& topic : subscriptions.at(id).topics) {
        auto count = counts.find(topic);
        if (count != counts.end() && count->second > 0) m.topics.insert(topic);
      }
      members_.push_back(std::move(m));
    }
  }

  // Step 1: each partition goes back to its one credible previous owner.
  void KeepClaims(const std::vector<AbstractStickyAssignor::MemberData>& data) {
    struct Claim {
      int32_t generation;
      size_t member;
    };
    std::map<TopicPartition, std::vector<Claim>> claims;
    for (size_t m = 0; m < members_.size(); ++m) {
      // A set: a member listing a partition twice is one claim, not a conflict.
      std::set<TopicPartition> owned(data[m].partitions.begin(), data[m].partitions.end());
      for (const TopicPartition& tp : owned) {
        if (Exists(tp) && Subscribes(m, tp.topic)) claims[tp].push_back({data[m].generation, m});
      }
    }
    for (const auto& [tp, list] : claims) {
      int32_t newest = list.front().generation;
      for (const Claim& c : list) newest = std::max(newest, c.generation);
      const Claim* winner = nullptr;
      int at_newest = 0;
      for (const Claim& c : list) {
        if (c.generation != newest) continue;
        ++at_newest;
        winner = &c;
      }
      // Two claims from the same generation contradict each other: the
      // partition starts unowned rather than trusting either.
      if (at_newest != 1) continue;
      Give(tp, winner->member);
      members_[winner->member].kept.insert(tp);
    }
  }

  // Step 2: the partitions nobody kept, hardest to place first.
  void AssignUnowned() {
    std::set<std::string> topics;
    for (const Member& m : members_) topics.insert(m.topics.begin(), m.topics.end());
    std::vector<std::pair<size_t, TopicPartition>> unowned;  // (possible owners, partition)
    for (const std::string& topic : topics) {
      size_t possible_owners = 0;
      for (size_t m = 0; m < members_.size(); ++m) possible_owners += Subscribes(m, topic);
      for (int32_t p = 0; p < counts_.at(topic); ++p) {
        TopicPartition tp{topic, PartitionId(p)};
        if (owner_.find(tp) == owner_.end()) unowned.emplace_back(possible_owners, tp);
      }
    }
    std::sort(unowned.begin(), unowned.end());
    for (const auto& [possible_owners, tp] : unowned) {
      size_t best = members_.size();
      for (size_t m = 0; m < members_.size(); ++m) {
        if (!Subscribes(m, tp.topic)) continue;
        if (best == members_.size() || Load(m) < Load(best)) best = m;
      }
      Give(tp, best);  // some member subscribes: the topic came from one
    }
  }

  // Step 3: run chains of hand-overs until none evens anything out. Each
  // chain takes one partition from its first member and adds one to its
  // last, which has at least two fewer, so the sum of squared loads drops
  // by at least 2 per chain: the loop ends.
  void Balance() {
    for (;;) {
      std::vector<size_t> chain = FindChain();
      if (chain.empty()) return;
      // Back to front, so every member gives away a partition it held
      // before this chain, and no partition moves twice.
      for (size_t i = chain.size() - 1; i > 0; --i) {
        Give(PickHandOver(chain[i - 1], chain[i]), chain[i]);
      }
    }
  }

  GroupAssignment Result() const {
    GroupAssignment out;
    for (const Member& m : members_) {
      out[m.id] = std::vector<TopicPartition>(m.assigned.begin(), m.assigned.end());
    }
    return out;
  }

 private:
  bool Exists(const TopicPartition& tp) const {
    auto count = counts_.find(tp.topic);
    return count != counts_.end() && tp.partition.value() >= 0 &&
           tp.partition.value() < count->second;
  }
  bool Subscribes(size_t m, const std::string& topic) const {
    return members_[m].topics.count(topic) != 0;
  }
  size_t Load(size_t m) const { return members_[m].assigned.size(); }

  // Moves `tp` to member `to`, from whoever holds it.
  void Give(const TopicPartition& tp, size_t to) {
    auto it = owner_.find(tp);
    if (it != owner_.end()) {
      Member& from = members_[it->second];
      from.assigned.erase(tp);
      from.kept.erase(tp);
      --from.per_topic[tp.topic];
    }
    owner_[tp] = to;
    members_[to].assigned.insert(tp);
    ++members_[to].per_topic[tp.topic];
  }

  // True if `from` holds a partition of a topic `to` subscribes to.
  bool CanHandOver(size_t from, size_t to) const {
    const Member& giver = members_[from];
    for (const std::string& topic : members_[to].topics) {
      auto n = giver.per_topic.find(topic);
      if (n != giver.per_topic.end() && n->second > 0) return true;
    }
    return false;
  }

  // The partition `from` passes to `to`: one `from` did not own before if
  // there is one (moving it costs no stickiness), else any; the highest
  // (topic, partition) among those. REQUIRES: CanHandOver(from, to).
  TopicPartition PickHandOver(size_t from, size_t to) const {
    const Member& giver = members_[from];
    const TopicPartition* fallback = nullptr;
    for (auto it = giver.assigned.rbegin(); it != giver.assigned.rend(); ++it) {
      if (!Subscribes(to, it->topic)) continue;
      if (giver.kept.count(*it) == 0) return *it;
      if (fallback == nullptr) fallback = &*it;
    }
    return *fallback;
  }

  // The chain of step 3, as member indexes [giver, ..., receiver], or empty
  // if there is none. Givers are tried heaviest first; from each, a
  // breadth-first search over "can hand over to" finds the shortest chain,
  // ties going to the lightest receiver.
  std::vector<size_t> FindChain() const {
    const size_t n = members_.size();
    std::vector<size_t> givers(n);
    for (size_t m = 0; m < n; ++m) givers[m] = m;
    std::stable_sort(givers.begin(), givers.end(),
                     [&](size_t a, size_t b) { return Load(a) > Load(b); });
    for (size_t giver : givers) {
      const size_t load = Load(giver);
      if (load < 2) break;
      std::vector<size_t> parent(n, n);
      std::vector<size_t> depth(n, 0);
      std::deque<size_t> queue = {giver};
      parent[giver] = giver;
      size_t receiver = n;
      while (!queue.empty()) {
        size_t u = queue.front();
        queue.pop_front();
        // Every member at depth(receiver) was seen before any deeper one.
        if (receiver != n && depth[u] >= depth[receiver]) break;
        for (size_t v = 0; v < n; ++v) {
          if (parent[v] != n || !CanHandOver(u, v)) continue;
          parent[v] = u;
          depth[v] = depth[u] + 1;
          queue.push_back(v);
          if (Load(v) + 2 <= load && (receiver == n || Load(v) < Load(receiver))) receiver = v;
        }
      }
      if (receiver == n) continue;
      std::vector<size_t> chain;
      for (size_t m = receiver; m != giver; m = parent[m]) chain.push_back(m);
      chain.push_back(giver);
      std::reverse(chain.begin(), chain.end());
      return chain;
    }
    return {};
  }

  const PartitionCounts& counts_;
  std::vector<Member> members_;
  std::map<TopicPartition, size_t> owner_;  // partition -> index of its holder
};

}  // namespace

GroupAssignment AbstractStickyAssignor::Assign(const PartitionCounts& partitions,
                                               const GroupSubscription& subscriptions) const {
  // [sticky-assign]
  std::vector<MemberData> data;
  for (const std::string& id : SortedMembers(subscriptions)) {
    data.push_back(GetMemberData(subscriptions.at(id)));
  }
  StickyAssignmentBuilder builder(partitions, subscriptions);
  builder.KeepClaims(data);
  builder.AssignUnowned();
  builder.Balance();
  return builder.Result();
  // [sticky-assign]
}

}  // namespace gregor
