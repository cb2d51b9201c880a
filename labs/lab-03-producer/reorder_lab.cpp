// SPDX-License-Identifier: Apache-2.0
// Claim of chapter 03: without idempotence, retries can reorder records.
// With max.in.flight.requests.per.connection > 1, batches B and C go out
// while batch A is still in flight; when A fails with a retriable error
// (NOT_LEADER_OR_FOLLOWER, here from the broker's test-only fault hook),
// B and C are already in the log and A's retry lands after them. With
// max.in.flight = 1 the Sender mutes the partition while A is in flight,
// so B and C wait and the order holds (chapter 07's idempotence keeps it
// with 5 in flight).
#include <mutex>

#include "lab03_fixture.h"

namespace gregor::lab03 {
namespace {

using namespace std::chrono_literals;

class ReorderLab03 : public ProducerLab {
 protected:
  /// Record order as sent, as acknowledged and as stored.
  struct Outcome {
    std::string acked;    // tags in callback order
    std::string stored;   // tags in offset order
    std::string offsets;  // "A@2 B@0 C@1"
    double retries = 0;
  };

  // The fault hook answers the first Produce of order-0 with
  // NOT_LEADER_OR_FOLLOWER after holding it 500 ms: long enough for B and
  // C to be sent behind it, whatever the machine's load.
  void SetUp() override {
    StartBroker({{"gregor.test.fault.partition", "order-0"},
                 {"gregor.test.fault.api", "produce"},
                 {"gregor.test.fault.error", "NOT_LEADER_OR_FOLLOWER"},
                 {"gregor.test.fault.delay.ms", "500"},
                 {"gregor.test.fault.count", "1"}});
    CreateTopic("order", 1);
  }

  /// Sends A, B and C (600 B each, so each is its own batch of batch.size
  /// 1000 and its own request) to order-0, back to back, with
  /// `max_in_flight`, and reads the partition back.
  Outcome SendABC(int max_in_flight) {
    Outcome out;
    StringProducer* p =
        MakeProducer({{"linger.ms", "0"},
                      {"batch.size", "1000"},
                      {"retries", "5"},
                      {"retry.backoff.ms", "100"},
                      {"max.in.flight.requests.per.connection", std::to_string(max_in_flight)}});
    EXPECT_TRUE(p);
    if (!p) return out;
    EXPECT_TRUE(p->PartitionsFor("order").ok());
    struct Acks {
      std::mutex mu;
      std::string order;
    };
    auto acks = std::make_shared<Acks>();
    std::vector<RecordFuture> futures;
    for (char tag : {'A', 'B', 'C'}) {
      ProducerRecord<std::string, std::string> r("order", std::nullopt,
                                                 std::string(1, tag) + std::string(599, '.'));
      r.partition = 0;
      futures.push_back(p->Send(r, [acks, tag](const RecordMetadata&, const Status& s) {
        std::lock_guard lock(acks->mu);
        acks->order += s.ok() ? tag : char(tag + ('a' - 'A'));  // lower case: failed
      }));
    }
    for (size_t i = 0; i < futures.size(); ++i) {
      auto m = futures[i].GetFor(5s);
      EXPECT_TRUE(m.ok()) << char('A' + i) << ": " << m.status().ToString();
      if (!m.ok()) return out;
      if (!out.offsets.empty()) out.offsets += ' ';
      out.offsets += std::string(1, char('A' + i)) + "@" + std::to_string(m->offset);
    }
    out.retries = p->Metrics()["record-retry-total"];
    CloseProducer(p);
    {
      std::lock_guard lock(acks->mu);
      out.acked = acks->order;
    }
    for (const StoredRecord& r : ReadPartition("order", 0)) {
      out.stored += r.value && !r.value->empty() ? (*r.value)[0] : '?';
    }
    return out;
  }
};

// Claim: five in flight, A fails once and is retried: the log holds B, C, A.
TEST_F(ReorderLab03, RetryWithFiveInFlightReordersRecords) {
  Outcome o = SendABC(5);
  Banner(
      "max.in.flight=5, A's first Produce failed NOT_LEADER_OR_FOLLOWER: sent ABC, "
      "acknowledged %s, log holds %s (%s), %.0f record retried",
      o.acked.c_str(), o.stored.c_str(), o.offsets.c_str(), o.retries);
  EXPECT_EQ(o.retries, 1) << "the fault should have made A retry once";
  EXPECT_EQ(o.stored, "BCA") << "B and C should have overtaken A's retry";
  EXPECT_EQ(o.acked, "BCA");
}

// Claim: one in flight, the same failure: B and C wait for A; order kept.
TEST_F(ReorderLab03, RetryWithOneInFlightKeepsOrder) {
  Outcome o = SendABC(1);
  Banner(
      "max.in.flight=1, A's first Produce failed NOT_LEADER_OR_FOLLOWER: sent ABC, "
      "acknowledged %s, log holds %s (%s), %.0f record retried",
      o.acked.c_str(), o.stored.c_str(), o.offsets.c_str(), o.retries);
  EXPECT_EQ(o.retries, 1) << "the fault should have made A retry once";
  EXPECT_EQ(o.stored, "ABC");
  EXPECT_EQ(o.acked, "ABC");
}

}  // namespace
}  // namespace gregor::lab03
