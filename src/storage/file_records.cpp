// SPDX-License-Identifier: Apache-2.0
#include "storage/file_records.h"

#include <algorithm>
#include <limits>

#include "record/record_batch_reader.h"

namespace gregor {

namespace {
// Chunk sizes of a walk: enough for a few headers when only headers are
// needed (a lookup scans ~index.interval.bytes), big reads for recovery.
constexpr uint32_t kHeaderChunk = 8 << 10;
constexpr uint32_t kBodyChunk = 256 << 10;
}  // namespace

Result<Bytes> FileRecordsSlice::ReadAll() const {
  if (!file || size == 0) return Bytes();
  return file->ReadBytes(position, size);
}

FileRecords::FileRecords(std::string path, std::unique_ptr<WritableFile> writer,
                         std::unique_ptr<RandomAccessFile> reader, uint32_t size)
    : path_(std::move(path)), writer_(std::move(writer)), reader_(std::move(reader)), size_(size) {}

FileRecords::~FileRecords() {
  if (writer_) writer_->Close();
}

Result<std::shared_ptr<FileRecords>> FileRecords::Open(Env& env, const std::string& path,
                                                       bool writable) {
  std::unique_ptr<WritableFile> writer;
  if (writable) {
    auto w = env.NewAppendableFile(path);
    if (!w.ok()) return w.status();
    writer = std::move(*w);
  }
  auto reader = env.NewRandomAccessFile(path);
  if (!reader.ok()) return reader.status();
  auto size = env.FileSize(path);
  if (!size.ok()) return size.status();
  if (*size > uint64_t(std::numeric_limits<int32_t>::max())) {
    return Status(ErrorCode::kKafkaStorageError, path + ": larger than 2 GiB");
  }
  return std::shared_ptr<FileRecords>(
      new FileRecords(path, std::move(writer), std::move(*reader), uint32_t(*size)));
}

// [file-records-append]
Status FileRecords::Append(ByteSpan batches) {
  uint32_t before = SizeInBytes();
  if (Status s = writer_->Append(batches); !s.ok()) {
    writer_->Truncate(before);  // best effort: cut a torn write off now
    return s;
  }
  size_.store(before + uint32_t(batches.size()), std::memory_order_release);
  return Status::Ok();
}
// [file-records-append]

Status FileRecords::Read(uint64_t position, std::span<uint8_t> out, size_t* bytes_read) const {
  uint64_t size = SizeInBytes();
  size_t n = position >= size ? 0 : size_t(std::min<uint64_t>(out.size(), size - position));
  if (n == 0) {
    *bytes_read = 0;
    return Status::Ok();
  }
  return reader_->Read(position, n, out.data(), bytes_read);
}

Result<Bytes> FileRecords::ReadBytes(uint32_t position, uint32_t size) const {
  if (uint64_t(position) + size > SizeInBytes()) {
    return Status(ErrorCode::kCorruptMessage, path_ + ": read past the end");
  }
  Bytes out(size);
  size_t n = 0;
  if (Status s = Read(position, out, &n); !s.ok()) return s;
  if (n != size) return Status(ErrorCode::kKafkaStorageError, path_ + ": short read");
  return out;
}

// [file-records-slice]
FileRecordsSlice FileRecords::Slice(uint32_t position, uint32_t size) const {
  uint32_t end = SizeInBytes();
  if (position >= end || size == 0) return {};
  return {shared_from_this(), position, std::min(size, end - position)};
}
// [file-records-slice]

// [file-records-search]
Result<std::optional<LogOffsetPosition>> FileRecords::SearchForOffsetWithSize(
    int64_t target, uint32_t start_position) const {
  FileBatchIterator it(*this, start_position, SizeInBytes(), false);
  for (;;) {
    auto batch = it.Next();
    if (!batch.ok()) return batch.status();
    if (*batch == nullptr) return std::optional<LogOffsetPosition>();
    const auto& b = **batch;
    if (b.header.LastOffset() >= target) {
      return std::optional<LogOffsetPosition>(
          LogOffsetPosition{b.header.LastOffset(), b.position, b.size});
    }
  }
}
// [file-records-search]

Result<std::optional<TimestampOffset>> FileRecords::SearchForTimestamp(
    int64_t timestamp, uint32_t start_position, int64_t starting_offset) const {
  FileBatchIterator it(*this, start_position, SizeInBytes(), false);
  for (;;) {
    auto batch = it.Next();
    if (!batch.ok()) return batch.status();
    if (*batch == nullptr) return std::optional<TimestampOffset>();
    const auto& b = **batch;
    if (b.header.max_timestamp < timestamp || b.header.LastOffset() < starting_offset) continue;
    auto bytes = ReadBytes(b.position, b.size);
    if (!bytes.ok()) return bytes.status();
    auto decoded = DecodeBatch(*bytes);
    if (!decoded.ok()) return decoded.status();
    for (const RecordView& r : decoded->records) {
      if (r.timestamp >= timestamp && r.offset >= starting_offset) {
        return std::optional<TimestampOffset>(TimestampOffset{r.timestamp, r.offset});
      }
    }
  }
}

Result<uint32_t> FileRecords::TruncateTo(uint32_t size) {
  uint32_t before = SizeInBytes();
  // Truncate even when size == before: a failed append may have left torn
  // bytes past the in-memory size.
  if (Status s = writer_->Truncate(size); !s.ok()) return s;
  size_.store(size, std::memory_order_release);
  return before > size ? before - size : 0;
}

Status FileRecords::Flush() { return writer_ ? writer_->Sync() : Status::Ok(); }

FileBatchIterator::FileBatchIterator(const FileRecords& file, uint32_t start, uint32_t end,
                                     bool read_bodies)
    : file_(file), pos_(start), end_(end), read_bodies_(read_bodies) {}

Result<bool> FileBatchIterator::Ensure(uint32_t pos, uint32_t n) {
  if (pos >= buf_start_ && uint64_t(pos) + n <= buf_start_ + buf_len_) return true;
  if (uint64_t(pos) + n > end_) return false;
  uint32_t want = std::max(n, read_bodies_ ? kBodyChunk : kHeaderChunk);
  want = std::min<uint32_t>(want, end_ - pos);
  if (buf_.size() < want) buf_.resize(want);
  size_t got = 0;
  if (Status s = file_.Read(pos, std::span<uint8_t>(buf_.data(), want), &got); !s.ok()) return s;
  buf_start_ = pos;
  buf_len_ = got;
  return got >= n;
}

Result<const FileBatchIterator::Batch*> FileBatchIterator::Next() {
  if (pos_ >= end_) {
    stop_ = StopReason::kEnd;
    return nullptr;
  }
  // batchLength says how far the batch goes; nothing else is trusted yet.
  auto have = Ensure(pos_, uint32_t(BatchLayout::kLogOverhead));
  if (!have.ok()) return have.status();
  if (!*have) {
    stop_ = StopReason::kIncomplete;
    return nullptr;
  }
  const uint8_t* p = buf_.data() + (pos_ - buf_start_);
  auto size = PeekBatchSize(ByteSpan(p, BatchLayout::kLogOverhead));
  if (!size || *size < BatchLayout::kHeaderSize) {
    stop_ = StopReason::kCorrupt;
    return nullptr;
  }
  if (uint64_t(pos_) + *size > end_) {
    stop_ = StopReason::kIncomplete;
    return nullptr;
  }
  uint32_t need = read_bodies_ ? uint32_t(*size) : uint32_t(BatchLayout::kHeaderSize);
  have = Ensure(pos_, need);
  if (!have.ok()) return have.status();
  if (!*have) {
    stop_ = StopReason::kIncomplete;
    return nullptr;
  }
  p = buf_.data() + (pos_ - buf_start_);
  batch_.position = pos_;
  batch_.size = uint32_t(*size);
  batch_.header = ReadBatchHeader(ByteSpan(p, BatchLayout::kHeaderSize));
  batch_.bytes = read_bodies_ ? ByteSpan(p, *size) : ByteSpan();
  pos_ += uint32_t(*size);
  return &batch_;
}

}  // namespace gregor
