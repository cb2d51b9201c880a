// SPDX-License-Identifier: Apache-2.0
#include "server/fault_injector.h"

#include <chrono>
#include <thread>

#include "common/logging.h"

namespace gregor {

std::optional<ErrorCode> ErrorFromName(const std::string& name) {
#define GREGOR_FROM_NAME(code_name, num, kafka) \
  if (name == #kafka) return ErrorCode::code_name;
  GREGOR_KAFKA_ERRORS(GREGOR_FROM_NAME)
#undef GREGOR_FROM_NAME
  return std::nullopt;
}

Status FaultInjector::Configure(const KafkaConfig& config, MetricsRegistry& metrics) {
  std::string partition = config.GetString("gregor.test.fault.partition");
  if (partition.empty()) return Status::Ok();
  auto dash = partition.rfind('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 == partition.size() ||
      partition.find_first_not_of("0123456789", dash + 1) != std::string::npos) {
    return Status(ErrorCode::kInvalidConfig, "gregor.test.fault.partition: " + partition);
  }
  partition_ = TopicPartition{partition.substr(0, dash),
                              PartitionId{std::stoi(partition.substr(dash + 1))}};
  std::string api = config.GetString("gregor.test.fault.api");
  if (api == "produce") {
    api_ = Api::kProduce;
  } else if (api == "fetch") {
    api_ = Api::kFetch;
  } else {
    return Status(ErrorCode::kInvalidConfig, "gregor.test.fault.api: " + api);
  }
  std::string error = config.GetString("gregor.test.fault.error");
  if (!error.empty()) {
    auto code = ErrorFromName(error);
    if (!code) return Status(ErrorCode::kInvalidConfig, "gregor.test.fault.error: " + error);
    error_ = *code;
  }
  int64_t count = config.GetLong("gregor.test.fault.count");
  if (count < 1) {
    return Status(ErrorCode::kInvalidConfig, "gregor.test.fault.count must be >= 1");
  }
  delay_ms_ = config.GetLong("gregor.test.fault.delay.ms");
  injected_ = metrics.GetCounter("gregor_test_faults_injected_total",
                                 "Produce/Fetch partition requests faulted by "
                                 "gregor.test.fault.* (tests only).");
  remaining_ = count;
  enabled_ = true;
  Logger("server")->warn("fault injection ON (test only): {} {} error={} count={} delay_ms={}",
                         api, partition, ErrorName(error_), count, delay_ms_);
  return Status::Ok();
}

// [fault-injector-check]
ErrorCode FaultInjector::Check(Api api, const TopicPartition& tp) {
  if (!enabled_ || api != api_ || tp != partition_) return ErrorCode::kNone;
  // Claim one fault; once the count is used up the partition is normal.
  int64_t left = remaining_.load();
  do {
    if (left <= 0) return ErrorCode::kNone;
  } while (!remaining_.compare_exchange_weak(left, left - 1));
  injected_->Add();
  Logger("server")->warn("injected fault: {} {} error={} delay_ms={} remaining={}",
                         api == Api::kProduce ? "produce" : "fetch", tp.ToString(),
                         ErrorName(error_), delay_ms_, left - 1);
  // A test-only path: blocking this handler thread is the point.
  if (delay_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_));
  return error_;
}
// [fault-injector-check]

}  // namespace gregor
