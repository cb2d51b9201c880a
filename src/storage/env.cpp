// SPDX-License-Identifier: Apache-2.0
// PosixEnv: Env on open/pwrite/pread/mmap. Short writes and EINTR are
// retried here so callers see either success or a real error.
#include "storage/env.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gregor {
namespace {

Status IoError(const std::string& what, const std::string& path, int err) {
  return Status(ErrorCode::kKafkaStorageError, what + " " + path + ": " + std::strerror(err));
}

class PosixWritableFile : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixWritableFile() override { Close(); }

  Status Append(ByteSpan data) override {
    const uint8_t* p = data.data();
    size_t left = data.size();
    while (left > 0) {
      ssize_t n = ::write(fd_, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        return IoError("append", path_, errno);
      }
      p += n;
      left -= size_t(n);
    }
    return Status::Ok();
  }
  Status Sync() override {
    if (::fdatasync(fd_) != 0) return IoError("sync", path_, errno);
    return Status::Ok();
  }
  Status Truncate(uint64_t size) override {
    if (::ftruncate(fd_, off_t(size)) != 0) return IoError("truncate", path_, errno);
    return Status::Ok();
  }
  Status Close() override {
    if (fd_ < 0) return Status::Ok();
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return IoError("close", path_, errno);
    return Status::Ok();
  }

 private:
  std::string path_;
  int fd_;
};

class PosixRandomAccessFile : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }

  Status Read(uint64_t offset, size_t n, uint8_t* scratch, size_t* bytes_read) const override {
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, scratch + done, n - done, off_t(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return IoError("read", path_, errno);
      }
      if (r == 0) break;  // end of file
      done += size_t(r);
    }
    *bytes_read = done;
    return Status::Ok();
  }
  int fd() const override { return fd_; }

 private:
  std::string path_;
  int fd_;
};

class PosixMappedFile : public MappedFile {
 public:
  PosixMappedFile(std::string path, int fd, bool read_only)
      : path_(std::move(path)), fd_(fd), read_only_(read_only) {}
  ~PosixMappedFile() override { Close(); }

  uint8_t* data() override { return static_cast<uint8_t*>(addr_); }
  const uint8_t* data() const override { return static_cast<const uint8_t*>(addr_); }
  size_t size() const override { return size_; }

  // Maps the file at its current length.
  Status Map() {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return IoError("stat", path_, errno);
    size_ = size_t(st.st_size);
    if (size_ == 0) return Status::Ok();  // mmap of length 0 is invalid
    int prot = read_only_ ? PROT_READ : PROT_READ | PROT_WRITE;
    void* a = ::mmap(nullptr, size_, prot, MAP_SHARED, fd_, 0);
    if (a == MAP_FAILED) return IoError("mmap", path_, errno);
    addr_ = a;
    return Status::Ok();
  }
  Status Resize(size_t new_size) override {
    if (read_only_ || fd_ < 0) return IoError("resize", path_, EBADF);
    Unmap();
    if (::ftruncate(fd_, off_t(new_size)) != 0) return IoError("resize", path_, errno);
    return Map();
  }
  Status Sync() override {
    if (addr_ != nullptr && ::msync(addr_, size_, MS_SYNC) != 0) {
      return IoError("msync", path_, errno);
    }
    return Status::Ok();
  }
  Status Close() override {
    if (fd_ < 0) return Status::Ok();
    Unmap();
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return IoError("close", path_, errno);
    return Status::Ok();
  }

 private:
  void Unmap() {
    if (addr_ != nullptr) ::munmap(addr_, size_);
    addr_ = nullptr;
    size_ = 0;
  }

  std::string path_;
  int fd_;
  bool read_only_;
  void* addr_ = nullptr;
  size_t size_ = 0;
};

class PosixEnv : public Env {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    return OpenWritable(path, O_CREAT | O_TRUNC);
  }
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override {
    return OpenWritable(path, O_CREAT);
  }
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return IoError("open", path, errno);
    return std::unique_ptr<RandomAccessFile>(new PosixRandomAccessFile(path, fd));
  }
  Result<std::unique_ptr<MappedFile>> NewMappedFile(const std::string& path, size_t initial_size,
                                                    bool read_only) override {
    bool existed = FileExists(path);
    int flags = (read_only ? O_RDONLY : O_RDWR | O_CREAT) | O_CLOEXEC;
    int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0) return IoError("open", path, errno);
    if (!existed && ::ftruncate(fd, off_t(initial_size)) != 0) {
      int err = errno;
      ::close(fd);
      return IoError("preallocate", path, err);
    }
    auto file = std::make_unique<PosixMappedFile>(path, fd, read_only);
    if (Status s = file->Map(); !s.ok()) return s;
    return std::unique_ptr<MappedFile>(std::move(file));
  }
  bool FileExists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }
  Result<std::vector<std::string>> GetChildren(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return IoError("list", dir, errno);
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    ::closedir(d);
    return names;
  }
  Status CreateDir(const std::string& dir) override {
    // mkdir -p: create each missing component.
    for (size_t i = 1; i <= dir.size(); ++i) {
      if (i < dir.size() && dir[i] != '/') continue;
      std::string part = dir.substr(0, i);
      if (::mkdir(part.c_str(), 0755) != 0 && errno != EEXIST) return IoError("mkdir", part, errno);
    }
    return Status::Ok();
  }
  Status RemoveDir(const std::string& dir) override {
    if (::rmdir(dir.c_str()) != 0) return IoError("rmdir", dir, errno);
    return Status::Ok();
  }
  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return IoError("unlink", path, errno);
    return Status::Ok();
  }
  Status RenameFile(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0)
      return IoError("rename", from + " to " + to, errno);
    return Status::Ok();
  }
  Status Truncate(const std::string& path, uint64_t size) override {
    if (::truncate(path.c_str(), off_t(size)) != 0) return IoError("truncate", path, errno);
    return Status::Ok();
  }
  Result<uint64_t> FileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return IoError("stat", path, errno);
    return uint64_t(st.st_size);
  }
  Status SyncDir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return IoError("open", dir, errno);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return IoError("fsync", dir, err);
    return Status::Ok();
  }

 private:
  Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& path, int extra) {
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | extra, 0644);
    if (fd < 0) return IoError("open", path, errno);
    return std::unique_ptr<WritableFile>(new PosixWritableFile(path, fd));
  }
};

}  // namespace

Env* Env::Default() {
  static PosixEnv env;
  return &env;
}

Result<std::string> ReadFileToString(Env& env, const std::string& path) {
  auto file = env.NewRandomAccessFile(path);
  if (!file.ok()) return file.status();
  std::string out;
  uint8_t buf[8192];
  for (;;) {
    size_t n = 0;
    if (Status s = (*file)->Read(out.size(), sizeof buf, buf, &n); !s.ok()) return s;
    out.append(reinterpret_cast<const char*>(buf), n);
    if (n < sizeof buf) return out;
  }
}

Status WriteStringToFileSync(Env& env, const std::string& path, std::string_view data) {
  auto file = env.NewWritableFile(path);
  if (!file.ok()) return file.status();
  if (Status s = (*file)->Append(AsBytes(data)); !s.ok()) return s;
  if (Status s = (*file)->Sync(); !s.ok()) return s;
  return (*file)->Close();
}

std::string DirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace gregor
