// SPDX-License-Identifier: Apache-2.0
// LogDirFailureChannel, the LogManager's handling of a failed log
// directory, and FaultInjectionEnv::PowerLoss (the running broker's power
// cut). Faults come from a FaultInjectionEnv; nothing sleeps.
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <thread>

#include "common/clock.h"
#include "storage/fault_injection_env.h"
#include "storage/log_dir_failure_channel.h"
#include "storage/log_manager.h"
#include "storage_test_util.h"

namespace gregor {
namespace {

using testing::MakeBatch;
using testing::Slurp;
using testing::TempDir;

TEST(LogDirFailureChannelTest, FirstReportQueuesTheDirOnce) {
  LogDirFailureChannel channel;
  EXPECT_TRUE(channel.MaybeAddOfflineLogDir("/d1", "append: No space left on device"));
  EXPECT_FALSE(channel.MaybeAddOfflineLogDir("/d1", "again"));
  EXPECT_TRUE(channel.HasOfflineLogDir("/d1"));
  EXPECT_FALSE(channel.HasOfflineLogDir("/d2"));
  EXPECT_EQ(channel.TakeNextOfflineLogDir(), "/d1");
  channel.Close();
  EXPECT_EQ(channel.TakeNextOfflineLogDir(), std::nullopt);  // queued once only
  EXPECT_EQ(channel.OfflineLogDirs(), std::vector<std::string>{"/d1"});
}

TEST(LogDirFailureChannelTest, HandlerBlocksUntilAReportThenStopsOnClose) {
  LogDirFailureChannel channel;
  std::vector<std::string> taken;
  std::thread handler([&] {
    while (auto dir = channel.TakeNextOfflineLogDir()) taken.push_back(*dir);
  });
  channel.MaybeAddOfflineLogDir("/d1", "eio");
  channel.MaybeAddOfflineLogDir("/d2", "eio");
  channel.Close();
  handler.join();  // Close wakes it once the queue is drained
  EXPECT_EQ(taken, (std::vector<std::string>{"/d1", "/d2"}));
}

class LogDirFailureTest : public ::testing::Test {
 protected:
  LogDirFailureTest()
      : dir1_(root_.path() + "/d1"),
        dir2_(root_.path() + "/d2"),
        logs_(env_, {dir1_, dir2_}, LogConfig{}, clock_) {
    logs_.SetLogDirFailureChannel(&channel_);
    EXPECT_TRUE(logs_.Startup().ok());
  }
  std::shared_ptr<Log> Create(const std::string& topic) {
    auto log = logs_.GetOrCreateLog({topic, PartitionId{0}});
    EXPECT_TRUE(log.ok());
    return log.ok() ? *log : nullptr;
  }
  Status Append(Log& log, int count) {
    Bytes batch = MakeBatch(count, 1000);
    auto info = log.Append(batch, Epoch{0});
    return info.ok() ? Status::Ok() : info.status();
  }

  TempDir root_;
  std::string dir1_, dir2_;
  FaultInjectionEnv env_{Env::Default()};
  MockClock clock_;
  LogDirFailureChannel channel_;
  LogManager logs_;
};

TEST_F(LogDirFailureTest, FlushErrorReportsTheLogDirectory) {
  auto a = Create("a");
  std::string dir = logs_.LogDirOf({"a", PartitionId{0}});
  ASSERT_TRUE(Append(*a, 3).ok());
  env_.InjectFault(FaultOp::kSync, 1, EIO, /*sticky=*/true);
  EXPECT_EQ(logs_.FlushAll().code(), ErrorCode::kKafkaStorageError);
  EXPECT_TRUE(channel_.HasOfflineLogDir(dir));
  EXPECT_EQ(channel_.TakeNextOfflineLogDir(), dir);
}

TEST_F(LogDirFailureTest, OfflineDirGetsNoNewLogsNoCheckpointsAndNoMarker) {
  auto a = Create("a");
  std::string failed = logs_.LogDirOf({"a", PartitionId{0}});
  std::string healthy = failed == dir1_ ? dir2_ : dir1_;
  ASSERT_TRUE(Append(*a, 3).ok());
  ASSERT_TRUE(logs_.CheckpointRecoveryOffsetsAndLogStartOffsets().ok());
  std::string before = Slurp(failed + "/" + kRecoveryPointCheckpointFile);

  auto in_it = logs_.HandleLogDirFailure(failed);
  EXPECT_EQ(in_it, (std::vector<TopicPartition>{TopicPartition{"a", PartitionId{0}}}));
  EXPECT_TRUE(logs_.IsLogDirOffline(failed));
  EXPECT_FALSE(logs_.AllLogDirsOffline());
  // New logs avoid the failed directory even though it is the emptier one.
  Create("b");
  Create("c");
  EXPECT_EQ(logs_.LogDirOf({"b", PartitionId{0}}), healthy);
  EXPECT_EQ(logs_.LogDirOf({"c", PartitionId{0}}), healthy);
  ASSERT_TRUE(Append(*a, 2).ok());  // the Log itself is still writable here
  ASSERT_TRUE(logs_.Shutdown().ok());
  EXPECT_EQ(Slurp(failed + "/" + kRecoveryPointCheckpointFile), before);  // not rewritten
  EXPECT_FALSE(env_.FileExists(failed + "/" + kCleanShutdownFile));       // recovered next start
  EXPECT_TRUE(env_.FileExists(healthy + "/" + kCleanShutdownFile));
}

TEST_F(LogDirFailureTest, NoOnlineDirLeftRefusesNewLogs) {
  logs_.HandleLogDirFailure(dir1_);
  EXPECT_FALSE(logs_.AllLogDirsOffline());
  logs_.HandleLogDirFailure(dir2_);
  EXPECT_TRUE(logs_.AllLogDirsOffline());
  auto log = logs_.GetOrCreateLog({"x", PartitionId{0}});
  EXPECT_EQ(log.status().code(), ErrorCode::kKafkaStorageError);
}

TEST(FaultInjectionPowerLossTest, DropsUnsyncedBytesAndStopsEveryLaterWrite) {
  TempDir dir;
  FaultInjectionEnv env(Env::Default());
  std::string path = dir.path() + "/00000000000000000000.log";
  ASSERT_TRUE(env.SyncDir(dir.path()).ok());
  auto file = env.NewAppendableFile(path);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(env.SyncDir(dir.path()).ok());  // the file's creation is durable
  ASSERT_TRUE((*file)->Append(AsBytes("synced|")).ok());
  ASSERT_TRUE((*file)->Sync().ok());
  ASSERT_TRUE((*file)->Append(AsBytes("page cache only")).ok());
  // Another thread writing all the time: none of its bytes may land after
  // the cut (PowerLoss waits for the write in progress, then deactivates).
  std::atomic<bool> stop{false};
  auto other = env.NewAppendableFile(dir.path() + "/other");
  ASSERT_TRUE(other.ok());
  std::thread writer([&] {
    while (!stop) (void)(*other)->Append(AsBytes("x"));
  });
  ASSERT_TRUE(env.PowerLoss().ok());
  stop = true;
  writer.join();
  EXPECT_EQ(Slurp(path), "synced|");
  EXPECT_FALSE(env.FileExists(dir.path() + "/other"));  // created, never SyncDir'd
  EXPECT_EQ((*file)->Append(AsBytes("after")).code(), ErrorCode::kKafkaStorageError);
  EXPECT_EQ(Slurp(path), "synced|");
}

}  // namespace
}  // namespace gregor
