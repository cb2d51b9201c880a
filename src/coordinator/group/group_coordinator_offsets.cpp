// SPDX-License-Identifier: Apache-2.0
// GroupCoordinator and __consumer_offsets: storing a generation, offset
// commits and fetches, listing and deleting groups, rebuilding groups when
// a partition loads (group_coordinator.h, "Persistence").
#include <memory>

#include "common/logging.h"
#include "coordinator/group/group_coordinator_internal.h"

namespace gregor {

namespace {

// Kafka's limit on the free text kept with an offset (offset.metadata.max.bytes).
constexpr size_t kOffsetMetadataMaxBytes = 4096;

// What a member is told when its generation could not be stored (Kafka's
// GroupMetadataManager.storeGroup): errors of the log become errors a
// consumer knows how to handle, i.e. find the coordinator again or rejoin.
ErrorCode GroupStoreError(ErrorCode e) {
  switch (e) {
    case ErrorCode::kUnknownTopicOrPartition:
    case ErrorCode::kNotEnoughReplicas:
    case ErrorCode::kNotEnoughReplicasAfterAppend:
      return ErrorCode::kCoordinatorNotAvailable;
    case ErrorCode::kNotLeaderOrFollower:
    case ErrorCode::kKafkaStorageError:
      return ErrorCode::kNotCoordinator;
    case ErrorCode::kRequestTimedOut:
      return ErrorCode::kRebalanceInProgress;
    case ErrorCode::kMessageTooLarge:
    case ErrorCode::kRecordListTooLarge:
    case ErrorCode::kInvalidFetchSize:
      return ErrorCode::kUnknownServerError;
    default:
      return e;
  }
}

// The same for an offset commit (Kafka's storeOffsets).
ErrorCode OffsetStoreError(ErrorCode e) {
  switch (e) {
    case ErrorCode::kUnknownTopicOrPartition:
    case ErrorCode::kNotEnoughReplicas:
    case ErrorCode::kNotEnoughReplicasAfterAppend:
    case ErrorCode::kRequestTimedOut:
      return ErrorCode::kCoordinatorNotAvailable;
    case ErrorCode::kNotLeaderOrFollower:
    case ErrorCode::kKafkaStorageError:
      return ErrorCode::kNotCoordinator;
    case ErrorCode::kMessageTooLarge:
    case ErrorCode::kRecordListTooLarge:
    case ErrorCode::kInvalidFetchSize:
      return ErrorCode::kInvalidCommitOffsetSize;
    default:
      return e;
  }
}

}  // namespace

ErrorCode GroupCoordinator::CoordinatorError(const std::string& group_id) const {
  return manager_ ? manager_->CoordinatorError(group_id) : ErrorCode::kNone;
}

GroupMetadataValue GroupCoordinator::StoredValue(
    const GroupMetadata& group, const std::map<std::string, Bytes>& assignment) const {
  GroupMetadataValue v;
  v.protocol_type = group.protocol_type().value_or("");
  v.generation = group.generation_id();
  v.protocol = group.protocol_name();
  v.leader = group.leader_id();
  v.current_state_timestamp = clock_.NowMs();
  for (const auto& [id, m] : group.members()) {
    GroupMemberMetadata stored;
    stored.member_id = id;
    stored.group_instance_id = m.group_instance_id;
    stored.client_id = m.client_id;
    stored.client_host = m.client_host;
    stored.rebalance_timeout = m.rebalance_timeout_ms;
    stored.session_timeout = m.session_timeout_ms;
    if (group.protocol_name()) {
      if (const Bytes* metadata = m.MetadataFor(*group.protocol_name())) {
        stored.subscription = *metadata;
      }
    }
    auto it = assignment.find(id);
    stored.assignment = it == assignment.end() ? m.assignment : it->second;
    v.members.push_back(std::move(stored));
  }
  return v;
}

// [coordinator-store-assignment]
void GroupCoordinator::StoreAssignment(GroupEntry& g, std::map<std::string, Bytes> assignment) {
  const std::string group_id = g.group.group_id();
  const int32_t generation = g.group.generation_id();
  // Built before the call: the callback below takes `assignment` away, and
  // the order in which a call's arguments are evaluated is unspecified.
  GroupMetadataValue value = StoredValue(g.group, assignment);
  manager_->StoreGroup(
      group_id, std::move(value),
      [this, group_id, generation, assignment = std::move(assignment)](ErrorCode error) mutable {
        std::lock_guard lock(mu_);
        GroupEntry* g = Find(group_id);
        // A member joined or left meanwhile: that rebalance supersedes this one.
        if (g == nullptr || !g->group.Is(GroupState::kCompletingRebalance) ||
            g->group.generation_id() != generation) {
          return;
        }
        if (error != ErrorCode::kNone) {
          Logger("group-coordinator")
              ->warn("group={} generation={} not stored: {}", group_id, generation,
                     ErrorName(error));
          PropagateAssignment(*g, GroupStoreError(error));
          MaybePrepareRebalance(*g, "storing the assignment failed");
          return;
        }
        for (auto& [id, bytes] : assignment) {
          if (MemberMetadata* m = g->group.Get(id)) m->assignment = std::move(bytes);
        }
        (void)g->group.TransitionTo(GroupState::kStable, clock_.NowMs());
        PropagateAssignment(*g, ErrorCode::kNone);
      });
}
// [coordinator-store-assignment]

void GroupCoordinator::StoreEmptyGroup(GroupEntry& g) {
  if (manager_ == nullptr) return;
  const std::string group_id = g.group.group_id();
  manager_->StoreGroup(group_id, StoredValue(g.group, {}), [group_id](ErrorCode error) {
    if (error != ErrorCode::kNone) {
      Logger("group-coordinator")
          ->warn("group={} empty generation not stored: {}", group_id, ErrorName(error));
    }
  });
}

// [coordinator-commit]
void GroupCoordinator::HandleCommitOffsets(const CommitOffsetsParams& params,
                                           CommitCallback callback) {
  std::lock_guard lock(mu_);
  auto fail = [&](ErrorCode e) {
    std::map<TopicPartition, ErrorCode> result;
    for (const auto& [tp, o] : params.offsets) result[tp] = e;
    callback(result);
  };
  if (params.group_id.empty()) return fail(ErrorCode::kInvalidGroupId);
  if (manager_ == nullptr) return fail(ErrorCode::kCoordinatorNotAvailable);
  if (ErrorCode e = CoordinatorError(params.group_id); e != ErrorCode::kNone) return fail(e);
  GroupEntry* g = Find(params.group_id);
  if (g == nullptr) {
    // A group unknown here can only be a plain offset store (assign()).
    if (params.generation_id >= 0) return fail(ErrorCode::kIllegalGeneration);
    auto entry = std::make_unique<GroupEntry>(params.group_id, clock_.NowMs());
    g = entry.get();
    groups_.emplace(params.group_id, std::move(entry));
  }
  GroupMetadata& group = g->group;
  if (group.Is(GroupState::kDead)) return fail(ErrorCode::kCoordinatorNotAvailable);
  if (IsFenced(group, params.group_instance_id, params.member_id)) {
    return fail(ErrorCode::kFencedInstanceId);
  }
  if (params.generation_id < 0 && group.Is(GroupState::kEmpty)) {
    return CommitValidated(params, std::move(callback));
  }
  MemberMetadata* member = group.Get(params.member_id);
  if (member == nullptr) return fail(ErrorCode::kUnknownMemberId);
  if (params.generation_id != group.generation_id()) return fail(ErrorCode::kIllegalGeneration);
  // The member's partitions are being decided: its commit would be for
  // partitions it may be about to lose.
  if (group.Is(GroupState::kCompletingRebalance)) return fail(ErrorCode::kRebalanceInProgress);
  ScheduleHeartbeat(*g, *member);  // a commit is a sign of life too
  CommitValidated(params, std::move(callback));
}
// [coordinator-commit]

void GroupCoordinator::CommitValidated(const CommitOffsetsParams& params,
                                       CommitCallback callback) {
  std::map<TopicPartition, ErrorCode> refused;
  std::map<TopicPartition, CommittedOffset> offsets;
  for (const auto& [tp, o] : params.offsets) {
    if (o.metadata.size() > kOffsetMetadataMaxBytes) {
      refused[tp] = ErrorCode::kOffsetMetadataTooLarge;
      continue;
    }
    offsets[tp] = o;
    if (offsets[tp].commit_timestamp_ms <= 0) offsets[tp].commit_timestamp_ms = clock_.NowMs();
  }
  if (offsets.empty()) return callback(refused);
  manager_->StoreOffsets(params.group_id, offsets,
                         [refused, callback = std::move(callback)](
                             std::map<TopicPartition, ErrorCode> stored) mutable {
                           for (auto& [tp, e] : stored) refused[tp] = OffsetStoreError(e);
                           callback(refused);
                         });
}

ErrorCode GroupCoordinator::HandleFetchOffsets(
    const std::string& group_id, const std::optional<std::vector<TopicPartition>>& partitions,
    std::map<TopicPartition, CommittedOffset>* out) const {
  if (manager_ == nullptr) return ErrorCode::kCoordinatorNotAvailable;
  if (ErrorCode e = CoordinatorError(group_id); e != ErrorCode::kNone) return e;
  *out = manager_->FetchOffsets(group_id, partitions);
  return ErrorCode::kNone;
}

std::vector<std::pair<std::string, std::string>> GroupCoordinator::ListGroups() const {
  std::lock_guard lock(mu_);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [id, g] : groups_) {
    if (g->group.Is(GroupState::kDead) || CoordinatorError(id) != ErrorCode::kNone) continue;
    out.emplace_back(id, g->group.protocol_type().value_or(""));
  }
  return out;
}

void GroupCoordinator::HandleDeleteGroups(
    const std::vector<std::string>& group_ids,
    std::function<void(std::map<std::string, ErrorCode>)> callback) {
  std::lock_guard lock(mu_);
  // Answered when the last group's tombstones are written.
  struct Pending {
    std::map<std::string, ErrorCode> results;
    size_t outstanding = 0;
    std::function<void(std::map<std::string, ErrorCode>)> callback;
  };
  auto pending = std::make_shared<Pending>();
  pending->callback = std::move(callback);
  pending->outstanding = 1;  // this loop's own share, released at the end
  auto finish_one = [pending] {
    if (--pending->outstanding == 0) pending->callback(pending->results);
  };
  for (const std::string& id : group_ids) {
    ErrorCode e = CoordinatorError(id);
    GroupEntry* g = Find(id);
    if (e == ErrorCode::kNone && (g == nullptr || g->group.Is(GroupState::kDead))) {
      e = ErrorCode::kGroupIdNotFound;
    } else if (e == ErrorCode::kNone && !g->group.Is(GroupState::kEmpty)) {
      e = ErrorCode::kNonEmptyGroup;
    }
    if (e != ErrorCode::kNone) {
      pending->results[id] = e;
      continue;
    }
    (void)g->group.TransitionTo(GroupState::kDead, clock_.NowMs());
    if (manager_ == nullptr) {
      groups_.erase(id);
      pending->results[id] = ErrorCode::kNone;
      continue;
    }
    ++pending->outstanding;
    manager_->DeleteGroup(id, [this, id, pending, finish_one](ErrorCode error) {
      std::lock_guard inner(mu_);
      // Forgotten here either way; if the tombstones were not written the
      // group reappears, Empty, when its partition is loaded again.
      if (auto it = groups_.find(id); it != groups_.end() && it->second->group.Is(GroupState::kDead)) {
        groups_.erase(it);
      }
      pending->results[id] = GroupStoreError(error);
      finish_one();
    });
  }
  finish_one();
}

void GroupCoordinator::OnPartitionUnloaded(int32_t partition) {
  if (manager_ == nullptr) return;
  std::lock_guard lock(mu_);
  std::vector<std::function<void()>> answers;
  for (auto it = groups_.begin(); it != groups_.end();) {
    if (manager_->PartitionFor(it->first) != partition) {
      ++it;
      continue;
    }
    GroupEntry& g = *it->second;
    if (g.join) g.join->Cancel();
    for (auto& [id, task] : g.heartbeats) task->Cancel();
    for (auto& [id, cb] : g.join_callbacks) {
      JoinGroupResult r;
      r.error = ErrorCode::kNotCoordinator;
      r.member_id = id;
      answers.push_back([cb = std::move(cb), r] { cb(r); });
    }
    for (auto& [id, cb] : g.sync_callbacks) {
      answers.push_back(
          [cb = std::move(cb)] { cb(SyncGroupResult{ErrorCode::kNotCoordinator, {}}); });
    }
    // A store still in flight finds no group and does nothing.
    it = groups_.erase(it);
  }
  for (auto& answer : answers) answer();
}

// [coordinator-load]
void GroupCoordinator::OnPartitionLoaded(int32_t partition) {
  if (manager_ == nullptr) return;
  std::lock_guard lock(mu_);
  for (const std::string& id : manager_->GroupsOf(partition)) {
    if (Find(id) != nullptr) continue;
    auto entry = std::make_unique<GroupEntry>(id, clock_.NowMs());
    GroupEntry& g = *entry;
    groups_.emplace(id, std::move(entry));
    auto stored = manager_->StoredGroup(id);
    if (!stored) continue;  // offsets only: an Empty group
    std::vector<MemberMetadata> members;
    for (const GroupMemberMetadata& s : stored->members) {
      MemberMetadata m;
      m.member_id = s.member_id;
      m.group_instance_id = s.group_instance_id;
      m.client_id = s.client_id;
      m.client_host = s.client_host;
      m.session_timeout_ms = s.session_timeout;
      m.rebalance_timeout_ms = s.rebalance_timeout > 0 ? s.rebalance_timeout : s.session_timeout;
      m.protocol_type = stored->protocol_type;
      if (stored->protocol) m.supported_protocols = {{*stored->protocol, s.subscription}};
      m.assignment = s.assignment;
      members.push_back(std::move(m));
    }
    std::optional<std::string> type;
    if (!stored->protocol_type.empty()) type = stored->protocol_type;
    g.group.Load(stored->generation, type, stored->protocol, stored->leader, std::move(members),
                 clock_.NowMs());
    // The loaded members must show up within their session timeout, as
    // after any other sign of life.
    std::vector<std::string> ids;
    for (const auto& [member_id, m] : g.group.members()) ids.push_back(member_id);
    for (const auto& member_id : ids) ScheduleHeartbeat(g, *g.group.Get(member_id));
    Logger("group-coordinator")
        ->info("group={} loaded from __consumer_offsets-{}: {} generation={} members={}", id,
               partition, GroupStateName(g.group.state()), g.group.generation_id(),
               g.group.size());
  }
}
// [coordinator-load]

}  // namespace gregor
