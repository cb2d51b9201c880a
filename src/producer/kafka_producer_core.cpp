// SPDX-License-Identifier: Apache-2.0
#include "producer/kafka_producer_core.h"

#include <algorithm>

#include "common/logging.h"
#include "producer/produce_request_result.h"

namespace gregor {

namespace {

NetworkClientConfig NetworkConfig(const ProducerConfig& c) {
  NetworkClientConfig n;
  n.client_id = c.client_id;
  n.request_timeout_ms = c.request_timeout_ms;
  n.max_in_flight_requests_per_connection = c.max_in_flight_requests_per_connection;
  return n;
}

RecordAccumulatorConfig AccumulatorConfig(const ProducerConfig& c) {
  RecordAccumulatorConfig a;
  a.batch_size = c.batch_size;
  a.compression = c.compression_type;
  a.linger_ms = c.linger_ms;
  a.retry_backoff_ms = c.retry_backoff_ms;
  a.retry_backoff_max_ms = c.retry_backoff_max_ms;
  a.delivery_timeout_ms = c.delivery_timeout_ms;
  a.adaptive_partitioning = c.partitioner_adaptive_partitioning_enable;
  a.partition_availability_timeout_ms = c.partitioner_availability_timeout_ms;
  return a;
}

SenderConfig MakeSenderConfig(const ProducerConfig& c) {
  SenderConfig s;
  s.acks = c.acks;
  s.max_request_size = c.max_request_size;
  s.request_timeout_ms = c.request_timeout_ms;
  s.retries = c.retries;
  s.max_in_flight_requests_per_connection = c.max_in_flight_requests_per_connection;
  s.delivery_timeout_ms = c.delivery_timeout_ms;
  s.retry_backoff_ms = c.retry_backoff_ms;
  return s;
}

Status Validate(ProducerConfig& c) {
  auto invalid = [](const std::string& m) { return Status(ErrorCode::kInvalidConfig, m); };
  if (c.enable_idempotence) {
    return invalid("enable.idempotence: the idempotent producer arrives in chapter 07");
  }
  if (c.acks != -1 && c.acks != 0 && c.acks != 1) return invalid("acks must be all, -1, 0 or 1");
  if (c.batch_size < 0) return invalid("batch.size must be >= 0");
  if (c.buffer_memory < std::max<int64_t>(c.batch_size, 1)) {
    return invalid("buffer.memory must be at least batch.size");
  }
  if (c.max_in_flight_requests_per_connection < 1) {
    return invalid("max.in.flight.requests.per.connection must be >= 1");
  }
  if (c.max_request_size < 1) return invalid("max.request.size must be >= 1");
  if (c.linger_ms < 0 || c.max_block_ms < 0 || c.request_timeout_ms < 0 ||
      c.retry_backoff_ms < 0 || c.retries < 0) {
    return invalid("linger.ms, max.block.ms, request.timeout.ms, retry.backoff.ms and retries "
                   "must not be negative");
  }
  if (c.delivery_timeout_ms < c.linger_ms + c.request_timeout_ms) {
    // Kafka refuses this only when the user set delivery.timeout.ms; we
    // cannot tell, so raise it as Kafka does for the default.
    Logger("producer")->warn("delivery.timeout.ms={} raised to linger.ms + request.timeout.ms={}",
                             c.delivery_timeout_ms, c.linger_ms + c.request_timeout_ms);
    c.delivery_timeout_ms = c.linger_ms + c.request_timeout_ms;
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Producer>> Producer::Create(ProducerConfig config) {
  Status s = Validate(config);
  if (!s.ok()) return Result<std::unique_ptr<Producer>>(s);
  auto bootstrap = ParseBootstrapServers(config.bootstrap_servers);
  if (!bootstrap.ok()) return Result<std::unique_ptr<Producer>>(bootstrap.status());
  return std::unique_ptr<Producer>(
      new KafkaProducerCore(std::move(config), std::move(*bootstrap)));
}

KafkaProducerCore::KafkaProducerCore(ProducerConfig config, std::vector<Node> bootstrap,
                                     Clock& clock)
    : config_(std::move(config)),
      clock_(clock),
      metadata_(std::move(bootstrap), config_.metadata_max_age_ms),
      network_(NetworkConfig(config_), clock),
      client_(network_),
      pool_(config_.buffer_memory, config_.batch_size, clock),
      accumulator_(AccumulatorConfig(config_), pool_, clock),
      sender_(MakeSenderConfig(config_), client_, metadata_, accumulator_, clock, metrics_),
      sender_thread_([this] {
        sender_.Run();
        std::lock_guard lock(done_mu_);
        sender_done_ = true;
        done_cv_.notify_all();
      }) {}

KafkaProducerCore::~KafkaProducerCore() { Close(std::chrono::milliseconds::max()); }

void KafkaProducerCore::NotifyInterceptors(
    const std::vector<std::shared_ptr<ProducerInterceptor>>& interceptors,
    const RecordMetadata& m, const Status& status) {
  for (const auto& i : interceptors) {
    try {
      i->OnAcknowledgement(m, status);
    } catch (const std::exception& e) {
      Logger("producer")->warn("interceptor OnAcknowledgement threw: {}", e.what());
    }
  }
}

KafkaProducerCore::LastLookup& KafkaProducerCore::ThreadLastLookup() {
  thread_local LastLookup last;
  return last;
}

RecordFuture KafkaProducerCore::Fail(const SerializedRecord& record, int32_t partition,
                                     const Status& status, const SendCallback& callback) {
  ++metrics_.record_error_total;
  RecordMetadata m;
  m.topic = record.topic;
  m.partition = partition;
  NotifyInterceptors(config_.interceptors, m, status);
  if (callback) callback(m, status);
  return FailedRecordFuture(record.topic, partition, status);
}

RecordFuture KafkaProducerCore::Send(SerializedRecord record,
                                     SendCallback callback) {
  // max.block.ms covers the metadata wait and the memory wait together;
  // the clock is read only if Send() has to wait (Kafka: once per send).
  int64_t remaining_ms = config_.max_block_ms;
  for (const auto& i : config_.interceptors) {
    try {
      record = i->OnSend(std::move(record));
    } catch (const std::exception& e) {
      Logger("producer")->warn("interceptor OnSend threw: {}", e.what());
    }
  }
  int32_t requested = record.partition.value_or(-1);
  if (closed_) {
    return Fail(record, requested,
                Status(ErrorCode::kNetworkException,
                       "cannot send after the producer is closed"),
                callback);
  }
  auto partitions =
      WaitOnMetadata(record.topic, record.partition, &remaining_ms);
  if (!partitions.ok())
    return Fail(record, requested, partitions.status(), callback);

  // [producer-send]
  Record r{record.timestamp.value_or(clock_.NowMs()), std::move(record.key),
           std::move(record.value), std::move(record.headers)};
  int32_t size = int32_t(BatchLayout::kHeaderSize) + RecordSizeUpperBound(r);
  ProducerMetrics::Max(metrics_.record_size_max, size);
  if (size > config_.max_request_size || size > config_.buffer_memory) {
    record.key = std::move(r.key);
    return Fail(record, requested,
                Status(ErrorCode::kMessageTooLarge,
                       "The message is " + std::to_string(size) +
                           " bytes when serialized which is larger than " +
                           (size > config_.max_request_size ? "max.request.size"
                                                            : "buffer.memory")),
                callback);
  }
  // Partition: the record's, a custom partitioner's, murmur2 of the key,
  // or -1 for the built-in sticky choice inside the accumulator.
  const TopicPartitions& tp = **partitions;
  int32_t partition = requested;
  if (partition < 0 && config_.partitioner) {
    partition = config_.partitioner->Partition(record.topic, r.key, tp.count);
    if (partition >= tp.count) partition = -1;
  }
  if (partition < 0 && r.key && !config_.partitioner_ignore_keys) {
    partition = DefaultPartitionForKey(*r.key, tp.count);
  }
  // [producer-send]
  // With interceptors, the batch calls them before the user's callback.
  // Without, the user's callback goes in as it is (no wrapper per record).
  SendCallback wrapped;
  if (!config_.interceptors.empty()) {
    wrapped = [interceptors = config_.interceptors, cb = callback](
                  const RecordMetadata& m, const Status& s) {
      NotifyInterceptors(interceptors, m, s);
      if (cb) cb(m, s);
    };
  }
  const SendCallback& on_done = wrapped ? wrapped : callback;
  // [producer-send-append]
  auto result = accumulator_.Append(record.topic, partition, r, on_done,
                                    remaining_ms, tp.count, tp.available);
  if (!result.status.ok()) {
    record.key = std::move(r.key);
    return Fail(record, partition, result.status, callback);  // notifies once
  }
  if (result.batch_is_full || result.new_batch_created) sender_.Wakeup();
  return std::move(result.future);
  // [producer-send-append]
}

Result<std::shared_ptr<const KafkaProducerCore::TopicPartitions>> KafkaProducerCore::WaitOnMetadata(
    const std::string& topic, std::optional<int32_t> partition, int64_t* remaining_ms) {
  using Out = Result<std::shared_ptr<const TopicPartitions>>;
  {
    // The common case: known topic, metadata unchanged — first this
    // thread's last lookup (no lock), then the cache. The topic set only
    // grows, so a topic in the cache was Add()ed already.
    int64_t version = metadata_.version();
    LastLookup& last = ThreadLastLookup();
    if (last.producer_id == producer_id_ && last.version == version &&
        last.topic == topic &&
        (!partition || *partition < last.partitions->count)) {
      return last.partitions;
    }
    std::lock_guard lock(cache_mu_);
    auto it = cache_.find(topic);
    if (it != cache_.end() && it->second.first == version &&
        (!partition || *partition < it->second.second->count)) {
      last.producer_id = producer_id_;
      last.version = version;
      last.topic = topic;
      last.partitions = it->second.second;
      return it->second.second;
    }
  }
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::milliseconds(*remaining_ms);
  auto waited = [&] {
    *remaining_ms = std::max<int64_t>(
        0, std::chrono::duration_cast<std::chrono::milliseconds>(
               deadline - std::chrono::steady_clock::now())
               .count());
  };
  metadata_.Add(topic);
  for (;;) {
    int64_t version = metadata_.version();
    {
      std::lock_guard lock(cache_mu_);
      auto it = cache_.find(topic);
      if (it != cache_.end() && it->second.first == version &&
          (!partition || *partition < it->second.second->count)) {
        waited();
        return it->second.second;
      }
    }
    std::optional<TopicMetadata> t = metadata_.cluster().Topic(topic);
    if (t && t->error == ErrorCode::kNone && !t->partitions.empty()) {
      auto info = std::make_shared<TopicPartitions>();
      info->count = int32_t(t->partitions.size());
      for (const auto& p : t->partitions) {
        if (p.leader >= 0) info->available.push_back(p.partition);
      }
      {
        std::lock_guard lock(cache_mu_);
        cache_[topic] = {version, info};
      }
      if (!partition || *partition < info->count) {
        waited();
        return std::shared_ptr<const TopicPartitions>(info);
      }
    } else if (t && t->error != ErrorCode::kNone &&
               t->error != ErrorCode::kUnknownTopicOrPartition &&
               t->error != ErrorCode::kLeaderNotAvailable) {
      return Out(t->error, "topic '" + topic + "'");
    }
    if (closed_) return Out(ErrorCode::kNetworkException, "producer closed");
    if (std::chrono::steady_clock::now() >= deadline) {
      return Out(ErrorCode::kRequestTimedOut,
                 partition ? "Partition " + std::to_string(*partition) + " of topic " + topic +
                                 " is not present in metadata after " +
                                 std::to_string(config_.max_block_ms) + " ms."
                           : "Topic " + topic + " not present in metadata after " +
                                 std::to_string(config_.max_block_ms) + " ms.");
    }
    metadata_.cluster().RequestUpdate();
    sender_.Wakeup();
    metadata_.AwaitUpdate(version, deadline);
  }
}

void KafkaProducerCore::Flush() {
  accumulator_.BeginFlush();
  sender_.Wakeup();
  accumulator_.AwaitFlushCompletion();
}

void KafkaProducerCore::Close(std::chrono::milliseconds timeout) {
  std::lock_guard close_lock(close_mu_);
  if (!sender_thread_.joinable()) return;
  closed_ = true;
  sender_.InitiateClose();
  {
    std::unique_lock lock(done_mu_);
    if (timeout == std::chrono::milliseconds::max()) {
      done_cv_.wait(lock, [this] { return sender_done_; });
    } else if (!done_cv_.wait_for(lock, timeout, [this] { return sender_done_; })) {
      sender_.ForceClose();
    }
  }
  sender_thread_.join();
  metadata_.Close();
  // The network fails what is still in flight; then those batches' buffers
  // are free, and whatever remains is failed.
  network_.Close();
  sender_.DrainCompletionsAfterClose();
  accumulator_.AbortIncompleteBatches(
      Status(ErrorCode::kNetworkException, "producer closed before the record was sent"));
}

Result<std::vector<ProducerPartitionInfo>> KafkaProducerCore::PartitionsFor(
    const std::string& topic) {
  int64_t remaining_ms = config_.max_block_ms;
  auto partitions = WaitOnMetadata(topic, std::nullopt, &remaining_ms);
  if (!partitions.ok()) return Result<std::vector<ProducerPartitionInfo>>(partitions.status());
  std::vector<ProducerPartitionInfo> out;
  if (auto t = metadata_.cluster().Topic(topic)) {
    for (const auto& p : t->partitions) {
      out.push_back(ProducerPartitionInfo{topic, p.partition, p.leader, p.replicas, p.isr});
    }
  }
  return out;
}

std::map<std::string, double> KafkaProducerCore::Metrics() const {
  const ProducerMetrics& m = metrics_;
  auto avg = [](int64_t total, int64_t count) { return count ? double(total) / count : 0.0; };
  return {
      {"record-send-total", double(m.record_send_total)},
      {"record-error-total", double(m.record_error_total)},
      {"record-retry-total", double(m.record_retry_total)},
      {"record-size-max", double(m.record_size_max)},
      {"batch-size-avg", avg(m.batch_bytes_total, m.batch_total)},
      {"batch-split-total", double(m.batch_split_total)},
      {"records-per-request-avg", avg(m.request_records_total, m.request_total)},
      {"request-total", double(m.request_total)},
      {"response-total", double(m.response_total)},
      {"request-latency-avg", avg(m.request_latency_ns_total, m.response_total) / 1e6},
      {"request-latency-max", double(m.request_latency_ns_max) / 1e6},
      {"metadata-request-total", double(m.metadata_request_total)},
      {"bufferpool-wait-time-ns-total", double(pool_.WaitTimeNsTotal())},
      {"buffer-available-bytes", double(pool_.AvailableMemory())},
      {"buffer-total-bytes", double(pool_.total_memory())},
      {"waiting-threads", double(pool_.QueuedThreads())},
  };
}

}  // namespace gregor
