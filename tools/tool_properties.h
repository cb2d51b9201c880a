// SPDX-License-Identifier: Apache-2.0
// Kafka-style properties for the command-line tools: `key=value` given on
// the command line (--producer-props, --producer-property, --property) or
// read from a file (--producer.config), merged into one map.
//
// A file has one `key=value` per line; blank lines and lines starting with
// '#' or '!' are skipped; whitespace around key and value is trimmed. (A
// subset of java.util.Properties: no line continuations, no escapes, no
// ':' as separator.) The value is everything after the first '=', so it
// may itself contain '='.
//
// Pure functions apart from the file read; safe from any thread.
#pragma once

#include <boost/program_options/variables_map.hpp>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/errors.h"

namespace gregor::tools {

/// Key-value settings, by Kafka property name.
using Properties = std::map<std::string, std::string>;

/// Splits "key=value" at the first '='. Errors: INVALID_CONFIG when there
/// is no '=' or the key is empty.
Result<std::pair<std::string, std::string>> ParseProperty(std::string_view text);

/// Adds every "key=value" of `texts` to `props`, later ones winning.
/// Errors: as ParseProperty, naming the bad argument.
Status AddProperties(const std::vector<std::string>& texts, Properties* props);

/// Reads a properties file (format above) into `props`, overwriting keys.
/// Errors: INVALID_CONFIG if the file cannot be read or a line has no '='.
Status LoadPropertiesFile(const std::string& path, Properties* props);

/// A client's properties as Kafka's tools gather them: the file named by
/// option `file_option` (--consumer.config), if given, then the key=value
/// list of option `list_option` (--consumer-property) on top. Errors: as
/// LoadPropertiesFile and AddProperties.
Status LoadClientProperties(const boost::program_options::variables_map& vm,
                            const std::string& file_option, const std::string& list_option,
                            Properties* props);

}  // namespace gregor::tools
