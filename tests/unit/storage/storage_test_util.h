// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the storage tests and lab 01: a temporary directory
// removed afterwards, batch builders, decoding a read back into records,
// and reading a whole log by successive reads.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "record/memory_records_builder.h"
#include "record/record_batch_reader.h"
#include "storage/env.h"

namespace gregor::testing {

/// A fresh directory under $TMPDIR (or /tmp), removed with its contents.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/gregor-storage-XXXXXX";
    char* made = ::mkdtemp(tmpl.data());
    EXPECT_NE(made, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// One batch of `count` records "k<i>" -> `value` (or "v<i>"), all at `timestamp`.
inline Bytes MakeBatch(int count, int64_t timestamp, const std::string& value = "",
                       CompressionType compression = CompressionType::kNone) {
  MemoryRecordsBuilder builder(BatchOptions{.compression = compression});
  for (int i = 0; i < count; ++i) {
    builder.Append(Record{
        timestamp, "k" + std::to_string(i), value.empty() ? "v" + std::to_string(i) : value, {}});
  }
  return builder.Build();
}

/// A decoded record with the offset the log gave it.
struct ReadRecord {
  int64_t offset;
  Record record;
};

/// Decodes every complete batch in `bytes` (a read may end inside one).
inline std::vector<ReadRecord> DecodeAll(ByteSpan bytes) {
  std::vector<ReadRecord> out;
  size_t at = 0;
  while (at < bytes.size()) {
    auto size = PeekBatchSize(bytes.subspan(at));
    if (!size || at + *size > bytes.size()) break;
    auto batch = DecodeBatch(bytes.subspan(at, *size));
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    if (!batch.ok()) break;
    for (const auto& r : batch->records) out.push_back({r.offset, r.ToRecord()});
    at += *size;
  }
  return out;
}

/// Every record of `log` (a Log) from its LogStartOffset to its
/// LogEndOffset, by successive `read_at(offset)` calls, each returning a
/// vector of records with an `offset` member. A read returns whole
/// batches, so it may begin before `offset`: records already seen are
/// skipped. Stops early if a read returns nothing.
template <class LogT, class ReadAtFn>
auto ReadAllRecords(const LogT& log, ReadAtFn read_at) {
  decltype(read_at(int64_t{0})) all;
  int64_t next = log.LogStartOffset().value();
  while (next < log.LogEndOffset().value()) {
    auto part = read_at(next);
    if (part.empty()) break;
    for (auto& r : part) {
      if (r.offset >= next) all.push_back(r);
    }
    next = all.empty() ? next + 1 : all.back().offset + 1;
  }
  return all;
}

/// Reads a whole file (to flip bytes in it and write it back).
inline std::string Slurp(const std::string& path) {
  auto r = ReadFileToString(*Env::Default(), path);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : "";
}
inline void Spit(const std::string& path, const std::string& data) {
  Status s = WriteStringToFileSync(*Env::Default(), path, data);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

}  // namespace gregor::testing
