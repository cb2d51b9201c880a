// SPDX-License-Identifier: Apache-2.0
// The producer (Kafka's KafkaProducer): send records to topics, batched per
// partition, compressed, retried, acknowledged.
//
//   auto config = gregor::ProducerConfig::FromProperties(
//       {{"bootstrap.servers", "localhost:9092"}, {"linger.ms", "5"}});
//   auto producer = gregor::KafkaProducer<std::string, std::string>::Create(
//       *config, gregor::StringSerializer(), gregor::StringSerializer());
//   gregor::RecordFuture f = (*producer)->Send({"orders", "k1", "v1"},
//       [](const gregor::RecordMetadata& m, const gregor::Status& s) { ... });
//   (*producer)->Flush();
//   gregor::Result<gregor::RecordMetadata> m = f.Get();
//
// Send() serializes the key and value, picks a partition and appends the
// record to that partition's open batch in the RecordAccumulator, then
// returns at once; the Sender thread sends ready batches to each leader
// and completes every record's callback and future when the broker
// answers. Send() blocks only while the topic's metadata is unknown or
// buffer.memory is exhausted, and at most max.block.ms; then the record
// fails with REQUEST_TIMED_OUT (Kafka's TimeoutException).
//
// Callbacks run on the Sender thread, in the order the records were sent
// to one partition; they must be quick and must not call Flush() or
// Close(). A record Send() refuses itself (too large, metadata not there
// within max.block.ms, producer closed) fails at once: its callback runs
// on the caller's thread before Send() returns a completed future. Errors come as Kafka's codes: MESSAGE_TOO_LARGE,
// REQUEST_TIMED_OUT (delivery.timeout.ms or max.block.ms passed),
// UNKNOWN_TOPIC_OR_PARTITION, NETWORK_EXCEPTION, ... after retries.
//
// Thread-safe: any number of threads may Send() concurrently (records of
// one thread to one partition keep their order).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/errors.h"
#include "record/record.h"
#include "record/record_batch.h"

namespace gregor {

class ProducerInterceptor;
class Partitioner;

/// Producer settings: Kafka's property names and defaults, except where the
/// comment says otherwise (and chapter 03 says why).
struct ProducerConfig {
  std::string bootstrap_servers;             ///< bootstrap.servers, "host:port,..."
  std::string client_id = "gregor-producer";  ///< client.id
  int16_t acks = -1;                           ///< acks: 0, 1 or -1 ("all", Kafka 3.0+)
  int64_t linger_ms = 5;                       ///< linger.ms (Kafka 4.0's default, KIP-1030)
  int32_t batch_size = 16384;                  ///< batch.size
  int64_t buffer_memory = 32 * 1024 * 1024;    ///< buffer.memory
  int64_t max_block_ms = 60000;                ///< max.block.ms
  CompressionType compression_type = CompressionType::kNone;  ///< compression.type
  int32_t retries = 2147483647;                ///< retries
  int64_t retry_backoff_ms = 100;              ///< retry.backoff.ms
  int64_t retry_backoff_max_ms = 1000;         ///< retry.backoff.max.ms
  int64_t delivery_timeout_ms = 120000;        ///< delivery.timeout.ms
  int64_t request_timeout_ms = 30000;          ///< request.timeout.ms
  int32_t max_in_flight_requests_per_connection = 5;  ///< max.in.flight.requests.per.connection
  int32_t max_request_size = 1048576;          ///< max.request.size
  int64_t metadata_max_age_ms = 300000;        ///< metadata.max.age.ms
  bool partitioner_ignore_keys = false;        ///< partitioner.ignore.keys (KIP-794)
  bool partitioner_adaptive_partitioning_enable = true;  ///< partitioner.adaptive.partitioning.enable
  int64_t partitioner_availability_timeout_ms = 0;  ///< partitioner.availability.timeout.ms
  /// enable.idempotence: Kafka's default is true since 3.0; Gregor's is
  /// false until chapter 07 brings idempotence, and true is refused.
  bool enable_idempotence = false;
  /// interceptor.classes: called in order around every record.
  std::vector<std::shared_ptr<ProducerInterceptor>> interceptors;
  /// partitioner.class: null means the built-in partitioner (KIP-794).
  std::shared_ptr<Partitioner> partitioner;

  /// Reads Kafka-named properties ("acks" may be "all", "-1", "0", "1";
  /// "compression.type" none|gzip|snappy|lz4|zstd). Unknown keys are
  /// warned about and ignored, as Kafka does. Errors: INVALID_CONFIG,
  /// naming the key.
  static Result<ProducerConfig> FromProperties(const std::map<std::string, std::string>& props);
};

/// Where an acknowledged record landed (Kafka's RecordMetadata).
struct RecordMetadata {
  std::string topic;                ///< the topic
  int32_t partition = -1;           ///< the partition
  int64_t offset = -1;              ///< its offset; -1 with acks=0
  int64_t timestamp = -1;           ///< CreateTime sent, or the broker's LogAppendTime
  int32_t serialized_key_size = -1;    ///< -1 for a null key
  int32_t serialized_value_size = -1;  ///< -1 for a null value
};

/// Runs once per record when it is acknowledged or has failed.
using SendCallback = std::function<void(const RecordMetadata&, const Status&)>;

/// A record before serialization (Kafka's ProducerRecord). Null key or value
/// is nullopt; no partition means the partitioner chooses; no timestamp
/// means now (CreateTime).
template <class K, class V>
struct ProducerRecord {
  std::string topic;                    ///< the topic
  std::optional<K> key;                 ///< the key, or null
  std::optional<V> value;               ///< the value, or null (a tombstone)
  std::optional<int32_t> partition;     ///< a chosen partition
  std::optional<int64_t> timestamp;     ///< ms since the epoch
  std::vector<Header> headers;          ///< headers, in order

  ProducerRecord() = default;
  /// A record with a key and a value.
  ProducerRecord(std::string t, std::optional<K> k, std::optional<V> v)
      : topic(std::move(t)), key(std::move(k)), value(std::move(v)) {}
};

/// A record after serialization: what the partitioner, interceptors'
/// acknowledgements and the accumulator see.
using SerializedRecord = ProducerRecord<std::string, std::string>;

/// Turns a value into bytes (Kafka's Serializer); nullopt stays null.
template <class T>
using Serializer = std::function<std::optional<std::string>(const std::string& topic,
                                                            const std::optional<T>& data)>;

/// UTF-8 strings as they are (Kafka's StringSerializer).
Serializer<std::string> StringSerializer();
/// Big-endian 4 bytes (Kafka's IntegerSerializer).
Serializer<int32_t> IntegerSerializer();
/// Big-endian 8 bytes (Kafka's LongSerializer).
Serializer<int64_t> LongSerializer();

/// Called around every record (Kafka's ProducerInterceptor). Unlike Kafka's,
/// it sees the serialized record (one interface for every K and V). OnSend
/// may return a modified record; exceptions are caught and logged, never
/// propagated, as Kafka does. OnAcknowledgement runs on the Sender thread
/// before the record's callback.
class ProducerInterceptor {
 public:
  virtual ~ProducerInterceptor() = default;
  /// After serialization, before partitioning.
  virtual SerializedRecord OnSend(SerializedRecord record) { return record; }
  /// When the record is acknowledged or failed.
  virtual void OnAcknowledgement(const RecordMetadata& /*metadata*/, const Status& /*status*/) {}
};

/// Chooses a partition for a record (Kafka's Partitioner). Return -1 to
/// use the built-in choice (KIP-794) for this record.
class Partitioner {
 public:
  virtual ~Partitioner() = default;
  /// `key` is the serialized key (nullopt for null); `num_partitions` > 0.
  virtual int32_t Partition(const std::string& topic, const std::optional<std::string>& key,
                            int32_t num_partitions) = 0;
};

/// Kafka's default partition for a keyed record:
/// (murmur2(key) & 0x7fffffff) % num_partitions, as the Java client.
int32_t DefaultPartitionForKey(std::string_view key, int32_t num_partitions);
/// Kafka's murmur2 (seed 0x9747b28c), for tests and tools.
int32_t Murmur2(std::string_view data);

/// One partition of a topic as the producer sees it (Kafka's PartitionInfo).
struct ProducerPartitionInfo {
  std::string topic;              ///< the topic
  int32_t partition = 0;          ///< the partition
  int32_t leader = -1;            ///< leader node id, -1 if none
  std::vector<int32_t> replicas;  ///< replica node ids
  std::vector<int32_t> isr;       ///< in-sync replica node ids
};

/// Completes when the record is acknowledged or failed (Kafka's
/// FutureRecordMetadata): a reference to its batch's result, so a Send()
/// costs no allocation of its own.
class RecordFuture {
 public:
  /// The shared per-batch result (src/producer/produce_request_result.h).
  class State;
  RecordFuture() = default;
  /// Used by the producer; a future of record `index` of a batch result.
  RecordFuture(std::shared_ptr<State> state, int32_t index)
      : state_(std::move(state)), index_(index) {}
  /// Waits for the outcome.
  Result<RecordMetadata> Get() const;
  /// Waits at most `timeout`; REQUEST_TIMED_OUT if still pending.
  Result<RecordMetadata> GetFor(std::chrono::milliseconds timeout) const;
  /// True once the outcome is known.
  bool Ready() const;

 private:
  std::shared_ptr<State> state_;
  int32_t index_ = 0;
};

/// The producer on bytes: everything but serialization (KafkaProducer<K,V>
/// is a typed front on it). See the file comment.
class Producer {
 public:
  /// Starts the Sender thread; connects lazily. Errors: INVALID_CONFIG.
  static Result<std::unique_ptr<Producer>> Create(ProducerConfig config);
  /// Close()s with an unbounded wait for outstanding records.
  virtual ~Producer() = default;
  /// Appends `record` for sending; see the file comment.
  virtual RecordFuture Send(SerializedRecord record, SendCallback callback = nullptr) = 0;
  /// Makes every buffered record ready now and waits until all records sent
  /// before the call have completed. REQUIRES: not from a callback.
  virtual void Flush() = 0;
  /// Stops accepting records, sends what is buffered for up to `timeout`,
  /// fails the rest, joins the Sender. Idempotent. REQUIRES: not from a
  /// callback.
  virtual void Close(std::chrono::milliseconds timeout = std::chrono::milliseconds::max()) = 0;
  /// The topic's partitions, fetching metadata if needed (up to max.block.ms).
  virtual Result<std::vector<ProducerPartitionInfo>> PartitionsFor(const std::string& topic) = 0;
  /// Kafka-named metrics (record-send-total, record-error-total,
  /// record-retry-total, batch-size-avg, records-per-request-avg,
  /// request-latency-avg, bufferpool-wait-time-ns-total, buffer-available-bytes ...).
  virtual std::map<std::string, double> Metrics() const = 0;
};

/// The typed producer: interceptors and serializers in front of Producer.
template <class K, class V>
class KafkaProducer {
 public:
  /// Builds the byte producer. Errors: INVALID_CONFIG.
  static Result<std::unique_ptr<KafkaProducer>> Create(ProducerConfig config,
                                                       Serializer<K> key_serializer,
                                                       Serializer<V> value_serializer) {
    auto inner = Producer::Create(std::move(config));
    if (!inner.ok()) return inner.status();
    return std::unique_ptr<KafkaProducer>(new KafkaProducer(
        std::move(*inner), std::move(key_serializer), std::move(value_serializer)));
  }

  /// Serializes and sends; see Producer::Send.
  RecordFuture Send(const ProducerRecord<K, V>& record, SendCallback callback = nullptr) {
    SerializedRecord r;
    r.topic = record.topic;
    r.key = key_serializer_(record.topic, record.key);
    r.value = value_serializer_(record.topic, record.value);
    r.partition = record.partition;
    r.timestamp = record.timestamp;
    r.headers = record.headers;
    return inner_->Send(std::move(r), std::move(callback));
  }
  /// See Producer::Flush.
  void Flush() { inner_->Flush(); }
  /// See Producer::Close.
  void Close(std::chrono::milliseconds timeout = std::chrono::milliseconds::max()) {
    inner_->Close(timeout);
  }
  /// See Producer::PartitionsFor.
  Result<std::vector<ProducerPartitionInfo>> PartitionsFor(const std::string& topic) {
    return inner_->PartitionsFor(topic);
  }
  /// See Producer::Metrics.
  std::map<std::string, double> Metrics() const { return inner_->Metrics(); }

 private:
  KafkaProducer(std::unique_ptr<Producer> inner, Serializer<K> k, Serializer<V> v)
      : inner_(std::move(inner)), key_serializer_(std::move(k)), value_serializer_(std::move(v)) {}

  std::unique_ptr<Producer> inner_;
  Serializer<K> key_serializer_;
  Serializer<V> value_serializer_;
};

}  // namespace gregor
