// SPDX-License-Identifier: Apache-2.0
// Claim of chapter 06 (Delivery semantics): auto commit runs inside poll(),
// at most every auto.commit.interval.ms, and commits the positions as they
// were when that poll started: the records returned by the polls before
// it. So the records of one poll are committed by the first poll after the
// interval has run out, and a crash replays at most the records returned
// since the last auto commit.
//
// Close() commits when auto commit is on, so the crash must be real: the
// consumer runs in a child process (ChildConsumer, mode "autocommit") that
// works 250 ms on each batch of 10, reports committed() after every poll,
// and is killed with SIGKILL after its tenth batch. A reader then takes
// the partition by assign() with the same group.id (no rebalance to wait
// for) and starts where the group's commit says.
#include <cstdio>
#include <sstream>

#include "lab06_fixture.h"

namespace gregor::lab06 {
namespace {

using namespace std::chrono_literals;

class AutoCommitLab06 : public GroupLab {
 protected:
  void SetUp() override { StartBroker(); }
};

struct PollLine {
  long long ms = 0, first = 0, last = 0, committed = -1;
};

TEST_F(AutoCommitLab06, CommitsAtTheNextPollAfterTheIntervalAndCrashReplaysTheWindow) {
  CreateTopic("auto", 1);
  Produce("auto", 0, 200);
  auto child = ChildConsumer::Spawn("autocommit", "auto",
                                    ConsumerProps("g-auto", {{"enable.auto.commit", "true"},
                                                             {"auto.commit.interval.ms", "1000"}}));
  ASSERT_TRUE(child);
  std::vector<PollLine> polls;
  long long crash_processed = -1, crash_committed = -1;
  auto deadline = Steady::now() + 15s;
  while (crash_processed < 0 && Steady::now() < deadline) {
    auto line = child->ReadLine(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now()));
    if (!line) break;
    PollLine p;
    if (std::sscanf(line->c_str(), "POLL %lld %lld %lld %lld", &p.ms, &p.first, &p.last,
                    &p.committed) == 4) {
      polls.push_back(p);
    } else if (std::sscanf(line->c_str(), "CRASHPOINT %lld %lld", &crash_processed,
                           &crash_committed) == 2) {
      child->Kill();  // inside the auto-commit window: no Close(), no commit
    } else if (*line != "READY") {
      ADD_FAILURE() << "child: " << *line;
    }
  }
  child->Kill();
  ASSERT_EQ(polls.size(), 10u) << "the child consumer did not get through its 10 batches";
  ASSERT_GE(crash_processed, 0);

  // The timeline: committed changes only to the first offset of the poll
  // that ran it (everything returned before), at most once a second.
  std::ostringstream timeline;
  long long prev = -1, last_commit_ms = -1;
  int commits = 0;
  for (const PollLine& p : polls) {
    timeline << " @" << p.ms << ":" << p.first << "-" << p.last
             << "/c=" << (p.committed < 0 ? std::string("-") : std::to_string(p.committed));
    if (p.committed != prev) {
      EXPECT_EQ(p.committed, p.first)
          << "a poll should commit exactly the records returned before it";
      if (last_commit_ms >= 0) {
        EXPECT_GE(p.ms - last_commit_ms, 900) << "auto commits closer than the interval";
      }
      last_commit_ms = p.ms;
      ++commits;
      prev = p.committed;
    }
  }
  Banner(
      "auto.commit.interval.ms=1000, 10 records per poll, 250 ms of work per batch; "
      "poll @ms:records/committed after it:");
  Banner("%s", timeline.str().c_str());
  EXPECT_GE(commits, 1);

  // The crash and the replay.
  StringConsumer* reader = MakeConsumer("g-auto");
  ASSERT_TRUE(reader);
  const TopicPartition tp{"auto", PartitionId(0)};
  ASSERT_TRUE(reader->Assign({tp}).ok());
  auto start = reader->Position(tp, 5000ms);
  ASSERT_TRUE(start.ok()) << start.status().ToString();
  Processed reread;
  ASSERT_TRUE(PollUntil(
      reader, [&] { return !reread.empty() && reread.back().second >= crash_processed - 1; }, 10s,
      &reread));
  int replayed = 0;
  for (const auto& r : reread) replayed += r.second < crash_processed ? 1 : 0;
  const long long since_commit = crash_processed - crash_committed;
  Banner(
      "SIGKILL after processing offsets 0-%lld, last auto commit %lld: the next reader "
      "starts at %lld and replays %d records (%lld returned since the last auto commit)",
      crash_processed - 1, crash_committed, static_cast<long long>(*start), replayed, since_commit);
  EXPECT_EQ(*start, crash_committed);
  EXPECT_EQ(replayed, since_commit);
  EXPECT_GT(replayed, 0);
  // At most the records of the polls since the last auto commit: the
  // interval (1 s) over 250 ms per batch, plus the one that committed.
  EXPECT_LE(replayed, 10 * 5);
}

}  // namespace
}  // namespace gregor::lab06
