// SPDX-License-Identifier: Apache-2.0
// Lab 03 fixture: the producer of chapter 03 under experiment.
//
// ProducerLab runs a whole KafkaServer on 127.0.0.1 port 0 with the real
// clock, started by each case with the broker properties it needs (the
// test-only fault hook, gregor.test.fault.*), and producers from the
// public API (include/gregor/producer.h) pointed at it. Every wait has a
// deadline and every producer is closed with a bounded timeout, so a
// stubbed RecordAccumulator or BufferPool fails a case instead of hanging
// it. ReadPartition reads back what the broker stored, with plain v11
// Fetches over a POSIX socket (tests/unit/network/test_client.h), so the
// order and placement a case checks are the log's, not the producer's
// own report.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../../tests/unit/network/test_client.h"
#include "../../tests/unit/server/server_test_util.h"
#include "../../tests/unit/storage/storage_test_util.h"
#include "../lab_banner.h"
#include "gregor/producer.h"
#include "server/kafka_server.h"

namespace gregor::lab03 {

using labs::Banner;
using StringProducer = KafkaProducer<std::string, std::string>;
using Steady = std::chrono::steady_clock;

/// Milliseconds from `t` to now.
inline int64_t MsSince(Steady::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - t).count();
}

/// One record as the broker stored it.
struct StoredRecord {
  int64_t offset = -1;
  std::optional<std::string> key;
  std::optional<std::string> value;
};

/// A KafkaServer on 127.0.0.1:0 that each case starts (StartBroker), and
/// producers at it (MakeProducer), closed in TearDown before the broker.
class ProducerLab : public ::testing::Test {
 protected:
  void TearDown() override;

  /// Starts the broker with `extra` broker properties on top of a one-node
  /// loopback config (log.dirs in a fresh temporary directory).
  void StartBroker(const std::map<std::string, std::string>& extra = {});
  /// Creates `topic` with `partitions` partitions over the socket.
  void CreateTopic(const std::string& topic, int32_t partitions);
  /// A producer at the broker: the lab's short timeouts (max.block.ms 2000,
  /// request.timeout.ms 3000, delivery.timeout.ms 5000) with `props` on
  /// top. Owned by the fixture; nullptr (and a failure) if refused.
  StringProducer* MakeProducer(const std::map<std::string, std::string>& props);
  /// Closes `p` waiting at most `timeout` for what it still buffers.
  static void CloseProducer(StringProducer* p,
                            std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));
  /// Every record of `topic`-`partition`, in offset order (v11 Fetches from
  /// offset 0 up to the high watermark; at most a few seconds).
  std::vector<StoredRecord> ReadPartition(const std::string& topic, int32_t partition);

  testing::TempDir dir_;
  std::unique_ptr<KafkaConfig> config_;
  std::unique_ptr<KafkaServer> server_;
  std::vector<std::unique_ptr<StringProducer>> producers_;
};

}  // namespace gregor::lab03
