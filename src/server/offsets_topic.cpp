// SPDX-License-Identifier: Apache-2.0
#include "server/offsets_topic.h"

#include "common/logging.h"
#include "record/memory_records_builder.h"
#include "record/record_batch_reader.h"

namespace gregor {

namespace {

std::string AsString(const Bytes& b) { return std::string(b.begin(), b.end()); }

}  // namespace

std::map<std::string, std::string> OffsetsTopicConfigs(const KafkaConfig& config) {
  return {{"cleanup.policy", "compact"},
          {"segment.bytes", std::to_string(config.GetInt("offsets.topic.segment.bytes"))}};
}

// [offsets-topic-appender]
GroupMetadataManager::Appender MakeOffsetsTopicAppender(ReplicaManager& replicas, Clock& clock) {
  return [&replicas, &clock](int32_t partition, std::vector<GroupRecord> records,
                             std::function<void(ErrorCode)> done) {
    MemoryRecordsBuilder builder;
    const int64_t now = clock.NowMs();
    for (const GroupRecord& r : records) {
      Record record;
      record.timestamp = now;
      record.key = AsString(r.key);
      if (r.value) record.value = AsString(*r.value);  // nullopt: a tombstone
      builder.Append(record);
    }
    Bytes batch = builder.Build();
    auto result = replicas.AppendRecords(TopicPartition{kOffsetsTopic, PartitionId{partition}},
                                         std::span<uint8_t>(batch));
    done(result.error);
  };
}
// [offsets-topic-appender]

// [offsets-topic-load]
Status LoadOffsetsPartition(ReplicaManager& replicas, GroupMetadataManager& manager,
                            GroupCoordinator& coordinator, int32_t partition) {
  const TopicPartition tp{kOffsetsTopic, PartitionId{partition}};
  manager.BeginLoading(partition);
  auto start = replicas.FetchOffsetForTimestamp(tp, -2);  // earliest
  auto end = replicas.FetchOffsetForTimestamp(tp, -1);    // latest
  if (start.error != ErrorCode::kNone) return Status(start.error, "loading " + tp.ToString());
  if (end.error != ErrorCode::kNone) return Status(end.error, "loading " + tp.ToString());
  int64_t offset = start.offset;
  int64_t records = 0;
  int64_t skipped = 0;
  while (offset < end.offset) {
    auto read = replicas.ReadRecords(tp, offset, 1 << 20, /*min_one_message=*/true);
    if (read.error != ErrorCode::kNone) return Status(read.error, "loading " + tp.ToString());
    auto bytes = read.records.ReadAll();
    if (!bytes.ok()) return bytes.status();
    // The read may end inside a batch: keep whole batches only.
    ByteSpan data(*bytes);
    size_t whole = 0;
    while (auto size = PeekBatchSize(data.subspan(whole))) {
      if (whole + *size > data.size()) break;
      whole += *size;
    }
    auto batches = DecodeBatches(data.first(whole));
    if (!batches.ok()) return batches.status();
    if (batches->empty()) break;  // nothing readable before the end: stop, don't spin
    for (const DecodedBatch& batch : *batches) {
      for (const RecordView& r : batch.records) {
        if (r.offset < offset || !r.key) continue;
        std::optional<ByteSpan> value;
        if (r.value) value = AsBytes(*r.value);
        Status s = manager.ReplayRecord(partition, AsBytes(*r.key), value);
        ++records;
        if (!s.ok()) {
          ++skipped;
          Logger("group-coordinator")
              ->warn("{} offset {}: skipping record: {}", tp.ToString(), r.offset, s.ToString());
        }
      }
      offset = batch.header.LastOffset() + 1;
    }
  }
  manager.FinishLoading(partition);
  coordinator.OnPartitionLoaded(partition);
  if (records > 0) {
    Logger("group-coordinator")
        ->info("loaded {}: {} records ({} skipped), {} groups", tp.ToString(), records, skipped,
               manager.GroupsOf(partition).size());
  }
  return Status::Ok();
}
// [offsets-topic-load]

}  // namespace gregor
