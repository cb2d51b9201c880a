// SPDX-License-Identifier: Apache-2.0
// Config parsers: see config_parsers.h.
#include "client/config_parsers.h"

#include "common/logging.h"

namespace gregor {

Status ParseBool(const std::string& key, const std::string& text, bool* out) {
  if (text == "true" || text == "false") {
    *out = text == "true";
    return Status::Ok();
  }
  return Status(ErrorCode::kInvalidConfig, key + ": expected true or false, got '" + text + "'");
}

PropertySetter BoolProperty(bool* field) {
  return [field](const std::string& k, const std::string& v) { return ParseBool(k, v, field); };
}

PropertySetter StringProperty(std::string* field) {
  return [field](const std::string&, const std::string& v) {
    *field = v;
    return Status::Ok();
  };
}

Status ApplyProperties(const std::map<std::string, std::string>& props,
                       const std::map<std::string, PropertySetter>& setters,
                       const std::string& client) {
  for (const auto& [key, value] : props) {
    auto it = setters.find(key);
    if (it == setters.end()) {
      Logger(client)->warn("unknown {} property ignored key={}", client, key);
      continue;
    }
    if (Status s = it->second(key, value); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace gregor
