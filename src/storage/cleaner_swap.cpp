// SPDX-License-Identifier: Apache-2.0
// Cleaner::SwapSegments: replacing a group of old segments by the cleaned
// one so that a crash at any step loses nothing (Kafka's
// LocalLog.replaceSegments). The states a crash can leave, and what
// loading (Log::CompleteSwaps in log_loader.cpp) makes of them:
//
//   before the first SyncDir  old segments + `.cleaned` (or a `.swap` whose
//                             rename was not durable): `.cleaned` removed,
//                             the old segments stay
//   after it                  `.swap` + old segments, some maybe renamed
//                             `.deleted` (after the second SyncDir: all
//                             of them), some new files maybe final: the
//                             swap is completed (old segments in its
//                             offset range removed, `.swap` renamed)
//   after the last SyncDir    new segment + `.deleted`: those are removed
#include <array>

#include "common/logging.h"
#include "storage/cleaner.h"
#include "storage/log_file_names.h"

namespace gregor {

namespace {
// The .log is renamed last, so its name decides which state we are in.
constexpr std::array<std::string_view, 3> kSuffixes{kIndexFileSuffix, kTimeIndexFileSuffix,
                                                    kLogFileSuffix};
}  // namespace

Status Cleaner::SwapSegments(Log& log, int64_t base, const Segments& old) {
  Env& env = log.env_;
  const std::string& dir = log.dir_;
  auto path = [&](int64_t offset, std::string_view suffix, const char* ext) {
    return SegmentFilePath(dir, offset, suffix) + ext;
  };
  // Each file operation goes through the test hook. ([[maybe_unused]]: the
  // lab-01 skeleton stubs out the steps that call them.)
  [[maybe_unused]] auto rename = [&](const std::string& from, const std::string& to) {
    Hook("rename " + BaseName(from) + " " + BaseName(to));
    return env.RenameFile(from, to);
  };
  [[maybe_unused]] auto sync_dir = [&] {
    Hook("syncdir");
    return env.SyncDir(dir);
  };
  [[maybe_unused]] auto remove = [&](const std::string& p) {
    Hook("remove " + BaseName(p));
    return env.RemoveFile(p);
  };

  std::lock_guard lock(log.mu_);
  bool still_ours = !log.offline_ && !log.closed_;
  for (const auto& segment : old) {
    auto it = log.segments_.find(segment->base_offset());
    still_ours = still_ours && it != log.segments_.end() && it->second == segment;
  }
  if (!still_ours) {
    // Retention or a truncation got there first: drop the cleaned copy.
    for (auto suffix : kSuffixes) env.RemoveFile(path(base, suffix, ".cleaned"));
    return Status::Ok();
  }

  auto swap = [&]() -> Status {
    // LAB-01: BEGIN SOLUTION Cleaner::SwapSegments (the four steps)
    // HINT: use the rename, sync_dir and remove helpers above (they call the
    // HINT: test hook). 1. every .cleaned file -> .swap, then sync_dir();
    // HINT: 2. each old segment's files -> .deleted (Close() it first),
    // HINT:    then sync_dir();
    // HINT: 3. every .swap -> its final name, the .log last, then sync_dir();
    // HINT: 4. remove the .deleted files. Why must no step move earlier?
    // [cleaner-swap]
    // 1. The cleaned copy (already fsynced) becomes the swap, durably.
    for (auto sfx : kSuffixes) {
      Status s = rename(path(base, sfx, ".cleaned"), path(base, sfx, ".swap"));
      if (!s.ok()) return s;
    }
    if (Status s = sync_dir(); !s.ok()) return s;
    // 2. The old segments move aside.
    for (const auto& segment : old) {
      segment->Close();
      for (auto sfx : kSuffixes) {
        std::string p = path(segment->base_offset(), sfx, "");
        if (!env.FileExists(p)) continue;
        if (Status s = rename(p, p + ".deleted"); !s.ok()) return s;
      }
    }
    // Durably, before any final name appears: POSIX does not order renames,
    // and a final .log that survived a power cut without the renames
    // before it would bring an old segment back beside the new one.
    if (Status s = sync_dir(); !s.ok()) return s;
    // 3. The swap takes the final names, the .log last.
    for (auto sfx : kSuffixes) {
      Status s = rename(path(base, sfx, ".swap"), path(base, sfx, ""));
      if (!s.ok()) return s;
    }
    if (Status s = sync_dir(); !s.ok()) return s;
    // 4. Only now may the old bytes go.
    for (const auto& segment : old) {
      for (auto sfx : kSuffixes) {
        std::string p = path(segment->base_offset(), sfx, ".deleted");
        if (!env.FileExists(p)) continue;
        if (Status s = remove(p); !s.ok()) return s;
      }
    }
    // [cleaner-swap]
    return Status::Ok();
    // LAB-01: END SOLUTION
  };
  if (Status s = swap(); !s.ok()) return log.GoOffline(s);

  auto segment = LogSegment::Open(env, dir, base, log.config_, clock_.NowMs());
  if (!segment.ok()) return log.GoOffline(segment.status());
  for (const auto& o : old) log.segments_.erase(o->base_offset());
  log.segments_[base] = std::shared_ptr<LogSegment>(std::move(*segment));
  Logger("cleaner")->debug("swapped dir={} base={} replaced={}", dir, base, old.size());
  return Status::Ok();
}

Status Cleaner::DeleteSegments(Log& log, const Segments& segments, CleanerStats* stats) {
  // No swap needed: a crash at any point leaves the segment whole (merely
  // not yet cleaned), or without its .log (its indexes are then orphans,
  // removed on load), or gone.
  std::lock_guard lock(log.mu_);
  for (const auto& segment : segments) {
    auto it = log.segments_.find(segment->base_offset());
    if (log.offline_ || log.closed_ || it == log.segments_.end() || it->second != segment) continue;
    Hook("delete " + FilenamePrefixFromOffset(segment->base_offset()));
    log.segments_.erase(it);
    if (Status s = segment->DeleteFiles(); !s.ok()) return log.GoOffline(s);
    ++stats->segments_deleted;
  }
  return Status::Ok();
}

}  // namespace gregor
