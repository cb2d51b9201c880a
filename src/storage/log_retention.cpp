// SPDX-License-Identifier: Apache-2.0
// Log retention: the log start offset and deletion of old segments (Kafka's
// UnifiedLog.deleteOldSegments and its three predicates). A scheduler will
// call Log::DeleteOldSegments every log.retention.check.interval.ms; here
// it is a method. Time and size retention apply only to logs whose
// cleanup.policy includes "delete"; a compact-only log loses segments only
// below its log start offset.
#include <algorithm>

#include "common/logging.h"
#include "storage/log.h"

namespace gregor {

static Status Offline(const std::string& dir) {
  return Status(ErrorCode::kKafkaStorageError, "log " + dir + " is offline or closed");
}

Status Log::MaybeIncrementLogStartOffset(Offset new_log_start_offset) {
  std::lock_guard lock(mu_);
  int64_t v = new_log_start_offset.value();
  if (v > log_end_offset_.message_offset) {
    return Status(ErrorCode::kOffsetOutOfRange, "log start offset " + std::to_string(v) +
                                                    " above log end offset " +
                                                    std::to_string(log_end_offset_.message_offset));
  }
  log_start_offset_ = std::max(log_start_offset_, v);
  return Status::Ok();
}

// [log-deletable-segments]
std::vector<std::shared_ptr<LogSegment>> Log::DeletableSegments(
    const SegmentPredicate& predicate) const {
  // LAB-01: BEGIN SOLUTION Log::DeletableSegments
  // HINT: oldest first; stop at the first segment the predicate keeps,
  // HINT: and never return the active (last) segment.
  std::vector<std::shared_ptr<LogSegment>> deletable;
  for (auto it = segments_.begin(); it != segments_.end(); ++it) {
    auto next = std::next(it);
    if (next == segments_.end()) break;  // the active segment stays
    if (!predicate(*it->second, *next->second)) break;
    deletable.push_back(it->second);
  }
  return deletable;
  // LAB-01: END SOLUTION
}
// [log-deletable-segments]

int Log::DeleteSegments(const std::vector<std::shared_ptr<LogSegment>>& deletable, Status* error) {
  for (const auto& segment : deletable) {
    segments_.erase(segment->base_offset());
    if (Status s = segment->DeleteFiles(); !s.ok() && error->ok()) *error = s;
    Logger("storage")->debug("deleted segment dir={} base_offset={}", dir_, segment->base_offset());
  }
  if (!segments_.empty()) log_start_offset_ = std::max(log_start_offset_, segments_.begin()->first);
  return int(deletable.size());
}

Result<int> Log::DeleteOldSegments() {
  std::lock_guard lock(mu_);
  if (offline_ || closed_) return Offline(dir_);
  int64_t now = clock_.NowMs();
  Status error;
  int deleted = DeleteSegments(DeletableSegments([&](const LogSegment&, const LogSegment& next) {
                                 return next.base_offset() <= log_start_offset_;
                               }),
                               &error);
  // Kafka: a log whose cleanup.policy lacks "delete" (compact only) keeps
  // everything above its log start offset; the cleaner shortens it.
  if (!config_.cleanup_delete) {
    if (!error.ok()) return GoOffline(error);
    return deleted;
  }
  if (config_.retention_ms >= 0) {
    deleted += DeleteSegments(DeletableSegments([&](const LogSegment& s, const LogSegment&) {
                                return now - s.LargestTimestamp() > config_.retention_ms;
                              }),
                              &error);
  }
  if (config_.retention_bytes >= 0) {
    int64_t excess = 0;
    for (const auto& [base, s] : segments_) excess += s->SizeInBytes();
    excess -= config_.retention_bytes;
    deleted += DeleteSegments(DeletableSegments([&](const LogSegment& s, const LogSegment&) {
                                if (excess - int64_t(s.SizeInBytes()) < 0) return false;
                                excess -= s.SizeInBytes();
                                return true;
                              }),
                              &error);
  }
  if (!error.ok()) return GoOffline(error);
  return deleted;
}

}  // namespace gregor
