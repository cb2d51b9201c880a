// SPDX-License-Identifier: Apache-2.0
// NotImplemented: what a lab skeleton's stub throws in place of a solution
// region (scripts/lab_skeleton.py), e.g. "LAB-01: OffsetIndex::Lookup".
#pragma once

#include <stdexcept>
#include <string>

namespace gregor {

/// Thrown by a lab stub; the message names the lab and the function.
class NotImplemented : public std::logic_error {
 public:
  explicit NotImplemented(const std::string& what) : std::logic_error(what) {}
};

}  // namespace gregor
