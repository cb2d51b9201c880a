// SPDX-License-Identifier: Apache-2.0
// CRC-32C (Castagnoli, polynomial 0x1EDC6F41, reflected 0x82F63B78), the
// checksum of Kafka's record batch v2 (over attributes..end of batch).
//
// Crc32c() uses the SSE4.2 crc32 instruction when the CPU has it (checked
// once, at first use) and otherwise a slicing-by-8 table. Crc32cTable() is
// the classic one-byte-per-step table, kept for the benchmark that shows
// why the instruction matters. All three give identical results; the tests
// check them on the published RFC 3720 vectors.
#pragma once

#include <cstdint>

#include "common/bytes.h"

namespace gregor {

/// Continues a CRC-32C over more data: Crc32c(ab) == Crc32cExtend(Crc32c(a), b).
uint32_t Crc32cExtend(uint32_t crc, ByteSpan data);
inline uint32_t Crc32c(ByteSpan data) { return Crc32cExtend(0, data); }

/// Always the software paths (for tests and benchmarks).
uint32_t Crc32cSoftware(uint32_t crc, ByteSpan data);  // slicing-by-8
uint32_t Crc32cTable(uint32_t crc, ByteSpan data);     // byte at a time
/// True if Crc32c() runs on the SSE4.2 instruction on this CPU.
bool Crc32cHardwareAvailable();

}  // namespace gregor
