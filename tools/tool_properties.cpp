// SPDX-License-Identifier: Apache-2.0
// Tool properties: see tool_properties.h.
#include "tool_properties.h"

#include <fstream>

namespace gregor::tools {

namespace {

std::string_view Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

Result<std::pair<std::string, std::string>> ParseProperty(std::string_view text) {
  size_t eq = text.find('=');
  std::string_view key = eq == std::string_view::npos ? text : Trim(text.substr(0, eq));
  if (eq == std::string_view::npos || key.empty()) {
    return Status(ErrorCode::kInvalidConfig,
                  "Invalid property '" + std::string(text) + "': expected key=value");
  }
  return std::pair{std::string(key), std::string(Trim(text.substr(eq + 1)))};
}

Status AddProperties(const std::vector<std::string>& texts, Properties* props) {
  for (const auto& t : texts) {
    auto kv = ParseProperty(t);
    if (!kv.ok()) return kv.status();
    (*props)[kv->first] = kv->second;
  }
  return Status::Ok();
}

Status LoadPropertiesFile(const std::string& path, Properties* props) {
  std::ifstream in(path);
  if (!in) return Status(ErrorCode::kInvalidConfig, "cannot read properties file " + path);
  std::string line;
  while (std::getline(in, line)) {
    std::string_view l = Trim(line);
    if (l.empty() || l[0] == '#' || l[0] == '!') continue;
    auto kv = ParseProperty(l);
    if (!kv.ok()) return Status(ErrorCode::kInvalidConfig, path + ": " + kv.status().ToString());
    (*props)[kv->first] = kv->second;
  }
  return Status::Ok();
}

Status LoadClientProperties(const boost::program_options::variables_map& vm,
                            const std::string& file_option, const std::string& list_option,
                            Properties* props) {
  Status s;
  if (vm.count(file_option)) s = LoadPropertiesFile(vm[file_option].as<std::string>(), props);
  if (s.ok() && vm.count(list_option)) {
    s = AddProperties(vm[list_option].as<std::vector<std::string>>(), props);
  }
  return s;
}

}  // namespace gregor::tools
