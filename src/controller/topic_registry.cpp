// SPDX-License-Identifier: Apache-2.0
#include "controller/topic_registry.h"

#include <charconv>
#include <mutex>
#include <random>
#include <set>

#include "common/logging.h"
#include "record/memory_records_builder.h"
#include "record/record_batch_reader.h"
#include "storage/topic_partition.h"

namespace gregor {
namespace {

// Topic configs Gregor applies (Kafka's names).
const std::set<std::string>& TopicConfigKeys() {
  static const std::set<std::string> keys = {
      "cleanup.policy",     "retention.ms",         "retention.bytes",
      "segment.bytes",      "segment.ms",           "segment.index.bytes",
      "index.interval.bytes", "max.message.bytes",  "flush.messages",
      "flush.ms",           "message.timestamp.type", "segment.jitter.ms",
      "min.cleanable.dirty.ratio", "min.compaction.lag.ms", "max.compaction.lag.ms",
      "delete.retention.ms"};
  return keys;
}

bool ParseDouble(const std::string& s, double* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

template <typename Int>
bool ParseInt(const std::string& s, Int* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

Uuid RandomUuid() {
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}()};
  std::lock_guard lock(mu);
  TopicId id;
  for (size_t i = 0; i < id.size(); i += 8) {
    uint64_t x = rng();
    for (size_t j = 0; j < 8; ++j) id[i + j] = uint8_t(x >> (8 * j));
  }
  id[0] |= 1;  // never the all-zero "no id" value
  return id;
}

bool TopicRegistry::IsKnownTopicConfig(const std::string& key) {
  return TopicConfigKeys().count(key) > 0;
}

// [topic-log-config]
Result<LogConfig> TopicLogConfig(const LogConfig& defaults,
                                 const std::map<std::string, std::string>& overrides) {
  LogConfig c = defaults;
  for (const auto& [key, value] : overrides) {
    bool ok = true;
    if (key == "retention.ms") ok = ParseInt(value, &c.retention_ms);
    else if (key == "retention.bytes") ok = ParseInt(value, &c.retention_bytes);
    else if (key == "segment.bytes") ok = ParseInt(value, &c.segment_bytes);
    else if (key == "segment.ms") ok = ParseInt(value, &c.segment_ms);
    else if (key == "segment.jitter.ms") ok = ParseInt(value, &c.segment_jitter_ms);
    else if (key == "segment.index.bytes") ok = ParseInt(value, &c.segment_index_bytes);
    else if (key == "index.interval.bytes") ok = ParseInt(value, &c.index_interval_bytes);
    else if (key == "max.message.bytes") ok = ParseInt(value, &c.max_message_bytes);
    else if (key == "flush.messages") ok = ParseInt(value, &c.flush_messages);
    else if (key == "flush.ms") ok = ParseInt(value, &c.flush_ms);
    else if (key == "message.timestamp.type") {
      ok = value == "CreateTime" || value == "LogAppendTime";
      c.message_timestamp_type =
          value == "LogAppendTime" ? TimestampType::kLogAppendTime : TimestampType::kCreateTime;
    } else if (key == "cleanup.policy") {
      ok = ParseCleanupPolicy(value, &c.cleanup_compact, &c.cleanup_delete);
    } else if (key == "min.cleanable.dirty.ratio") {
      // Kafka's ConfigDef: between(0, 1).
      ok = ParseDouble(value, &c.min_cleanable_dirty_ratio) &&
           c.min_cleanable_dirty_ratio >= 0 && c.min_cleanable_dirty_ratio <= 1;
    } else if (key == "min.compaction.lag.ms") {
      ok = ParseInt(value, &c.min_compaction_lag_ms) && c.min_compaction_lag_ms >= 0;
    } else if (key == "max.compaction.lag.ms") {
      ok = ParseInt(value, &c.max_compaction_lag_ms) && c.max_compaction_lag_ms >= 1;
    } else if (key == "delete.retention.ms") {
      ok = ParseInt(value, &c.delete_retention_ms) && c.delete_retention_ms >= 0;
    } else {
      ok = false;
    }
    if (!ok) return Status(ErrorCode::kInvalidConfig, "invalid topic config " + key + "=" + value);
  }
  // Kafka's LogConfig.validate: the two lags must not cross.
  if (c.min_compaction_lag_ms > c.max_compaction_lag_ms) {
    return Status(ErrorCode::kInvalidConfig,
                  "min.compaction.lag.ms must not exceed max.compaction.lag.ms");
  }
  return c;
}
// [topic-log-config]

TopicRegistry::TopicRegistry(std::unique_ptr<Log> log, Clock& clock, Listener listener,
                             int32_t node_id)
    : log_(std::move(log)), clock_(clock), listener_(std::move(listener)), node_id_(node_id) {}

Result<std::unique_ptr<TopicRegistry>> TopicRegistry::Open(Env& env, const std::string& dir,
                                                           Clock& clock, Listener listener,
                                                           int32_t node_id) {
  LogConfig config;
  config.segment_bytes = 64 << 20;
  config.retention_ms = -1;  // the metadata log is the state: keep it all
  // Always recover fully: the metadata log is small and every record in it
  // was flushed before it was acknowledged, so a torn tail can only be an
  // unacknowledged change.
  auto log = Log::Open(env, dir, config, clock, LogLoadParams{});
  if (!log.ok()) return log.status();
  std::unique_ptr<TopicRegistry> registry(
      new TopicRegistry(std::move(*log), clock, std::move(listener), node_id));
  std::lock_guard lock(registry->mu_);
  if (Status s = registry->Replay(); !s.ok()) return s;
  for (const auto& [name, info] : registry->topics_) {
    registry->listener_(TopicChange{TopicChange::Kind::kCreated, info});
  }
  return registry;
}

// [topic-registry-replay]
Status TopicRegistry::Replay() {
  int64_t offset = log_->LogStartOffset().value();
  const int64_t end = log_->LogEndOffset().value();
  while (offset < end) {
    auto read = log_->Read(Offset{offset}, 1 << 20, /*min_one_message=*/true);
    if (!read.ok()) return read.status();
    auto bytes = read->records.ReadAll();
    if (!bytes.ok()) return bytes.status();
    // Only whole batches: a read may end inside one.
    ByteSpan rest(*bytes);
    int64_t next = offset;
    while (auto size = PeekBatchSize(rest)) {
      if (*size > rest.size()) break;
      auto batch = DecodeBatch(rest.subspan(0, *size));
      if (!batch.ok()) return batch.status();
      for (const RecordView& r : batch->records) {
        if (!r.value) return Status(ErrorCode::kCorruptMessage, "metadata record without value");
        auto record = DecodeMetadataRecord(AsBytes(*r.value));
        if (!record.ok()) return record.status();
        Apply(*record);
      }
      next = batch->header.NextOffset();
      rest = rest.subspan(*size);
    }
    if (next == offset) return Status(ErrorCode::kCorruptMessage, "metadata log read no batch");
    offset = next;
  }
  return Status::Ok();
}
// [topic-registry-replay]

void TopicRegistry::Apply(const MetadataRecord& record) {
  if (auto* b = std::get_if<RegisterBrokerRecord>(&record)) {
    brokers_[b->broker_id] = *b;  // log order: the latest registration wins
  } else if (auto* t = std::get_if<TopicRecord>(&record)) {
    topics_[t->name] = TopicInfo{t->name, t->topic_id, 0, {}};
    names_[t->topic_id] = t->name;
  } else if (auto* p = std::get_if<PartitionRecord>(&record)) {
    auto it = names_.find(p->topic_id);
    if (it != names_.end()) ++topics_[it->second].partitions;
  } else if (auto* c = std::get_if<ConfigRecord>(&record)) {
    auto it = topics_.find(c->resource_name);
    if (c->resource_type == 2 && it != topics_.end()) {
      if (c->value) {
        it->second.configs[c->name] = *c->value;
      } else {
        it->second.configs.erase(c->name);
      }
    }
  } else if (auto* r = std::get_if<RemoveTopicRecord>(&record)) {
    auto it = names_.find(r->topic_id);
    if (it != names_.end()) {
      topics_.erase(it->second);
      names_.erase(it);
    }
  }
}

// [topic-registry-persist]
Status TopicRegistry::Persist(const std::vector<MetadataRecord>& records) {
  MemoryRecordsBuilder builder;
  int64_t now = clock_.NowMs();
  for (const auto& r : records) {
    Bytes value = EncodeMetadataRecord(r);
    builder.Append(Record{now, std::nullopt, std::string(AsString(value)), {}});
  }
  Bytes batch = builder.Build();
  auto appended = log_->Append(batch, Epoch{0});
  if (!appended.ok()) return appended.status();
  // Durable before anyone is told: a change the broker acts on must
  // survive a crash (the controller's log is the source of truth).
  return log_->FlushAll();
}
// [topic-registry-persist]

Status TopicRegistry::CreateTopic(const std::string& name, int32_t partitions,
                                  int16_t replication_factor,
                                  const std::map<std::string, std::string>& configs,
                                  bool validate_only) {
  if (!TopicPartition::IsValidTopic(name)) {
    return Status(ErrorCode::kInvalidTopicException, "illegal topic name '" + name + "'");
  }
  if (partitions < 1) {
    return Status(ErrorCode::kInvalidPartitions, "partitions must be at least 1");
  }
  if (replication_factor != 1 && replication_factor != -1) {
    return Status(ErrorCode::kInvalidReplicationFactor,
                  "replication factor " + std::to_string(replication_factor) +
                      " is larger than the 1 available broker");
  }
  if (auto c = TopicLogConfig(LogConfig{}, configs); !c.ok()) return c.status();
  std::lock_guard lock(mu_);
  if (topics_.count(name)) {
    return Status(ErrorCode::kTopicAlreadyExists, "topic '" + name + "' already exists");
  }
  if (validate_only) return Status::Ok();

  std::vector<MetadataRecord> records;
  TopicId id = RandomUuid();
  records.push_back(TopicRecord{name, id});
  for (int32_t p = 0; p < partitions; ++p) {
    PartitionRecord pr;
    pr.partition_id = p;
    pr.topic_id = id;
    pr.replicas = pr.isr = {node_id_};
    pr.leader = node_id_;
    pr.leader_epoch = 0;
    pr.partition_epoch = 0;
    records.push_back(pr);
  }
  for (const auto& [key, value] : configs) {
    records.push_back(ConfigRecord{2, name, key, value});
  }
  if (Status s = Persist(records); !s.ok()) return s;
  for (const auto& r : records) Apply(r);
  listener_(TopicChange{TopicChange::Kind::kCreated, topics_.at(name)});
  Logger("controller")->info("created topic={} partitions={}", name, partitions);
  return Status::Ok();
}

Status TopicRegistry::DeleteTopic(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = topics_.find(name);
  if (it == topics_.end()) {
    return Status(ErrorCode::kUnknownTopicOrPartition, "no topic '" + name + "'");
  }
  TopicInfo info = it->second;
  RemoveTopicRecord record{info.id};
  if (Status s = Persist({record}); !s.ok()) return s;
  Apply(record);
  listener_(TopicChange{TopicChange::Kind::kDeleted, info});
  Logger("controller")->info("deleted topic={}", name);
  return Status::Ok();
}

// [register-broker]
Result<RegisterBrokerRecord> TopicRegistry::RegisterBroker(
    RegisterBrokerRecord registration) {
  std::lock_guard lock(mu_);
  // Kafka's broker epoch is the offset of the registration record: unique
  // and increasing without a counter of its own. The record is alone in
  // its batch, so its offset is the log end offset before the append.
  registration.broker_epoch = log_->LogEndOffset().value();
  if (Status s = Persist({registration}); !s.ok()) return s;
  Apply(registration);
  Logger("controller")->info("registered broker={} epoch={} fenced={}",
                             registration.broker_id, registration.broker_epoch,
                             registration.fenced);
  return registration;
}
// [register-broker]

std::optional<RegisterBrokerRecord> TopicRegistry::FindBroker(int32_t broker_id) const {
  std::lock_guard lock(mu_);
  auto it = brokers_.find(broker_id);
  if (it == brokers_.end()) return std::nullopt;
  return it->second;
}

std::vector<RegisterBrokerRecord> TopicRegistry::Brokers() const {
  std::lock_guard lock(mu_);
  std::vector<RegisterBrokerRecord> out;
  for (const auto& [id, registration] : brokers_) out.push_back(registration);
  return out;
}

std::optional<TopicInfo> TopicRegistry::Find(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = topics_.find(name);
  if (it == topics_.end()) return std::nullopt;
  return it->second;
}

std::vector<TopicInfo> TopicRegistry::AllTopics() const {
  std::lock_guard lock(mu_);
  std::vector<TopicInfo> out;
  for (const auto& [name, info] : topics_) out.push_back(info);
  return out;
}

}  // namespace gregor
