// SPDX-License-Identifier: Apache-2.0
#include "controller/metadata_records.h"

#include "protocol/decoder.h"
#include "protocol/encoder.h"

namespace gregor {
namespace {

constexpr uint32_t kFrameVersion = 1;

template <class R>
Result<MetadataRecord> DecodeBody(ByteReader& r, uint32_t version) {
  // Older versions decode into the newest struct (fields they lack keep
  // Kafka's defaults); a newer one may carry fields we would drop.
  if (version > uint32_t(R::kVersion)) {
    return Status(ErrorCode::kCorruptMessage, "unsupported metadata record version " +
                                                  std::to_string(version));
  }
  R record;
  Decoder d(r, int16_t(version), /*flexible=*/true);
  d.Struct(record);
  if (!d.status().ok()) return Status(ErrorCode::kCorruptMessage, d.status().message());
  return MetadataRecord(std::move(record));
}

}  // namespace

// [metadata-record-encode]
Bytes EncodeMetadataRecord(const MetadataRecord& record) {
  Bytes out;
  std::visit(
      [&](const auto& r) {
        using R = std::decay_t<decltype(r)>;
        ByteWriter w(out);
        w.PutUnsignedVarint(kFrameVersion);
        w.PutUnsignedVarint(uint32_t(R::kType));
        w.PutUnsignedVarint(uint32_t(R::kVersion));
        Encoder e(out, R::kVersion, /*flexible=*/true);
        e.Struct(const_cast<R&>(r));  // the encoder only reads
      },
      record);
  return out;
}
// [metadata-record-encode]

Result<MetadataRecord> DecodeMetadataRecord(ByteSpan value) {
  ByteReader r(value);
  uint32_t frame = r.ReadUnsignedVarint();
  uint32_t type = r.ReadUnsignedVarint();
  uint32_t version = r.ReadUnsignedVarint();
  if (!r.ok() || frame != kFrameVersion) {
    return Status(ErrorCode::kCorruptMessage, "bad metadata record frame");
  }
  switch (type) {
    case RegisterBrokerRecord::kType:
      return DecodeBody<RegisterBrokerRecord>(r, version);
    case TopicRecord::kType:
      return DecodeBody<TopicRecord>(r, version);
    case PartitionRecord::kType:
      return DecodeBody<PartitionRecord>(r, version);
    case ConfigRecord::kType:
      return DecodeBody<ConfigRecord>(r, version);
    case RemoveTopicRecord::kType:
      return DecodeBody<RemoveTopicRecord>(r, version);
  }
  return Status(ErrorCode::kCorruptMessage, "unknown metadata record type " + std::to_string(type));
}

}  // namespace gregor
