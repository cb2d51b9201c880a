// SPDX-License-Identifier: Apache-2.0
// Lab 06's broker: a whole KafkaServer on 127.0.0.1, port 0, with the real
// clock, and a producer to fill topics. Its implementation is the one lab
// unit that includes broker headers. That is a choice, not a constraint:
// they used to clash with gregor/consumer.h in one translation unit (both
// defined OffsetAndMetadata), but the broker's is now CommittedOffset
// (coordinator/group/group_metadata_manager.h) and the two compile
// together. Keeping the broker behind this class leaves the cases and the
// consumer-side fixture (lab06_fixture.h) with the public client API only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace gregor::lab06 {

/// A running broker in a temporary directory; see the file comment.
class Lab06Broker {
 public:
  /// Starts the broker with `extra` server properties on top of a one-node
  /// loopback config. ok() says whether it started.
  explicit Lab06Broker(const std::map<std::string, std::string>& extra);
  ~Lab06Broker();

  bool ok() const;
  /// "127.0.0.1:<port>".
  std::string bootstrap() const;
  /// Creates `topic` over the wire; true once the broker answered.
  bool CreateTopic(const std::string& topic, int32_t partitions);
  /// Produces `count` records to `topic`-`partition`, values
  /// "<topic>-<partition>-<i>" for i in [first, first + count), and waits
  /// (at most 5 s) for every acknowledgement. False on any failure.
  bool Produce(const std::string& topic, int32_t partition, int count, int first = 0);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gregor::lab06
