// SPDX-License-Identifier: Apache-2.0
// fault_producer: the fault harness's workload driver on Gregor's
// KafkaProducer. It sends keyed, uniquely numbered records at a steady
// rate until SIGTERM/SIGINT (or --max-records), then flushes, and writes
// one line per record outcome for tests/fault/fault_checker.py:
//
//   send <id>                     Send() was called for record <id>
//   ok <id> <partition> <offset>  acknowledged (acks=1 or all)
//   fail <id> <ERROR_NAME>        definitely not written: refused inside
//                                 Send() before it reached a batch
//   info <id> <ERROR_NAME>        indeterminate: failed after it may have
//                                 reached the broker (timeouts, retriable
//                                 errors, a dropped connection ...)
//   done sent=<n> ok=<n> fail=<n> info=<n>
//
// Record <id> has key "key-<id mod 31>" and value "<tag>:<id>:" padded
// with '.' to --value-bytes, so the checker can tell records of every
// producer of one topic apart and spot a value nobody sent.
//
//   fault_producer <bootstrap> <topic> <acks> <tag> <out-file>
//       [--rate N] [--max-records N] [--value-bytes N]
//       [--request-timeout-ms N] [--delivery-timeout-ms N]
//
// Without idempotence (chapter 07) a record whose request timed out and
// was retried may be written twice: the checker reports that as a
// duplicate, not a failure. Every error after the record entered a batch
// is "info", because without idempotence even a non-retriable answer to
// a retry cannot prove an earlier attempt was not appended.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gregor/producer.h"

namespace {

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop.store(true); }

// One line per outcome; callbacks run on the Sender thread, Send() on
// main, so every write holds mu. Flushed by the main loop every ~100 ms
// so a harness reading the file sees progress.
class OutcomeLog {
 public:
  explicit OutcomeLog(std::FILE* f) : f_(f) {}
  void Line(const std::string& s) {
    std::lock_guard<std::mutex> lock(mu_);
    std::fputs(s.c_str(), f_);
    std::fputc('\n', f_);
  }
  void Flush() {
    std::lock_guard<std::mutex> lock(mu_);
    std::fflush(f_);
  }

 private:
  std::mutex mu_;
  std::FILE* f_;  // Guarded by mu_.
};

struct Args {
  std::string bootstrap, topic, acks, tag, out;
  int64_t rate = 500;
  int64_t max_records = -1;
  int64_t value_bytes = 64;
  int64_t request_timeout_ms = 3000;
  int64_t delivery_timeout_ms = 30000;
};

bool ParseArgs(int argc, char** argv, Args* a) {
  std::vector<std::string> v(argv + 1, argv + argc);
  if (v.size() < 5) return false;
  a->bootstrap = v[0];
  a->topic = v[1];
  a->acks = v[2];
  a->tag = v[3];
  a->out = v[4];
  for (size_t i = 5; i + 1 < v.size(); i += 2) {
    int64_t n = std::stoll(v[i + 1]);
    if (v[i] == "--rate") {
      a->rate = n;
    } else if (v[i] == "--max-records") {
      a->max_records = n;
    } else if (v[i] == "--value-bytes") {
      a->value_bytes = n;
    } else if (v[i] == "--request-timeout-ms") {
      a->request_timeout_ms = n;
    } else if (v[i] == "--delivery-timeout-ms") {
      a->delivery_timeout_ms = n;
    } else {
      return false;
    }
  }
  return (v.size() - 5) % 2 == 0 && a->rate > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (!ParseArgs(argc, argv, &a)) {
    std::fprintf(stderr, "usage: see the file comment of tests/fault/fault_producer.cpp\n");
    return 2;
  }
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  std::FILE* f = std::fopen(a.out.c_str(), "w");
  if (!f) {
    std::perror(a.out.c_str());
    return 2;
  }
  auto config = gregor::ProducerConfig::FromProperties(
      {{"bootstrap.servers", a.bootstrap},
       {"acks", a.acks},
       {"linger.ms", "5"},
       {"request.timeout.ms", std::to_string(a.request_timeout_ms)},
       {"delivery.timeout.ms", std::to_string(a.delivery_timeout_ms)},
       {"max.block.ms", "10000"},
       {"retry.backoff.ms", "50"},
       {"retry.backoff.max.ms", "500"},
       {"client.id", "gregor-fault-" + a.tag}});
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.status().ToString().c_str());
    return 2;
  }
  auto producer = gregor::Producer::Create(*config);
  if (!producer.ok()) {
    std::fprintf(stderr, "%s\n", producer.status().ToString().c_str());
    return 2;
  }
  OutcomeLog log(f);
  std::atomic<int64_t> ok{0}, failed{0}, info{0};
  // Set while main is inside Send(): a callback that runs then is Send()
  // refusing the record itself (it never joined a batch): a definite fail.
  thread_local bool in_send = false;
  int64_t sent = 0;
  auto start = std::chrono::steady_clock::now();
  auto last_flush = start;
  while (!g_stop.load() && (a.max_records < 0 || sent < a.max_records)) {
    // Pace to --rate: send what is due, then sleep a little.
    auto now = std::chrono::steady_clock::now();
    double elapsed = std::chrono::duration<double>(now - start).count();
    int64_t due = int64_t(elapsed * double(a.rate)) + 1;
    if (a.max_records >= 0 && due > a.max_records) due = a.max_records;
    for (; sent < due && !g_stop.load(); ++sent) {
      int64_t id = sent;
      gregor::SerializedRecord r;
      r.topic = a.topic;
      r.key = "key-" + std::to_string(id % 31);
      std::string value = a.tag + ":" + std::to_string(id) + ":";
      if (int64_t(value.size()) < a.value_bytes) value.resize(size_t(a.value_bytes), '.');
      r.value = std::move(value);
      log.Line("send " + std::to_string(id));
      in_send = true;
      (*producer)->Send(
          std::move(r), [&, id](const gregor::RecordMetadata& m, const gregor::Status& s) {
            if (s.ok()) {
              ++ok;
              log.Line("ok " + std::to_string(id) + " " + std::to_string(m.partition) + " " +
                       std::to_string(m.offset));
            } else if (in_send) {
              ++failed;
              log.Line("fail " + std::to_string(id) + " " + gregor::ErrorName(s.code()));
            } else {
              ++info;
              log.Line("info " + std::to_string(id) + " " + gregor::ErrorName(s.code()));
            }
          });
      in_send = false;
    }
    if (now - last_flush > std::chrono::milliseconds(100)) {
      log.Flush();
      last_flush = now;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  // Flush() is bounded by delivery.timeout.ms: every record then has an
  // outcome. Close() after it has nothing left to wait for.
  log.Flush();
  (*producer)->Flush();
  (*producer)->Close(std::chrono::milliseconds(5000));
  log.Line("done sent=" + std::to_string(sent) + " ok=" + std::to_string(ok.load()) +
           " fail=" + std::to_string(failed.load()) + " info=" + std::to_string(info.load()));
  log.Flush();
  std::fclose(f);
  std::printf("fault_producer %s: sent %lld ok %lld fail %lld info %lld\n", a.tag.c_str(),
              (long long)sent, (long long)ok.load(), (long long)failed.load(),
              (long long)info.load());
  return 0;
}
