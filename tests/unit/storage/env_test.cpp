// SPDX-License-Identifier: Apache-2.0
#include "storage/env.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "storage/fault_injection_env.h"
#include "storage_test_util.h"

namespace gregor {
namespace {

using testing::Slurp;
using testing::TempDir;

class EnvTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) { return tmp_.path() + "/" + name; }
  void AppendFile(Env& env, const std::string& path, std::string_view data, bool sync) {
    auto f = env.NewAppendableFile(path);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    ASSERT_TRUE((*f)->Append(AsBytes(data)).ok());
    if (sync) {
      ASSERT_TRUE((*f)->Sync().ok());
    }
  }

  TempDir tmp_;
  Env& posix_ = *Env::Default();
  FaultInjectionEnv env_{Env::Default()};
};

TEST_F(EnvTest, PosixAppendReadAndList) {
  AppendFile(posix_, Path("a"), "hello ", true);
  AppendFile(posix_, Path("a"), "world", false);
  EXPECT_EQ(Slurp(Path("a")), "hello world");
  auto f = posix_.NewRandomAccessFile(Path("a"));
  ASSERT_TRUE(f.ok());
  uint8_t buf[16];
  size_t n = 0;
  ASSERT_TRUE((*f)->Read(6, sizeof buf, buf, &n).ok());
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), n), "world");  // short read at EOF
  auto children = posix_.GetChildren(tmp_.path());
  ASSERT_TRUE(children.ok());
  EXPECT_EQ(*children, std::vector<std::string>{"a"});
}

TEST_F(EnvTest, PosixErrorsAreStorageErrorsWithErrnoText) {
  auto f = posix_.NewRandomAccessFile(Path("missing"));
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), ErrorCode::kKafkaStorageError);
  EXPECT_NE(f.status().message().find("No such file"), std::string::npos);
}

TEST_F(EnvTest, MappedFileIsPreallocatedAndPersists) {
  {
    auto m = posix_.NewMappedFile(Path("m"), 64, false);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ((*m)->size(), 64u);
    (*m)->data()[0] = 'x';
    ASSERT_TRUE((*m)->Resize(8).ok());
  }
  EXPECT_EQ(Slurp(Path("m")), std::string("x") + std::string(7, '\0'));
}

TEST_F(EnvTest, InjectedWriteFailsTheNthAppendWithErrnoText) {
  auto f = env_.NewAppendableFile(Path("log"));
  ASSERT_TRUE(f.ok());
  env_.InjectFault(FaultOp::kWrite, 2, ENOSPC);
  EXPECT_TRUE((*f)->Append(AsBytes("1111")).ok());
  Status s = (*f)->Append(AsBytes("2222"));
  EXPECT_EQ(s.code(), ErrorCode::kKafkaStorageError);
  EXPECT_NE(s.message().find("No space left on device"), std::string::npos);
  EXPECT_TRUE((*f)->Append(AsBytes("3333")).ok());  // not sticky
  EXPECT_EQ(Slurp(Path("log")), "1111223333");      // the failed write was torn
  EXPECT_EQ(env_.faults_triggered(), 1);
}

TEST_F(EnvTest, StickyFaultFailsEveryLaterSync) {
  auto f = env_.NewAppendableFile(Path("log"));
  ASSERT_TRUE(f.ok());
  env_.InjectFault(FaultOp::kSync, 1, EIO, /*sticky=*/true);
  EXPECT_TRUE((*f)->Append(AsBytes("x")).ok());
  EXPECT_NE((*f)->Sync().message().find("Input/output error"), std::string::npos);
  EXPECT_FALSE((*f)->Sync().ok());
  env_.ClearFaults();
  EXPECT_TRUE((*f)->Sync().ok());
}

TEST_F(EnvTest, DropUnsyncedDataKeepsOnlySyncedBytes) {
  ASSERT_TRUE(posix_.SyncDir(tmp_.path()).ok());
  {
    auto f = env_.NewAppendableFile(Path("log"));
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE(env_.SyncDir(tmp_.path()).ok());  // the file's creation is durable
    ASSERT_TRUE((*f)->Append(AsBytes("durable")).ok());
    ASSERT_TRUE((*f)->Sync().ok());
    ASSERT_TRUE((*f)->Append(AsBytes("lost")).ok());
    ASSERT_TRUE(env_.SimulateCrash().ok());
  }
  env_.SetFilesystemActive(true);
  EXPECT_EQ(Slurp(Path("log")), "durable");
}

TEST_F(EnvTest, CreationWithoutDirSyncIsUndoneByCrash) {
  {
    auto f = env_.NewAppendableFile(Path("new"));
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Append(AsBytes("data")).ok());
    ASSERT_TRUE((*f)->Sync().ok());
  }
  ASSERT_TRUE(env_.SimulateCrash().ok());
  env_.SetFilesystemActive(true);
  EXPECT_FALSE(posix_.FileExists(Path("new")));
}

TEST_F(EnvTest, RenameWithoutDirSyncIsUndoneByCrash) {
  testing::Spit(Path("target"), "old");
  ASSERT_TRUE(WriteStringToFileSync(env_, Path("target.tmp"), "new").ok());
  ASSERT_TRUE(env_.RenameFile(Path("target.tmp"), Path("target")).ok());
  EXPECT_EQ(Slurp(Path("target")), "new");
  ASSERT_TRUE(env_.SimulateCrash().ok());
  env_.SetFilesystemActive(true);
  EXPECT_EQ(Slurp(Path("target")), "old");
  EXPECT_FALSE(posix_.FileExists(Path("target.tmp")));  // never made durable either
}

TEST_F(EnvTest, MappedBytesSurviveOnlyIfSynced) {
  ASSERT_TRUE(posix_.SyncDir(tmp_.path()).ok());
  auto m = env_.NewMappedFile(Path("idx"), 4, false);
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(env_.SyncDir(tmp_.path()).ok());
  (*m)->data()[0] = 'a';
  ASSERT_TRUE((*m)->Sync().ok());
  (*m)->data()[1] = 'b';
  ASSERT_TRUE(env_.SimulateCrash().ok());
  m->reset();  // the dying process: its close writes nothing
  env_.SetFilesystemActive(true);
  EXPECT_EQ(Slurp(Path("idx")), std::string("a") + std::string(3, '\0'));
}

TEST_F(EnvTest, InactiveFileSystemRefusesWrites) {
  env_.SetFilesystemActive(false);
  EXPECT_FALSE(env_.NewWritableFile(Path("x")).ok());
  EXPECT_FALSE(env_.CreateDir(Path("d")).ok());
  env_.SetFilesystemActive(true);
  EXPECT_TRUE(env_.CreateDir(Path("d")).ok());
}

}  // namespace
}  // namespace gregor
