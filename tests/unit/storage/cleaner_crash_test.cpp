// SPDX-License-Identifier: Apache-2.0
// Cleaner: a power cut at every file operation of the swap, and random
// workloads checked against a model of "latest value per key".
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "cleaner_test_fixture.h"

namespace gregor {
namespace {

class CleanerCrashTest : public testing::CleanerTest {
 protected:
  // Four segments of overwrites and a tombstone; returns the latest value
  // per key (nullopt: deleted). Everything is flushed, as after a while.
  std::map<std::string, std::optional<std::string>> Workload() {
    std::map<std::string, std::optional<std::string>> latest;
    for (int round = 0; round < 4; ++round) {
      for (int k = 0; k < 6; ++k) {
        std::string key = "k" + std::to_string(k), value = std::to_string(round * 10 + k);
        Put(key, value);
        latest[key] = value;
      }
      Put("u" + std::to_string(round), "unique");  // every segment keeps one
      latest["u" + std::to_string(round)] = "unique";
      if (round == 2) {
        Tombstone("k5");
        latest["k5"] = std::nullopt;
      }
      Roll();
    }
    EXPECT_TRUE(log_->FlushAll().ok());
    return latest;
  }

  void ExpectLatest(const std::map<std::string, std::optional<std::string>>& latest) {
    auto by_key = ByKey();
    for (const auto& [key, value] : latest) {
      ASSERT_TRUE(by_key.contains(key)) << key;
      EXPECT_EQ(by_key[key].back().second, value) << key;
    }
    auto children = env_.GetChildren(dir());
    ASSERT_TRUE(children.ok());
    std::vector<std::string> names = *children;
    for (const auto& name : names) {
      EXPECT_EQ(name.find(".swap"), std::string::npos) << name;
      EXPECT_EQ(name.find(".cleaned"), std::string::npos) << name;
      EXPECT_EQ(name.find(".deleted"), std::string::npos) << name;
    }
  }
};

TEST_F(CleanerCrashTest, CrashAtEverySwapStepLosesNothing) {
  // Segments of ~500 bytes and cleaned segments of at most ~1,100: two
  // groups, so some crashes fall after the first group's swap.
  config_.segment_bytes = 1100;
  // A dry run counts the swap's file operations.
  int ops = 0;
  {
    Open();
    Workload();
    cleaner_.set_file_op_hook([&](const std::string&) { ++ops; });
    EXPECT_EQ(Clean().groups_swapped, 2);
    cleaner_.set_file_op_hook(nullptr);
    log_.reset();
  }
  ASSERT_GT(ops, 8);
  for (int crash_at = 1; crash_at <= ops; ++crash_at) {
    SCOPED_TRACE("crash before swap operation " + std::to_string(crash_at));
    std::filesystem::remove_all(dir());
    std::filesystem::remove(tmp_.path() + "/" + kCleanerCheckpointFile);
    Open();
    auto latest = Workload();
    int n = 0;
    cleaner_.set_file_op_hook([&](const std::string&) {
      if (++n == crash_at) {
        ASSERT_TRUE(env_.SimulateCrash().ok());
      }
    });
    auto failed = cleaner_.CleanLog(tmp_.path(), tp_, *log_);
    EXPECT_FALSE(failed.ok());
    cleaner_.set_file_op_hook(nullptr);
    CrashAndRecover(log_->RecoveryPoint());
    ExpectLatest(latest);
    // A later pass finishes the job.
    Clean();
    ExpectLatest(latest);
    EXPECT_EQ(ByKey()["k0"].size(), 1u);
  }
  std::printf("[ cleaner ] crash points tested: %d\n", ops);
}

TEST_F(CleanerCrashTest, RandomWorkloadsKeepLatestValuePerKey) {
  // GREGOR_CLEANER_SEED replays another sequence of workloads.
  const char* seed = std::getenv("GREGOR_CLEANER_SEED");
  std::mt19937 rng(seed ? uint32_t(std::strtoul(seed, nullptr, 10)) : 20261125u);
  constexpr int kIterations = 300;
  CleanerStats total;  // to show every path was taken
  for (int iter = 0; iter < kIterations; ++iter) {
    SCOPED_TRACE("iteration " + std::to_string(iter));
    std::filesystem::remove_all(dir());
    std::filesystem::remove(tmp_.path() + "/" + kCleanerCheckpointFile);
    config_.delete_retention_ms = int64_t(rng() % 50);
    config_.min_compaction_lag_ms = rng() % 3 == 0 ? int64_t(rng() % 30) : 0;
    config_.segment_bytes = 300 + int32_t(rng() % 2000);  // rolls and groups vary
    // Sometimes a map too small for all keys: passes stop early.
    LogCleaner cleaner(env_, clock_, (3 + rng() % 30) * OffsetMap::kSlotBytes);
    auto clean = [&] {
      auto stats = cleaner.CleanLog(tmp_.path(), tp_, *log_);
      EXPECT_TRUE(stats.ok()) << stats.status().ToString();
      if (!stats.ok()) return CleanerStats{};
      total.map_full = total.map_full || stats->map_full;
      total.tombstones_removed += stats->tombstones_removed;
      total.segments_deleted += stats->segments_deleted;
      total.groups_swapped += stats->groups_swapped;
      return *stats;
    };
    Open();
    struct Latest {
      std::optional<std::string> value;
      int64_t at_ms;
    };
    std::map<std::string, Latest> model;
    int ops = 20 + int(rng() % 60);
    for (int op = 0; op < ops; ++op) {
      uint32_t dice = rng() % 100;
      std::string key = "k" + std::to_string(rng() % 8);
      if (dice < 60) {
        std::string value = std::to_string(iter) + "/" + std::to_string(op);
        Put(key, value);
        model[key] = {value, clock_.NowMs()};
      } else if (dice < 75) {
        Tombstone(key);
        model[key] = {std::nullopt, clock_.NowMs()};
      } else if (dice < 88) {
        Roll();
      } else {
        clean();
      }
      clock_.AdvanceMs(rng() % 10);
    }
    // Everything becomes cleanable; two passes so tombstones get a chance
    // to be past delete.retention.ms in an already cleaned segment.
    Roll();
    clock_.AdvanceMs(config_.min_compaction_lag_ms + 1);
    for (int pass = 0; pass < 100; ++pass) {
      CleanerStats stats = clean();
      if (stats.end_offset >= stats.first_uncleanable_offset) break;
    }
    clean();
    auto by_key = ByKey();  // also checks that offsets only increase
    int64_t now = clock_.NowMs();
    for (const auto& [key, latest] : model) {
      if (!by_key.contains(key)) {
        ASSERT_FALSE(latest.value.has_value()) << key << " lost its latest value";
        ASSERT_GT(now - latest.at_ms, config_.delete_retention_ms) << key << " tombstone too young";
        continue;
      }
      ASSERT_EQ(by_key[key].size(), 1u) << key << " kept more than its latest record";
      ASSERT_EQ(by_key[key][0].second, latest.value) << key;
    }
    EXPECT_LE(by_key.size(), model.size());
  }
  EXPECT_TRUE(total.map_full);
  EXPECT_GT(total.tombstones_removed, 0);
  EXPECT_GT(total.segments_deleted, 0);
  EXPECT_GT(total.groups_swapped, 0);
  std::printf("[ cleaner ] %d workloads: %d swaps, %d segments deleted, %lld tombstones removed\n",
              kIterations, total.groups_swapped, total.segments_deleted,
              static_cast<long long>(total.tombstones_removed));
}

}  // namespace
}  // namespace gregor
