// SPDX-License-Identifier: Apache-2.0
// RecordBatchReader: decodes the records of one validated batch, the
// consumer's and the tools' way into a batch (the broker reads records only
// to validate compacted topics or apply LogAppendTime).
//
// Decompression is capped by `max_decompressed_bytes`: message.max.bytes
// limits the compressed batch, not its output, so a 1 MiB batch of zeros can
// claim gigabytes. Exceeding the cap, a record count that does not match the
// header, a record running past its length, or trailing bytes are all
// CORRUPT_MESSAGE. Thread-safety: none.
#pragma once

#include <vector>

#include "common/bytes.h"
#include "common/errors.h"
#include "record/record.h"
#include "record/record_batch.h"

namespace gregor {

/// A batch's header and its decoded records. The views point into
/// `storage` (the decompressed records of a compressed batch) or into the
/// caller's batch bytes (an uncompressed batch; `storage` stays empty, no
/// record byte is copied). Move-only: a copy's views would still point into
/// the original's storage, while a move keeps `storage`'s buffer in place.
struct DecodedBatch {
  DecodedBatch() = default;
  DecodedBatch(DecodedBatch&&) = default;
  DecodedBatch& operator=(DecodedBatch&&) = default;
  DecodedBatch(const DecodedBatch&) = delete;
  DecodedBatch& operator=(const DecodedBatch&) = delete;

  RecordBatchHeader header;         ///< As ValidateBatch read it.
  Bytes storage;                    ///< Decompressed records; empty when uncompressed.
  std::vector<RecordView> records;  ///< In batch order, absolute offsets and timestamps.
};

/// Default cap on one batch's decompressed size (64 MiB).
inline constexpr size_t kDefaultMaxDecompressedBytes = size_t(64) << 20;

/// Validates the batch at the start of `batch` (ValidateBatch, no size
/// limit; bytes after the batch are ignored), decompresses it under the cap
/// and decodes every record. Offsets are baseOffset + offsetDelta;
/// timestamps are baseTimestamp + timestampDelta, or maxTimestamp for every
/// record of a LogAppendTime batch (as Kafka reports them). A key, value or
/// header value length of -1 is null; below -1, a negative header count or
/// header key length, a malformed varint, recordsCount larger than the
/// bytes could hold (7 bytes per record at least), or offsetDeltas that do
/// not rise strictly within 0..lastOffsetDelta are CORRUPT_MESSAGE.
/// Errors: those of ValidateBatch and Decompress, and the ones above.
/// REQUIRES: `batch` outlives the result when the batch is uncompressed
/// (records view into it).
Result<DecodedBatch> DecodeBatch(ByteSpan batch,
                                 size_t max_decompressed_bytes = kDefaultMaxDecompressedBytes);

/// Decodes every batch in a buffer of consecutive batches (a segment file
/// or a fetch response's records); stops with an error at the first bad one,
/// its message naming the batch's byte position. The whole buffer must be
/// batches: a partial batch at the end is CORRUPT_MESSAGE too, so a caller
/// holding a fetch response (which may end mid-batch) trims it first with
/// PeekBatchSize. The cap applies to each batch.
Result<std::vector<DecodedBatch>> DecodeBatches(
    ByteSpan batches, size_t max_decompressed_bytes = kDefaultMaxDecompressedBytes);

}  // namespace gregor
