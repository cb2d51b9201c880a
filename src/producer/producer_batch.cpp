// SPDX-License-Identifier: Apache-2.0
#include "producer/producer_batch.h"

#include <algorithm>

#include "common/logging.h"
#include "record/record_batch_reader.h"

namespace gregor {

namespace {

int32_t BytesUpperBound(const std::optional<std::string>& b) {
  return 5 + (b ? int32_t(b->size()) : 0);
}

}  // namespace

int32_t RecordSizeUpperBound(const Record& r) {
  // length(5) attributes(1) timestampDelta(10) offsetDelta(5) key value
  // headerCount(5) headers: every varint counted at its widest.
  int32_t size = 5 + 1 + 10 + 5 + BytesUpperBound(r.key) + BytesUpperBound(r.value) + 5;
  for (const Header& h : r.headers) size += 5 + int32_t(h.key.size()) + BytesUpperBound(h.value);
  return size;
}

ProducerBatch::ProducerBatch(ProducerTopicPartition tp, BatchOptions options, Bytes buffer,
                             int32_t buffer_size, bool from_pool, int64_t now_ms,
                             uint64_t flush_id)
    : tp_(std::move(tp)),
      options_(options),
      buffer_size_(buffer_size),
      from_pool_(from_pool),
      created_ms_(now_ms),
      flush_id_(flush_id),
      builder_(options, std::move(buffer)),
      result_(std::make_shared<RecordFuture::State>(tp_.topic, tp_.partition)),
      last_attempt_ms_(now_ms) {}

// [producer-batch-try-append]
std::optional<RecordFuture> ProducerBatch::TryAppend(
    const Record& record, const SendCallback& callback, int64_t now_ms,
    int32_t* appended_bytes) {
  (void)now_ms;
  if (closed_ || full_) return std::nullopt;
  int32_t upper = RecordSizeUpperBound(record);
  // The first record always fits (the buffer was sized for it); later ones
  // only within the buffer, so the builder never outgrows a pool buffer.
  if (builder_.records() > 0 &&
      builder_.EstimatedSize() + size_t(upper) > size_t(buffer_size_)) {
    full_ = true;
    return std::nullopt;
  }
  size_t before = builder_.EstimatedSize();
  int32_t key_size = record.key ? int32_t(record.key->size()) : -1;
  int32_t value_size = record.value ? int32_t(record.value->size()) : -1;
  int64_t timestamp = record.timestamp;
  builder_.Append(record);
  if (builder_.records() == 1)
    ReserveRecords(int32_t(builder_.EstimatedSize() - before));
  int32_t index = result_->AddRecord(timestamp, key_size, value_size);
  callbacks_.push_back(callback);
  if (appended_bytes)
    *appended_bytes = int32_t(builder_.EstimatedSize() - before);
  return RecordFuture(result_, index);
}
// [producer-batch-try-append]

void ProducerBatch::ReserveRecords(int32_t first_record_bytes) {
  // Size the per-record tables once, for as many records like the first as
  // the buffer holds, instead of growing them by doubling (copies, and up
  // to twice the memory).
  size_t room = size_t(buffer_size_) > builder_.EstimatedSize()
                    ? size_t(buffer_size_) - builder_.EstimatedSize()
                    : 0;
  size_t n = 1 + room / size_t(std::max(first_record_bytes, 1));
  result_->Reserve(n);
  callbacks_.reserve(n);
}

void ProducerBatch::Close() {
  if (closed_) return;
  closed_ = true;
  full_ = true;
  uncompressed_size_ = int32_t(builder_.EstimatedSize());
  built_ = builder_.Build();
  spare_ = builder_.TakeBuffer();
}

int32_t ProducerBatch::EstimatedSizeInBytes() const {
  return closed_ ? int32_t(built_.size()) : int32_t(builder_.EstimatedSize());
}

void ProducerBatch::Reenqueued(int64_t now_ms) {
  ++attempts_;
  last_attempt_ms_ = now_ms;
}

// [producer-batch-done]
bool ProducerBatch::Done(int64_t base_offset, int64_t log_append_time,
                         const Status& status) {
  FinalState expected = FinalState::kIncomplete;
  FinalState next = status.ok() ? FinalState::kSucceeded : FinalState::kFailed;
  if (!final_.compare_exchange_strong(expected, next)) {
    Logger("producer")
        ->debug("batch already completed tp={} status={}", tp_.ToString(),
                status.ToString());
    return false;
  }
  result_->Set(base_offset, log_append_time, status);
  // Callbacks first, then the futures (as Kafka): whoever waits on a future
  // (Flush) sees the callbacks done.
  for (size_t i = 0; i < callbacks_.size(); ++i) {
    if (!callbacks_[i]) continue;
    auto m = result_->Metadata(int32_t(i));
    if (m.ok()) {
      callbacks_[i](*m, status);
    } else {
      RecordMetadata failed;
      failed.topic = tp_.topic;
      failed.partition = tp_.partition;
      callbacks_[i](failed, status);
    }
  }
  callbacks_.clear();
  result_->Done();
  return true;
}
// [producer-batch-done]

std::vector<std::shared_ptr<ProducerBatch>> ProducerBatch::Split(int32_t split_batch_size) {
  std::vector<std::shared_ptr<ProducerBatch>> out;
  Close();
  auto decoded = DecodeBatch(built_);
  if (!decoded.ok()) return out;  // cannot happen: we built it
  for (size_t i = 0; i < decoded->records.size(); ++i) {
    Record r = decoded->records[i].ToRecord();
    int32_t need = int32_t(BatchLayout::kHeaderSize) + RecordSizeUpperBound(r);
    std::optional<RecordFuture> f;
    if (!out.empty()) f = out.back()->TryAppend(r, callbacks_[i], created_ms_);
    if (!f) {
      int32_t size = std::max(split_batch_size, need);
      Bytes buffer;
      buffer.reserve(size_t(size));
      out.push_back(std::make_shared<ProducerBatch>(tp_, options_, std::move(buffer), size, false,
                                                    created_ms_, flush_id_));
      f = out.back()->TryAppend(r, callbacks_[i], created_ms_);
    }
    result_->Chain(int32_t(i), out.back()->result(), int32_t(out.back()->record_count() - 1));
  }
  callbacks_.clear();
  return out;
}

void ProducerBatch::FinishSplit() {
  FinalState expected = FinalState::kIncomplete;
  if (final_.compare_exchange_strong(expected, FinalState::kSplit)) {
    result_->Set(-1, -1, Status(ErrorCode::kMessageTooLarge, "batch split"));
    result_->Done();
  }
}

Bytes ProducerBatch::ReleaseBuffer() {
  if (!closed_) return builder_.TakeBuffer();
  if (options_.compression == CompressionType::kNone || spare_.capacity() == 0) {
    return std::move(built_);
  }
  return std::move(spare_);
}

}  // namespace gregor
