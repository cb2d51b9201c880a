// SPDX-License-Identifier: Apache-2.0
// gregor-console-consumer: records of a topic to stdout, one per line
// (Kafka's kafka-console-consumer.sh, ConsoleConsumer with its
// DefaultMessageFormatter), built on the consumer library
// (include/gregor/consumer.h).
//
//   gregor-console-consumer --bootstrap-server H:P --topic T [--group G]
//       [--from-beginning] [--partition P [--offset earliest|latest|N]]
//       [--property print.key=true print.timestamp=true print.headers=true
//                   print.partition=true print.offset=true key.separator=...
//                   line.separator=... headers.separator=... null.literal=...]
//       [--consumer-property k=v ...] [--consumer.config FILE]
//       [--max-messages N] [--timeout-ms N]
//
// As Kafka's: without --group the consumer joins a fresh group
// console-consumer-<n> with enable.auto.commit=false (unless set); with
// --partition it assigns that partition and needs no group.
// auto.offset.reset is earliest with --from-beginning, else latest. Each
// record is printed as the formatter does: [CreateTime:ts<sep>]
// [Partition:p<sep>][Offset:o<sep>][headers<sep>][key<sep>]value, with
// null keys and values as null.literal ("null"). It stops after
// --max-messages, after --timeout-ms without a record, or at SIGINT/
// SIGTERM (Wakeup from the signal watcher), and prints "Processed a total
// of N messages" to stderr. Exit status: 0, 1 on a consumer error, 2 on
// bad usage.
#include <boost/program_options.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "gregor/consumer.h"
#include "tool_properties.h"

namespace po = boost::program_options;

namespace {

// Kafka's DefaultMessageFormatter settings.
struct Formatter {
  bool print_key = false, print_timestamp = false, print_headers = false;
  bool print_partition = false, print_offset = false, print_value = true;
  std::string key_separator = "\t", line_separator = "\n", headers_separator = ",";
  std::string null_literal = "null";

  static Formatter From(const gregor::tools::Properties& p) {
    Formatter f;
    auto flag = [&](const char* k, bool* out) {
      if (auto it = p.find(k); it != p.end()) *out = it->second == "true";
    };
    auto text = [&](const char* k, std::string* out) {
      if (auto it = p.find(k); it != p.end()) *out = Unescape(it->second);
    };
    flag("print.key", &f.print_key);
    flag("print.timestamp", &f.print_timestamp);
    flag("print.headers", &f.print_headers);
    flag("print.partition", &f.print_partition);
    flag("print.offset", &f.print_offset);
    flag("print.value", &f.print_value);
    text("key.separator", &f.key_separator);
    text("line.separator", &f.line_separator);
    text("headers.separator", &f.headers_separator);
    text("null.literal", &f.null_literal);
    return f;
  }
  // "\t" and "\n" as typed on a command line.
  static std::string Unescape(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) {
        char c = s[++i];
        out += c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c;
      } else {
        out += s[i];
      }
    }
    return out;
  }

  void Write(const gregor::ByteRecords::Record& r, std::string& out) const {
    auto bytes = [&](const std::optional<std::string_view>& v) {
      if (v) {
        out.append(v->data(), v->size());
      } else {
        out += null_literal;
      }
    };
    if (print_timestamp) {
      out += r.timestamp_type == gregor::TimestampType::kLogAppendTime ? "LogAppendTime:"
                                                                       : "CreateTime:";
      out += std::to_string(r.timestamp);
      out += key_separator;
    }
    if (print_partition) out += "Partition:" + std::to_string(r.partition) + key_separator;
    if (print_offset) out += "Offset:" + std::to_string(r.offset) + key_separator;
    if (print_headers) {
      if (r.headers.empty()) out += "NO_HEADERS";
      for (size_t i = 0; i < r.headers.size(); ++i) {
        if (i) out += headers_separator;
        out.append(r.headers[i].key);
        out += ':';
        bytes(r.headers[i].value);
      }
      out += key_separator;
    }
    if (print_key) {
      bytes(r.key);
      out += key_separator;
    }
    if (print_value) bytes(r.value);
    out += line_separator;
  }
};

gregor::Consumer* g_consumer = nullptr;

}  // namespace

int main(int argc, char** argv) {
  po::options_description desc("gregor-console-consumer options");
  desc.add_options()("help", "print this help")("bootstrap-server", po::value<std::string>(),
                                                "the broker(s) to connect to, H:P[,H:P]")(
      "topic", po::value<std::string>(), "the topic to consume")("group", po::value<std::string>(),
                                                                 "the consumer group id")(
      "from-beginning", "start at the earliest offset when the group has none committed")(
      "partition", po::value<int32_t>(), "read only this partition (assign, no group needed)")(
      "offset", po::value<std::string>(), "with --partition: earliest, latest or an offset")(
      "property", po::value<std::vector<std::string>>()->multitoken(),
      "formatter properties: print.key, print.timestamp, print.headers, print.partition, "
      "print.offset, print.value, key.separator, line.separator, headers.separator, "
      "null.literal")("consumer-property", po::value<std::vector<std::string>>()->multitoken(),
                      "consumer properties PROP=VALUE ...")(
      "consumer.config", po::value<std::string>(), "consumer properties file")(
      "max-messages", po::value<int64_t>(), "exit after this many messages")(
      "timeout-ms", po::value<int64_t>(), "exit after this many ms without a message");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "gregor-console-consumer: " << e.what() << "\n" << desc;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc;
    return 0;
  }
  if (!vm.count("bootstrap-server") || !vm.count("topic")) {
    std::cerr << "gregor-console-consumer: --bootstrap-server and --topic are required\n" << desc;
    return 2;
  }
  if (vm.count("offset") && !vm.count("partition")) {
    std::cerr << "gregor-console-consumer: The partition is required when offset is specified.\n";
    return 2;
  }
  gregor::tools::Properties props, format_props;
  gregor::Status s =
      gregor::tools::LoadClientProperties(vm, "consumer.config", "consumer-property", &props);
  if (s.ok() && vm.count("property")) {
    s = gregor::tools::AddProperties(vm["property"].as<std::vector<std::string>>(), &format_props);
  }
  if (!s.ok()) {
    std::cerr << "gregor-console-consumer: " << s.ToString() << "\n";
    return 2;
  }
  const std::string topic = vm["topic"].as<std::string>();
  const bool assign = vm.count("partition") > 0;
  props["bootstrap.servers"] = vm["bootstrap-server"].as<std::string>();
  if (vm.count("group")) {
    props["group.id"] = vm["group"].as<std::string>();
  } else if (!assign && !props.count("group.id")) {
    props["group.id"] = "console-consumer-" + std::to_string(std::random_device{}() % 100000);
    props.try_emplace("enable.auto.commit", "false");
  }
  props["auto.offset.reset"] = vm.count("from-beginning") ? "earliest" : "latest";
  props.try_emplace("client.id", "console-consumer");
  auto config = gregor::ConsumerConfig::FromProperties(props);
  if (!config.ok()) {
    std::cerr << "gregor-console-consumer: " << config.status().ToString() << "\n";
    return 2;
  }
  auto created = gregor::Consumer::Create(std::move(*config));
  if (!created.ok()) {
    std::cerr << "gregor-console-consumer: " << created.status().ToString() << "\n";
    return 1;
  }
  gregor::Consumer& consumer = **created;
  g_consumer = &consumer;

  if (assign) {
    gregor::TopicPartition tp{topic, gregor::PartitionId(vm["partition"].as<int32_t>())};
    s = consumer.Assign({tp});
    if (s.ok() && vm.count("offset")) {
      std::string o = vm["offset"].as<std::string>();
      if (o == "earliest") {
        s = consumer.SeekToBeginning({tp});
      } else if (o == "latest") {
        s = consumer.SeekToEnd({tp});
      } else {
        try {
          s = consumer.Seek(tp, std::stoll(o));
        } catch (const std::exception&) {
          std::cerr << "gregor-console-consumer: bad --offset '" << o << "'\n";
          return 2;
        }
      }
    }
  } else {
    s = consumer.Subscribe({topic});
  }
  if (!s.ok()) {
    std::cerr << "gregor-console-consumer: " << s.ToString() << "\n";
    return 1;
  }

  // SIGINT/SIGTERM: a watcher thread turns the signal into Wakeup(), the
  // one call another thread may make, so Close() still runs.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::thread([signals] {
    int sig = 0;
    sigwait(&signals, &sig);
    g_consumer->Wakeup();
  }).detach();

  const Formatter formatter = Formatter::From(format_props);
  const int64_t max_messages = vm.count("max-messages") ? vm["max-messages"].as<int64_t>() : -1;
  const int64_t timeout_ms = vm.count("timeout-ms") ? vm["timeout-ms"].as<int64_t>() : -1;
  int64_t processed = 0;
  int status = 0;
  auto last = std::chrono::steady_clock::now();
  std::string out;
  while (max_messages < 0 || processed < max_messages) {
    auto records = consumer.Poll(std::chrono::milliseconds(100));
    if (!records.ok()) {
      if (!gregor::IsWakeup(records.status())) {
        std::cerr << "ERROR Error processing message, terminating consumer process: "
                  << records.status().ToString() << "\n";
        status = 1;
      }
      break;
    }
    auto now = std::chrono::steady_clock::now();
    if (records->empty()) {
      if (timeout_ms >= 0 && now - last > std::chrono::milliseconds(timeout_ms)) {
        std::cerr << "ERROR Error processing message, terminating consumer process: "
                     "TimeoutException\n";
        break;
      }
      continue;
    }
    last = now;
    out.clear();
    for (const auto& r : *records) {
      if (max_messages >= 0 && processed >= max_messages) break;
      formatter.Write(r, out);
      ++processed;
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
  }
  // As Kafka's: with auto-commit, Close() commits the position after the
  // last poll, including records a --max-messages stop left unprinted.
  consumer.Close();
  std::cerr << "Processed a total of " << processed << " messages\n";
  return status;
}
