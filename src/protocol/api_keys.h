// SPDX-License-Identifier: Apache-2.0
// Kafka's API keys (the int16 at the start of every request header), their
// names, and the versions this broker implements.
//
//   ApiKey              Kafka's numbers (ApiKeys.java); any int16 may arrive
//                       on the wire, so a value outside the enum is legal and
//                       simply "unknown".
//   SupportedApis()     what ApiVersions advertises: only versions whose
//                       every field is encoded, decoded and tested here
//                       (client-compat.md §2: clients use any version inside
//                       the range, so a gap is a bug report waiting).
//   FlexibleVersion()   the first version of each API that uses the flexible
//                       encoding (compact strings/arrays, tagged fields,
//                       request header v2 / response header v1), from the
//                       "flexibleVersions" of Kafka's message schemas.
#pragma once

#include <cstdint>
#include <span>

namespace gregor {

/// The API key of a request: which operation it is (Produce = 0, Fetch = 1,
/// ...). Numbers are Kafka's; the enum lists the keys clients send today.
enum class ApiKey : int16_t {
  kProduce = 0,
  kFetch = 1,
  kListOffsets = 2,
  kMetadata = 3,
  kLeaderAndIsr = 4,
  kStopReplica = 5,
  kUpdateMetadata = 6,
  kControlledShutdown = 7,
  kOffsetCommit = 8,
  kOffsetFetch = 9,
  kFindCoordinator = 10,
  kJoinGroup = 11,
  kHeartbeat = 12,
  kLeaveGroup = 13,
  kSyncGroup = 14,
  kDescribeGroups = 15,
  kListGroups = 16,
  kSaslHandshake = 17,
  kApiVersions = 18,
  kCreateTopics = 19,
  kDeleteTopics = 20,
  kDeleteRecords = 21,
  kInitProducerId = 22,
  kOffsetForLeaderEpoch = 23,
  kAddPartitionsToTxn = 24,
  kAddOffsetsToTxn = 25,
  kEndTxn = 26,
  kWriteTxnMarkers = 27,
  kTxnOffsetCommit = 28,
  kDescribeAcls = 29,
  kCreateAcls = 30,
  kDeleteAcls = 31,
  kDescribeConfigs = 32,
  kAlterConfigs = 33,
  kDescribeLogDirs = 35,
  kSaslAuthenticate = 36,
  kCreatePartitions = 37,
  kDeleteGroups = 42,
  kIncrementalAlterConfigs = 44,
  kAlterPartitionReassignments = 45,
  kListPartitionReassignments = 46,
  kDescribeCluster = 60,
};

/// Kafka's name of a key ("Produce", "ApiVersions"), or "Unknown".
const char* ApiKeyName(ApiKey key);

/// One row of the ApiVersions response: the versions of `key` we accept.
struct ApiVersionRange {
  ApiKey key;           ///< the API
  int16_t min_version;  ///< lowest version implemented
  int16_t max_version;  ///< highest version implemented
};

/// The versions this broker advertises, ordered by key. Every version in
/// each range is implemented in src/protocol/ and round-trip tested.
std::span<const ApiVersionRange> SupportedApis();

/// The advertised range of `key`, or nullptr when the key is not served.
const ApiVersionRange* FindSupportedApi(ApiKey key);

/// A version no request reaches: the "flexible from" of an API that never
/// became flexible, or of an unknown key.
inline constexpr int16_t kNeverFlexible = INT16_MAX;

/// The first flexible version of `key` (Kafka's schemas' "flexibleVersions");
/// kNeverFlexible for keys this table does not know.
int16_t FlexibleVersion(ApiKey key);

/// True when `version` of `key` uses the flexible encoding.
inline bool IsFlexible(ApiKey key, int16_t version) { return version >= FlexibleVersion(key); }

}  // namespace gregor
