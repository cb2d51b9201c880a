// SPDX-License-Identifier: Apache-2.0
// GroupMetadataManager: the committed offsets and stored group states of
// the groups this broker coordinates, kept as records in the compacted
// topic `__consumer_offsets` (Kafka's GroupMetadataManager, without the
// log plumbing, which the broker injects).
//
// A group belongs to one partition of __consumer_offsets:
// abs(Java's String.hashCode(group id)) mod offsets.topic.num.partitions.
// The hash must be Java's so that every client and tool that computes it
// (and Kafka itself, reading a log Gregor wrote) agrees. The leader of that
// partition is the group's coordinator; FindCoordinator answers with it.
//
// Writing: a commit becomes one record per partition, key OffsetCommitKey,
// value OffsetCommitValue (group_metadata_records.h); a completed
// rebalance becomes one record keyed GroupMetadataKey. The cache is
// updated only once the append succeeded, so an OffsetFetch never returns
// an offset the log could lose. The compacted topic keeps the latest value
// per key: the log's size follows the number of groups and partitions, not
// the number of commits.
//
// Loading: when the broker becomes leader of a partition, it calls
// BeginLoading, feeds every record of the log in offset order to
// ReplayRecord, and calls FinishLoading. Meanwhile requests for the
// partition's groups get COORDINATOR_LOAD_IN_PROGRESS (retriable); groups
// of partitions not owned get NOT_COORDINATOR. A tombstone (null value)
// deletes what its key names.
//
// Not yet: offsets.retention.minutes expiry, transactional offset commits
// (chapter 07), moving partitions between brokers (chapter 04; the
// Unload call is the hook).
//
// Thread-safety: all methods are thread-safe (one mutex). The appender's
// completion may run on any thread; callbacks run without the lock.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/errors.h"
#include "coordinator/group/group_metadata_records.h"
#include "storage/topic_partition.h"

namespace gregor {

/// Java's String.hashCode over the UTF-16 code units of `utf8` (invalid
/// bytes count as U+FFFD, as Java's decoder makes them).
int32_t JavaStringHashCode(std::string_view utf8);
/// The __consumer_offsets partition of `group_id` (Kafka's partitionFor).
/// REQUIRES: num_partitions > 0.
int32_t PartitionForGroup(std::string_view group_id, int32_t num_partitions);

/// A committed offset as OffsetFetch returns it (Kafka's broker-side
/// OffsetAndMetadata; renamed so it cannot meet the consumer's public one).
struct CommittedOffset {
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::string metadata;
  int64_t commit_timestamp_ms = 0;
  /// OffsetCommit v2-4's retention_time_ms, if the client set one.
  std::optional<int64_t> expire_timestamp_ms;
  bool operator==(const CommittedOffset&) const = default;
};

/// One record for __consumer_offsets: a key and a value, or a tombstone.
struct GroupRecord {
  Bytes key;
  std::optional<Bytes> value;
};

/// Offsets and group states in __consumer_offsets; see the file comment.
class GroupMetadataManager {
 public:
  /// Appends `records` to partition `partition` of __consumer_offsets
  /// (acks=all on one node: written to the log) and calls `done` with the
  /// result, now or later, on any thread.
  using Appender = std::function<void(int32_t partition, std::vector<GroupRecord> records,
                                      std::function<void(ErrorCode)> done)>;

  /// REQUIRES: num_partitions > 0 (offsets.topic.num.partitions).
  GroupMetadataManager(int32_t num_partitions, Appender appender);

  int32_t num_partitions() const { return num_partitions_; }
  int32_t PartitionFor(std::string_view group_id) const {
    return PartitionForGroup(group_id, num_partitions_);
  }

  // Ownership and loading.
  /// The partition is being loaded: its groups get COORDINATOR_LOAD_IN_PROGRESS.
  void BeginLoading(int32_t partition);
  /// Applies one record of the partition's log. Errors: CORRUPT_MESSAGE
  /// (the key or value does not decode); the record is skipped.
  Status ReplayRecord(int32_t partition, ByteSpan key, std::optional<ByteSpan> value);
  /// Loading done: the partition's groups are served.
  void FinishLoading(int32_t partition);
  /// The partition moved away: its groups are forgotten (NOT_COORDINATOR).
  void Unload(int32_t partition);
  /// NONE when this broker serves `group_id` now, else
  /// COORDINATOR_LOAD_IN_PROGRESS or NOT_COORDINATOR.
  ErrorCode CoordinatorError(std::string_view group_id) const;

  // Offsets.
  /// Persists `offsets` of `group_id`, then caches them. `done` gets one
  /// error per partition (all the append's error if it failed).
  /// REQUIRES: CoordinatorError(group_id) == NONE.
  void StoreOffsets(const std::string& group_id,
                    const std::map<TopicPartition, CommittedOffset>& offsets,
                    std::function<void(std::map<TopicPartition, ErrorCode>)> done);
  /// The committed offsets of `group_id`: those of `partitions`, or all
  /// when nullopt. A partition without a commit is absent.
  std::map<TopicPartition, CommittedOffset> FetchOffsets(
      const std::string& group_id,
      const std::optional<std::vector<TopicPartition>>& partitions) const;

  // Group states.
  /// Persists a group's state after a rebalance (or a tombstone when
  /// `value` is nullopt: the group was deleted), then caches it.
  void StoreGroup(const std::string& group_id, std::optional<GroupMetadataValue> value,
                  std::function<void(ErrorCode)> done);
  /// The stored state of `group_id`, as last written or loaded.
  std::optional<GroupMetadataValue> StoredGroup(const std::string& group_id) const;
  /// Groups of `partition` with a stored state or offsets.
  std::set<std::string> GroupsOf(int32_t partition) const;
  /// Deletes a group's offsets and state (DeleteGroups): tombstones for
  /// every key, then the cache. REQUIRES: the group has no members.
  void DeleteGroup(const std::string& group_id, std::function<void(ErrorCode)> done);

 private:
  struct GroupData {
    std::map<TopicPartition, CommittedOffset> offsets;
    std::optional<GroupMetadataValue> state;
  };
  // REQUIRES: mu_ held.
  void ApplyLocked(const GroupRecordKey& key, const std::optional<ByteSpan>& value);

  const int32_t num_partitions_;
  const Appender appender_;

  mutable std::mutex mu_;
  // Guarded by mu_:
  std::set<int32_t> owned_;    // partitions loaded and served
  std::set<int32_t> loading_;  // partitions being loaded
  std::map<std::string, GroupData> groups_;
};

}  // namespace gregor
