// SPDX-License-Identifier: Apache-2.0
// ReplicaManager under a failing disk: an injected I/O error on append
// (FaultInjectionEnv) answers KAFKA_STORAGE_ERROR, reports the log
// directory to the LogDirFailureChannel, and once the broker handles that
// report every partition in the directory answers KAFKA_STORAGE_ERROR on
// produce, fetch and list-offsets. Also the test-only DiskFaultController's
// configuration. Nothing sleeps.
#include <gtest/gtest.h>

#include <cerrno>

#include "common/clock.h"
#include "controller/topic_registry.h"
#include "server/disk_fault_controller.h"
#include "server/kafka_server.h"
#include "server/replica_manager.h"
#include "server_test_util.h"
#include "storage/fault_injection_env.h"

namespace gregor {
namespace {

using testing::MakeBatch;
using testing::TempDir;

class ReplicaManagerStorageErrorTest : public ::testing::Test {
 protected:
  ReplicaManagerStorageErrorTest() : logs_(env_, {dir_.path()}, LogConfig{}, clock_), rm_(logs_) {
    logs_.SetLogDirFailureChannel(&channel_);
    rm_.SetLogDirFailureChannel(&channel_);
    EXPECT_TRUE(logs_.Startup().ok());
    EXPECT_TRUE(rm_.MakeLeader(a_).ok());
    EXPECT_TRUE(rm_.MakeLeader(b_).ok());
  }
  PartitionAppendResult Append(const TopicPartition& tp, int count) {
    Bytes batch = MakeBatch(count, 1000);
    return rm_.AppendRecords(tp, batch);
  }

  TempDir dir_;
  FaultInjectionEnv env_{Env::Default()};
  MockClock clock_;
  LogDirFailureChannel channel_;
  LogManager logs_;
  ReplicaManager rm_;
  TopicPartition a_{"orders", PartitionId{0}};
  TopicPartition b_{"orders", PartitionId{1}};
};

TEST_F(ReplicaManagerStorageErrorTest, AppendErrorAnswersStorageErrorAndReportsTheDir) {
  ASSERT_EQ(Append(a_, 3).error, ErrorCode::kNone);
  env_.InjectFault(FaultOp::kWrite, 1, ENOSPC, /*sticky=*/true);
  auto failed = Append(a_, 2);
  EXPECT_EQ(failed.error, ErrorCode::kKafkaStorageError);
  EXPECT_NE(failed.error_message.find("No space left on device"), std::string::npos);
  EXPECT_TRUE(channel_.HasOfflineLogDir(dir_.path()));
  // The failed log itself answers 56 at once, before the handler runs.
  EXPECT_EQ(rm_.ReadRecords(a_, 0, 1 << 20, true).error, ErrorCode::kKafkaStorageError);
  EXPECT_EQ(rm_.FetchOffsetForTimestamp(a_, kLatestTimestamp).error, ErrorCode::kKafkaStorageError);
}

TEST_F(ReplicaManagerStorageErrorTest, HandledFailureTakesEveryPartitionOfTheDirOffline) {
  ASSERT_EQ(Append(b_, 3).error, ErrorCode::kNone);
  env_.InjectFault(FaultOp::kWrite, 1, EIO, /*sticky=*/true);
  ASSERT_EQ(Append(a_, 1).error, ErrorCode::kKafkaStorageError);
  // b_ was not written since: it still reads, until the handler runs.
  EXPECT_EQ(rm_.ReadRecords(b_, 0, 1 << 20, true).error, ErrorCode::kNone);
  auto dir = channel_.TakeNextOfflineLogDir();
  ASSERT_EQ(dir, dir_.path());
  EXPECT_TRUE(rm_.HandleLogDirFailure(*dir));  // the only log dir: the broker must stop
  env_.ClearFaults();                          // even with the disk back, the dir stays offline
  EXPECT_EQ(Append(b_, 1).error, ErrorCode::kKafkaStorageError);
  EXPECT_EQ(rm_.ReadRecords(b_, 0, 1 << 20, true).error, ErrorCode::kKafkaStorageError);
  EXPECT_EQ(rm_.FetchOffsetForTimestamp(b_, kEarliestTimestamp).error,
            ErrorCode::kKafkaStorageError);
}

TEST_F(ReplicaManagerStorageErrorTest, NothingAcknowledgedIsLostAfterReopening) {
  ASSERT_EQ(Append(a_, 3).error, ErrorCode::kNone);
  env_.InjectFault(FaultOp::kWrite, 1, ENOSPC, /*sticky=*/true);
  ASSERT_EQ(Append(a_, 2).error, ErrorCode::kKafkaStorageError);  // torn: half written
  rm_.HandleLogDirFailure(dir_.path());
  ASSERT_TRUE(logs_.Shutdown().ok());
  EXPECT_FALSE(env_.FileExists(dir_.path() + "/" + kCleanShutdownFile));
  env_.ClearFaults();
  // Restart: recovery cuts the torn batch; the acknowledged 3 remain.
  LogManager again(env_, {dir_.path()}, LogConfig{}, clock_);
  ASSERT_TRUE(again.Startup().ok());
  auto log = again.GetLog(a_);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->LogEndOffset().value(), 3);
  ReplicaManager rm(again);
  ASSERT_TRUE(rm.MakeLeader(a_).ok());
  Bytes batch = MakeBatch(1, 1000);
  EXPECT_EQ(rm.AppendRecords(a_, batch).base_offset, 3);
  ASSERT_TRUE(again.Shutdown().ok());
}

TEST(DiskFaultControllerTest, OffUnlessSetAndRefusesOtherValues) {
  auto off = KafkaConfig::Create({{"log.dirs", "/tmp/x"}});
  ASSERT_TRUE(off.ok());
  auto none = DiskFaultController::Create(*off);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, nullptr);
  auto bad = KafkaConfig::Create({{"log.dirs", "/tmp/x"}, {"gregor.test.env", "chaos"}});
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(DiskFaultController::Create(*bad).status().code(), ErrorCode::kInvalidConfig);
  auto on = KafkaConfig::Create({{"log.dirs", "/tmp/d/data"}, {"gregor.test.env", "fault"}});
  ASSERT_TRUE(on.ok());
  auto ctl = DiskFaultController::Create(*on);
  ASSERT_TRUE(ctl.ok());
  ASSERT_NE(*ctl, nullptr);
  EXPECT_EQ((*ctl)->control_file(), "/tmp/d/gregor-fault-control");
  EXPECT_TRUE((*ctl)->Apply("enospc").ok());
  EXPECT_TRUE((*ctl)->Apply("none").ok());
  EXPECT_EQ((*ctl)->Apply("flood").code(), ErrorCode::kInvalidConfig);
}

// Found by the disk-fault run: a topic's own config (flush.messages=1)
// applied when its log was created, but a restart loaded the log with the
// broker defaults, so the next power loss lost acknowledged records.
TEST(KafkaServerTopicConfigTest, RestartLoadsEachLogWithItsTopicConfig) {
  TempDir dir;
  std::string data = dir.path() + "/data";
  {
    auto registry = TopicRegistry::Open(*Env::Default(), data + "/__cluster_metadata-0",
                                        SystemClock::Instance(), [](const TopicChange&) {});
    ASSERT_TRUE(registry.ok());
    ASSERT_TRUE((*registry)->CreateTopic("durable", 1, 1, {{"flush.messages", "1"}}).ok());
  }
  auto config = testing::LoopbackServerConfig(data);
  ASSERT_NE(config, nullptr);
  for (int start = 0; start < 2; ++start) {  // creates the log, then loads it
    KafkaServer server(*config, SystemClock::Instance());
    ASSERT_TRUE(server.Startup().ok());
    auto log = server.log_manager()->GetLog({"durable", PartitionId{0}});
    ASSERT_NE(log, nullptr);
    EXPECT_EQ(log->config().flush_messages, 1) << "start " << start;
    ASSERT_TRUE(server.Shutdown().ok());
  }
}

}  // namespace
}  // namespace gregor
