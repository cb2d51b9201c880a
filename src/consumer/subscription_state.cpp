// SPDX-License-Identifier: Apache-2.0
#include "consumer/subscription_state.h"

namespace gregor {

Status SubscriptionState::SetType(SubscriptionType type) {
  if (type_ == SubscriptionType::kNone) {
    type_ = type;
  } else if (type_ != type) {
    return Status(ErrorCode::kInvalidRequest,
                  "Subscription to topics, partitions and pattern are mutually exclusive");
  }
  return Status::Ok();
}

Result<bool> SubscriptionState::Subscribe(const std::set<std::string>& topics,
                                          std::shared_ptr<ConsumerRebalanceListener> listener) {
  Status s = SetType(SubscriptionType::kAutoTopics);
  if (!s.ok()) return s;
  listener_ = std::move(listener);
  bool changed = subscription_ != topics;
  subscription_ = topics;
  return changed;
}

Status SubscriptionState::Subscribe(const std::regex& pattern, std::string pattern_text,
                                    std::shared_ptr<ConsumerRebalanceListener> listener) {
  Status s = SetType(SubscriptionType::kAutoPattern);
  if (!s.ok()) return s;
  listener_ = std::move(listener);
  pattern_ = pattern;
  pattern_text_ = std::move(pattern_text);
  return Status::Ok();
}

bool SubscriptionState::SubscribeFromPattern(const std::set<std::string>& topics) {
  bool changed = subscription_ != topics;
  subscription_ = topics;
  return changed;
}

bool SubscriptionState::MatchesPattern(const std::string& topic) const {
  return pattern_ && std::regex_match(topic, *pattern_);
}

Result<bool> SubscriptionState::AssignFromUser(const std::set<TopicPartition>& partitions) {
  Status s = SetType(SubscriptionType::kUserAssigned);
  if (!s.ok()) return s;
  bool changed = AssignedPartitions() != partitions;
  SetAssignment({partitions.begin(), partitions.end()});
  subscription_.clear();
  for (const auto& tp : partitions) subscription_.insert(tp.topic);
  return changed;
}

void SubscriptionState::AssignFromSubscribed(const std::vector<TopicPartition>& partitions) {
  SetAssignment(partitions);
}

void SubscriptionState::SetAssignment(const std::vector<TopicPartition>& partitions) {
  std::map<TopicPartition, TopicPartitionState> next;
  for (const auto& tp : partitions) {
    auto it = assignment_.find(tp);
    if (it != assignment_.end()) {
      next[tp] = it->second;
    } else {
      next[tp].epoch = ++next_epoch_;
    }
  }
  assignment_ = std::move(next);
}

void SubscriptionState::Unsubscribe() {
  type_ = SubscriptionType::kNone;
  subscription_.clear();
  pattern_.reset();
  pattern_text_.clear();
  listener_.reset();
  assignment_.clear();
}

std::set<TopicPartition> SubscriptionState::AssignedPartitions() const {
  std::set<TopicPartition> out;
  for (const auto& [tp, st] : assignment_) out.insert(tp);
  return out;
}

std::vector<TopicPartition> SubscriptionState::AssignedPartitionList() const {
  std::vector<TopicPartition> out;
  for (const auto& [tp, st] : assignment_) out.push_back(tp);
  return out;
}

TopicPartitionState* SubscriptionState::State(const TopicPartition& tp) {
  auto it = assignment_.find(tp);
  return it == assignment_.end() ? nullptr : &it->second;
}

const TopicPartitionState* SubscriptionState::State(const TopicPartition& tp) const {
  auto it = assignment_.find(tp);
  return it == assignment_.end() ? nullptr : &it->second;
}

void SubscriptionState::Seek(const TopicPartition& tp, int64_t offset, int32_t leader_epoch) {
  TopicPartitionState* st = State(tp);
  if (!st) return;
  st->state = FetchState::kFetching;
  st->position = offset;
  st->position_leader_epoch = leader_epoch;
  st->lookup_in_flight = false;
  st->epoch = ++next_epoch_;
}

void SubscriptionState::Advance(const TopicPartition& tp, int64_t position, int32_t leader_epoch) {
  TopicPartitionState* st = State(tp);
  if (!st) return;
  st->position = position;
  st->position_leader_epoch = leader_epoch;
}

void SubscriptionState::RequestOffsetReset(const TopicPartition& tp, OffsetResetStrategy strategy) {
  TopicPartitionState* st = State(tp);
  if (!st) return;
  st->state = FetchState::kAwaitReset;
  st->reset_strategy = strategy;
  st->next_retry_ms = 0;
  st->lookup_in_flight = false;
  st->epoch = ++next_epoch_;
}

void SubscriptionState::Pause(const TopicPartition& tp) {
  if (TopicPartitionState* st = State(tp)) st->paused = true;
}

void SubscriptionState::Resume(const TopicPartition& tp) {
  if (TopicPartitionState* st = State(tp)) st->paused = false;
}

std::set<TopicPartition> SubscriptionState::Paused() const {
  std::set<TopicPartition> out;
  for (const auto& [tp, st] : assignment_) {
    if (st.paused) out.insert(tp);
  }
  return out;
}

bool SubscriptionState::IsFetchable(const TopicPartition& tp) const {
  const TopicPartitionState* st = State(tp);
  return st && !st->paused && st->HasValidPosition();
}

std::vector<TopicPartition> SubscriptionState::FetchablePartitions() const {
  std::vector<TopicPartition> out;
  for (const auto& [tp, st] : assignment_) {
    if (!st.paused && st.HasValidPosition()) out.push_back(tp);
  }
  return out;
}

bool SubscriptionState::HasAllFetchPositions() const {
  for (const auto& [tp, st] : assignment_) {
    if (!st.HasValidPosition()) return false;
  }
  return true;
}

std::map<TopicPartition, OffsetAndMetadata> SubscriptionState::AllConsumed() const {
  std::map<TopicPartition, OffsetAndMetadata> out;
  for (const auto& [tp, st] : assignment_) {
    if (st.HasValidPosition())
      out[tp] = OffsetAndMetadata{st.position, "", st.position_leader_epoch};
  }
  return out;
}

}  // namespace gregor
