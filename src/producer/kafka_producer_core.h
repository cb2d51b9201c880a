// SPDX-License-Identifier: Apache-2.0
// KafkaProducerCore: the Producer of include/gregor/producer.h (Kafka's
// KafkaProducer minus serialization, which KafkaProducer<K,V> does in
// front of it). It owns and wires the parts:
//
//   caller threads ── Send ──> interceptors ─> metadata wait ─> partition
//        ─> RecordAccumulator.Append ─(batch full or new)─> Sender.Wakeup
//   Sender thread ── Ready/Drain ─> NetworkClient ─> completions ─> callbacks
//
// Send() blocks only for topic metadata and for buffer memory, together at
// most max.block.ms. Records refused before the accumulator (too large,
// unknown topic after max.block.ms, closed producer) fail at once: the
// callback runs on the caller's thread and the future is already done.
//
// Close(timeout): stop taking records, let the Sender send what is
// buffered for up to `timeout`, then stop it, close the network (failing
// what is in flight) and fail whatever is left. Thread-safe throughout;
// Close and Flush must not be called from a callback.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "client/network_client.h"
#include "common/clock.h"
#include "gregor/producer.h"
#include "producer/buffer_pool.h"
#include "producer/kafka_client.h"
#include "producer/producer_metadata.h"
#include "producer/producer_metrics.h"
#include "producer/record_accumulator.h"
#include "producer/sender.h"

namespace gregor {

/// The byte-level producer; see the file comment.
class KafkaProducerCore : public Producer {
 public:
  /// REQUIRES: a validated config (Producer::Create checks it) and the
  /// parsed bootstrap servers. Starts the Sender thread.
  KafkaProducerCore(ProducerConfig config, std::vector<Node> bootstrap,
                    Clock& clock = SystemClock::Instance());
  ~KafkaProducerCore() override;

  RecordFuture Send(SerializedRecord record, SendCallback callback) override;
  void Flush() override;
  void Close(std::chrono::milliseconds timeout) override;
  Result<std::vector<ProducerPartitionInfo>> PartitionsFor(const std::string& topic) override;
  std::map<std::string, double> Metrics() const override;

 private:
  /// A topic's partitions as Send() needs them, cached per metadata version.
  struct TopicPartitions {
    int32_t count = 0;
    std::vector<int32_t> available;  // with a leader
  };

  // The topic's partitions, waiting for metadata up to *remaining_ms, from
  // which the time waited is taken (Kafka's waitOnMetadata). A topic known
  // at the current metadata version costs one lock and no clock read.
  Result<std::shared_ptr<const TopicPartitions>> WaitOnMetadata(
      const std::string& topic, std::optional<int32_t> partition, int64_t* remaining_ms);
  // Tells the interceptors, then `callback`, that the record failed.
  RecordFuture Fail(const SerializedRecord& record, int32_t partition, const Status& status,
                    const SendCallback& callback);
  // OnAcknowledgement of each interceptor; exceptions are logged, as Kafka.
  static void NotifyInterceptors(
      const std::vector<std::shared_ptr<ProducerInterceptor>>& interceptors,
      const RecordMetadata& m, const Status& status);

  const ProducerConfig config_;
  Clock& clock_;
  ProducerMetrics metrics_;
  ProducerMetadata metadata_;
  NetworkClient network_;
  NetworkKafkaClient client_;
  BufferPool pool_;
  RecordAccumulator accumulator_;
  Sender sender_;

  /// The calling thread's last lookup in cache_ (one per thread, for
  /// whichever producer it used last): a Send() that repeats it takes no
  /// lock. `producer_id` tells producers apart (an address could be reused).
  struct LastLookup {
    uint64_t producer_id = 0;
    int64_t version = -1;
    std::string topic;
    std::shared_ptr<const TopicPartitions> partitions;
  };
  static LastLookup& ThreadLastLookup();  // thread_local
  static inline std::atomic<uint64_t> next_producer_id_{1};
  const uint64_t producer_id_ = next_producer_id_++;

  std::mutex cache_mu_;
  // Guarded by cache_mu_: (metadata version, partitions) per topic.
  std::unordered_map<std::string, std::pair<int64_t, std::shared_ptr<const TopicPartitions>>>
      cache_;

  std::atomic<bool> closed_{false};
  std::mutex close_mu_;  // serializes Close()
  std::mutex done_mu_;
  std::condition_variable done_cv_;
  bool sender_done_ = false;  // Guarded by done_mu_
  std::thread sender_thread_;  // last: starts after everything above exists
};

}  // namespace gregor
