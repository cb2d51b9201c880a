// SPDX-License-Identifier: Apache-2.0
// Log: append, read, roll, flush, truncate and retention. Loading and
// recovery are in log_loader.cpp.
#include "storage/log.h"

#include <algorithm>

#include "common/logging.h"
#include "record/record_batch_reader.h"
#include "storage/log_file_names.h"

namespace gregor {

Log::Log(Env& env, std::string dir, const LogConfig& config, Clock& clock)
    : env_(env), dir_(std::move(dir)), config_(config), clock_(clock) {}

Log::~Log() { Close(); }

Status Log::GoOffline(Status cause) {
  if (!offline_) Logger("storage")->error("log offline dir={} cause={}", dir_, cause.ToString());
  offline_ = true;
  return cause;
}

void Log::UpdateLogEndOffset(int64_t next_offset) {
  log_end_offset_ = {next_offset, active().base_offset(), active().SizeInBytes()};
}

static Status Offline(const std::string& dir) {
  return Status(ErrorCode::kKafkaStorageError, "log " + dir + " is offline or closed");
}

// Kafka's LogValidator: the cleaner keeps the latest record per key, so a
// record without a key could never be compacted away nor looked up; a
// compacted log refuses it, and with it the whole input (nothing of a
// partition's produce is appended when one record is invalid).
static Status ValidateKeysForCompaction(ByteSpan batch) {
  auto decoded = DecodeBatch(batch);
  if (!decoded.ok()) return decoded.status();
  for (const RecordView& r : decoded->records) {
    if (!r.key) {
      return Status(ErrorCode::kInvalidRecord,
                    "Compacted topic cannot accept message without key");
    }
  }
  return Status::Ok();
}

Result<LogAppendInfo> Log::Append(std::span<uint8_t> records, Epoch leader_epoch) {
  // Validation needs no lock: every batch is checked (sizes, magic, CRC)
  // before anything is stamped or written.
  // [log-append-validate]
  if (records.empty()) return Status(ErrorCode::kCorruptMessage, "empty record set");
  if (records.size() > size_t(config_.segment_bytes)) {
    return Status(ErrorCode::kRecordListTooLarge,
                  std::to_string(records.size()) + " bytes exceed segment.bytes");
  }
  int32_t num_batches = 0;
  for (size_t at = 0; at < records.size(); ++num_batches) {
    auto header = ValidateBatch(ByteSpan(records).subspan(at), size_t(config_.max_message_bytes));
    if (!header.ok()) return header.status();
    if (config_.cleanup_compact && !header->is_control()) {
      if (Status s = ValidateKeysForCompaction(ByteSpan(records).subspan(at)); !s.ok()) return s;
    }
    at += header->SizeInBytes();
  }
  // [log-append-validate]

  std::lock_guard lock(mu_);
  if (offline_ || closed_) return Offline(dir_);
  LogAppendInfo info;
  info.num_batches = num_batches;
  info.valid_bytes = int64_t(records.size());
  bool append_time = config_.message_timestamp_type == TimestampType::kLogAppendTime;
  if (append_time) info.log_append_time = clock_.NowMs();
  // Offsets: each batch starts where the previous ended. Both stamps lie
  // outside the CRC; LogAppendTime changes maxTimestamp and re-CRCs.
  // [log-append-stamp]
  int64_t next = log_end_offset_.message_offset;
  info.first_offset = Offset(next);
  for (size_t at = 0; at < records.size();) {
    std::span<uint8_t> batch = records.subspan(at);
    RecordBatchHeader h = ReadBatchHeader(batch);
    batch = batch.first(h.SizeInBytes());
    SetBaseOffset(batch, next);
    SetPartitionLeaderEpoch(batch, leader_epoch.value());
    int64_t ts = h.max_timestamp;
    if (append_time) {
      SetLogAppendTime(batch, info.log_append_time);
      ts = info.log_append_time;
    }
    next += int64_t(h.last_offset_delta) + 1;
    if (ts > info.max_timestamp) {
      info.max_timestamp = ts;
      info.offset_of_max_timestamp = Offset(next - 1);
    }
    at += batch.size();
  }
  info.last_offset = Offset(next - 1);
  // [log-append-stamp]

  // [log-append-write]
  auto segment = MaybeRoll(int32_t(records.size()), info.max_timestamp, next - 1);
  if (!segment.ok()) return GoOffline(segment.status());
  Status s = (*segment)->Append(next - 1, info.max_timestamp, records);
  if (!s.ok()) return GoOffline(s);
  UpdateLogEndOffset(next);
  info.log_start_offset = Offset(log_start_offset_);
  if (next - recovery_point_ >= config_.flush_messages) {
    if (Status f = FlushLocked(next); !f.ok()) return f;
  }
  return info;
  // [log-append-write]
}

Result<LogSegment*> Log::MaybeRoll(int32_t messages_size, int64_t max_timestamp,
                                   int64_t max_offset) {
  RollParams params{config_.segment_ms - config_.segment_jitter_ms,
                    config_.segment_bytes,
                    max_timestamp,
                    max_offset,
                    messages_size,
                    clock_.NowMs()};
  if (active().ShouldRoll(params)) {
    if (Status s = RollLocked(); !s.ok()) return s;
  }
  return &active();
}

Status Log::Roll() {
  std::lock_guard lock(mu_);
  if (offline_ || closed_) return Offline(dir_);
  Status s = RollLocked();
  return s.ok() ? s : GoOffline(s);
}

// [log-roll]
Status Log::RollLocked() {
  int64_t new_offset = log_end_offset_.message_offset;
  if (active().SizeInBytes() == 0) return Status::Ok();  // already fresh
  if (Status s = active().OnBecomeInactiveSegment(); !s.ok()) return s;
  // Already below the recovery point (flush.messages=1): no later flush
  // covers this segment, so its trimmed indexes are made durable here, or
  // a power loss would bring them back untrimmed (and rebuilt at start).
  if (recovery_point_ >= new_offset) {
    if (Status s = active().Flush(); !s.ok()) return s;
  }
  auto segment = NewSegment(new_offset);
  if (!segment.ok()) return segment.status();
  segments_[new_offset] = std::move(*segment);
  UpdateLogEndOffset(new_offset);
  Logger("storage")->debug("rolled dir={} base_offset={}", dir_, new_offset);
  return Status::Ok();
}
// [log-roll]

Result<std::shared_ptr<LogSegment>> Log::NewSegment(int64_t base_offset) {
  // Leftovers with this name (from a truncation or a crash) are stale.
  for (auto suffix : {kLogFileSuffix, kIndexFileSuffix, kTimeIndexFileSuffix}) {
    std::string path = SegmentFilePath(dir_, base_offset, suffix);
    if (env_.FileExists(path)) {
      if (Status s = env_.RemoveFile(path); !s.ok()) return s;
    }
  }
  auto segment = LogSegment::Open(env_, dir_, base_offset, config_, clock_.NowMs());
  if (!segment.ok()) return segment.status();
  dir_needs_sync_ = true;
  return std::shared_ptr<LogSegment>(std::move(*segment));
}

Result<FetchDataInfo> Log::Read(Offset start_offset, int32_t max_length, bool min_one_message) {
  std::lock_guard lock(mu_);
  if (closed_) return Offline(dir_);
  int64_t start = start_offset.value();
  if (start == log_end_offset_.message_offset) {
    return FetchDataInfo{log_end_offset_, {}, false};
  }
  if (start > log_end_offset_.message_offset || start < log_start_offset_) {
    return Status(ErrorCode::kOffsetOutOfRange, "offset " + std::to_string(start) + " not in [" +
                                                    std::to_string(log_start_offset_) + ", " +
                                                    std::to_string(log_end_offset_.message_offset) +
                                                    "] of " + dir_);
  }
  // [log-read-floor]
  // The segment that may hold `start`, then later ones if it ends before.
  auto it = segments_.upper_bound(start);
  if (it != segments_.begin()) --it;
  uint32_t max_size = uint32_t(std::max(max_length, 0));
  for (; it != segments_.end(); ++it) {
    LogSegment& segment = *it->second;
    bool is_last = std::next(it) == segments_.end();
    uint32_t max_position =
        is_last ? log_end_offset_.relative_position_in_segment : segment.SizeInBytes();
    auto info = segment.Read(start, max_size, max_position, min_one_message);
    if (!info.ok()) return info.status();
    if (info->has_value()) return std::move(**info);
  }
  return FetchDataInfo{log_end_offset_, {}, false};
  // [log-read-floor]
}

Result<std::optional<TimestampOffset>> Log::LookupOffsetForTimestamp(int64_t timestamp) {
  std::lock_guard lock(mu_);
  if (closed_) return Offline(dir_);
  using Found = std::optional<TimestampOffset>;
  if (timestamp == kEarliestTimestamp)
    return Found(TimestampOffset{kNoTimestamp, log_start_offset_});
  if (timestamp == kLatestTimestamp) {
    return Found(TimestampOffset{kNoTimestamp, log_end_offset_.message_offset});
  }
  if (timestamp == kMaxTimestamp) {
    Found best;
    for (const auto& [base, segment] : segments_) {
      TimestampOffset m = segment->max_timestamp_so_far();
      if (m.timestamp >= 0 && (!best || m.timestamp > best->timestamp)) best = m;
    }
    return best;
  }
  // The first segment that reaches `timestamp`, then a scan inside it.
  for (const auto& [base, segment] : segments_) {
    if (segment->LargestTimestamp() < timestamp) continue;
    auto found = segment->FindOffsetByTimestamp(timestamp, log_start_offset_);
    if (!found.ok() || found->has_value()) return found;
  }
  return Found();
}

Result<bool> Log::TruncateTo(Offset target) {
  std::lock_guard lock(mu_);
  if (offline_ || closed_) return Offline(dir_);
  int64_t to = target.value();
  if (to < 0) return Status(ErrorCode::kOffsetOutOfRange, "negative truncation offset");
  if (to >= log_end_offset_.message_offset) return false;
  if (segments_.begin()->first > to) {
    // Everything is above the target.
    if (Status s = TruncateFullyLocked(to); !s.ok()) return s;
    return true;
  }
  std::vector<std::shared_ptr<LogSegment>> above;
  for (auto it = segments_.upper_bound(to); it != segments_.end(); ++it) {
    above.push_back(it->second);
  }
  for (auto& segment : above) {
    segments_.erase(segment->base_offset());
    if (Status s = segment->DeleteFiles(); !s.ok()) return GoOffline(s);
  }
  // [log-truncate]
  auto cut = active().TruncateTo(to, clock_.NowMs());
  if (!cut.ok()) return GoOffline(cut.status());
  auto next = active().ReadNextOffset();
  if (!next.ok()) return GoOffline(next.status());
  UpdateLogEndOffset(*next);
  recovery_point_ = std::min(recovery_point_, *next);
  log_start_offset_ = std::min(log_start_offset_, *next);
  return true;
  // [log-truncate]
}

Status Log::TruncateFullyAndStartAt(Offset new_offset) {
  std::lock_guard lock(mu_);
  if (offline_ || closed_) return Offline(dir_);
  return TruncateFullyLocked(new_offset.value());
}

Status Log::TruncateFullyLocked(int64_t new_offset) {
  for (auto& [base, segment] : segments_) {
    if (Status s = segment->DeleteFiles(); !s.ok()) return GoOffline(s);
  }
  segments_.clear();
  auto segment = NewSegment(new_offset);
  if (!segment.ok()) return GoOffline(segment.status());
  segments_[new_offset] = std::move(*segment);
  UpdateLogEndOffset(new_offset);
  log_start_offset_ = recovery_point_ = new_offset;
  return Status::Ok();
}

Status Log::Flush(Offset up_to) {
  std::lock_guard lock(mu_);
  return FlushLocked(std::min(up_to.value(), log_end_offset_.message_offset));
}

Status Log::FlushAll() {
  std::lock_guard lock(mu_);
  return FlushLocked(log_end_offset_.message_offset);
}

Status Log::FlushRolledSegments() {
  std::lock_guard lock(mu_);
  if (offline_ || closed_) return Offline(dir_);
  // Holding mu_ while the rolled segments are fsynced pauses appends to
  // this partition for that long; Kafka flushes them on a scheduler thread
  // outside its lock. The kernel has usually written most of those bytes
  // back already, so the pause is short, and the code stays simple.
  return FlushLocked(active().base_offset());
}

// [log-flush]
Status Log::FlushLocked(int64_t up_to) {
  if (offline_ || closed_) return Offline(dir_);
  if (up_to > recovery_point_) {
    // Segments holding [recovery_point_, up_to): from the one containing
    // the recovery point up to the last starting below up_to.
    auto it = segments_.upper_bound(recovery_point_);
    if (it != segments_.begin()) --it;
    for (; it != segments_.end() && it->first < up_to; ++it) {
      if (Status s = it->second->Flush(); !s.ok()) return GoOffline(s);
    }
  }
  if (dir_needs_sync_) {
    if (Status s = env_.SyncDir(dir_); !s.ok()) return GoOffline(s);
    dir_needs_sync_ = false;
  }
  recovery_point_ = std::max(recovery_point_, up_to);
  return Status::Ok();
}
// [log-flush]

Status Log::Close() {
  std::lock_guard lock(mu_);
  if (closed_) return Status::Ok();
  closed_ = true;
  Status first;
  for (auto& [base, segment] : segments_) {
    if (Status s = segment->Close(); !s.ok() && first.ok()) first = s;
  }
  return first;
}

Status Log::Delete() {
  std::lock_guard lock(mu_);
  closed_ = offline_ = true;
  for (auto& [base, segment] : segments_) {
    if (Status s = segment->DeleteFiles(); !s.ok()) return s;
  }
  segments_.clear();
  auto children = env_.GetChildren(dir_);
  if (!children.ok()) return children.status();
  for (const auto& name : *children) {
    if (Status s = env_.RemoveFile(dir_ + "/" + name); !s.ok()) return s;
  }
  return env_.RemoveDir(dir_);
}

Offset Log::LogEndOffset() const {
  std::lock_guard lock(mu_);
  return Offset(log_end_offset_.message_offset);
}

LogOffsetMetadata Log::LogEndOffsetMetadata() const {
  std::lock_guard lock(mu_);
  return log_end_offset_;
}

Offset Log::LogStartOffset() const {
  std::lock_guard lock(mu_);
  return Offset(log_start_offset_);
}

Offset Log::RecoveryPoint() const {
  std::lock_guard lock(mu_);
  return Offset(recovery_point_);
}

int64_t Log::Size() const {
  std::lock_guard lock(mu_);
  int64_t size = 0;
  for (const auto& [base, segment] : segments_) size += segment->SizeInBytes();
  return size;
}

int Log::NumberOfSegments() const {
  std::lock_guard lock(mu_);
  return int(segments_.size());
}

bool Log::IsOffline() const {
  std::lock_guard lock(mu_);
  return offline_;
}

std::vector<SegmentInfo> Log::Segments() const {
  std::lock_guard lock(mu_);
  std::vector<SegmentInfo> out;
  for (const auto& [base, s] : segments_) {
    out.push_back({base, s->SizeInBytes(), s->offset_index().entries(), s->time_index().entries(),
                   s->max_timestamp_so_far().timestamp, s->log().path()});
  }
  return out;
}

Result<OffsetLookupTrace> Log::TraceOffsetLookup(Offset offset) const {
  std::lock_guard lock(mu_);
  int64_t o = offset.value();
  if (closed_) return Offline(dir_);
  if (o < log_start_offset_ || o >= log_end_offset_.message_offset) {
    return Status(ErrorCode::kOffsetOutOfRange, "offset " + std::to_string(o));
  }
  auto it = segments_.upper_bound(o);
  if (it != segments_.begin()) --it;
  const LogSegment& segment = *it->second;
  OffsetLookupTrace trace;
  trace.segment_base_offset = segment.base_offset();
  trace.index_entry = segment.offset_index().Lookup(o);
  auto batch = segment.TranslateOffset(o);
  if (!batch.ok()) return batch.status();
  if (!batch->has_value()) return Status(ErrorCode::kOffsetOutOfRange, "offset not found");
  trace.batch = **batch;
  trace.bytes_scanned = trace.batch.position - trace.index_entry.position;
  return trace;
}

}  // namespace gregor
