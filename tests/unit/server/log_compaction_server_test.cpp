// SPDX-License-Identifier: Apache-2.0
// Compaction as the broker sees it: a produce of a record without key to
// a compacted partition fails with INVALID_RECORD (87), and the cleaner's
// metrics are rendered under Kafka's names.
#include <gtest/gtest.h>

#include <regex>

#include "../storage/storage_test_util.h"
#include "common/clock.h"
#include "server/log_cleaner_metrics.h"
#include "server/metrics.h"
#include "server/replica_manager.h"

namespace gregor {
namespace {

using testing::TempDir;

double Value(const std::string& text, const std::string& series) {
  std::smatch m;
  std::regex re("(^|\n)" + series + " (\\S+)\n");
  EXPECT_TRUE(std::regex_search(text, m, re)) << series << " missing in\n" << text;
  return m.size() > 2 ? std::stod(m[2].str()) : -1;
}

class LogCompactionServerTest : public ::testing::Test {
 protected:
  LogCompactionServerTest()
      : logs_(*Env::Default(), {dir_.path()}, LogConfig{}, clock_), rm_(logs_) {
    EXPECT_TRUE(logs_.Startup().ok());
    compact_.cleanup_compact = true;
    compact_.cleanup_delete = false;
  }

  TempDir dir_;
  MockClock clock_;
  LogManager logs_;
  ReplicaManager rm_;
  LogConfig compact_;
  TopicPartition tp_{"keyed", PartitionId{0}};
};

TEST_F(LogCompactionServerTest, NullKeyInACompactedTopicIsInvalidRecord) {
  ASSERT_TRUE(rm_.MakeLeader(tp_, compact_).ok());
  Bytes keyless = BuildBatch({Record{1000, "k", "v", {}}, Record{1000, std::nullopt, "v", {}}});
  auto r = rm_.AppendRecords(tp_, keyless);
  EXPECT_EQ(r.error, ErrorCode::kInvalidRecord);
  EXPECT_EQ(int(r.error), 87);
  EXPECT_NE(r.error_message.find("without key"), std::string::npos);
  EXPECT_EQ(logs_.GetLog(tp_)->LogEndOffset().value(), 0);

  Bytes keyed = BuildBatch({Record{1000, "k", "v", {}}});
  EXPECT_EQ(rm_.AppendRecords(tp_, keyed).error, ErrorCode::kNone);
}

TEST_F(LogCompactionServerTest, CleanerMetricsUseKafkasNames) {
  MetricsRegistry registry;
  RegisterLogCleanerMetrics(registry, logs_.cleaner(), clock_);
  ASSERT_TRUE(rm_.MakeLeader(tp_, compact_).ok());
  auto log = logs_.GetLog(tp_);
  for (int i = 0; i < 3; ++i) {
    Bytes batch = BuildBatch({Record{1000, "k", "v" + std::to_string(i), {}}});
    ASSERT_TRUE(log->Append(batch, Epoch(0)).ok());
    ASSERT_TRUE(log->Roll().ok());
  }
  std::string before = registry.Render();
  EXPECT_EQ(Value(before, "kafka_log_logcleaner_bytes_read_total"), 0);
  clock_.AdvanceMs(5000);
  EXPECT_EQ(Value(registry.Render(), "kafka_log_logcleaner_time_since_last_run_ms"), 5000);

  ASSERT_TRUE(logs_.cleaner().CleanLog(dir_.path(), tp_, *log).ok());
  std::string after = registry.Render();
  EXPECT_NE(after.find("# TYPE kafka_log_logcleaner_bytes_read_total counter"), std::string::npos);
  EXPECT_NE(after.find("# TYPE kafka_log_logcleaner_time_since_last_run_ms gauge"),
            std::string::npos);
  EXPECT_GT(Value(after, "kafka_log_logcleaner_bytes_read_total"), 0);
  EXPECT_GT(Value(after, "kafka_log_logcleaner_bytes_written_total"), 0);
  EXPECT_EQ(Value(after, "kafka_log_logcleaner_time_since_last_run_ms"), 0);
  EXPECT_GT(Value(after, "kafka_log_logcleaner_cleaner_recopy_percent"), 0);
  EXPECT_LT(Value(after, "kafka_log_logcleaner_cleaner_recopy_percent"), 100);
  Value(after, "kafka_log_logcleaner_max_clean_time_secs");
  Value(after, "kafka_log_logcleaner_max_buffer_utilization_percent");
  Value(after, "kafka_log_logcleanermanager_max_dirty_percent");
}

}  // namespace
}  // namespace gregor
