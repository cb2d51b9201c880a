// SPDX-License-Identifier: Apache-2.0
// LineMessageReader: see line_message_reader.h.
#include "line_message_reader.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <type_traits>
#include <utility>

namespace gregor::tools {

namespace {

bool IsTrue(std::string v) {
  v.erase(0, v.find_first_not_of(" \t"));
  v.erase(v.find_last_not_of(" \t") + 1);
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  return v == "true";
}

std::optional<std::string> OrNull(std::string_view s, const std::optional<std::string>& marker) {
  if (marker && s == *marker) return std::nullopt;
  return std::string(s);
}

Status LineError(std::string what, int64_t line_number, std::string_view line) {
  return Status(ErrorCode::kInvalidRecord, "No " + what + " found on line number " +
                                               std::to_string(line_number) + ": '" +
                                               std::string(line) + "'");
}

}  // namespace

Result<LineReaderConfig> LineReaderConfig::FromProperties(
    const std::map<std::string, std::string>& props) {
  LineReaderConfig c;
  auto get = [&](const char* key, auto& field) {
    auto it = props.find(key);
    if (it == props.end()) return;
    if constexpr (std::is_same_v<std::decay_t<decltype(field)>, bool>) {
      field = IsTrue(it->second);
    } else {
      field = it->second;
    }
  };
  get("parse.key", c.parse_key);
  get("key.separator", c.key_separator);
  get("parse.headers", c.parse_headers);
  get("headers.delimiter", c.headers_delimiter);
  get("headers.separator", c.headers_separator);
  get("headers.key.separator", c.headers_key_separator);
  get("ignore.error", c.ignore_error);
  get("null.marker", c.null_marker);

  // Pairs that must differ, or a line could be split two ways.
  const std::pair<const char*, const std::string*> seps[] = {
      {"key.separator", &c.key_separator},
      {"headers.delimiter", &c.headers_delimiter},
      {"headers.separator", &c.headers_separator},
      {"headers.key.separator", &c.headers_key_separator}};
  for (const auto& [name, value] : seps) {
    if (value->empty()) return Status(ErrorCode::kInvalidConfig, std::string(name) + " is empty");
    if (c.null_marker && *c.null_marker == *value) {
      return Status(ErrorCode::kInvalidConfig,
                    std::string("null.marker and ") + name + " may not be equal");
    }
  }
  for (size_t i = 1; i < std::size(seps); ++i) {
    for (size_t j = i + 1; j < std::size(seps); ++j) {
      if (*seps[i].second == *seps[j].second) {
        return Status(ErrorCode::kInvalidConfig,
                      std::string(seps[i].first) + " and " + seps[j].first + " may not be equal");
      }
    }
  }
  return c;
}

Result<ParsedLine> ParseLine(const LineReaderConfig& config, std::string_view line,
                             int64_t line_number) {
  ParsedLine out;
  std::string_view rest = line;

  std::optional<std::string_view> headers;
  if (config.parse_headers) {
    size_t at = rest.find(config.headers_delimiter);
    if (at != std::string_view::npos) {
      headers = rest.substr(0, at);
      rest.remove_prefix(at + config.headers_delimiter.size());
    } else if (!config.ignore_error) {
      return LineError("headers delimiter", line_number, line);
    }
  }
  if (config.parse_key) {
    size_t at = rest.find(config.key_separator);
    if (at != std::string_view::npos) {
      out.key = OrNull(rest.substr(0, at), config.null_marker);
      rest.remove_prefix(at + config.key_separator.size());
    } else if (!config.ignore_error) {
      return LineError("key separator", line_number, line);
    }
  }
  out.value = OrNull(rest, config.null_marker);

  if (headers && !(config.null_marker && *headers == *config.null_marker)) {
    std::string_view hs = *headers;
    while (true) {
      size_t end = hs.find(config.headers_separator);
      std::string_view pair = hs.substr(0, end);
      size_t colon = pair.find(config.headers_key_separator);
      if (colon == std::string_view::npos) {
        if (!config.ignore_error) {
          return Status(ErrorCode::kInvalidRecord, "No header key separator found in pair '" +
                                                       std::string(pair) + "' on line number " +
                                                       std::to_string(line_number));
        }
        out.headers.push_back({std::string(pair), std::nullopt});
      } else {
        std::string_view hkey = pair.substr(0, colon);
        if (config.null_marker && hkey == *config.null_marker) {
          return Status(ErrorCode::kInvalidRecord,
                        "Header keys should not be equal to the null "
                        "marker '" +
                            *config.null_marker + "' as they can't be null");
        }
        out.headers.push_back(
            {std::string(hkey),
             OrNull(pair.substr(colon + config.headers_key_separator.size()), config.null_marker)});
      }
      if (end == std::string_view::npos) break;
      hs.remove_prefix(end + config.headers_separator.size());
    }
  }
  return out;
}

}  // namespace gregor::tools
