// SPDX-License-Identifier: Apache-2.0
// A hostile size prefix must not make the broker allocate what it claims
// (anchors.md B7; CVE-2022-34917 is the same mistake one layer up). This
// binary records the largest single allocation (a replaced global operator
// new, or the sanitizer's malloc hook), then sends size prefixes that claim
// more than socket.request.max.bytes, up to INT32_MAX, and a negative one.
// A positive control shows the counter sees a real frame's buffer.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "network/socket_server.h"
#include "test_client.h"

// Under ASan/TSan the sanitizer runtime owns operator new; its malloc hook
// sees every allocation (malloc and new) instead.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define GREGOR_SANITIZER_ALLOCATOR 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define GREGOR_SANITIZER_ALLOCATOR 1
#endif
#endif

namespace {
std::atomic<size_t> g_largest_allocation{0};

void RecordAllocation(size_t size) {
  size_t seen = g_largest_allocation.load(std::memory_order_relaxed);
  while (size > seen && !g_largest_allocation.compare_exchange_weak(seen, size)) {
  }
}
}  // namespace

#ifdef GREGOR_SANITIZER_ALLOCATOR
#include <sanitizer/allocator_interface.h>
namespace {
void MallocHook(const volatile void*, size_t size) { RecordAllocation(size); }
void FreeHook(const volatile void*) {}
[[maybe_unused]] const int g_hooks_installed =
    __sanitizer_install_malloc_and_free_hooks(MallocHook, FreeHook);
}  // namespace
#else
namespace {
void* CountedAlloc(size_t size) {
  RecordAllocation(size);
  void* p = std::malloc(size == 0 ? 1 : size);
  if (!p) throw std::bad_alloc();
  return p;
}
}  // namespace

void* operator new(size_t size) { return CountedAlloc(size); }
void* operator new[](size_t size) { return CountedAlloc(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
#endif

namespace gregor {
namespace {

using namespace std::chrono_literals;
using testing::EchoHandler;
using testing::TestClient;
using testing::WaitFor;

class FrameLimitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SocketServerConfig config;
    config.listeners = {EndPoint{"PLAINTEXT", "127.0.0.1", 0}};
    config.num_network_threads = 1;
    config.num_io_threads = 1;  // default socket.request.max.bytes: 100 MiB
    server_ = std::make_unique<SocketServer>(config);
    handler_ = std::make_unique<EchoHandler>(server_->request_channel());
    ASSERT_TRUE(server_->Startup(*handler_).ok());
  }
  void TearDown() override { server_->Shutdown(); }

  // Sends a bare size prefix and returns the largest allocation made by
  // the process until the server has refused it and closed the connection.
  size_t LargestAllocationForClaim(uint32_t claimed) {
    uint64_t refused_before = server_->stats().frames_refused;
    auto client = TestClient::Connect("127.0.0.1", server_->BoundPort());
    EXPECT_NE(client, nullptr);
    g_largest_allocation = 0;
    Bytes prefix(4);
    StoreBE32(prefix.data(), claimed);
    EXPECT_TRUE(client->SendRaw(prefix));
    EXPECT_TRUE(client->WaitClosed());
    EXPECT_TRUE(WaitFor([&] { return server_->stats().frames_refused == refused_before + 1; }));
    return g_largest_allocation.load();
  }

  std::unique_ptr<SocketServer> server_;
  std::unique_ptr<EchoHandler> handler_;
};

TEST_F(FrameLimitTest, CounterSeesARealFrameBuffer) {
  auto client = TestClient::Connect("127.0.0.1", server_->BoundPort());
  ASSERT_NE(client, nullptr);
  g_largest_allocation = 0;
  std::string payload(4 * 1024 * 1024, 'p');
  ASSERT_TRUE(client->SendFrame(payload));
  EXPECT_EQ(client->ReadString(30s), payload);
  EXPECT_GE(g_largest_allocation.load(), payload.size());
}

TEST_F(FrameLimitTest, OneByteOverTheLimitIsRefusedWithoutAllocating) {
  const uint32_t claim = 100 * 1024 * 1024 + 1;
  EXPECT_LT(LargestAllocationForClaim(claim), 1024 * 1024u);
}

TEST_F(FrameLimitTest, Int32MaxClaimIsRefusedWithoutAllocating) {
  EXPECT_LT(LargestAllocationForClaim(0x7FFFFFFF), 1024 * 1024u);
}

TEST_F(FrameLimitTest, NegativeClaimIsRefusedWithoutAllocating) {
  // 0x80000000 is INT32_MIN; read as unsigned it would be 2 GiB.
  EXPECT_LT(LargestAllocationForClaim(0x80000000), 1024 * 1024u);
}

}  // namespace
}  // namespace gregor
