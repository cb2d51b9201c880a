// SPDX-License-Identifier: Apache-2.0
#include "coordinator/group/group_metadata.h"

#include <algorithm>

namespace gregor {

const char* GroupStateName(GroupState state) {
  switch (state) {
    case GroupState::kEmpty: return "Empty";
    case GroupState::kPreparingRebalance: return "PreparingRebalance";
    case GroupState::kCompletingRebalance: return "CompletingRebalance";
    case GroupState::kStable: return "Stable";
    case GroupState::kDead: return "Dead";
  }
  return "Unknown";
}

// [group-transitions]
bool IsValidTransition(GroupState from, GroupState to) {
  using S = GroupState;
  switch (to) {
    case S::kPreparingRebalance:
      return from == S::kStable || from == S::kCompletingRebalance || from == S::kEmpty;
    case S::kCompletingRebalance:
      return from == S::kPreparingRebalance;
    case S::kStable:
      return from == S::kCompletingRebalance;
    case S::kEmpty:
      return from == S::kPreparingRebalance;
    case S::kDead:
      return true;
  }
  return false;
}
// [group-transitions]

GroupMetadata::GroupMetadata(std::string group_id, int64_t now_ms)
    : group_id_(std::move(group_id)), state_timestamp_ms_(now_ms) {}

Status GroupMetadata::TransitionTo(GroupState target, int64_t now_ms) {
  if (!IsValidTransition(state_, target)) {
    return Status(ErrorCode::kUnknownServerError,
                  "group " + group_id_ + ": illegal transition " + GroupStateName(state_) +
                      " -> " + GroupStateName(target));
  }
  state_ = target;
  state_timestamp_ms_ = now_ms;
  return Status::Ok();
}

MemberMetadata* GroupMetadata::Get(const std::string& member_id) {
  auto it = members_.find(member_id);
  return it == members_.end() ? nullptr : &it->second;
}

void GroupMetadata::Add(MemberMetadata member) {
  if (members_.empty()) protocol_type_ = member.protocol_type;
  if (!leader_id_) leader_id_ = member.member_id;
  if (member.group_instance_id) static_members_[*member.group_instance_id] = member.member_id;
  pending_members_.erase(member.member_id);
  std::string id = member.member_id;
  members_.insert_or_assign(std::move(id), std::move(member));
}

void GroupMetadata::Remove(const std::string& member_id) {
  auto it = members_.find(member_id);
  if (it == members_.end()) return;
  if (it->second.group_instance_id) static_members_.erase(*it->second.group_instance_id);
  members_.erase(it);
  if (leader_id_ == member_id) {
    leader_id_ = members_.empty() ? std::nullopt
                                  : std::optional<std::string>(members_.begin()->first);
  }
}

std::optional<std::string> GroupMetadata::StaticMemberId(const std::string& instance_id) const {
  auto it = static_members_.find(instance_id);
  if (it == static_members_.end()) return std::nullopt;
  return it->second;
}

void GroupMetadata::ReplaceStaticMember(const std::string& instance_id,
                                        const std::string& old_member_id,
                                        const std::string& new_member_id) {
  auto node = members_.extract(old_member_id);
  if (node.empty()) return;
  node.key() = new_member_id;
  node.mapped().member_id = new_member_id;
  node.mapped().awaiting_join = false;  // the old incarnation's parked calls are
  node.mapped().awaiting_sync = false;  // answered FENCED_INSTANCE_ID by the caller
  members_.insert(std::move(node));
  static_members_[instance_id] = new_member_id;
  if (leader_id_ == old_member_id) leader_id_ = new_member_id;
}

bool GroupMetadata::SupportsProtocols(const std::string& protocol_type,
                                      const std::set<std::string>& protocols) const {
  if (members_.empty()) return !protocol_type.empty() && !protocols.empty();
  if (protocol_type_ != protocol_type) return false;
  std::set<std::string> candidates = CandidateProtocols();
  return std::any_of(protocols.begin(), protocols.end(),
                     [&](const std::string& p) { return candidates.contains(p); });
}

std::set<std::string> GroupMetadata::CandidateProtocols() const {
  std::set<std::string> candidates;
  bool first = true;
  for (const auto& [id, member] : members_) {
    std::set<std::string> names = member.ProtocolNames();
    if (first) {
      candidates = std::move(names);
      first = false;
      continue;
    }
    std::erase_if(candidates, [&](const std::string& p) { return !names.contains(p); });
  }
  return candidates;
}

// [group-select-protocol]
std::string GroupMetadata::SelectProtocol() const {
  const std::set<std::string> candidates = CandidateProtocols();
  std::map<std::string, int> votes;  // ordered: a tie goes to the first name
  for (const auto& [id, member] : members_) ++votes[member.Vote(candidates)];
  auto winner = votes.begin();
  for (auto it = votes.begin(); it != votes.end(); ++it) {
    if (it->second > winner->second) winner = it;
  }
  return winner->first;
}
// [group-select-protocol]

int GroupMetadata::NumAwaitingJoin() const {
  return int(std::count_if(members_.begin(), members_.end(),
                           [](const auto& m) { return m.second.awaiting_join; }));
}

bool GroupMetadata::HasAllMembersJoined() const {
  return size_t(NumAwaitingJoin()) == members_.size() && pending_members_.empty();
}

int32_t GroupMetadata::RebalanceTimeoutMs() const {
  int32_t longest = 0;
  for (const auto& [id, member] : members_) longest = std::max(longest, member.rebalance_timeout_ms);
  return longest;
}

// [group-next-generation]
Status GroupMetadata::InitNextGeneration(int64_t now_ms) {
  if (!Is(GroupState::kPreparingRebalance)) {
    return Status(ErrorCode::kUnknownServerError,
                  "group " + group_id_ + ": next generation outside a rebalance");
  }
  ++generation_id_;
  if (members_.empty()) {
    protocol_name_.reset();
    return TransitionTo(GroupState::kEmpty, now_ms);
  }
  protocol_name_ = SelectProtocol();
  for (auto& [id, member] : members_) member.is_new = false;
  return TransitionTo(GroupState::kCompletingRebalance, now_ms);
}
// [group-next-generation]

void GroupMetadata::Load(int32_t generation, std::optional<std::string> protocol_type,
                         std::optional<std::string> protocol_name,
                         std::optional<std::string> leader, std::vector<MemberMetadata> members,
                         int64_t now_ms) {
  generation_id_ = generation;
  protocol_type_ = std::move(protocol_type);
  protocol_name_ = std::move(protocol_name);
  for (auto& m : members) {
    if (m.group_instance_id) static_members_[*m.group_instance_id] = m.member_id;
    std::string id = m.member_id;
    members_.insert_or_assign(std::move(id), std::move(m));
  }
  leader_id_ = members_.empty() ? std::nullopt : std::move(leader);
  if (leader_id_ && !members_.contains(*leader_id_)) leader_id_ = members_.begin()->first;
  state_ = members_.empty() ? GroupState::kEmpty : GroupState::kStable;
  state_timestamp_ms_ = now_ms;
}

std::map<std::string, Bytes> GroupMetadata::CurrentMemberMetadata() const {
  std::map<std::string, Bytes> out;
  if (!protocol_name_) return out;
  for (const auto& [id, member] : members_) {
    const Bytes* metadata = member.MetadataFor(*protocol_name_);
    out[id] = metadata ? *metadata : Bytes{};
  }
  return out;
}

}  // namespace gregor
