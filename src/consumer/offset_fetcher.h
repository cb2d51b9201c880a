// SPDX-License-Identifier: Apache-2.0
// OffsetFetcher: finds offsets by time through ListOffsets (Kafka's
// OffsetFetcher): the log start (EARLIEST, timestamp -2) or end (LATEST,
// -1) for partitions awaiting a reset, and the same lookups for
// SeekToBeginning/SeekToEnd.
//
// ResetPositionsIfNeeded() sends one ListOffsets request per leader for
// the partitions in AWAIT_RESET that have no lookup in flight and whose
// retry backoff has passed; the answer Seek()s the partition, unless it
// was sought or reassigned meanwhile (its epoch moved). A failed lookup
// is retried after retry.backoff.ms, refreshing metadata for "stale map"
// errors. A partition awaiting a reset with strategy NONE is an error:
// OFFSET_OUT_OF_RANGE (Kafka's NoOffsetForPartitionException).
//
// Thread model: the application thread only.
#pragma once

#include "client/metadata.h"
#include "consumer/consumer_network_client.h"
#include "consumer/subscription_state.h"
#include "gregor/consumer.h"

namespace gregor {

/// See the file comment.
class OffsetFetcher {
 public:
  /// Everything passed must outlive the OffsetFetcher.
  OffsetFetcher(const ConsumerConfig& config, ConsumerNetworkClient& client, Metadata& metadata,
                SubscriptionState& subscriptions)
      : config_(config), client_(client), metadata_(metadata), subscriptions_(subscriptions) {}

  /// Sends the lookups that can go now. Errors: OFFSET_OUT_OF_RANGE for a
  /// partition with no offset and no reset strategy.
  Status ResetPositionsIfNeeded();

 private:
  const ConsumerConfig& config_;
  ConsumerNetworkClient& client_;
  Metadata& metadata_;
  SubscriptionState& subscriptions_;
};

}  // namespace gregor
