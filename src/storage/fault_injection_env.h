// SPDX-License-Identifier: Apache-2.0
// FaultInjectionEnv: an Env that wraps another (usually Env::Default()) and
// lets a test break the disk on purpose, deterministically and without
// privileges (LevelDB's FaultInjectionTestEnv).
//
// Two kinds of fault:
//  - Errors. InjectFault(op, nth, errno) makes the nth write (Append) or
//    sync (Sync, msync) from now fail with KAFKA_STORAGE_ERROR and the
//    errno text; `sticky` fails that one and every later one (a full disk).
//    A failed Append first writes half its bytes, as a real short write
//    followed by ENOSPC would, so callers must cope with a torn tail.
//  - Power loss. The env remembers, per file written through it, how much
//    was durable: the length at the last Sync for appended files, a copy of
//    the bytes at the last Sync for mapped files (their mapping is real, so
//    stores survive a process kill as they would in the page cache). It
//    also remembers files created and renames made since the last SyncDir
//    of their directory. DropUnsyncedData() puts the disk back
//    into that durable state: it undoes those renames (restoring the
//    replaced file), truncates appended files to their synced length,
//    rewrites mapped files to their synced bytes, and removes files whose
//    creation was never made durable by SyncDir. Directory creation and
//    file removal are taken as durable at once (not modelled).
//
// Crash protocol for a test: SimulateCrash() (= DropUnsyncedData and
// SetFilesystemActive(false), so the dying objects' destructors cannot
// write), destroy the objects, then SetFilesystemActive(true) and reopen.
// While inactive every mutating call fails and does nothing.
//
// A running broker (gregor.test.env=fault, DiskFaultController) cannot be
// torn down object by object: PowerLoss() waits for the mutations in
// progress, deactivates the file system and drops the unsynced data in one
// step, so no write from another thread lands after the cut; the caller
// then _exit()s. What the model does not cover: bytes on disk before this
// env first opened a file count as durable (a SIGKILL'd predecessor's page
// cache is taken as written back), and so do directory creations and file
// removals.
//
// Thread-safety: all methods are thread-safe. mu_ guards the bookkeeping;
// gate_ is held shared by every mutating call for its whole duration and
// exclusively by PowerLoss.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "storage/env.h"

namespace gregor {

/// Which operations an injected fault counts and fails.
enum class FaultOp { kWrite, kSync, kAny };

/// An Env that injects I/O errors and simulates power loss; see the file
/// comment.
class FaultInjectionEnv : public Env {
 public:
  /// Wraps `base`, which must outlive this env.
  explicit FaultInjectionEnv(Env* base);

  /// The `nth` operation of kind `op` from now (1 = the next one) fails with
  /// `err` (ENOSPC, EIO, ...); with `sticky`, so does every later one.
  /// Replaces an earlier injection.
  // [fault-injection-api]
  void InjectFault(FaultOp op, int nth, int err, bool sticky = false);
  /// Stops injecting errors.
  void ClearFaults();
  /// How many operations have failed by injection so far.
  int faults_triggered() const;

  /// While inactive, every mutating operation fails without effect.
  void SetFilesystemActive(bool active);
  /// Puts every file back into its durable state; see the file comment.
  Status DropUnsyncedData();
  /// A power cut: DropUnsyncedData(), then SetFilesystemActive(false).
  /// REQUIRES: no other thread is writing (a test's crash protocol).
  Status SimulateCrash();
  /// A power cut under concurrent writers: waits for the mutations in
  /// progress, deactivates the file system, then DropUnsyncedData(). Every
  /// later mutation fails without effect.
  Status PowerLoss();
  // [fault-injection-api]

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override;
  Result<std::unique_ptr<MappedFile>> NewMappedFile(const std::string& path, size_t initial_size,
                                                    bool read_only) override;
  bool FileExists(const std::string& path) override;
  Result<std::vector<std::string>> GetChildren(const std::string& dir) override;
  Status CreateDir(const std::string& dir) override;
  Status RemoveDir(const std::string& dir) override;
  Status RemoveFile(const std::string& path) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status Truncate(const std::string& path, uint64_t size) override;
  Result<uint64_t> FileSize(const std::string& path) override;
  Status SyncDir(const std::string& dir) override;

 private:
  friend class FaultWritableFile;
  friend class FaultMappedFile;

  struct PendingRename {
    std::string from, to;
    std::optional<std::string> replaced;  // old contents of `to`
  };

  // Called by the file wrappers.
  Status MaybeFail(FaultOp op, const std::string& what, const std::string& path);
  Status CheckActive(const std::string& what, const std::string& path);
  void OnWritableOpened(const std::string& path, bool truncated);
  void OnSynced(const std::string& path, uint64_t size);
  void OnMappedSynced(const std::string& path, const uint8_t* data, size_t size);
  void OnMappedOpened(const std::string& path, bool existed, const uint8_t* data, size_t size);
  Env* base() { return base_; }

  Env* const base_;
  // Shared by each mutating call while it runs; exclusive in PowerLoss.
  std::shared_mutex gate_;
  mutable std::mutex mu_;
  // Guarded by mu_:
  bool active_ = true;
  FaultOp fault_op_ = FaultOp::kAny;
  int fault_countdown_ = 0;  // 0 = no fault armed
  int fault_errno_ = 0;
  bool fault_sticky_ = false;
  bool fault_firing_ = false;  // sticky fault reached
  int faults_triggered_ = 0;
  std::map<std::string, uint64_t> synced_size_;                        // appended files
  // A mapped file's durable state, kept small: preallocated index files
  // are mostly zeros, so only the bytes up to the last non-zero one.
  struct MappedSnapshot {
    Bytes head;
    size_t size = 0;  // the file's length; zeros after head
  };
  std::map<std::string, std::optional<MappedSnapshot>> mapped_synced_;  // nullopt: never synced
  std::set<std::string> new_files_;  // created since their dir's last SyncDir
  std::vector<PendingRename> renames_;
  // Mapped files to cut to their synced length once active again.
  std::vector<std::pair<std::string, uint64_t>> pending_cuts_;
};

}  // namespace gregor
