// SPDX-License-Identifier: Apache-2.0
#include "server/fault_injector.h"

#include <gtest/gtest.h>

namespace gregor {
namespace {

KafkaConfig FaultConfig(std::map<std::string, std::string> props) {
  auto config = KafkaConfig::Create(props);
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  return *config;
}

const TopicPartition kOrders0{"orders", PartitionId{0}};

TEST(FaultInjectorTest, OffUnlessThePartitionIsSet) {
  MetricsRegistry metrics;
  FaultInjector faults;
  ASSERT_TRUE(faults.Configure(FaultConfig({{"gregor.test.fault.error", "NOT_LEADER_OR_FOLLOWER"}}),
                               metrics)
                  .ok());
  EXPECT_FALSE(faults.enabled());
  EXPECT_EQ(faults.Check(FaultInjector::Api::kProduce, kOrders0), ErrorCode::kNone);
}

TEST(FaultInjectorTest, FailsTheNextCountRequestsOfThePartitionOnly) {
  MetricsRegistry metrics;
  FaultInjector faults;
  ASSERT_TRUE(faults
                  .Configure(FaultConfig({{"gregor.test.fault.partition", "orders-0"},
                                          {"gregor.test.fault.api", "produce"},
                                          {"gregor.test.fault.error", "NOT_LEADER_OR_FOLLOWER"},
                                          {"gregor.test.fault.count", "2"}}),
                             metrics)
                  .ok());
  using Api = FaultInjector::Api;
  EXPECT_EQ(faults.Check(Api::kFetch, kOrders0), ErrorCode::kNone);
  EXPECT_EQ(faults.Check(Api::kProduce, {"orders", PartitionId{1}}), ErrorCode::kNone);
  EXPECT_EQ(faults.Check(Api::kProduce, kOrders0), ErrorCode::kNotLeaderOrFollower);
  EXPECT_EQ(faults.Check(Api::kProduce, kOrders0), ErrorCode::kNotLeaderOrFollower);
  EXPECT_EQ(faults.Check(Api::kProduce, kOrders0), ErrorCode::kNone);
  EXPECT_NE(metrics.Render().find("gregor_test_faults_injected_total 2\n"), std::string::npos);
}

TEST(FaultInjectorTest, UnknownErrorNameIsInvalidConfig) {
  MetricsRegistry metrics;
  FaultInjector faults;
  Status s = faults.Configure(FaultConfig({{"gregor.test.fault.partition", "orders-0"},
                                           {"gregor.test.fault.error", "NO_SUCH_ERROR"}}),
                              metrics);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidConfig);
}

TEST(FaultInjectorTest, PartitionWithoutNumberIsInvalidConfig) {
  MetricsRegistry metrics;
  FaultInjector faults;
  Status s = faults.Configure(FaultConfig({{"gregor.test.fault.partition", "orders"}}), metrics);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidConfig);
}

TEST(FaultInjectorTest, ErrorNamesMapToKafkasCodes) {
  EXPECT_EQ(ErrorFromName("NOT_LEADER_OR_FOLLOWER"), ErrorCode::kNotLeaderOrFollower);
  EXPECT_EQ(ErrorFromName("not_leader"), std::nullopt);
}

}  // namespace
}  // namespace gregor
