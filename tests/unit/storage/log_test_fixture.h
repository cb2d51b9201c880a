// SPDX-License-Identifier: Apache-2.0
// LogTest: a Log in a temporary directory over a FaultInjectionEnv and a
// MockClock, with Append("k", "v") / ReadAt(offset) helpers.
#pragma once

#include <gtest/gtest.h>

#include "common/clock.h"
#include "storage/fault_injection_env.h"
#include "storage/log.h"
#include "storage_test_util.h"

namespace gregor::testing {

class LogTest : public ::testing::Test {
 protected:
  LogTest() {
    config_.segment_bytes = 64 << 10;
    config_.segment_index_bytes = 4 << 10;
    config_.index_interval_bytes = 1024;
  }
  std::string dir() const { return tmp_.path() + "/topic-0"; }

  void Open(LogLoadParams params = {}) {
    log_.reset();
    auto r = Log::Open(env_, dir(), config_, clock_, params);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    log_ = std::move(*r);
  }
  /// Close cleanly and reopen as after a clean shutdown.
  void Reopen(bool clean) {
    ASSERT_TRUE(log_->FlushAll().ok());
    Offset rp = log_->RecoveryPoint(), start = log_->LogStartOffset();
    log_.reset();
    Open(LogLoadParams{rp, start, clean});
  }
  /// A power cut: unsynced data is dropped, the old Log dies, the
  /// directory is reloaded from `recovery_point`.
  void CrashAndRecover(Offset recovery_point, Offset log_start = Offset(0)) {
    ASSERT_TRUE(env_.SimulateCrash().ok());
    log_.reset();
    env_.SetFilesystemActive(true);
    Open(LogLoadParams{recovery_point, log_start, false});
  }

  Result<LogAppendInfo> Append(const std::string& key, const std::string& value) {
    Bytes batch = BuildBatch({Record{clock_.NowMs(), key, value, {}}});
    return log_->Append(batch, Epoch(0));
  }
  /// One batch of `n` records of `value_size` bytes each, stamped now.
  Result<LogAppendInfo> AppendBatch(int n, size_t value_size = 100,
                                    CompressionType compression = CompressionType::kNone) {
    Bytes batch = MakeBatch(n, clock_.NowMs(), std::string(value_size, 'v'), compression);
    return log_->Append(batch, Epoch(0));
  }
  void AppendMany(int batches, int per_batch = 10, size_t value_size = 100) {
    for (int i = 0; i < batches; ++i) {
      auto r = AppendBatch(per_batch, value_size);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
  }
  std::vector<ReadRecord> ReadAt(int64_t offset, int32_t max_bytes = 1 << 20) {
    auto info = log_->Read(Offset(offset), max_bytes);
    EXPECT_TRUE(info.ok()) << info.status().ToString();
    if (!info.ok()) return {};
    auto bytes = info->records.ReadAll();
    EXPECT_TRUE(bytes.ok());
    return DecodeAll(*bytes);
  }
  /// Every record from the start, by successive reads.
  std::vector<ReadRecord> ReadAll() {
    return ReadAllRecords(*log_, [this](int64_t offset) { return ReadAt(offset); });
  }
  std::string LastSegmentLogPath() { return log_->Segments().back().log_path; }

  TempDir tmp_;
  FaultInjectionEnv env_{Env::Default()};
  MockClock clock_;
  LogConfig config_;
  std::unique_ptr<Log> log_;
};

}  // namespace gregor::testing
