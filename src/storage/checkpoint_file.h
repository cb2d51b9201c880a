// SPDX-License-Identifier: Apache-2.0
// OffsetCheckpointFile: a small text file mapping partitions to offsets,
// one per log directory per purpose (Kafka's OffsetCheckpointFile):
// `recovery-point-offset-checkpoint` and `log-start-offset-checkpoint`.
//
//   CheckpointFile => Version "\n" Count "\n" Entry{Count}
//   Version        => "0"
//   Count          => decimal number of entries
//   Entry          => Topic " " Partition " " Offset "\n"
//
// Write is atomic: the whole file goes to `<name>.tmp`, is fsynced, renamed
// over `<name>` (rename(2) replaces atomically), and the directory is
// fsynced so the rename itself survives a power cut. A crash at any point
// leaves either the old file or the new one, never a mix. Read refuses a
// file that does not parse exactly (wrong version, count, line shape): the
// caller treats that as no checkpoint, which costs a full recovery, never a
// crash or a wrong offset.
//
// Thread-safety: none; LogManager serialises writes to a file.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "storage/env.h"
#include "storage/topic_partition.h"

namespace gregor {

/// A checkpoint file of partition offsets; see the file comment.
class OffsetCheckpointFile {
 public:
  /// The file `path`; nothing is read or written yet.
  OffsetCheckpointFile(Env& env, std::string path);

  /// Replaces the file atomically with `offsets`. Errors:
  /// KAFKA_STORAGE_ERROR (the old file is then still intact).
  Status Write(const std::map<TopicPartition, int64_t>& offsets);
  /// The offsets; an empty map if the file does not exist. Errors:
  /// KAFKA_STORAGE_ERROR for I/O or a malformed file, naming the line.
  Result<std::map<TopicPartition, int64_t>> Read();

  const std::string& path() const { return path_; }

 private:
  Env& env_;
  std::string path_;
};

}  // namespace gregor
