// SPDX-License-Identifier: Apache-2.0
// A counting global operator new/delete for the one test binary that links
// counting_allocator.cpp: it tracks the bytes currently allocated through
// operator new and their peak. What it sees: every C++ allocation, and the
// codecs' working memory, which src/record/compression.cpp routes through
// operator new via zlib's zalloc, ZSTD_customMem and LZ4F_CustomMem. What
// it does not see: plain malloc (e.g. LZ4F_compressFrame's own context, used
// only when compressing) and over-aligned operator new (unused here).
#pragma once

#include <cstddef>

namespace gregor::alloc_count {

/// Bytes allocated through operator new and not yet freed.
size_t CurrentBytes();
/// The highest CurrentBytes() since the last ResetPeak().
size_t PeakBytes();
/// Starts a new measurement: the peak becomes the current value.
void ResetPeak();

}  // namespace gregor::alloc_count
