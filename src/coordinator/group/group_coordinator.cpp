// SPDX-License-Identifier: Apache-2.0
#include "coordinator/group/group_coordinator_internal.h"

#include <algorithm>
#include <cstdio>
#include <random>

#include "common/logging.h"

namespace gregor {

void GroupCoordinator::DelayedJoin::Run() {
  std::lock_guard lock(c_->mu_);
  GroupEntry* g = c_->Find(group_id_);
  if (g == nullptr || g->join.get() != this) return;  // completed another way
  g->join.reset();
  if (initial_) {
    c_->OnInitialDelayExpired(*g, remaining_ms_);
  } else {
    c_->CompleteJoin(*g);
  }
}

GroupCoordinator::GroupCoordinator(GroupCoordinatorConfig config, Timer& timer, Clock& clock,
                                   GroupMetadataManager* manager)
    : config_(config), timer_(timer), clock_(clock), manager_(manager) {}

GroupCoordinator::~GroupCoordinator() {
  std::lock_guard lock(mu_);
  for (auto& [id, g] : groups_) {
    if (g->join) g->join->Cancel();
    for (auto& [member, task] : g->heartbeats) task->Cancel();
  }
}

GroupCoordinator::GroupEntry* GroupCoordinator::Find(const std::string& group_id) {
  auto it = groups_.find(group_id);
  return it == groups_.end() ? nullptr : it->second.get();
}

std::string GroupCoordinator::NewMemberId(const JoinGroupParams& params) {
  static std::mt19937_64 rng{std::random_device{}()};  // guarded by mu_
  uint64_t hi = rng(), lo = rng();
  char uuid[40];
  std::snprintf(uuid, sizeof(uuid), "%08x-%04x-%04x-%04x-%012llx", unsigned(hi >> 32),
                unsigned(hi >> 16) & 0xffff, unsigned(hi) & 0xffff, unsigned(lo >> 48),
                (unsigned long long)(lo & 0xffffffffffffULL));
  return params.group_instance_id.value_or(params.client_id) + "-" + uuid;
}

// [coordinator-join]
void GroupCoordinator::HandleJoinGroup(const JoinGroupParams& params, JoinCallback callback) {
  std::lock_guard lock(mu_);
  auto fail = [&](ErrorCode e) {
    JoinGroupResult r;
    r.error = e;
    r.member_id = params.member_id;
    callback(r);
  };
  if (params.group_id.empty()) return fail(ErrorCode::kInvalidGroupId);
  if (ErrorCode e = CoordinatorError(params.group_id); e != ErrorCode::kNone) return fail(e);
  if (params.session_timeout_ms < config_.min_session_timeout_ms ||
      params.session_timeout_ms > config_.max_session_timeout_ms) {
    return fail(ErrorCode::kInvalidSessionTimeout);
  }
  GroupEntry* g = Find(params.group_id);
  if (g == nullptr) {
    if (!params.member_id.empty()) return fail(ErrorCode::kUnknownMemberId);
    auto entry = std::make_unique<GroupEntry>(params.group_id, clock_.NowMs());
    g = entry.get();
    groups_.emplace(params.group_id, std::move(entry));
  }
  if (g->group.Is(GroupState::kDead)) return fail(ErrorCode::kCoordinatorNotAvailable);
  std::set<std::string> names;
  for (const auto& p : params.protocols) names.insert(p.name);
  if (!g->group.SupportsProtocols(params.protocol_type, names)) {
    return fail(ErrorCode::kInconsistentGroupProtocol);
  }
  if (params.member_id.empty()) {
    if (params.group_instance_id) {
      JoinStaticMember(*g, params, std::move(callback));
    } else {
      JoinNewMember(*g, params, std::move(callback));
    }
  } else {
    JoinKnownMember(*g, params, std::move(callback));
  }
  // A join may be the last one the rebalance waited for.
  if (g->group.Is(GroupState::kPreparingRebalance)) TryCompleteJoin(*g);
}
// [coordinator-join]

void GroupCoordinator::JoinNewMember(GroupEntry& g, const JoinGroupParams& params,
                                     JoinCallback callback) {
  const std::string member_id = NewMemberId(params);
  if (params.require_known_member_id) {
    // KIP-394: hand out the id and wait for the member to come back with
    // it; a pending member that never does is dropped after its session
    // timeout.
    g.group.AddPendingMember(member_id);
    MemberMetadata pending;
    pending.member_id = member_id;
    pending.session_timeout_ms = params.session_timeout_ms;
    ScheduleHeartbeat(g, pending);
    JoinGroupResult r;
    r.error = ErrorCode::kMemberIdRequired;
    r.member_id = member_id;
    callback(r);
    return;
  }
  AddMemberAndRebalance(g, params, member_id, std::move(callback));
}

void GroupCoordinator::JoinStaticMember(GroupEntry& g, const JoinGroupParams& params,
                                        JoinCallback callback) {
  const std::string new_id = NewMemberId(params);
  auto old_id = g.group.StaticMemberId(*params.group_instance_id);
  if (!old_id) return AddMemberAndRebalance(g, params, new_id, std::move(callback));
  // The same instance restarted: fence the old incarnation's parked calls
  // and give its place (assignment, leadership) to the new member id.
  if (auto it = g.join_callbacks.find(*old_id); it != g.join_callbacks.end()) {
    JoinGroupResult fenced;
    fenced.error = ErrorCode::kFencedInstanceId;
    fenced.member_id = *old_id;
    JoinCallback cb = std::move(it->second);
    g.join_callbacks.erase(it);
    cb(fenced);
  }
  if (auto it = g.sync_callbacks.find(*old_id); it != g.sync_callbacks.end()) {
    SyncCallback cb = std::move(it->second);
    g.sync_callbacks.erase(it);
    cb(SyncGroupResult{ErrorCode::kFencedInstanceId, {}});
  }
  if (auto it = g.heartbeats.find(*old_id); it != g.heartbeats.end()) {
    it->second->Cancel();
    g.heartbeats.erase(it);
    g.heartbeat_ids.erase(*old_id);
  }
  g.group.ReplaceStaticMember(*params.group_instance_id, *old_id, new_id);
  MemberMetadata& member = *g.group.Get(new_id);
  if (g.group.Is(GroupState::kStable) && member.Matches(params.protocols)) {
    // KIP-345's point: a static member's restart causes no rebalance.
    ScheduleHeartbeat(g, member);
    callback(CurrentGeneration(g, new_id, /*with_members=*/false));
    return;
  }
  UpdateMemberAndRebalance(g, member, params, std::move(callback));
}

void GroupCoordinator::JoinKnownMember(GroupEntry& g, const JoinGroupParams& params,
                                       JoinCallback callback) {
  const std::string& id = params.member_id;
  if (g.group.IsPendingMember(id)) return AddMemberAndRebalance(g, params, id, std::move(callback));
  MemberMetadata* member = g.group.Get(id);
  JoinGroupResult error;
  error.member_id = id;
  if (IsFenced(g.group, params.group_instance_id, id)) {
    error.error = ErrorCode::kFencedInstanceId;
    return callback(error);
  }
  if (member == nullptr) {
    error.error = ErrorCode::kUnknownMemberId;
    return callback(error);
  }
  switch (g.group.state()) {
    case GroupState::kPreparingRebalance:
      return UpdateMemberAndRebalance(g, *member, params, std::move(callback));
    case GroupState::kCompletingRebalance:
      // A retried JoinGroup whose answer was lost: answer it again.
      if (member->Matches(params.protocols)) {
        ScheduleHeartbeat(g, *member);
        return callback(CurrentGeneration(g, id, g.group.IsLeader(id)));
      }
      return UpdateMemberAndRebalance(g, *member, params, std::move(callback));
    case GroupState::kStable:
      // The leader rejoins to recompute the assignment (say, a topic got
      // partitions); a follower with unchanged protocols just gets the
      // current generation.
      if (g.group.IsLeader(id) || !member->Matches(params.protocols)) {
        return UpdateMemberAndRebalance(g, *member, params, std::move(callback));
      }
      ScheduleHeartbeat(g, *member);
      return callback(CurrentGeneration(g, id, false));
    case GroupState::kEmpty:
    case GroupState::kDead:
      error.error = ErrorCode::kUnknownMemberId;
      return callback(error);
  }
}

void GroupCoordinator::AddMemberAndRebalance(GroupEntry& g, const JoinGroupParams& params,
                                             const std::string& member_id,
                                             JoinCallback callback) {
  MemberMetadata m;
  m.member_id = member_id;
  m.group_instance_id = params.group_instance_id;
  m.client_id = params.client_id;
  m.client_host = params.client_host;
  m.session_timeout_ms = params.session_timeout_ms;
  m.rebalance_timeout_ms = params.rebalance_timeout_ms;
  m.protocol_type = params.protocol_type;
  m.supported_protocols = params.protocols;
  m.awaiting_join = true;
  m.is_new = true;
  m.last_heartbeat_ms = clock_.NowMs();
  // The initial delay keeps waiting while members keep arriving.
  if (g.group.Is(GroupState::kPreparingRebalance) && g.group.generation_id() == 0) {
    g.group.set_new_member_added(true);
  }
  g.group.Add(std::move(m));
  g.join_callbacks[member_id] = std::move(callback);
  ScheduleHeartbeat(g, *g.group.Get(member_id));
  MaybePrepareRebalance(g, "member " + member_id + " joined");
}

void GroupCoordinator::UpdateMemberAndRebalance(GroupEntry& g, MemberMetadata& member,
                                                const JoinGroupParams& params,
                                                JoinCallback callback) {
  member.supported_protocols = params.protocols;
  member.session_timeout_ms = params.session_timeout_ms;
  member.rebalance_timeout_ms = params.rebalance_timeout_ms;
  member.client_id = params.client_id;
  member.client_host = params.client_host;
  member.awaiting_join = true;
  g.join_callbacks[member.member_id] = std::move(callback);
  MaybePrepareRebalance(g, "member " + member.member_id + " rejoined");
}

void GroupCoordinator::MaybePrepareRebalance(GroupEntry& g, const std::string& reason) {
  if (g.group.CanRebalance()) PrepareRebalance(g, reason);
}

// [coordinator-prepare-rebalance]
void GroupCoordinator::PrepareRebalance(GroupEntry& g, const std::string& reason) {
  // Members waiting for an assignment will not get one: they must rejoin.
  if (g.group.Is(GroupState::kCompletingRebalance)) {
    PropagateAssignment(g, ErrorCode::kRebalanceInProgress);
  }
  const bool initial = g.group.Is(GroupState::kEmpty);
  const int32_t timeout = g.group.RebalanceTimeoutMs();
  (void)g.group.TransitionTo(GroupState::kPreparingRebalance, clock_.NowMs());
  Logger("group-coordinator")
      ->info("group={} preparing rebalance, generation={}: {}", g.group.group_id(),
             g.group.generation_id(), reason);
  if (initial) {
    const int32_t delay = config_.initial_rebalance_delay_ms;
    g.join = std::make_shared<DelayedJoin>(this, g.group.group_id(), delay, true,
                                           std::max(timeout - delay, 0));
  } else {
    g.join = std::make_shared<DelayedJoin>(this, g.group.group_id(), timeout, false, 0);
  }
  timer_.Add(g.join);
  // Like a purgatory's TryCompleteElseWatch: nobody left to wait for (the
  // last member just left) completes the join phase now.
  TryCompleteJoin(g);
}
// [coordinator-prepare-rebalance]

void GroupCoordinator::TryCompleteJoin(GroupEntry& g) {
  if (!g.join || g.join->initial() || !g.group.HasAllMembersJoined()) return;
  g.join->Cancel();
  g.join.reset();
  CompleteJoin(g);
}

void GroupCoordinator::OnInitialDelayExpired(GroupEntry& g, int32_t remaining_ms) {
  if (g.group.new_member_added() && remaining_ms > 0) {
    g.group.set_new_member_added(false);
    const int32_t delay = std::min(config_.initial_rebalance_delay_ms, remaining_ms);
    g.join = std::make_shared<DelayedJoin>(this, g.group.group_id(), delay, true,
                                           std::max(remaining_ms - delay, 0));
    timer_.Add(g.join);
    return;
  }
  CompleteJoin(g);
}

// [coordinator-complete-join]
void GroupCoordinator::CompleteJoin(GroupEntry& g) {
  if (!g.group.Is(GroupState::kPreparingRebalance)) return;
  // Members that did not rejoin in time are out of the next generation.
  std::vector<std::string> absent;
  for (const auto& [id, m] : g.group.members()) {
    if (!m.awaiting_join) absent.push_back(id);
  }
  for (const auto& id : absent) {
    if (auto it = g.heartbeats.find(id); it != g.heartbeats.end()) it->second->Cancel();
    g.heartbeats.erase(id);
    g.heartbeat_ids.erase(id);
    g.group.Remove(id);
  }
  (void)g.group.InitNextGeneration(clock_.NowMs());
  Logger("group-coordinator")
      ->info("group={} generation={} members={} protocol={}", g.group.group_id(),
             g.group.generation_id(), g.group.size(), g.group.protocol_name().value_or("-"));
  if (g.group.Is(GroupState::kEmpty)) return StoreEmptyGroup(g);
  // Answer every parked JoinGroup: the leader's answer carries the members.
  std::vector<std::pair<JoinCallback, JoinGroupResult>> answers;
  for (const auto& [id, m] : g.group.members()) {
    auto cb = g.join_callbacks.find(id);
    if (cb == g.join_callbacks.end()) continue;
    answers.emplace_back(std::move(cb->second), CurrentGeneration(g, id, g.group.IsLeader(id)));
    g.join_callbacks.erase(cb);
  }
  for (const auto& [id, m] : g.group.members()) {
    MemberMetadata& member = *g.group.Get(id);
    member.awaiting_join = false;
    ScheduleHeartbeat(g, member);
  }
  for (auto& [cb, result] : answers) cb(result);
}
// [coordinator-complete-join]

JoinGroupResult GroupCoordinator::CurrentGeneration(GroupEntry& g, const std::string& member_id,
                                                    bool with_members) {
  JoinGroupResult r;
  r.generation_id = g.group.generation_id();
  r.protocol_name = g.group.protocol_name();
  r.leader_id = g.group.leader_id().value_or("");
  r.member_id = member_id;
  if (with_members) {
    for (auto& [id, metadata] : g.group.CurrentMemberMetadata()) {
      r.members.push_back({id, g.group.Get(id)->group_instance_id, std::move(metadata)});
    }
  }
  return r;
}

}  // namespace gregor
