// SPDX-License-Identifier: Apache-2.0
#include "coordinator/group/group_metadata_records.h"

#include <string>

#include "protocol/versioned_data.h"

namespace gregor {
namespace {

// Values refuse versions they do not know (see the header): a compacted
// topic keeps only the latest value, so misreading it loses state.
template <class T>
Result<T> DecodeValue(ByteSpan bytes, const char* what) {
  ByteReader r(bytes);
  Result<int16_t> version = ReadVersionPrefix(r, ErrorCode::kCorruptMessage);
  if (!version.ok()) return Result<T>(version.status());
  if (!T::kVersions.Contains(*version)) {
    return Result<T>(ErrorCode::kCorruptMessage,
                     std::string("unknown ") + what + " version " + std::to_string(*version));
  }
  return DecodeVersionedBody<T>(r, *version, ErrorCode::kCorruptMessage);
}

template <class K>
Result<GroupRecordKey> DecodeKeyBody(ByteReader& r, int16_t version) {
  Result<K> key = DecodeVersionedBody<K>(r, version, ErrorCode::kCorruptMessage);
  if (!key.ok()) return Result<GroupRecordKey>(key.status());
  return Result<GroupRecordKey>(GroupRecordKey(std::move(*key)));
}

}  // namespace

Bytes EncodeGroupRecordKey(const GroupRecordKey& key) {
  return std::visit(
      [](const auto& k) {
        using K = std::decay_t<decltype(k)>;
        return EncodeVersioned(k, K::kVersion);
      },
      key);
}

Result<GroupRecordKey> DecodeGroupRecordKey(ByteSpan key) {
  ByteReader r(key);
  Result<int16_t> version = ReadVersionPrefix(r, ErrorCode::kCorruptMessage);
  if (!version.ok()) return Result<GroupRecordKey>(version.status());
  switch (*version) {
    case 0:
    case 1:
      return DecodeKeyBody<OffsetCommitKey>(r, *version);
    case GroupMetadataKey::kVersion:
      return DecodeKeyBody<GroupMetadataKey>(r, *version);
  }
  return Result<GroupRecordKey>(
      ErrorCode::kCorruptMessage,
      "unknown __consumer_offsets key version " + std::to_string(*version));
}

int16_t OffsetCommitValueVersion(const OffsetCommitValue& value) {
  return value.expire_timestamp >= 0 ? 1 : 3;
}

Bytes EncodeOffsetCommitValue(const OffsetCommitValue& value, int16_t version) {
  return EncodeVersioned(value, version < 0 ? OffsetCommitValueVersion(value) : version);
}

Result<OffsetCommitValue> DecodeOffsetCommitValue(ByteSpan value) {
  return DecodeValue<OffsetCommitValue>(value, "OffsetCommitValue");
}

Bytes EncodeGroupMetadataValue(const GroupMetadataValue& value, int16_t version) {
  return EncodeVersioned(value, version);
}

Result<GroupMetadataValue> DecodeGroupMetadataValue(ByteSpan value) {
  return DecodeValue<GroupMetadataValue>(value, "GroupMetadataValue");
}

}  // namespace gregor
