// SPDX-License-Identifier: Apache-2.0
#include "consumer/sticky_assignor.h"

#include <algorithm>
#include <map>

namespace gregor {

Bytes StickyAssignorUserData::Encode() const {
  std::map<std::string, std::vector<int32_t>> by_topic;
  for (const TopicPartition& tp : previous_assignment) {
    by_topic[tp.topic].push_back(tp.partition.value());
  }
  Bytes out;
  ByteWriter w(out);
  w.PutInt32(int32_t(by_topic.size()));
  for (auto& [topic, partitions] : by_topic) {
    std::sort(partitions.begin(), partitions.end());
    w.PutInt16(int16_t(topic.size()));
    w.PutBytes(AsBytes(topic));
    w.PutInt32(int32_t(partitions.size()));
    for (int32_t p : partitions) w.PutInt32(p);
  }
  w.PutInt32(generation);
  return out;
}

std::optional<StickyAssignorUserData> StickyAssignorUserData::Decode(ByteSpan bytes) {
  ByteReader r(bytes);
  StickyAssignorUserData data;
  // The loops run on counts from the input but stop as soon as the reader
  // fails, so a huge count costs one pass over the bytes that are there.
  int32_t topics = r.ReadInt32();
  if (topics < -1) return std::nullopt;
  for (int32_t t = 0; t < topics && r.ok(); ++t) {
    int16_t length = r.ReadInt16();
    if (length < 0) return std::nullopt;  // topic names are not nullable
    std::string topic(AsString(r.ReadBytes(size_t(length))));
    int32_t partitions = r.ReadInt32();
    if (partitions < -1) return std::nullopt;
    for (int32_t i = 0; i < partitions && r.ok(); ++i) {
      int32_t p = r.ReadInt32();
      if (r.ok()) data.previous_assignment.push_back(TopicPartition{topic, PartitionId(p)});
    }
  }
  if (!r.ok()) return std::nullopt;
  // As in Kafka: what cannot be a v1 generation is read as v0, and bytes
  // after the known fields are a later version's and ignored.
  if (r.remaining() >= 4) data.generation = r.ReadInt32();
  return data;
}

AbstractStickyAssignor::MemberData StickyAssignor::GetMemberData(
    const Subscription& subscription) const {
  if (!subscription.user_data.empty()) {
    if (auto data = StickyAssignorUserData::Decode(subscription.user_data)) {
      return MemberData{std::move(data->previous_assignment), data->generation};
    }
  }
  return MemberData{subscription.owned_partitions, kDefaultGeneration};
}

}  // namespace gregor
