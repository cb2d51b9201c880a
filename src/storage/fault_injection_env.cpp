// SPDX-License-Identifier: Apache-2.0
#include "storage/fault_injection_env.h"

#include <cstring>
#include <shared_mutex>

namespace gregor {

// Appends go straight to the real file (the page cache of this model); the
// env only remembers how much of it was synced.
class FaultWritableFile : public WritableFile {
 public:
  FaultWritableFile(FaultInjectionEnv* env, std::string path, std::unique_ptr<WritableFile> base,
                    uint64_t size)
      : env_(env), path_(std::move(path)), base_(std::move(base)), size_(size) {}

  Status Append(ByteSpan data) override {
    std::shared_lock gate(env_->gate_);
    if (Status s = env_->MaybeFail(FaultOp::kWrite, "append", path_); !s.ok()) {
      if (env_->CheckActive("append", path_).ok() && data.size() > 1) {
        // A torn write: half the bytes made it before the disk filled up.
        ByteSpan half = data.first(data.size() / 2);
        if (base_->Append(half).ok()) size_ += half.size();
      }
      return s;
    }
    if (Status s = base_->Append(data); !s.ok()) return s;
    size_ += data.size();
    return Status::Ok();
  }
  Status Sync() override {
    std::shared_lock gate(env_->gate_);
    if (Status s = env_->MaybeFail(FaultOp::kSync, "sync", path_); !s.ok()) return s;
    if (Status s = base_->Sync(); !s.ok()) return s;
    env_->OnSynced(path_, size_);
    return Status::Ok();
  }
  Status Truncate(uint64_t size) override {
    std::shared_lock gate(env_->gate_);
    if (Status s = env_->CheckActive("truncate", path_); !s.ok()) return s;
    if (Status s = base_->Truncate(size); !s.ok()) return s;
    size_ = size;
    // A truncation is taken as durable at once: the synced length shrinks.
    std::lock_guard lock(env_->mu_);
    auto it = env_->synced_size_.find(path_);
    if (it != env_->synced_size_.end() && it->second > size) it->second = size;
    return Status::Ok();
  }
  Status Close() override { return base_->Close(); }

 private:
  FaultInjectionEnv* env_;
  std::string path_;
  std::unique_ptr<WritableFile> base_;
  uint64_t size_;
};

// A real mapping of the base env (stores reach the page cache at once, so
// they survive a SIGKILL, as with Kafka's mmap'd indexes); the env keeps a
// copy of the bytes at the last Sync, which is what a power loss restores.
class FaultMappedFile : public MappedFile {
 public:
  FaultMappedFile(FaultInjectionEnv* env, std::string path, std::unique_ptr<MappedFile> base,
                  bool read_only)
      : env_(env), path_(std::move(path)), base_(std::move(base)), read_only_(read_only) {}
  ~FaultMappedFile() override { Close(); }

  uint8_t* data() override { return base_->data(); }
  const uint8_t* data() const override { return base_->data(); }
  size_t size() const override { return base_->size(); }
  Status Resize(size_t new_size) override {
    std::shared_lock gate(env_->gate_);
    if (Status s = env_->CheckActive("resize", path_); !s.ok()) return s;
    return base_->Resize(new_size);  // ftruncate: visible at once, not durable
  }
  Status Sync() override {
    if (read_only_) return Status::Ok();
    std::shared_lock gate(env_->gate_);
    if (Status s = env_->MaybeFail(FaultOp::kSync, "msync", path_); !s.ok()) return s;
    if (Status s = base_->Sync(); !s.ok()) return s;
    const uint8_t* p = base_->data();
    env_->OnMappedSynced(path_, p, p == nullptr ? 0 : base_->size());
    return Status::Ok();
  }
  Status Close() override { return base_->Close(); }  // munmap writes nothing itself

 private:
  FaultInjectionEnv* env_;
  std::string path_;
  std::unique_ptr<MappedFile> base_;
  bool read_only_;
};

FaultInjectionEnv::FaultInjectionEnv(Env* base) : base_(base) {}

void FaultInjectionEnv::InjectFault(FaultOp op, int nth, int err, bool sticky) {
  std::lock_guard lock(mu_);
  fault_op_ = op;
  fault_countdown_ = nth;
  fault_errno_ = err;
  fault_sticky_ = sticky;
  fault_firing_ = false;
}

void FaultInjectionEnv::ClearFaults() {
  std::lock_guard lock(mu_);
  fault_countdown_ = 0;
  fault_firing_ = false;
}

int FaultInjectionEnv::faults_triggered() const {
  std::lock_guard lock(mu_);
  return faults_triggered_;
}

void FaultInjectionEnv::SetFilesystemActive(bool active) {
  std::lock_guard lock(mu_);
  active_ = active;
  if (!active) return;
  for (const auto& [path, size] : pending_cuts_) {
    if (base_->FileExists(path)) (void)base_->Truncate(path, size);
  }
  pending_cuts_.clear();
}

Status FaultInjectionEnv::CheckActive(const std::string& what, const std::string& path) {
  std::lock_guard lock(mu_);
  if (active_) return Status::Ok();
  return Status(ErrorCode::kKafkaStorageError,
                what + " " + path + ": file system inactive (simulated crash)");
}

Status FaultInjectionEnv::MaybeFail(FaultOp op, const std::string& what, const std::string& path) {
  if (Status s = CheckActive(what, path); !s.ok()) return s;
  std::lock_guard lock(mu_);
  bool matches = fault_op_ == FaultOp::kAny || fault_op_ == op;
  if (!matches || (fault_countdown_ == 0 && !fault_firing_)) return Status::Ok();
  if (!fault_firing_ && --fault_countdown_ > 0) return Status::Ok();
  fault_firing_ = fault_sticky_;
  ++faults_triggered_;
  return Status(ErrorCode::kKafkaStorageError,
                what + " " + path + ": " + std::strerror(fault_errno_));
}

void FaultInjectionEnv::OnWritableOpened(const std::string& path, bool truncated) {
  bool existed = base_->FileExists(path);
  uint64_t size = 0;
  if (existed && !truncated) {
    auto r = base_->FileSize(path);
    size = r.ok() ? *r : 0;
  }
  std::lock_guard lock(mu_);
  if (!existed) new_files_.insert(path);
  // What was on disk before we opened it is durable; a truncation too.
  synced_size_[path] = size;
}

void FaultInjectionEnv::OnSynced(const std::string& path, uint64_t size) {
  std::lock_guard lock(mu_);
  synced_size_[path] = size;
}

namespace {
// Length of `data` without its trailing zero bytes.
size_t UsedLength(const uint8_t* data, size_t size) {
  while (size > 0 && data[size - 1] == 0) --size;
  return size;
}
}  // namespace

void FaultInjectionEnv::OnMappedSynced(const std::string& path, const uint8_t* data, size_t size) {
  size_t used = data == nullptr ? 0 : UsedLength(data, size);
  MappedSnapshot snap{Bytes(data, data + used), size};
  std::lock_guard lock(mu_);
  mapped_synced_[path] = std::move(snap);
}

void FaultInjectionEnv::OnMappedOpened(const std::string& path, bool existed,
                                       const uint8_t* data, size_t size) {
  std::optional<MappedSnapshot> snap;
  if (existed) {
    size_t used = data == nullptr ? 0 : UsedLength(data, size);
    snap = MappedSnapshot{Bytes(data, data + used), size};
  }
  std::lock_guard lock(mu_);
  if (!existed) new_files_.insert(path);
  mapped_synced_[path] = std::move(snap);
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::NewWritableFile(const std::string& path) {
  std::shared_lock gate(gate_);
  if (Status s = CheckActive("open", path); !s.ok()) return s;
  OnWritableOpened(path, true);
  auto base = base_->NewWritableFile(path);
  if (!base.ok()) return base.status();
  return std::unique_ptr<WritableFile>(new FaultWritableFile(this, path, std::move(*base), 0));
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::NewAppendableFile(
    const std::string& path) {
  std::shared_lock gate(gate_);
  if (Status s = CheckActive("open", path); !s.ok()) return s;
  OnWritableOpened(path, false);
  auto base = base_->NewAppendableFile(path);
  if (!base.ok()) return base.status();
  auto size = base_->FileSize(path);
  if (!size.ok()) return size.status();
  return std::unique_ptr<WritableFile>(new FaultWritableFile(this, path, std::move(*base), *size));
}

Result<std::unique_ptr<RandomAccessFile>> FaultInjectionEnv::NewRandomAccessFile(
    const std::string& path) {
  return base_->NewRandomAccessFile(path);
}

Result<std::unique_ptr<MappedFile>> FaultInjectionEnv::NewMappedFile(const std::string& path,
                                                                     size_t initial_size,
                                                                     bool read_only) {
  std::shared_lock gate(gate_);
  bool existed = base_->FileExists(path);
  if (!existed && !read_only) {
    if (Status s = CheckActive("open", path); !s.ok()) return s;
  }
  auto base = base_->NewMappedFile(path, initial_size, read_only);
  if (!base.ok()) return base.status();
  if (!read_only) {
    // What is on disk at open counts as durable; a new file has no durable
    // bytes (and no durable existence until SyncDir).
    const uint8_t* p = (*base)->data();
    OnMappedOpened(path, existed, p, p == nullptr ? 0 : (*base)->size());
  }
  return std::unique_ptr<MappedFile>(new FaultMappedFile(this, path, std::move(*base), read_only));
}

bool FaultInjectionEnv::FileExists(const std::string& path) { return base_->FileExists(path); }

Result<std::vector<std::string>> FaultInjectionEnv::GetChildren(const std::string& dir) {
  return base_->GetChildren(dir);
}

Status FaultInjectionEnv::CreateDir(const std::string& dir) {
  std::shared_lock gate(gate_);
  if (Status s = CheckActive("mkdir", dir); !s.ok()) return s;
  return base_->CreateDir(dir);
}

Status FaultInjectionEnv::RemoveDir(const std::string& dir) {
  std::shared_lock gate(gate_);
  if (Status s = CheckActive("rmdir", dir); !s.ok()) return s;
  return base_->RemoveDir(dir);
}

Status FaultInjectionEnv::RemoveFile(const std::string& path) {
  std::shared_lock gate(gate_);
  if (Status s = CheckActive("unlink", path); !s.ok()) return s;
  if (Status s = base_->RemoveFile(path); !s.ok()) return s;
  std::lock_guard lock(mu_);
  synced_size_.erase(path);
  mapped_synced_.erase(path);
  new_files_.erase(path);
  return Status::Ok();
}

Status FaultInjectionEnv::RenameFile(const std::string& from, const std::string& to) {
  std::shared_lock gate(gate_);
  if (Status s = CheckActive("rename", from); !s.ok()) return s;
  PendingRename rename{from, to, std::nullopt};
  if (base_->FileExists(to)) {
    auto old = ReadFileToString(*base_, to);
    if (!old.ok()) return old.status();
    rename.replaced = std::move(*old);
  }
  if (Status s = base_->RenameFile(from, to); !s.ok()) return s;
  std::lock_guard lock(mu_);
  if (auto it = synced_size_.find(from); it != synced_size_.end()) {
    synced_size_[to] = it->second;
    synced_size_.erase(from);
  }
  renames_.push_back(std::move(rename));
  return Status::Ok();
}

Status FaultInjectionEnv::Truncate(const std::string& path, uint64_t size) {
  std::shared_lock gate(gate_);
  if (Status s = CheckActive("truncate", path); !s.ok()) return s;
  if (Status s = base_->Truncate(path, size); !s.ok()) return s;
  std::lock_guard lock(mu_);
  auto it = synced_size_.find(path);
  if (it != synced_size_.end() && it->second > size) it->second = size;
  return Status::Ok();
}

Result<uint64_t> FaultInjectionEnv::FileSize(const std::string& path) {
  return base_->FileSize(path);
}

Status FaultInjectionEnv::SyncDir(const std::string& dir) {
  std::shared_lock gate(gate_);
  if (Status s = MaybeFail(FaultOp::kSync, "fsync", dir); !s.ok()) return s;
  if (Status s = base_->SyncDir(dir); !s.ok()) return s;
  std::lock_guard lock(mu_);
  std::erase_if(new_files_, [&](const std::string& p) { return DirName(p) == dir; });
  std::erase_if(renames_, [&](const PendingRename& r) { return DirName(r.to) == dir; });
  return Status::Ok();
}

Status FaultInjectionEnv::DropUnsyncedData() {
  std::lock_guard lock(mu_);
  // 1. Renames never made durable by SyncDir did not happen.
  for (auto it = renames_.rbegin(); it != renames_.rend(); ++it) {
    if (Status s = base_->RenameFile(it->to, it->from); !s.ok()) return s;
    if (it->replaced) {
      if (Status s = WriteStringToFileSync(*base_, it->to, *it->replaced); !s.ok()) return s;
    }
    if (auto sz = synced_size_.find(it->to); sz != synced_size_.end()) {
      synced_size_[it->from] = sz->second;
      synced_size_.erase(it->to);
    }
  }
  // 2. Appended files lose what was written after their last Sync.
  for (const auto& [path, synced] : synced_size_) {
    if (!base_->FileExists(path)) continue;
    auto size = base_->FileSize(path);
    if (size.ok() && *size > synced) {
      if (Status s = base_->Truncate(path, synced); !s.ok()) return s;
    }
  }
  // 3. Mapped files go back to their bytes at the last Sync, written in
  // place through a second mapping. The dying process still maps them, and
  // a mapping touched past the end of its file faults (SIGBUS): bytes past
  // the synced length are zeroed now, and the file is cut to that length
  // only when the file system comes back (SetFilesystemActive(true), after
  // the test destroyed its objects; a broker's PowerLoss never comes back,
  // which leaves a zero tail: an untrimmed index, rebuilt at load).
  for (const auto& [path, snap] : mapped_synced_) {
    if (!base_->FileExists(path) || new_files_.contains(path)) continue;
    size_t want = snap ? snap->size : 0;
    size_t head = snap ? snap->head.size() : 0;
    auto m = base_->NewMappedFile(path, 0, false);
    if (!m.ok()) return m.status();
    size_t used = (*m)->data() == nullptr ? 0 : UsedLength((*m)->data(), (*m)->size());
    if ((*m)->size() < want) {
      if (Status s = (*m)->Resize(want); !s.ok()) return s;
    }
    if (head > 0) std::memcpy((*m)->data(), snap->head.data(), head);
    if (used > head) std::memset((*m)->data() + head, 0, used - head);
    if ((*m)->size() > want) pending_cuts_.emplace_back(path, want);
    if (Status s = (*m)->Close(); !s.ok()) return s;
  }
  // 4. Files whose creation was never made durable disappear.
  for (const auto& path : new_files_) {
    if (base_->FileExists(path)) {
      if (Status s = base_->RemoveFile(path); !s.ok()) return s;
    }
  }
  renames_.clear();
  synced_size_.clear();
  mapped_synced_.clear();
  new_files_.clear();
  return Status::Ok();
}

Status FaultInjectionEnv::SimulateCrash() {
  Status s = DropUnsyncedData();
  SetFilesystemActive(false);
  return s;
}

// [fault-power-loss]
Status FaultInjectionEnv::PowerLoss() {
  // Inactive first: from now on every mutation fails at once and does
  // nothing, so the writers drain and cannot starve the exclusive gate;
  // holding it, every mutation that was in progress has finished.
  SetFilesystemActive(false);
  std::unique_lock gate(gate_);
  return DropUnsyncedData();
}
// [fault-power-loss]

}  // namespace gregor
