// SPDX-License-Identifier: Apache-2.0
// Replaces the global (non-aligned) operator new and delete. Each block
// carries its size in a 16-byte prefix, which keeps malloc's alignment.
#include "counting_allocator.h"

#include <atomic>
#include <cstdlib>
#include <new>

namespace gregor::alloc_count {
namespace {

std::atomic<size_t> current{0};
std::atomic<size_t> peak{0};
constexpr size_t kPrefix = 16;

void* Allocate(size_t n) {
  auto* base = static_cast<unsigned char*>(std::malloc(n + kPrefix));
  if (!base) return nullptr;
  *reinterpret_cast<size_t*>(base) = n;
  size_t now = current.fetch_add(n) + n;
  size_t seen = peak.load();
  while (now > seen && !peak.compare_exchange_weak(seen, now)) {
  }
  return base + kPrefix;
}

void Release(void* p) {
  if (!p) return;
  unsigned char* base = static_cast<unsigned char*>(p) - kPrefix;
  current.fetch_sub(*reinterpret_cast<size_t*>(base));
  std::free(base);
}

}  // namespace

size_t CurrentBytes() { return current.load(); }
size_t PeakBytes() { return peak.load(); }
void ResetPeak() { peak.store(current.load()); }

}  // namespace gregor::alloc_count

using gregor::alloc_count::Allocate;
using gregor::alloc_count::Release;

void* operator new(size_t n) {
  if (void* p = Allocate(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) {
  if (void* p = Allocate(n)) return p;
  throw std::bad_alloc();
}
void* operator new(size_t n, const std::nothrow_t&) noexcept { return Allocate(n); }
void* operator new[](size_t n, const std::nothrow_t&) noexcept { return Allocate(n); }
void operator delete(void* p) noexcept { Release(p); }
void operator delete[](void* p) noexcept { Release(p); }
void operator delete(void* p, size_t) noexcept { Release(p); }
void operator delete[](void* p, size_t) noexcept { Release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { Release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { Release(p); }
