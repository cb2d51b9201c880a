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

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../../tests/unit/network/test_client.h"
#include "../../tests/unit/server/server_test_util.h"
#include "../../tests/unit/storage/storage_test_util.h"
#include "../lab_banner.h"
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

using labs::Banner;

/// A v11 Fetch of topic "t", partitions `partitions`, at `offset`.
inline FetchRequest FetchOf(int32_t max_wait_ms, int32_t min_bytes,
                            std::vector<int32_t> partitions = {0}, int64_t offset = 0) {
  return testing::FetchOfT(max_wait_ms, min_bytes, std::move(partitions), offset);
}

/// KafkaApis (the tests' testing::KafkaApisTestBase: real logs in a
/// temporary directory, a MockClock) with a Timer on that clock and the
/// fetch purgatory; topic "t" with 2 partitions, led here.
class ApisLab : public testing::KafkaApisTestBase {
 protected:
  ApisLab();
  ~ApisLab() override;

  /// Hands a v11 Fetch to KafkaApis; its response lands in response_ and
  /// the timer's time of it in responded_at_.
  void StartFetch(int32_t max_wait_ms, int32_t min_bytes);
  /// Appends `batch` to t-0 through a v7 Produce, acks=1.
  void Produce(Bytes batch);
  /// Moves the clock `ms` milliseconds, one at a time, running due tasks.
  void Advance(int64_t ms);
  /// Records in the Fetch response (empty if none).
  size_t ResponseRecordBytes();

  Timer timer_{clock_};
  DelayedOperationPurgatory purgatory_{"Fetch", timer_};
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
