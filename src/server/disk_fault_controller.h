// SPDX-License-Identifier: Apache-2.0
// DiskFaultController: a test-only switch that runs the broker's storage
// over a FaultInjectionEnv and lets a test break the disk of the running
// process, without privileges (the nemesis of tests/fault). Never enable it
// in production.
//
// Off unless `gregor.test.env=fault` (default `posix`: Env::Default(), and
// this class is not created). When on, a thread polls a control file every
// 100 ms (`gregor.test.fault.control.file`, default `gregor-fault-control`
// beside the first log dir) and applies its content when it changes:
//
//   none       clear injected faults
//   enospc     every write from now fails with ENOSPC (a full disk; the
//              failing write is torn: half its bytes land)
//   eio        every write and sync fails with EIO (a dying disk)
//   powerloss  FaultInjectionEnv::PowerLoss (every file back to what was
//              synced: unsynced appends, index bytes, renames and file
//              creations are undone), then _exit(9), as a power cut would
//              stop the process; the test restarts it
//
// A missing file means `none`. A `powerloss` already present at start is
// ignored (the test must write `none` before restarting), so a restart
// never loops. Each applied command is logged at warn.
//
// Thread-safety: Start/Stop from one thread; the poller is the only other.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/errors.h"
#include "server/kafka_config.h"
#include "storage/fault_injection_env.h"

namespace gregor {

/// Test-only disk faults for a running broker; see the file comment.
class DiskFaultController {
 public:
  /// Null when gregor.test.env is `posix`. Errors: INVALID_CONFIG for any
  /// other value than `posix` or `fault`.
  static Result<std::unique_ptr<DiskFaultController>> Create(const KafkaConfig& config);
  ~DiskFaultController();

  /// The env the broker must use.
  Env& env() { return env_; }
  FaultInjectionEnv& fault_env() { return env_; }
  const std::string& control_file() const { return control_file_; }

  /// Applies the control file's current command (not `powerloss`), then
  /// starts polling it.
  void Start();
  void Stop();

  /// Applies one command (see the file comment); `powerloss` does not
  /// return. Errors: INVALID_CONFIG for an unknown command.
  Status Apply(const std::string& command);

 private:
  explicit DiskFaultController(std::string control_file);
  std::string ReadCommand() const;
  void PollLoop();

  FaultInjectionEnv env_;
  const std::string control_file_;
  std::string applied_;  // Only on the poller thread (after Start).

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // Guarded by mu_.
  std::thread poller_;
};

}  // namespace gregor
