// SPDX-License-Identifier: Apache-2.0
// ConsumerGroupCommand: the testable half of gregor-consumer-groups
// (Kafka's kafka-consumer-groups.sh / ConsumerGroupCommand): its
// arguments, the lag arithmetic, the offset-reset plan and the tables it
// prints. No I/O here; tools/gregor_consumer_groups.cpp asks the
// AdminClient and hands the answers to these functions.
//
// Tables are Kafka's: a header row of upper-case column names, then one
// row per partition or member; every column but the last is left-aligned
// and padded to its widest cell, columns are separated by one space, and
// a missing value prints as "-".
//
// Pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/errors.h"
#include "gregor/admin.h"

namespace gregor::tools {

/// The one thing a run does.
enum class ConsumerGroupAction { kList, kDescribe, kResetOffsets, kDelete };
/// What --describe shows: partitions (default), --members or --state.
enum class DescribeView { kOffsets, kMembers, kState };
/// Where --reset-offsets moves a partition.
enum class ResetTarget { kEarliest, kLatest, kOffset };

/// A --topic argument: "orders" (every partition) or "orders:0,2".
struct TopicArg {
  std::string topic;                ///< the topic
  std::vector<int32_t> partitions;  ///< empty: all of them
  bool operator==(const TopicArg&) const = default;
};

/// A parsed command line.
struct ConsumerGroupCommandOptions {
  bool help = false;             ///< --help: print usage, nothing else
  std::string bootstrap_server;  ///< --bootstrap-server
  ConsumerGroupAction action = ConsumerGroupAction::kList;
  std::vector<std::string> groups;  ///< --group (repeatable)
  DescribeView view = DescribeView::kOffsets;
  bool verbose = false;          ///< --verbose: --members adds ASSIGNMENT
  std::vector<TopicArg> topics;  ///< --topic (repeatable), reset only
  bool all_topics = false;       ///< --all-topics, reset only
  ResetTarget reset_target = ResetTarget::kEarliest;
  int64_t reset_offset = 0;       ///< --to-offset N
  bool execute = false;           ///< --execute; otherwise a dry run
  bool dry_run_implicit = false;  ///< neither --execute nor --dry-run
  int64_t timeout_ms = 30000;     ///< --timeout, the request.timeout.ms
};

/// Parses the arguments after the program name. Errors: INVALID_CONFIG
/// with a one-line reason (unknown option, not exactly one action, a
/// missing --group, conflicting reset options ...).
Result<ConsumerGroupCommandOptions> ParseConsumerGroupCommandArgs(
    const std::vector<std::string>& args);
/// The --help text.
std::string ConsumerGroupCommandUsage();
/// Parses "topic" or "topic:p,p". Errors: INVALID_CONFIG for an empty
/// topic or a partition that is not a non-negative number.
Result<TopicArg> ParseTopicArg(std::string_view text);

/// LAG = LOG-END-OFFSET - CURRENT-OFFSET, when both are known (never
/// negative: a commit past the log end, after truncation, counts as 0).
std::optional<int64_t> ComputeLag(std::optional<int64_t> committed,
                                  std::optional<int64_t> log_end_offset);

/// One row of the --describe table (Kafka's PartitionAssignmentState).
struct PartitionAssignmentState {
  std::string group;                        ///< GROUP
  std::optional<TopicPartition> partition;  ///< TOPIC, PARTITION; none for an idle member
  std::optional<int64_t> offset;            ///< CURRENT-OFFSET, if committed
  std::optional<int64_t> log_end_offset;    ///< LOG-END-OFFSET, if known
  std::optional<int64_t> lag;               ///< LAG
  std::optional<std::string> consumer_id;   ///< CONSUMER-ID; none if unassigned
  std::optional<std::string> host;          ///< HOST
  std::optional<std::string> client_id;     ///< CLIENT-ID
  bool operator==(const PartitionAssignmentState&) const = default;
};

/// The rows of --describe: every assigned partition with its member, every
/// committed partition no member holds (member columns "-"), and a
/// partition-less row for each member without partitions. Sorted by topic
/// and partition, idle members last.
std::vector<PartitionAssignmentState> CollectPartitionAssignmentStates(
    const ConsumerGroupDescription& group,
    const std::map<TopicPartition, ConsumerOffsetAndMetadata>& committed,
    const std::map<TopicPartition, int64_t>& log_end_offsets);

/// Left-aligned columns as described in the file comment.
std::string FormatTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows);
/// GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID
std::string FormatOffsetsTable(const std::vector<PartitionAssignmentState>& rows);
/// GROUP CONSUMER-ID HOST CLIENT-ID #PARTITIONS [ASSIGNMENT with verbose]
std::string FormatMembersTable(const ConsumerGroupDescription& group, bool verbose);
/// GROUP COORDINATOR (ID) ASSIGNMENT-STRATEGY STATE #MEMBERS
std::string FormatStateTable(const ConsumerGroupDescription& group);
/// GROUP TOPIC PARTITION NEW-OFFSET
std::string FormatResetPlan(const std::string& group,
                            const std::map<TopicPartition, int64_t>& new_offsets);

/// A partition's earliest and latest offsets, from ListOffsets.
struct OffsetRange {
  int64_t earliest = 0;  ///< the log start offset
  int64_t latest = 0;    ///< the log end offset
};
/// The new offset of each partition of `ranges` (Kafka's
/// prepareOffsetsToReset); --to-offset is kept inside [earliest, latest]
/// and each clamp adds a line to `warnings` (may be null).
std::map<TopicPartition, int64_t> PrepareOffsetsToReset(
    ResetTarget target, int64_t offset, const std::map<TopicPartition, OffsetRange>& ranges,
    std::vector<std::string>* warnings);
/// Only a group without members (Empty, or Dead = unknown) can be reset.
bool CanResetOffsets(const std::string& state);
/// Kafka's refusal: "Assignments can only be reset if the group 'G' is
/// inactive, but the current state is Stable."
std::string ResetRefusedMessage(const std::string& group, const std::string& state);

}  // namespace gregor::tools
