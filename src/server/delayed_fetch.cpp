// SPDX-License-Identifier: Apache-2.0
#include "server/delayed_fetch.h"

#include <algorithm>

namespace gregor {

DelayedFetch::DelayedFetch(std::shared_ptr<const FetchRequest> fetch, ReplicaManager& replicas,
                           std::function<void()> on_complete)
    : DelayedOperation(std::max<int32_t>(fetch->max_wait_ms, 0)),
      fetch_(std::move(fetch)),
      replicas_(replicas),
      on_complete_(std::move(on_complete)) {}

std::vector<TopicPartition> DelayedFetch::Keys() const {
  std::vector<TopicPartition> keys;
  for (const FetchTopic& topic : fetch_->topics) {
    for (const FetchPartition& p : topic.partitions) {
      keys.push_back(TopicPartition{topic.topic, PartitionId{p.partition}});
    }
  }
  return keys;
}

// [delayed-fetch-try-complete]
bool DelayedFetch::TryComplete() {
  // LAB-02: BEGIN SOLUTION DelayedFetch::TryComplete
  // HINT: read every partition of fetch_ at its fetch offset through
  // HINT: replicas_.ReadRecords (min_one_message); an error on any one, or
  // HINT: at least fetch_->min_bytes in total, means ForceComplete();
  // HINT: otherwise return false and keep waiting.
  int64_t accumulated = 0;
  for (const FetchTopic& topic : fetch_->topics) {
    for (const FetchPartition& p : topic.partitions) {
      auto read = replicas_.ReadRecords(TopicPartition{topic.topic, PartitionId{p.partition}},
                                        p.fetch_offset, std::max(p.partition_max_bytes, 0),
                                        /*min_one_message=*/true);
      if (read.error != ErrorCode::kNone) return ForceComplete();
      accumulated += read.records.size;
    }
  }
  if (accumulated >= fetch_->min_bytes) return ForceComplete();
  return false;
  // LAB-02: END SOLUTION
}
// [delayed-fetch-try-complete]

void DelayedFetch::OnComplete() { on_complete_(); }

}  // namespace gregor
