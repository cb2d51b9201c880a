// SPDX-License-Identifier: Apache-2.0
// Lab 06 fixture: consumer groups of chapter 06 under experiment.
//
// GroupLab runs a whole KafkaServer on 127.0.0.1 port 0 with the real
// clock (Lab06Broker; group.initial.rebalance.delay.ms=0 and
// group.min.session.timeout.ms=1000, so members may ask for a 1.5 s
// session) and consumers from the public API (include/gregor/consumer.h)
// pointed at it. Every wait has a deadline and every consumer is closed
// with a bounded timeout, so a stub fails a case instead of hanging it.
//
// A "crash" comes in two strengths. In-process, a consumer with
// enable.auto.commit=false is Close()d: it commits nothing and leaves the
// group at once, which is what a crash does to the offsets (only the
// LeaveGroup is kinder than a crash: the group does not wait for a
// session timeout). Where the crash itself matters — a member that stops
// heartbeating, or auto commit, which Close() would run — the consumer
// lives in a child process (ChildConsumer: this very binary re-run on the
// hidden case Lab06Child.DISABLED_Run) and is killed with SIGKILL.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "../lab_banner.h"
#include "gregor/consumer.h"
#include "lab06_broker.h"

namespace gregor::lab06 {

using labs::Banner;
using StringConsumer = KafkaConsumer<std::string, std::string>;
using Steady = std::chrono::steady_clock;
using Props = std::map<std::string, std::string>;

/// Milliseconds from `t` to now.
inline int64_t MsSince(Steady::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - t).count();
}

/// "t-0", "t-1": a set of partitions, short.
std::string PartitionList(const std::set<TopicPartition>& tps);

/// (partition, offset) of every record a consumer processed, in order.
using Processed = std::vector<std::pair<int32_t, int64_t>>;
/// Records processed more than once: the sum over (partition, offset) of
/// (times processed - 1).
int CountDuplicates(const Processed& a, const Processed& b);

/// A broker each case starts (StartBroker) and consumers at it
/// (MakeConsumer), closed in TearDown before the broker stops.
class GroupLab : public ::testing::Test {
 protected:
  void TearDown() override;

  /// Starts the broker (see the file comment).
  void StartBroker();
  /// Creates `topic` with `partitions` partitions.
  void CreateTopic(const std::string& topic, int32_t partitions);
  /// `count` records into `topic`-`partition` (see Lab06Broker::Produce).
  void Produce(const std::string& topic, int32_t partition, int count);
  /// The lab's consumer settings for `group` (earliest reset, short
  /// heartbeat/session/request timeouts, max.poll.records 10, no auto
  /// commit) with `props` on top.
  Props ConsumerProps(const std::string& group, const Props& props = {}) const;
  /// A consumer with ConsumerProps(group, props). Owned by the fixture;
  /// nullptr (and a failure) if refused.
  StringConsumer* MakeConsumer(const std::string& group, const Props& props = {});
  /// Closes `c` (at most `timeout`), as the fixture will not close it again.
  void CloseConsumer(StringConsumer* c,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));
  /// Polls `c` (50 ms at a time) until `done()` or `timeout`; every record
  /// returned goes to `processed` (if given). False on timeout or error.
  static bool PollUntil(StringConsumer* c, const std::function<bool()>& done,
                        std::chrono::milliseconds timeout, Processed* processed = nullptr);
  /// Polls `c` until a poll returns records (at most `timeout`) and returns
  /// them. nullopt on timeout or error.
  static std::optional<Processed> PollBatch(StringConsumer* c, std::chrono::milliseconds timeout);

  std::unique_ptr<Lab06Broker> broker_;
  std::vector<std::unique_ptr<StringConsumer>> consumers_;
};

/// A consumer in a child process; see the file comment. The child prints
/// lines "LAB06 <words>" on its stdout, read with ReadLine.
class ChildConsumer {
 public:
  /// Starts the child in `mode` ("member" or "autocommit", see
  /// lab06_fixture.cpp) for `topic` in `group`, with consumer `props`.
  /// nullptr (and a failure) if it cannot be started.
  static std::unique_ptr<ChildConsumer> Spawn(const std::string& mode, const std::string& topic,
                                              const Props& props);
  ~ChildConsumer();
  /// The next "LAB06 ..." line without its prefix, waiting at most
  /// `timeout`; nullopt on timeout or when the child exited.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout);
  /// SIGKILL, then reap. Idempotent.
  void Kill();

 private:
  ChildConsumer(pid_t pid, int fd) : pid_(pid), fd_(fd) {}
  pid_t pid_;
  int fd_;
  std::string buffer_;
};

}  // namespace gregor::lab06
