// SPDX-License-Identifier: Apache-2.0
// One sample of each group-coordinator message (chapter 06) with every
// field away from its default, as samples.h does for the other APIs.
#pragma once

#include "protocol/consumer_protocol.h"
#include "protocol/delete_groups.h"
#include "protocol/describe_groups.h"
#include "protocol/find_coordinator.h"
#include "protocol/heartbeat.h"
#include "protocol/join_group.h"
#include "protocol/leave_group.h"
#include "protocol/list_groups.h"
#include "protocol/offset_commit.h"
#include "protocol/offset_fetch.h"
#include "protocol/sync_group.h"

namespace gregor::testing {

inline Bytes SomePayload(uint8_t seed) { return Bytes{seed, 0xfe, 0, 7}; }

inline FindCoordinatorRequest SampleFindCoordinatorRequest() {
  return {.key = "txn-app", .key_type = static_cast<int8_t>(CoordinatorType::kTransaction)};
}

inline FindCoordinatorResponse SampleFindCoordinatorResponse() {
  return {.throttle_time_ms = 3,
          .error_code = ErrorCode::kCoordinatorNotAvailable,
          .error_message = "loading",
          .node_id = 2,
          .host = "broker-2",
          .port = 9093};
}

inline JoinGroupRequest SampleJoinGroupRequest() {
  JoinGroupRequest r;
  r.group_id = "orders-app";
  r.session_timeout_ms = 10000;
  r.rebalance_timeout_ms = 300000;
  r.member_id = "consumer-1-abc";
  r.group_instance_id = "host-1";
  r.protocol_type = "consumer";
  r.protocols = {{"range", SomePayload(1)}, {"roundrobin", {}}};
  return r;
}

inline JoinGroupResponse SampleJoinGroupResponse() {
  JoinGroupResponse r;
  r.throttle_time_ms = 4;
  r.error_code = ErrorCode::kMemberIdRequired;
  r.generation_id = 7;
  r.protocol_name = "range";
  r.leader = "consumer-1-abc";
  r.member_id = "consumer-2-def";
  r.members = {{"consumer-1-abc", "host-1", SomePayload(2)}, {"consumer-2-def", std::nullopt, {}}};
  return r;
}

inline SyncGroupRequest SampleSyncGroupRequest() {
  SyncGroupRequest r;
  r.group_id = "orders-app";
  r.generation_id = 7;
  r.member_id = "consumer-1-abc";
  r.group_instance_id = "host-1";
  r.assignments = {{"consumer-1-abc", SomePayload(3)}, {"consumer-2-def", {}}};
  return r;
}

inline SyncGroupResponse SampleSyncGroupResponse() {
  return {.throttle_time_ms = 5,
          .error_code = ErrorCode::kRebalanceInProgress,
          .assignment = SomePayload(4)};
}

inline HeartbeatRequest SampleHeartbeatRequest() {
  return {.group_id = "orders-app",
          .generation_id = 7,
          .member_id = "consumer-1-abc",
          .group_instance_id = "host-1"};
}

inline HeartbeatResponse SampleHeartbeatResponse() {
  return {.throttle_time_ms = 6, .error_code = ErrorCode::kRebalanceInProgress};
}

inline LeaveGroupRequest SampleLeaveGroupRequest() {
  LeaveGroupRequest r;
  r.group_id = "orders-app";
  r.member_id = "consumer-1-abc";
  r.members = {{"consumer-1-abc", std::nullopt}, {"", "host-2"}};
  return r;
}

inline LeaveGroupResponse SampleLeaveGroupResponse() {
  LeaveGroupResponse r;
  r.throttle_time_ms = 7;
  r.error_code = ErrorCode::kNone;
  r.members = {{"consumer-1-abc", std::nullopt, ErrorCode::kNone},
               {"", "host-2", ErrorCode::kUnknownMemberId}};
  return r;
}

inline OffsetCommitRequest SampleOffsetCommitRequest() {
  OffsetCommitRequest r;
  r.group_id = "orders-app";
  r.generation_id = 7;
  r.member_id = "consumer-1-abc";
  r.group_instance_id = "host-1";
  r.retention_time_ms = 86400000;
  r.topics = {{"orders", {{0, 42, 3, "note"}, {5, 1000, 4, std::nullopt}}}, {"empty", {}}};
  return r;
}

inline OffsetCommitResponse SampleOffsetCommitResponse() {
  OffsetCommitResponse r;
  r.throttle_time_ms = 8;
  r.topics = {{"orders", {{0, ErrorCode::kNone}, {5, ErrorCode::kIllegalGeneration}}}};
  return r;
}

inline OffsetFetchRequest SampleOffsetFetchRequest() {
  OffsetFetchRequest r;
  r.group_id = "orders-app";
  r.topics = std::vector<OffsetFetchRequestTopic>{{"orders", {0, 5}}, {"payments", {}}};
  return r;
}

inline OffsetFetchResponse SampleOffsetFetchResponse() {
  OffsetFetchResponse r;
  r.throttle_time_ms = 9;
  r.topics = {{"orders",
               {{0, 42, 3, "note", ErrorCode::kNone},
                {5, -1, -1, std::nullopt, ErrorCode::kUnstableOffsetCommit}}}};
  r.error_code = ErrorCode::kCoordinatorLoadInProgress;
  return r;
}

inline DescribeGroupsRequest SampleDescribeGroupsRequest() {
  return {.groups = {"orders-app", "audit"}, .include_authorized_operations = true};
}

inline DescribeGroupsResponse SampleDescribeGroupsResponse() {
  DescribedGroupMember m{"consumer-1-abc", "host-1",       "consumer-1",
                         "/127.0.0.1",     SomePayload(5), SomePayload(6)};
  DescribeGroupsResponse r;
  r.throttle_time_ms = 10;
  r.groups = {{ErrorCode::kNone, "orders-app", "Stable", "consumer", "range", {m, m}, 0x0f8},
              {ErrorCode::kNone, "audit", "Dead", "", "", {}, kAuthorizedOperationsOmitted}};
  return r;
}

inline ListGroupsResponse SampleListGroupsResponse() {
  return {.throttle_time_ms = 11,
          .error_code = ErrorCode::kNone,
          .groups = {{"orders-app", "consumer"}, {"connect-x", "connect"}}};
}

inline DeleteGroupsRequest SampleDeleteGroupsRequest() {
  return {.groups_names = {"orders-app", "audit"}};
}

inline DeleteGroupsResponse SampleDeleteGroupsResponse() {
  return {.throttle_time_ms = 12,
          .results = {{"orders-app", ErrorCode::kNonEmptyGroup},
                      {"audit", ErrorCode::kGroupIdNotFound}}};
}

inline ConsumerProtocolSubscription SampleSubscription() {
  return {.topics = {"orders", "payments"},
          .user_data = SomePayload(7),
          .owned_partitions = {{"orders", {0, 2}}, {"payments", {1}}}};
}

inline ConsumerProtocolAssignment SampleAssignment() {
  return {.assigned_partitions = {{"orders", {0, 2}}, {"payments", {}}},
          .user_data = SomePayload(8)};
}

}  // namespace gregor::testing
