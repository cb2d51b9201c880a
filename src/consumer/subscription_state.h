// SPDX-License-Identifier: Apache-2.0
// SubscriptionState: what the consumer reads and where it is (Kafka's
// SubscriptionState).
//
// Three ways to choose partitions, mutually exclusive (Kafka's
// SubscriptionType): USER_ASSIGNED (assign: exactly these partitions),
// AUTO_TOPICS (subscribe to topics: the group decides the partitions) and
// AUTO_PATTERN (subscribe to a regex: the topics that match, rechecked at
// each metadata update). Unsubscribe returns to NONE.
//
// Each assigned partition has a state (Kafka's TopicPartitionState):
//
//   INITIALIZING ──(committed offset found / Seek)────────> FETCHING
//        │                                                     │
//        └──(no committed offset: reset strategy)──> AWAIT_RESET
//                                                  <─(OFFSET_OUT_OF_RANGE)
//   AWAIT_RESET ──(ListOffsets answered)──> FETCHING
//
// `position` is the offset of the next record to hand to the application;
// every change of it other than consuming (Seek, reset) bumps the
// partition's `epoch`, which lets the Fetcher drop fetches started from an
// old position. Paused partitions keep their position but are not fetched.
//
// Thread model: only on the application thread (inside the consumer's
// calls), as KafkaConsumer is; no lock.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "common/errors.h"
#include "gregor/consumer.h"
#include "storage/topic_partition.h"

namespace gregor {

/// The per-partition fetch state; see the file comment.
enum class FetchState { kInitializing, kFetching, kAwaitReset };

/// One assigned partition; see the file comment.
struct TopicPartitionState {
  FetchState state = FetchState::kInitializing;
  int64_t position = -1;               ///< next offset to return; -1 unknown
  int32_t position_leader_epoch = -1;  ///< epoch of the record before it
  uint64_t epoch = 0;                  ///< bumped by every Seek or reset
  bool paused = false;                 ///< Pause()d
  OffsetResetStrategy reset_strategy = OffsetResetStrategy::kNone;  ///< when kAwaitReset
  int64_t next_retry_ms = 0;      ///< no offset lookup before this
  bool lookup_in_flight = false;  ///< a ListOffsets/OffsetFetch is out
  int64_t high_watermark = -1;    ///< from the last fetch
  int64_t log_start_offset = -1;  ///< from the last fetch
  bool HasValidPosition() const { return state == FetchState::kFetching; }
};

/// How partitions are chosen; see the file comment.
enum class SubscriptionType { kNone, kAutoTopics, kAutoPattern, kUserAssigned };

/// See the file comment.
class SubscriptionState {
 public:
  explicit SubscriptionState(OffsetResetStrategy default_reset) : default_reset_(default_reset) {}

  /// AUTO_TOPICS. Errors: INVALID_REQUEST if assigned by the user.
  /// Returns whether the topic set changed.
  Result<bool> Subscribe(const std::set<std::string>& topics,
                         std::shared_ptr<ConsumerRebalanceListener> listener);
  /// AUTO_PATTERN. Errors: INVALID_REQUEST if assigned by the user.
  Status Subscribe(const std::regex& pattern, std::string pattern_text,
                   std::shared_ptr<ConsumerRebalanceListener> listener);
  /// For AUTO_PATTERN: the matching topics become the subscription;
  /// returns whether it changed.
  bool SubscribeFromPattern(const std::set<std::string>& topics);
  /// USER_ASSIGNED with exactly `partitions`; positions of partitions kept
  /// are kept. Errors: INVALID_REQUEST if subscribed. Returns true if the
  /// assignment changed.
  Result<bool> AssignFromUser(const std::set<TopicPartition>& partitions);
  /// The group's assignment (AUTO_*): keeps the state of kept partitions.
  void AssignFromSubscribed(const std::vector<TopicPartition>& partitions);
  /// NONE: no subscription, no partitions.
  void Unsubscribe();

  SubscriptionType type() const { return type_; }
  bool HasAutoAssignedPartitions() const {
    return type_ == SubscriptionType::kAutoTopics || type_ == SubscriptionType::kAutoPattern;
  }
  bool HasPatternSubscription() const { return type_ == SubscriptionType::kAutoPattern; }
  /// True if `topic` matches the pattern (AUTO_PATTERN only).
  bool MatchesPattern(const std::string& topic) const;
  const std::string& pattern_text() const { return pattern_text_; }
  const std::set<std::string>& subscription() const { return subscription_; }
  const std::shared_ptr<ConsumerRebalanceListener>& listener() const { return listener_; }
  /// The assigned partitions, ordered.
  std::set<TopicPartition> AssignedPartitions() const;
  std::vector<TopicPartition> AssignedPartitionList() const;
  bool IsAssigned(const TopicPartition& tp) const { return assignment_.count(tp) > 0; }
  /// The state of an assigned partition, or null.
  TopicPartitionState* State(const TopicPartition& tp);
  const TopicPartitionState* State(const TopicPartition& tp) const;
  /// Every assigned partition's state, ordered by partition.
  std::map<TopicPartition, TopicPartitionState>& states() { return assignment_; }

  /// Seek: position = offset, FETCHING, epoch bumped. REQUIRES: assigned.
  void Seek(const TopicPartition& tp, int64_t offset, int32_t leader_epoch = -1);
  /// Consumption: position moves forward; the epoch stays.
  void Advance(const TopicPartition& tp, int64_t position, int32_t leader_epoch);
  /// AWAIT_RESET with `strategy`, epoch bumped. REQUIRES: assigned.
  void RequestOffsetReset(const TopicPartition& tp, OffsetResetStrategy strategy);
  /// AWAIT_RESET with the default (auto.offset.reset).
  void RequestOffsetReset(const TopicPartition& tp) { RequestOffsetReset(tp, default_reset_); }
  OffsetResetStrategy default_reset() const { return default_reset_; }

  void Pause(const TopicPartition& tp);
  void Resume(const TopicPartition& tp);
  std::set<TopicPartition> Paused() const;
  /// Assigned, not paused, with a valid position: what the Fetcher reads.
  bool IsFetchable(const TopicPartition& tp) const;
  std::vector<TopicPartition> FetchablePartitions() const;
  /// True when no partition is INITIALIZING or AWAIT_RESET.
  bool HasAllFetchPositions() const;
  /// Positions of the partitions with valid ones: what a commit commits.
  std::map<TopicPartition, OffsetAndMetadata> AllConsumed() const;

 private:
  Status SetType(SubscriptionType type);
  // The assignment becomes `partitions`: kept partitions keep their state,
  // new ones start with a fresh epoch.
  void SetAssignment(const std::vector<TopicPartition>& partitions);

  const OffsetResetStrategy default_reset_;
  SubscriptionType type_ = SubscriptionType::kNone;
  std::set<std::string> subscription_;
  std::optional<std::regex> pattern_;
  std::string pattern_text_;
  std::shared_ptr<ConsumerRebalanceListener> listener_;
  std::map<TopicPartition, TopicPartitionState> assignment_;
  // Epochs come from one counter, so a partition assigned again never
  // reuses an epoch a fetch of its earlier assignment carried.
  uint64_t next_epoch_ = 0;
};

}  // namespace gregor
