// SPDX-License-Identifier: Apache-2.0
// Logging: one spdlog logger per subsystem ("storage", "record", ...), all
// writing to stderr with the same pattern. Messages are terse and
// structured (key=value); nothing above debug on hot paths (STYLE.md 12).
// GREGOR_LOG_LEVEL=debug|info|warn|error|off sets the level at first use.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace gregor {

/// The logger named `name`, created on first use. Thread-safe.
std::shared_ptr<spdlog::logger> Logger(const std::string& name);

}  // namespace gregor
