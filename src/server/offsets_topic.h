// SPDX-License-Identifier: Apache-2.0
// OffsetsTopic: the broker's side of `__consumer_offsets` — the glue
// between the GroupMetadataManager (which knows the records) and the
// partitions' logs (which the ReplicaManager hosts). Kafka keeps this
// plumbing inside its GroupMetadataManager; here the manager stays free of
// logs, so its unit tests need none, and this file is all it takes to put
// it on a real log.
//
//   write: GroupRecords --MemoryRecordsBuilder--> one magic-v2 batch
//          (CreateTime now, uncompressed) --ReplicaManager::AppendRecords-->
//          __consumer_offsets-p; the error (NONE once in the log) goes back
//   load:  __consumer_offsets-p from its log start to its end, batch by
//          batch, each record to GroupMetadataManager::ReplayRecord; then
//          the GroupCoordinator rebuilds the partition's groups
//
// The topic is created on the first FindCoordinator (as Kafka does) with
// offsets.topic.num.partitions partitions, offsets.topic.replication.factor
// replicas, cleanup.policy=compact and segment.bytes =
// offsets.topic.segment.bytes. Once it exists its partition count is fixed:
// the broker maps groups to partitions with the count the topic has, not
// with the config (which may have changed since).
//
// Durability: as acks=all on one node — in the log (page cache) when the
// append returns, fsynced by the log's flush policy. A commit acknowledged
// to a consumer survives a broker crash (kill -9), not a power loss.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "common/clock.h"
#include "coordinator/group/group_coordinator.h"
#include "coordinator/group/group_metadata_manager.h"
#include "server/kafka_config.h"
#include "server/replica_manager.h"

namespace gregor {

/// The internal topic's name.
inline constexpr const char* kOffsetsTopic = "__consumer_offsets";

/// The topic configs __consumer_offsets is created with.
std::map<std::string, std::string> OffsetsTopicConfigs(const KafkaConfig& config);

/// GroupMetadataManager's Appender over `replicas` (both outlive it):
/// synchronous, the completion runs before it returns.
GroupMetadataManager::Appender MakeOffsetsTopicAppender(ReplicaManager& replicas, Clock& clock);

/// Loads __consumer_offsets-`partition` into `manager` (BeginLoading,
/// ReplayRecord per record, FinishLoading), then has `coordinator` rebuild
/// its groups. A record that does not decode is logged and skipped, as
/// Kafka does. Errors: those of reading the log (the partition stays
/// loading, its groups answer COORDINATOR_LOAD_IN_PROGRESS).
Status LoadOffsetsPartition(ReplicaManager& replicas, GroupMetadataManager& manager,
                            GroupCoordinator& coordinator, int32_t partition);

}  // namespace gregor
