// SPDX-License-Identifier: Apache-2.0
// gregor-server: runs one Gregor node (Kafka's kafka-server-start.sh).
//
//   gregor-server config/server.properties [--override key=value ...]
//
// SIGTERM or SIGINT stops it cleanly (flush, checkpoints, clean-shutdown
// marker: the next start skips recovery). kill -9 is recovered from at the
// next start, as chapter 01 describes. When every log dir has failed (an
// I/O error: KAFKA_STORAGE_ERROR) the broker stops itself the same way,
// minus the failed dirs' markers, and exits 1 (Kafka halts with 1).
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <iostream>

#include "common/logging.h"
#include "server/kafka_server.h"

using namespace gregor;

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0) {
    std::cerr << "usage: gregor-server server.properties [--override key=value ...]\n";
    return 2;
  }
  auto props = ReadPropertiesFile(argv[1]);
  if (!props.ok()) {
    std::cerr << "gregor-server: " << props.status().ToString() << "\n";
    return 1;
  }
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--override" && i + 1 < argc) arg = argv[++i];
    else if (arg.rfind("--override=", 0) == 0) arg = arg.substr(11);
    else {
      std::cerr << "gregor-server: unexpected argument " << arg << "\n";
      return 2;
    }
    size_t eq = arg.find('=');
    if (eq == std::string::npos) {
      std::cerr << "gregor-server: --override needs key=value, got " << arg << "\n";
      return 2;
    }
    (*props)[arg.substr(0, eq)] = arg.substr(eq + 1);
  }
  std::vector<std::string> unknown;
  auto config = KafkaConfig::Create(*props, &unknown);
  if (!config.ok()) {
    std::cerr << "gregor-server: " << config.status().ToString() << "\n";
    return 1;
  }
  for (const auto& key : unknown) Logger("server")->warn("unknown config {} ignored", key);

  // Block the stop signals in every thread; the main thread waits for them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  KafkaServer server(*config);
  // Every log dir failed: stop as if signalled (the handler thread must
  // not run Shutdown itself: Shutdown joins it).
  std::atomic<bool> fatal{false};
  server.SetFatalErrorHandler([&fatal](const std::string&) {
    fatal = true;
    ::kill(::getpid(), SIGTERM);
  });
  if (Status s = server.Startup(); !s.ok()) {
    Logger("server")->error("startup failed: {}", s.ToString());
    return 1;
  }
  // Tests read the bound ports from these lines (they start with port 0).
  std::cout << "gregor-server listening on port " << server.BoundPort() << std::endl;
  if (server.MetricsPort() >= 0) {
    std::cout << "gregor-server metrics on port " << server.MetricsPort() << std::endl;
  }

  int sig = 0;
  sigwait(&stop, &sig);
  Logger("server")->info("signal {} received", sig);
  Status s = server.Shutdown();
  return s.ok() && !fatal ? 0 : 1;
}
