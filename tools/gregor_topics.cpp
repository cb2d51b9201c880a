// SPDX-License-Identifier: Apache-2.0
// gregor-topics: create, list, describe and delete topics (Kafka's
// kafka-topics.sh), built on AdminClient (include/gregor/admin.h).
//
//   gregor-topics --bootstrap-server H:P --create --topic T [--partitions N]
//                 [--replication-factor R] [--config key=value]...
//   gregor-topics --bootstrap-server H:P --list
//   gregor-topics --bootstrap-server H:P --describe [--topic T]
//   gregor-topics --bootstrap-server H:P --delete --topic T
//
// Output follows kafka-topics.sh. Errors print Kafka's error name
// ("Error while executing topic command : TOPIC_ALREADY_EXISTS: ...") and
// exit with status 1; bad usage exits with 2.
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "gregor/admin.h"

namespace po = boost::program_options;
using gregor::Status;

namespace {

std::string JoinIds(const std::vector<int32_t>& ids) {
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
  return out;
}

int Fail(const Status& s) {
  std::cerr << "Error while executing topic command : " << s.ToString() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description desc("gregor-topics options");
  desc.add_options()("help", "print this help")(
      "bootstrap-server", po::value<std::string>(), "host:port[,host:port...] to connect to")(
      "create", "create a topic")("list", "list all topics")(
      "describe", "describe a topic (all topics without --topic)")("delete", "delete a topic")(
      "topic", po::value<std::string>(), "the topic")(
      "partitions", po::value<int32_t>()->default_value(-1), "partitions (-1: broker default)")(
      "replication-factor", po::value<int16_t>()->default_value(-1),
      "replicas per partition (-1: broker default)")(
      "config", po::value<std::vector<std::string>>()->composing(),
      "a topic config override key=value (repeatable), e.g. cleanup.policy=compact")(
      "request-timeout-ms", po::value<int64_t>()->default_value(30000), "request.timeout.ms");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "gregor-topics: " << e.what() << "\n" << desc;
    return 2;
  }
  int actions = int(vm.count("create") + vm.count("list") + vm.count("describe") +
                    vm.count("delete"));
  if (vm.count("help") || actions != 1 || !vm.count("bootstrap-server")) {
    std::cerr << "gregor-topics: give --bootstrap-server and exactly one of --create, --list,"
                 " --describe, --delete\n"
              << desc;
    return vm.count("help") ? 0 : 2;
  }
  std::string topic = vm.count("topic") ? vm["topic"].as<std::string>() : "";
  if ((vm.count("create") || vm.count("delete")) && topic.empty()) {
    std::cerr << "gregor-topics: --create and --delete need --topic\n";
    return 2;
  }

  auto admin = gregor::AdminClient::Create(
      {.bootstrap_servers = vm["bootstrap-server"].as<std::string>(),
       .client_id = "gregor-topics",
       .request_timeout_ms = vm["request-timeout-ms"].as<int64_t>()});
  if (!admin.ok()) return Fail(admin.status());
  gregor::AdminClient& client = **admin;

  if (vm.count("create")) {
    std::map<std::string, std::string> configs;
    if (vm.count("config")) {
      for (const auto& kv : vm["config"].as<std::vector<std::string>>()) {
        size_t eq = kv.find('=');
        if (eq == std::string::npos || eq == 0) {
          std::cerr << "gregor-topics: --config needs key=value, got '" << kv << "'\n";
          return 2;
        }
        configs[kv.substr(0, eq)] = kv.substr(eq + 1);
      }
    }
    Status s = client.CreateTopics({{topic, vm["partitions"].as<int32_t>(),
                                     vm["replication-factor"].as<int16_t>(), configs}});
    if (!s.ok()) return Fail(s);
    std::cout << "Created topic " << topic << ".\n";
  } else if (vm.count("delete")) {
    Status s = client.DeleteTopics({topic});
    if (!s.ok()) return Fail(s);
    std::cout << "Deleted topic " << topic << ".\n";
  } else if (vm.count("list")) {
    auto names = client.ListTopics();
    if (!names.ok()) return Fail(names.status());
    for (const auto& n : *names) std::cout << n << "\n";
  } else {
    auto topics = client.DescribeTopics(topic.empty() ? std::vector<std::string>{}
                                                      : std::vector<std::string>{topic});
    if (!topics.ok()) return Fail(topics.status());
    for (const auto& t : *topics) {
      size_t rf = t.partitions.empty() ? 0 : t.partitions.front().replicas.size();
      std::cout << "Topic: " << t.name << "\tPartitionCount: " << t.partitions.size()
                << "\tReplicationFactor: " << rf << "\n";
      for (const auto& p : t.partitions) {
        std::cout << "\tTopic: " << t.name << "\tPartition: " << p.partition
                  << "\tLeader: " << p.leader << "\tReplicas: " << JoinIds(p.replicas)
                  << "\tIsr: " << JoinIds(p.isr) << "\n";
      }
    }
  }
  return 0;
}
