// SPDX-License-Identifier: Apache-2.0
// Strong types for Kafka's domain numbers, so an offset cannot be passed
// where an epoch is expected (Redpanda's named_type idea, kept tiny).
//
//   Offset       int64  position of a record in a partition's log
//   Epoch        int32  leader epoch (partitionLeaderEpoch in a batch)
//   ProducerId   int64  idempotent producer id, -1 when none
//   PartitionId  int32  partition number within a topic
//
// Each is a distinct type: construction is explicit, .value() unwraps, and
// only comparison and printing are defined. Arithmetic is spelled out where
// it happens (Offset{o.value() + 1}), which keeps offset math visible.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <ostream>

namespace gregor {

/// A number of type T that only converts explicitly; Tag makes each use a
/// distinct type. Comparable, hashable and printable, nothing more.
template <typename T, typename Tag>
class StrongType {
 public:
  using ValueType = T;
  constexpr StrongType() = default;
  constexpr explicit StrongType(T v) : v_(v) {}
  constexpr T value() const { return v_; }
  constexpr auto operator<=>(const StrongType&) const = default;
  friend std::ostream& operator<<(std::ostream& os, const StrongType& s) { return os << s.v_; }

 private:
  T v_{};
};

struct OffsetTag {};
struct EpochTag {};
struct ProducerIdTag {};
struct PartitionIdTag {};

// [strong-types]
using Offset = StrongType<int64_t, OffsetTag>;
using Epoch = StrongType<int32_t, EpochTag>;
using ProducerId = StrongType<int64_t, ProducerIdTag>;
using PartitionId = StrongType<int32_t, PartitionIdTag>;
// [strong-types]

inline constexpr ProducerId kNoProducerId{-1};
inline constexpr Epoch kNoEpoch{-1};

}  // namespace gregor

template <typename T, typename Tag>
struct std::hash<gregor::StrongType<T, Tag>> {
  size_t operator()(const gregor::StrongType<T, Tag>& s) const noexcept {
    return std::hash<T>{}(s.value());
  }
};
