// SPDX-License-Identifier: Apache-2.0
#include "consumer/completed_fetch.h"

#include <algorithm>

namespace gregor {

CompletedFetch::CompletedFetch(TopicPartition tp, uint64_t epoch, int64_t fetch_offset,
                               std::shared_ptr<const Bytes> records)
    : tp_(std::move(tp)),
      topic_(std::make_shared<const std::string>(tp_.topic)),
      epoch_(epoch),
      fetch_offset_(fetch_offset),
      buffer_(std::move(records)),
      next_fetch_offset_(fetch_offset) {
  // Walk the batch headers once: whole batches only, and where they end.
  ByteSpan all = buffer_ ? ByteSpan(*buffer_) : ByteSpan();
  size_t pos = 0;
  while (pos + BatchLayout::kHeaderSize <= all.size()) {
    std::optional<size_t> size = PeekBatchSize(all.subspan(pos));
    if (!size || *size < BatchLayout::kHeaderSize || pos + *size > all.size()) break;
    RecordBatchHeader h = ReadBatchHeader(all.subspan(pos));
    next_fetch_offset_ = std::max(next_fetch_offset_, h.NextOffset());
    pos += *size;
  }
  end_ = pos;
}

Result<int> CompletedFetch::Drain(int max, int64_t* position, int32_t* leader_epoch,
                                  ByteRecords& out) {
  started_ = true;
  int added = 0;
  while (added < max) {
    if (!batch_open_) {
      if (pos_ >= end_) break;
      ByteSpan rest = ByteSpan(*buffer_).subspan(pos_, end_ - pos_);
      RecordBatchHeader h = ReadBatchHeader(rest);
      size_t size = h.SizeInBytes();
      // Already consumed (the fetch offset fell inside it) or a control
      // batch: step over without decoding.
      if (h.NextOffset() <= *position || h.is_control()) {
        pos_ += size;
        *position = std::max(*position, h.NextOffset());
        continue;
      }
      Result<DecodedBatch> decoded = DecodeBatch(rest.subspan(0, size));
      if (!decoded.ok()) {
        pos_ = end_;  // this fetch is done; the position stays before the bad batch
        return Status(decoded.status().code(),
                      "Received exception when fetching the next record from " + tp_.ToString() +
                          " at offset " + std::to_string(h.base_offset) +
                          ". If needed, please seek past the record to continue consumption: " +
                          decoded.status().message());
      }
      pos_ += size;
      batch_ = std::move(*decoded);
      batch_storage_.reset();
      if (!batch_.storage.empty()) {
        batch_storage_ = std::make_shared<const Bytes>(std::move(batch_.storage));
      }
      index_ = 0;
      batch_open_ = true;
    }
    const RecordBatchHeader& h = batch_.header;
    const int32_t partition = tp_.partition.value();
    std::vector<RecordView>& records = batch_.records;
    if (index_ < records.size() && added < max) {
      out.KeepAlive(batch_storage_ ? batch_storage_ : buffer_);
      out.KeepAlive(topic_);
    }
    while (index_ < records.size() && added < max) {
      RecordView& r = records[index_++];
      if (r.offset < *position) continue;
      auto& o = out.Append(*topic_, partition);
      o.topic = *topic_;
      o.partition = partition;
      o.offset = r.offset;
      o.timestamp = r.timestamp;
      o.timestamp_type = h.timestamp_type();
      o.serialized_key_size = r.key ? int32_t(r.key->size()) : -1;
      o.serialized_value_size = r.value ? int32_t(r.value->size()) : -1;
      o.key = r.key;
      o.value = r.value;
      o.headers = std::move(r.headers);
      o.leader_epoch = h.partition_leader_epoch;
      *position = r.offset + 1;
      *leader_epoch = h.partition_leader_epoch;
      ++added;
    }
    if (index_ >= records.size()) {
      batch_open_ = false;
      *position = std::max(*position, h.NextOffset());
    }
  }
  return added;
}

}  // namespace gregor
