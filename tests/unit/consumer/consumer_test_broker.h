// SPDX-License-Identifier: Apache-2.0
// A whole one-node KafkaServer (node id 1) on a loopback port for the
// consumer tests, with topics created over the wire and records produced by
// Gregor's own producer. Its implementation (consumer_test_broker.cpp) is
// the one unit that sees broker headers, so the consumer tests compile
// against the client's headers alone, as an application would.
#pragma once

#include <map>
#include <memory>
#include <string>

namespace gregor::testing {

/// A running broker in a temporary directory; see the file comment.
class ConsumerTestBroker {
 public:
  /// Starts the broker with `extra` server properties.
  explicit ConsumerTestBroker(const std::map<std::string, std::string>& extra = {});
  ~ConsumerTestBroker();

  /// "127.0.0.1:<port>".
  std::string bootstrap() const;
  /// Creates `topic` over the wire; true once the broker answered.
  bool CreateTopic(const std::string& topic, int32_t partitions);
  /// Produces `count` records "k<i>"/"v<i>" (i from `first`) to one
  /// partition with Gregor's producer (`extra` producer properties) and
  /// waits for every acknowledgement.
  void Produce(const std::string& topic, int32_t partition, int count, int first = 0,
               const std::map<std::string, std::string>& extra = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gregor::testing
