// SPDX-License-Identifier: Apache-2.0
// GroupCoordinator, the members' side: SyncGroup, Heartbeat, LeaveGroup,
// session timeouts (group_coordinator.h explains the protocol).
#include <algorithm>

#include "coordinator/group/group_coordinator_internal.h"

namespace gregor {

// [coordinator-sync]
void GroupCoordinator::HandleSyncGroup(const SyncGroupParams& params, SyncCallback callback) {
  std::lock_guard lock(mu_);
  auto fail = [&](ErrorCode e) { callback(SyncGroupResult{e, {}}); };
  if (ErrorCode e = CoordinatorError(params.group_id); e != ErrorCode::kNone) return fail(e);
  GroupEntry* g = Find(params.group_id);
  if (g == nullptr) return fail(ErrorCode::kUnknownMemberId);
  if (g->group.Is(GroupState::kDead)) return fail(ErrorCode::kCoordinatorNotAvailable);
  if (IsFenced(g->group, params.group_instance_id, params.member_id)) {
    return fail(ErrorCode::kFencedInstanceId);
  }
  MemberMetadata* member = g->group.Get(params.member_id);
  if (member == nullptr) return fail(ErrorCode::kUnknownMemberId);
  if (params.generation_id != g->group.generation_id()) {
    return fail(ErrorCode::kIllegalGeneration);
  }
  switch (g->group.state()) {
    case GroupState::kEmpty:
    case GroupState::kDead:
      return fail(ErrorCode::kUnknownMemberId);
    case GroupState::kPreparingRebalance:
      return fail(ErrorCode::kRebalanceInProgress);
    case GroupState::kStable:
      ScheduleHeartbeat(*g, *member);
      return callback(SyncGroupResult{ErrorCode::kNone, member->assignment});
    case GroupState::kCompletingRebalance:
      break;
  }
  member->awaiting_sync = true;
  g->sync_callbacks[params.member_id] = std::move(callback);
  ScheduleHeartbeat(*g, *member);
  if (!g->group.IsLeader(params.member_id)) return;  // wait for the leader
  // The leader's assignment: members it left out get an empty one.
  std::map<std::string, Bytes> assignment;
  for (const auto& [id, m] : g->group.members()) {
    auto it = params.assignments.find(id);
    assignment[id] = it == params.assignments.end() ? Bytes{} : it->second;
  }
  // With __consumer_offsets, the generation is answered once it is stored.
  if (manager_ != nullptr) return StoreAssignment(*g, std::move(assignment));
  for (auto& [id, bytes] : assignment) g->group.Get(id)->assignment = std::move(bytes);
  (void)g->group.TransitionTo(GroupState::kStable, clock_.NowMs());
  PropagateAssignment(*g, ErrorCode::kNone);
}
// [coordinator-sync]

void GroupCoordinator::PropagateAssignment(GroupEntry& g, ErrorCode error) {
  std::vector<std::pair<SyncCallback, SyncGroupResult>> answers;
  for (const auto& [id, m] : g.group.members()) {
    MemberMetadata& member = *g.group.Get(id);
    if (error != ErrorCode::kNone) member.assignment.clear();
    member.awaiting_sync = false;
    auto cb = g.sync_callbacks.find(id);
    if (cb == g.sync_callbacks.end()) continue;
    answers.emplace_back(std::move(cb->second), SyncGroupResult{error, member.assignment});
    g.sync_callbacks.erase(cb);
    ScheduleHeartbeat(g, member);
  }
  for (auto& [cb, result] : answers) cb(result);
}

// [coordinator-heartbeat]
ErrorCode GroupCoordinator::HandleHeartbeat(const std::string& group_id,
                                            const std::string& member_id,
                                            const std::optional<std::string>& group_instance_id,
                                            int32_t generation_id) {
  std::lock_guard lock(mu_);
  if (ErrorCode e = CoordinatorError(group_id); e != ErrorCode::kNone) return e;
  GroupEntry* g = Find(group_id);
  if (g == nullptr) return ErrorCode::kUnknownMemberId;
  if (g->group.Is(GroupState::kDead)) return ErrorCode::kCoordinatorNotAvailable;
  if (g->group.Is(GroupState::kEmpty)) return ErrorCode::kUnknownMemberId;
  if (IsFenced(g->group, group_instance_id, member_id)) return ErrorCode::kFencedInstanceId;
  MemberMetadata* member = g->group.Get(member_id);
  if (member == nullptr) return ErrorCode::kUnknownMemberId;
  if (generation_id != g->group.generation_id()) return ErrorCode::kIllegalGeneration;
  ScheduleHeartbeat(*g, *member);
  // A heartbeat during a rebalance is the member's cue to rejoin.
  return g->group.Is(GroupState::kPreparingRebalance) ? ErrorCode::kRebalanceInProgress
                                                      : ErrorCode::kNone;
}
// [coordinator-heartbeat]

std::vector<ErrorCode> GroupCoordinator::HandleLeaveGroup(
    const std::string& group_id, const std::vector<LeavingMember>& members) {
  std::lock_guard lock(mu_);
  std::vector<ErrorCode> errors;
  if (ErrorCode e = CoordinatorError(group_id); e != ErrorCode::kNone) {
    return std::vector<ErrorCode>(std::max<size_t>(members.size(), 1), e);
  }
  GroupEntry* g = Find(group_id);
  for (const LeavingMember& leaving : members) {
    if (g == nullptr) {
      errors.push_back(ErrorCode::kUnknownMemberId);
      continue;
    }
    std::string id = leaving.member_id;
    if (leaving.group_instance_id) {
      // A static member may leave by instance id alone (member id empty).
      auto known = g->group.StaticMemberId(*leaving.group_instance_id);
      if (!known) {
        errors.push_back(ErrorCode::kUnknownMemberId);
        continue;
      }
      if (!id.empty() && id != *known) {
        errors.push_back(ErrorCode::kFencedInstanceId);
        continue;
      }
      id = *known;
    }
    if (g->group.IsPendingMember(id)) {
      g->group.RemovePendingMember(id);
      if (auto it = g->heartbeats.find(id); it != g->heartbeats.end()) it->second->Cancel();
      g->heartbeats.erase(id);
      g->heartbeat_ids.erase(id);
      errors.push_back(ErrorCode::kNone);
      if (g->group.Is(GroupState::kPreparingRebalance)) TryCompleteJoin(*g);
      continue;
    }
    if (!g->group.Has(id)) {
      errors.push_back(ErrorCode::kUnknownMemberId);
      continue;
    }
    RemoveMemberAndUpdateGroup(*g, id, "member " + id + " left");
    errors.push_back(ErrorCode::kNone);
  }
  return errors;
}

void GroupCoordinator::ScheduleHeartbeat(GroupEntry& g, MemberMetadata& member) {
  const std::string& id = member.member_id;
  if (auto it = g.heartbeats.find(id); it != g.heartbeats.end()) it->second->Cancel();
  member.last_heartbeat_ms = clock_.NowMs();
  const uint64_t hb = ++next_heartbeat_id_;
  auto task = std::make_shared<DelayedHeartbeat>(this, g.group.group_id(), id, hb,
                                                 member.session_timeout_ms);
  g.heartbeats[id] = task;
  g.heartbeat_ids[id] = hb;
  timer_.Add(task);
}

// [coordinator-session-timeout]
void GroupCoordinator::OnHeartbeatExpired(const std::string& group_id,
                                          const std::string& member_id, uint64_t hb) {
  std::lock_guard lock(mu_);
  GroupEntry* g = Find(group_id);
  if (g == nullptr) return;
  auto current = g->heartbeat_ids.find(member_id);
  if (current == g->heartbeat_ids.end() || current->second != hb) return;  // superseded
  g->heartbeat_ids.erase(current);
  g->heartbeats.erase(member_id);
  if (g->group.IsPendingMember(member_id)) {
    g->group.RemovePendingMember(member_id);
    if (g->group.Is(GroupState::kPreparingRebalance)) TryCompleteJoin(*g);
    return;
  }
  const MemberMetadata* member = g->group.Get(member_id);
  if (member == nullptr) return;
  // A member whose JoinGroup or SyncGroup is parked is waiting on us, not
  // silent: the rebalance's own timeout decides about it.
  if (member->awaiting_join || member->awaiting_sync) return;
  RemoveMemberAndUpdateGroup(*g, member_id,
                             "member " + member_id + " timed out (session.timeout.ms)");
}
// [coordinator-session-timeout]

void GroupCoordinator::RemoveMemberAndUpdateGroup(GroupEntry& g, const std::string& member_id,
                                                  const std::string& reason) {
  if (auto it = g.heartbeats.find(member_id); it != g.heartbeats.end()) it->second->Cancel();
  g.heartbeats.erase(member_id);
  g.heartbeat_ids.erase(member_id);
  JoinCallback join;
  SyncCallback sync;
  if (auto it = g.join_callbacks.find(member_id); it != g.join_callbacks.end()) {
    join = std::move(it->second);
    g.join_callbacks.erase(it);
  }
  if (auto it = g.sync_callbacks.find(member_id); it != g.sync_callbacks.end()) {
    sync = std::move(it->second);
    g.sync_callbacks.erase(it);
  }
  g.group.Remove(member_id);
  switch (g.group.state()) {
    case GroupState::kStable:
    case GroupState::kCompletingRebalance:
      MaybePrepareRebalance(g, reason);
      break;
    case GroupState::kPreparingRebalance:
      TryCompleteJoin(g);
      break;
    case GroupState::kEmpty:
    case GroupState::kDead:
      break;
  }
  if (join) {
    JoinGroupResult r;
    r.error = ErrorCode::kUnknownMemberId;
    r.member_id = member_id;
    join(r);
  }
  if (sync) sync(SyncGroupResult{ErrorCode::kUnknownMemberId, {}});
}

std::optional<GroupCoordinator::GroupSummary> GroupCoordinator::Describe(
    const std::string& group_id) const {
  std::lock_guard lock(mu_);
  auto it = groups_.find(group_id);
  if (it == groups_.end()) return std::nullopt;
  const GroupMetadata& g = it->second->group;
  GroupSummary s{g.state(), g.generation_id(), g.protocol_type(), g.protocol_name(),
                 g.leader_id(), {}, {}};
  const bool stable = g.Is(GroupState::kStable);
  for (const auto& [id, m] : g.members()) {
    s.member_ids.push_back(id);
    MemberSummary member{id, m.group_instance_id, m.client_id, m.client_host, {}, {}};
    if (stable && g.protocol_name()) {
      if (const Bytes* metadata = m.MetadataFor(*g.protocol_name())) member.metadata = *metadata;
      member.assignment = m.assignment;
    }
    s.members.push_back(std::move(member));
  }
  return s;
}

}  // namespace gregor
