// SPDX-License-Identifier: Apache-2.0
// KafkaConfig: the broker's configuration, with Kafka's property names and
// defaults (Kafka's KafkaConfig / ConfigDef, kept to what Gregor uses).
//
// Every key is declared once in BrokerConfigDefs() (name, type, default,
// one line of documentation); the same table parses server.properties,
// validates values, answers lookups, and generates the configuration
// reference of chapter 08. A key Gregor does not know is a warning, not an
// error, so a Kafka server.properties starts Gregor unchanged. Keys that
// exist only in Gregor start with `gregor.`.
//
// Precedence: defaults < the properties file < `--override key=value`.
// Kafka's time settings with several units (log.retention.ms / .minutes /
// .hours, log.roll.ms / .hours) resolve as Kafka does: the finest unit set wins.
//
// Thread-safety: immutable after construction; share freely.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/errors.h"
#include "storage/log_cleaner.h"
#include "storage/log_config.h"

namespace gregor {

/// The type of a configuration value, which decides how it is parsed.
enum class ConfigType { kInt, kLong, kDouble, kBool, kString, kList };

/// One declared configuration key (Kafka's ConfigDef.ConfigKey).
struct ConfigDef {
  std::string name;
  ConfigType type;
  std::string default_value;
  std::string doc;
};

/// Every broker key Gregor understands, in the order of the reference table.
const std::vector<ConfigDef>& BrokerConfigDefs();

/// Reads a Java-style properties file: `key=value` or `key: value`, `#` and
/// `!` comments, blank lines, a trailing backslash continues a line.
/// Errors: KAFKA_STORAGE_ERROR if unreadable; INVALID_CONFIG for a line
/// without a key.
Result<std::map<std::string, std::string>> ReadPropertiesFile(const std::string& path);
/// The same from text (for tests and `--override` lists).
Result<std::map<std::string, std::string>> ParseProperties(const std::string& text);

/// The broker's validated configuration; see the file comment.
class KafkaConfig {
 public:
  /// Validates `props` against BrokerConfigDefs(): every known key's value
  /// must parse as its type, and the compaction keys must be in range
  /// (log.cleanup.policy a list of delete/compact, the ratio in [0, 1],
  /// lags and retention >= 0, threads >= 0). Unknown keys are appended to `*unknown` (the
  /// caller logs them). Errors: INVALID_CONFIG naming the key and value.
  static Result<KafkaConfig> Create(const std::map<std::string, std::string>& props,
                                    std::vector<std::string>* unknown = nullptr);

  /// Typed lookups of a declared key (its value or its default).
  /// REQUIRES: `name` is declared with that type (checked; a programming
  /// error throws std::logic_error).
  ///@{
  int32_t GetInt(const std::string& name) const;
  int64_t GetLong(const std::string& name) const;
  double GetDouble(const std::string& name) const;
  bool GetBool(const std::string& name) const;
  std::string GetString(const std::string& name) const;
  std::vector<std::string> GetList(const std::string& name) const;
  ///@}

  /// True if the key was set explicitly (file or override), not defaulted.
  bool IsSet(const std::string& name) const { return values_.count(name) > 0; }

  /// The topic defaults the log layer uses (log.segment.bytes -> segment.bytes,
  /// log.cleanup.policy -> cleanup.policy, log.cleaner.min.cleanable.ratio ->
  /// min.cleanable.dirty.ratio …).
  LogConfig DefaultLogConfig() const;
  /// The cleaner threads' settings (log.cleaner.enable, .threads,
  /// .dedupe.buffer.size, .backoff.ms).
  CleanerConfig LogCleanerConfig() const;

 private:
  const ConfigDef& Def(const std::string& name, ConfigType type) const;
  Status ValidateCleanerKeys() const;
  std::map<std::string, std::string> values_;  // explicitly set, validated
};

}  // namespace gregor
