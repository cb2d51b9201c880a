// SPDX-License-Identifier: Apache-2.0
// Banner: the one line a lab case prints about what it measured, above the
// PASS/FAIL line lab_main.cpp prints for it. Shared by every lab fixture.
#pragma once

#include <cstdarg>
#include <cstdio>

namespace gregor::labs {

/// Prints `format` (printf-style), indented, and flushes so that the line
/// stays above the case's verdict even when output is piped.
__attribute__((format(printf, 1, 2))) inline void Banner(const char* format, ...) {
  char line[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(line, sizeof line, format, args);
  va_end(args);
  std::printf("  %s\n", line);
  std::fflush(stdout);
}

}  // namespace gregor::labs
