// SPDX-License-Identifier: Apache-2.0
// Cleaner: the map build, the grouping and the segment rewrite. The swap
// is in cleaner_swap.cpp.
#include "storage/cleaner.h"

#include <algorithm>
#include <limits>

#include "common/logging.h"
#include "record/memory_records_builder.h"
#include "record/record_batch_reader.h"
#include "storage/log_file_names.h"

namespace gregor {

namespace {
constexpr const char* kMapTooSmall = "log.cleaner.dedupe.buffer.size too small for one batch";
}  // namespace

Cleaner::Cleaner(size_t dedupe_buffer_bytes, Clock& clock)
    : map_(dedupe_buffer_bytes), clock_(clock) {}

int64_t Cleaner::FirstUncleanableOffset(Log& log, int64_t now_ms) {
  std::lock_guard lock(log.mu_);
  if (log.segments_.empty()) return log.log_end_offset_.message_offset;  // deleted
  int64_t first = log.active().base_offset();
  int64_t lag = log.config_.min_compaction_lag_ms;
  if (lag <= 0) return first;
  for (const auto& [base, segment] : log.segments_) {
    if (base >= first) break;
    // A segment with a record younger than the lag, and all after it, wait.
    if (segment->LargestTimestamp() > now_ms - lag) return base;
  }
  return first;
}

Result<CleanerStats> Cleaner::Clean(Log& log, int64_t checkpoint) {
  int64_t now = clock_.NowMs();
  Segments all;
  LogConfig config;
  int64_t start = 0, end_of_log = 0, active_base = 0;
  {
    std::lock_guard lock(log.mu_);
    if (log.offline_ || log.closed_) {
      return Status(ErrorCode::kKafkaStorageError, "log " + log.dir_ + " is offline or closed");
    }
    for (const auto& [base, segment] : log.segments_) all.push_back(segment);
    active_base = all.back()->base_offset();
    all.pop_back();  // never the active segment
    config = log.config_;
    start = log.log_start_offset_;
    end_of_log = log.log_end_offset_.message_offset;
  }
  CleanerStats stats;
  // A checkpoint outside the log (truncation, DeleteRecords) restarts at
  // the log start, as Kafka's cleaner manager does.
  if (checkpoint < start || checkpoint > end_of_log) checkpoint = start;
  stats.first_dirty_offset = checkpoint;
  stats.first_uncleanable_offset = std::max(checkpoint, FirstUncleanableOffset(log, now));

  map_.Clear();
  auto end = BuildOffsetMap(all, checkpoint, stats.first_uncleanable_offset, &stats);
  if (!end.ok()) return end.status();
  stats.end_offset = *end;

  // Nothing may be dropped because of a record that is not yet on disk:
  // the dirty section is flushed first (Kafka flushes segments on roll).
  if (Status s = log.Flush(Offset(stats.first_uncleanable_offset)); !s.ok()) return s;
  Segments cleanable;
  int64_t next_base = active_base;
  for (const auto& segment : all) {
    if (segment->base_offset() < stats.end_offset) {
      cleanable.push_back(segment);
    } else {
      next_base = std::min(next_base, segment->base_offset());
    }
  }
  for (auto& group : GroupSegmentsBySize(cleanable, next_base, config)) {
    if (Status s = CleanGroup(log, std::move(group), checkpoint, stats.end_offset, &stats); !s.ok())
      return s;
  }
  Logger("cleaner")->debug(
      "cleaned dir={} dirty=[{}, {}) read={} written={} records={}/{} groups={}", log.dir_,
      stats.first_dirty_offset, stats.end_offset, stats.bytes_read, stats.bytes_written,
      stats.records_retained, stats.records_read, stats.groups_swapped);
  return stats;
}

Result<int64_t> Cleaner::BuildOffsetMap(const Segments& dirty, int64_t from, int64_t to,
                                        CleanerStats* stats) {
  for (const auto& segment : dirty) {
    if (segment->base_offset() >= to) break;
    FileBatchIterator it(segment->log(), 0, segment->SizeInBytes(), true);
    while (true) {
      auto batch = it.Next();
      if (!batch.ok()) return batch.status();
      if (*batch == nullptr) break;
      const RecordBatchHeader& h = (*batch)->header;
      if (h.LastOffset() < from) continue;
      if (h.base_offset >= to) return to;
      if (h.is_control()) continue;  // control records have no user key
      // [offset-map-build]
      // Stop before a batch whose keys might not fit: everything below
      // its base offset is covered, so the pass cleans up to there.
      if (map_.size() + size_t(h.records_count) > map_.capacity()) {
        stats->map_full = true;
        if (h.base_offset > from) return h.base_offset;
        return Status(ErrorCode::kUnknownServerError, kMapTooSmall);
      }
      auto decoded = DecodeBatch((*batch)->bytes);
      if (!decoded.ok()) return decoded.status();
      for (const RecordView& r : decoded->records) {
        if (r.offset < from || r.offset >= to || !r.key) continue;
        map_.Put(*r.key, r.offset);  // fits: checked above
      }
      // [offset-map-build]
    }
    if (it.stop_reason() != FileBatchIterator::StopReason::kEnd) {
      return Status(ErrorCode::kCorruptMessage, "cleaner: bad batch in " + segment->log().path());
    }
  }
  return to;
}

std::vector<Cleaner::Segments> Cleaner::GroupSegmentsBySize(const Segments& segments,
                                                            int64_t next_base,
                                                            const LogConfig& config) {
  // A segment's offsets end before the next segment's base; only headers
  // and sizes are looked at (no index reads without the log's lock).
  auto end_of = [&](size_t j) {
    return j + 1 < segments.size() ? segments[j + 1]->base_offset() : next_base;
  };
  std::vector<Segments> groups;
  for (size_t i = 0; i < segments.size();) {
    Segments group{segments[i]};
    int64_t base = segments[i]->base_offset();
    int64_t bytes = segments[i]->SizeInBytes();
    int64_t index_bytes = int64_t(segments[i]->offset_index().entries()) * 8;
    size_t j = i + 1;
    // [cleaner-group]
    for (; j < segments.size(); ++j) {
      bytes += segments[j]->SizeInBytes();
      index_bytes += int64_t(segments[j]->offset_index().entries()) * 8;
      if (bytes > config.segment_bytes || index_bytes > config.segment_index_bytes ||
          end_of(j) - 1 - base > std::numeric_limits<int32_t>::max()) {
        break;
      }
      group.push_back(segments[j]);
    }
    // [cleaner-group]
    groups.push_back(std::move(group));
    i = j;
  }
  return groups;
}

namespace {

// A batch keeping only `kept` of `h`'s records, with the original base
// offset, producer fields, attributes and leader epoch.
Bytes RebuildBatch(const RecordBatchHeader& h, const std::vector<const RecordView*>& kept) {
  MemoryRecordsBuilder builder(BatchOptions{.compression = h.compression(),
                                            .timestamp_type = h.timestamp_type(),
                                            .base_offset = h.base_offset,
                                            .producer_id = h.producer_id,
                                            .producer_epoch = h.producer_epoch,
                                            .base_sequence = h.base_sequence,
                                            .transactional = h.is_transactional()});
  for (const RecordView* r : kept) {
    builder.AppendWithOffsetDelta(int32_t(r->offset - h.base_offset), r->ToRecord());
  }
  Bytes out = builder.Build();
  SetPartitionLeaderEpoch(out, h.partition_leader_epoch);
  if (h.timestamp_type() == TimestampType::kLogAppendTime) SetLogAppendTime(out, h.max_timestamp);
  return out;
}

}  // namespace

Status Cleaner::CleanGroup(Log& log, Segments group, int64_t cleaned_upto, int64_t end_offset,
                           CleanerStats* stats) {
  int64_t now = clock_.NowMs();
  int64_t base = group.front()->base_offset();
  const LogConfig& config = log.config_;  // const after construction
  for (auto suffix : {kLogFileSuffix, kIndexFileSuffix, kTimeIndexFileSuffix}) {
    std::string stale = SegmentFilePath(log.dir_, base, suffix) + ".cleaned";
    if (log.env_.FileExists(stale)) {
      if (Status s = log.env_.RemoveFile(stale); !s.ok()) return s;
    }
  }
  auto opened = LogSegment::Open(log.env_, log.dir_, base, config, now, ".cleaned");
  if (!opened.ok()) return opened.status();
  std::unique_ptr<LogSegment> cleaned = std::move(*opened);
  bool changed = group.size() > 1;
  std::vector<bool> contributed(group.size(), false);
  auto fail = [&](Status s) {
    cleaned->DeleteFiles();
    return s;
  };

  for (size_t i = 0; i < group.size(); ++i) {
    const LogSegment& segment = *group[i];
    bool drop_tombstones = segment.base_offset() < cleaned_upto &&
                           now - segment.LargestTimestamp() > config.delete_retention_ms;
    FileBatchIterator it(segment.log(), 0, segment.SizeInBytes(), true);
    while (true) {
      auto batch = it.Next();
      if (!batch.ok()) return fail(batch.status());
      if (*batch == nullptr) break;
      const RecordBatchHeader& h = (*batch)->header;
      stats->bytes_read += (*batch)->size;
      Bytes rebuilt;
      ByteSpan out = (*batch)->bytes;
      if (!h.is_control()) {
        auto decoded = DecodeBatch((*batch)->bytes);
        if (!decoded.ok()) return fail(decoded.status());
        std::vector<const RecordView*> kept;
        for (const RecordView& r : decoded->records) {
          // LAB-01: BEGIN SOLUTION Cleaner::CleanGroup (keep or drop a record)
          // HINT: a record is superseded when the map holds a later offset
          // HINT: for its key (map_.Get); a tombstone (no value) expires when
          // HINT: drop_tombstones holds and its offset is below end_offset.
          // HINT: Count expired tombstones that were not superseded in
          // HINT: stats->tombstones_removed; keep (kept.push_back(&r)) the rest.
          // [cleaner-filter]
          std::optional<int64_t> latest;
          if (r.key) latest = map_.Get(*r.key);
          bool superseded = latest && r.offset < *latest;
          // Only below the map's end: an older value of the key may still
          // be above it, uncovered, and must not come back to life.
          bool expired = !r.value && drop_tombstones && r.offset < end_offset;
          if (!superseded && expired) ++stats->tombstones_removed;
          if (!superseded && !expired) kept.push_back(&r);
          // [cleaner-filter]
          // LAB-01: END SOLUTION
        }
        stats->records_read += int64_t(decoded->records.size());
        stats->records_retained += int64_t(kept.size());
        // [cleaner-batch]
        if (kept.empty()) {
          changed = true;
          continue;
        }
        if (kept.size() < decoded->records.size()) {
          rebuilt = RebuildBatch(h, kept);
          out = rebuilt;
          changed = true;
        }
        // [cleaner-batch]
      }
      RecordBatchHeader written = ReadBatchHeader(out);
      Status s = cleaned->Append(written.LastOffset(), written.max_timestamp, out);
      if (!s.ok()) return fail(s);
      contributed[i] = true;
    }
    if (it.stop_reason() != FileBatchIterator::StopReason::kEnd) {
      return fail(
          Status(ErrorCode::kCorruptMessage, "cleaner: bad batch in " + segment.log().path()));
    }
  }
  // Trailing segments that kept nothing stay out of the swap: loading
  // finds the segments a swap replaces by the swap's offset range
  // (log_loader.cpp), which ends at its last record. They hold only
  // superseded records, so they are deleted after the swap.
  size_t keep = group.size();
  while (keep > 0 && !contributed[keep - 1]) --keep;
  Segments emptied(group.begin() + std::ptrdiff_t(keep), group.end());
  group.resize(keep);
  if (group.empty() || !changed) {
    cleaned->DeleteFiles();  // nothing kept, or nothing to gain
    return DeleteSegments(log, emptied, stats);
  }

  Status s = cleaned->OnBecomeInactiveSegment();
  if (s.ok()) s = cleaned->Flush();
  if (s.ok()) s = cleaned->Close();
  if (!s.ok()) return fail(s);
  stats->bytes_written += cleaned->SizeInBytes();
  cleaned.reset();
  if (Status swap = SwapSegments(log, base, group); !swap.ok()) return swap;
  stats->segments_cleaned += int(group.size());
  ++stats->groups_swapped;
  return DeleteSegments(log, emptied, stats);
}

}  // namespace gregor
