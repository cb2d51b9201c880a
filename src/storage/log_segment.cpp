// SPDX-License-Identifier: Apache-2.0
#include "storage/log_segment.h"

#include <algorithm>
#include <limits>

#include "common/logging.h"
#include "storage/log_file_names.h"

namespace gregor {

LogSegment::LogSegment(Env& env, std::string dir, int64_t base_offset, const LogConfig& config,
                       int64_t now_ms)
    : env_(env),
      dir_(std::move(dir)),
      base_offset_(base_offset),
      index_interval_bytes_(config.index_interval_bytes),
      max_index_size_(size_t(config.segment_index_bytes)),
      created_ms_(now_ms),
      max_timestamp_so_far_{kNoTimestamp, base_offset} {}

LogSegment::~LogSegment() { Close(); }

Result<std::unique_ptr<LogSegment>> LogSegment::Open(Env& env, const std::string& dir,
                                                     int64_t base_offset, const LogConfig& config,
                                                     int64_t now_ms, std::string_view file_suffix) {
  std::unique_ptr<LogSegment> seg(new LogSegment(env, dir, base_offset, config, now_ms));
  seg->file_suffix_ = std::string(file_suffix);
  std::string index_path = SegmentFilePath(dir, base_offset, kIndexFileSuffix) + seg->file_suffix_;
  std::string time_path =
      SegmentFilePath(dir, base_offset, kTimeIndexFileSuffix) + seg->file_suffix_;
  seg->indexes_were_missing_ = !env.FileExists(index_path) || !env.FileExists(time_path);

  auto log =
      FileRecords::Open(env, SegmentFilePath(dir, base_offset, kLogFileSuffix) + seg->file_suffix_);
  if (!log.ok()) return log.status();
  seg->log_ = std::move(*log);
  auto offset_index = OffsetIndex::Open(env, index_path, base_offset, seg->max_index_size_);
  if (!offset_index.ok()) return offset_index.status();
  seg->offset_index_ = std::move(*offset_index);
  auto time_index = TimeIndex::Open(env, time_path, base_offset, seg->max_index_size_);
  if (!time_index.ok()) return time_index.status();
  seg->time_index_ = std::move(*time_index);

  // Cheap state from O(1) reads: the final time-index entry of a closed
  // segment is its max timestamp; segment.ms measures from the first batch.
  seg->max_timestamp_so_far_ = seg->time_index_->LastEntry();
  if (seg->SizeInBytes() >= BatchLayout::kHeaderSize) {
    auto head = seg->log_->ReadBytes(0, uint32_t(BatchLayout::kHeaderSize));
    if (!head.ok()) return head.status();
    seg->rolling_based_timestamp_ = ReadBatchHeader(*head).max_timestamp;
  }
  return seg;
}

int64_t LogSegment::LargestTimestamp() const {
  return max_timestamp_so_far_.timestamp >= 0 ? max_timestamp_so_far_.timestamp : created_ms_;
}

Status LogSegment::Append(int64_t largest_offset, int64_t largest_timestamp, ByteSpan records) {
  if (records.empty()) return Status::Ok();
  if (largest_offset - base_offset_ > std::numeric_limits<int32_t>::max()) {
    return Status(ErrorCode::kUnknownServerError, "offset " + std::to_string(largest_offset) +
                                                      " does not fit segment " + log_->path());
  }
  // [segment-append]
  uint32_t position = log_->SizeInBytes();
  if (position == 0) rolling_based_timestamp_ = largest_timestamp;
  if (Status s = log_->Append(records); !s.ok()) return s;
  // Index entries per batch: the batches are already validated, so only
  // their headers are read here.
  for (size_t at = 0; at < records.size();) {
    RecordBatchHeader header = ReadBatchHeader(records.subspan(at));
    if (Status s = IndexBatch(header, position); !s.ok()) return s;
    position += uint32_t(header.SizeInBytes());
    at += header.SizeInBytes();
  }
  // [segment-append]
  return Status::Ok();
}

Status LogSegment::IndexBatch(const RecordBatchHeader& header, uint32_t position) {
  // LAB-01: BEGIN SOLUTION LogSegment::IndexBatch
  // HINT: track the max timestamp (and the batch's last offset) first;
  // HINT: then add one entry to each index once more than
  // HINT: index_interval_bytes_ of log were written since the last entry.
  // [segment-index-batch]
  if (header.max_timestamp > max_timestamp_so_far_.timestamp) {
    max_timestamp_so_far_ = {header.max_timestamp, header.LastOffset()};
  }
  if (bytes_since_last_index_entry_ > uint32_t(index_interval_bytes_) && !offset_index_->IsFull() &&
      !time_index_->IsFull()) {
    Status s = offset_index_->Append(header.LastOffset(), position);
    if (!s.ok()) return s;
    s = time_index_->MaybeAppend(max_timestamp_so_far_.timestamp, max_timestamp_so_far_.offset);
    if (!s.ok()) return s;
    bytes_since_last_index_entry_ = 0;
  }
  bytes_since_last_index_entry_ += uint32_t(header.SizeInBytes());
  // [segment-index-batch]
  return Status::Ok();
  // LAB-01: END SOLUTION
}

// [segment-translate]
Result<std::optional<LogOffsetPosition>> LogSegment::TranslateOffset(int64_t offset) const {
  OffsetPosition entry = offset_index_->Lookup(offset);
  return log_->SearchForOffsetWithSize(offset, entry.position);
}
// [segment-translate]

Result<std::optional<FetchDataInfo>> LogSegment::Read(int64_t start_offset, uint32_t max_size,
                                                      uint32_t max_position,
                                                      bool min_one_message) const {
  // [segment-read]
  auto found = TranslateOffset(start_offset);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return std::optional<FetchDataInfo>();
  const LogOffsetPosition& batch = **found;
  FetchDataInfo info;
  info.fetch_offset_metadata = {start_offset, base_offset_, batch.position};
  uint32_t adjusted = min_one_message ? std::max(max_size, batch.size) : max_size;
  if (adjusted == 0 || batch.position >= max_position) return std::optional(info);
  uint32_t fetch_size = std::min(max_position - batch.position, adjusted);
  info.records = log_->Slice(batch.position, fetch_size);
  info.first_entry_incomplete = adjusted < batch.size;
  return std::optional(info);
  // [segment-read]
}

Result<int64_t> LogSegment::ReadNextOffset() const {
  FileBatchIterator it(*log_, offset_index_->LastEntry().position, log_->SizeInBytes(), false);
  int64_t next = base_offset_;
  for (;;) {
    auto batch = it.Next();
    if (!batch.ok()) return batch.status();
    if (*batch == nullptr) return next;
    next = (*batch)->header.NextOffset();
  }
}

Result<std::optional<TimestampOffset>> LogSegment::FindOffsetByTimestamp(
    int64_t timestamp, int64_t starting_offset) const {
  TimestampOffset entry = time_index_->Lookup(timestamp);
  OffsetPosition start = offset_index_->Lookup(std::max(entry.offset, starting_offset));
  return log_->SearchForTimestamp(timestamp, start.position, starting_offset);
}

Result<uint32_t> LogSegment::Recover() {
  if (Status s = offset_index_->Reset(max_index_size_); !s.ok()) return s;
  if (Status s = time_index_->Reset(max_index_size_); !s.ok()) return s;
  bytes_since_last_index_entry_ = 0;
  max_timestamp_so_far_ = {kNoTimestamp, base_offset_};
  rolling_based_timestamp_.reset();
  // LAB-01: BEGIN SOLUTION LogSegment::Recover
  // HINT: walk the batches with a FileBatchIterator that reads bodies;
  // HINT: stop at the first one ValidateBatch rejects or whose offsets go
  // HINT: backwards or leave the segment; index the good ones with
  // HINT: IndexBatch; cut the .log after the last good byte.
  // [segment-recover-loop]
  FileBatchIterator it(*log_, 0, log_->SizeInBytes(), /*read_bodies=*/true);
  uint32_t valid_bytes = 0;
  int64_t next_offset = base_offset_;
  for (;;) {
    auto batch = it.Next();
    if (!batch.ok()) return batch.status();
    if (*batch == nullptr) break;  // end, or a torn/garbled length
    const FileBatchIterator::Batch& b = **batch;
    auto valid = ValidateBatch(b.bytes, size_t(std::numeric_limits<int32_t>::max()));
    if (!valid.ok()) {
      Logger("storage")->warn("recover path={} position={} reason={}", log_->path(), b.position,
                              valid.status().ToString());
      break;
    }
    const RecordBatchHeader& h = *valid;
    if (h.base_offset < next_offset ||
        h.LastOffset() - base_offset_ > std::numeric_limits<int32_t>::max()) {
      Logger("storage")->warn("recover path={} position={} reason=offset {} out of order",
                              log_->path(), b.position, h.base_offset);
      break;
    }
    if (valid_bytes == 0) rolling_based_timestamp_ = h.max_timestamp;
    if (Status s = IndexBatch(h, b.position); !s.ok()) return s;
    next_offset = h.NextOffset();
    valid_bytes += b.size;
  }
  // [segment-recover-loop]
  // [segment-recover-cut]
  uint32_t truncated = log_->SizeInBytes() - valid_bytes;
  if (truncated > 0 || it.stop_reason() != FileBatchIterator::StopReason::kEnd) {
    auto cut = log_->TruncateTo(valid_bytes);
    if (!cut.ok()) return cut.status();
  }
  return truncated;
  // [segment-recover-cut]
  // LAB-01: END SOLUTION
}

Result<uint32_t> LogSegment::TruncateTo(int64_t offset, int64_t now_ms) {
  auto found = TranslateOffset(offset);
  if (!found.ok()) return found.status();
  offset_index_->TruncateTo(offset);
  time_index_->TruncateTo(offset);
  if (Status s = ResizeIndexes(max_index_size_); !s.ok()) return s;
  uint32_t removed = 0;
  if (found->has_value()) {
    auto cut = log_->TruncateTo((*found)->position);
    if (!cut.ok()) return cut.status();
    removed = *cut;
  }
  if (log_->SizeInBytes() == 0) {
    created_ms_ = now_ms;
    rolling_based_timestamp_.reset();
  }
  bytes_since_last_index_entry_ = 0;
  if (Status s = LoadLargestTimestamp(); !s.ok()) return s;
  return removed;
}

Status LogSegment::LoadLargestTimestamp() {
  // The time index has entries only every index interval: scan the batches
  // after the last one for a larger timestamp.
  max_timestamp_so_far_ = time_index_->LastEntry();
  uint32_t from = offset_index_->Lookup(max_timestamp_so_far_.offset).position;
  FileBatchIterator it(*log_, from, log_->SizeInBytes(), false);
  for (;;) {
    auto batch = it.Next();
    if (!batch.ok()) return batch.status();
    if (*batch == nullptr) return Status::Ok();
    const RecordBatchHeader& h = (*batch)->header;
    if (h.max_timestamp > max_timestamp_so_far_.timestamp) {
      max_timestamp_so_far_ = {h.max_timestamp, h.LastOffset()};
    }
  }
}

// [segment-should-roll]
bool LogSegment::ShouldRoll(const RollParams& p) const {
  int64_t size = SizeInBytes();
  // segment.ms counts from the first batch's timestamp if it has one, so a
  // log rebuilt from old data rolls by data time, not by when it was copied.
  int64_t waited = rolling_based_timestamp_ && *rolling_based_timestamp_ >= 0
                       ? p.max_timestamp_in_messages - *rolling_based_timestamp_
                       : p.now_ms - created_ms_;
  bool reached_roll_ms = waited > p.max_segment_ms;
  bool offsets_fit = p.max_offset_in_messages - base_offset_ <= std::numeric_limits<int32_t>::max();
  return size > int64_t(p.max_segment_bytes) - p.messages_size || (size > 0 && reached_roll_ms) ||
         offset_index_->IsFull() || time_index_->IsFull() || !offsets_fit;
}
// [segment-should-roll]

// [segment-inactive]
Status LogSegment::OnBecomeInactiveSegment() {
  if (max_timestamp_so_far_.timestamp >= 0) {
    Status s = time_index_->MaybeAppend(max_timestamp_so_far_.timestamp,
                                        max_timestamp_so_far_.offset, true);
    if (!s.ok()) return s;
  }
  if (Status s = offset_index_->TrimToValidSize(); !s.ok()) return s;
  return time_index_->TrimToValidSize();
}
// [segment-inactive]

Status LogSegment::ResizeIndexes(size_t size) {
  if (Status s = offset_index_->Resize(size); !s.ok()) return s;
  return time_index_->Resize(size);
}

Status LogSegment::Flush() {
  if (Status s = log_->Flush(); !s.ok()) return s;
  if (Status s = offset_index_->Flush(); !s.ok()) return s;
  return time_index_->Flush();
}

Status LogSegment::SanityCheck() const {
  if (Status s = offset_index_->SanityCheck(); !s.ok()) return s;
  if (Status s = time_index_->SanityCheck(); !s.ok()) return s;
  if (offset_index_->LastEntry().position > log_->SizeInBytes()) {
    return Status(ErrorCode::kCorruptMessage,
                  "corrupt index " + offset_index_->path() + ": points past the end of the log");
  }
  return Status::Ok();
}

Status LogSegment::Close() {
  if (closed_) return Status::Ok();
  closed_ = true;
  Status inactive = OnBecomeInactiveSegment();
  Status a = offset_index_->Close();
  Status b = time_index_->Close();
  if (!inactive.ok()) return inactive;
  return a.ok() ? b : a;
}

Status LogSegment::DeleteFiles() {
  Close();
  for (auto suffix : {kLogFileSuffix, kIndexFileSuffix, kTimeIndexFileSuffix}) {
    std::string path = SegmentFilePath(dir_, base_offset_, suffix) + file_suffix_;
    if (env_.FileExists(path)) {
      if (Status s = env_.RemoveFile(path); !s.ok()) return s;
    }
  }
  return Status::Ok();
}

}  // namespace gregor
