// SPDX-License-Identifier: Apache-2.0
// Broker registration at startup: a whole KafkaServer (port 0, real
// clock) started twice on the same directories writes one
// RegisterBrokerRecord per start, each with a newer epoch. And the log
// directory lock: two live brokers never share a directory.
#include <gtest/gtest.h>

#include "controller/metadata_records.h"
#include "server/file_lock.h"
#include "server/kafka_server.h"
#include "server_test_util.h"

namespace gregor {
namespace {

using testing::TempDir;

class KafkaServerRegistrationTest : public ::testing::Test {
 protected:
  // Starts a server on dir_, returns its registration, stops it cleanly.
  RegisterBrokerRecord StartAndStop() {
    auto config = testing::LoopbackServerConfig(dir_.path() + "/data");
    if (!config) return {};
    KafkaServer server(*config, SystemClock::Instance());
    Status s = server.Startup();
    EXPECT_TRUE(s.ok()) << s.ToString();
    RegisterBrokerRecord r = server.registration();
    if (s.ok()) {
      EXPECT_EQ(r.end_points.size(), 1u);
      if (!r.end_points.empty()) {
        EXPECT_EQ(r.end_points[0].port, server.BoundPort());
      }
      EXPECT_TRUE(server.Shutdown().ok());
    }
    return r;
  }

  // Every RegisterBrokerRecord in the metadata log, in log order.
  std::vector<RegisterBrokerRecord> Registrations() {
    std::string segment = dir_.path() + "/data/__cluster_metadata-0/00000000000000000000.log";
    std::string bytes = testing::Slurp(segment);
    std::vector<RegisterBrokerRecord> out;
    for (const auto& r : testing::DecodeAll(AsBytes(bytes))) {
      if (!r.record.value) continue;
      auto record = DecodeMetadataRecord(AsBytes(*r.record.value));
      EXPECT_TRUE(record.ok());
      if (!record.ok()) continue;
      if (auto* b = std::get_if<RegisterBrokerRecord>(&*record)) {
        EXPECT_EQ(b->broker_epoch, r.offset);  // Kafka's epoch: the record's offset
        out.push_back(*b);
      }
    }
    return out;
  }

  TempDir dir_;
};

TEST_F(KafkaServerRegistrationTest, EachStartupWritesANewUnfencedRegistration) {
  RegisterBrokerRecord first = StartAndStop();
  RegisterBrokerRecord second = StartAndStop();
  auto written = Registrations();
  ASSERT_EQ(written.size(), 2u);
  EXPECT_EQ(written[0].incarnation_id, first.incarnation_id);
  EXPECT_EQ(written[1].incarnation_id, second.incarnation_id);
  EXPECT_NE(first.incarnation_id, second.incarnation_id);
  EXPECT_GT(second.broker_epoch, first.broker_epoch);
  for (const auto& r : written) {
    EXPECT_EQ(r.broker_id, testing::kTestNodeId);
    EXPECT_FALSE(r.fenced);  // one node is its own controller: unfenced at once
    EXPECT_FALSE(r.in_controlled_shutdown);
  }
}


// Kafka's LogManager locks `.lock` in every log dir; so does KafkaServer: a
// second broker on the same directories refuses to start (and the first
// keeps its files), and the lock is gone after a clean shutdown.
TEST_F(KafkaServerRegistrationTest, SecondBrokerOnTheSameLogDirRefusesToStart) {
  auto config = testing::LoopbackServerConfig(dir_.path() + "/data");
  ASSERT_TRUE(config);
  KafkaServer first(*config, SystemClock::Instance());
  ASSERT_TRUE(first.Startup().ok());
  {
    KafkaServer second(*config, SystemClock::Instance());
    Status s = second.Startup();
    EXPECT_EQ(s.code(), ErrorCode::kKafkaStorageError) << s.ToString();
    EXPECT_NE(s.message().find("another broker process"), std::string::npos) << s.ToString();
  }
  EXPECT_TRUE(first.Shutdown().ok());
  KafkaServer again(*config, SystemClock::Instance());
  EXPECT_TRUE(again.Startup().ok());
  EXPECT_TRUE(again.Shutdown().ok());
}

TEST(FileLockTest, ASecondLockOnTheSameFileFailsUntilTheFirstIsReleased) {
  TempDir dir;
  std::string path = dir.path() + "/.lock";
  auto first = FileLock::TryLock(path);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FALSE(FileLock::TryLock(path).ok());
  first.value().reset();  // unlocks
  EXPECT_TRUE(FileLock::TryLock(path).ok());
}

}  // namespace
}  // namespace gregor
