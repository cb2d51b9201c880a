// SPDX-License-Identifier: Apache-2.0
// Fetcher: turns the assignment into Fetch requests and their responses
// into records (Kafka's Fetcher / AbstractFetch / FetchCollector).
//
// SendFetches() builds one Fetch request per leader for the fetchable
// partitions (SubscriptionState::IsFetchable) whose leader has no Fetch in
// flight, each partition asking for max.partition.fetch.bytes and the
// whole request for fetch.max.bytes, fetch.min.bytes and
// fetch.max.wait.ms. Its response becomes one CompletedFetch per
// partition with records, buffered until CollectFetch() hands them out,
// at most max.poll.records per call across partitions.
//
// Prefetch. Kafka fetches a partition again only once its buffered data is
// drained. Gregor goes one step further: a partition with one buffered
// fetch may be fetched again from that fetch's end (next_fetch_offset), so
// the broker reads the next chunk while the application works through the
// current one; at most two fetches' worth is buffered per partition.
// Every fetch remembers the partition's epoch and starting offset; data
// whose epoch changed (Seek, reset, reassignment) or whose start no longer
// meets the position is dropped unread.
//
// Errors in a response: OFFSET_OUT_OF_RANGE for the current position asks
// for a reset by auto.offset.reset (or, with "none", is returned by the
// next CollectFetch); NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION
// and the like ask for a metadata refresh; the partition is fetched again
// after that.
//
// Thread model: the application thread only (handlers run inside
// ConsumerNetworkClient::Poll).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "client/metadata.h"
#include "consumer/completed_fetch.h"
#include "consumer/consumer_metrics.h"
#include "consumer/consumer_network_client.h"
#include "consumer/subscription_state.h"
#include "gregor/consumer.h"

namespace gregor {

/// See the file comment.
class Fetcher {
 public:
  /// Everything passed must outlive the Fetcher.
  Fetcher(const ConsumerConfig& config, ConsumerNetworkClient& client, Metadata& metadata,
          SubscriptionState& subscriptions, ConsumerMetrics& metrics);

  /// Sends the Fetch requests that can go now; returns how many.
  int SendFetches();
  /// Up to max.poll.records buffered records. Errors: a pending error of a
  /// partition (OFFSET_OUT_OF_RANGE with no reset strategy,
  /// CORRUPT_MESSAGE), returned once; records before it stay buffered.
  Result<ByteRecords> CollectFetch();
  /// True if CollectFetch would return records or an error now.
  bool HasCompletedFetches() const { return !completed_.empty() || pending_error_.has_value(); }
  /// Fetch requests in flight.
  int InFlight() const { return int(nodes_with_pending_fetch_.size()); }

 private:
  /// What a sent fetch asked for, per partition.
  struct FetchTarget {
    uint64_t epoch;
    int64_t offset;
  };

  void HandleFetchResponse(int32_t node, std::map<TopicPartition, FetchTarget> targets,
                           int64_t sent_ns, const ClientResponse& response);
  // Where the next fetch of `tp` starts, or nullopt if it must wait.
  std::optional<int64_t> NextFetchOffset(const TopicPartition& tp,
                                         const TopicPartitionState& st) const;

  const ConsumerConfig& config_;
  ConsumerNetworkClient& client_;
  Metadata& metadata_;
  SubscriptionState& subscriptions_;
  ConsumerMetrics& metrics_;

  std::deque<std::unique_ptr<CompletedFetch>> completed_;
  std::set<int32_t> nodes_with_pending_fetch_;
  std::set<TopicPartition> in_flight_;
  std::optional<Status> pending_error_;
};

}  // namespace gregor
