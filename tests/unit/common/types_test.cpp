// SPDX-License-Identifier: Apache-2.0
#include "common/types.h"

#include <gtest/gtest.h>

#include <type_traits>
#include <unordered_set>

namespace gregor {
namespace {

// The point of the strong types: an Offset is not an Epoch, and neither is a
// bare integer. These are compile-time facts, checked at compile time.
static_assert(!std::is_convertible_v<Offset, Epoch>);
static_assert(!std::is_convertible_v<int64_t, Offset>);
static_assert(!std::is_convertible_v<Offset, int64_t>);
static_assert(std::is_constructible_v<Offset, int64_t>);

TEST(StrongTypeTest, ComparesAndHashes) {
  Offset a{5}, b{7};
  EXPECT_LT(a, b);
  EXPECT_EQ(Offset{a.value() + 2}, b);
  std::unordered_set<Offset> set{a, b, Offset{5}};
  EXPECT_EQ(set.size(), 2u);
  EXPECT_EQ(kNoProducerId.value(), -1);
}

}  // namespace
}  // namespace gregor
