// SPDX-License-Identifier: Apache-2.0
// TopicPartition: a topic name and a partition number (Kafka's
// TopicPartition), and its directory name `topic-N` in a log directory.
// Kafka topic names are 1..249 characters of [a-zA-Z0-9._-]; the last '-'
// of a directory name separates the partition, so dashes in topic names
// are fine.
#pragma once

#include <charconv>
#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include "common/types.h"

namespace gregor {

/// The controller's metadata log topic (`__cluster_metadata-0`), which the
/// LogManager leaves to the controller.
inline constexpr std::string_view kClusterMetadataTopic = "__cluster_metadata";

/// A topic's partition; orders by topic, then partition.
struct TopicPartition {
  std::string topic;
  PartitionId partition{0};

  auto operator<=>(const TopicPartition&) const = default;
  /// "orders-3": the log's directory name.
  std::string ToString() const { return topic + "-" + std::to_string(partition.value()); }

  /// True for Kafka's legal topic names.
  static bool IsValidTopic(std::string_view topic) {
    if (topic.empty() || topic.size() > 249 || topic == "." || topic == "..") return false;
    for (char c : topic) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == '-';
      if (!ok) return false;
    }
    return true;
  }
  /// Parses a directory name "topic-N"; nullopt if it is not one.
  static std::optional<TopicPartition> FromDirName(std::string_view name) {
    size_t dash = name.rfind('-');
    if (dash == std::string_view::npos || dash == 0 || dash + 1 == name.size()) return {};
    int32_t partition = 0;
    const char* end = name.data() + name.size();
    auto [p, ec] = std::from_chars(name.data() + dash + 1, end, partition);
    if (ec != std::errc() || p != end || partition < 0) return {};
    std::string_view topic = name.substr(0, dash);
    if (!IsValidTopic(topic)) return {};
    return TopicPartition{std::string(topic), PartitionId(partition)};
  }
};

}  // namespace gregor
