// SPDX-License-Identifier: Apache-2.0
// gregor-dump-log: prints what is in segment files, in the spirit of
// Kafka's kafka-dump-log.sh.
//
//   gregor-dump-log --files 00000000000000000000.log[,...] [--print-data-log]
//   gregor-dump-log --files 00000000000000000000.index --index-sanity-check
//
// .log        one line per batch (offsets, position, timestamps, size,
//             codec, CRC and whether it validates); --print-data-log adds
//             one line per record. Trailing bytes that are no complete
//             batch are reported: what recovery would cut.
// .index      one line per entry, checked against the .log beside it.
// .timeindex  one line per entry.
// --index-sanity-check runs the load-time SanityCheck on index files only
// and exits 1 if any fails. Exit status: 0 ok, 1 a file failed, 2 usage.
#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "record/compression.h"
#include "record/record_batch_reader.h"
#include "storage/file_records.h"
#include "storage/log_file_names.h"
#include "storage/offset_index.h"
#include "storage/time_index.h"

namespace po = boost::program_options;
using namespace gregor;

namespace {

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

int64_t BaseOffsetOf(const std::string& path, std::string_view suffix) {
  auto base = OffsetFromFileName(BaseName(path), suffix);
  if (!base) std::cerr << "warning: " << path << " is not named <offset:020>" << suffix << "\n";
  return base.value_or(0);
}

// Printable bytes as they are, anything else as \xNN.
std::string Printable(std::optional<std::string_view> bytes) {
  if (!bytes) return "null";
  std::string out;
  for (unsigned char c : *bytes) {
    if (c >= 0x20 && c < 0x7f) {
      out += char(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

int DumpLog(const std::string& path, bool print_data) {
  auto file = FileRecords::Open(*Env::Default(), path, /*writable=*/false);
  if (!file.ok()) {
    std::cerr << file.status().ToString() << "\n";
    return 1;
  }
  std::cout << "Starting offset: " << BaseOffsetOf(path, kLogFileSuffix) << "\n";
  FileBatchIterator it(**file, 0, (*file)->SizeInBytes(), /*read_bodies=*/true);
  int failures = 0;
  for (;;) {
    auto next = it.Next();
    if (!next.ok()) {
      std::cerr << next.status().ToString() << "\n";
      return 1;
    }
    if (*next == nullptr) break;
    const FileBatchIterator::Batch& b = **next;
    const RecordBatchHeader& h = b.header;
    auto valid = ValidateBatch(b.bytes, b.bytes.size());
    if (!valid.ok()) ++failures;
    int32_t last_sequence = h.base_sequence < 0 ? -1 : h.base_sequence + h.last_offset_delta;
    std::cout << "baseOffset: " << h.base_offset << " lastOffset: " << h.LastOffset()
              << " count: " << h.records_count << " baseSequence: " << h.base_sequence
              << " lastSequence: " << last_sequence << " producerId: " << h.producer_id
              << " producerEpoch: " << h.producer_epoch
              << " partitionLeaderEpoch: " << h.partition_leader_epoch
              << " isTransactional: " << std::boolalpha << h.is_transactional()
              << " isControl: " << h.is_control() << " position: " << b.position << " "
              << (h.timestamp_type() == TimestampType::kLogAppendTime ? "LogAppendTime: "
                                                                      : "CreateTime: ")
              << h.max_timestamp << " size: " << b.size << " magic: " << int(h.magic)
              << " compresscodec: " << CompressionName(h.compression()) << " crc: " << h.crc
              << " isvalid: " << valid.ok() << "\n";
    if (!valid.ok()) std::cout << "  invalid: " << valid.status().ToString() << "\n";
    if (!print_data || !valid.ok()) continue;
    auto decoded = DecodeBatch(b.bytes);
    if (!decoded.ok()) {
      std::cout << "  cannot decode: " << decoded.status().ToString() << "\n";
      ++failures;
      continue;
    }
    for (const RecordView& r : decoded->records) {
      std::cout << "| offset: " << r.offset << " "
                << (h.timestamp_type() == TimestampType::kLogAppendTime ? "LogAppendTime: "
                                                                        : "CreateTime: ")
                << r.timestamp << " keySize: " << (r.key ? int(r.key->size()) : -1)
                << " valueSize: " << (r.value ? int(r.value->size()) : -1) << " headerKeys: [";
      for (size_t i = 0; i < r.headers.size(); ++i) {
        std::cout << (i ? "," : "") << Printable(r.headers[i].key);
      }
      std::cout << "] key: " << Printable(r.key) << " payload: " << Printable(r.value) << "\n";
    }
  }
  uint32_t rest = (*file)->SizeInBytes() - it.position();
  if (rest > 0) {
    std::cout << "Found " << rest << " invalid bytes at the end of " << BaseName(path) << " ("
              << (it.stop_reason() == FileBatchIterator::StopReason::kIncomplete
                      ? "incomplete batch"
                      : "corrupt batch length")
              << " at position " << it.position() << ")\n";
    ++failures;
  }
  return failures ? 1 : 0;
}

// Kafka's --index-sanity-check: one line, and the exit code says it.
int PrintSanityCheck(const std::string& path, const AbstractIndex& index) {
  Status s = index.SanityCheck();
  std::cout << path << (s.ok() ? " passed sanity check." : " failed sanity check: " + s.ToString())
            << "\n";
  return s.ok() ? 0 : 1;
}

int DumpOffsetIndex(const std::string& path, bool sanity_only) {
  int64_t base = BaseOffsetOf(path, kIndexFileSuffix);
  auto index = OffsetIndex::Open(*Env::Default(), path, base, 0, /*writable=*/false);
  if (!index.ok()) {
    std::cerr << index.status().ToString() << "\n";
    return 1;
  }
  if (sanity_only) return PrintSanityCheck(path, **index);
  // Each entry must point at a batch whose last offset it names.
  std::string log_path = path.substr(0, path.size() - kIndexFileSuffix.size()) + ".log";
  std::shared_ptr<FileRecords> log;
  if (auto opened = FileRecords::Open(*Env::Default(), log_path, false); opened.ok()) {
    log = *opened;
  }
  int mismatches = 0;
  for (int i = 0; i < (*index)->entries(); ++i) {
    OffsetPosition e = (*index)->Entry(i);
    std::cout << "offset: " << e.offset << " position: " << e.position;
    if (log) {
      auto head = log->ReadBytes(e.position, uint32_t(BatchLayout::kHeaderSize));
      int64_t actual = head.ok() ? ReadBatchHeader(*head).LastOffset() : -1;
      if (actual != e.offset) {
        std::cout << "  MISMATCH: the batch there ends at " << actual;
        ++mismatches;
      }
    }
    std::cout << "\n";
  }
  if (!log) std::cout << "(no " << BaseName(log_path) << " beside it: entries not verified)\n";
  return mismatches ? 1 : 0;
}

int DumpTimeIndex(const std::string& path, bool sanity_only) {
  int64_t base = BaseOffsetOf(path, kTimeIndexFileSuffix);
  auto index = TimeIndex::Open(*Env::Default(), path, base, 0, /*writable=*/false);
  if (!index.ok()) {
    std::cerr << index.status().ToString() << "\n";
    return 1;
  }
  if (sanity_only) return PrintSanityCheck(path, **index);
  for (int i = 0; i < (*index)->entries(); ++i) {
    TimestampOffset e = (*index)->Entry(i);
    std::cout << "timestamp: " << e.timestamp << " offset: " << e.offset << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description options("gregor-dump-log: print segment, index and time-index files");
  options.add_options()("help,h", "this help")("files", po::value<std::string>(),
                                               "comma-separated .log, .index or .timeindex files")(
      "print-data-log", "print every record of each batch (key, value, headers)")(
      "index-sanity-check", "only run the load-time sanity check on index files");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, options), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << e.what() << "\n" << options << "\n";
    return 2;
  }
  if (vm.count("help") || !vm.count("files")) {
    std::cout << options << "\n";
    return vm.count("help") ? 0 : 2;
  }
  bool print_data = vm.count("print-data-log") > 0;
  bool sanity = vm.count("index-sanity-check") > 0;
  std::vector<std::string> files;
  std::stringstream list(vm["files"].as<std::string>());
  for (std::string f; std::getline(list, f, ',');) {
    if (!f.empty()) files.push_back(f);
  }
  int status = 0;
  for (const auto& f : files) {
    std::cout << "Dumping " << f << "\n";
    int rc = 0;
    if (EndsWith(f, kLogFileSuffix)) {
      rc = sanity ? 0 : DumpLog(f, print_data);
    } else if (EndsWith(f, kIndexFileSuffix)) {
      rc = DumpOffsetIndex(f, sanity);
    } else if (EndsWith(f, kTimeIndexFileSuffix)) {
      rc = DumpTimeIndex(f, sanity);
    } else {
      std::cerr << "unknown file type (not .log, .index or .timeindex): " << f << "\n";
      rc = 1;
    }
    status = std::max(status, rc);
  }
  return status;
}
