// SPDX-License-Identifier: Apache-2.0
// gregor_producer_client: Gregor's KafkaProducer driven by
// gregor_producer_test.py.
//
//   gregor_producer_client produce <bootstrap> <topic> <codec> <records-file> <out-file>
//     Sends every record of <records-file> with acks=all and compression
//     <codec>, flushes, and writes one line per record to <out-file>:
//     "<partition> <offset> <timestamp>" or "ERROR <status>".
//   gregor_producer_client perf <bootstrap> <topic> <count> <size> <acks>
//     Sends <count> records of <size> bytes (no key) and prints records/s.
//
// <records-file> is a sequence of records, each:
//   keyLen int32 (-1 null), key, valueLen int32 (-1 null), value,
//   headerCount int32, [keyLen int32, key, valueLen int32 (-1 null), value],
//   timestamp int64 — all big-endian.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "gregor/producer.h"

namespace {

using gregor::SerializedRecord;

bool ReadRecords(const std::string& path, std::vector<SerializedRecord>* out) {
  std::ifstream in(path, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t pos = 0;
  auto need = [&](size_t n) { return pos + n <= data.size(); };
  auto i32 = [&]() {
    int32_t v = int32_t(gregor::LoadBE32(reinterpret_cast<const uint8_t*>(data.data() + pos)));
    pos += 4;
    return v;
  };
  auto bytes = [&](std::optional<std::string>* b) {
    if (!need(4)) return false;
    int32_t n = i32();
    if (n < 0) {
      b->reset();
      return true;
    }
    if (!need(size_t(n))) return false;
    *b = data.substr(pos, size_t(n));
    pos += size_t(n);
    return true;
  };
  while (pos < data.size()) {
    SerializedRecord r;
    if (!bytes(&r.key) || !bytes(&r.value) || !need(4)) return false;
    int32_t headers = i32();
    for (int32_t h = 0; h < headers; ++h) {
      std::optional<std::string> k, v;
      if (!bytes(&k) || !bytes(&v) || !k) return false;
      r.headers.push_back(gregor::Header{*k, v});
    }
    if (!need(8)) return false;
    r.timestamp = int64_t(gregor::LoadBE64(reinterpret_cast<const uint8_t*>(data.data() + pos)));
    pos += 8;
    out->push_back(std::move(r));
  }
  return true;
}

int Produce(const std::string& bootstrap, const std::string& topic, const std::string& codec,
            const std::string& in_path, const std::string& out_path) {
  std::vector<SerializedRecord> records;
  if (!ReadRecords(in_path, &records)) {
    std::cerr << "bad records file\n";
    return 2;
  }
  auto config = gregor::ProducerConfig::FromProperties({{"bootstrap.servers", bootstrap},
                                                        {"acks", "all"},
                                                        {"compression.type", codec},
                                                        {"linger.ms", "5"},
                                                        {"max.block.ms", "30000"},
                                                        {"client.id", "gregor-compat-producer"}});
  if (!config.ok()) {
    std::cerr << config.status().ToString() << "\n";
    return 2;
  }
  auto producer = gregor::Producer::Create(*config);
  if (!producer.ok()) {
    std::cerr << producer.status().ToString() << "\n";
    return 2;
  }
  std::vector<gregor::RecordFuture> futures;
  int callbacks = 0;
  for (auto& r : records) {
    r.topic = topic;
    futures.push_back((*producer)->Send(
        r, [&callbacks](const gregor::RecordMetadata&, const gregor::Status&) { ++callbacks; }));
  }
  (*producer)->Flush();
  std::ofstream out(out_path);
  int errors = 0;
  for (auto& f : futures) {
    auto m = f.GetFor(std::chrono::seconds(60));
    if (m.ok()) {
      out << m->partition << " " << m->offset << " " << m->timestamp << "\n";
    } else {
      out << "ERROR " << m.status().ToString() << "\n";
      ++errors;
    }
  }
  auto metrics = (*producer)->Metrics();
  (*producer)->Close();
  std::cout << "sent " << records.size() << " records, " << errors << " errors, callbacks "
            << callbacks << ", "
            << metrics["records-per-request-avg"] << " records/request, batch-size-avg "
            << metrics["batch-size-avg"] << "\n";
  return callbacks == int(records.size()) && errors == 0 ? 0 : 1;
}

int Perf(const std::string& bootstrap, const std::string& topic, int64_t count, int32_t size,
         const std::string& acks) {
  auto config = gregor::ProducerConfig::FromProperties(
      {{"bootstrap.servers", bootstrap}, {"acks", acks}, {"linger.ms", "5"}});
  auto producer = gregor::Producer::Create(*config);
  if (!producer.ok()) return 2;
  std::string value(size_t(size), 'x');
  SerializedRecord r;
  r.topic = topic;
  int64_t errors = 0;
  auto count_errors = [&errors](const gregor::RecordMetadata&, const gregor::Status& s) {
    if (!s.ok()) ++errors;
  };
  (*producer)->Send(r, count_errors).Get();  // metadata and connection first
  auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < count; ++i) {
    r.value = value;
    (*producer)->Send(r, count_errors);
  }
  (*producer)->Flush();
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto m = (*producer)->Metrics();
  std::printf("%lld records sent, %.0f records/sec (%.2f MB/sec), %lld errors, "
              "%.1f records/request, request-latency-avg %.2f ms\n",
              (long long)count, count / s, count * double(size) / s / 1e6, (long long)errors,
              m["records-per-request-avg"], m["request-latency-avg"]);
  (*producer)->Close();
  return errors == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> a(argv + 1, argv + argc);
  if (a.size() == 6 && a[0] == "produce") return Produce(a[1], a[2], a[3], a[4], a[5]);
  if (a.size() == 6 && a[0] == "perf") {
    return Perf(a[1], a[2], std::stoll(a[3]), std::stoi(a[4]), a[5]);
  }
  std::cerr << "usage: see the file comment\n";
  return 2;
}
