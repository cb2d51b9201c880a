// SPDX-License-Identifier: Apache-2.0
// gregor-console-producer: one record per line of stdin (Kafka's
// kafka-console-producer.sh, ConsoleProducer), built on the producer
// library (include/gregor/producer.h).
//
//   gregor-console-producer --bootstrap-server H:P --topic T
//       [--property parse.key=true --property key.separator=:]
//       [--producer-property k=v ...] [--producer.config FILE]
//       [--compression-codec [none|gzip|snappy|lz4|zstd]] [--sync]
//
// LineMessageReader splits each line into headers, key and value by the
// --property settings (tools/line_message_reader.h). Producer settings
// come, lowest precedence first, from the tool's defaults (Kafka's: acks=-1,
// linger.ms=1000, batch.size=16384, retries=3, request.timeout.ms=1500),
// --producer.config, --producer-property, then the explicit options
// (--request-required-acks, --timeout, --batch-size, ...). --sync waits
// for each record before reading the next line.
//
// A record that fails prints Kafka's error line to stderr; a line that
// does not parse stops the tool. At end of input the producer is closed,
// which sends everything buffered. Exit status: 0 when every record was
// acknowledged, 1 otherwise, 2 on bad usage.
#include <unistd.h>

#include <atomic>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "gregor/producer.h"
#include "line_message_reader.h"
#include "tool_properties.h"

namespace po = boost::program_options;

namespace {

// A producer setting with a console-producer default and its own option
// (Kafka's CommandLineUtils.maybeMergeOptions): the option wins when
// given; otherwise a property already set stays; otherwise the default.
struct MergedOption {
  const char* option;
  const char* property;
  const char* fallback;
  const char* help;
};

constexpr MergedOption kMerged[] = {
    {"request-required-acks", "acks", "-1", "acks: 0, 1 or -1 (all)"},
    {"timeout", "linger.ms", "1000", "linger.ms: how long a record may wait for its batch"},
    {"batch-size", "batch.size", "16384", "batch.size in bytes"},
    {"message-send-max-retries", "retries", "3", "retries"},
    {"retry-backoff-ms", "retry.backoff.ms", "100", "retry.backoff.ms"},
    {"request-timeout-ms", "request.timeout.ms", "1500", "request.timeout.ms"},
    {"max-block-ms", "max.block.ms", "60000", "max.block.ms"},
    {"max-memory-bytes", "buffer.memory", "33554432", "buffer.memory"},
};

int Usage(const std::string& why, const po::options_description& desc) {
  std::cerr << "gregor-console-producer: " << why << "\n" << desc;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description desc("gregor-console-producer options");
  desc.add_options()("help", "print this help")(
      "bootstrap-server", po::value<std::string>(), "host:port[,host:port...] to connect to")(
      "topic", po::value<std::string>(), "the topic to produce to")(
      "property", po::value<std::vector<std::string>>()->composing()->multitoken(),
      "line reader settings: parse.key, key.separator, parse.headers, headers.delimiter,"
      " headers.separator, headers.key.separator, ignore.error, null.marker")(
      "producer-property", po::value<std::vector<std::string>>()->composing()->multitoken(),
      "producer properties k=v (override --producer.config)")(
      "producer.config", po::value<std::string>(), "producer properties file")(
      "compression-codec", po::value<std::string>()->implicit_value("gzip"),
      "none, gzip, snappy, lz4 or zstd; gzip when given without a value")(
      "sync", "wait for each record to be acknowledged before the next");
  for (const auto& m : kMerged) {
    desc.add_options()(m.option, po::value<std::string>(),
                       (std::string(m.help) + " (default " + m.fallback + ")").c_str());
  }
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return Usage(e.what(), desc);
  }
  if (vm.count("help")) {
    std::cout << desc;
    return 0;
  }
  if (!vm.count("bootstrap-server") || !vm.count("topic")) {
    return Usage("--bootstrap-server and --topic are required", desc);
  }
  const std::string topic = vm["topic"].as<std::string>();

  // The line reader's settings.
  gregor::tools::Properties reader_props;
  gregor::Status s;
  if (vm.count("property")) {
    s = gregor::tools::AddProperties(vm["property"].as<std::vector<std::string>>(),
                                     &reader_props);
  }
  if (!s.ok()) return Usage(s.ToString(), desc);
  auto reader = gregor::tools::LineReaderConfig::FromProperties(reader_props);
  if (!reader.ok()) return Usage(reader.status().ToString(), desc);

  // The producer's settings, lowest precedence first.
  gregor::tools::Properties props;
  if (vm.count("producer.config")) {
    s = gregor::tools::LoadPropertiesFile(vm["producer.config"].as<std::string>(), &props);
  }
  if (s.ok() && vm.count("producer-property")) {
    s = gregor::tools::AddProperties(vm["producer-property"].as<std::vector<std::string>>(),
                                     &props);
  }
  if (!s.ok()) return Usage(s.ToString(), desc);
  props["bootstrap.servers"] = vm["bootstrap-server"].as<std::string>();
  if (vm.count("compression-codec")) {
    props["compression.type"] = vm["compression-codec"].as<std::string>();
  }
  props.try_emplace("client.id", "console-producer");
  for (const auto& m : kMerged) {
    if (vm.count(m.option)) {
      props[m.property] = vm[m.option].as<std::string>();
    } else {
      props.try_emplace(m.property, m.fallback);
    }
  }
  auto config = gregor::ProducerConfig::FromProperties(props);
  if (!config.ok()) {
    std::cerr << "gregor-console-producer: " << config.status().ToString() << "\n";
    return 1;
  }
  auto created = gregor::Producer::Create(std::move(*config));
  if (!created.ok()) {
    std::cerr << "gregor-console-producer: " << created.status().ToString() << "\n";
    return 1;
  }
  gregor::Producer& producer = **created;

  // Kafka prompts only when a person is typing.
  const bool prompt = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
  const bool sync = vm.count("sync") > 0;
  std::atomic<int64_t> failed{0};
  int exit_code = 0;
  std::string line;
  for (int64_t line_number = 1;; ++line_number) {
    if (prompt) std::cout << ">" << std::flush;
    if (!std::getline(std::cin, line)) break;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto parsed = gregor::tools::ParseLine(*reader, line, line_number);
    if (!parsed.ok()) {
      std::cerr << "gregor-console-producer: " << parsed.status().ToString() << "\n";
      exit_code = 1;
      break;
    }
    gregor::SerializedRecord record;
    record.topic = topic;
    record.key = std::move(parsed->key);
    record.value = std::move(parsed->value);
    record.headers = std::move(parsed->headers);
    const size_t key_bytes = record.key ? record.key->size() : 0;
    const size_t value_bytes = record.value ? record.value->size() : 0;
    gregor::RecordFuture f = producer.Send(
        std::move(record), [&failed, &topic, key_bytes, value_bytes](
                               const gregor::RecordMetadata&, const gregor::Status& status) {
          if (status.ok()) return;
          ++failed;
          // Kafka's ErrorLoggingCallback line.
          std::cerr << "Error when sending message to topic " << topic << " with key: "
                    << key_bytes << " bytes, value: " << value_bytes
                    << " bytes with error: " << status.ToString() << "\n";
        });
    if (sync) (void)f.Get();  // the callback reports a failure
  }
  producer.Close();
  return failed.load() > 0 ? 1 : exit_code;
}
