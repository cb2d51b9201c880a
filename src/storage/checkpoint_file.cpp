// SPDX-License-Identifier: Apache-2.0
#include "storage/checkpoint_file.h"

#include <charconv>
#include <sstream>
#include <vector>

namespace gregor {

namespace {
constexpr int kVersion = 0;

template <typename T>
bool ParseNumber(std::string_view s, T* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}
}  // namespace

OffsetCheckpointFile::OffsetCheckpointFile(Env& env, std::string path)
    : env_(env), path_(std::move(path)) {}

Status OffsetCheckpointFile::Write(const std::map<TopicPartition, int64_t>& offsets) {
  std::ostringstream out;
  out << kVersion << "\n" << offsets.size() << "\n";
  for (const auto& [tp, offset] : offsets) {
    out << tp.topic << " " << tp.partition.value() << " " << offset << "\n";
  }
  // [checkpoint-write]
  std::string tmp = path_ + ".tmp";
  if (Status s = WriteStringToFileSync(env_, tmp, out.str()); !s.ok()) return s;
  if (Status s = env_.RenameFile(tmp, path_); !s.ok()) return s;
  return env_.SyncDir(DirName(path_));
  // [checkpoint-write]
}

Result<std::map<TopicPartition, int64_t>> OffsetCheckpointFile::Read() {
  std::map<TopicPartition, int64_t> offsets;
  if (!env_.FileExists(path_)) return offsets;
  auto content = ReadFileToString(env_, path_);
  if (!content.ok()) return content.status();
  auto malformed = [&](size_t line, const std::string& why) {
    return Status(ErrorCode::kKafkaStorageError,
                  "malformed checkpoint " + path_ + " line " + std::to_string(line) + ": " + why);
  };
  std::vector<std::string_view> lines = Split(*content, '\n');
  // A complete file ends with "\n", which leaves one empty last part.
  if (lines.size() < 3 || !lines.back().empty()) return malformed(lines.size(), "truncated");
  lines.pop_back();
  int version = -1;
  if (!ParseNumber(lines[0], &version) || version != kVersion) {
    return malformed(1, "unsupported version '" + std::string(lines[0]) + "'");
  }
  size_t count = 0;
  if (!ParseNumber(lines[1], &count) || count != lines.size() - 2) {
    return malformed(2, "expected " + std::string(lines[1]) + " entries, found " +
                            std::to_string(lines.size() - 2));
  }
  for (size_t i = 2; i < lines.size(); ++i) {
    std::vector<std::string_view> f = Split(lines[i], ' ');
    int32_t partition = 0;
    int64_t offset = 0;
    if (f.size() != 3 || !TopicPartition::IsValidTopic(f[0]) || !ParseNumber(f[1], &partition) ||
        partition < 0 || !ParseNumber(f[2], &offset)) {
      return malformed(i + 1, "expected 'topic partition offset'");
    }
    offsets[TopicPartition{std::string(f[0]), PartitionId(partition)}] = offset;
  }
  return offsets;
}

}  // namespace gregor
