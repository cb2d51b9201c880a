// SPDX-License-Identifier: Apache-2.0
// Claims of chapter 06 (Delivery semantics): the order of processing and
// committing decides what a crash costs. Process, then commit: a crash
// between the two replays what was processed since the last commit (at
// least once, duplicates). Commit, then process: a crash between the two
// skips what was committed but not processed (at most once, loss).
//
// The "crash" is Close() with enable.auto.commit=false: nothing is
// committed, as in a crash; the member also sends LeaveGroup, so the next
// member takes over at once instead of after session.timeout.ms (the
// session-timeout case, SessionTimeoutLab06, kills a real process).
#include <set>
#include <string>
#include <vector>

#include "lab06_fixture.h"

namespace gregor::lab06 {
namespace {

using namespace std::chrono_literals;

class DeliveryLab06 : public GroupLab {
 protected:
  static constexpr int kRecords = 30;
  void SetUp() override { StartBroker(); }

  /// A second member of `group` reads `topic`-0 from the group's last
  /// commit to the end; what it processed.
  Processed ReadRestAsSecondMember(const std::string& group, const std::string& topic) {
    Processed b;
    StringConsumer* c = MakeConsumer(group);
    EXPECT_TRUE(c && c->Subscribe({topic}).ok());
    if (!c) return b;
    bool done = PollUntil(
        c, [&] { return !b.empty() && b.back().second == kRecords - 1; }, 10s, &b);
    EXPECT_TRUE(done) << "the second member did not reach the end (read " << b.size() << ")";
    return b;
  }
};

// Claim: at least once. A processes two batches, commits after the first
// only, and crashes: B re-reads the second batch. Duplicates = exactly
// the records processed after the last commit.
TEST_F(DeliveryLab06, CrashBetweenProcessingAndCommitGivesDuplicates) {
  CreateTopic("alo", 1);
  Produce("alo", 0, kRecords);
  StringConsumer* a = MakeConsumer("g-alo");
  ASSERT_TRUE(a && a->Subscribe({"alo"}).ok());
  Processed processed;
  auto first = PollBatch(a, 10s);
  ASSERT_TRUE(first) << "A never got records";
  processed = *first;                       // processed...
  ASSERT_TRUE(a->CommitSync(3000ms).ok());  // ...then committed
  const size_t committed = processed.size();
  auto second = PollBatch(a, 5s);
  ASSERT_TRUE(second);
  processed.insert(processed.end(), second->begin(), second->end());  // processed, and
  CloseConsumer(a);  // "crash" before the commit (auto commit off: Close commits nothing)

  Processed b = ReadRestAsSecondMember("g-alo", "alo");
  ASSERT_FALSE(b.empty());
  const int dups = CountDuplicates(processed, b);
  const int uncommitted = int(processed.size() - committed);
  Banner(
      "A processed offsets 0-%lld, committed %zu, crashed; B resumed at %lld and processed %zu: "
      "%d duplicates (%d processed after the last commit)",
      static_cast<long long>(processed.back().second), committed,
      static_cast<long long>(b.front().second), b.size(), dups, uncommitted);
  EXPECT_EQ(b.front().second, int64_t(committed)) << "B should start at the last commit";
  EXPECT_GT(dups, 0);
  EXPECT_EQ(dups, uncommitted);
}

// Claim: at most once. A commits right after each poll, processes the
// first batch, commits the second and crashes halfway through it: nobody
// ever processes the other half.
TEST_F(DeliveryLab06, CommitBeforeProcessingLosesRecordsOnCrash) {
  CreateTopic("amo", 1);
  Produce("amo", 0, kRecords);
  StringConsumer* a = MakeConsumer("g-amo");
  ASSERT_TRUE(a && a->Subscribe({"amo"}).ok());
  auto first = PollBatch(a, 10s);
  ASSERT_TRUE(first) << "A never got records";
  ASSERT_TRUE(a->CommitSync(3000ms).ok());  // committed...
  Processed processed = *first;             // ...then processed
  auto second = PollBatch(a, 5s);
  ASSERT_TRUE(second);
  ASSERT_TRUE(a->CommitSync(3000ms).ok());
  const size_t half = second->size() / 2;
  processed.insert(processed.end(), second->begin(), second->begin() + long(half));
  CloseConsumer(a);  // "crash" halfway through the second batch
  const int expected_lost = int(second->size() - half);

  Processed b = ReadRestAsSecondMember("g-amo", "amo");
  ASSERT_FALSE(b.empty());
  std::set<int64_t> seen;
  for (const auto& r : processed) seen.insert(r.second);
  for (const auto& r : b) seen.insert(r.second);
  std::vector<int64_t> lost;
  for (int64_t o = 0; o < kRecords; ++o) {
    if (!seen.count(o)) lost.push_back(o);
  }
  const std::string lost_list =
      lost.empty() ? "none" : std::to_string(lost.front()) + "-" + std::to_string(lost.back());
  Banner(
      "A committed %zu, processed %zu of them, crashed; B resumed at %lld: %d records lost "
      "(offsets %s), %d duplicates",
      first->size() + second->size(), processed.size(), static_cast<long long>(b.front().second),
      int(lost.size()), lost_list.c_str(), CountDuplicates(processed, b));
  EXPECT_EQ(int(lost.size()), expected_lost);
  EXPECT_GT(lost.size(), 0u);
  EXPECT_EQ(CountDuplicates(processed, b), 0);
}

}  // namespace
}  // namespace gregor::lab06
