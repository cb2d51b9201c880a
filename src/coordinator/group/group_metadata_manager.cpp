// SPDX-License-Identifier: Apache-2.0
#include "coordinator/group/group_metadata_manager.h"

#include <memory>

namespace gregor {
namespace {

// One UTF-8 sequence at `s[i]` as a code point, advancing `i`. A byte
// that starts no valid sequence becomes U+FFFD and is consumed alone (close
// to, though not in every case equal to, what Java's decoder does; client
// group ids are valid UTF-8 in practice).
uint32_t NextCodePoint(std::string_view s, size_t& i) {
  const uint8_t c = uint8_t(s[i]);
  if (c < 0x80) {
    ++i;
    return c;
  }
  const size_t n = (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 0;
  if (n == 0 || s.size() - i <= n) {
    ++i;
    return 0xfffd;
  }
  uint32_t cp = c & (0x3fu >> n);
  for (size_t k = 1; k <= n; ++k) {
    const uint8_t b = uint8_t(s[i + k]);
    if ((b & 0xc0) != 0x80) {
      ++i;
      return 0xfffd;
    }
    cp = (cp << 6) | (b & 0x3f);
  }
  static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};  // no overlong forms
  if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
    ++i;
    return 0xfffd;
  }
  i += n + 1;
  return cp;
}

}  // namespace

// [java-string-hash]
int32_t JavaStringHashCode(std::string_view utf8) {
  uint32_t h = 0;  // Java's int arithmetic wraps: compute unsigned
  auto add = [&](uint32_t unit) { h = 31 * h + unit; };
  for (size_t i = 0; i < utf8.size();) {
    uint32_t cp = NextCodePoint(utf8, i);
    if (cp >= 0x10000) {  // a surrogate pair in UTF-16
      cp -= 0x10000;
      add(0xd800 + (cp >> 10));
      add(0xdc00 + (cp & 0x3ff));
    } else {
      add(cp);
    }
  }
  return int32_t(h);
}

int32_t PartitionForGroup(std::string_view group_id, int32_t num_partitions) {
  int32_t h = JavaStringHashCode(group_id);
  // Kafka's Utils.abs: Integer.MIN_VALUE maps to 0, not to itself.
  int32_t abs = h == INT32_MIN ? 0 : (h < 0 ? -h : h);
  return abs % num_partitions;
}
// [java-string-hash]

GroupMetadataManager::GroupMetadataManager(int32_t num_partitions, Appender appender)
    : num_partitions_(num_partitions), appender_(std::move(appender)) {}

void GroupMetadataManager::BeginLoading(int32_t partition) {
  std::lock_guard lock(mu_);
  owned_.erase(partition);
  loading_.insert(partition);
}

void GroupMetadataManager::FinishLoading(int32_t partition) {
  std::lock_guard lock(mu_);
  loading_.erase(partition);
  owned_.insert(partition);
}

void GroupMetadataManager::Unload(int32_t partition) {
  std::lock_guard lock(mu_);
  owned_.erase(partition);
  loading_.erase(partition);
  std::erase_if(groups_, [&](const auto& g) { return PartitionFor(g.first) == partition; });
}

ErrorCode GroupMetadataManager::CoordinatorError(std::string_view group_id) const {
  std::lock_guard lock(mu_);
  int32_t p = PartitionFor(group_id);
  if (loading_.contains(p)) return ErrorCode::kCoordinatorLoadInProgress;
  return owned_.contains(p) ? ErrorCode::kNone : ErrorCode::kNotCoordinator;
}

Status GroupMetadataManager::ReplayRecord(int32_t partition, ByteSpan key,
                                          std::optional<ByteSpan> value) {
  auto decoded = DecodeGroupRecordKey(key);
  if (!decoded.ok()) return decoded.status();
  std::lock_guard lock(mu_);
  const std::string& group = std::visit([](const auto& k) -> const std::string& { return k.group; },
                                        *decoded);
  if (PartitionFor(group) != partition) {
    return Status(ErrorCode::kCorruptMessage,
                  "group " + group + " found in __consumer_offsets-" + std::to_string(partition));
  }
  if (value) {  // check the value before changing anything
    Status s = std::holds_alternative<OffsetCommitKey>(*decoded)
                   ? DecodeOffsetCommitValue(*value).status()
                   : DecodeGroupMetadataValue(*value).status();
    if (!s.ok()) return s;
  }
  ApplyLocked(*decoded, value);
  return Status::Ok();
}

// [group-records-apply]
void GroupMetadataManager::ApplyLocked(const GroupRecordKey& key,
                                       const std::optional<ByteSpan>& value) {
  if (const auto* k = std::get_if<OffsetCommitKey>(&key)) {
    TopicPartition tp{k->topic, PartitionId(k->partition)};
    if (!value) {  // tombstone: the commit is deleted
      if (auto g = groups_.find(k->group); g != groups_.end()) g->second.offsets.erase(tp);
      return;
    }
    OffsetCommitValue v = *DecodeOffsetCommitValue(*value);
    CommittedOffset o{v.offset, v.leader_epoch, v.metadata, v.commit_timestamp, std::nullopt};
    if (v.expire_timestamp >= 0) o.expire_timestamp_ms = v.expire_timestamp;
    groups_[k->group].offsets[tp] = o;
    return;
  }
  const auto& g = std::get<GroupMetadataKey>(key);
  if (!value) {
    if (auto it = groups_.find(g.group); it != groups_.end()) it->second.state.reset();
    return;
  }
  groups_[g.group].state = *DecodeGroupMetadataValue(*value);
}
// [group-records-apply]

void GroupMetadataManager::StoreOffsets(
    const std::string& group_id, const std::map<TopicPartition, CommittedOffset>& offsets,
    std::function<void(std::map<TopicPartition, ErrorCode>)> done) {
  std::vector<GroupRecord> records;
  auto keys = std::make_shared<std::vector<std::pair<GroupRecordKey, Bytes>>>();
  for (const auto& [tp, o] : offsets) {
    OffsetCommitKey key{group_id, tp.topic, tp.partition.value()};
    OffsetCommitValue value{o.offset, o.leader_epoch, o.metadata, o.commit_timestamp_ms,
                            o.expire_timestamp_ms.value_or(-1)};
    Bytes value_bytes = EncodeOffsetCommitValue(value);
    records.push_back({EncodeGroupRecordKey(key), value_bytes});
    keys->emplace_back(key, std::move(value_bytes));
  }
  appender_(PartitionFor(group_id), std::move(records),
            [this, keys, offsets, done = std::move(done)](ErrorCode error) {
              std::map<TopicPartition, ErrorCode> result;
              if (error == ErrorCode::kNone) {
                std::lock_guard lock(mu_);
                for (const auto& [key, value] : *keys) ApplyLocked(key, ByteSpan(value));
              }
              for (const auto& [tp, o] : offsets) result[tp] = error;
              done(std::move(result));
            });
}

std::map<TopicPartition, CommittedOffset> GroupMetadataManager::FetchOffsets(
    const std::string& group_id,
    const std::optional<std::vector<TopicPartition>>& partitions) const {
  std::lock_guard lock(mu_);
  auto g = groups_.find(group_id);
  if (g == groups_.end()) return {};
  if (!partitions) return g->second.offsets;
  std::map<TopicPartition, CommittedOffset> out;
  for (const auto& tp : *partitions) {
    if (auto it = g->second.offsets.find(tp); it != g->second.offsets.end()) out.insert(*it);
  }
  return out;
}

void GroupMetadataManager::StoreGroup(const std::string& group_id,
                                      std::optional<GroupMetadataValue> value,
                                      std::function<void(ErrorCode)> done) {
  GroupRecordKey key = GroupMetadataKey{group_id};
  std::optional<Bytes> value_bytes;
  if (value) value_bytes = EncodeGroupMetadataValue(*value);
  std::vector<GroupRecord> records{{EncodeGroupRecordKey(key), value_bytes}};
  appender_(PartitionFor(group_id), std::move(records),
            [this, key, value_bytes, done = std::move(done)](ErrorCode error) {
              if (error == ErrorCode::kNone) {
                std::lock_guard lock(mu_);
                ApplyLocked(key, value_bytes ? std::optional<ByteSpan>(*value_bytes)
                                             : std::nullopt);
              }
              done(error);
            });
}

std::optional<GroupMetadataValue> GroupMetadataManager::StoredGroup(
    const std::string& group_id) const {
  std::lock_guard lock(mu_);
  auto g = groups_.find(group_id);
  if (g == groups_.end()) return std::nullopt;
  return g->second.state;
}

std::set<std::string> GroupMetadataManager::GroupsOf(int32_t partition) const {
  std::lock_guard lock(mu_);
  std::set<std::string> out;
  for (const auto& [id, data] : groups_) {
    if (PartitionFor(id) == partition && (data.state || !data.offsets.empty())) out.insert(id);
  }
  return out;
}

void GroupMetadataManager::DeleteGroup(const std::string& group_id,
                                       std::function<void(ErrorCode)> done) {
  std::vector<GroupRecord> records;
  {
    std::lock_guard lock(mu_);
    if (auto g = groups_.find(group_id); g != groups_.end()) {
      for (const auto& [tp, o] : g->second.offsets) {
        records.push_back({EncodeGroupRecordKey(OffsetCommitKey{group_id, tp.topic,
                                                                tp.partition.value()}),
                           std::nullopt});
      }
    }
  }
  records.push_back({EncodeGroupRecordKey(GroupMetadataKey{group_id}), std::nullopt});
  appender_(PartitionFor(group_id), std::move(records),
            [this, group_id, done = std::move(done)](ErrorCode error) {
              if (error == ErrorCode::kNone) {
                std::lock_guard lock(mu_);
                groups_.erase(group_id);
              }
              done(error);
            });
}

}  // namespace gregor
