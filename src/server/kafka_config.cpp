// SPDX-License-Identifier: Apache-2.0
#include "server/kafka_config.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace gregor {
namespace {

constexpr const char* kLongMax = "9223372036854775807";

// [config-defs]
std::vector<ConfigDef> MakeDefs() {
  using T = ConfigType;
  return {
      {"node.id", T::kInt, "1", "This node's id in the cluster."},
      {"process.roles", T::kList, "broker,controller",
       "broker, controller, or both (combined mode)."},
      {"listeners", T::kList, "PLAINTEXT://localhost:9092",
       "Addresses to listen on; `localhost` binds 127.0.0.1 and ::1."},
      {"advertised.listeners", T::kList, "",
       "Addresses given to clients in Metadata; empty means `listeners`."},
      {"controller.listener.names", T::kList, "CONTROLLER", "Listeners the controller uses."},
      {"controller.quorum.voters", T::kList, "1@localhost:9093",
       "The controller quorum: id@host:port entries."},
      {"log.dirs", T::kList, "/tmp/kraft-combined-logs", "Directories that hold the logs."},
      {"num.partitions", T::kInt, "1", "Partitions of an auto-created topic."},
      {"default.replication.factor", T::kInt, "1", "Replication factor of auto-created topics."},
      {"auto.create.topics.enable", T::kBool, "true",
       "Create a topic when Metadata asks for an unknown one."},
      {"delete.topic.enable", T::kBool, "true", "Allow DeleteTopics."},
      {"log.segment.bytes", T::kInt, "1073741824", "Roll a segment at this size."},
      {"log.roll.ms", T::kLong, "", "Roll a segment at this age (overrides log.roll.hours)."},
      {"log.roll.hours", T::kInt, "168", "Roll a segment at this age, in hours."},
      {"log.retention.ms", T::kLong, "", "Delete segments older than this (finest unit wins)."},
      {"log.retention.minutes", T::kInt, "", "Retention in minutes."},
      {"log.retention.hours", T::kInt, "168", "Retention in hours."},
      {"log.retention.bytes", T::kLong, "-1", "Delete oldest segments above this size; -1 = no limit."},
      {"log.retention.check.interval.ms", T::kLong, "300000",
       "How often retention runs over every log."},
      {"log.index.interval.bytes", T::kInt, "4096", "Log bytes between two offset-index entries."},
      {"log.index.size.max.bytes", T::kInt, "10485760", "Preallocated size of each index."},
      {"log.flush.interval.messages", T::kLong, kLongMax, "fsync after this many records."},
      {"log.flush.interval.ms", T::kLong, kLongMax, "fsync when the last flush is this old."},
      {"log.flush.offset.checkpoint.interval.ms", T::kLong, "60000",
       "Flush rolled segments and write the recovery-point checkpoint this often."},
      {"log.message.timestamp.type", T::kString, "CreateTime", "CreateTime or LogAppendTime."},
      // Compaction (chapter 01): the topic default and the cleaner threads.
      {"log.cleanup.policy", T::kList, "delete",
       "delete, compact, or both: retention removes old segments, the cleaner keeps the "
       "latest record per key."},
      {"log.cleaner.enable", T::kBool, "true", "Run the log cleaner threads."},
      {"log.cleaner.threads", T::kInt, "1", "Cleaner threads."},
      {"log.cleaner.dedupe.buffer.size", T::kLong, "134217728",
       "OffsetMap memory of all cleaner threads together."},
      {"log.cleaner.min.cleanable.ratio", T::kDouble, "0.5",
       "Clean a log when its dirty bytes exceed this share of its bytes."},
      {"log.cleaner.delete.retention.ms", T::kLong, "86400000",
       "Keep tombstones this long after their segment was cleaned."},
      {"log.cleaner.min.compaction.lag.ms", T::kLong, "0",
       "Records younger than this are not compacted."},
      {"log.cleaner.max.compaction.lag.ms", T::kLong, kLongMax,
       "A dirty record older than this makes its log cleanable whatever its ratio."},
      {"log.cleaner.backoff.ms", T::kLong, "15000",
       "Sleep this long when no log needs cleaning, and after a failed pass."},
      {"message.max.bytes", T::kInt, "1048588", "Largest record batch accepted."},
      {"socket.request.max.bytes", T::kInt, "104857600", "Largest request frame accepted."},
      {"num.network.threads", T::kInt, "3", "Processor threads (socket I/O)."},
      {"num.io.threads", T::kInt, "8", "Request handler threads."},
      {"queued.max.requests", T::kInt, "500", "Requests queued for the handlers at most."},
      {"connections.max.idle.ms", T::kLong, "600000", "Close connections idle this long."},
      {"offsets.topic.num.partitions", T::kInt, "50", "Partitions of __consumer_offsets."},
      {"offsets.topic.replication.factor", T::kInt, "3",
       "Replication factor of __consumer_offsets (1 on a single node)."},
      {"transaction.state.log.replication.factor", T::kInt, "3",
       "Replication factor of __transaction_state (1 on a single node)."},
      {"transaction.state.log.min.isr", T::kInt, "2", "min.insync.replicas of __transaction_state."},
      {"offsets.topic.segment.bytes", T::kInt, "104857600",
       "segment.bytes of __consumer_offsets (small segments compact sooner)."},
      {"group.initial.rebalance.delay.ms", T::kInt, "3000",
       "Wait this long for more members before the first rebalance."},
      {"group.min.session.timeout.ms", T::kInt, "6000",
       "Shortest session.timeout.ms a consumer may ask for."},
      {"group.max.session.timeout.ms", T::kInt, "1800000",
       "Longest session.timeout.ms a consumer may ask for."},
      {"gregor.create.topics.max.partitions", T::kInt, "10000",
       "Partitions one CreateTopics request may create in all (Kafka's controller: "
       "10,000 records per operation)."},
      {"gregor.metrics.listener", T::kString, "",
       "host:port of the Prometheus /metrics endpoint; empty = off."},
      // Test-only fault injection (FaultInjector); off unless the partition is set.
      {"gregor.test.fault.partition", T::kString, "",
       "TEST ONLY: topic-partition (`orders-0`) whose requests are faulted; empty = off."},
      {"gregor.test.fault.api", T::kString, "produce",
       "TEST ONLY: which requests are faulted: `produce` or `fetch`."},
      {"gregor.test.fault.error", T::kString, "",
       "TEST ONLY: Kafka error name to answer with (`NOT_LEADER_OR_FOLLOWER`); empty = none."},
      {"gregor.test.fault.count", T::kLong, "1",
       "TEST ONLY: how many partition requests are faulted."},
      {"gregor.test.fault.delay.ms", T::kLong, "0",
       "TEST ONLY: delay each faulted request this long before answering."},
      // Test-only disk faults (DiskFaultController); off unless set to `fault`.
      {"gregor.test.env", T::kString, "posix",
       "TEST ONLY: `fault` runs the broker's storage over a FaultInjectionEnv driven by "
       "gregor.test.fault.control.file (ENOSPC, EIO, simulated power loss); `posix` = off."},
      {"gregor.test.fault.control.file", T::kString, "",
       "TEST ONLY: the file polled every 100 ms under gregor.test.env=fault; holds `none`, "
       "`enospc`, `eio` or `powerloss`. Empty = `gregor-fault-control` beside the first log dir."},
  };
}
// [config-defs]

std::string Trim(std::string s) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

template <typename Int>
bool ParseInt(const std::string& s, Int* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool ParseDouble(const std::string& s, double* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool Valid(ConfigType type, const std::string& v) {
  switch (type) {
    case ConfigType::kInt: {
      int32_t x;
      return ParseInt(v, &x);
    }
    case ConfigType::kLong: {
      int64_t x;
      return ParseInt(v, &x);
    }
    case ConfigType::kDouble: {
      double x;
      return ParseDouble(v, &x);
    }
    case ConfigType::kBool:
      return v == "true" || v == "false";
    case ConfigType::kString:
    case ConfigType::kList:
      return true;
  }
  return false;
}

}  // namespace

const std::vector<ConfigDef>& BrokerConfigDefs() {
  static const std::vector<ConfigDef> defs = MakeDefs();
  return defs;
}

Result<std::map<std::string, std::string>> ParseProperties(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line, logical;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    std::string t = Trim(line);
    if (logical.empty() && (t.empty() || t[0] == '#' || t[0] == '!')) continue;
    if (!t.empty() && t.back() == '\\') {  // continuation: join with the next line
      logical += t.substr(0, t.size() - 1);
      continue;
    }
    logical += t;
    size_t sep = logical.find_first_of("=:");
    std::string key = Trim(logical.substr(0, sep));
    if (key.empty()) {
      return Status(ErrorCode::kInvalidConfig, "line " + std::to_string(lineno) + ": no key");
    }
    out[key] = sep == std::string::npos ? "" : Trim(logical.substr(sep + 1));
    logical.clear();
  }
  return out;
}

Result<std::map<std::string, std::string>> ReadPropertiesFile(const std::string& path) {
  std::ifstream f(path);
  if (!f) return Status(ErrorCode::kKafkaStorageError, "cannot read " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ParseProperties(ss.str());
}

Result<KafkaConfig> KafkaConfig::Create(const std::map<std::string, std::string>& props,
                                        std::vector<std::string>* unknown) {
  KafkaConfig config;
  const auto& defs = BrokerConfigDefs();
  for (const auto& [key, value] : props) {
    auto def = std::find_if(defs.begin(), defs.end(), [&](const ConfigDef& d) {
      return d.name == key;
    });
    if (def == defs.end()) {
      if (unknown) unknown->push_back(key);
      continue;
    }
    if (!Valid(def->type, value)) {
      return Status(ErrorCode::kInvalidConfig, "invalid value '" + value + "' for " + key);
    }
    config.values_[key] = value;
  }
  if (Status s = config.ValidateCleanerKeys(); !s.ok()) return s;
  return config;
}

namespace {

// log.cleanup.policy's list items, parsed as a topic's cleanup.policy.
bool CleanupPolicyOf(const KafkaConfig& config, bool* compact, bool* del) {
  std::string policy;
  for (const auto& item : config.GetList("log.cleanup.policy")) {
    policy += (policy.empty() ? "" : ",") + item;
  }
  return ParseCleanupPolicy(policy, compact, del);
}

}  // namespace

// Ranges Kafka's ConfigDef enforces on the compaction keys.
Status KafkaConfig::ValidateCleanerKeys() const {
  auto invalid = [&](const std::string& key) {
    auto it = values_.find(key);
    return Status(ErrorCode::kInvalidConfig,
                  "invalid value '" + (it == values_.end() ? "" : it->second) + "' for " + key);
  };
  bool compact, del;
  if (!CleanupPolicyOf(*this, &compact, &del)) return invalid("log.cleanup.policy");
  double ratio = GetDouble("log.cleaner.min.cleanable.ratio");
  if (!(ratio >= 0 && ratio <= 1)) return invalid("log.cleaner.min.cleanable.ratio");
  for (const char* key : {"log.cleaner.delete.retention.ms", "log.cleaner.min.compaction.lag.ms",
                          "log.cleaner.backoff.ms", "log.cleaner.dedupe.buffer.size"}) {
    if (GetLong(key) < 0) return invalid(key);
  }
  if (GetLong("log.cleaner.max.compaction.lag.ms") < 1) {
    return invalid("log.cleaner.max.compaction.lag.ms");
  }
  if (GetInt("log.cleaner.threads") < 0) return invalid("log.cleaner.threads");
  return Status::Ok();
}

const ConfigDef& KafkaConfig::Def(const std::string& name, ConfigType type) const {
  for (const auto& d : BrokerConfigDefs()) {
    if (d.name == name) {
      if (d.type != type) throw std::logic_error("config " + name + " read with the wrong type");
      return d;
    }
  }
  throw std::logic_error("undeclared config " + name);
}

int32_t KafkaConfig::GetInt(const std::string& name) const {
  const ConfigDef& d = Def(name, ConfigType::kInt);
  auto it = values_.find(name);
  int32_t v = 0;
  ParseInt(it != values_.end() ? it->second : d.default_value, &v);
  return v;
}

int64_t KafkaConfig::GetLong(const std::string& name) const {
  const ConfigDef& d = Def(name, ConfigType::kLong);
  auto it = values_.find(name);
  int64_t v = 0;
  ParseInt(it != values_.end() ? it->second : d.default_value, &v);
  return v;
}

double KafkaConfig::GetDouble(const std::string& name) const {
  const ConfigDef& d = Def(name, ConfigType::kDouble);
  auto it = values_.find(name);
  double v = 0;
  ParseDouble(it != values_.end() ? it->second : d.default_value, &v);
  return v;
}

bool KafkaConfig::GetBool(const std::string& name) const {
  const ConfigDef& d = Def(name, ConfigType::kBool);
  auto it = values_.find(name);
  return (it != values_.end() ? it->second : d.default_value) == "true";
}

std::string KafkaConfig::GetString(const std::string& name) const {
  const ConfigDef& d = Def(name, ConfigType::kString);
  auto it = values_.find(name);
  return it != values_.end() ? it->second : d.default_value;
}

std::vector<std::string> KafkaConfig::GetList(const std::string& name) const {
  const ConfigDef& d = Def(name, ConfigType::kList);
  auto it = values_.find(name);
  std::string v = it != values_.end() ? it->second : d.default_value;
  std::vector<std::string> out;
  std::stringstream ss(v);
  for (std::string item; std::getline(ss, item, ',');) {
    item = Trim(item);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// [config-log-defaults]
LogConfig KafkaConfig::DefaultLogConfig() const {
  LogConfig c;
  c.segment_bytes = GetInt("log.segment.bytes");
  // Kafka: the finest unit that is set wins.
  c.segment_ms = IsSet("log.roll.ms") ? GetLong("log.roll.ms")
                                      : int64_t(GetInt("log.roll.hours")) * 3'600'000;
  if (IsSet("log.retention.ms")) {
    c.retention_ms = GetLong("log.retention.ms");
  } else if (IsSet("log.retention.minutes")) {
    c.retention_ms = int64_t(GetInt("log.retention.minutes")) * 60'000;
  } else {
    c.retention_ms = int64_t(GetInt("log.retention.hours")) * 3'600'000;
  }
  if (c.retention_ms < 0) c.retention_ms = -1;  // any negative value: keep forever
  c.retention_bytes = GetLong("log.retention.bytes");
  c.index_interval_bytes = GetInt("log.index.interval.bytes");
  c.segment_index_bytes = GetInt("log.index.size.max.bytes");
  c.flush_messages = GetLong("log.flush.interval.messages");
  c.flush_ms = GetLong("log.flush.interval.ms");
  c.max_message_bytes = GetInt("message.max.bytes");
  c.message_timestamp_type = GetString("log.message.timestamp.type") == "LogAppendTime"
                                 ? TimestampType::kLogAppendTime
                                 : TimestampType::kCreateTime;
  CleanupPolicyOf(*this, &c.cleanup_compact, &c.cleanup_delete);  // validated by Create
  c.min_cleanable_dirty_ratio = GetDouble("log.cleaner.min.cleanable.ratio");
  c.delete_retention_ms = GetLong("log.cleaner.delete.retention.ms");
  c.min_compaction_lag_ms = GetLong("log.cleaner.min.compaction.lag.ms");
  c.max_compaction_lag_ms = GetLong("log.cleaner.max.compaction.lag.ms");
  return c;
}
// [config-log-defaults]

CleanerConfig KafkaConfig::LogCleanerConfig() const {
  CleanerConfig c;
  c.enable = GetBool("log.cleaner.enable");
  c.num_threads = GetInt("log.cleaner.threads");
  c.dedupe_buffer_size = GetLong("log.cleaner.dedupe.buffer.size");
  c.backoff_ms = GetLong("log.cleaner.backoff.ms");
  return c;
}

}  // namespace gregor
