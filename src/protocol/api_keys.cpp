// SPDX-License-Identifier: Apache-2.0
#include "protocol/api_keys.h"

#include <algorithm>
#include <array>

namespace gregor {

namespace {

// One row per known key: Kafka's name and the first flexible version from
// the "flexibleVersions" of its message schemas.
struct ApiKeyInfo {
  ApiKey key;
  const char* name;
  int16_t flexible_from;
};

constexpr ApiKeyInfo kApiKeys[] = {
    {ApiKey::kProduce, "Produce", 9},
    {ApiKey::kFetch, "Fetch", 12},
    {ApiKey::kListOffsets, "ListOffsets", 6},
    {ApiKey::kMetadata, "Metadata", 9},
    {ApiKey::kLeaderAndIsr, "LeaderAndIsr", 4},
    {ApiKey::kStopReplica, "StopReplica", 2},
    {ApiKey::kUpdateMetadata, "UpdateMetadata", 6},
    {ApiKey::kControlledShutdown, "ControlledShutdown", 3},
    {ApiKey::kOffsetCommit, "OffsetCommit", 8},
    {ApiKey::kOffsetFetch, "OffsetFetch", 6},
    {ApiKey::kFindCoordinator, "FindCoordinator", 3},
    {ApiKey::kJoinGroup, "JoinGroup", 6},
    {ApiKey::kHeartbeat, "Heartbeat", 4},
    {ApiKey::kLeaveGroup, "LeaveGroup", 4},
    {ApiKey::kSyncGroup, "SyncGroup", 4},
    {ApiKey::kDescribeGroups, "DescribeGroups", 5},
    {ApiKey::kListGroups, "ListGroups", 3},
    {ApiKey::kSaslHandshake, "SaslHandshake", kNeverFlexible},
    {ApiKey::kApiVersions, "ApiVersions", 3},
    {ApiKey::kCreateTopics, "CreateTopics", 5},
    {ApiKey::kDeleteTopics, "DeleteTopics", 4},
    {ApiKey::kDeleteRecords, "DeleteRecords", 2},
    {ApiKey::kInitProducerId, "InitProducerId", 2},
    {ApiKey::kOffsetForLeaderEpoch, "OffsetForLeaderEpoch", 4},
    {ApiKey::kAddPartitionsToTxn, "AddPartitionsToTxn", 3},
    {ApiKey::kAddOffsetsToTxn, "AddOffsetsToTxn", 3},
    {ApiKey::kEndTxn, "EndTxn", 3},
    {ApiKey::kWriteTxnMarkers, "WriteTxnMarkers", 1},
    {ApiKey::kTxnOffsetCommit, "TxnOffsetCommit", 3},
    {ApiKey::kDescribeAcls, "DescribeAcls", 2},
    {ApiKey::kCreateAcls, "CreateAcls", 2},
    {ApiKey::kDeleteAcls, "DeleteAcls", 2},
    {ApiKey::kDescribeConfigs, "DescribeConfigs", 4},
    {ApiKey::kAlterConfigs, "AlterConfigs", 2},
    {ApiKey::kDescribeLogDirs, "DescribeLogDirs", 2},
    {ApiKey::kSaslAuthenticate, "SaslAuthenticate", 2},
    {ApiKey::kCreatePartitions, "CreatePartitions", 2},
    {ApiKey::kDeleteGroups, "DeleteGroups", 2},
    {ApiKey::kIncrementalAlterConfigs, "IncrementalAlterConfigs", 1},
    {ApiKey::kAlterPartitionReassignments, "AlterPartitionReassignments", 0},
    {ApiKey::kListPartitionReassignments, "ListPartitionReassignments", 0},
    {ApiKey::kDescribeCluster, "DescribeCluster", 0},
};

const ApiKeyInfo* FindInfo(ApiKey key) {
  auto it = std::find_if(std::begin(kApiKeys), std::end(kApiKeys),
                         [key](const ApiKeyInfo& i) { return i.key == key; });
  return it == std::end(kApiKeys) ? nullptr : &*it;
}

// [protocol-supported-apis]
// Only what src/protocol/ implements and tests (client-compat.md §2).
constexpr std::array<ApiVersionRange, 17> kSupported{{
    {ApiKey::kProduce, 3, 7},
    {ApiKey::kFetch, 4, 11},
    {ApiKey::kListOffsets, 1, 3},
    {ApiKey::kMetadata, 0, 6},
    {ApiKey::kOffsetCommit, 2, 7},
    {ApiKey::kOffsetFetch, 1, 5},
    {ApiKey::kFindCoordinator, 0, 2},
    {ApiKey::kJoinGroup, 0, 5},
    {ApiKey::kHeartbeat, 0, 3},
    {ApiKey::kLeaveGroup, 0, 3},
    {ApiKey::kSyncGroup, 0, 3},
    {ApiKey::kDescribeGroups, 0, 4},
    {ApiKey::kListGroups, 0, 2},
    {ApiKey::kApiVersions, 0, 3},
    {ApiKey::kCreateTopics, 0, 4},
    {ApiKey::kDeleteTopics, 0, 3},
    {ApiKey::kDeleteGroups, 0, 1},
}};
// [protocol-supported-apis]

}  // namespace

const char* ApiKeyName(ApiKey key) {
  const ApiKeyInfo* info = FindInfo(key);
  return info ? info->name : "Unknown";
}

int16_t FlexibleVersion(ApiKey key) {
  const ApiKeyInfo* info = FindInfo(key);
  return info ? info->flexible_from : kNeverFlexible;
}

std::span<const ApiVersionRange> SupportedApis() { return kSupported; }

const ApiVersionRange* FindSupportedApi(ApiKey key) {
  auto it = std::find_if(kSupported.begin(), kSupported.end(),
                         [key](const ApiVersionRange& r) { return r.key == key; });
  return it == kSupported.end() ? nullptr : &*it;
}

}  // namespace gregor
