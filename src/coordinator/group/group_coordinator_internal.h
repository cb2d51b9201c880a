// SPDX-License-Identifier: Apache-2.0
// The GroupCoordinator's private parts, shared by its two source files
// (group_coordinator.cpp: joining and rebalancing; group_coordinator_members.cpp:
// syncing, heartbeats, leaving): a group's entry with its parked requests
// and timers, and the timer tasks.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "coordinator/group/group_coordinator.h"

namespace gregor {

// Kafka's DelayedJoin, InitialDelayedJoin and DelayedHeartbeat are
// DelayedOperations in purgatories. Here they are plain timer tasks: every
// completion path runs under the coordinator's lock and checks that the
// task is still the group's current one, which does what the
// DelayedOperation's exactly-once gate does for Kafka.
/// The end of a join phase: the rebalance timeout, or (initial) the
/// group.initial.rebalance.delay.ms of an Empty group's first rebalance.
class GroupCoordinator::DelayedJoin : public TimerTask {
 public:
  DelayedJoin(GroupCoordinator* c, std::string group_id, int64_t delay_ms, bool initial,
              int32_t remaining_ms)
      : TimerTask(delay_ms), c_(c), group_id_(std::move(group_id)), initial_(initial),
        remaining_ms_(remaining_ms) {}
  void Run() override;
  bool initial() const { return initial_; }

 private:
  GroupCoordinator* c_;
  const std::string group_id_;
  const bool initial_;  // InitialDelayedJoin: completes only by expiring
  const int32_t remaining_ms_;
};

/// A member's session timeout; replaced by a new task at every sign of life.
class GroupCoordinator::DelayedHeartbeat : public TimerTask {
 public:
  DelayedHeartbeat(GroupCoordinator* c, std::string group_id, std::string member_id,
                   uint64_t id, int64_t delay_ms)
      : TimerTask(delay_ms), c_(c), group_id_(std::move(group_id)),
        member_id_(std::move(member_id)), id_(id) {}
  void Run() override { c_->OnHeartbeatExpired(group_id_, member_id_, id_); }

 private:
  GroupCoordinator* c_;
  const std::string group_id_;
  const std::string member_id_;
  const uint64_t id_;
};

/// One group: its metadata, its parked requests and its timers.
struct GroupCoordinator::GroupEntry {
  explicit GroupEntry(const std::string& id, int64_t now_ms) : group(id, now_ms) {}
  GroupMetadata group;
  std::map<std::string, JoinCallback> join_callbacks;  // parked JoinGroups
  std::map<std::string, SyncCallback> sync_callbacks;  // parked SyncGroups
  std::map<std::string, std::shared_ptr<DelayedHeartbeat>> heartbeats;  // members and pending
  std::map<std::string, uint64_t> heartbeat_ids;
  std::shared_ptr<DelayedJoin> join;  // the current rebalance's timer
};

// A static member's previous incarnation: its instance id now belongs to
// another member id (Kafka checks this before whether the member exists).
inline bool IsFenced(const GroupMetadata& group, const std::optional<std::string>& instance_id,
                     const std::string& member_id) {
  if (!instance_id) return false;
  auto owner = group.StaticMemberId(*instance_id);
  return owner && *owner != member_id;
}

}  // namespace gregor
