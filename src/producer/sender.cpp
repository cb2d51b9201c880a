// SPDX-License-Identifier: Apache-2.0
#include "producer/sender.h"

#include <algorithm>
#include <limits>

#include "common/logging.h"
#include "protocol/encoder.h"
#include "protocol/metadata.h"
#include "protocol/produce.h"

namespace gregor {

namespace {

// Errors after which the same batch may succeed later (Kafka's
// RetriableException subclasses that a Produce can meet).
bool IsRetriable(ErrorCode e) {
  switch (e) {
    case ErrorCode::kCorruptMessage:
    case ErrorCode::kUnknownTopicOrPartition:
    case ErrorCode::kLeaderNotAvailable:
    case ErrorCode::kNotLeaderOrFollower:
    case ErrorCode::kRequestTimedOut:
    case ErrorCode::kNetworkException:
    case ErrorCode::kNotEnoughReplicas:
    case ErrorCode::kNotEnoughReplicasAfterAppend:
    case ErrorCode::kKafkaStorageError:
    case ErrorCode::kFencedLeaderEpoch:
    case ErrorCode::kUnknownLeaderEpoch:
    case ErrorCode::kOffsetNotAvailable:
    case ErrorCode::kThrottlingQuotaExceeded:
      return true;
    default:
      return false;
  }
}

// The wait between passes is capped so expiry is noticed without a timer
// per batch; it is not a poll: work arrives through Wakeup/completions.
constexpr int64_t kMaxPollTimeoutMs = 250;

}  // namespace

Sender::Sender(SenderConfig config, KafkaClient& client, ProducerMetadata& metadata,
               RecordAccumulator& accumulator, Clock& clock, ProducerMetrics& metrics)
    : config_(config),
      client_(client),
      metadata_(metadata),
      accumulator_(accumulator),
      clock_(clock),
      metrics_(metrics),
      guarantee_message_order_(config.max_in_flight_requests_per_connection == 1) {}

void Sender::Run() {
  for (;;) {
    int64_t timeout;
    try {
      timeout = RunOnce();
    } catch (const std::exception& e) {
      // As Kafka's Sender.run: log, keep the thread alive, go round again
      // (after a backoff, not at once, so a persistent error cannot spin).
      Logger("producer")->error("Uncaught error in kafka producer I/O thread: {}", e.what());
      timeout = std::max<int64_t>(config_.retry_backoff_ms, 1);
    }
    std::unique_lock lock(mu_);
    if (force_close_) break;
    if (!running_ && !accumulator_.HasUndrained() && in_flight_.empty() &&
        completions_.empty()) {
      break;
    }
    cv_.wait_for(lock, std::chrono::milliseconds(std::min(timeout, kMaxPollTimeoutMs)),
                 [this] { return wakeup_ || force_close_ || !completions_.empty(); });
    wakeup_ = false;
  }
}

void Sender::Wakeup() {
  // As Java's Selector.wakeup under Kafka's Sender.wakeup: while one
  // wakeup is pending, more are no-ops. Send() wakes the Sender for every
  // record while a full batch waits (batch_is_full), so this saves a lock
  // and a futex call per record. Safe: Run() clears the flag before its
  // pass, and that pass takes the deque locks after the clear, so it sees
  // any record whose Wakeup() found the flag still set.
  if (wakeup_.load()) return;
  {
    std::lock_guard lock(mu_);
    wakeup_ = true;
  }
  cv_.notify_one();
}

void Sender::InitiateClose() {
  accumulator_.Close();
  {
    std::lock_guard lock(mu_);
    running_ = false;
    wakeup_ = true;
  }
  cv_.notify_one();
}

void Sender::ForceClose() {
  {
    std::lock_guard lock(mu_);
    force_close_ = true;
  }
  cv_.notify_one();
}

// [sender-run-once]
int64_t Sender::RunOnce() {
  ProcessCompletions(false);
  int64_t now = NowMs();
  MaybeUpdateMetadata(now);
  return SendProducerData(now);
}
// [sender-run-once]

std::function<void(ClientResponse)> Sender::CompletionCallback(uint64_t id) {
  // Any thread: hand the response to the Sender thread.
  return [this, id](ClientResponse r) {
    {
      std::lock_guard lock(mu_);
      completions_.push_back(Completion{id, std::move(r)});
    }
    cv_.notify_one();
  };
}

void Sender::ProcessCompletions(bool closing) {
  std::deque<Completion> done;
  {
    std::lock_guard lock(mu_);
    done.swap(completions_);
  }
  int64_t now = NowMs();
  for (Completion& c : done) {
    if (c.id == metadata_request_id_) {
      metadata_request_id_ = 0;
      HandleMetadataResponse(c.response, now);
      continue;
    }
    auto it = in_flight_.find(c.id);
    if (it == in_flight_.end()) continue;
    InFlightProduce request = std::move(it->second);
    in_flight_.erase(it);
    if (--in_flight_per_node_[request.node] <= 0) in_flight_per_node_.erase(request.node);
    HandleProduceResponse(std::move(request), c.response, now, closing);
  }
}

void Sender::DrainCompletionsAfterClose() { ProcessCompletions(true); }

void Sender::MaybeUpdateMetadata(int64_t now_ms) {
  if (metadata_request_id_ != 0 || now_ms < next_metadata_fetch_ms_) return;
  if (!metadata_.cluster().UpdateRequested(now_ms)) return;
  std::vector<std::string> topics = metadata_.Topics();
  if (topics.empty()) return;
  std::vector<Node> nodes = metadata_.cluster().Nodes();
  if (nodes.empty()) return;
  const Node& node = nodes[metadata_node_index_ % nodes.size()];
  MetadataRequest req;
  req.topics.emplace();
  for (auto& t : topics) req.topics->push_back(MetadataRequestTopic{t});
  req.allow_auto_topic_creation = true;
  uint64_t id = next_request_id_++;
  ClientRequest r = MakeClientRequest(node, std::move(req), CompletionCallback(id));
  r.versions.min = 1;  // v0 reads an empty topic list as "all topics"
  metadata_request_id_ = id;
  next_metadata_fetch_ms_ = now_ms + config_.retry_backoff_ms;
  ++metrics_.metadata_request_total;
  client_.Send(std::move(r));
}

void Sender::HandleMetadataResponse(const ClientResponse& r, int64_t now_ms) {
  auto decoded = DecodeResponse<MetadataResponse>(r);
  if (!decoded.ok()) {
    Logger("producer")->debug("metadata fetch failed node={} error={}", r.node,
                              decoded.status().ToString());
    ++metadata_node_index_;  // try another broker next time
    metadata_.cluster().RequestUpdate();
    metadata_.FailedUpdate();
    return;
  }
  metadata_.Update(*decoded, now_ms);
  // Topics still being created (or leaderless) are asked again after the backoff.
  for (const auto& t : decoded->topics) {
    bool leaderless = false;
    for (const auto& p : t.partitions) leaderless |= p.leader_id < 0;
    if (t.error_code != ErrorCode::kNone || t.partitions.empty() || leaderless) {
      metadata_.cluster().RequestUpdate();
      break;
    }
  }
}

int64_t Sender::SendProducerData(int64_t now_ms) {
  // [sender-send-producer-data]
  RecordAccumulator::ReadyCheckResult result =
      accumulator_.Ready(metadata_.cluster(), now_ms);
  if (!result.unknown_leader_topics.empty()) {
    for (const auto& t : result.unknown_leader_topics) metadata_.Add(t);
    metadata_.cluster().RequestUpdate();
  }
  // A leader with max.in.flight requests outstanding takes no more now.
  for (auto it = result.ready_nodes.begin(); it != result.ready_nodes.end();) {
    auto n = in_flight_per_node_.find(*it);
    bool busy = n != in_flight_per_node_.end() &&
                n->second >= config_.max_in_flight_requests_per_connection;
    bool unknown = !metadata_.cluster().NodeById(*it);
    accumulator_.UpdateNodeLatencyStats(*it, now_ms, !busy && !unknown);
    it = (busy || unknown) ? result.ready_nodes.erase(it) : std::next(it);
  }
  auto drained = accumulator_.Drain(metadata_.cluster(), result.ready_nodes,
                                    config_.max_request_size, now_ms);
  if (guarantee_message_order_) {
    for (const auto& [node, batches] : drained) {
      for (const auto& b : batches)
        accumulator_.MutePartition(b->topic_partition());
    }
  }
  // [sender-send-producer-data]

  // [sender-expire]
  // Expire what waited delivery.timeout.ms: queued batches, and in-flight
  // ones (failed now; their buffers wait for their requests).
  std::vector<std::shared_ptr<ProducerBatch>> expired =
      accumulator_.ExpiredBatches(now_ms);
  for (const auto& [id, request] : in_flight_) {
    for (const auto& b : request.batches) {
      if (!b->IsDone() &&
          b->HasReachedDeliveryTimeout(config_.delivery_timeout_ms, now_ms)) {
        expired.push_back(b);
      }
    }
  }
  for (const auto& b : expired) {
    FailBatch(
        b,
        Status(
            ErrorCode::kRequestTimedOut,
            "Expiring " + std::to_string(b->record_count()) +
                " record(s) for " + b->topic_partition().ToString() + ": " +
                std::to_string(now_ms - b->created_ms()) +
                " ms has passed since batch creation (delivery.timeout.ms)"));
  }
  // [sender-expire]

  for (auto& [node, batches] : drained)
    SendProduceRequest(node, std::move(batches), now_ms);

  if (!drained.empty()) return 0;  // there may be more to drain
  int64_t timeout = result.next_ready_check_delay_ms;
  if (metadata_request_id_ == 0 && !metadata_.Topics().empty()) {
    int64_t until_fetch = metadata_.cluster().TimeToNextUpdate(now_ms);
    if (until_fetch == 0)
      until_fetch = std::max<int64_t>(0, next_metadata_fetch_ms_ - now_ms);
    timeout = std::min(timeout, until_fetch);
  }
  return std::max<int64_t>(0, timeout);
}

void Sender::SendProduceRequest(
    int32_t node, std::vector<std::shared_ptr<ProducerBatch>> batches,
    int64_t now_ms) {
  std::optional<Node> destination = metadata_.cluster().NodeById(node);
  if (!destination) {
    // Cannot happen (ready nodes were looked up this pass); retry later.
    for (const auto& b : batches) {
      accumulator_.UnmutePartition(b->topic_partition());
      accumulator_.Reenqueue(b, now_ms);
    }
    return;
  }
  // [sender-produce-request]
  // The body is encoded on the network thread when the request goes out;
  // the records are copied there straight from the batches' buffers, which
  // is why those buffers must outlive the request.
  struct Part {
    std::string topic;
    int32_t partition;
    ByteSpan records;
  };
  std::vector<Part> parts;
  int64_t records = 0;
  for (const auto& b : batches) {
    b->set_in_flight(true);
    parts.push_back(Part{b->topic_partition().topic,
                         b->topic_partition().partition, b->records()});
    records += b->record_count();
    ++metrics_.batch_total;
    metrics_.batch_bytes_total += int64_t(b->records().size());
  }
  // [sender-produce-request]
  ++metrics_.request_total;
  metrics_.request_records_total += records;
  int16_t acks = config_.acks;
  int32_t timeout = int32_t(config_.request_timeout_ms);
  uint64_t id = next_request_id_++;

  // [sender-produce-request-acks]
  ClientRequest r;
  r.destination = *destination;
  r.api_key = ApiKey::kProduce;
  r.versions = ProduceRequest::kVersions;
  r.callback = CompletionCallback(id);
  r.expects_response = acks != 0;
  // [sender-produce-request-acks]
  r.encode_body = [parts = std::move(parts), acks, timeout](Bytes& out,
                                                            int16_t version) {
    ProduceRequest body;
    body.acks = acks;
    body.timeout_ms = timeout;
    for (const Part& p : parts) {
      if (body.topic_data.empty() || body.topic_data.back().name != p.topic) {
        body.topic_data.push_back(TopicProduceData{p.topic, {}});
      }
      body.topic_data.back().partition_data.push_back(
          PartitionProduceData{p.partition, Bytes{}});
    }
    // Encode everything but the records, then stitch the records in.
    std::vector<RecordsSplice> splices;
    size_t i = 0;
    for (auto& t : body.topic_data) {
      for (auto& pd : t.partition_data) {
        splices.push_back(
            RecordsSplice{&pd.records, int64_t(parts[i++].records.size()), 0});
      }
    }
    Bytes meta;
    Encoder e(meta, version, IsFlexible(ApiKey::kProduce, version));
    e.SetRecordsSplices(splices);
    e.Struct(body);
    size_t prev = 0;
    for (size_t k = 0; k < splices.size(); ++k) {
      out.insert(out.end(), meta.begin() + long(prev),
                 meta.begin() + long(splices[k].offset));
      out.insert(out.end(), parts[k].records.begin(), parts[k].records.end());
      prev = splices[k].offset;
    }
    out.insert(out.end(), meta.begin() + long(prev), meta.end());
  };
  in_flight_[id] = InFlightProduce{node, clock_.NowNs(), std::move(batches)};
  ++in_flight_per_node_[node];
  client_.Send(std::move(r));
}

void Sender::HandleProduceResponse(InFlightProduce request, const ClientResponse& r,
                                   int64_t now_ms, bool closing) {
  int64_t latency = clock_.NowNs() - request.sent_ns;
  metrics_.request_latency_ns_total += latency;
  ProducerMetrics::Max(metrics_.request_latency_ns_max, latency);
  ++metrics_.response_total;
  for (const auto& b : request.batches) b->set_in_flight(false);

  if (!r.status.ok()) {
    // No answer: the same error for every batch. A broken connection may
    // mean a moved leader; look again.
    if (r.status.code() == ErrorCode::kNetworkException) metadata_.cluster().RequestUpdate();
    for (const auto& b : request.batches) {
      CompleteBatch(b, r.status.code(), -1, -1, r.status.message(), now_ms, closing);
    }
    return;
  }
  if (config_.acks == 0) {
    for (const auto& b : request.batches) {
      CompleteBatch(b, ErrorCode::kNone, -1, -1, "", now_ms, closing);
    }
    return;
  }
  auto decoded = DecodeResponse<ProduceResponse>(r);
  for (const auto& b : request.batches) {
    const PartitionProduceResponse* found = nullptr;
    if (decoded.ok()) {
      for (const auto& t : decoded->responses) {
        if (t.name != b->topic_partition().topic) continue;
        for (const auto& p : t.partition_responses) {
          if (p.index == b->topic_partition().partition) found = &p;
        }
      }
    }
    if (!found) {
      CompleteBatch(b, ErrorCode::kUnknownServerError, -1, -1,
                    decoded.ok() ? "partition missing from the Produce response"
                                 : decoded.status().ToString(),
                    now_ms, closing);
      continue;
    }
    CompleteBatch(b, found->error_code, found->base_offset, found->log_append_time_ms, "", now_ms,
                  closing);
  }
}

// [sender-complete-batch]
void Sender::CompleteBatch(const std::shared_ptr<ProducerBatch>& batch,
                           ErrorCode error, int64_t base_offset,
                           int64_t log_append_time, const std::string& message,
                           int64_t now_ms, bool closing) {
  if (guarantee_message_order_)
    accumulator_.UnmutePartition(batch->topic_partition());
  if (batch->IsDone()) {
    // Expired while in flight: already failed; now its buffer is free.
    MaybeDeallocate(batch);
    return;
  }
  const std::string tp = batch->topic_partition().ToString();
  if (error == ErrorCode::kMessageTooLarge && batch->record_count() > 1 &&
      !closing) {
    int32_t pieces = accumulator_.SplitAndReenqueue(batch);
    ++metrics_.batch_split_total;
    Logger("producer")
        ->debug("split tp={} records={} into={}", tp, batch->record_count(),
                pieces);
    MaybeDeallocate(batch);
    return;
  }
// [sender-complete-batch]
  // [sender-complete-retry]
  if (error != ErrorCode::kNone) {
    if (!closing && CanRetry(*batch, error, now_ms)) {
      Logger("producer")
          ->debug("retry tp={} attempt={} error={}", tp, batch->attempts() + 1,
                  ErrorName(error));
      metrics_.record_retry_total += batch->record_count();
      metadata_.cluster().HandleError(error);
      accumulator_.Reenqueue(batch, now_ms);
      return;
    }
    metadata_.cluster().HandleError(error);
    FailBatch(batch,
              Status(error, message.empty()
                                ? std::string("produce to ") + tp + " failed"
                                : message));
    return;
  }
  if (batch->Done(base_offset, log_append_time, Status::Ok())) {
    metrics_.record_send_total += batch->record_count();
  }
  MaybeDeallocate(batch);
}
  // [sender-complete-retry]

bool Sender::CanRetry(const ProducerBatch& batch, ErrorCode error, int64_t now_ms) const {
  return IsRetriable(error) && batch.attempts() < config_.retries &&
         !batch.HasReachedDeliveryTimeout(config_.delivery_timeout_ms, now_ms);
}

void Sender::FailBatch(const std::shared_ptr<ProducerBatch>& batch, const Status& status) {
  if (batch->Done(-1, -1, status)) metrics_.record_error_total += batch->record_count();
  MaybeDeallocate(batch);
}

// [sender-maybe-deallocate]
void Sender::MaybeDeallocate(const std::shared_ptr<ProducerBatch>& batch) {
  // THE rule: a request that may still read the bytes keeps the buffer.
  if (!batch->in_flight()) accumulator_.Deallocate(batch);
}
// [sender-maybe-deallocate]

}  // namespace gregor
