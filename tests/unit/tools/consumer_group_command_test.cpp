// SPDX-License-Identifier: Apache-2.0
// gregor-consumer-groups' pure half: arguments, lag, rows, tables, the
// reset plan.
#include "consumer_group_command.h"

#include <gtest/gtest.h>

namespace gregor::tools {
namespace {

TopicPartition Tp(const std::string& topic, int32_t p) { return {topic, PartitionId(p)}; }

Result<ConsumerGroupCommandOptions> Parse(std::vector<std::string> args) {
  args.insert(args.begin(), {"--bootstrap-server", "localhost:9092"});
  return ParseConsumerGroupCommandArgs(args);
}

// A Stable group: member m1 holds orders-0 and orders-1, m2 nothing.
ConsumerGroupDescription StableGroup() {
  ConsumerGroupDescription g;
  g.group_id = "g";
  g.state = "Stable";
  g.partition_assignor = "range";
  g.coordinator = Node{1, "127.0.0.1", 9092};
  g.members = {{"m1", std::nullopt, "c1", "/127.0.0.1", {Tp("orders", 0), Tp("orders", 1)}},
               {"m2", std::nullopt, "c2", "/10.0.0.2", {}}};
  return g;
}

TEST(ConsumerGroupCommandTest, ParsesDescribeViews) {
  auto o = Parse({"--describe", "--group", "g"});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->action, ConsumerGroupAction::kDescribe);
  EXPECT_EQ(o->view, DescribeView::kOffsets);
  EXPECT_EQ(o->groups, std::vector<std::string>{"g"});
  EXPECT_EQ(Parse({"--describe", "--group", "g", "--members"})->view, DescribeView::kMembers);
  EXPECT_EQ(Parse({"--describe", "--group", "g", "--state"})->view, DescribeView::kState);
  EXPECT_FALSE(Parse({"--describe", "--group", "g", "--members", "--state"}).ok());
  EXPECT_FALSE(Parse({"--describe", "--group", "g", "--verbose"}).ok());
}

TEST(ConsumerGroupCommandTest, NeedsExactlyOneActionAndABootstrapServer) {
  EXPECT_FALSE(Parse({}).ok());
  EXPECT_FALSE(Parse({"--list", "--delete", "--group", "g"}).ok());
  EXPECT_FALSE(ParseConsumerGroupCommandArgs({"--list"}).ok());
  EXPECT_FALSE(Parse({"--describe"}).ok());  // no --group
  EXPECT_FALSE(Parse({"--list", "--nonsense"}).ok());
  EXPECT_EQ(Parse({"--list", "--to-earliest"}).status().code(), ErrorCode::kInvalidConfig);
  EXPECT_TRUE(ParseConsumerGroupCommandArgs({"--help"})->help);
}

TEST(ConsumerGroupCommandTest, ParsesResetOffsets) {
  auto o = Parse({"--reset-offsets", "--group", "g", "--topic", "orders:0,2", "--to-offset", "5",
                  "--execute"});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->action, ConsumerGroupAction::kResetOffsets);
  EXPECT_EQ(o->topics, (std::vector<TopicArg>{{"orders", {0, 2}}}));
  EXPECT_EQ(o->reset_target, ResetTarget::kOffset);
  EXPECT_EQ(o->reset_offset, 5);
  EXPECT_TRUE(o->execute);
  EXPECT_FALSE(o->dry_run_implicit);

  auto all = Parse({"--reset-offsets", "--group", "g", "--all-topics", "--to-latest"});
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->all_topics);
  EXPECT_FALSE(all->execute);
  EXPECT_TRUE(all->dry_run_implicit);
}

TEST(ConsumerGroupCommandTest, RefusesConflictingResetOptions) {
  auto reset = [](std::vector<std::string> more) {
    std::vector<std::string> args{"--reset-offsets", "--group", "g"};
    args.insert(args.end(), more.begin(), more.end());
    return Parse(args);
  };
  EXPECT_FALSE(reset({"--to-earliest"}).ok());  // no scope
  EXPECT_FALSE(reset({"--topic", "t", "--all-topics", "--to-earliest"}).ok());
  EXPECT_FALSE(reset({"--topic", "t"}).ok());  // no target
  EXPECT_FALSE(reset({"--topic", "t", "--to-earliest", "--to-latest"}).ok());
  EXPECT_FALSE(reset({"--topic", "t", "--to-offset", "-1"}).ok());
  EXPECT_FALSE(reset({"--topic", "t", "--to-earliest", "--dry-run", "--execute"}).ok());
  EXPECT_FALSE(reset({"--topic", "t", "--to-earliest", "--group", "h"}).ok());
}

TEST(ConsumerGroupCommandTest, ParsesTopicArguments) {
  EXPECT_EQ(*ParseTopicArg("orders"), (TopicArg{"orders", {}}));
  EXPECT_EQ(*ParseTopicArg("orders:3"), (TopicArg{"orders", {3}}));
  EXPECT_FALSE(ParseTopicArg(":1").ok());
  EXPECT_FALSE(ParseTopicArg("orders:").ok());
  EXPECT_FALSE(ParseTopicArg("orders:1,x").ok());
  EXPECT_FALSE(ParseTopicArg("orders:-1").ok());
}

TEST(ConsumerGroupCommandTest, LagNeedsBothOffsetsAndIsNeverNegative) {
  EXPECT_EQ(ComputeLag(4, 10), 6);
  EXPECT_EQ(ComputeLag(10, 10), 0);
  EXPECT_EQ(ComputeLag(12, 10), 0);
  EXPECT_EQ(ComputeLag(std::nullopt, 10), std::nullopt);
  EXPECT_EQ(ComputeLag(4, std::nullopt), std::nullopt);
}

TEST(ConsumerGroupCommandTest, RowsCoverAssignedCommittedAndIdleMembers) {
  std::map<TopicPartition, ConsumerOffsetAndMetadata> committed{{Tp("orders", 0), {4, "", -1}},
                                                                {Tp("audit", 0), {7, "", -1}}};
  std::map<TopicPartition, int64_t> log_end{
      {Tp("orders", 0), 10}, {Tp("orders", 1), 6}, {Tp("audit", 0), 7}};
  auto rows = CollectPartitionAssignmentStates(StableGroup(), committed, log_end);
  ASSERT_EQ(rows.size(), 4u);
  // audit-0: committed, held by nobody.
  EXPECT_EQ(rows[0], (PartitionAssignmentState{"g", Tp("audit", 0), 7, 7, 0, {}, {}, {}}));
  EXPECT_EQ(rows[1],
            (PartitionAssignmentState{"g", Tp("orders", 0), 4, 10, 6, "m1", "/127.0.0.1", "c1"}));
  // orders-1: assigned, never committed: no offset, no lag.
  EXPECT_EQ(rows[2],
            (PartitionAssignmentState{"g", Tp("orders", 1), {}, 6, {}, "m1", "/127.0.0.1", "c1"}));
  EXPECT_EQ(rows[3], (PartitionAssignmentState{"g", {}, {}, {}, {}, "m2", "/10.0.0.2", "c2"}));
}

TEST(ConsumerGroupCommandTest, OffsetsTableHasKafkasColumnsAndDashes) {
  std::vector<PartitionAssignmentState> rows{
      {"g", Tp("orders", 0), 4, 10, 6, "m1", "/127.0.0.1", "c1"},
      {"g", Tp("orders", 1), {}, 6, {}, {}, {}, {}}};
  EXPECT_EQ(FormatOffsetsTable(rows),
            "GROUP TOPIC  PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST       "
            "CLIENT-ID\n"
            "g     orders 0         4              10             6   m1          /127.0.0.1 "
            "c1\n"
            "g     orders 1         -              6              -   -           -          "
            "-\n");
}

TEST(ConsumerGroupCommandTest, MembersAndStateTables) {
  EXPECT_EQ(FormatMembersTable(StableGroup(), /*verbose=*/true),
            "GROUP CONSUMER-ID HOST       CLIENT-ID #PARTITIONS ASSIGNMENT\n"
            "g     m1          /127.0.0.1 c1        2           orders(0,1)\n"
            "g     m2          /10.0.0.2  c2        0           -\n");
  EXPECT_EQ(FormatStateTable(StableGroup()),
            "GROUP COORDINATOR (ID)   ASSIGNMENT-STRATEGY STATE  #MEMBERS\n"
            "g     127.0.0.1:9092 (1) range               Stable 2\n");
}

TEST(ConsumerGroupCommandTest, ResetPlanClampsToTheLog) {
  std::map<TopicPartition, OffsetRange> ranges{{Tp("t", 0), {2, 10}}, {Tp("t", 1), {0, 3}}};
  std::vector<std::string> warnings;
  EXPECT_EQ(PrepareOffsetsToReset(ResetTarget::kEarliest, 0, ranges, &warnings),
            (std::map<TopicPartition, int64_t>{{Tp("t", 0), 2}, {Tp("t", 1), 0}}));
  EXPECT_EQ(PrepareOffsetsToReset(ResetTarget::kLatest, 0, ranges, &warnings),
            (std::map<TopicPartition, int64_t>{{Tp("t", 0), 10}, {Tp("t", 1), 3}}));
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(PrepareOffsetsToReset(ResetTarget::kOffset, 1, ranges, &warnings),
            (std::map<TopicPartition, int64_t>{{Tp("t", 0), 2}, {Tp("t", 1), 1}}));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("lower than earliest offset for topic partition t-0"),
            std::string::npos);
  EXPECT_EQ(FormatResetPlan("g", {{Tp("t", 0), 2}}),
            "GROUP TOPIC PARTITION NEW-OFFSET\ng     t     0         2\n");
}

TEST(ConsumerGroupCommandTest, OnlyAGroupWithoutMembersCanBeReset) {
  EXPECT_TRUE(CanResetOffsets("Empty"));
  EXPECT_TRUE(CanResetOffsets("Dead"));
  EXPECT_FALSE(CanResetOffsets("Stable"));
  EXPECT_FALSE(CanResetOffsets("PreparingRebalance"));
  EXPECT_EQ(ResetRefusedMessage("g", "Stable"),
            "Assignments can only be reset if the group 'g' is inactive, but the current state "
            "is Stable.");
}

}  // namespace
}  // namespace gregor::tools
