// SPDX-License-Identifier: Apache-2.0
#include "producer/produce_request_result.h"

namespace gregor {

RecordFuture::State::State(std::string topic, int32_t partition)
    : topic_(std::move(topic)), partition_(partition) {}

int32_t RecordFuture::State::AddRecord(int64_t timestamp, int32_t key_size, int32_t value_size) {
  records_.push_back(RecordInfo{timestamp, key_size, value_size});
  return int32_t(records_.size() - 1);
}

void RecordFuture::State::Set(int64_t base_offset, int64_t log_append_time, Status status) {
  std::lock_guard lock(mu_);
  base_offset_ = base_offset;
  log_append_time_ = log_append_time;
  status_ = std::move(status);
}

void RecordFuture::State::Chain(int32_t index, std::shared_ptr<State> next, int32_t next_index) {
  std::lock_guard lock(mu_);
  if (chain_.empty()) chain_.resize(records_.size());
  chain_[size_t(index)] = Link{std::move(next), next_index};
}

void RecordFuture::State::Done() {
  {
    std::lock_guard lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
}

bool RecordFuture::State::IsDone() const {
  std::lock_guard lock(mu_);
  return done_;
}

bool RecordFuture::State::Await(
    std::optional<std::chrono::steady_clock::time_point> deadline) const {
  std::unique_lock lock(mu_);
  if (!deadline) {
    cv_.wait(lock, [this] { return done_; });
    return true;
  }
  return cv_.wait_until(lock, *deadline, [this] { return done_; });
}

bool RecordFuture::State::AwaitRecord(
    int32_t index, std::optional<std::chrono::steady_clock::time_point> deadline) const {
  if (!Await(deadline)) return false;
  std::unique_lock lock(mu_);
  if (chain_.empty() || !chain_[size_t(index)].next) return true;
  Link link = chain_[size_t(index)];
  lock.unlock();
  return link.next->AwaitRecord(link.index, deadline);
}

bool RecordFuture::State::RecordDone(int32_t index) const {
  std::unique_lock lock(mu_);
  if (!done_) return false;
  if (chain_.empty() || !chain_[size_t(index)].next) return true;
  Link link = chain_[size_t(index)];
  lock.unlock();
  return link.next->RecordDone(link.index);
}

Status RecordFuture::State::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

Result<RecordMetadata> RecordFuture::State::Metadata(int32_t index) const {
  // No lock: the fields were written before Done() and are read after it
  // (a waiter saw done_ under mu_), or by the completing thread itself
  // (ProducerBatch::Done, once per record). See the REQUIRES.
  if (!chain_.empty() && chain_[size_t(index)].next) {
    const Link& link = chain_[size_t(index)];
    return link.next->Metadata(link.index);
  }
  if (!status_.ok()) return Result<RecordMetadata>(status_);
  const RecordInfo& r = records_[size_t(index)];
  RecordMetadata m;
  m.topic = topic_;
  m.partition = partition_;
  m.offset = base_offset_ < 0 ? -1 : base_offset_ + index;
  m.timestamp = log_append_time_ >= 0 ? log_append_time_ : r.timestamp;
  m.serialized_key_size = r.key_size;
  m.serialized_value_size = r.value_size;
  return m;
}

RecordFuture FailedRecordFuture(const std::string& topic, int32_t partition, Status status) {
  auto state = std::make_shared<RecordFuture::State>(topic, partition);
  state->AddRecord(-1, -1, -1);
  state->Set(-1, -1, std::move(status));
  state->Done();
  return RecordFuture(std::move(state), 0);
}

// RecordFuture (include/gregor/producer.h) is a view of its batch's State.

Result<RecordMetadata> RecordFuture::Get() const {
  if (!state_) return Result<RecordMetadata>(ErrorCode::kInvalidRequest, "empty RecordFuture");
  state_->AwaitRecord(index_, std::nullopt);
  return state_->Metadata(index_);
}

Result<RecordMetadata> RecordFuture::GetFor(std::chrono::milliseconds timeout) const {
  if (!state_) return Result<RecordMetadata>(ErrorCode::kInvalidRequest, "empty RecordFuture");
  if (!state_->AwaitRecord(index_, std::chrono::steady_clock::now() + timeout)) {
    return Result<RecordMetadata>(ErrorCode::kRequestTimedOut,
                                  "record not acknowledged within " +
                                      std::to_string(timeout.count()) + " ms");
  }
  return state_->Metadata(index_);
}

bool RecordFuture::Ready() const {
  return !state_ || state_->RecordDone(index_);
}

}  // namespace gregor
