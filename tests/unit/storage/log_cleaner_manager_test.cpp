// SPDX-License-Identifier: Apache-2.0
// LogCleanerManager (which log is cleaned next, in-progress states) and
// LogCleaner's thread step over it; retention and appends of compacted
// logs.
#include "storage/log_cleaner_manager.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <future>
#include <thread>

#include "storage/fault_injection_env.h"
#include "storage/log_cleaner.h"
#include "storage/log_manager.h"
#include "storage_test_util.h"

namespace gregor {
namespace {

using testing::TempDir;

class LogCleanerManagerTest : public ::testing::Test {
 protected:
  LogCleanerManagerTest() {
    config_.segment_bytes = 64 << 10;
    config_.cleanup_compact = true;
    config_.cleanup_delete = false;
  }

  /// A log `name`-0 with `segments` rolled segments of `keys` records each
  /// ("k<i>" -> "v<segment>"), all equal in size, plus an empty active one.
  LogCleanerCandidate MakeLog(const std::string& name, int segments, int keys = 10,
                              std::optional<LogConfig> config = {}) {
    TopicPartition tp{name, PartitionId(0)};
    auto log = Log::Open(env_, tmp_.path() + "/" + tp.ToString(), config.value_or(config_), clock_);
    EXPECT_TRUE(log.ok());
    std::shared_ptr<Log> shared(std::move(*log));
    for (int s = 0; s < segments; ++s) {
      std::vector<Record> records;
      for (int k = 0; k < keys; ++k) {
        records.push_back(
            Record{clock_.NowMs(), "k" + std::to_string(k), "v" + std::to_string(s), {}});
      }
      Bytes batch = BuildBatch(records);
      EXPECT_TRUE(shared->Append(batch, Epoch(0)).ok());
      EXPECT_TRUE(shared->Roll().ok());
    }
    return LogCleanerCandidate{tp, tmp_.path(), shared, 0};
  }
  /// The base offset of `log`'s `i`-th segment.
  static int64_t Base(const LogCleanerCandidate& c, int i) {
    return c.log->Segments()[size_t(i)].base_offset;
  }

  TempDir tmp_;
  FaultInjectionEnv env_{Env::Default()};
  MockClock clock_;
  LogConfig config_;
  LogCleanerManager manager_{clock_};
};

TEST_F(LogCleanerManagerTest, MeasuresCleanAndCleanableBytesFromTheCheckpoint) {
  auto c = MakeLog("a", 4);
  int64_t one = c.log->Segments()[0].size;
  auto all_dirty = LogCleanerManager::Measure(c, clock_.NowMs());
  EXPECT_EQ(all_dirty.clean_bytes, 0);
  EXPECT_EQ(all_dirty.cleanable_bytes, 4 * one);  // never the active segment
  EXPECT_EQ(all_dirty.first_uncleanable_offset, Base(c, 4));
  EXPECT_DOUBLE_EQ(all_dirty.CleanableRatio(), 1.0);

  c.checkpoint = Base(c, 3);
  auto quarter = LogCleanerManager::Measure(c, clock_.NowMs());
  EXPECT_EQ(quarter.first_dirty_offset, Base(c, 3));
  EXPECT_EQ(quarter.clean_bytes, 3 * one);
  EXPECT_DOUBLE_EQ(quarter.CleanableRatio(), 0.25);
}

TEST_F(LogCleanerManagerTest, CheckpointOutsideTheLogRestartsAtTheLogStart) {
  auto c = MakeLog("a", 2);
  c.checkpoint = 1'000'000;
  EXPECT_EQ(LogCleanerManager::Measure(c, clock_.NowMs()).first_dirty_offset, 0);
}

TEST_F(LogCleanerManagerTest, GrabsTheDirtiestLog) {
  auto a = MakeLog("a", 4);
  auto b = MakeLog("b", 4);
  auto c = MakeLog("c", 4);
  a.checkpoint = Base(a, 1);  // 0.75 dirty
  c.checkpoint = Base(c, 2);  // 0.5
  auto grabbed = manager_.GrabFilthiestCompactedLog({a, b, c});
  ASSERT_TRUE(grabbed);
  EXPECT_EQ(grabbed->tp.topic, "b");
  EXPECT_DOUBLE_EQ(manager_.max_dirty_percent(), 100.0);
  EXPECT_TRUE(manager_.IsCleaningInProgress(b.tp));
}

TEST_F(LogCleanerManagerTest, RatioMustExceedMinCleanableDirtyRatio) {
  auto c = MakeLog("a", 4);
  c.checkpoint = Base(c, 2);  // exactly 0.5, the default minimum
  EXPECT_FALSE(manager_.GrabFilthiestCompactedLog({c}));
  EXPECT_DOUBLE_EQ(manager_.max_dirty_percent(), 50.0);

  LogConfig eager = config_;
  eager.min_cleanable_dirty_ratio = 0.4;
  auto d = MakeLog("d", 4, 10, eager);
  d.checkpoint = Base(d, 2);
  auto grabbed = manager_.GrabFilthiestCompactedLog({c, d});
  ASSERT_TRUE(grabbed);
  EXPECT_EQ(grabbed->tp.topic, "d");
}

TEST_F(LogCleanerManagerTest, LogsWithoutCompactPolicyAreNeverChosen) {
  LogConfig del = config_;
  del.cleanup_compact = false;
  del.cleanup_delete = true;
  auto c = MakeLog("a", 4, 10, del);
  EXPECT_FALSE(manager_.GrabFilthiestCompactedLog({c}));
  EXPECT_TRUE(manager_.GrabDeletableLogs({c}).empty());
}

TEST_F(LogCleanerManagerTest, MaxCompactionLagForcesALogBelowTheRatio) {
  LogConfig lagged = config_;
  lagged.min_cleanable_dirty_ratio = 0.9;
  lagged.max_compaction_lag_ms = 60'000;
  auto c = MakeLog("a", 4, 10, lagged);
  c.checkpoint = Base(c, 2);  // 0.5 < 0.9
  EXPECT_FALSE(manager_.GrabFilthiestCompactedLog({c}));
  clock_.AdvanceMs(60'001);  // the oldest dirty record is now past the lag
  auto grabbed = manager_.GrabFilthiestCompactedLog({c});
  ASSERT_TRUE(grabbed);
  EXPECT_TRUE(grabbed->NeedCompactionNow());
  EXPECT_EQ(grabbed->compaction_delay_ms, 1);
}

TEST_F(LogCleanerManagerTest, MinCompactionLagKeepsYoungSegmentsUncleanable) {
  LogConfig young = config_;
  young.min_compaction_lag_ms = 60'000;
  auto c = MakeLog("a", 4, 10, young);
  auto ltc = LogCleanerManager::Measure(c, clock_.NowMs());
  EXPECT_EQ(ltc.first_uncleanable_offset, 0);
  EXPECT_EQ(ltc.cleanable_bytes, 0);
  EXPECT_FALSE(manager_.GrabFilthiestCompactedLog({c}));
  clock_.AdvanceMs(60'001);
  EXPECT_TRUE(manager_.GrabFilthiestCompactedLog({c}));
}

TEST_F(LogCleanerManagerTest, ALogInProgressIsNotGrabbedAgainUntilDone) {
  auto a = MakeLog("a", 4);
  ASSERT_TRUE(manager_.GrabFilthiestCompactedLog({a}));
  EXPECT_FALSE(manager_.GrabFilthiestCompactedLog({a}));
  EXPECT_TRUE(manager_.GrabDeletableLogs({a}).empty());
  manager_.DoneCleaning(a.tp);
  EXPECT_FALSE(manager_.IsCleaningInProgress(a.tp));
  EXPECT_TRUE(manager_.GrabFilthiestCompactedLog({a}));
}

TEST_F(LogCleanerManagerTest, AbortAndPauseWaitsForTheRunningPass) {
  auto a = MakeLog("a", 4);
  ASSERT_TRUE(manager_.GrabFilthiestCompactedLog({a}));
  auto paused = std::async(std::launch::async, [&] { manager_.AbortAndPauseCleaning(a.tp); });
  // Still blocked: the pass has not ended.
  EXPECT_EQ(paused.wait_for(std::chrono::milliseconds(20)), std::future_status::timeout);
  manager_.DoneCleaning(a.tp);
  ASSERT_EQ(paused.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(manager_.IsPaused(a.tp));
  EXPECT_FALSE(manager_.GrabFilthiestCompactedLog({a}));
  manager_.ResumeCleaning(a.tp);
  EXPECT_TRUE(manager_.GrabFilthiestCompactedLog({a}));
}

TEST_F(LogCleanerManagerTest, AFailedLogBacksOff) {
  auto a = MakeLog("a", 4);
  manager_.BackOff(a.tp, clock_.NowMs() + 15'000);
  EXPECT_FALSE(manager_.GrabFilthiestCompactedLog({a}));
  clock_.AdvanceMs(15'000);
  EXPECT_TRUE(manager_.GrabFilthiestCompactedLog({a}));
}

// --- LogCleaner's thread step over the manager.

class LogCleanerThreadTest : public LogCleanerManagerTest {
 protected:
  std::unique_ptr<LogCleaner> MakeCleaner(std::vector<LogCleanerCandidate> logs,
                                          CleanerConfig config = {}) {
    return std::make_unique<LogCleaner>(env_, clock_, config, [logs] { return logs; });
  }
};

TEST_F(LogCleanerThreadTest, CleanFilthiestLogCleansCheckpointsAndCounts) {
  auto a = MakeLog("a", 4);
  auto cleaner = MakeCleaner({a});
  Cleaner worker(1 << 20, clock_);
  int64_t before = a.log->Size();
  EXPECT_TRUE(cleaner->CleanFilthiestLog(worker));
  EXPECT_LT(a.log->Size(), before);  // three of four copies of each key went
  EXPECT_EQ(cleaner->CheckpointOf(tmp_.path(), a.tp).value(), Base(a, 1));  // one segment left
  EXPECT_GT(cleaner->stats().bytes_read.load(), 0);
  EXPECT_GT(cleaner->stats().bytes_written.load(), 0);
  EXPECT_EQ(cleaner->stats().passes.load(), 1);
  EXPECT_FALSE(cleaner->manager().IsCleaningInProgress(a.tp));
  // Clean now: nothing to do.
  EXPECT_FALSE(cleaner->CleanFilthiestLog(worker));
  EXPECT_EQ(cleaner->stats().passes.load(), 1);
}

TEST_F(LogCleanerThreadTest, AFailedPassIsLoggedAndBacksOffNeverFatal) {
  auto a = MakeLog("a", 4);
  auto cleaner = MakeCleaner({a});              // log.cleaner.backoff.ms 15000
  Cleaner tiny(OffsetMap::kSlotBytes, clock_);  // no batch of 10 keys fits
  EXPECT_FALSE(cleaner->CleanFilthiestLog(tiny));
  EXPECT_FALSE(cleaner->manager().IsCleaningInProgress(a.tp));
  Cleaner worker(1 << 20, clock_);
  EXPECT_FALSE(cleaner->CleanFilthiestLog(worker));  // still backing off
  EXPECT_EQ(cleaner->stats().passes.load(), 0);
  clock_.AdvanceMs(15'000);
  EXPECT_TRUE(cleaner->CleanFilthiestLog(worker));
}

TEST_F(LogCleanerThreadTest, ThreadsCleanThenStopPromptly) {
  auto a = MakeLog("a", 4);
  auto cleaner = MakeCleaner({a}, CleanerConfig{.enable = true,
                                                .num_threads = 2,
                                                .dedupe_buffer_size = 2 << 20,
                                                .backoff_ms = 3'600'000});
  cleaner->Startup();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (cleaner->stats().passes.load() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(cleaner->stats().passes.load(), 1);
  // Both threads now sleep an hour; Shutdown must wake them at once.
  auto start = std::chrono::steady_clock::now();
  cleaner->Shutdown();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(LogCleanerThreadTest, RemoveCheckpointDropsOnlyThatPartition) {
  auto a = MakeLog("a", 2);
  auto b = MakeLog("b", 2);
  auto cleaner = MakeCleaner({a, b});
  ASSERT_TRUE(cleaner->CleanLog(tmp_.path(), a.tp, *a.log).ok());
  ASSERT_TRUE(cleaner->CleanLog(tmp_.path(), b.tp, *b.log).ok());
  ASSERT_TRUE(cleaner->RemoveCheckpoint(tmp_.path(), a.tp).ok());
  EXPECT_EQ(cleaner->CheckpointOf(tmp_.path(), a.tp).value(), 0);
  EXPECT_EQ(cleaner->CheckpointOf(tmp_.path(), b.tp).value(), b.log->LogEndOffset().value());
}

// --- Retention and appends of compacted logs.

TEST_F(LogCleanerManagerTest, CompactOnlyLogsSkipTimeAndSizeRetention) {
  LogConfig compact = config_;
  compact.retention_ms = 1000;
  compact.retention_bytes = 0;
  auto c = MakeLog("a", 3, 10, compact);
  clock_.AdvanceMs(10'000);
  EXPECT_EQ(c.log->DeleteOldSegments().value(), 0);
  EXPECT_EQ(c.log->NumberOfSegments(), 4);

  LogConfig both = compact;
  both.cleanup_delete = true;  // compact,delete: retention applies too
  auto d = MakeLog("b", 3, 10, both);
  clock_.AdvanceMs(10'000);
  EXPECT_EQ(d.log->DeleteOldSegments().value(), 3);
}

TEST_F(LogCleanerManagerTest, CompactOnlyLogsStillDropSegmentsBelowTheLogStart) {
  auto c = MakeLog("a", 3);
  ASSERT_TRUE(c.log->MaybeIncrementLogStartOffset(Offset(Base(c, 2))).ok());
  EXPECT_EQ(c.log->DeleteOldSegments().value(), 2);
}

TEST_F(LogCleanerManagerTest, CompactedLogRefusesARecordWithoutKey) {
  auto c = MakeLog("a", 0);
  Bytes batch = BuildBatch(
      {Record{clock_.NowMs(), "k", "v", {}}, Record{clock_.NowMs(), std::nullopt, "no key", {}}});
  auto r = c.log->Append(batch, Epoch(0));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidRecord);
  EXPECT_EQ(c.log->LogEndOffset().value(), 0);  // nothing of the batch went in

  Bytes compressed = BuildBatch({Record{clock_.NowMs(), std::nullopt, "v", {}}},
                                BatchOptions{.compression = CompressionType::kGzip});
  EXPECT_EQ(c.log->Append(compressed, Epoch(0)).status().code(), ErrorCode::kInvalidRecord);

  LogConfig del;
  auto d = MakeLog("b", 0, 10, del);
  EXPECT_TRUE(d.log->Append(batch, Epoch(0)).ok());  // delete policy: keys optional
}

// --- LogManager: threads, retention split, deletion.

TEST_F(LogCleanerManagerTest, LogManagerDeleteLogDropsTheCleanerCheckpoint) {
  LogManager manager(env_, {tmp_.path() + "/d"}, LogConfig{}, clock_);
  ASSERT_TRUE(manager.Startup().ok());
  TopicPartition tp{"t", PartitionId(0)};
  auto log = manager.GetOrCreateLog(tp, config_);
  ASSERT_TRUE(log.ok());
  for (int i = 0; i < 3; ++i) {
    Bytes batch = BuildBatch({Record{clock_.NowMs(), "k", "v" + std::to_string(i), {}}});
    ASSERT_TRUE((*log)->Append(batch, Epoch(0)).ok());
    ASSERT_TRUE((*log)->Roll().ok());
  }
  std::string dir = tmp_.path() + "/d";
  ASSERT_TRUE(manager.cleaner().CleanLog(dir, tp, **log).ok());
  EXPECT_EQ(manager.cleaner().CheckpointOf(dir, tp).value(), 3);
  ASSERT_TRUE(manager.DeleteLog(tp).ok());
  EXPECT_EQ(manager.cleaner().CheckpointOf(dir, tp).value(), 0);
  EXPECT_FALSE(manager.cleaner().manager().IsPaused(tp));
}

TEST_F(LogCleanerManagerTest, LogManagerLeavesCompactedRetentionToTheCleaner) {
  // Enabled, but no thread: the test drives the step itself.
  CleanerConfig on{
      .enable = true, .num_threads = 0, .dedupe_buffer_size = 1 << 20, .backoff_ms = 3'600'000};
  LogManager manager(env_, {tmp_.path() + "/d"}, LogConfig{}, clock_, on);
  ASSERT_TRUE(manager.Startup().ok());
  LogConfig both = config_;
  both.cleanup_delete = true;
  both.retention_ms = 1000;
  TopicPartition tp{"t", PartitionId(0)};
  auto log = manager.GetOrCreateLog(tp, both);
  ASSERT_TRUE(log.ok());
  for (int i = 0; i < 3; ++i) {
    Bytes batch = BuildBatch({Record{clock_.NowMs(), "k" + std::to_string(i), "v", {}}});
    ASSERT_TRUE((*log)->Append(batch, Epoch(0)).ok());
    ASSERT_TRUE((*log)->Roll().ok());
  }
  clock_.AdvanceMs(10'000);
  EXPECT_EQ(manager.CleanupLogs().value(), 0);  // the cleaner thread's job
  Cleaner worker(1 << 20, clock_);
  manager.cleaner().CleanFilthiestLog(worker);  // retention runs in the step
  EXPECT_EQ((*log)->NumberOfSegments(), 1);
  ASSERT_TRUE(manager.Shutdown().ok());
}

TEST_F(LogCleanerManagerTest, LogManagerDestructorStopsIdleCleanerThreadsPromptly) {
  CleanerConfig on{
      .enable = true, .num_threads = 2, .dedupe_buffer_size = 1 << 20, .backoff_ms = 3'600'000};
  auto manager = std::make_unique<LogManager>(env_, std::vector<std::string>{tmp_.path() + "/d"},
                                              LogConfig{}, clock_, on);
  ASSERT_TRUE(manager->Startup().ok());
  ASSERT_TRUE(manager->GetOrCreateLog({"t", PartitionId(0)}, config_).ok());
  auto start = std::chrono::steady_clock::now();
  manager.reset();  // no Shutdown: the destructor must stop the threads
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(LogCleanerManagerTest, AnIoErrorInAPassTakesTheLogDirOffline) {
  LogDirFailureChannel channel;
  CleanerConfig on{.enable = true, .num_threads = 0, .dedupe_buffer_size = 1 << 20};
  std::string dir = tmp_.path() + "/d";
  LogManager manager(env_, {dir}, LogConfig{}, clock_, on);
  manager.SetLogDirFailureChannel(&channel);
  ASSERT_TRUE(manager.Startup().ok());
  auto log = manager.GetOrCreateLog({"t", PartitionId(0)}, config_);
  ASSERT_TRUE(log.ok());
  for (int i = 0; i < 3; ++i) {
    Bytes batch = BuildBatch({Record{clock_.NowMs(), "k", "v" + std::to_string(i), {}}});
    ASSERT_TRUE((*log)->Append(batch, Epoch(0)).ok());
    ASSERT_TRUE((*log)->Roll().ok());
  }
  env_.InjectFault(FaultOp::kAny, 1, EIO, /*sticky=*/true);
  Cleaner worker(1 << 20, clock_);
  EXPECT_FALSE(manager.cleaner().CleanFilthiestLog(worker));  // logged, never thrown
  env_.ClearFaults();
  EXPECT_TRUE(channel.HasOfflineLogDir(dir));
}

}  // namespace
}  // namespace gregor
