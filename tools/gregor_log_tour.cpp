// SPDX-License-Identifier: Apache-2.0
// gregor-log-tour: chapter 01 in one run. A real Log in a temporary
// directory: append, look at the files, find an offset through the sparse
// index, read, look up by time, crash with a torn write, recover, apply
// retention, clean up. Every step prints what it did and why.
//
// Time comes from a MockClock (the records are one second apart, and
// retention can be shown without waiting); the disk is a FaultInjectionEnv
// over the real file system, so the crash is a simulated power cut.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "common/clock.h"
#include "common/logging.h"
#include "record/compression.h"
#include "record/memory_records_builder.h"
#include "record/record_batch_reader.h"
#include "storage/fault_injection_env.h"
#include "storage/log.h"
#include "storage/log_file_names.h"

using namespace gregor;

namespace {

void Step(const char* title) { std::cout << "\n== " << title << "\n"; }

void Check(const Status& s, const char* what) {
  if (s.ok()) return;
  std::cerr << "gregor-log-tour: " << what << ": " << s.ToString() << "\n";
  std::exit(1);
}

std::string Tmpdir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/gregor-log-tour-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {
    std::perror("mkdtemp");
    std::exit(1);
  }
  return tmpl;
}

void ListFiles(const std::string& dir) {
  std::vector<std::filesystem::directory_entry> entries(std::filesystem::directory_iterator(dir),
                                                        std::filesystem::directory_iterator{});
  std::sort(entries.begin(), entries.end());
  for (const auto& e : entries) {
    std::printf("  %-28s %8ju bytes\n", e.path().filename().c_str(), std::uintmax_t(e.file_size()));
  }
}

// One batch of `n` records "user-<i>" -> a 200-byte JSON-ish value.
// [tour-make-batch]
Bytes MakeBatch(int first, int n, int64_t ts, CompressionType codec) {
  MemoryRecordsBuilder builder(BatchOptions{.compression = codec});
  for (int i = first; i < first + n; ++i) {
    std::string value = "{\"order\":" + std::to_string(i) + ",\"note\":\"";
    value.resize(190, 'x');
    builder.Append(Record{ts, "user-" + std::to_string(i % 97), value + "\"}", {}});
  }
  return builder.Build();
}
// [tour-make-batch]

}  // namespace

int main(int argc, char** argv) {
  // --keep leaves the directory for gregor-dump-log instead of removing it.
  bool keep = argc > 1 && std::string(argv[1]) == "--keep";
  std::string root = Tmpdir();
  std::string dir = root + "/orders-0";
  // [tour-setup]
  FaultInjectionEnv env(Env::Default());
  MockClock clock;
  LogConfig config;
  config.segment_bytes = 64 << 10;       // tiny segments, so there are several
  config.index_interval_bytes = 4096;    // Kafka's default sparsity
  config.segment_index_bytes = 4 << 10;  // 512 offset-index entries at most
  // [tour-setup]

  std::cout << "gregor-log-tour: a partition log, step by step (chapter 01)\n"
            << "directory: " << dir << "\n"
            << "segment.bytes=" << config.segment_bytes
            << " index.interval.bytes=" << config.index_interval_bytes << "\n";
  // [tour-open]
  auto opened = Log::Open(env, dir, config, clock);
  Check(opened.status(), "open");
  std::unique_ptr<Log> log = std::move(*opened);
  // [tour-open]
  Logger("storage")->set_level(spdlog::level::err);  // the tour explains instead

  Step("1. Append 3000 records in 60 batches of 50 (every third zstd-compressed)");
  int64_t t0 = clock.NowMs();
  for (int b = 0; b < 60; ++b) {
    CompressionType codec = b % 3 == 2 ? CompressionType::kZstd : CompressionType::kNone;
    // [tour-append]
    Bytes batch = MakeBatch(b * 50, 50, clock.NowMs(), codec);
    auto info = log->Append(batch, Epoch(0));
    Check(info.status(), "append");
    // [tour-append]
    if (b < 2 || b == 59) {
      std::printf("  batch %2d: %6zu bytes %-4s -> offsets %lld..%lld\n", b, batch.size(),
                  CompressionName(codec), (long long)info->first_offset.value(),
                  (long long)info->last_offset.value());
    } else if (b == 2) {
      std::cout << "  ...\n";
    }
    clock.AdvanceMs(1000);  // one batch per second
  }
  std::cout << "  log end offset " << log->LogEndOffset() << ", " << log->Size() << " bytes in "
            << log->NumberOfSegments() << " segments\n";

  Step("2. The files: one .log/.index/.timeindex triple per segment, named by base offset");
  ListFiles(dir);
  std::cout << "  (the active segment's indexes are preallocated to segment.index.bytes;\n"
               "   rolled ones were trimmed to their entries)\n";

  Step("3. The sparse offset index of the first segment");
  SegmentInfo first = log->Segments().front();
  std::cout << "  " << first.offset_index_entries << " entries for " << first.size
            << " bytes of log: about one per " << config.index_interval_bytes << " bytes\n";

  Step("4. Finding offset 1234: index lookup, then a short scan");
  // [tour-lookup]
  auto trace = log->TraceOffsetLookup(Offset(1234));
  Check(trace.status(), "lookup");
  // [tour-lookup]
  std::printf(
      "  segment %s.log (the last with base offset <= 1234)\n"
      "  index entry: offset %lld at position %u (the largest entry <= 1234)\n"
      "  scan: batch holding 1234 is offsets ..%lld at position %u, %u bytes\n"
      "  bytes skipped by the scan: %u (at most ~index.interval.bytes + one batch)\n",
      FilenamePrefixFromOffset(trace->segment_base_offset).c_str(),
      (long long)trace->index_entry.offset, trace->index_entry.position,
      (long long)trace->batch.offset, trace->batch.position, trace->batch.size,
      trace->bytes_scanned);

  Step("5. Read(1234, max 32 KiB): from the batch holding 1234, as stored");
  // [tour-read]
  auto read = log->Read(Offset(1234), 32 << 10);
  Check(read.status(), "read");
  auto bytes = read->records.ReadAll();
  Check(bytes.status(), "read bytes");
  // [tour-read]
  size_t whole = 0, records = 0, whole_bytes = 0;
  for (size_t at = 0; at < bytes->size();) {
    auto size = PeekBatchSize(ByteSpan(*bytes).subspan(at));
    if (!size || at + *size > bytes->size()) break;
    auto batch = DecodeBatch(ByteSpan(*bytes).subspan(at, *size));
    Check(batch.status(), "decode");
    if (whole == 0) {
      for (size_t i = 0; i < 2 && i < batch->records.size(); ++i) {
        const RecordView& r = batch->records[i];
        std::cout << "  offset " << r.offset << " key " << *r.key << " value "
                  << r.value->substr(0, 24) << "...\n";
      }
    }
    ++whole;
    records += batch->records.size();
    at += *size;
    whole_bytes = at;
  }
  std::cout << "  " << read->records.size << " bytes: " << whole << " whole batches (" << records
            << " records)";
  if (bytes->size() > whole_bytes) {
    std::cout << " and " << bytes->size() - whole_bytes
              << " bytes of a partial batch, which the reader drops";
  } else {
    std::cout << "; a read stops at the end of its segment";
  }
  std::cout << "\n";

  Step("6. ListOffsets by time: the first record at or after t0 + 25.5 s");
  // [tour-by-time]
  auto by_time = log->LookupOffsetForTimestamp(t0 + 25'500);
  Check(by_time.status(), "lookup by time");
  // [tour-by-time]
  std::cout << "  offset " << (*by_time)->offset << " with timestamp t0 + "
            << ((*by_time)->timestamp - t0) / 1000.0 << " s (time index, then a scan)\n";

  Step("7. Flush, append 5 more batches without flushing, then pull the plug");
  Check(log->FlushAll(), "flush");
  Offset recovery_point = log->RecoveryPoint();
  std::string active = log->Segments().back().log_path;
  for (int b = 60; b < 65; ++b) {
    Bytes batch = MakeBatch(b * 50, 50, clock.NowMs(), CompressionType::kNone);
    Check(log->Append(batch, Epoch(0)).status(), "append");
  }
  std::cout << "  recovery point " << recovery_point << ", log end offset " << log->LogEndOffset()
            << " (250 records only in the page cache)\n";
  // [tour-crash]
  Check(env.SimulateCrash(), "crash");
  log.reset();  // the process dies; its writes are refused
  env.SetFilesystemActive(true);
  // [tour-crash]
  // The power cut also tore a write: half a batch reached the disk.
  Bytes torn = MakeBatch(9999, 50, clock.NowMs(), CompressionType::kNone);
  {
    auto f = Env::Default()->NewAppendableFile(active);
    Check(f.status(), "open active segment");
    Check((*f)->Append(ByteSpan(torn).first(torn.size() / 2)), "tear");
  }
  std::cout << "  unsynced data dropped (segments created after the last flush are gone);\n"
            << "  " << torn.size() / 2 << " bytes of a torn batch left at the end of "
            << BaseName(active) << "\n";

  Step("8. Restart without the clean-shutdown marker: recover from the recovery point");
  // [tour-reopen]
  opened = Log::Open(env, dir, config, clock, LogLoadParams{recovery_point, Offset(0), false});
  Check(opened.status(), "reopen");
  log = std::move(*opened);
  // [tour-reopen]
  const LogRecoveryStats& stats = log->recovery_stats();
  std::cout << "  segments loaded " << stats.segments_loaded << ", recovered "
            << stats.segments_recovered
            << " (the one holding the recovery point, not the flushed ones)\n"
            << "  bytes validated " << stats.bytes_validated << ", truncated "
            << stats.bytes_truncated << "\n"
            << "  log end offset " << log->LogEndOffset() << ": every flushed record is back\n";

  Step("9. Retention: keep at most 128 KiB (retention.bytes), never the active segment");
  Check(log->FlushAll(), "flush");
  Offset end = log->LogEndOffset();
  Check(log->Close(), "close");
  log.reset();
  config.retention_bytes = 128 << 10;  // the config is fixed per open
  opened = Log::Open(env, dir, config, clock, LogLoadParams{end, Offset(0), true});
  Check(opened.status(), "reopen");
  log = std::move(*opened);
  // [tour-retention]
  auto deleted = log->DeleteOldSegments();
  Check(deleted.status(), "retention");
  // [tour-retention]
  std::cout << "  deleted " << *deleted << " oldest segments; log start offset now "
            << log->LogStartOffset() << ", " << log->Size() << " bytes left\n";
  ListFiles(dir);

  log.reset();
  if (keep) {
    std::cout << "\n== 10. Kept " << dir << "\n  try: gregor-dump-log --files " << dir
              << "/<segment>.log --print-data-log";
  } else {
    Step("10. Clean up");
    std::filesystem::remove_all(root);
    std::cout << "  removed " << root;
  }
  std::cout << "\n\nNext: chapter 01 of the book, chapters/formats-storage.md and `make lab-01`.\n";
  return 0;
}
