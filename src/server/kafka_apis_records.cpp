// SPDX-License-Identifier: Apache-2.0
// KafkaApis: Produce, Fetch and ListOffsets (kafka_apis.h), the data path.
// Each turns the request's partitions into ReplicaManager calls and the
// results into response entries; a partition's error never fails others.
#include <algorithm>

#include "common/logging.h"
#include "protocol/fetch.h"
#include "protocol/list_offsets.h"
#include "protocol/produce.h"
#include "server/kafka_apis.h"
#include "storage/topic_partition.h"

namespace gregor {

ApiResponse KafkaApis::HandleProduce(const ParsedRequest& req) {
  // Decode copies each partition's records into the request struct, which
  // we own: AppendRecords rewrites baseOffset in place in that copy.
  auto body = Decode<ProduceRequest>(req.body, req.header.api_version);
  if (!body.ok()) return Unreadable(req, body.status());
  ProduceRequest& produce = *body;

  ErrorCode request_error = ErrorCode::kNone;
  if (produce.acks != -1 && produce.acks != 0 && produce.acks != 1) {
    request_error = ErrorCode::kInvalidRequiredAcks;
  } else if (produce.transactional_id) {
    // Transactions are not implemented yet (no InitProducerId/EndTxn):
    // refuse rather than store batches no one can commit.
    request_error = ErrorCode::kInvalidRequest;
  }

  ProduceResponse response;
  for (TopicProduceData& topic : produce.topic_data) {
    TopicProduceResponse& out = response.responses.emplace_back();
    out.name = topic.name;
    for (PartitionProduceData& data : topic.partition_data) {
      PartitionProduceResponse& part = out.partition_responses.emplace_back();
      part.index = data.index;
      if (request_error != ErrorCode::kNone) {
        part.error_code = request_error;
        continue;
      }
      if (!data.records || data.records->empty()) {
        part.error_code = ErrorCode::kCorruptMessage;
        continue;
      }
      auto result = replicas_.AppendRecords(TopicPartition{topic.name, PartitionId{data.index}},
                                            *data.records);
      part.error_code = result.error;
      part.base_offset = result.base_offset;
      part.log_append_time_ms = result.log_append_time;
      part.log_start_offset = result.log_start_offset;
    }
  }
  // acks=0: the client expects no response, not even for errors.
  if (produce.acks == 0) return {ApiResponse::Action::kNoResponse, {}};
  return Send(req, response);
}

ApiResponse KafkaApis::HandleFetch(const ParsedRequest& req) {
  auto body = Decode<FetchRequest>(req.body, req.header.api_version);
  if (!body.ok()) return Unreadable(req, body.status());
  const FetchRequest& fetch = *body;

  // No long poll yet: the response goes out at once even when empty,
  // whatever max_wait_ms / min_bytes say. The purgatory arrives next.
  FetchResponse response;  // session_id 0: no fetch sessions (KIP-227)
  int64_t bytes_left = std::max<int32_t>(fetch.max_bytes, 0);
  bool have_data = false;
  for (const FetchTopic& topic : fetch.topics) {
    FetchableTopicResponse& out = response.responses.emplace_back();
    out.topic = topic.topic;
    for (const FetchPartition& p : topic.partitions) {
      FetchPartitionData& part = out.partitions.emplace_back();
      part.partition_index = p.partition;
      part.aborted_transactions.emplace();  // empty, not null: librdkafka reads it
      part.records.emplace();
      // KIP-74: the first partition with data returns at least one whole
      // batch even beyond partition_max_bytes and max_bytes, so a batch
      // larger than the limits never stalls a consumer.
      auto limit = int32_t(std::min<int64_t>(std::max(p.partition_max_bytes, 0), bytes_left));
      auto read = replicas_.ReadRecords(TopicPartition{topic.topic, PartitionId{p.partition}},
                                        p.fetch_offset, limit, !have_data);
      part.error_code = read.error;
      part.high_watermark = read.high_watermark;
      part.last_stable_offset = read.last_stable_offset;  // = HW: no transactions
      part.log_start_offset = read.log_start_offset;
      if (read.error != ErrorCode::kNone || read.records.size == 0) continue;
      // The copy path; the network layer will send the file slice instead.
      auto bytes = read.records.ReadAll();
      if (!bytes.ok()) {
        part.error_code = bytes.status().code();
        continue;
      }
      bytes_left = std::max<int64_t>(0, bytes_left - int64_t(bytes->size()));
      have_data = true;
      part.records = std::move(*bytes);
    }
  }
  return Send(req, response);
}

ApiResponse KafkaApis::HandleListOffsets(const ParsedRequest& req) {
  auto body = Decode<ListOffsetsRequest>(req.body, req.header.api_version);
  if (!body.ok()) return Unreadable(req, body.status());

  // isolation_level is ignored: with no transactions the last stable
  // offset is the high watermark, which "latest" already returns.
  ListOffsetsResponse response;
  for (const ListOffsetsTopic& topic : body->topics) {
    ListOffsetsTopicResponse& out = response.topics.emplace_back();
    out.name = topic.name;
    for (const ListOffsetsPartition& p : topic.partitions) {
      ListOffsetsPartitionResponse& part = out.partitions.emplace_back();
      part.partition_index = p.partition_index;
      auto found = replicas_.FetchOffsetForTimestamp(
          TopicPartition{topic.name, PartitionId{p.partition_index}}, p.timestamp);
      part.error_code = found.error;
      part.offset = found.offset;
      // -1 for the earliest/latest queries, as Kafka answers them.
      part.timestamp = p.timestamp < 0 ? -1 : found.timestamp;
    }
  }
  return Send(req, response);
}

}  // namespace gregor
