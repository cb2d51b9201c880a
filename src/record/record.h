// SPDX-License-Identifier: Apache-2.0
// Record: one key/value with headers inside a v2 batch, as encoded:
//
//   Record =>
//     length          varint   bytes after this field
//     attributes      int8     unused, 0
//     timestampDelta  varlong  from the batch's baseTimestamp
//     offsetDelta     varint   from the batch's baseOffset
//     keyLength       varint   -1 = null key
//     key             bytes
//     valueLength     varint   -1 = null value (a tombstone)
//     value           bytes
//     headerCount     varint
//     Header => keyLength varint, key bytes, valueLength varint (-1 = null), value bytes
//
// Record (owning) is what producers hand to the builder; RecordView (views
// into a batch's bytes) is what the reader yields, so iterating a batch
// allocates nothing per record.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"

namespace gregor {

/// A record header as a producer gives it: a string key (never null) and a
/// nullable byte value, owned. Plain value type.
struct Header {
  std::string key;
  std::optional<std::string> value;
  bool operator==(const Header&) const = default;
};

/// An owned record to append (what MemoryRecordsBuilder takes): a
/// timestamp in ms, a nullable key and value (nullopt is null; a null value
/// is a tombstone on compacted topics) and headers. Plain value type.
struct Record {
  int64_t timestamp = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<Header> headers;
  bool operator==(const Record&) const = default;
};

/// A header as it sits in a batch: views into the batch (or its
/// decompressed records), valid while those bytes live. Plain value type.
struct HeaderView {
  std::string_view key;
  std::optional<std::string_view> value;
};

/// A record as it sits in a (decompressed) batch: views plus the absolute
/// offset and timestamp the reader computed from the batch header. Valid
/// while the bytes it points into live; ToRecord() makes an owned copy.
struct RecordView {
  int64_t offset = 0;
  int64_t timestamp = 0;
  std::optional<std::string_view> key;
  std::optional<std::string_view> value;
  std::vector<HeaderView> headers;
  /// An owned copy (for tests and for clients handing records to users).
  Record ToRecord() const;
};

}  // namespace gregor
