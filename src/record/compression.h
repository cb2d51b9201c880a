// SPDX-License-Identifier: Apache-2.0
// Compression codecs for a batch's record section, with the interop rules
// real clients need:
//   gzip    zlib's gzip wrapper;
//   snappy  written in the xerial framing Kafka's Java client uses; read in
//           both xerial and raw form (librdkafka writes raw snappy);
//   lz4     LZ4 frame format, 64 KiB blocks, independent (FLG bit 5: Kafka's
//           Java client rejects linked blocks), no content checksum;
//   zstd    zstd frames written with the content size (kafka-python's
//           one-shot decoder needs it); several frames are read.
//   gzip may hold several members; all are read, as GZIPInputStream does.
// Decompress refuses to produce more than `max_output` bytes, whatever the
// input claims: the decompression-bomb guard. It streams into a buffer that
// doubles up to the cap and never past it; sizes the input declares are
// trusted only up to the cap. The codecs' working memory is bounded as well
// (zlib ~45 KiB; an lz4 frame's blocks and a zstd frame's window may not
// exceed the cap) and is allocated through operator new, so a counting
// allocator sees it. Peak memory of one call: under 2 x max_output for the
// output while it grows, plus that working memory.
// Thread-safety: the functions share no state; call them from any thread.
#pragma once

#include "common/bytes.h"
#include "common/errors.h"
#include "record/record_batch.h"

namespace gregor {

/// Compresses `input` with `type` (kNone copies). level 0 = codec default
/// (ignored by snappy). Errors: INVALID_CONFIG for a level the codec
/// refuses, MESSAGE_TOO_LARGE above 2 GiB, UNSUPPORTED_COMPRESSION_TYPE.
Result<Bytes> Compress(CompressionType type, ByteSpan input, int level = 0);

/// Decompresses `input`; CORRUPT_MESSAGE if it is malformed, truncated,
/// followed by extra bytes (lz4), or would exceed `max_output` bytes (output
/// of exactly `max_output` is fine); UNSUPPORTED_COMPRESSION_TYPE for an
/// unknown type. Snappy input may be xerial-framed or raw.
Result<Bytes> Decompress(CompressionType type, ByteSpan input, size_t max_output);

/// Kafka's name for a type ("none", "gzip", "snappy", "lz4", "zstd").
const char* CompressionName(CompressionType type);

}  // namespace gregor
