// SPDX-License-Identifier: Apache-2.0
// The consumer (Kafka's KafkaConsumer): read records from partitions it is
// given (Assign) or that a consumer group gives it (Subscribe).
//
//   auto config = gregor::ConsumerConfig::FromProperties(
//       {{"bootstrap.servers", "localhost:9092"}, {"group.id", "g"}});
//   auto consumer = gregor::KafkaConsumer<std::string, std::string>::Create(
//       *config, gregor::StringDeserializer(), gregor::StringDeserializer());
//   (*consumer)->Subscribe({"orders"});
//   for (;;) {
//     auto records = (*consumer)->Poll(std::chrono::milliseconds(100));
//     if (!records.ok()) break;  // e.g. IsWakeup(records.status())
//     for (const auto& r : *records) Use(r.key, r.value);
//   }
//   (*consumer)->Close();
//
// Poll() is where everything happens, on the caller's thread: it joins the
// group and heartbeats its progress (ConsumerCoordinator), finds the
// starting offset of new partitions (committed offset, else
// auto.offset.reset via ListOffsets), sends Fetch requests to the leaders
// (Fetcher) and hands back what they returned, at most max.poll.records at
// a time. It sends the next fetches before returning, so the broker reads
// while the application works. A background thread only heartbeats.
// Poll() never blocks on a rebalance: it sends JoinGroup/SyncGroup and
// goes on (a cooperative member keeps fetching what it owns meanwhile).
//
// Memory: records are not copied out of the fetched bytes. A
// ConsumerRecords holds the response buffers (and decompressed batches)
// its records view; the byte-level Consumer and StringViewDeserializer
// hand out those views, costing no allocation per record. Copying
// deserializers (StringDeserializer ...) copy only what they return.
//
// Errors come as Kafka's codes in a Status: OFFSET_OUT_OF_RANGE with
// auto.offset.reset=none (Kafka's NoOffsetForPartitionException),
// CORRUPT_MESSAGE (CRC or format), INVALID_REQUEST for calls that break the
// API's rules (Kafka's IllegalStateException), and Wakeup() makes the
// blocked or next call return OPERATION_NOT_ATTEMPTED (Kafka's
// WakeupException; see IsWakeup).
//
// Thread model, as Kafka's: one thread uses a consumer; only Wakeup() may
// be called from another thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/errors.h"
#include "record/record.h"
#include "record/record_batch.h"
#include "storage/topic_partition.h"

namespace gregor {

/// auto.offset.reset: where to start when there is no (valid) offset.
enum class OffsetResetStrategy { kLatest, kEarliest, kNone };

/// Consumer settings: Kafka's property names and defaults, except where the
/// comment says otherwise (chapter 06 says why).
struct ConsumerConfig {
  std::string bootstrap_servers;                 ///< bootstrap.servers
  std::string group_id;                          ///< group.id; "" = no group
  std::optional<std::string> group_instance_id;  ///< group.instance.id (KIP-345)
  std::string client_id = "gregor-consumer";     ///< client.id
  bool enable_auto_commit = true;                ///< enable.auto.commit
  int64_t auto_commit_interval_ms = 5000;        ///< auto.commit.interval.ms
  OffsetResetStrategy auto_offset_reset = OffsetResetStrategy::kLatest;  ///< auto.offset.reset
  int32_t fetch_min_bytes = 1;                                           ///< fetch.min.bytes
  int32_t fetch_max_bytes = 52428800;                                    ///< fetch.max.bytes
  int32_t fetch_max_wait_ms = 500;                                       ///< fetch.max.wait.ms
  int32_t max_partition_fetch_bytes = 1048576;  ///< max.partition.fetch.bytes
  int32_t max_poll_records = 500;               ///< max.poll.records
  int64_t max_poll_interval_ms = 300000;        ///< max.poll.interval.ms
  int32_t session_timeout_ms = 45000;           ///< session.timeout.ms
  int64_t heartbeat_interval_ms = 3000;         ///< heartbeat.interval.ms
  /// partition.assignment.strategy, in preference order (range,
  /// roundrobin, sticky, cooperative-sticky; Java class names are read by
  /// their simple name). Kafka 3.x's default, [range, cooperative-sticky]:
  /// the group picks range while any member lacks cooperative-sticky, and
  /// the protocol stays eager; ["cooperative-sticky"] alone is cooperative.
  std::vector<std::string> partition_assignment_strategy = {"range", "cooperative-sticky"};
  int64_t request_timeout_ms = 30000;      ///< request.timeout.ms
  int64_t retry_backoff_ms = 100;          ///< retry.backoff.ms
  int64_t metadata_max_age_ms = 300000;    ///< metadata.max.age.ms
  int64_t default_api_timeout_ms = 60000;  ///< default.api.timeout.ms
  /// isolation.level: read_uncommitted; read_committed is refused until
  /// chapter 07 brings transactions.
  bool read_committed = false;
  /// check.crcs: Gregor always checks (the batch decoder validates every
  /// batch); false is accepted and ignored.
  bool check_crcs = true;
  bool exclude_internal_topics = true;  ///< exclude.internal.topics

  /// Reads Kafka-named properties; unknown keys are warned about and
  /// ignored, as Kafka does. Errors: INVALID_CONFIG naming the key.
  static Result<ConsumerConfig> FromProperties(const std::map<std::string, std::string>& props);
};

/// A committed offset (Kafka's OffsetAndMetadata).
struct OffsetAndMetadata {
  int64_t offset = -1;        ///< the next offset to consume
  std::string metadata;       ///< free text kept with it
  int32_t leader_epoch = -1;  ///< -1 if unknown
  bool operator==(const OffsetAndMetadata&) const = default;
};
/// The same type; the name the admin tools use.
using ConsumerOffsetAndMetadata = OffsetAndMetadata;

/// One record as Poll() returns it (Kafka's ConsumerRecord). `topic` and
/// `headers` are views, and so are keys and values of type string_view
/// (the byte-level consumer, or StringViewDeserializer): they point into
/// the fetched bytes and are valid while the ConsumerRecords that returned
/// them lives. A record costs no allocation of its own.
template <class K, class V>
struct ConsumerRecord {
  std::string_view topic;                                     ///< the topic
  int32_t partition = 0;                                      ///< the partition
  int64_t offset = 0;                                         ///< its offset
  int64_t timestamp = -1;                                     ///< ms since the epoch
  TimestampType timestamp_type = TimestampType::kCreateTime;  ///< whose clock
  int32_t serialized_key_size = -1;                           ///< -1 for a null key
  int32_t serialized_value_size = -1;                         ///< -1 for a null value
  std::optional<K> key;                                       ///< the key, or null
  std::optional<V> value;                                     ///< the value, or null
  std::vector<HeaderView> headers;                            ///< views, in order
  int32_t leader_epoch = -1;                                  ///< the batch's partitionLeaderEpoch
};

/// What one Poll() returned (Kafka's ConsumerRecords): records grouped by
/// partition, in offset order within each, plus the fetched buffers they
/// view (kept alive by this object). Move-only.
template <class K, class V>
class ConsumerRecords {
 public:
  using Record = ConsumerRecord<K, V>;
  ConsumerRecords() = default;
  ConsumerRecords(ConsumerRecords&&) noexcept = default;
  ConsumerRecords& operator=(ConsumerRecords&&) noexcept = default;
  ConsumerRecords(const ConsumerRecords&) = delete;
  ConsumerRecords& operator=(const ConsumerRecords&) = delete;

  size_t count() const { return records_.size(); }
  bool empty() const { return records_.empty(); }
  auto begin() const { return records_.begin(); }
  auto end() const { return records_.end(); }
  const Record& operator[](size_t i) const { return records_[i]; }
  /// The partitions with records, in the order they were returned.
  std::vector<TopicPartition> partitions() const {
    std::vector<TopicPartition> out;
    for (const auto& r : ranges_) out.push_back(r.tp);
    return out;
  }
  /// The records of one partition (empty if none).
  std::span<const Record> records(const TopicPartition& tp) const {
    for (const auto& r : ranges_) {
      if (r.tp == tp) return std::span<const Record>(records_).subspan(r.begin, r.end - r.begin);
    }
    return {};
  }

  /// Mutable access, for the consumer that builds them.
  Record& at(size_t i) { return records_[i]; }

  // For the consumer that builds them: append a record of a partition,
  // keep a buffer alive, share another object's buffers.
  Record& Append(std::string_view topic, int32_t partition) {
    if (ranges_.empty() || ranges_.back().tp.partition.value() != partition ||
        ranges_.back().tp.topic != topic) {
      ranges_.push_back(Range{TopicPartition{std::string(topic), PartitionId(partition)},
                              records_.size(), records_.size()});
    }
    ++ranges_.back().end;
    return records_.emplace_back();
  }
  Record& Append(const TopicPartition& tp) { return Append(tp.topic, tp.partition.value()); }
  /// Drops records from index `n` on (a deserialization error).
  void Truncate(size_t n) {
    records_.resize(n);
    while (!ranges_.empty() && ranges_.back().begin >= n) ranges_.pop_back();
    if (!ranges_.empty()) ranges_.back().end = std::min(ranges_.back().end, n);
  }
  void Reserve(size_t n) { records_.reserve(n); }
  void KeepAlive(std::shared_ptr<const void> buffer) {
    // Callers alternate a few buffers (records, topic name): look back a
    // little so each is kept once.
    size_t n = keep_alive_.size();
    for (size_t i = n > 4 ? n - 4 : 0; i < n; ++i) {
      if (keep_alive_[i] == buffer) return;
    }
    keep_alive_.push_back(std::move(buffer));
  }
  const std::vector<std::shared_ptr<const void>>& keep_alive() const { return keep_alive_; }

 private:
  struct Range {
    TopicPartition tp;
    size_t begin, end;
  };
  std::vector<Record> records_;
  std::vector<Range> ranges_;
  std::vector<std::shared_ptr<const void>> keep_alive_;
};

/// What the byte-level consumer returns: keys and values as views.
using ByteRecords = ConsumerRecords<std::string_view, std::string_view>;

/// Turns bytes into a value (Kafka's Deserializer); null stays null. An
/// error (e.g. an IntegerDeserializer given 3 bytes) stops Poll() at that
/// record, as Kafka's RecordDeserializationException does.
template <class T>
using Deserializer = std::function<Result<std::optional<T>>(std::string_view topic,
                                                            std::optional<std::string_view> data)>;

/// UTF-8 strings, copied (Kafka's StringDeserializer).
Deserializer<std::string> StringDeserializer();
/// Big-endian 4 bytes (Kafka's IntegerDeserializer).
Deserializer<int32_t> IntegerDeserializer();
/// Big-endian 8 bytes (Kafka's LongDeserializer).
Deserializer<int64_t> LongDeserializer();
/// The bytes, copied (Kafka's ByteArrayDeserializer).
Deserializer<std::string> ByteArrayDeserializer();
/// The bytes, not copied: a view valid while the ConsumerRecords lives.
Deserializer<std::string_view> StringViewDeserializer();

/// True for the status Poll() and the blocking calls return after Wakeup().
inline bool IsWakeup(const Status& s) { return s.code() == ErrorCode::kOperationNotAttempted; }

/// Told when the group moves partitions (Kafka's ConsumerRebalanceListener).
/// Called on the thread inside Poll() (or Close/Unsubscribe).
class ConsumerRebalanceListener {
 public:
  virtual ~ConsumerRebalanceListener() = default;
  /// Before a rebalance takes `partitions` away: commit their offsets now.
  virtual void OnPartitionsRevoked(const std::vector<TopicPartition>& partitions) = 0;
  /// After a rebalance gave `partitions` (eager: the whole new assignment).
  virtual void OnPartitionsAssigned(const std::vector<TopicPartition>& partitions) = 0;
  /// The member was kicked out: `partitions` are owned by others already.
  virtual void OnPartitionsLost(const std::vector<TopicPartition>& partitions) {
    OnPartitionsRevoked(partitions);
  }
};

/// Runs when an asynchronous commit completes (Kafka's OffsetCommitCallback).
using OffsetCommitCallback =
    std::function<void(const std::map<TopicPartition, OffsetAndMetadata>&, const Status&)>;

/// One partition as the consumer sees it (Kafka's PartitionInfo).
struct ConsumerPartitionInfo {
  std::string topic;              ///< the topic
  int32_t partition = 0;          ///< the partition
  int32_t leader = -1;            ///< leader node id, -1 if none
  std::vector<int32_t> replicas;  ///< replica node ids
  std::vector<int32_t> isr;       ///< in-sync replica node ids
};

/// The consumer on bytes: everything but deserialization (KafkaConsumer<K,V>
/// is a typed front on it). See the file comment for the model; errors and
/// REQUIREs per call below.
class Consumer {
 public:
  using Ms = std::chrono::milliseconds;
  /// Connects lazily. Errors: INVALID_CONFIG.
  static Result<std::unique_ptr<Consumer>> Create(ConsumerConfig config);
  /// Close()s with default.api.timeout.ms.
  virtual ~Consumer() = default;

  /// Takes exactly these partitions, no group management (Kafka's assign);
  /// an empty list is Unsubscribe(). Errors: INVALID_REQUEST while
  /// subscribed.
  virtual Status Assign(const std::vector<TopicPartition>& partitions) = 0;
  /// Joins group.id for these topics (Kafka's subscribe(Collection)).
  /// Errors: INVALID_REQUEST while assigned, INVALID_GROUP_ID without
  /// group.id.
  virtual Status Subscribe(const std::vector<std::string>& topics,
                           std::shared_ptr<ConsumerRebalanceListener> listener = nullptr) = 0;
  /// Joins group.id for every topic whose whole name matches `pattern`,
  /// rechecked at each metadata refresh. Errors: as Subscribe.
  virtual Status Subscribe(const std::regex& pattern,
                           std::shared_ptr<ConsumerRebalanceListener> listener = nullptr) = 0;
  /// Subscribe({"a", "b"}): a list, not a pattern.
  Status Subscribe(std::initializer_list<std::string> topics,
                   std::shared_ptr<ConsumerRebalanceListener> listener = nullptr) {
    return Subscribe(std::vector<std::string>(topics), std::move(listener));
  }
  /// Leaves the group (if any) and drops every partition.
  virtual void Unsubscribe() = 0;
  /// The partitions currently assigned.
  virtual std::set<TopicPartition> Assignment() const = 0;
  /// The subscribed topics (for a pattern, those that matched).
  virtual std::set<std::string> Subscription() const = 0;

  /// Fetches records, waiting up to `timeout` for some; see the file
  /// comment. Errors: as the file comment; INVALID_REQUEST when neither
  /// assigned nor subscribed.
  virtual Result<ByteRecords> Poll(Ms timeout) = 0;

  /// The next Poll() reads `tp` from `offset`. REQUIRES: tp assigned
  /// (else INVALID_REQUEST).
  virtual Status Seek(const TopicPartition& tp, int64_t offset) = 0;
  /// The next Poll() reads from the log start (empty: every assigned partition).
  virtual Status SeekToBeginning(const std::vector<TopicPartition>& partitions) = 0;
  /// The next Poll() reads from the log end (empty: every assigned partition).
  virtual Status SeekToEnd(const std::vector<TopicPartition>& partitions) = 0;
  /// The offset of the next record Poll() would return for `tp`, looking it
  /// up (committed offset or reset) if unknown, within `timeout`.
  /// Errors: INVALID_REQUEST (not assigned), REQUEST_TIMED_OUT.
  virtual Result<int64_t> Position(const TopicPartition& tp, Ms timeout) = 0;
  /// The group's committed offsets for `partitions` (absent: none).
  /// Errors: INVALID_GROUP_ID without group.id, REQUEST_TIMED_OUT, others.
  virtual Result<std::map<TopicPartition, OffsetAndMetadata>> Committed(
      const std::set<TopicPartition>& partitions, Ms timeout) = 0;

  /// Commits the positions of every assigned partition and waits.
  virtual Status CommitSync(Ms timeout) = 0;
  /// Commits `offsets` and waits.
  virtual Status CommitSync(const std::map<TopicPartition, OffsetAndMetadata>& offsets,
                            Ms timeout) = 0;
  /// Commits the positions; `callback` runs inside a later Poll() or
  /// commit or Close().
  virtual void CommitAsync(OffsetCommitCallback callback = nullptr) = 0;
  /// Commits `offsets` asynchronously.
  virtual void CommitAsync(const std::map<TopicPartition, OffsetAndMetadata>& offsets,
                           OffsetCommitCallback callback) = 0;

  /// Stops fetching `partitions` until Resume (they stay assigned).
  virtual Status Pause(const std::vector<TopicPartition>& partitions) = 0;
  /// Fetches `partitions` again.
  virtual Status Resume(const std::vector<TopicPartition>& partitions) = 0;
  /// The paused partitions.
  virtual std::set<TopicPartition> Paused() const = 0;

  /// The topic's partitions, fetching metadata if needed.
  virtual Result<std::vector<ConsumerPartitionInfo>> PartitionsFor(const std::string& topic,
                                                                   Ms timeout) = 0;
  /// Makes the blocked (or next) Poll, CommitSync, Position or Committed
  /// return a wakeup status. The one call safe from any thread.
  virtual void Wakeup() = 0;
  /// Commits (auto commit on), leaves the group, closes connections; waits
  /// at most `timeout`. Idempotent.
  virtual void Close(Ms timeout = Ms(30000)) = 0;
  /// Kafka-named metrics (records-consumed-total, bytes-consumed-total,
  /// fetch-total, records-lag-max, commit-total, rebalance-total ...).
  virtual std::map<std::string, double> Metrics() const = 0;
};

/// The typed consumer: deserializers behind Consumer.
template <class K, class V>
class KafkaConsumer {
 public:
  using Ms = std::chrono::milliseconds;
  /// Builds the byte consumer. Errors: INVALID_CONFIG.
  static Result<std::unique_ptr<KafkaConsumer>> Create(ConsumerConfig config,
                                                       Deserializer<K> key_deserializer,
                                                       Deserializer<V> value_deserializer) {
    auto inner = Consumer::Create(std::move(config));
    if (!inner.ok()) return inner.status();
    return std::unique_ptr<KafkaConsumer>(new KafkaConsumer(
        std::move(*inner), std::move(key_deserializer), std::move(value_deserializer)));
  }

  /// Polls and deserializes. A record that fails to deserialize ends the
  /// batch before it; if it is the first, Poll returns its error and the
  /// position stays on it (Kafka's RecordDeserializationException).
  Result<ConsumerRecords<K, V>> Poll(Ms timeout) {
    auto raw = inner_->Poll(timeout);
    if (!raw.ok()) return raw.status();
    ConsumerRecords<K, V> out;
    out.Reserve(raw->count());
    for (const auto& b : raw->keep_alive()) out.KeepAlive(b);
    for (size_t i = 0; i < raw->count(); ++i) {
      ByteRecord& r = raw->at(i);
      auto k = key_deserializer_(r.topic, r.key);
      auto v =
          k.ok() ? value_deserializer_(r.topic, r.value) : Result<std::optional<V>>(k.status());
      if (!k.ok() || !v.ok()) {
        // Rewind each partition to its first record not handed out.
        TopicPartition tp{std::string(r.topic), PartitionId(r.partition)};
        std::set<TopicPartition> rewound;
        for (size_t j = i; j < raw->count(); ++j) {
          TopicPartition later{std::string((*raw)[j].topic), PartitionId((*raw)[j].partition)};
          if (rewound.insert(later).second) (void)inner_->Seek(later, (*raw)[j].offset);
        }
        if (i == 0) {
          Status s = k.ok() ? v.status() : k.status();
          return Status(s.code(), "error deserializing " + tp.ToString() + " at offset " +
                                      std::to_string(r.offset) + ": " + s.message());
        }
        return out;
      }
      auto& o = out.Append(r.topic, r.partition);
      o.topic = r.topic;
      o.partition = r.partition;
      o.offset = r.offset;
      o.timestamp = r.timestamp;
      o.timestamp_type = r.timestamp_type;
      o.serialized_key_size = r.serialized_key_size;
      o.serialized_value_size = r.serialized_value_size;
      o.key = std::move(*k);
      o.value = std::move(*v);
      o.headers = std::move(r.headers);
      o.leader_epoch = r.leader_epoch;
    }
    return out;
  }

  /// See Consumer.
  Status Assign(const std::vector<TopicPartition>& p) { return inner_->Assign(p); }
  Status Subscribe(const std::vector<std::string>& topics,
                   std::shared_ptr<ConsumerRebalanceListener> listener = nullptr) {
    return inner_->Subscribe(topics, std::move(listener));
  }
  Status Subscribe(const std::regex& pattern,
                   std::shared_ptr<ConsumerRebalanceListener> listener = nullptr) {
    return inner_->Subscribe(pattern, std::move(listener));
  }
  Status Subscribe(std::initializer_list<std::string> topics,
                   std::shared_ptr<ConsumerRebalanceListener> listener = nullptr) {
    return inner_->Subscribe(std::vector<std::string>(topics), std::move(listener));
  }
  void Unsubscribe() { inner_->Unsubscribe(); }
  std::set<TopicPartition> Assignment() const { return inner_->Assignment(); }
  std::set<std::string> Subscription() const { return inner_->Subscription(); }
  Status Seek(const TopicPartition& tp, int64_t offset) { return inner_->Seek(tp, offset); }
  Status SeekToBeginning(const std::vector<TopicPartition>& p = {}) {
    return inner_->SeekToBeginning(p);
  }
  Status SeekToEnd(const std::vector<TopicPartition>& p = {}) { return inner_->SeekToEnd(p); }
  Result<int64_t> Position(const TopicPartition& tp, Ms timeout = Ms(60000)) {
    return inner_->Position(tp, timeout);
  }
  Result<std::map<TopicPartition, OffsetAndMetadata>> Committed(const std::set<TopicPartition>& p,
                                                                Ms timeout = Ms(60000)) {
    return inner_->Committed(p, timeout);
  }
  Status CommitSync(Ms timeout = Ms(60000)) { return inner_->CommitSync(timeout); }
  Status CommitSync(const std::map<TopicPartition, OffsetAndMetadata>& offsets,
                    Ms timeout = Ms(60000)) {
    return inner_->CommitSync(offsets, timeout);
  }
  void CommitAsync(OffsetCommitCallback cb = nullptr) { inner_->CommitAsync(std::move(cb)); }
  void CommitAsync(const std::map<TopicPartition, OffsetAndMetadata>& offsets,
                   OffsetCommitCallback cb) {
    inner_->CommitAsync(offsets, std::move(cb));
  }
  Status Pause(const std::vector<TopicPartition>& p) { return inner_->Pause(p); }
  Status Resume(const std::vector<TopicPartition>& p) { return inner_->Resume(p); }
  std::set<TopicPartition> Paused() const { return inner_->Paused(); }
  Result<std::vector<ConsumerPartitionInfo>> PartitionsFor(const std::string& topic,
                                                           Ms timeout = Ms(60000)) {
    return inner_->PartitionsFor(topic, timeout);
  }
  void Wakeup() { inner_->Wakeup(); }
  void Close(Ms timeout = Ms(30000)) { inner_->Close(timeout); }
  std::map<std::string, double> Metrics() const { return inner_->Metrics(); }
  /// The byte consumer underneath.
  Consumer& bytes() { return *inner_; }

 private:
  using ByteRecord = ByteRecords::Record;
  KafkaConsumer(std::unique_ptr<Consumer> inner, Deserializer<K> k, Deserializer<V> v)
      : inner_(std::move(inner)),
        key_deserializer_(std::move(k)),
        value_deserializer_(std::move(v)) {}

  std::unique_ptr<Consumer> inner_;
  Deserializer<K> key_deserializer_;
  Deserializer<V> value_deserializer_;
};

}  // namespace gregor
