// SPDX-License-Identifier: Apache-2.0
// KafkaServer: one Gregor node in combined mode (broker + controller), the
// object gregor-server runs (Kafka's KafkaRaftServer with its BrokerServer
// and ControllerServer, folded into one for a single node).
//
// Startup order, and why:
//   1. meta.properties in every log dir (node and cluster identity);
//   2. TopicRegistry: replay `__cluster_metadata-0`, collecting the topics
//      and their configs;
//   3. LogManager: load and, after an unclean stop, recover every log,
//      each with its topic's config; then each replayed topic becomes
//      partitions the ReplicaManager leads (MakeLeader);
//   4. the group coordinator over __consumer_offsets (its partitions are
//      loaded as they are made leaders in step 3, so committed offsets and
//      groups are back before any client asks), KafkaApis, then the
//      SocketServer: clients are let in last, when every partition they
//      can name is ready;
//   5. broker registration: a RegisterBrokerRecord in the metadata log with
//      a fresh incarnation id, the bound listeners and Fenced=false; its
//      offset is the broker epoch. Kafka's controller registers a broker
//      fenced and unfences it once its heartbeats show it has caught up
//      with the metadata log; here the broker is its own controller and has
//      just replayed that log, so it is caught up by construction and is
//      registered unfenced at once. After the SocketServer, because the
//      record carries the ports really bound (port 0 in tests);
//   6. the metrics HTTP listener (gregor.metrics.listener), if set.
// Shutdown reverses it: stop the metrics listener, stop the sockets (no new requests), then
// LogManager::Shutdown (flush, checkpoints, clean-shutdown marker) so the
// next start skips recovery.
//
// A background thread applies retention every
// log.retention.check.interval.ms.
//
// Log directory failure (Kafka's LogDirFailureHandler): an I/O error in a
// log dir reaches the LogDirFailureChannel; a handler thread takes the dir
// offline (ReplicaManager::HandleLogDirFailure: its partitions answer
// KAFKA_STORAGE_ERROR). When no log dir is left online the broker must
// stop: the handler calls the fatal-error handler (gregor-server's stops
// the process with a Shutdown: sockets closed, online dirs flushed, no
// clean-shutdown marker in the failed ones, exit 1). Kafka halts the JVM
// at once instead (Exit.halt(1)); either way the next start recovers the
// failed directories. Under gregor.test.env=fault the storage runs over
// the test-only DiskFaultController's FaultInjectionEnv.
// Thread-safety: Startup and Shutdown
// from one thread; BoundPort from any after Startup.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "controller/topic_registry.h"
#include "coordinator/group/group_coordinator.h"
#include "coordinator/group/group_metadata_manager.h"
#include "network/socket_server.h"
#include "server/delayed_operation_purgatory.h"
#include "server/disk_fault_controller.h"
#include "server/file_lock.h"
#include "server/kafka_apis.h"
#include "server/kafka_config.h"
#include "server/metrics_http_server.h"
#include "server/replica_manager.h"
#include "server/system_timer.h"
#include "storage/log_dir_failure_channel.h"
#include "storage/log_manager.h"

namespace gregor {

/// One node of Gregor; see the file comment.
class KafkaServer {
 public:
  /// `config` must outlive the server.
  explicit KafkaServer(const KafkaConfig& config, Clock& clock = SystemClock::Instance());
  ~KafkaServer();

  /// Starts everything. Errors: INVALID_CONFIG (listeners), KAFKA_STORAGE_ERROR,
  /// INCONSISTENT_CLUSTER_ID, NETWORK_EXCEPTION (bind).
  Status Startup();
  /// Clean stop; idempotent. Errors: KAFKA_STORAGE_ERROR (no clean marker).
  Status Shutdown();

  /// The bound port of the PLAINTEXT listener (port 0 in the config binds any).
  int BoundPort() const;
  /// The bound port of the metrics listener; -1 when it is off.
  int MetricsPort() const { return metrics_http_ ? metrics_http_->BoundPort() : -1; }
  const std::string& cluster_id() const { return cluster_id_; }
  /// This start's registration (RegisterBrokerRecord) as written to the
  /// metadata log; broker_epoch is -1 before Startup succeeds.
  const RegisterBrokerRecord& registration() const { return registration_; }

  /// Called once, from the log-dir-failure handler thread, when every log
  /// dir has failed; the owner must then call Shutdown from its own thread.
  /// REQUIRES: set before Startup.
  void SetFatalErrorHandler(std::function<void(const std::string&)> handler) {
    fatal_handler_ = std::move(handler);
  }
  /// The test-only disk fault switch (gregor.test.env=fault), or null.
  DiskFaultController* disk_faults() { return disk_faults_.get(); }
  LogDirFailureChannel& log_dir_failure_channel() { return failure_channel_; }
  /// The broker's logs (tests); null before Startup.
  LogManager* log_manager() { return logs_.get(); }
  /// The group coordinator (tests); null before Startup.
  GroupCoordinator* group_coordinator() { return group_coordinator_.get(); }

 private:
  class RequestHandlerAdapter;
  void OnTopicChange(const TopicChange& change);
  // Makes the group coordinator; `offsets_partitions` is the partition
  // count __consumer_offsets has, if it exists (startup step 4).
  void StartGroupCoordinator(std::optional<int32_t> offsets_partitions);
  // Writes this start's RegisterBrokerRecord (startup step 5).
  Status RegisterBroker(int32_t node_id);
  void RetentionLoop();
  void LogDirFailureLoop();

  const KafkaConfig& config_;
  Clock& clock_;
  std::vector<std::unique_ptr<FileLock>> dir_locks_;  // `.lock` in each log dir
  // Before the storage objects: they use the env and the channel.
  std::unique_ptr<DiskFaultController> disk_faults_;  // null unless gregor.test.env=fault
  LogDirFailureChannel failure_channel_;
  std::function<void(const std::string&)> fatal_handler_;
  std::string cluster_id_;
  RegisterBrokerRecord registration_;
  std::unique_ptr<LogManager> logs_;
  std::unique_ptr<ReplicaManager> replicas_;
  std::unique_ptr<TopicRegistry> topics_;
  std::unique_ptr<KafkaApis> apis_;
  std::unique_ptr<RequestHandlerAdapter> handler_;
  std::unique_ptr<SocketServer> socket_server_;
  std::unique_ptr<MetricsHttpServer> metrics_http_;  // null when off
  // After the above: destroyed first, so no parked fetch outlives them.
  std::unique_ptr<SystemTimer> fetch_timer_;
  std::unique_ptr<DelayedOperationPurgatory> fetch_purgatory_;
  // Groups: destroyed before the timer their tasks are in, the manager last.
  std::unique_ptr<GroupMetadataManager> group_manager_;
  std::unique_ptr<SystemTimer> group_timer_;
  std::unique_ptr<GroupCoordinator> group_coordinator_;

  std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // Guarded by mu_.
  std::thread retention_thread_;
  std::thread log_dir_failure_thread_;
  // Set once the logs are loaded: topic changes replayed before it wait.
  std::atomic<bool> logs_loaded_{false};
  std::vector<TopicChange> replayed_;  // Only in Startup, before logs_loaded_.
  bool started_ = false;
};

}  // namespace gregor
