// SPDX-License-Identifier: Apache-2.0
// KafkaApis: Produce, Fetch and ListOffsets (kafka_apis.h), the data path.
// Each turns the request's partitions into ReplicaManager calls and the
// results into response entries; a partition's error never fails others.
#include <algorithm>

#include "common/logging.h"
#include "protocol/fetch.h"
#include "protocol/list_offsets.h"
#include "protocol/produce.h"
#include "server/delayed_fetch.h"
#include "server/delayed_operation_purgatory.h"
#include "server/kafka_apis.h"
#include "storage/topic_partition.h"

namespace gregor {
namespace {

// MessagesIn as Kafka counts it: lastOffsetDelta + 1 of each batch, read
// from the v2 batch headers (the records were validated by the append).
int64_t CountRecords(const Bytes& records) {
  constexpr size_t kLengthOffset = 8, kLastOffsetDeltaOffset = 23, kLogOverhead = 12;
  int64_t count = 0;
  size_t pos = 0;
  while (pos + kLastOffsetDeltaOffset + 4 <= records.size()) {
    const uint8_t* batch = records.data() + pos;
    count += int64_t(int32_t(LoadBE32(batch + kLastOffsetDeltaOffset))) + 1;
    pos += kLogOverhead + LoadBE32(batch + kLengthOffset);
  }
  return count;
}

}  // namespace

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
      TopicPartition tp{topic.name, PartitionId{data.index}};
      if (ErrorCode fault = faults_.Check(FaultInjector::Api::kProduce, tp);
          fault != ErrorCode::kNone) {
        part.error_code = fault;
        continue;
      }
      auto result = replicas_.AppendRecords(tp, *data.records);
      part.error_code = result.error;
      if (result.error == ErrorCode::kNone) {
        metrics_.messages_in->Add(CountRecords(*data.records));
        metrics_.bytes_in->Add(int64_t(data.records->size()));
      }
      part.base_offset = result.base_offset;
      part.log_append_time_ms = result.log_append_time;
      part.log_start_offset = result.log_start_offset;
    }
  }
  // acks=0: the client expects no response, not even for errors.
  if (produce.acks == 0) return {ApiResponse::Action::kNoResponse, {}};
  return Send(req, response);
}

// [kafka-apis-read-fetch]
std::unique_ptr<KafkaApis::FetchRead> KafkaApis::ReadFetch(const FetchRequest& fetch) {
  auto read = std::make_unique<FetchRead>();
  FetchResponse& response = read->response;  // session_id 0: no fetch sessions (KIP-227)
  std::vector<std::pair<size_t, size_t>> sliced;  // (topic, partition) indexes
  std::vector<FileRecordsSlice> slices;
  int64_t bytes_left = std::max<int32_t>(fetch.max_bytes, 0);
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
      TopicPartition tp{topic.topic, PartitionId{p.partition}};
      if (ErrorCode fault = faults_.Check(FaultInjector::Api::kFetch, tp);
          fault != ErrorCode::kNone) {
        part.error_code = fault;
        part.high_watermark = part.last_stable_offset = part.log_start_offset = -1;
        read->error = true;
        continue;
      }
      auto r = replicas_.ReadRecords(tp, p.fetch_offset, limit, read->bytes == 0);
      part.error_code = r.error;
      part.high_watermark = r.high_watermark;
      part.last_stable_offset = r.last_stable_offset;  // = HW: no transactions
      part.log_start_offset = r.log_start_offset;
      if (r.error != ErrorCode::kNone) read->error = true;
      if (r.error != ErrorCode::kNone || r.records.size == 0) continue;
      bytes_left = std::max<int64_t>(0, bytes_left - int64_t(r.records.size));
      read->bytes += r.records.size;
      sliced.emplace_back(response.responses.size() - 1, out.partitions.size() - 1);
      slices.push_back(std::move(r.records));
    }
  }
  // Addresses only now: the vectors above no longer grow.
  for (size_t i = 0; i < sliced.size(); ++i) {
    auto [t, p] = sliced[i];
    read->slices.emplace_back(&response.responses[t].partitions[p], std::move(slices[i]));
  }
  return read;
}
// [kafka-apis-read-fetch]

ApiResponse KafkaApis::SendFetch(const RequestHeader& header, FetchRead& read) {
  metrics_.bytes_out->Add(read.bytes);
  if (!zero_copy_fetch_) {
    // The copy path: read each slice into its records field.
    for (auto& [part, slice] : read.slices) {
      auto bytes = slice.ReadAll();
      if (!bytes.ok()) {
        part->error_code = bytes.status().code();
        continue;
      }
      part->records = std::move(*bytes);
    }
    return {ApiResponse::Action::kSend,
            EncodeResponse(header.correlation_id, read.response, header.api_version)};
  }
  // Zero copy: encode with each records field's length prefix but not its
  // bytes, then cut the encoding at those points and put a file region in
  // each cut: bytes, region, after, region, after... The splice offsets
  // are positions in `out`, the unprefixed payload, and the cuts are made
  // in that same buffer, so they stay right whatever the network layer
  // puts before it (its size prefix).
  std::vector<RecordsSplice> splices;
  for (auto& [part, slice] : read.slices) {
    splices.push_back({&part->records, int64_t(slice.size), 0});
  }
  Bytes out;
  WriteResponseHeader(out, header.correlation_id,
                      ResponseHeaderVersion(ApiKey::kFetch, header.api_version));
  Encoder e(out, header.api_version, IsFlexible(ApiKey::kFetch, header.api_version));
  e.SetRecordsSplices(splices);
  e.Struct(read.response);
  // [kafka-apis-fetch-cut]
  ApiResponse r(ApiResponse::Action::kSend, {});
  size_t cut = out.size();
  for (size_t i = splices.size(); i-- > 0;) {  // from the back: each cut shortens `out`
    const FileRecordsSlice& slice = read.slices[i].second;
    FileRegion region{slice.file, slice.file->fd(), slice.position, slice.size,
                      Bytes(out.begin() + std::ptrdiff_t(splices[i].offset),
                            out.begin() + std::ptrdiff_t(cut))};
    cut = splices[i].offset;
    r.file_regions.insert(r.file_regions.begin(), std::move(region));
  }
  out.resize(cut);
  r.payload = std::move(out);
  // [kafka-apis-fetch-cut]
  return r;
}

ApiResponse KafkaApis::HandleFetch(const ParsedRequest& req) {
  auto body = Decode<FetchRequest>(req.body, req.header.api_version);
  if (!body.ok()) return Unreadable(req, body.status());
  auto read = ReadFetch(*body);
  return SendFetch(req.header, *read);
}

// [kafka-apis-long-poll]
void KafkaApis::HandleFetch(const ParsedRequest& req, ApiResponder respond) {
  auto body = Decode<FetchRequest>(req.body, req.header.api_version);
  if (!body.ok()) return respond(Unreadable(req, body.status()));
  auto fetch = std::make_shared<const FetchRequest>(std::move(*body));
  DelayedOperationPurgatory* purgatory = replicas_.delayed_fetch_purgatory();
  // Kafka answers at once when waiting is pointless or not asked for.
  if (purgatory == nullptr || fetch->max_wait_ms <= 0 || fetch->topics.empty()) {
    auto read = ReadFetch(*fetch);
    return respond(SendFetch(req.header, *read));
  }
  auto read = ReadFetch(*fetch);
  if (read->error || read->bytes >= fetch->min_bytes) {
    return respond(SendFetch(req.header, *read));
  }
  read.reset();  // the partitions are read again when the fetch completes
  // The header is copied: req.body points into a frame that is gone by then.
  auto op = std::make_shared<DelayedFetch>(
      fetch, replicas_, [this, header = req.header, fetch, respond = std::move(respond)] {
        auto done = ReadFetch(*fetch);
        respond(SendFetch(header, *done));
      });
  purgatory->TryCompleteElseWatch(op, op->Keys());
}
// [kafka-apis-long-poll]

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
