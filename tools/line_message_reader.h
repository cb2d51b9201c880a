// SPDX-License-Identifier: Apache-2.0
// LineMessageReader: how gregor-console-producer turns one line of stdin
// into a record (Kafka's LineMessageReader, configured by --property).
//
// A line is, with every part but the value optional:
//
//   line    = [headers headers.delimiter] [key key.separator] value
//   headers = header *(headers.separator header)
//   header  = hkey headers.key.separator hvalue
//
// Headers are parsed only with parse.headers=true, the key only with
// parse.key=true. A missing separator is an error (INVALID_RECORD naming
// the line number) unless ignore.error=true; then the part is absent (a
// null key, no headers; a header with no separator gets a null value). A
// key, value or header value equal to null.marker is null; a header key
// may not be. Defaults as Kafka: both delimiters "\t", headers.separator
// ",", headers.key.separator ":". Unlike Kafka, headers.separator is a
// plain string, not a regular expression.
//
// Pure functions on strings: no I/O, safe from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/errors.h"
#include "record/record.h"

namespace gregor::tools {

/// The reader's --property settings (Kafka's names, see the file comment).
struct LineReaderConfig {
  bool parse_key = false;                   ///< parse.key
  std::string key_separator = "\t";         ///< key.separator
  bool parse_headers = false;               ///< parse.headers
  std::string headers_delimiter = "\t";     ///< headers.delimiter
  std::string headers_separator = ",";      ///< headers.separator
  std::string headers_key_separator = ":";  ///< headers.key.separator
  bool ignore_error = false;                ///< ignore.error
  std::optional<std::string> null_marker;   ///< null.marker

  /// Reads the properties above ("true" in any case is true); other keys
  /// are ignored. Errors: INVALID_CONFIG when separators that must differ
  /// are equal (Kafka's checks), or one is empty.
  static Result<LineReaderConfig> FromProperties(const std::map<std::string, std::string>& props);
};

/// One parsed line: what the console producer sends.
struct ParsedLine {
  std::optional<std::string> key;    ///< null unless parse.key
  std::optional<std::string> value;  ///< null only via null.marker
  std::vector<Header> headers;       ///< in line order
};

/// Splits `line` (without its newline) by `config`. `line_number` counts
/// from 1 and only appears in error messages. Errors: INVALID_RECORD.
Result<ParsedLine> ParseLine(const LineReaderConfig& config, std::string_view line,
                             int64_t line_number);

}  // namespace gregor::tools
