// SPDX-License-Identifier: Apache-2.0
// MetricsHttpServer: the Prometheus scrape endpoint (Kafka exposes JMX and
// leaves Prometheus to an exporter agent; Gregor serves the text itself).
//
//   GET /metrics  -> 200, Content-Type: text/plain; version=0.0.4,
//                    body = MetricsRegistry::Render()
//   anything else -> 404 (other methods on /metrics: 405)
//
// HTTP/1.1 over Boost.Beast, asynchronous on one io_context run by one
// thread; keep-alive is honoured, and a connection idle for 30 s is closed.
// Bound from gregor.metrics.listener ("host:port"; port 0 binds any,
// BoundPort() tells which). Thread-safety: Start and Stop from one
// thread; BoundPort from any after Start.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "common/errors.h"
#include "server/metrics.h"

namespace gregor {

/// Serves a MetricsRegistry as Prometheus text; see the file comment.
class MetricsHttpServer {
 public:
  /// `registry` must outlive the server.
  explicit MetricsHttpServer(const MetricsRegistry& registry);
  ~MetricsHttpServer();

  /// Binds `listener` ("host:port") and starts the serving thread.
  /// Errors: INVALID_CONFIG (not host:port), NETWORK_EXCEPTION (bind).
  Status Start(const std::string& listener);
  /// Stops accepting, closes connections, joins the thread. Idempotent.
  void Stop();
  /// The bound port; -1 before Start.
  int BoundPort() const { return bound_port_; }

 private:
  struct Impl;
  const MetricsRegistry& registry_;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  int bound_port_ = -1;
};

}  // namespace gregor
