// SPDX-License-Identifier: Apache-2.0
// gregor-consumer-groups: list, describe and delete consumer groups and
// reset their offsets (Kafka's kafka-consumer-groups.sh), on the
// AdminClient's group calls (include/gregor/admin.h).
//
//   gregor-consumer-groups --bootstrap-server H:P --list
//   gregor-consumer-groups --bootstrap-server H:P --describe --group G
//                          [--members [--verbose] | --state]
//   gregor-consumer-groups --bootstrap-server H:P --reset-offsets --group G
//                          (--topic T[:p,p] | --all-topics)
//                          (--to-earliest | --to-latest | --to-offset N)
//                          [--dry-run | --execute]
//   gregor-consumer-groups --bootstrap-server H:P --delete --group G
//
// Arguments, tables and the reset plan live in consumer_group_command.h;
// this file only asks the brokers. Exit status 0 on success; 1 with one
// line on stderr ("Error: ...") on a bad argument or a failed call.
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "consumer_group_command.h"
#include "gregor/admin.h"

using gregor::AdminClient;
using gregor::ConsumerGroupDescription;
using gregor::OffsetSpec;
using gregor::Status;
using gregor::TopicPartition;
namespace tools = gregor::tools;

namespace {

int Fail(const std::string& message) {
  std::cerr << "Error: " << message << "\n";
  return 1;
}
int Fail(const Status& s) { return Fail(s.ToString()); }

// The log end offsets of `partitions`; a partition whose topic is gone is
// left out, so its LOG-END-OFFSET prints as "-" (as in Kafka).
std::map<TopicPartition, int64_t> LogEndOffsets(AdminClient& admin,
                                                const std::vector<TopicPartition>& partitions) {
  std::map<TopicPartition, int64_t> out;
  std::map<TopicPartition, OffsetSpec> specs;
  for (const auto& tp : partitions) specs[tp] = OffsetSpec::Latest();
  if (specs.empty()) return out;
  auto all = admin.ListOffsets(specs);
  if (all.ok()) {
    for (const auto& [tp, info] : *all) out[tp] = info.offset;
    return out;
  }
  for (const auto& [tp, spec] : specs) {  // one bad partition must not hide the rest
    auto one = admin.ListOffsets({{tp, spec}});
    if (one.ok()) out[tp] = one->begin()->second.offset;
  }
  return out;
}

int Describe(AdminClient& admin, const tools::ConsumerGroupCommandOptions& o) {
  auto groups = admin.DescribeConsumerGroups(o.groups);
  if (!groups.ok()) return Fail(groups.status());
  for (const ConsumerGroupDescription& g : *groups) {
    if (g.state == "Dead") return Fail("Consumer group '" + g.group_id + "' does not exist.");
    std::cout << "\n";
    if (o.view == tools::DescribeView::kState) {
      std::cout << tools::FormatStateTable(g);
      continue;
    }
    if (g.state == "PreparingRebalance" || g.state == "CompletingRebalance") {
      std::cout << "Warning: Consumer group '" << g.group_id << "' is rebalancing.\n\n";
    }
    if (o.view == tools::DescribeView::kMembers) {
      if (g.members.empty()) {
        std::cout << "Consumer group '" << g.group_id << "' has no active members.\n";
      } else {
        std::cout << tools::FormatMembersTable(g, o.verbose);
      }
      continue;
    }
    auto committed = admin.ListConsumerGroupOffsets(g.group_id);
    if (!committed.ok()) return Fail(committed.status());
    std::vector<TopicPartition> partitions;
    for (const auto& [tp, offset] : *committed) partitions.push_back(tp);
    for (const auto& m : g.members) {
      partitions.insert(partitions.end(), m.assignment.begin(), m.assignment.end());
    }
    auto rows =
        tools::CollectPartitionAssignmentStates(g, *committed, LogEndOffsets(admin, partitions));
    if (g.members.empty()) {
      std::cout << "Consumer group '" << g.group_id << "' has no active members.\n\n";
    }
    std::cout << tools::FormatOffsetsTable(rows);
  }
  return 0;
}

// The partitions --topic / --all-topics name.
gregor::Result<std::vector<TopicPartition>> ResetScope(
    AdminClient& admin, const tools::ConsumerGroupCommandOptions& o) {
  std::vector<TopicPartition> out;
  if (o.all_topics) {
    auto committed = admin.ListConsumerGroupOffsets(o.groups[0]);
    if (!committed.ok()) return committed.status();
    for (const auto& [tp, offset] : *committed) out.push_back(tp);
    return out;
  }
  for (const auto& t : o.topics) {
    if (!t.partitions.empty()) {
      for (int32_t p : t.partitions) out.push_back({t.topic, gregor::PartitionId(p)});
      continue;
    }
    auto described = admin.DescribeTopics({t.topic});
    if (!described.ok()) return described.status();
    for (const auto& p : described->front().partitions) {
      out.push_back({t.topic, gregor::PartitionId(p.partition)});
    }
  }
  return out;
}

int ResetOffsets(AdminClient& admin, const tools::ConsumerGroupCommandOptions& o) {
  const std::string& group = o.groups[0];
  auto described = admin.DescribeConsumerGroups({group});
  if (!described.ok()) return Fail(described.status());
  const std::string& state = described->front().state;
  if (!tools::CanResetOffsets(state)) return Fail(tools::ResetRefusedMessage(group, state));

  auto scope = ResetScope(admin, o);
  if (!scope.ok()) return Fail(scope.status());
  std::map<TopicPartition, OffsetSpec> earliest_specs, latest_specs;
  for (const auto& tp : *scope) {
    earliest_specs[tp] = OffsetSpec::Earliest();
    latest_specs[tp] = OffsetSpec::Latest();
  }
  std::map<TopicPartition, tools::OffsetRange> ranges;
  if (!scope->empty()) {
    auto earliest = admin.ListOffsets(earliest_specs);
    if (!earliest.ok()) return Fail(earliest.status());
    auto latest = admin.ListOffsets(latest_specs);
    if (!latest.ok()) return Fail(latest.status());
    for (const auto& tp : *scope) ranges[tp] = {(*earliest)[tp].offset, (*latest)[tp].offset};
  }
  std::vector<std::string> warnings;
  auto plan = tools::PrepareOffsetsToReset(o.reset_target, o.reset_offset, ranges, &warnings);
  for (const auto& w : warnings) std::cerr << "WARN: " << w << "\n";
  if (o.dry_run_implicit) {
    std::cerr << "WARN: No action will be performed as the --execute option is missing. "
                 "Add --dry-run to say so, or --execute to reset.\n";
  }
  if (o.execute && !plan.empty()) {
    std::map<TopicPartition, gregor::ConsumerOffsetAndMetadata> offsets;
    for (const auto& [tp, offset] : plan) offsets[tp] = {offset, "", -1};
    Status s = admin.AlterConsumerGroupOffsets(group, offsets);
    if (!s.ok()) return Fail(s);
  }
  std::cout << "\n" << tools::FormatResetPlan(group, plan);
  return 0;
}

int Delete(AdminClient& admin, const tools::ConsumerGroupCommandOptions& o) {
  auto results = admin.DeleteConsumerGroups(o.groups);
  std::string failed;
  for (const auto& [group, s] : results) {
    if (!s.ok()) {
      failed +=
          (failed.empty() ? "" : "; ") +
          ("Group '" + group + "' could not be deleted due to: " + gregor::ErrorName(s.code()));
    }
  }
  if (!failed.empty()) return Fail("Deletion of some consumer groups failed: " + failed);
  std::string names;
  for (const auto& g : o.groups) names += (names.empty() ? "'" : ", '") + g + "'";
  std::cout << "Deletion of requested consumer groups (" << names << ") was successful.\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed =
      tools::ParseConsumerGroupCommandArgs(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed.ok()) return Fail(parsed.status().message() + " (see --help)");
  const tools::ConsumerGroupCommandOptions& o = *parsed;
  if (o.help) {
    std::cout << tools::ConsumerGroupCommandUsage();
    return 0;
  }
  auto admin = AdminClient::Create({.bootstrap_servers = o.bootstrap_server,
                                    .client_id = "gregor-consumer-groups",
                                    .request_timeout_ms = o.timeout_ms});
  if (!admin.ok()) return Fail(admin.status());
  switch (o.action) {
    case tools::ConsumerGroupAction::kList: {
      auto groups = (*admin)->ListConsumerGroups();
      if (!groups.ok()) return Fail(groups.status());
      for (const auto& g : *groups) std::cout << g.group_id << "\n";
      return 0;
    }
    case tools::ConsumerGroupAction::kDescribe:
      return Describe(**admin, o);
    case tools::ConsumerGroupAction::kResetOffsets:
      return ResetOffsets(**admin, o);
    case tools::ConsumerGroupAction::kDelete:
      return Delete(**admin, o);
  }
  return 1;
}
