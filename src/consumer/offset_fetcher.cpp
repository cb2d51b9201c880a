// SPDX-License-Identifier: Apache-2.0
#include "consumer/offset_fetcher.h"

#include <map>

#include "common/logging.h"
#include "protocol/list_offsets.h"

namespace gregor {

Status OffsetFetcher::ResetPositionsIfNeeded() {
  int64_t now = client_.clock().NowMs();
  std::map<int32_t, std::map<TopicPartition, uint64_t>> per_node;  // -> epoch
  for (auto& [tp, st] : subscriptions_.states()) {
    if (st.state != FetchState::kAwaitReset || st.lookup_in_flight || now < st.next_retry_ms) {
      continue;
    }
    if (st.reset_strategy == OffsetResetStrategy::kNone) {
      return Status(ErrorCode::kOffsetOutOfRange,
                    "Undefined offset with no reset policy for partition: " + tp.ToString());
    }
    std::optional<Node> leader = metadata_.Leader(tp.topic, tp.partition.value());
    if (!leader) {
      metadata_.RequestUpdate();
      st.next_retry_ms = now + config_.retry_backoff_ms;
      continue;
    }
    per_node[leader->id][tp] = st.epoch;
  }
  for (auto& [node_id, partitions] : per_node) {
    std::optional<Node> node = metadata_.NodeById(node_id);
    if (!node) continue;
    ListOffsetsRequest req;
    req.isolation_level = config_.read_committed ? 1 : 0;
    for (const auto& [tp, epoch] : partitions) {
      TopicPartitionState* st = subscriptions_.State(tp);
      st->lookup_in_flight = true;
      if (req.topics.empty() || req.topics.back().name != tp.topic) {
        req.topics.push_back(ListOffsetsTopic{tp.topic, {}});
      }
      int64_t ts = st->reset_strategy == OffsetResetStrategy::kEarliest ? kListOffsetsEarliest
                                                                        : kListOffsetsLatest;
      req.topics.back().partitions.push_back(ListOffsetsPartition{tp.partition.value(), ts});
    }
    client_.Send(MakeClientRequest(*node, std::move(req), nullptr), [this, partitions = std::move(
                                                                               partitions)](
                                                                        ClientResponse response) {
      int64_t at = client_.clock().NowMs();
      auto decoded = DecodeResponse<ListOffsetsResponse>(response);
      std::map<TopicPartition, const ListOffsetsPartitionResponse*> answers;
      if (decoded.ok()) {
        for (const auto& t : decoded->topics) {
          for (const auto& p : t.partitions) {
            answers[TopicPartition{t.name, PartitionId(p.partition_index)}] = &p;
          }
        }
      } else {
        metadata_.RequestUpdate();
      }
      for (const auto& [tp, epoch] : partitions) {
        TopicPartitionState* st = subscriptions_.State(tp);
        if (!st || st->epoch != epoch || st->state != FetchState::kAwaitReset) continue;
        st->lookup_in_flight = false;
        auto it = answers.find(tp);
        if (it != answers.end() && it->second->error_code == ErrorCode::kNone &&
            it->second->offset >= 0) {
          Logger("consumer")->debug("reset offset of {} to {}", tp.ToString(), it->second->offset);
          subscriptions_.Seek(tp, it->second->offset);
          continue;
        }
        if (it != answers.end()) metadata_.HandleError(it->second->error_code);
        st->next_retry_ms = at + config_.retry_backoff_ms;
      }
    });
  }
  return Status::Ok();
}

}  // namespace gregor
