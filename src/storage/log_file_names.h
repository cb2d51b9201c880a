// SPDX-License-Identifier: Apache-2.0
// Names of the files in a partition directory (Kafka's LogFileUtils). A
// segment is named after its base offset, zero-padded to 20 digits so that
// a directory listing sorts like the log:
//
//   orders-0/00000000000000000000.log        the batches
//   orders-0/00000000000000000000.index      offset -> file position
//   orders-0/00000000000000000000.timeindex  timestamp -> offset
//   orders-0/00000000000000368769.log        the next segment, and so on
//
// See chapters/formats-storage.md for what each file holds.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace gregor {

inline constexpr std::string_view kLogFileSuffix = ".log";
inline constexpr std::string_view kIndexFileSuffix = ".index";
inline constexpr std::string_view kTimeIndexFileSuffix = ".timeindex";

/// "00000000000000000042" for 42: the 20-digit prefix of a segment's files.
inline std::string FilenamePrefixFromOffset(int64_t offset) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020lld", static_cast<long long>(offset));
  return buf;
}

/// The path of a segment file: `dir/<base offset:020><suffix>`.
inline std::string SegmentFilePath(const std::string& dir, int64_t base_offset,
                                   std::string_view suffix) {
  return dir + "/" + FilenamePrefixFromOffset(base_offset) + std::string(suffix);
}

/// The base offset in a segment file name ("00000000000000000042.index" ->
/// 42), or nullopt when the name is not 20 digits and `suffix`.
inline std::optional<int64_t> OffsetFromFileName(std::string_view name, std::string_view suffix) {
  if (name.size() != 20 + suffix.size() || name.substr(20) != suffix) return std::nullopt;
  int64_t offset = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + 20, offset);
  if (ec != std::errc() || end != name.data() + 20 || offset < 0) return std::nullopt;
  return offset;
}

}  // namespace gregor
