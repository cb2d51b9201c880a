// SPDX-License-Identifier: Apache-2.0
#include "lab01_fixture.h"

#include <algorithm>

#include "common/bytes.h"
#include "record/memory_records_builder.h"
#include "record/record_batch_reader.h"

namespace gregor::lab01 {

void LogLab::Open(LogLoadParams params) {
  log_.reset();
  auto r = Log::Open(env_, dir(), config_, clock_, params);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  log_ = std::move(*r);
}

void LogLab::ReopenUnclean(int64_t recovery_point) {
  log_.reset();
  Open(LogLoadParams{Offset(recovery_point), Offset(0), false});
}

void LogLab::ReopenClean() {
  ASSERT_TRUE(log_->FlushAll().ok());
  LogLoadParams params{log_->RecoveryPoint(), log_->LogStartOffset(), true};
  log_.reset();
  Open(params);
}

::testing::AssertionResult LogLab::AppendBatch(int records, size_t value_size,
                                               const TimestampFn& ts) {
  int64_t next = log_->LogEndOffset().value();
  MemoryRecordsBuilder builder;
  std::vector<WrittenRecord> written;
  for (int i = 0; i < records; ++i) {
    WrittenRecord w{next + i, ts ? ts(i) : clock_.NowMs(), "k" + std::to_string(next + i),
                    "o" + std::to_string(next + i)};
    w.value.resize(std::max(value_size, w.value.size()), '.');
    builder.Append(Record{w.timestamp, w.key, w.value, {}});
    written.push_back(w);
  }
  Bytes batch = builder.Build();
  auto info = log_->Append(batch, Epoch(0));
  if (!info.ok()) return ::testing::AssertionFailure() << info.status().ToString();
  // Where it went: the log end now sits right after it.
  LogOffsetMetadata end = log_->LogEndOffsetMetadata();
  batches_.push_back({info->first_offset.value(), info->last_offset.value(), uint32_t(batch.size()),
                      end.segment_base_offset,
                      end.relative_position_in_segment - uint32_t(batch.size()),
                      info->max_timestamp});
  records_.insert(records_.end(), written.begin(), written.end());
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult LogLab::AppendBatches(int n, int records, size_t value_size,
                                                 int64_t step_ms) {
  for (int i = 0; i < n; ++i) {
    clock_.AdvanceMs(step_ms);
    if (auto r = AppendBatch(records, value_size); !r) return r;
  }
  return ::testing::AssertionSuccess();
}

void LogLab::ForgetFrom(int64_t log_end_offset) {
  std::erase_if(batches_, [&](const WrittenBatch& b) { return b.first_offset >= log_end_offset; });
  records_.resize(size_t(std::min<int64_t>(log_end_offset, int64_t(records_.size()))));
}

std::vector<ReadRecord> LogLab::Decode(ByteSpan bytes) {
  std::vector<ReadRecord> out;
  for (size_t at = 0; at < bytes.size();) {
    auto size = PeekBatchSize(bytes.subspan(at));
    if (!size || at + *size > bytes.size()) break;
    auto batch = DecodeBatch(bytes.subspan(at, *size));
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    if (!batch.ok()) break;
    for (const auto& r : batch->records) {
      out.push_back({r.offset, r.timestamp, std::string(r.key.value_or("")),
                     std::string(r.value.value_or(""))});
    }
    at += *size;
  }
  return out;
}

std::vector<ReadRecord> LogLab::ReadAt(int64_t offset, int32_t max_bytes) {
  auto info = log_->Read(Offset(offset), max_bytes);
  EXPECT_TRUE(info.ok()) << info.status().ToString();
  if (!info.ok()) return {};
  auto bytes = info->records.ReadAll();
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  return bytes.ok() ? Decode(*bytes) : std::vector<ReadRecord>{};
}

std::vector<ReadRecord> LogLab::ReadAll() {
  return testing::ReadAllRecords(*log_, [this](int64_t offset) { return ReadAt(offset); });
}

void LogLab::ExpectRecords(int64_t from, int64_t to) {
  auto all = ReadAll();
  ASSERT_EQ(all.size(), size_t(to - from));
  for (const ReadRecord& r : all) {
    const WrittenRecord& w = records_.at(size_t(r.offset));
    EXPECT_EQ(r.offset, w.offset);
    EXPECT_EQ(r.timestamp, w.timestamp) << "offset " << r.offset;
    EXPECT_EQ(r.key, w.key) << "offset " << r.offset;
    EXPECT_EQ(r.value, w.value) << "offset " << r.offset;
  }
  if (!all.empty()) {
    EXPECT_EQ(all.front().offset, from);
    EXPECT_EQ(all.back().offset, to - 1);
  }
}

std::vector<OffsetPosition> LogLab::OffsetIndexOnDisk(const SegmentInfo& segment) {
  std::string bytes = FileBytes(segment, ".index");
  std::vector<OffsetPosition> out;
  for (int n = 0; n < segment.offset_index_entries && size_t(n + 1) * 8 <= bytes.size(); ++n) {
    auto p = reinterpret_cast<const uint8_t*>(bytes.data()) + size_t(n) * 8;
    out.push_back({segment.base_offset + int32_t(LoadBE32(p)), LoadBE32(p + 4)});
  }
  return out;
}

std::vector<TimestampOffset> LogLab::TimeIndexOnDisk(const SegmentInfo& segment) {
  std::string bytes = FileBytes(segment, ".timeindex");
  std::vector<TimestampOffset> out;
  for (int n = 0; n < segment.time_index_entries && size_t(n + 1) * 12 <= bytes.size(); ++n) {
    auto p = reinterpret_cast<const uint8_t*>(bytes.data()) + size_t(n) * 12;
    out.push_back({int64_t(LoadBE64(p)), segment.base_offset + int32_t(LoadBE32(p + 8))});
  }
  return out;
}

std::string LogLab::FileBytes(const SegmentInfo& segment, const std::string& suffix) {
  std::string path = segment.log_path.substr(0, segment.log_path.size() - 4) + suffix;
  auto r = ReadFileToString(*Env::Default(), path);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : "";
}

}  // namespace gregor::lab01
