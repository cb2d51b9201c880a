// SPDX-License-Identifier: Apache-2.0
// Claim of chapter 03: buffer.memory bounds what the producer holds, and a
// Send() that finds it exhausted blocks — at most max.block.ms — and then
// fails with REQUEST_TIMED_OUT (Kafka's TimeoutException). A batch's
// buffer is batch.size bytes however few records it holds, and goes back
// to the BufferPool only when the broker has answered.
#include <thread>

#include "lab03_fixture.h"

namespace gregor::lab03 {
namespace {

using namespace std::chrono_literals;

class BufferMemoryLab03 : public ProducerLab {};

// Claim: with buffer.memory = 4 x batch.size and a broker that sits on the
// first Produce for 2 s (the fault hook's delay; the three after it wait
// behind it on the muted connection), four 10 KB records take the four
// 16 KiB buffers, and the fifth Send() blocks max.block.ms (300 ms) and
// fails. Once the broker answers, the buffers come back and a Send() is
// immediate again.
TEST_F(BufferMemoryLab03, ExhaustedMemoryBlocksMaxBlockMsThenTimesOut) {
  constexpr int64_t kMaxBlockMs = 300, kBrokerDelayMs = 2000;
  StartBroker({{"gregor.test.fault.partition", "mem-0"},
               {"gregor.test.fault.api", "produce"},
               {"gregor.test.fault.delay.ms", std::to_string(kBrokerDelayMs)},
               {"gregor.test.fault.count", "1"}});
  CreateTopic("mem", 1);
  StringProducer* p = MakeProducer({{"buffer.memory", "65536"},
                                    {"batch.size", "16384"},
                                    {"linger.ms", "0"},
                                    {"max.block.ms", std::to_string(kMaxBlockMs)},
                                    {"request.timeout.ms", "8000"},
                                    {"delivery.timeout.ms", "10000"}});
  ASSERT_TRUE(p);
  // Metadata first (it too is bounded by max.block.ms: allow a few tries).
  bool known = false;
  for (int i = 0; i < 10 && !known; ++i) known = p->PartitionsFor("mem").ok();
  ASSERT_TRUE(known) << "no metadata for topic mem";

  // A 10 KB record: two never share a 16 KiB batch, so each takes a buffer.
  auto record = [](char tag) {
    ProducerRecord<std::string, std::string> r("mem", std::nullopt, std::string(10000, tag));
    r.partition = 0;
    return r;
  };
  auto first_send = Steady::now();
  std::vector<RecordFuture> held;
  int64_t slowest_us = 0;
  for (char tag : {'a', 'b', 'c', 'd'}) {
    auto t = Steady::now();
    held.push_back(p->Send(record(tag)));
    slowest_us = std::max<int64_t>(
        slowest_us,
        std::chrono::duration_cast<std::chrono::microseconds>(Steady::now() - t).count());
  }
  double available = p->Metrics()["buffer-available-bytes"];

  auto t5 = Steady::now();
  // Shared: a broken pool may queue the record, and the callback then
  // runs on the Sender thread, perhaps after this case has returned.
  auto seen = std::make_shared<Status>();
  RecordFuture fifth =
      p->Send(record('e'), [seen](const RecordMetadata&, const Status& s) { *seen = s; });
  int64_t blocked_us =
      std::chrono::duration_cast<std::chrono::microseconds>(Steady::now() - t5).count();
  ASSERT_TRUE(fifth.Ready()) << "a Send() refused for memory completes before returning";
  Status fifth_status = *seen;
  EXPECT_EQ(fifth_status.code(), ErrorCode::kRequestTimedOut) << fifth_status.ToString();
  EXPECT_EQ(fifth.Get().status().code(), ErrorCode::kRequestTimedOut);
  EXPECT_GE(blocked_us, (kMaxBlockMs - 1) * 1000) << "gave up before max.block.ms";
  EXPECT_LT(blocked_us, (2 * kMaxBlockMs + 300) * 1000) << "blocked far past max.block.ms";
  EXPECT_LT(slowest_us, kMaxBlockMs * 1000) << "one of the first four Send()s blocked";

  // The four held batches were sent and are acknowledged once the broker
  // answers; their buffers return to the pool.
  int64_t acked_after = -1;
  for (size_t i = 0; i < held.size(); ++i) {
    auto m = held[i].GetFor(5s);
    ASSERT_TRUE(m.ok()) << "record " << i << ": " << m.status().ToString();
    EXPECT_EQ(m->offset, int64_t(i));
    acked_after = MsSince(first_send);
  }
  EXPECT_GE(acked_after, kBrokerDelayMs - 50) << "acknowledged before the broker's delay";
  auto t6 = Steady::now();
  RecordFuture sixth = p->Send(record('f'));
  int64_t sixth_ms = MsSince(t6);
  auto m6 = sixth.GetFor(5s);
  ASSERT_TRUE(m6.ok()) << m6.status().ToString();
  EXPECT_EQ(m6->offset, 4);
  EXPECT_LT(sixth_ms, kMaxBlockMs) << "memory was not given back";
  auto m = p->Metrics();
  EXPECT_GE(m["bufferpool-wait-time-ns-total"], double(kMaxBlockMs - 1) * 1e6);
  Banner(
      "buffer.memory 64 KiB, batch.size 16 KiB, broker holding Produce %lld ms: "
      "4 Send()s took <= %lld us, left %.0f B free; the 5th blocked %.1f ms "
      "(max.block.ms %lld) -> %s",
      (long long)kBrokerDelayMs, (long long)slowest_us, available, double(blocked_us) / 1000,
      (long long)kMaxBlockMs, ErrorName(fifth_status.code()));
  Banner(
      "the 4 held records acknowledged at +%lld ms (offsets 0-3); then a 6th Send() took "
      "%lld ms (offset %lld); bufferpool-wait-time-ns-total %.0f ms",
      (long long)acked_after, (long long)sixth_ms, (long long)m6->offset,
      m["bufferpool-wait-time-ns-total"] / 1e6);
}

}  // namespace
}  // namespace gregor::lab03
