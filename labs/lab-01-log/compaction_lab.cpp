// SPDX-License-Identifier: Apache-2.0
// LAB-01 experiments on log compaction (chapter 01, "Log compaction"): a
// compacted log keeps the latest value of every key, so under overwrites
// its size stops growing; tombstones go, but only delete.retention.ms
// after their segment was cleaned; the active segment is never touched;
// and a power cut at any step of the swap loses nothing. Exercises
// OffsetMap::Find, the keep-or-drop rule of Cleaner::CleanGroup and the
// swap steps of Cleaner::SwapSegments.
//
// The oracle of every case is a map key -> latest value kept by the case
// itself, and the log is read back twice: through Log::Read (what a
// consumer sees) and straight from the segment files (what is on disk).
#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "../../tests/unit/storage/storage_test_util.h"
#include "lab01_fixture.h"
#include "record/memory_records_builder.h"
#include "record/record_batch_reader.h"
#include "storage/log_cleaner.h"

namespace gregor::lab01 {
namespace {

/// A record read back with its null value intact (ReadRecord has none).
struct KeyedRecord {
  int64_t offset = 0;
  std::string key;
  std::optional<std::string> value;
};

class CompactionLab01 : public LogLab {
 protected:
  static constexpr int64_t kRetentionMs = 60'000;

  CompactionLab01() {
    config_.segment_bytes = 4 << 10;
    config_.index_interval_bytes = 512;
    config_.delete_retention_ms = kRetentionMs;
    config_.min_compaction_lag_ms = 0;
  }

  /// One batch of keyed records (nullopt: a tombstone), stamped now; the
  /// oracle learns each key's latest value.
  void Put(const std::vector<std::pair<std::string, std::optional<std::string>>>& records) {
    MemoryRecordsBuilder builder;
    for (const auto& [key, value] : records) {
      builder.Append(Record{clock_.NowMs(), key, value, {}});
      latest_[key] = value;
    }
    Bytes batch = builder.Build();
    auto r = log_->Append(batch, Epoch(0));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  /// Writes every key of `keys` once, `per_batch` records to a batch, with
  /// `value_size`-byte values that name the round.
  void Round(int round, int keys, int per_batch, size_t value_size) {
    std::vector<std::pair<std::string, std::optional<std::string>>> batch;
    for (int k = 0; k < keys; ++k) {
      std::string value = "r" + std::to_string(round) + "k" + std::to_string(k);
      value.resize(std::max(value.size(), value_size), '.');
      batch.emplace_back("key" + std::to_string(k), value);
      if (int(batch.size()) == per_batch || k + 1 == keys) {
        ASSERT_NO_FATAL_FAILURE(Put(batch));
        batch.clear();
      }
    }
  }

  void Roll() { ASSERT_TRUE(log_->Roll().ok()); }

  /// One cleaning pass with the lab's cleaner and checkpoint file.
  CleanerStats Clean() {
    auto stats = cleaner_.CleanLog(tmp_.path(), tp_, *log_);
    EXPECT_TRUE(stats.ok()) << stats.status().ToString();
    return stats.ok() ? *stats : CleanerStats{};
  }

  /// Every record a consumer reads from LogStartOffset on (skipping the
  /// offset gaps compaction leaves).
  std::vector<KeyedRecord> ReadKeyed() {
    return testing::ReadAllRecords(*log_, [this](int64_t offset) {
      std::vector<KeyedRecord> out;
      auto info = log_->Read(Offset(offset), 1 << 20);
      EXPECT_TRUE(info.ok()) << info.status().ToString();
      if (!info.ok()) return out;
      auto bytes = info->records.ReadAll();
      EXPECT_TRUE(bytes.ok());
      if (bytes.ok()) out = DecodeKeyed(*bytes);
      return out;
    });
  }

  /// Every record of every segment file, in segment order, as stored. A
  /// segment the swap failed to replace would show up here twice.
  std::vector<KeyedRecord> ScanSegmentFiles() {
    std::vector<KeyedRecord> out;
    for (const SegmentInfo& s : log_->Segments()) {
      std::string data = testing::Slurp(s.log_path);
      auto records =
          DecodeKeyed(ByteSpan(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
      out.insert(out.end(), records.begin(), records.end());
    }
    return out;
  }

  static std::vector<KeyedRecord> DecodeKeyed(ByteSpan bytes) {
    std::vector<KeyedRecord> out;
    for (size_t at = 0; at < bytes.size();) {
      auto size = PeekBatchSize(bytes.subspan(at));
      if (!size || at + *size > bytes.size()) break;
      auto batch = DecodeBatch(bytes.subspan(at, *size));
      EXPECT_TRUE(batch.ok()) << batch.status().ToString();
      if (!batch.ok()) break;
      for (const auto& r : batch->records) {
        std::optional<std::string> value;
        if (r.value) value = std::string(*r.value);
        out.push_back({r.offset, std::string(r.key.value_or("")), value});
      }
      at += *size;
    }
    return out;
  }

  /// The oracle's check: offsets strictly rise (no record twice, no
  /// overlapping segments), and every key's latest record is there, with
  /// its latest value. Tombstoned keys may be absent.
  void ExpectLatestValues(const std::vector<KeyedRecord>& records) {
    std::map<std::string, std::optional<std::string>> last_seen;
    int64_t previous = -1;
    for (const KeyedRecord& r : records) {
      ASSERT_GT(r.offset, previous) << "offsets must strictly rise";
      previous = r.offset;
      last_seen[r.key] = r.value;
    }
    for (const auto& [key, value] : latest_) {
      if (!value && !last_seen.contains(key)) continue;  // tombstone removed
      ASSERT_TRUE(last_seen.contains(key)) << key << " lost";
      EXPECT_EQ(last_seen[key], value) << key << " does not end with its latest value";
    }
  }

  /// How many records each key has in `records`.
  static std::map<std::string, int> CountByKey(const std::vector<KeyedRecord>& records) {
    std::map<std::string, int> out;
    for (const KeyedRecord& r : records) ++out[r.key];
    return out;
  }

  std::map<std::string, std::optional<std::string>> latest_;
  TopicPartition tp_{"lab-compacted", PartitionId(0)};
  LogCleaner cleaner_{env_, clock_, 1 << 20};
};

// Claim: a compacted log holds at most one record per key below its
// active segment, so under overwrites of a fixed key set its size stops
// growing: after each cleaning pass it is bounded by one generation of
// the keys plus the active segment, however much was appended.
TEST_F(CompactionLab01, SizeStopsGrowingUnderKeyOverwrites) {
  ASSERT_NO_FATAL_FAILURE(Open());
  constexpr int kKeys = 40, kRounds = 30;
  int64_t generation = 0;  // the bytes of one round: every key once
  int64_t largest = 0, appended = 0;
  for (int round = 0; round < kRounds; ++round) {
    int64_t before = log_->Size();
    ASSERT_NO_FATAL_FAILURE(Round(round, kKeys, 8, 100));
    appended += log_->Size() - before;
    if (round == 0) generation = log_->Size();
    clock_.AdvanceMs(1000);
    Clean();
    if (round >= 2) largest = std::max(largest, log_->Size());
  }
  // One generation in the clean section (batch headers may be rebuilt
  // around fewer records, hence the factor 2), plus the active segment.
  int64_t bound = 2 * generation + config_.segment_bytes;
  EXPECT_LE(largest, bound);
  EXPECT_GT(appended, 3 * bound) << "the experiment must append far more than the bound";
  ASSERT_NO_FATAL_FAILURE(ExpectLatestValues(ReadKeyed()));
  // Below the active segment every key is there once.
  int64_t active_base = log_->Segments().back().base_offset;
  std::map<std::string, int> below;
  for (const KeyedRecord& r : ReadKeyed()) {
    if (r.offset < active_base) ++below[r.key];
  }
  for (const auto& [key, count] : below) EXPECT_EQ(count, 1) << key;
  Banner("%d keys overwritten %d times: %" PRId64 " B appended, one generation %" PRId64
         " B; after each pass the log stays <= %" PRId64 " B (bound %" PRId64 " B), %d segments",
         kKeys, kRounds, appended, generation, largest, bound, log_->NumberOfSegments());
}

// Claim: a tombstone (null value) first deletes the older values of its
// key, and is itself removed only by a pass that runs more than
// delete.retention.ms after the newest record of its (already cleaned)
// segment: not one millisecond before. The key then vanishes entirely.
TEST_F(CompactionLab01, TombstonesDisappearAfterDeleteRetentionMsNotBefore) {
  ASSERT_NO_FATAL_FAILURE(Open());
  ASSERT_NO_FATAL_FAILURE(Round(0, 10, 5, 50));
  clock_.AdvanceMs(1000);
  ASSERT_NO_FATAL_FAILURE(
      Put({{"key0", std::nullopt}, {"key1", std::nullopt}, {"key2", std::nullopt}}));
  ASSERT_NO_FATAL_FAILURE(Roll());
  ASSERT_NO_FATAL_FAILURE(Put({{"other", "in the active segment"}}));

  auto tombstones = [&] {
    int n = 0;
    for (const KeyedRecord& r : ReadKeyed()) n += r.value ? 0 : 1;
    return n;
  };
  CleanerStats first = Clean();
  auto counts = CountByKey(ReadKeyed());
  EXPECT_EQ(counts["key0"], 1) << "the tombstone alone is left of key0";
  EXPECT_EQ(tombstones(), 3) << "a tombstone survives the pass that first cleans it";
  EXPECT_EQ(first.tombstones_removed, 0);

  // The segment holding the tombstones, after the first pass.
  int64_t newest = log_->Segments().front().largest_timestamp;
  int64_t wait = newest + kRetentionMs - clock_.NowMs();
  clock_.AdvanceMs(wait);  // exactly delete.retention.ms: not yet
  CleanerStats at_limit = Clean();
  EXPECT_EQ(tombstones(), 3) << "removed at exactly delete.retention.ms";
  EXPECT_EQ(at_limit.tombstones_removed, 0);

  clock_.AdvanceMs(1);
  CleanerStats after = Clean();
  EXPECT_EQ(tombstones(), 0);
  EXPECT_EQ(after.tombstones_removed, 3);
  counts = CountByKey(ReadKeyed());
  for (const char* gone : {"key0", "key1", "key2"}) EXPECT_EQ(counts.count(gone), 0u) << gone;
  ASSERT_NO_FATAL_FAILURE(ExpectLatestValues(ReadKeyed()));
  Banner("3 tombstones: kept by the first pass, still there %" PRId64
         " ms after their segment's newest record (= delete.retention.ms), gone 1 ms later; "
         "%zu keys left of 11",
         wait, counts.size());
}

// Claim: the cleaner never touches the active segment, whatever it
// holds: its duplicate keys stay, byte for byte, through any number of
// passes. Once it rolls, the next pass compacts it like the others.
TEST_F(CompactionLab01, ActiveSegmentIsNeverCompacted) {
  ASSERT_NO_FATAL_FAILURE(Open());
  for (int round = 0; round < 4; ++round) ASSERT_NO_FATAL_FAILURE(Round(round, 20, 5, 60));
  ASSERT_NO_FATAL_FAILURE(Roll());
  int64_t active_base = log_->LogEndOffset().value();
  for (int i = 0; i < 6; ++i) ASSERT_NO_FATAL_FAILURE(Put({{"hot", "v" + std::to_string(i)}}));
  uint32_t active_size = log_->Segments().back().size;
  std::string active_bytes = FileBytes(log_->Segments().back(), ".log");

  CleanerStats stats;
  for (int pass = 0; pass < 3; ++pass) {
    clock_.AdvanceMs(kRetentionMs * 2);
    stats = Clean();
    EXPECT_LE(stats.end_offset, active_base) << "a pass went into the active segment";
  }
  auto segments = log_->Segments();
  EXPECT_EQ(segments.back().base_offset, active_base);
  EXPECT_EQ(segments.back().size, active_size) << "the active segment was rewritten";
  EXPECT_EQ(FileBytes(segments.back(), ".log"), active_bytes) << "the active segment changed";
  auto counts = CountByKey(ReadKeyed());
  EXPECT_EQ(counts["hot"], 6) << "duplicates in the active segment must stay";
  EXPECT_EQ(counts["key0"], 1) << "below the active segment every key is once";
  int inactive_segments = int(segments.size()) - 1;

  // Roll: the same records, now in an inactive segment, are compacted.
  ASSERT_NO_FATAL_FAILURE(Roll());
  Clean();
  counts = CountByKey(ReadKeyed());
  EXPECT_EQ(counts["hot"], 1);
  ASSERT_NO_FATAL_FAILURE(ExpectLatestValues(ReadKeyed()));
  Banner("after 3 passes: active segment [%" PRId64 ", %" PRId64
         ") unchanged at %u B with 6 records of one key; below it %d cleaned segment(s); "
         "after a roll, 1 record of that key",
         active_base, active_base + 6, active_size, inactive_segments);
}

// Claim: a power cut at any step of the swap (renames of .cleaned to
// .swap, old segments to .deleted, .swap to the final names, the
// directory fsyncs, the removals) leaves after recovery either the old
// segments or the new one: every key's latest value is there, no offset
// is held twice, and no .cleaned/.swap/.deleted file is left.
TEST_F(CompactionLab01, CrashMidSwapLosesNothing) {
  // Several swaps per pass, so some cuts fall between two of them.
  auto workload = [&] {
    latest_.clear();
    for (int round = 0; round < 5; ++round) {
      ASSERT_NO_FATAL_FAILURE(Round(round, 30, 6, 80));
      clock_.AdvanceMs(100);
    }
    ASSERT_NO_FATAL_FAILURE(Put({{"key7", std::nullopt}}));
    ASSERT_NO_FATAL_FAILURE(Roll());
    ASSERT_TRUE(log_->FlushAll().ok());
  };
  config_.segment_bytes = 2 << 10;
  ASSERT_NO_FATAL_FAILURE(Open());
  ASSERT_NO_FATAL_FAILURE(workload());
  std::vector<std::string> ops;  // a dry run names every file operation
  cleaner_.set_file_op_hook([&](const std::string& op) { ops.push_back(op); });
  CleanerStats dry = Clean();
  cleaner_.set_file_op_hook(nullptr);
  ASSERT_GE(dry.groups_swapped, 2);
  log_.reset();

  int as_before = 0, partly_cleaned = 0;
  for (size_t crash_at = 0; crash_at < ops.size(); ++crash_at) {
    SCOPED_TRACE("power cut before: " + ops[crash_at]);
    std::filesystem::remove_all(dir());
    std::filesystem::remove(tmp_.path() + "/" + kCleanerCheckpointFile);
    ASSERT_NO_FATAL_FAILURE(Open());
    ASSERT_NO_FATAL_FAILURE(workload());
    size_t records_before = ScanSegmentFiles().size();
    size_t n = 0;
    cleaner_.set_file_op_hook([&](const std::string&) {
      if (n++ == crash_at) {
        ASSERT_TRUE(env_.SimulateCrash().ok());
      }
    });
    EXPECT_FALSE(cleaner_.CleanLog(tmp_.path(), tp_, *log_).ok()) << "the cut must be felt";
    cleaner_.set_file_op_hook(nullptr);
    Offset recovery_point = log_->RecoveryPoint();
    log_.reset();
    env_.SetFilesystemActive(true);
    ASSERT_NO_FATAL_FAILURE(Open(LogLoadParams{recovery_point, Offset(0), false}));

    auto on_disk = ScanSegmentFiles();
    ASSERT_NO_FATAL_FAILURE(ExpectLatestValues(on_disk));
    ASSERT_NO_FATAL_FAILURE(ExpectLatestValues(ReadKeyed()));
    auto children = env_.GetChildren(dir());
    ASSERT_TRUE(children.ok());
    for (const auto& name : *children) {
      for (const char* stray : {".cleaned", ".swap", ".deleted"}) {
        EXPECT_EQ(name.find(stray), std::string::npos) << name;
      }
    }
    (on_disk.size() == records_before ? as_before : partly_cleaned) += 1;
    // A later pass completes the job.
    Clean();
    ASSERT_NO_FATAL_FAILURE(ExpectLatestValues(ScanSegmentFiles()));
    EXPECT_EQ(CountByKey(ReadKeyed())["key0"], 1);
  }
  Banner(
      "%zu power cuts, one before each file operation of a pass with %d swaps: "
      "nothing lost, no offset twice; %d recoveries found the log as before the pass, "
      "%d found part of it cleaned",
      ops.size(), dry.groups_swapped, as_before, partly_cleaned);
}

}  // namespace
}  // namespace gregor::lab01
