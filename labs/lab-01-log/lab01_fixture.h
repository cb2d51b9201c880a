// SPDX-License-Identifier: Apache-2.0
// LogLab: the bench every LAB-01 experiment runs on. A Log in a temporary
// directory (removed afterwards) over a FaultInjectionEnv and a MockClock,
// so each experiment is deterministic and can crash the "disk" on purpose.
//
// The fixture remembers every record it appended (offset, timestamp, key,
// value) and every batch (offsets, size, segment, position), so a case can
// compare what the log says against what was really written: that record
// of the truth is the oracle of each experiment. Banner() prints the line a
// student reads above the case's PASS/FAIL line.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "../../tests/unit/storage/storage_test_util.h"
#include "../lab_banner.h"
#include "common/clock.h"
#include "storage/fault_injection_env.h"
#include "storage/log.h"

namespace gregor::lab01 {

/// A fresh directory under $TMPDIR (or /tmp), removed with its contents
/// (the storage tests' own).
using TempDir = testing::TempDir;
/// Prints the case's measurement, above its PASS/FAIL line.
using labs::Banner;

/// A tiny deterministic generator (Knuth's MMIX LCG), so "random" batch
/// sizes and timestamps are the same on every run and every machine.
class Lcg {
 public:
  explicit Lcg(uint64_t seed) : state_(seed) {}
  /// A number in [lo, hi].
  int64_t Next(int64_t lo, int64_t hi) {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return lo + int64_t((state_ >> 33) % uint64_t(hi - lo + 1));
  }

 private:
  uint64_t state_;
};

/// One record as the fixture appended it.
struct WrittenRecord {
  int64_t offset = 0;
  int64_t timestamp = 0;
  std::string key, value;
};

/// One batch as the fixture appended it, and where the log put it.
struct WrittenBatch {
  int64_t first_offset = 0, last_offset = 0;
  uint32_t size = 0;
  int64_t segment_base_offset = 0;
  uint32_t position = 0;  ///< inside its segment's .log
  int64_t max_timestamp = 0;
};

/// A record read back from the log.
struct ReadRecord {
  int64_t offset = 0;
  int64_t timestamp = 0;
  std::string key, value;
};

/// The fixture; see the file comment.
class LogLab : public ::testing::Test {
 protected:
  /// The timestamp of the record at index `i` of a batch.
  using TimestampFn = std::function<int64_t(int i)>;

  LogLab() { config_.segment_index_bytes = 64 << 10; }

  std::string dir() const { return tmp_.path() + "/lab-0"; }

  /// Opens (or reopens) the log in dir() with config_.
  void Open(LogLoadParams params = {});
  /// The process stops without flushing: the Log object goes away (its
  /// destructor trims the indexes but syncs nothing) and no clean-shutdown
  /// marker is written, so the next Open must recover.
  void StopUnclean() { log_.reset(); }
  /// Reopens after an unclean stop, re-validating from `recovery_point`.
  void ReopenUnclean(int64_t recovery_point);
  /// Flushes, stops and reopens as after a clean shutdown (marker present).
  void ReopenClean();

  /// Appends one batch of `records` records with `value_size`-byte values
  /// stamped `ts(i)` (default: the mock clock's now). Keys and values name
  /// the offset, so a read-back proves which record came back.
  ::testing::AssertionResult AppendBatch(int records, size_t value_size,
                                         const TimestampFn& ts = {});
  /// `n` batches as AppendBatch(records, value_size), the clock advancing
  /// `step_ms` before each.
  ::testing::AssertionResult AppendBatches(int n, int records, size_t value_size,
                                           int64_t step_ms = 0);
  /// After a recovery cut the log at `log_end_offset`: forget what was
  /// appended at and above it, so later appends line up again.
  void ForgetFrom(int64_t log_end_offset);

  /// Decodes every complete batch of a read (a read may end inside one).
  static std::vector<ReadRecord> Decode(ByteSpan bytes);
  std::vector<ReadRecord> ReadAt(int64_t offset, int32_t max_bytes = 1 << 20);
  /// Every record from LogStartOffset to LogEndOffset, by successive reads.
  std::vector<ReadRecord> ReadAll();
  /// The log holds exactly the appended records [from, to), unchanged.
  void ExpectRecords(int64_t from, int64_t to);

  /// The offset index of `segment` as it is on disk (after a flush):
  /// 8-byte entries, relative offset and position, big-endian.
  std::vector<OffsetPosition> OffsetIndexOnDisk(const SegmentInfo& segment);
  /// The time index of `segment` on disk: 12-byte entries, timestamp and
  /// relative offset, big-endian.
  std::vector<TimestampOffset> TimeIndexOnDisk(const SegmentInfo& segment);
  /// A file of `segment` with `suffix` (".log", ".index", ".timeindex").
  static std::string FileBytes(const SegmentInfo& segment, const std::string& suffix);

  TempDir tmp_;
  FaultInjectionEnv env_{Env::Default()};
  MockClock clock_;
  LogConfig config_;
  std::unique_ptr<Log> log_;
  std::vector<WrittenBatch> batches_;   // in append order
  std::vector<WrittenRecord> records_;  // records_[i].offset == i
};

}  // namespace gregor::lab01
