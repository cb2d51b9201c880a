// SPDX-License-Identifier: Apache-2.0
// Cross-check with kafka-python (a real client's record batch v2 code), both
// ways, every codec, >= 10,000 records per codec:
//   KafkaPythonToGregor  kafka-python builds, Gregor decodes and compares;
//   GregorToKafkaPython  Gregor builds, kafka-python decodes and compares.
// tests/compat/record_kafka_python.py does the Python half; it fails (exit
// 2) rather than skips when kafka-python lacks a codec.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "record/compression.h"
#include "record/memory_records_builder.h"
#include "record/record_batch_reader.h"

namespace gregor {
namespace {

namespace fs = std::filesystem;

constexpr int kMinRecordsPerCodec = 10000;
constexpr int kTimeoutSeconds = 300;

// ----------------------------------------------------------- the file format
// One "B" line per batch, one "R" line per record; bytes as "x<hex>", null
// as "~" (see the script's docstring).
struct ExpectedBatch {
  std::string codec;
  int64_t base_offset = 0;
  int32_t count = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int timestamp_type = 0;
  std::vector<std::pair<int64_t, Record>> records;  // offset, record
};

std::string Encode(const std::optional<std::string>& b) {
  if (!b) return "~";
  static const char* hex = "0123456789abcdef";
  std::string out = "x";
  for (unsigned char c : *b) {
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

std::optional<std::string> Decode(const std::string& s) {
  if (s == "~") return std::nullopt;
  std::string out;
  for (size_t i = 1; i + 1 < s.size(); i += 2) out += char(std::stoi(s.substr(i, 2), nullptr, 16));
  return out;
}

std::vector<ExpectedBatch> ReadExpected(const fs::path& path) {
  std::vector<ExpectedBatch> batches;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string tag;
    f >> tag;
    if (tag == "B") {
      ExpectedBatch b;
      f >> b.codec >> b.base_offset >> b.count >> b.producer_id >> b.producer_epoch >>
          b.base_sequence >> b.timestamp_type;
      batches.push_back(std::move(b));
    } else if (tag == "R") {
      int64_t offset;
      Record r;
      std::string key, value;
      int headers;
      f >> offset >> r.timestamp >> key >> value >> headers;
      r.key = Decode(key);
      r.value = Decode(value);
      for (int h = 0; h < headers; ++h) {
        std::string hk, hv;
        f >> hk >> hv;
        r.headers.push_back({*Decode(hk), Decode(hv)});
      }
      batches.back().records.emplace_back(offset, std::move(r));
    }
  }
  return batches;
}

void WriteExpected(const fs::path& path, const std::vector<ExpectedBatch>& batches) {
  std::ofstream out(path);
  for (const ExpectedBatch& b : batches) {
    out << "B " << b.codec << ' ' << b.base_offset << ' ' << b.count << ' ' << b.producer_id << ' '
        << b.producer_epoch << ' ' << b.base_sequence << ' ' << b.timestamp_type << '\n';
    for (const auto& [offset, r] : b.records) {
      out << "R " << offset << ' ' << r.timestamp << ' ' << Encode(r.key) << ' ' << Encode(r.value)
          << ' ' << r.headers.size();
      for (const Header& h : r.headers) out << ' ' << Encode(h.key) << ' ' << Encode(h.value);
      out << '\n';
    }
  }
}

Bytes ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

// ------------------------------------------------------------- the script
struct RunResult {
  int exit_code = -1;
  std::string output;
};

RunResult RunScript(const std::string& mode, const fs::path& batches, const fs::path& expected) {
  std::string cmd = "timeout " + std::to_string(kTimeoutSeconds) + " " GREGOR_COMPAT_PYTHON " " +
                    GREGOR_RECORD_COMPAT_SCRIPT " " + mode + " '" + batches.string() + "' '" +
                    expected.string() + "' 2>&1";
  RunResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) r.output.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class RecordKafkaPythonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "gregor-record-compat-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

CompressionType CodecNamed(const std::string& name) {
  for (int c = 0; c <= 4; ++c) {
    if (name == CompressionName(CompressionType(c))) return CompressionType(c);
  }
  ADD_FAILURE() << "unknown codec " << name;
  return CompressionType::kNone;
}

TEST_F(RecordKafkaPythonTest, GregorDecodesBatchesBuiltByKafkaPython) {
  fs::path batches = dir_ / "kafka-python.bin", expected = dir_ / "kafka-python.txt";
  RunResult run = RunScript("write", batches, expected);
  ASSERT_EQ(run.exit_code, 0) << run.output;

  Bytes bytes = ReadFile(batches);
  std::vector<ExpectedBatch> want = ReadExpected(expected);
  Result<std::vector<DecodedBatch>> got = DecodeBatches(bytes);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), want.size());
  std::map<std::string, int> per_codec;
  for (size_t i = 0; i < want.size(); ++i) {
    const DecodedBatch& g = (*got)[i];
    const ExpectedBatch& w = want[i];
    SCOPED_TRACE("batch " + std::to_string(i) + " (" + w.codec + ")");
    EXPECT_EQ(g.header.compression(), CodecNamed(w.codec));
    EXPECT_EQ(g.header.base_offset, w.base_offset);
    EXPECT_EQ(g.header.records_count, w.count);
    EXPECT_EQ(g.header.producer_id, w.producer_id);
    EXPECT_EQ(g.header.producer_epoch, w.producer_epoch);
    EXPECT_EQ(g.header.base_sequence, w.base_sequence);
    ASSERT_EQ(g.records.size(), w.records.size());
    int64_t max_ts = std::numeric_limits<int64_t>::min();
    for (size_t j = 0; j < w.records.size(); ++j) {
      ASSERT_EQ(g.records[j].offset, w.records[j].first) << "record " << j;
      ASSERT_EQ(g.records[j].ToRecord(), w.records[j].second) << "record " << j;
      max_ts = std::max(max_ts, w.records[j].second.timestamp);
    }
    EXPECT_EQ(g.header.base_timestamp, w.records.front().second.timestamp);
    EXPECT_EQ(g.header.max_timestamp, max_ts);
    per_codec[w.codec] += int(g.records.size());
  }
  ASSERT_EQ(per_codec.size(), 5u);
  for (const auto& [codec, n] : per_codec) {
    EXPECT_GE(n, kMinRecordsPerCodec) << codec;
    RecordProperty("kafka_python_to_gregor_" + codec, std::to_string(n));
  }
}

// Records in the same spirit as the script's: null keys and values,
// headers with a UTF-8 key and null values, timestamps around the base.
Record MakeRecord(std::mt19937& rng, int64_t i, int64_t base_ts) {
  Record r;
  r.timestamp = base_ts + int64_t(rng() % 10001) - 5000;
  if (rng() % 10 != 0) r.key = "gkey-" + std::to_string(i);
  if (rng() % 20 != 0) {
    std::string unit = "gregor value " + std::to_string(i) + "; ";
    for (uint32_t k = rng() % 12; k > 0; --k) r.value = r.value.value_or("") + unit;
    if (!r.value) r.value = "";
    for (uint32_t k = rng() % 6; k > 0; --k) r.value->push_back(char(rng()));
  }
  static const char* keys[] = {"trace-id", "content-type", "\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87", ""};
  for (uint32_t h = rng() % 4; h > 0; --h) {
    std::optional<std::string> v;
    if (rng() % 5 != 0) v = "g" + std::to_string(rng() % 100000);
    r.headers.push_back({keys[rng() % 4], v});
  }
  return r;
}

TEST_F(RecordKafkaPythonTest, KafkaPythonDecodesBatchesBuiltByGregor) {
  std::mt19937 rng(7);
  Bytes all;
  std::vector<ExpectedBatch> expected;
  int64_t offset = 0;
  std::map<std::string, int> per_codec;
  for (int c = 0; c <= 4; ++c) {
    CompressionType codec = CompressionType(c);
    for (int b = 0; b < 10; ++b) {
      BatchOptions o;
      o.compression = codec;
      o.base_offset = offset;
      if (b % 2 == 1) {
        o.producer_id = 9000 + b;
        o.producer_epoch = 2;
        o.base_sequence = per_codec[CompressionName(codec)];
      }
      ExpectedBatch e;
      e.codec = CompressionName(codec);
      e.base_offset = offset;
      e.producer_id = o.producer_id;
      e.producer_epoch = o.producer_epoch;
      e.base_sequence = o.base_sequence;
      MemoryRecordsBuilder builder(o);
      int n = 1000 + 41 * b;
      // Batch 3 of each codec has gaps in its offsets, as after compaction.
      int32_t delta = -1;
      for (int i = 0; i < n; ++i) {
        Record r = MakeRecord(rng, offset + i, 1700000000000 + offset);
        delta += (b == 3 && i % 5 == 0) ? 3 : 1;
        builder.AppendWithOffsetDelta(delta, r);
        e.records.emplace_back(offset + delta, std::move(r));
      }
      e.count = n;
      Bytes batch = builder.Build();
      // Batch 4 is stamped LogAppendTime by "the broker": kafka-python must
      // then report the stamp as every record's timestamp.
      if (b == 4) {
        SetLogAppendTime(batch, 1800000000000 + b);
        e.timestamp_type = 1;
        for (auto& rec : e.records) rec.second.timestamp = 1800000000000 + b;
      }
      SetPartitionLeaderEpoch(batch, 5);
      all.insert(all.end(), batch.begin(), batch.end());
      offset += delta + 1;
      per_codec[e.codec] += n;
      expected.push_back(std::move(e));
    }
  }
  fs::path batches = dir_ / "gregor.bin", expected_path = dir_ / "gregor.txt";
  {
    std::ofstream out(batches, std::ios::binary);
    out.write(reinterpret_cast<const char*>(all.data()), std::streamsize(all.size()));
  }
  WriteExpected(expected_path, expected);
  for (const auto& [codec, n] : per_codec) {
    ASSERT_GE(n, kMinRecordsPerCodec) << codec;
    RecordProperty("gregor_to_kafka_python_" + codec, std::to_string(n));
  }

  RunResult run = RunScript("verify", batches, expected_path);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("kafka-python decoded 50 batches"), std::string::npos) << run.output;
  std::cout << run.output;
}

}  // namespace
}  // namespace gregor
