// SPDX-License-Identifier: Apache-2.0
// Claim of chapter 03: linger.ms trades latency for throughput. The same
// 2,000 records of 100 B, sent at a steady 2 per millisecond, go out in
// requests of one or two records with linger.ms=0 (the Sender drains a
// batch as soon as it exists), and in requests of about a hundred with
// linger.ms=50 (each batch waits 50 ms for company) — at the price of
// about 25 ms more between Send() and the callback.
#include <atomic>
#include <thread>

#include "lab03_fixture.h"

namespace gregor::lab03 {
namespace {

using namespace std::chrono_literals;

class LingerLab03 : public ProducerLab {};

/// What one paced run measured.
struct RunStats {
  int acked = 0;
  int failed = 0;
  double records_per_request = 0;
  double batch_bytes = 0;
  double requests = 0;
  double latency_ms = 0;  // mean Send() -> callback
};

// Shared with the callbacks (Sender thread), which may outlive a failed
// case's locals until TearDown closes the producer.
struct Timings {
  explicit Timings(int n) : sent_ns(size_t(n)), done_ns(size_t(n)) {}
  std::vector<int64_t> sent_ns, done_ns;
  std::atomic<int> done{0}, failed{0};
};

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Steady::now().time_since_epoch())
      .count();
}

RunStats PacedRun(StringProducer& p, const std::string& topic, int records, int value_bytes,
                  std::chrono::microseconds interval) {
  auto t = std::make_shared<Timings>(records);
  std::string value(size_t(value_bytes), 'v');
  auto start = Steady::now();
  for (int i = 0; i < records; ++i) {
    std::this_thread::sleep_until(start + i * interval);
    ProducerRecord<std::string, std::string> r(topic, std::nullopt, value);
    r.partition = 0;
    t->sent_ns[size_t(i)] = NowNs();
    p.Send(r, [t, i](const RecordMetadata&, const Status& s) {
      t->done_ns[size_t(i)] = NowNs();
      if (!s.ok()) ++t->failed;
      t->done.fetch_add(1, std::memory_order_release);
    });
  }
  // Up to 10 s, but give up after 3 s without a single acknowledgement.
  auto deadline = Steady::now() + 10s;
  int seen = -1;
  auto progress = Steady::now();
  while (t->done.load(std::memory_order_acquire) < records && Steady::now() < deadline &&
         Steady::now() - progress < 3s) {
    std::this_thread::sleep_for(5ms);
    if (int now_done = t->done.load(); now_done != seen) {
      seen = now_done;
      progress = Steady::now();
    }
  }
  RunStats s;
  s.failed = t->failed.load();
  s.acked = t->done.load(std::memory_order_acquire) - s.failed;
  if (s.acked + s.failed < records) return s;  // the callbacks never came
  double total_ms = 0;
  for (int i = 0; i < records; ++i) {
    total_ms += double(t->done_ns[size_t(i)] - t->sent_ns[size_t(i)]) / 1e6;
  }
  s.latency_ms = total_ms / records;
  auto m = p.Metrics();
  s.records_per_request = m["records-per-request-avg"];
  s.batch_bytes = m["batch-size-avg"];
  s.requests = m["request-total"];
  return s;
}

// Claim: with records arriving at a steady pace, linger.ms=50 packs many
// more records into each request than linger.ms=0, and each record waits
// longer for its acknowledgement.
TEST_F(LingerLab03, LongerLingerMakesBiggerBatchesAndSlowerAcks) {
  StartBroker();
  CreateTopic("linger", 1);
  constexpr int kRecords = 2000, kValueBytes = 100;
  constexpr auto kInterval = 500us;  // 2 records per millisecond, 1 s per run
  RunStats runs[2];
  const int64_t lingers[2] = {0, 50};
  for (int k = 0; k < 2; ++k) {
    StringProducer* p =
        MakeProducer({{"linger.ms", std::to_string(lingers[k])}, {"batch.size", "16384"}});
    ASSERT_TRUE(p);
    ASSERT_TRUE(p->PartitionsFor("linger").ok());  // metadata and connection first
    runs[k] = PacedRun(*p, "linger", kRecords, kValueBytes, kInterval);
    ASSERT_EQ(runs[k].acked, kRecords) << "linger.ms=" << lingers[k] << ": " << runs[k].failed
                                       << " failed, the rest never acknowledged";
    CloseProducer(p);
  }
  const RunStats& none = runs[0];
  const RunStats& lingered = runs[1];
  Banner(
      "2000 x 100 B at 2/ms: linger.ms=0: %.0f requests, %.1f records/request, %.0f B/batch, "
      "%.1f ms send->ack",
      none.requests, none.records_per_request, none.batch_bytes, none.latency_ms);
  Banner(
      "                      linger.ms=50: %.0f requests, %.1f records/request, %.0f B/batch, "
      "%.1f ms send->ack",
      lingered.requests, lingered.records_per_request, lingered.batch_bytes, lingered.latency_ms);
  // Generous margins: expected ~1-2 vs ~100 records per request, and
  // ~1 vs ~25 ms, but a loaded machine batches linger.ms=0 too.
  EXPECT_GE(lingered.records_per_request, 2 * none.records_per_request)
      << "linger.ms=50 should make far bigger requests";
  EXPECT_GE(lingered.records_per_request, 10.0);
  EXPECT_GE(lingered.latency_ms, none.latency_ms + 10.0)
      << "records waiting for company should be acknowledged later";
}

// Claim: batch.size caps a batch, and a request carries at most one batch
// per partition: the same burst of 2,000 records (linger.ms=50, so full
// batches leave at once) needs many more requests with 1 KiB batches than
// with 16 KiB ones.
TEST_F(LingerLab03, BatchSizeCapsRecordsPerRequest) {
  StartBroker();
  CreateTopic("burst", 1);
  constexpr int kRecords = 2000, kValueBytes = 100;
  RunStats runs[2];
  const int32_t sizes[2] = {1024, 16384};
  for (int k = 0; k < 2; ++k) {
    StringProducer* p =
        MakeProducer({{"linger.ms", "50"}, {"batch.size", std::to_string(sizes[k])}});
    ASSERT_TRUE(p);
    ASSERT_TRUE(p->PartitionsFor("burst").ok());
    runs[k] = PacedRun(*p, "burst", kRecords, kValueBytes, 0us);
    ASSERT_EQ(runs[k].acked, kRecords) << "batch.size=" << sizes[k] << ": " << runs[k].failed
                                       << " failed, the rest never acknowledged";
    CloseProducer(p);
  }
  for (int k = 0; k < 2; ++k) {
    Banner(
        "burst of 2000 x 100 B, linger.ms=50, batch.size=%5d: %4.0f requests, "
        "%5.1f records/request, %5.0f B/batch",
        sizes[k], runs[k].requests, runs[k].records_per_request, runs[k].batch_bytes);
  }
  // A 1 KiB batch holds 8 records of 100 B; a 16 KiB one about 140.
  EXPECT_LE(runs[0].records_per_request, 10.0);
  EXPECT_GE(runs[1].records_per_request, 4 * runs[0].records_per_request);
  EXPECT_GT(runs[0].requests, 4 * runs[1].requests);
}

}  // namespace
}  // namespace gregor::lab03
