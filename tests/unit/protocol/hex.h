// SPDX-License-Identifier: Apache-2.0
// FromHex: test vectors written as hex (as clients' captures print them).
#pragma once

#include <string_view>

#include "common/bytes.h"

namespace gregor::testing {

/// The bytes of `hex`: pairs of lower- or upper-case hex digits; any other
/// character (spaces, newlines, ':' between bytes) is skipped.
inline Bytes FromHex(std::string_view hex) {
  Bytes out;
  int high = -1;
  for (char c : hex) {
    int v = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (v < 0) continue;
    if (high < 0) {
      high = v;
    } else {
      out.push_back(uint8_t(high * 16 + v));
      high = -1;
    }
  }
  return out;
}

}  // namespace gregor::testing
