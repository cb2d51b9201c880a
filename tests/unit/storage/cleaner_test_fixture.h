// SPDX-License-Identifier: Apache-2.0
// CleanerTest: a LogTest with keyed writes (Put / Tombstone), a
// LogCleaner over the test's log directory, and a view of the log as
// key -> records for checking what cleaning kept.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "log_test_fixture.h"
#include "storage/log_cleaner.h"

namespace gregor::testing {

class CleanerTest : public LogTest {
 protected:
  static constexpr size_t kDedupeBytes = 1 << 20;

  CleanerTest() { config_.delete_retention_ms = 1000; }

  /// One record `key` -> `value` (nullopt: a tombstone) in its own batch.
  int64_t Put(const std::string& key, std::optional<std::string> value) {
    Bytes batch = BuildBatch({Record{clock_.NowMs(), key, std::move(value), {}}});
    auto r = log_->Append(batch, Epoch(0));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->first_offset.value() : -1;
  }
  int64_t Tombstone(const std::string& key) { return Put(key, std::nullopt); }
  void Roll() { ASSERT_TRUE(log_->Roll().ok()); }

  /// One cleaning pass with the fixture's cleaner and checkpoint file.
  CleanerStats Clean() {
    auto stats = cleaner_.CleanLog(tmp_.path(), tp_, *log_);
    EXPECT_TRUE(stats.ok()) << stats.status().ToString();
    return stats.ok() ? *stats : CleanerStats{};
  }

  /// Every record's offset and value per key, in log order; also checks
  /// that offsets only increase.
  std::map<std::string, std::vector<std::pair<int64_t, std::optional<std::string>>>> ByKey() {
    std::map<std::string, std::vector<std::pair<int64_t, std::optional<std::string>>>> out;
    int64_t last = -1;
    for (const auto& r : ReadAll()) {
      EXPECT_GT(r.offset, last) << "offsets must only increase";
      last = r.offset;
      out[r.record.key.value_or("<null>")].push_back({r.offset, r.record.value});
    }
    return out;
  }

  TopicPartition tp_{"topic", PartitionId(0)};
  LogCleaner cleaner_{env_, clock_, kDedupeBytes};
};

}  // namespace gregor::testing
