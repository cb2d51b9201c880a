// SPDX-License-Identifier: Apache-2.0
// Helpers of the consumer tests on a ConsumerTestBroker: Tp, configs
// pointing at it, a string consumer, and PollUntil, which polls until enough
// records came back or a deadline passed (no fixed sleeps).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "consumer_test_broker.h"
#include "gregor/consumer.h"

namespace gregor::testing {

/// The test broker's node id.
inline constexpr int32_t kBrokerNodeId = 1;

/// Partition `p` of topic `t`.
inline TopicPartition Tp(const std::string& t, int32_t p) {
  return TopicPartition{t, PartitionId(p)};
}

/// A consumer config on `broker` with `extra` on top.
inline ConsumerConfig ConfigFor(const ConsumerTestBroker& broker,
                                const std::map<std::string, std::string>& extra = {}) {
  std::map<std::string, std::string> props = {{"bootstrap.servers", broker.bootstrap()}};
  for (const auto& [k, v] : extra) props[k] = v;
  auto config = ConsumerConfig::FromProperties(props);
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  return *config;
}

/// A typed string consumer.
using StringConsumer = KafkaConsumer<std::string, std::string>;

inline std::unique_ptr<StringConsumer> MakeStringConsumer(ConsumerConfig config) {
  auto c = StringConsumer::Create(std::move(config), StringDeserializer(), StringDeserializer());
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(*c) : nullptr;
}

/// A record's fields, copied out of its ConsumerRecords.
struct Got {
  std::string topic;
  int32_t partition;
  int64_t offset;
  std::optional<std::string> key, value;
};

/// Polls until `want` records came back or `timeout` passed.
inline std::vector<Got> PollUntil(StringConsumer& c, size_t want,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  std::vector<Got> out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < want && std::chrono::steady_clock::now() < deadline) {
    auto records = c.Poll(std::chrono::milliseconds(100));
    EXPECT_TRUE(records.ok()) << records.status().ToString();
    if (!records.ok()) break;
    for (const auto& r : *records)
      out.push_back({std::string(r.topic), r.partition, r.offset, r.key, r.value});
  }
  return out;
}

}  // namespace gregor::testing
