// SPDX-License-Identifier: Apache-2.0
#include "consumer/fetcher.h"

#include <algorithm>

#include "common/logging.h"
#include "protocol/fetch.h"

namespace gregor {

Fetcher::Fetcher(const ConsumerConfig& config, ConsumerNetworkClient& client, Metadata& metadata,
                 SubscriptionState& subscriptions, ConsumerMetrics& metrics)
    : config_(config),
      client_(client),
      metadata_(metadata),
      subscriptions_(subscriptions),
      metrics_(metrics) {}

std::optional<int64_t> Fetcher::NextFetchOffset(const TopicPartition& tp,
                                                const TopicPartitionState& st) const {
  if (in_flight_.count(tp)) return std::nullopt;
  // The buffered fetches of this partition that are still current.
  const CompletedFetch* last = nullptr;
  int buffered = 0;
  for (const auto& cf : completed_) {
    if (cf->tp() == tp && cf->epoch() == st.epoch) {
      last = cf.get();
      ++buffered;
    }
  }
  if (buffered == 0) return st.position;
  if (buffered >= 2) return std::nullopt;  // two chunks ahead is enough
  return last->next_fetch_offset();
}

// [fetcher-send-fetches]
int Fetcher::SendFetches() {
  std::map<int32_t, std::map<TopicPartition, FetchTarget>> per_node;
  for (auto& [tp, st] : subscriptions_.states()) {
    if (st.paused || !st.HasValidPosition()) continue;
    auto leader = metadata_.Leader(tp.topic, tp.partition.value());
    if (!leader) {
      metadata_.RequestUpdate();
      continue;
    }
    if (nodes_with_pending_fetch_.count(leader->id)) continue;
    std::optional<int64_t> offset = NextFetchOffset(tp, st);
    if (!offset) continue;
    per_node[leader->id][tp] = FetchTarget{st.epoch, *offset};
  }
  // [fetcher-send-fetches]
  int sent = 0;
  for (auto& [node_id, targets] : per_node) {
    std::optional<Node> node = metadata_.NodeById(node_id);
    if (!node) continue;
    FetchRequest req;
    req.max_wait_ms = config_.fetch_max_wait_ms;
    req.min_bytes = config_.fetch_min_bytes;
    req.max_bytes = config_.fetch_max_bytes;
    req.isolation_level = config_.read_committed ? 1 : 0;
    for (const auto& [tp, target] : targets) {
      if (req.topics.empty() || req.topics.back().topic != tp.topic) {
        req.topics.push_back(FetchTopic{tp.topic, {}});
      }
      req.topics.back().partitions.push_back(FetchPartition{tp.partition.value(), -1, target.offset,
                                                            -1, config_.max_partition_fetch_bytes});
      in_flight_.insert(tp);
    }
    nodes_with_pending_fetch_.insert(node_id);
    ++metrics_.fetch_total;
    int64_t sent_ns = client_.clock().NowNs();
    ClientRequest r = MakeClientRequest(*node, std::move(req), nullptr);
    // The broker may hold the fetch for fetch.max.wait.ms.
    r.request_timeout_ms = config_.request_timeout_ms + config_.fetch_max_wait_ms;
    client_.Send(std::move(r), [this, node_id, targets = std::move(targets),
                                sent_ns](ClientResponse response) mutable {
      HandleFetchResponse(node_id, std::move(targets), sent_ns, response);
    });
    ++sent;
  }
  return sent;
}

void Fetcher::HandleFetchResponse(int32_t node, std::map<TopicPartition, FetchTarget> targets,
                                  int64_t sent_ns, const ClientResponse& response) {
  nodes_with_pending_fetch_.erase(node);
  for (const auto& [tp, target] : targets) in_flight_.erase(tp);
  metrics_.fetch_latency_ns_total += client_.clock().NowNs() - sent_ns;
  if (!response.status.ok()) {
    Logger("consumer")->debug("fetch failed node={} error={}", node, response.status.ToString());
    metadata_.RequestUpdate();
    return;
  }
  auto decoded = DecodeResponse<FetchResponse>(response);
  if (!decoded.ok()) {
    Logger("consumer")
        ->warn("bad fetch response node={} error={}", node, decoded.status().ToString());
    return;
  }
  if (decoded->error_code != ErrorCode::kNone) {
    Logger("consumer")->debug("fetch error node={} error={}", node, ErrorName(decoded->error_code));
    metadata_.RequestUpdate();
    return;
  }
  for (auto& topic : decoded->responses) {
    for (auto& p : topic.partitions) {
      TopicPartition tp{topic.topic, PartitionId(p.partition_index)};
      auto target = targets.find(tp);
      TopicPartitionState* st = subscriptions_.State(tp);
      if (target == targets.end() || !st || st->epoch != target->second.epoch ||
          !st->HasValidPosition()) {
        continue;  // reassigned, sought or reset since: stale
      }
      switch (p.error_code) {
        case ErrorCode::kNone:
          break;
        case ErrorCode::kOffsetOutOfRange:
          // Only an answer for the position counts; a prefetch beyond it
          // is simply fetched again from the position later.
          if (target->second.offset == st->position) {
            if (subscriptions_.default_reset() == OffsetResetStrategy::kNone) {
              pending_error_ = Status(ErrorCode::kOffsetOutOfRange,
                                      "Fetch position " + std::to_string(st->position) +
                                          " is out of range for partition " + tp.ToString());
            } else {
              Logger("consumer")
                  ->info("fetch offset {} out of range for {}, resetting", st->position,
                         tp.ToString());
              subscriptions_.RequestOffsetReset(tp);
            }
          }
          continue;
        default:
          if (!metadata_.HandleError(p.error_code)) {
            Logger("consumer")
                ->warn("fetch of {} failed: {}", tp.ToString(), ErrorName(p.error_code));
          }
          continue;
      }
      st->high_watermark = p.high_watermark;
      st->log_start_offset = p.log_start_offset;
      if (!p.records || p.records->empty()) continue;
      auto bytes = std::make_shared<const Bytes>(std::move(*p.records));
      auto cf = std::make_unique<CompletedFetch>(tp, target->second.epoch, target->second.offset,
                                                 std::move(bytes));
      if (cf->size_in_bytes() == 0) {
        // Not one whole batch: a batch larger than max.partition.fetch.bytes
        // (brokers since KIP-74 send the first batch whole, so rare).
        pending_error_ =
            Status(ErrorCode::kRecordListTooLarge, "fetch of " + tp.ToString() + " at " +
                                                       std::to_string(target->second.offset) +
                                                       " returned only a partial batch");
        continue;
      }
      metrics_.bytes_consumed_total += int64_t(cf->size_in_bytes());
      completed_.push_back(std::move(cf));
    }
  }
}

// [fetcher-collect-fetch]
Result<ByteRecords> Fetcher::CollectFetch() {
  ByteRecords out;
  int remaining = config_.max_poll_records;
  std::set<TopicPartition> skipped;  // paused: their later fetches wait too
  for (auto it = completed_.begin(); it != completed_.end() && remaining > 0;) {
    CompletedFetch& cf = **it;
    if (skipped.count(cf.tp())) {
      ++it;
      continue;
    }
    TopicPartitionState* st = subscriptions_.State(cf.tp());
    bool stale = !st || st->epoch != cf.epoch() || !st->HasValidPosition() ||
                 (!cf.started() && cf.fetch_offset() != st->position);
    if (stale) {
      it = completed_.erase(it);
      continue;
    }
    if (st->paused) {  // kept for Resume, as Kafka does
      skipped.insert(cf.tp());
      ++it;
      continue;
    }
    int64_t position = st->position;
    int32_t leader_epoch = st->position_leader_epoch;
    Result<int> n = cf.Drain(remaining, &position, &leader_epoch, out);
    subscriptions_.Advance(cf.tp(), position, leader_epoch);
    if (!n.ok()) {
      it = completed_.erase(it);
      if (out.empty()) return n.status();
      pending_error_ = n.status();
      break;
    }
    remaining -= *n;
    if (st->high_watermark >= 0) {
      int64_t lag = st->high_watermark - position;
      if (lag > metrics_.records_lag_max) metrics_.records_lag_max = lag;
    }
    if (cf.IsConsumed()) {
      it = completed_.erase(it);
    } else {
      ++it;
    }
  }
  metrics_.records_consumed_total += int64_t(out.count());
  if (out.empty() && pending_error_) {
    Status s = *pending_error_;
    pending_error_.reset();
    return s;
  }
  return out;
}
// [fetcher-collect-fetch]

}  // namespace gregor
