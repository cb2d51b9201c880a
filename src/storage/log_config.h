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

  // Compaction (log_cleaner.h). cleanup.policy itself is still refused by
  // the broker; the cleaner is driven directly by tests for now.
  /// delete.retention.ms: how long tombstones survive once cleaned.
  int64_t delete_retention_ms = 24 * 60 * 60 * 1000;
  /// min.compaction.lag.ms: records younger than this stay uncompacted.
  int64_t min_compaction_lag_ms = 0;
  /// max.compaction.lag.ms: a dirty record older than this forces cleaning.
  int64_t max_compaction_lag_ms = std::numeric_limits<int64_t>::max();
  /// min.cleanable.dirty.ratio: dirty bytes / all bytes before cleaning.
  double min_cleanable_dirty_ratio = 0.5;
};

}  // namespace gregor
