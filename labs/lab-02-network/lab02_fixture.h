// SPDX-License-Identifier: Apache-2.0
// Lab 02 fixtures: the request pipeline of chapter 02 under experiment.
//
// ApisLab drives KafkaApis::Handle directly, with a Timer on a MockClock
// and the fetch purgatory, so a long poll's timing is exact: time moves
// only when a case calls Advance(). ServerLab runs a whole KafkaServer on
// 127.0.0.1 port 0 with the real clock and talks to it over a plain POSIX
// socket (tests/unit/network/test_client.h); there every wait has a
// deadline. Banner() prints the one line a case measured.
#pragma once

#include <gtest/gtest.h>

#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../../tests/unit/network/test_client.h"
#include "../../tests/unit/storage/storage_test_util.h"
#include "common/clock.h"
#include "protocol/create_topics.h"
#include "protocol/fetch.h"
#include "protocol/frame.h"
#include "protocol/produce.h"
#include "server/delayed_operation_purgatory.h"
#include "server/kafka_apis.h"
#include "server/kafka_server.h"
#include "server/timing_wheel.h"

namespace gregor::lab02 {

__attribute__((format(printf, 1, 2))) inline void Banner(const char* format, ...) {
  char line[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(line, sizeof line, format, args);
  va_end(args);
  std::printf("  %s\n", line);
  std::fflush(stdout);
}

/// A v11 Fetch of topic "t", partitions `partitions`, at `offset`.
inline FetchRequest FetchOf(int32_t max_wait_ms, int32_t min_bytes,
                            std::vector<int32_t> partitions = {0}, int64_t offset = 0) {
  FetchRequest req;
  req.max_wait_ms = max_wait_ms;
  req.min_bytes = min_bytes;
  req.max_bytes = 1 << 20;
  req.topics.push_back({"t", {}});
  for (int32_t p : partitions) req.topics[0].partitions.push_back({p, -1, offset, -1, 1 << 20});
  return req;
}

/// KafkaApis with a MockClock-driven Timer and fetch purgatory; topic "t"
/// with 2 partitions, led here.
class ApisLab : public ::testing::Test {
 protected:
  ApisLab();

  /// Hands a v11 Fetch to KafkaApis; its response lands in response_ and
  /// the timer's time of it in responded_at_.
  void StartFetch(int32_t max_wait_ms, int32_t min_bytes);
  /// Appends `batch` to t-0 through a v7 Produce, acks=1.
  void Produce(Bytes batch);
  /// Moves the clock `ms` milliseconds, one at a time, running due tasks.
  void Advance(int64_t ms);
  /// Records in the Fetch response (empty if none).
  size_t ResponseRecordBytes();

  testing::TempDir dir_;
  MockClock clock_;
  Timer timer_{clock_};
  DelayedOperationPurgatory purgatory_{"Fetch", timer_};
  KafkaConfig config_;
  LogManager logs_;
  ReplicaManager replicas_;
  std::unique_ptr<TopicRegistry> registry_;
  std::unique_ptr<KafkaApis> apis_;
  std::optional<ApiResponse> response_;
  int64_t responded_at_ = -1;
  int64_t start_ = timer_.NowMs();
};

/// A KafkaServer on 127.0.0.1:0 with the real clock; topic "t" (2
/// partitions) is created in SetUp.
class ServerLab : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  std::unique_ptr<testing::TestClient> Connect();
  template <class Req>
  static Bytes Frame(const Req& body, int16_t version, int32_t correlation_id) {
    return EncodeRequestFrame({Req::kApiKey, version, correlation_id, "lab02"}, body);
  }
  /// The correlation id of a response frame (its first 4 bytes).
  static int32_t CorrelationId(const Bytes& payload) {
    return payload.size() >= 4 ? int32_t(LoadBE32(payload.data())) : -1;
  }

  testing::TempDir dir_;
  std::unique_ptr<KafkaConfig> config_;
  std::unique_ptr<KafkaServer> server_;
};

}  // namespace gregor::lab02
