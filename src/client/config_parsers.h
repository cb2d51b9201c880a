// SPDX-License-Identifier: Apache-2.0
// Config parsers: the text of one client property onto a typed config
// field, for ConsumerConfig::FromProperties and
// ProducerConfig::FromProperties (Kafka's ConfigDef.parseType and
// AbstractConfig). Each config maps its Kafka property names to a
// PropertySetter and hands the map to ApplyProperties.
//
// Numbers must parse whole: "10ms", " 5" and "" are errors, as is a value
// out of the field's range. Booleans are exactly "true" or "false". Every
// error is INVALID_CONFIG and names the key. Unknown keys are warned about
// and skipped, as Kafka's AbstractConfig does.
//
// Pure functions apart from that warning; safe from any thread.
#pragma once

#include <charconv>
#include <functional>
#include <map>
#include <string>

#include "common/errors.h"

namespace gregor {

/// Sets one config field from the value of property `key`; the key is
/// only for the error message.
using PropertySetter = std::function<Status(const std::string& key, const std::string& value)>;

/// Parses all of `text` as a T into `*out`. Errors: INVALID_CONFIG if
/// `text` is not a whole number that fits T; `*out` is then unchanged.
template <class T>
Status ParseNumber(const std::string& key, const std::string& text, T* out) {
  T v{};
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) {
    return Status(ErrorCode::kInvalidConfig, key + ": not a number: '" + text + "'");
  }
  *out = v;
  return Status::Ok();
}

/// "true" or "false" into `*out`. Errors: INVALID_CONFIG for anything
/// else; `*out` is then unchanged.
Status ParseBool(const std::string& key, const std::string& text, bool* out);

/// Setters for a number, boolean or string field. REQUIRES: `field`
/// outlives the setter.
template <class T>
PropertySetter NumberProperty(T* field) {
  return [field](const std::string& k, const std::string& v) { return ParseNumber(k, v, field); };
}
PropertySetter BoolProperty(bool* field);
PropertySetter StringProperty(std::string* field);

/// Runs the setter of each of `props`, in key order, stopping at the first
/// error and returning it. A key without a setter is logged as a warning on
/// the `client` logger ("consumer", "producer") and skipped.
Status ApplyProperties(const std::map<std::string, std::string>& props,
                       const std::map<std::string, PropertySetter>& setters,
                       const std::string& client);

}  // namespace gregor
