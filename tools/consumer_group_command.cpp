// SPDX-License-Identifier: Apache-2.0
// ConsumerGroupCommand's pure half (consumer_group_command.h).
#include "consumer_group_command.h"

#include <algorithm>
#include <boost/program_options.hpp>
#include <charconv>
#include <sstream>

namespace gregor::tools {
namespace po = boost::program_options;
namespace {

po::options_description Options() {
  po::options_description d("gregor-consumer-groups options");
  d.add_options()("help", "print this help")("bootstrap-server", po::value<std::string>(),
                                             "host:port[,host:port...] to connect to")(
      "list", "list all consumer groups")("describe", "describe the --group(s)")(
      "reset-offsets", "reset the --group's committed offsets")(
      "delete", "delete the --group(s) and their offsets")(
      "group", po::value<std::vector<std::string>>()->composing(), "a group id (repeatable)")(
      "offsets", "--describe: partitions, offsets and lag (the default)")(
      "members", "--describe: the members")("state", "--describe: state and coordinator")(
      "verbose", "--describe --members: each member's partitions too")(
      "topic", po::value<std::vector<std::string>>()->composing(),
      "--reset-offsets: topic or topic:p,p (repeatable)")(
      "all-topics", "--reset-offsets: every topic the group has offsets for")(
      "to-earliest", "reset to the log start offset")("to-latest", "reset to the log end offset")(
      "to-offset", po::value<int64_t>(), "reset to this offset")(
      "dry-run", "only print the plan (the default)")("execute", "commit the new offsets")(
      "timeout", po::value<int64_t>()->default_value(30000), "request timeout, ms");
  return d;
}

Status Invalid(const std::string& why) { return Status(ErrorCode::kInvalidConfig, why); }

std::string Cell(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "-"; }
std::string Cell(const std::optional<std::string>& v) { return v ? *v : "-"; }

}  // namespace

std::string ConsumerGroupCommandUsage() {
  std::ostringstream out;
  out << "usage: gregor-consumer-groups --bootstrap-server H:P\n"
         "         (--list | --describe --group G [--members [--verbose] | --state]\n"
         "          | --reset-offsets --group G (--topic T[:p,p] | --all-topics)\n"
         "            (--to-earliest | --to-latest | --to-offset N) [--dry-run | --execute]\n"
         "          | --delete --group G)\n"
      << Options();
  return out.str();
}

Result<TopicArg> ParseTopicArg(std::string_view text) {
  TopicArg arg;
  size_t colon = text.find(':');
  arg.topic = std::string(text.substr(0, colon));
  if (arg.topic.empty()) return Result<TopicArg>(Invalid("--topic needs a topic name"));
  if (colon == std::string_view::npos) return arg;
  std::string_view rest = text.substr(colon + 1);
  while (true) {
    size_t comma = rest.find(',');
    std::string_view p = rest.substr(0, comma);
    int32_t n = -1;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), n);
    if (p.empty() || ec != std::errc() || end != p.data() + p.size() || n < 0) {
      return Result<TopicArg>(
          Invalid("bad partition '" + std::string(p) + "' in --topic " + std::string(text)));
    }
    arg.partitions.push_back(n);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return arg;
}

Result<ConsumerGroupCommandOptions> ParseConsumerGroupCommandArgs(
    const std::vector<std::string>& args) {
  using R = Result<ConsumerGroupCommandOptions>;
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(Options()).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return R(Invalid(e.what()));
  }
  ConsumerGroupCommandOptions o;
  if (vm.count("help")) {
    o.help = true;
    return o;
  }
  auto has = [&](const char* name) { return vm.count(name) > 0; };
  int actions = int(has("list") + has("describe") + has("reset-offsets") + has("delete"));
  if (actions != 1) {
    return R(Invalid("give exactly one of --list, --describe, --reset-offsets, --delete"));
  }
  if (!has("bootstrap-server")) return R(Invalid("--bootstrap-server is required"));
  o.bootstrap_server = vm["bootstrap-server"].as<std::string>();
  o.timeout_ms = vm["timeout"].as<int64_t>();
  if (o.timeout_ms <= 0) return R(Invalid("--timeout must be positive"));
  if (has("group")) o.groups = vm["group"].as<std::vector<std::string>>();
  o.action = has("list")       ? ConsumerGroupAction::kList
             : has("describe") ? ConsumerGroupAction::kDescribe
             : has("delete")   ? ConsumerGroupAction::kDelete
                               : ConsumerGroupAction::kResetOffsets;
  if (o.action != ConsumerGroupAction::kList && o.groups.empty()) {
    return R(Invalid("--describe, --reset-offsets and --delete need --group"));
  }
  if (int(has("offsets") + has("members") + has("state")) > 1) {
    return R(Invalid("give at most one of --offsets, --members, --state"));
  }
  if (o.action != ConsumerGroupAction::kDescribe &&
      (has("offsets") || has("members") || has("state") || has("verbose"))) {
    return R(Invalid("--offsets, --members, --state and --verbose go with --describe"));
  }
  if (has("verbose") && !has("members")) return R(Invalid("--verbose goes with --members"));
  o.view = has("members") ? DescribeView::kMembers
           : has("state") ? DescribeView::kState
                          : DescribeView::kOffsets;
  o.verbose = has("verbose");

  bool reset_option = has("topic") || has("all-topics") || has("to-earliest") || has("to-latest") ||
                      has("to-offset") || has("dry-run") || has("execute");
  if (o.action != ConsumerGroupAction::kResetOffsets) {
    if (reset_option) {
      return R(
          Invalid("--topic, --all-topics, --to-*, --dry-run and --execute go with "
                  "--reset-offsets"));
    }
    return o;
  }
  if (o.groups.size() != 1) return R(Invalid("--reset-offsets takes exactly one --group"));
  if (has("topic") == has("all-topics")) {
    return R(Invalid("--reset-offsets needs exactly one of --topic, --all-topics"));
  }
  o.all_topics = has("all-topics");
  if (has("topic")) {
    for (const auto& t : vm["topic"].as<std::vector<std::string>>()) {
      auto arg = ParseTopicArg(t);
      if (!arg.ok()) return R(arg.status());
      o.topics.push_back(*arg);
    }
  }
  if (int(has("to-earliest") + has("to-latest") + has("to-offset")) != 1) {
    return R(
        Invalid("--reset-offsets needs exactly one of --to-earliest, --to-latest, "
                "--to-offset"));
  }
  if (has("to-offset")) {
    o.reset_target = ResetTarget::kOffset;
    o.reset_offset = vm["to-offset"].as<int64_t>();
    if (o.reset_offset < 0) return R(Invalid("--to-offset must not be negative"));
  } else {
    o.reset_target = has("to-latest") ? ResetTarget::kLatest : ResetTarget::kEarliest;
  }
  if (has("dry-run") && has("execute")) return R(Invalid("give --dry-run or --execute, not both"));
  o.execute = has("execute");
  o.dry_run_implicit = !has("execute") && !has("dry-run");
  return o;
}

std::optional<int64_t> ComputeLag(std::optional<int64_t> committed,
                                  std::optional<int64_t> log_end_offset) {
  if (!committed || !log_end_offset) return std::nullopt;
  return std::max<int64_t>(0, *log_end_offset - *committed);
}

std::vector<PartitionAssignmentState> CollectPartitionAssignmentStates(
    const ConsumerGroupDescription& group,
    const std::map<TopicPartition, ConsumerOffsetAndMetadata>& committed,
    const std::map<TopicPartition, int64_t>& log_end_offsets) {
  auto row_for = [&](const TopicPartition& tp) {
    PartitionAssignmentState s;
    s.group = group.group_id;
    s.partition = tp;
    if (auto c = committed.find(tp); c != committed.end()) s.offset = c->second.offset;
    if (auto e = log_end_offsets.find(tp); e != log_end_offsets.end()) s.log_end_offset = e->second;
    s.lag = ComputeLag(s.offset, s.log_end_offset);
    return s;
  };
  std::map<TopicPartition, PartitionAssignmentState> by_partition;
  std::vector<PartitionAssignmentState> idle;
  for (const auto& m : group.members) {
    if (m.assignment.empty()) {
      idle.push_back({group.group_id, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                      m.member_id, m.host, m.client_id});
    }
    for (const auto& tp : m.assignment) {
      PartitionAssignmentState s = row_for(tp);
      s.consumer_id = m.member_id;
      s.host = m.host;
      s.client_id = m.client_id;
      by_partition[tp] = std::move(s);
    }
  }
  for (const auto& [tp, offset] : committed) {
    if (!by_partition.count(tp)) by_partition[tp] = row_for(tp);
  }
  std::vector<PartitionAssignmentState> rows;
  for (auto& [tp, s] : by_partition) rows.push_back(std::move(s));
  rows.insert(rows.end(), idle.begin(), idle.end());
  return rows;
}

std::string FormatTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(header.size());
  for (size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size() && c < width.size(); ++c) {
      width[c] = std::max(width[c], row[c].size());
    }
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t c = 0; c < cells.size(); ++c) {
      out += cells[c];
      if (c + 1 < cells.size()) out += std::string(width[c] - cells[c].size() + 1, ' ');
    }
    out += '\n';
  };
  line(header);
  for (const auto& row : rows) line(row);
  return out;
}

std::string FormatOffsetsTable(const std::vector<PartitionAssignmentState>& rows) {
  std::vector<std::vector<std::string>> cells;
  for (const auto& r : rows) {
    cells.push_back({r.group, r.partition ? r.partition->topic : "-",
                     r.partition ? std::to_string(r.partition->partition.value()) : "-",
                     Cell(r.offset), Cell(r.log_end_offset), Cell(r.lag), Cell(r.consumer_id),
                     Cell(r.host), Cell(r.client_id)});
  }
  return FormatTable({"GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG",
                      "CONSUMER-ID", "HOST", "CLIENT-ID"},
                     cells);
}

std::string FormatMembersTable(const ConsumerGroupDescription& group, bool verbose) {
  std::vector<std::string> header{"GROUP", "CONSUMER-ID", "HOST", "CLIENT-ID", "#PARTITIONS"};
  if (verbose) header.push_back("ASSIGNMENT");
  std::vector<std::vector<std::string>> cells;
  for (const auto& m : group.members) {
    std::vector<std::string> row{group.group_id, m.member_id, m.host, m.client_id,
                                 std::to_string(m.assignment.size())};
    if (verbose) {
      // "orders(0,1),audit(2)": Kafka's topic(partitions) list; "-" if none.
      std::string a;
      for (size_t i = 0; i < m.assignment.size(); ++i) {
        const auto& tp = m.assignment[i];
        bool new_topic = i == 0 || m.assignment[i - 1].topic != tp.topic;
        if (new_topic)
          a += (i ? ")," : "") + tp.topic + "(";
        else
          a += ",";
        a += std::to_string(tp.partition.value());
      }
      row.push_back(a.empty() ? "-" : a + ")");
    }
    cells.push_back(std::move(row));
  }
  return FormatTable(header, cells);
}

std::string FormatStateTable(const ConsumerGroupDescription& group) {
  const Node& c = group.coordinator;
  std::string coordinator =
      c.host + ":" + std::to_string(c.port) + " (" + std::to_string(c.id) + ")";
  return FormatTable({"GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS"},
                     {{group.group_id, coordinator,
                       group.partition_assignor.empty() ? "-" : group.partition_assignor,
                       group.state, std::to_string(group.members.size())}});
}

std::string FormatResetPlan(const std::string& group,
                            const std::map<TopicPartition, int64_t>& new_offsets) {
  std::vector<std::vector<std::string>> cells;
  for (const auto& [tp, offset] : new_offsets) {
    cells.push_back(
        {group, tp.topic, std::to_string(tp.partition.value()), std::to_string(offset)});
  }
  return FormatTable({"GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"}, cells);
}

std::map<TopicPartition, int64_t> PrepareOffsetsToReset(
    ResetTarget target, int64_t offset, const std::map<TopicPartition, OffsetRange>& ranges,
    std::vector<std::string>* warnings) {
  std::map<TopicPartition, int64_t> out;
  for (const auto& [tp, range] : ranges) {
    int64_t n = target == ResetTarget::kEarliest ? range.earliest
                : target == ResetTarget::kLatest ? range.latest
                                                 : offset;
    if (n > range.latest || n < range.earliest) {
      bool high = n > range.latest;
      int64_t bound = high ? range.latest : range.earliest;
      if (warnings) {
        warnings->push_back("New offset (" + std::to_string(n) + ") is " +
                            (high ? "higher than latest" : "lower than earliest") +
                            " offset for topic partition " + tp.ToString() +
                            ". Value will be set to " + std::to_string(bound));
      }
      n = bound;
    }
    out[tp] = n;
  }
  return out;
}

bool CanResetOffsets(const std::string& state) { return state == "Empty" || state == "Dead"; }

std::string ResetRefusedMessage(const std::string& group, const std::string& state) {
  return "Assignments can only be reset if the group '" + group +
         "' is inactive, but the current state is " + state + ".";
}

}  // namespace gregor::tools
