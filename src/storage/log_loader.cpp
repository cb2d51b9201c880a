// SPDX-License-Identifier: Apache-2.0
// Log::Open: loading a partition directory and recovering it (Kafka's
// LogLoader).
//
//  0. Complete an interrupted cleaner swap (cleaner_swap.cpp): a
//     `<base>.log.swap` replaces every segment starting in its offset
//     range [base, its next offset); its indexes are rebuilt in step 2.
//  1. Remove what no live segment owns: *.deleted, *.cleaned, *.swap,
//     *.tmp, and index files without their .log.
//  2. Open every segment. Each index gets the O(1) SanityCheck; a missing
//     or failing index is rebuilt by recovering that segment.
//  3. Unclean shutdown only: recover every segment from the one holding
//     the recovery point to the end. The first that had to be cut ends the
//     log: every later segment is deleted, since its offsets now follow a
//     gap. Segments below the recovery point are not read at all, which is
//     why recovery time depends on the unflushed tail.
//  4. The last segment becomes active (indexes resized to full size); the
//     log end offset comes from a scan after its last index entry.
#include <algorithm>
#include <set>

#include "common/logging.h"
#include "storage/log.h"
#include "storage/log_file_names.h"

namespace gregor {

namespace {
bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
}  // namespace

Result<std::unique_ptr<Log>> Log::Open(Env& env, const std::string& dir, const LogConfig& config,
                                       Clock& clock, const LogLoadParams& params) {
  if (Status s = env.CreateDir(dir); !s.ok()) return s;
  std::unique_ptr<Log> log(new Log(env, dir, config, clock));
  std::lock_guard lock(log->mu_);
  if (Status s = log->Load(params); !s.ok()) {
    log->closed_ = true;  // the destructor must not touch half-loaded state
    return s;
  }
  return log;
}

Status Log::RemoveStrayFiles(const std::vector<std::string>& children) {
  std::set<std::string> logs;
  for (const auto& name : children) {
    if (OffsetFromFileName(name, kLogFileSuffix)) logs.insert(name.substr(0, 20));
  }
  for (const auto& name : children) {
    bool stray = EndsWith(name, ".deleted") || EndsWith(name, ".cleaned") ||
                 EndsWith(name, ".swap") || EndsWith(name, ".tmp");
    bool orphan_index = (OffsetFromFileName(name, kIndexFileSuffix) ||
                         OffsetFromFileName(name, kTimeIndexFileSuffix)) &&
                        !logs.contains(name.substr(0, 20));
    if (stray || orphan_index) {
      Logger("storage")->info("removing stray file dir={} file={}", dir_, name);
      if (Status s = env_.RemoveFile(dir_ + "/" + name); !s.ok()) return s;
    }
  }
  return Status::Ok();
}

Status Log::CompleteSwaps(const std::vector<std::string>& children) {
  constexpr std::string_view kSwap = ".swap";
  bool swapped = false;
  for (const auto& name : children) {
    if (!EndsWith(name, kSwap)) continue;
    auto base = OffsetFromFileName(name.substr(0, name.size() - kSwap.size()), kLogFileSuffix);
    if (!base) continue;  // an index's .swap: rebuilt instead
    std::string swap_path = dir_ + "/" + name;
    int64_t next = *base + 1;
    {
      auto file = FileRecords::Open(env_, swap_path, false);
      if (!file.ok()) return file.status();
      FileBatchIterator it(**file, 0, (*file)->SizeInBytes(), false);
      while (true) {
        auto batch = it.Next();
        if (!batch.ok()) return batch.status();
        if (*batch == nullptr) break;
        next = std::max(next, (*batch)->header.NextOffset());
      }
    }
    // [loader-complete-swap]
    for (const auto& other : children) {
      auto old = OffsetFromFileName(other, kLogFileSuffix);
      if (!old || *old < *base || *old >= next) continue;
      for (auto suffix : {kLogFileSuffix, kIndexFileSuffix, kTimeIndexFileSuffix}) {
        std::string p = SegmentFilePath(dir_, *old, suffix);
        if (!env_.FileExists(p)) continue;
        if (Status s = env_.RemoveFile(p); !s.ok()) return s;
      }
    }
    // [loader-complete-swap]
    for (auto suffix : {kIndexFileSuffix, kTimeIndexFileSuffix}) {
      std::string p = SegmentFilePath(dir_, *base, suffix);  // old or new: rebuilt
      if (!env_.FileExists(p)) continue;
      if (Status s = env_.RemoveFile(p); !s.ok()) return s;
    }
    Logger("storage")->info("completing swap dir={} file={} replaces=[{}, {})", dir_, name, *base,
                            next);
    if (Status s = env_.RenameFile(swap_path, SegmentFilePath(dir_, *base, kLogFileSuffix));
        !s.ok()) {
      return s;
    }
    swapped = true;
  }
  return swapped ? env_.SyncDir(dir_) : Status::Ok();
}

Result<uint32_t> Log::RecoverSegment(LogSegment& segment) {
  uint32_t size = segment.SizeInBytes();
  auto truncated = segment.Recover();
  if (!truncated.ok()) return truncated;
  ++recovery_stats_.segments_recovered;
  recovery_stats_.bytes_validated += size - *truncated;
  recovery_stats_.bytes_truncated += *truncated;
  if (*truncated > 0) {
    Logger("storage")->warn("recovery truncated dir={} segment={} bytes={}", dir_,
                            segment.base_offset(), *truncated);
  }
  return truncated;
}

Status Log::DeleteSegmentsAfter(int64_t base_offset) {
  while (segments_.rbegin()->first > base_offset) {
    auto segment = segments_.rbegin()->second;
    segments_.erase(segment->base_offset());
    if (Status s = segment->DeleteFiles(); !s.ok()) return s;
    ++recovery_stats_.segments_deleted;
  }
  return Status::Ok();
}

Status Log::Load(const LogLoadParams& params) {
  auto children = env_.GetChildren(dir_);
  if (!children.ok()) return children.status();
  if (Status s = CompleteSwaps(*children); !s.ok()) return s;
  children = env_.GetChildren(dir_);
  if (!children.ok()) return children.status();
  if (Status s = RemoveStrayFiles(*children); !s.ok()) return s;

  std::vector<int64_t> bases;
  for (const auto& name : *children) {
    if (auto base = OffsetFromFileName(name, kLogFileSuffix)) bases.push_back(*base);
  }
  std::sort(bases.begin(), bases.end());
  std::set<int64_t> recovered;
  for (int64_t base : bases) {
    auto segment = LogSegment::Open(env_, dir_, base, config_, clock_.NowMs());
    if (!segment.ok()) return segment.status();
    ++recovery_stats_.segments_loaded;
    // [loader-sanity]
    Status sane = (*segment)->indexes_were_missing()
                      ? Status(ErrorCode::kCorruptMessage, "index file missing")
                      : (*segment)->SanityCheck();
    if (!sane.ok()) {
      Logger("storage")->warn("rebuilding indexes dir={} segment={} reason={}", dir_, base,
                              sane.ToString());
      auto r = RecoverSegment(**segment);
      if (!r.ok()) return r.status();
      // Durable now: a segment below the recovery point is never flushed
      // again, and an index rebuilt but lost would be rebuilt again.
      if (Status s = (*segment)->Flush(); !s.ok()) return s;
      recovered.insert(base);
    }
    // [loader-sanity]
    segments_[base] = std::shared_ptr<LogSegment>(std::move(*segment));
  }

  // [loader-recover-tail]
  if (!params.had_clean_shutdown && !segments_.empty()) {
    // From the segment holding the recovery point to the end.
    auto it = segments_.upper_bound(params.recovery_point.value());
    if (it != segments_.begin()) --it;
    for (; it != segments_.end(); ++it) {
      if (recovered.contains(it->first)) continue;
      auto truncated = RecoverSegment(*it->second);
      if (!truncated.ok()) return truncated.status();
      if (*truncated > 0) {
        if (Status s = DeleteSegmentsAfter(it->first); !s.ok()) return s;
        break;
      }
    }
  }
  // [loader-recover-tail]

  if (segments_.empty()) {
    auto segment = NewSegment(params.log_start_offset.value());
    if (!segment.ok()) return segment.status();
    segments_[params.log_start_offset.value()] = std::move(*segment);
  }
  if (Status s = active().ResizeIndexes(size_t(config_.segment_index_bytes)); !s.ok()) return s;
  auto next = active().ReadNextOffset();
  if (!next.ok()) return next.status();
  UpdateLogEndOffset(*next);
  log_start_offset_ = std::max(params.log_start_offset.value(), segments_.begin()->first);
  if (log_end_offset_.message_offset < log_start_offset_) {
    // Recovery cut below the checkpointed start: begin again from there.
    if (Status s = TruncateFullyLocked(log_start_offset_); !s.ok()) return s;
  }
  recovery_point_ = std::min(params.recovery_point.value(), log_end_offset_.message_offset);
  // Whatever loading created or removed (even by an earlier process that
  // crashed before a flush) is made durable by the first flush.
  dir_needs_sync_ = true;
  Logger("storage")->debug(
      "loaded dir={} segments={} recovered={} log_start_offset={} log_end_offset={}", dir_,
      segments_.size(), recovery_stats_.segments_recovered, log_start_offset_,
      log_end_offset_.message_offset);
  return Status::Ok();
}

}  // namespace gregor
