// SPDX-License-Identifier: Apache-2.0
// Claim of chapter 06 (Timeouts): a member not heard from for
// session.timeout.ms is removed by the coordinator, and the group
// rebalances without it; a member that leaves (LeaveGroup on Close) is
// removed at once.
//
// Two members of one group share a 4-partition topic, 2 each. The first
// runs in a child process (ChildConsumer, mode "member") and is killed
// with SIGKILL: no LeaveGroup, no more heartbeats. The survivor keeps
// polling; the case times how long until it owns all 4 partitions. Then
// the same with a member that Close()s. The broker allows the 1.5 s
// session (group.min.session.timeout.ms=1000); heartbeat.interval.ms=200.
#include "lab06_fixture.h"

namespace gregor::lab06 {
namespace {

using namespace std::chrono_literals;

class SessionTimeoutLab06 : public GroupLab {
 protected:
  void SetUp() override {
    StartBroker();
    CreateTopic("st", 4);
  }

  /// Waits for the child to report `n` partitions; false after `timeout`.
  static bool ChildOwns(ChildConsumer& child, size_t n, std::chrono::milliseconds timeout) {
    auto deadline = Steady::now() + timeout;
    const std::string want = "ASSIGNED " + std::to_string(n) + " ";
    while (Steady::now() < deadline) {
      auto line = child.ReadLine(
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now()));
      if (!line) return false;
      if (line->rfind(want, 0) == 0) return true;
      if (line->rfind("ERROR", 0) == 0) ADD_FAILURE() << "child: " << *line;
    }
    return false;
  }
};

TEST_F(SessionTimeoutLab06, KilledMemberIsEvictedAfterTheSessionTimeout) {
  const Props props = ConsumerProps("g-st");
  auto child = ChildConsumer::Spawn("member", "st", props);
  ASSERT_TRUE(child);
  ASSERT_TRUE(ChildOwns(*child, 4, 10s)) << "the child member never owned the 4 partitions";

  StringConsumer* survivor = MakeConsumer("g-st");
  ASSERT_TRUE(survivor && survivor->Subscribe({"st"}).ok());
  ASSERT_TRUE(PollUntil(
      survivor, [&] { return survivor->Assignment().size() == 2; }, 10s))
      << "no 2/2 split; survivor owns " << PartitionList(survivor->Assignment());
  ASSERT_TRUE(ChildOwns(*child, 2, 5s)) << "the child did not report its 2 partitions";
  const std::string before = PartitionList(survivor->Assignment());

  auto killed_at = Steady::now();
  child->Kill();  // no LeaveGroup, no heartbeat: only the session timeout can tell
  ASSERT_TRUE(PollUntil(
      survivor, [&] { return survivor->Assignment().size() == 4; }, 10s))
      << "the survivor never got the dead member's partitions";
  const int64_t evicted_ms = MsSince(killed_at);

  // The same hand-over when the member leaves politely.
  StringConsumer* second = MakeConsumer("g-st");
  ASSERT_TRUE(second && second->Subscribe({"st"}).ok());
  auto both = [&] {
    return survivor->Assignment().size() == 2 && second->Assignment().size() == 2;
  };
  ASSERT_TRUE(PollUntil(
      second,
      [&] {
        (void)survivor->Poll(10ms);
        return both();
      },
      10s))
      << "no 2/2 split with the second member";
  auto closed_at = Steady::now();
  CloseConsumer(second);
  ASSERT_TRUE(PollUntil(
      survivor, [&] { return survivor->Assignment().size() == 4; }, 10s));
  const int64_t left_ms = MsSince(closed_at);

  Banner(
      "session.timeout.ms=1500, heartbeat.interval.ms=200: survivor owned %s; member killed "
      "(SIGKILL) -> survivor owns all 4 after %lld ms; member closed (LeaveGroup) -> after "
      "%lld ms",
      before.c_str(), static_cast<long long>(evicted_ms), static_cast<long long>(left_ms));
  // The coordinator counts from the last heartbeat (at most 200 ms before
  // the kill); the survivor learns at its next heartbeat and rejoins.
  EXPECT_GE(evicted_ms, 1500 - 200 - 50);
  EXPECT_LE(evicted_ms, 1500 + 1500);
  EXPECT_LT(left_ms, evicted_ms) << "leaving should hand over faster than dying";
}

}  // namespace
}  // namespace gregor::lab06
