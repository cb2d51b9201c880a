// SPDX-License-Identifier: Apache-2.0
#include "server/disk_fault_controller.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>

#include "common/logging.h"

namespace gregor {

Result<std::unique_ptr<DiskFaultController>> DiskFaultController::Create(
    const KafkaConfig& config) {
  std::string mode = config.GetString("gregor.test.env");
  if (mode == "posix") return std::unique_ptr<DiskFaultController>();
  if (mode != "fault") {
    return Status(ErrorCode::kInvalidConfig, "gregor.test.env must be posix or fault: " + mode);
  }
  std::string file = config.GetString("gregor.test.fault.control.file");
  if (file.empty()) {
    auto dirs = config.GetList("log.dirs");
    if (dirs.empty())
      return Status(ErrorCode::kInvalidConfig, "gregor.test.env=fault: no log.dirs");
    file = DirName(dirs.front()) + "/gregor-fault-control";
  }
  return std::unique_ptr<DiskFaultController>(new DiskFaultController(file));
}

DiskFaultController::DiskFaultController(std::string control_file)
    : env_(Env::Default()), control_file_(std::move(control_file)) {}

DiskFaultController::~DiskFaultController() { Stop(); }

std::string DiskFaultController::ReadCommand() const {
  // Through the real file system: the control file is not the broker's data.
  auto text = ReadFileToString(*Env::Default(), control_file_);
  if (!text.ok()) return "none";
  std::string s = *text;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s.empty() ? "none" : s;
}

void DiskFaultController::Start() {
  Logger("server")->warn("TEST ONLY: storage over a FaultInjectionEnv, control file {}",
                         control_file_);
  applied_ = ReadCommand();
  if (applied_ == "powerloss") {
    Logger("server")->warn("disk fault: ignoring a stale powerloss in {}", control_file_);
  } else if (Status s = Apply(applied_); !s.ok()) {
    Logger("server")->warn("disk fault: {}", s.ToString());
  }
  poller_ = std::thread([this] { PollLoop(); });
}

void DiskFaultController::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (poller_.joinable()) poller_.join();
}

void DiskFaultController::PollLoop() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, std::chrono::milliseconds(100), [this] { return stopping_; })) {
    lock.unlock();
    std::string command = ReadCommand();
    if (command != applied_) {
      applied_ = command;
      if (Status s = Apply(command); !s.ok())
        Logger("server")->warn("disk fault: {}", s.ToString());
    }
    lock.lock();
  }
}

Status DiskFaultController::Apply(const std::string& command) {
  if (command == "none") {
    env_.ClearFaults();
  } else if (command == "enospc") {
    env_.InjectFault(FaultOp::kWrite, 1, ENOSPC, /*sticky=*/true);
  } else if (command == "eio") {
    env_.InjectFault(FaultOp::kAny, 1, EIO, /*sticky=*/true);
  } else if (command == "powerloss") {
    Logger("server")->warn("disk fault: simulated power loss");
    Status s = env_.PowerLoss();  // no write of any thread lands after this
    std::fprintf(stderr, "gregor-server: simulated power loss (%s), exiting 9\n",
                 s.ok() ? "unsynced data dropped" : s.ToString().c_str());
    Logger("server")->flush();
    ::_exit(9);
  } else {
    return Status(ErrorCode::kInvalidConfig, "unknown disk fault command: " + command);
  }
  Logger("server")->warn("disk fault: {} (faults so far {})", command, env_.faults_triggered());
  return Status::Ok();
}

}  // namespace gregor
