// SPDX-License-Identifier: Apache-2.0
#include "storage/log_cleaner.h"

namespace gregor {

LogCleaner::LogCleaner(Env& env, Clock& clock, size_t dedupe_buffer_bytes)
    : env_(env), cleaner_(dedupe_buffer_bytes, clock) {}

Result<int64_t> LogCleaner::CheckpointOf(const std::string& log_dir, const TopicPartition& tp) {
  std::lock_guard lock(mu_);
  auto offsets = OffsetCheckpointFile(env_, log_dir + "/" + kCleanerCheckpointFile).Read();
  if (!offsets.ok()) return offsets.status();
  auto it = offsets->find(tp);
  return it == offsets->end() ? int64_t{0} : it->second;
}

Result<CleanerStats> LogCleaner::CleanLog(const std::string& log_dir, const TopicPartition& tp,
                                          Log& log) {
  std::lock_guard lock(mu_);
  OffsetCheckpointFile file(env_, log_dir + "/" + kCleanerCheckpointFile);
  auto offsets = file.Read();
  if (!offsets.ok()) return offsets.status();
  int64_t checkpoint = offsets->contains(tp) ? (*offsets)[tp] : 0;
  auto stats = cleaner_.Clean(log, checkpoint);
  if (!stats.ok()) return stats;
  if (stats->end_offset != checkpoint) {
    (*offsets)[tp] = stats->end_offset;
    if (Status s = file.Write(*offsets); !s.ok()) return s;
  }
  return stats;
}

}  // namespace gregor
