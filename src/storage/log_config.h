// SPDX-License-Identifier: Apache-2.0
// LogConfig: the per-topic settings the storage layer obeys, with Kafka's
// names (the topic-level name; the broker default is the same name with a
// "log." prefix, e.g. log.segment.bytes) and Kafka's defaults. Parsing
// from properties belongs to the configuration registry (chapter 08); here
// it is a plain struct.
//
// Simplifications, named: file.delete.delay.ms is accepted and ignored: a
// deleted segment's files are unlinked at once, and readers holding a
// FileRecordsSlice keep reading through their open descriptor (POSIX keeps
// an unlinked file alive while it is open), which is what Kafka's delayed
// deletion protects. flush.ms is enforced by whoever calls Log::Flush on a
// schedule (the log manager's flusher, later); flush.messages by Log::Append.
#pragma once

#include <cstdint>
#include <limits>
#include <string_view>

#include "record/record_batch.h"

namespace gregor {

/// Per-log settings with Kafka's names and defaults; see the file comment.
struct LogConfig {
  static constexpr int64_t kSevenDaysMs = int64_t(7) * 24 * 60 * 60 * 1000;

  /// segment.bytes: roll when the active segment would exceed this.
  int32_t segment_bytes = 1 << 30;
  /// segment.ms: roll when the active segment's first batch is this old.
  int64_t segment_ms = kSevenDaysMs;
  /// segment.jitter.ms: subtracted from segment.ms (Kafka draws a random
  /// value up to it per segment; we take it as given, 0 by default).
  int64_t segment_jitter_ms = 0;
  /// segment.index.bytes: preallocated size of each index; full -> roll.
  int32_t segment_index_bytes = 10 << 20;
  /// index.interval.bytes: log bytes between two offset-index entries.
  int32_t index_interval_bytes = 4096;
  /// retention.ms: delete segments whose largest timestamp is older; -1 = never.
  int64_t retention_ms = kSevenDaysMs;
  /// retention.bytes: delete oldest segments while the log is above; -1 = no limit.
  int64_t retention_bytes = -1;
  /// max.message.bytes: largest batch accepted (after compression).
  int32_t max_message_bytes = 1048588;
  /// flush.messages: fsync after this many unflushed records.
  int64_t flush_messages = std::numeric_limits<int64_t>::max();
  /// flush.ms: fsync when the last flush is this old (scheduled elsewhere).
  int64_t flush_ms = std::numeric_limits<int64_t>::max();
  /// file.delete.delay.ms: ignored, see the file comment.
  int64_t file_delete_delay_ms = 60000;
  /// message.timestamp.type: CreateTime keeps the producer's timestamps,
  /// LogAppendTime stamps the broker's clock on every batch.
  TimestampType message_timestamp_type = TimestampType::kCreateTime;

  // cleanup.policy: "delete", "compact" or both ("compact,delete", any
  // order). delete: retention.ms / retention.bytes remove old segments.
  // compact: the log cleaner keeps the latest record per key
  // (log_cleaner.h); a compact-only log is never shortened by retention,
  // only by DeleteRecords (the log start offset).
  /// cleanup.policy contains "delete".
  bool cleanup_delete = true;
  /// cleanup.policy contains "compact".
  bool cleanup_compact = false;

  // Compaction settings (log_cleaner.h, log_cleaner_manager.h).
  /// delete.retention.ms: how long tombstones survive once cleaned.
  int64_t delete_retention_ms = 24 * 60 * 60 * 1000;
  /// min.compaction.lag.ms: records younger than this stay uncompacted.
  int64_t min_compaction_lag_ms = 0;
  /// max.compaction.lag.ms: a dirty record older than this forces cleaning.
  int64_t max_compaction_lag_ms = std::numeric_limits<int64_t>::max();
  /// min.cleanable.dirty.ratio: dirty bytes / all bytes before cleaning.
  double min_cleanable_dirty_ratio = 0.5;
};

/// Parses a cleanup.policy value: a comma-separated list of "delete" and
/// "compact" (spaces around items allowed, at least one item, no other
/// word), as Kafka's ConfigDef validates it. Returns false, leaving the
/// flags alone, for anything else.
inline bool ParseCleanupPolicy(std::string_view value, bool* compact, bool* del) {
  bool c = false, d = false, any = false;
  while (true) {
    size_t comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item == "compact") {
      c = true;
    } else if (item == "delete") {
      d = true;
    } else {
      return false;
    }
    any = true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  if (!any) return false;
  *compact = c;
  *del = d;
  return true;
}

}  // namespace gregor
