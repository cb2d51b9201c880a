// SPDX-License-Identifier: Apache-2.0
// FaultInjector: a test-only hook that makes the next N Produce or Fetch
// requests of one partition fail with a chosen Kafka error, or wait first.
// Off unless gregor.test.fault.partition is set; never enable it in
// production. Configured once from gregor.test.fault.*:
//
//   partition  "orders-0"              the topic-partition it applies to
//   api        produce | fetch         which request kind
//   error      NOT_LEADER_OR_FOLLOWER  Kafka error name; empty = no error
//   count      2                       how many partition requests (>= 1)
//   delay.ms   100                     wait this long before handling
//
// Each matching partition entry of a request uses up one of `count`
// (so a client retrying the same batch sees count failures, then
// success). A fired fault is logged at warn and counted in
// gregor_test_faults_injected_total. Thread-safety: Check is called from
// any request handler thread; the remaining count is an atomic.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "common/errors.h"
#include "server/kafka_config.h"
#include "server/metrics.h"
#include "storage/topic_partition.h"

namespace gregor {

/// Test-only fault hook for Produce/Fetch partitions; see the file comment.
class FaultInjector {
 public:
  /// The request kinds a fault can target.
  enum class Api { kProduce, kFetch };

  /// A disabled injector.
  FaultInjector() = default;
  /// Reads gregor.test.fault.*; stays disabled when the partition is empty.
  /// Errors: INVALID_CONFIG for a bad partition, api, error name or count.
  /// REQUIRES: called once, before requests arrive.
  Status Configure(const KafkaConfig& config, MetricsRegistry& metrics);

  /// Whether this partition entry of an `api` request is faulted: sleeps
  /// for the configured delay, then returns the error to answer with
  /// (kNone: handle normally). Uses up one of the count when it matches.
  ErrorCode Check(Api api, const TopicPartition& tp);

  bool enabled() const { return enabled_; }
  /// Faults left to inject.
  int64_t remaining() const { return remaining_.load(); }

 private:
  bool enabled_ = false;
  // Immutable after Configure:
  TopicPartition partition_;
  Api api_ = Api::kProduce;
  ErrorCode error_ = ErrorCode::kNone;
  int64_t delay_ms_ = 0;
  Counter* injected_ = nullptr;
  std::atomic<int64_t> remaining_{0};
};

/// Kafka's error name ("NOT_LEADER_OR_FOLLOWER") to its code; nullopt if unknown.
std::optional<ErrorCode> ErrorFromName(const std::string& name);

}  // namespace gregor
