// SPDX-License-Identifier: Apache-2.0
#include "server/kafka_server.h"

#include "common/logging.h"
#include "server/file_lock.h"
#include "server/log_cleaner_metrics.h"
#include "server/meta_properties.h"
#include "server/offsets_topic.h"

namespace gregor {

// The network layer's RequestHandler: hands each frame to KafkaApis and the
// answer back to the request's processor.
class KafkaServer::RequestHandlerAdapter : public RequestHandler {
 public:
  RequestHandlerAdapter(KafkaApis& apis, RequestChannel& channel)
      : apis_(apis), channel_(channel) {}

  // [server-handle]
  void Handle(Request request) override {
    // The responder may run later on another thread (a long-polling Fetch
    // completed by a produce or the timer): it keeps the routing fields.
    auto routing = std::make_shared<Request>();
    routing->processor_id = request.processor_id;
    routing->connection_id = request.connection_id;
    routing->receive_time_ns = request.receive_time_ns;
    apis_.Handle(
        request.frame, [this, routing](ApiResponse r) { Respond(*routing, std::move(r)); },
        request.peer);
  }
  // [server-handle]

  void Respond(const Request& request, ApiResponse r) {
    switch (r.action) {
      case ApiResponse::Action::kSend:
        // The payload has no size prefix: the processor writes it, so the
        // bytes move to the network thread without a copy.
        channel_.SendResponse(
            Response::Send(request, std::move(r.payload), std::move(r.file_regions)));
        break;
      case ApiResponse::Action::kNoResponse:
        channel_.SendResponse(Response::NoOp(request));  // acks=0: unmute only
        break;
      case ApiResponse::Action::kClose:
        channel_.SendResponse(Response::Close(request));
        break;
    }
  }

 private:
  KafkaApis& apis_;
  RequestChannel& channel_;
};

KafkaServer::KafkaServer(const KafkaConfig& config, Clock& clock)
    : config_(config), clock_(clock) {}

KafkaServer::~KafkaServer() { (void)Shutdown(); }

void KafkaServer::OnTopicChange(const TopicChange& change) {
  for (int32_t p = 0; p < change.topic.partitions; ++p) {
    TopicPartition tp{change.topic.name, PartitionId{p}};
    Status s;
    const bool offsets = change.topic.name == kOffsetsTopic && group_manager_;
    if (change.kind == TopicChange::Kind::kCreated) {
      auto config = TopicLogConfig(logs_->default_config(), change.topic.configs);
      s = config.ok() ? replicas_->MakeLeader(tp, *config) : config.status();
      // Kafka loads a coordinator partition on a scheduler thread and answers
      // COORDINATOR_LOAD_IN_PROGRESS meanwhile; one node loads at once.
      if (s.ok() && offsets) {
        s = LoadOffsetsPartition(*replicas_, *group_manager_, *group_coordinator_, p);
      }
    } else {
      if (offsets) {
        group_manager_->Unload(p);
        group_coordinator_->OnPartitionUnloaded(p);
      }
      s = replicas_->StopReplica(tp, /*delete_log=*/true);
    }
    if (!s.ok()) Logger("server")->error("partition {}: {}", tp.ToString(), s.ToString());
  }
}

// [server-startup]
Status KafkaServer::Startup() {
  // Test-only: gregor.test.env=fault puts the storage on a FaultInjectionEnv.
  auto faults = DiskFaultController::Create(config_);
  if (!faults.ok()) return faults.status();
  disk_faults_ = std::move(*faults);
  if (disk_faults_) disk_faults_->Start();
  Env& env = disk_faults_ ? disk_faults_->env() : *Env::Default();
  auto log_dirs = config_.GetList("log.dirs");
  int32_t node_id = config_.GetInt("node.id");
  // One broker per log directory: lock each before touching anything in it.
  for (const auto& dir : log_dirs) {
    if (Status s = env.CreateDir(dir); !s.ok()) return s;
    auto lock = FileLock::TryLock(dir + "/.lock");
    if (!lock.ok()) return lock.status();
    dir_locks_.push_back(std::move(*lock));
  }
  auto meta = EnsureMetaProperties(env, log_dirs, node_id);
  if (!meta.ok()) return meta.status();
  cluster_id_ = meta->cluster_id;

  // The metadata log is replayed before the logs load, so that each log
  // loads with its topic's own config (flush.messages, cleanup.policy),
  // as Kafka's LogManager.startup gets the topic overrides; the replayed
  // changes wait in replayed_ until the partitions can be made leaders.
  auto topics = TopicRegistry::Open(
      env, log_dirs.front() + "/" + std::string(kClusterMetadataTopic) + "-0", clock_,
      [this](const TopicChange& c) {
        if (logs_loaded_) {
          OnTopicChange(c);
        } else {
          replayed_.push_back(c);
        }
      },
      node_id);
  if (!topics.ok()) return topics.status();
  topics_ = std::move(*topics);

  logs_ = std::make_unique<LogManager>(env, log_dirs, config_.DefaultLogConfig(), clock_,
                                       config_.LogCleanerConfig());
  logs_->SetLogDirFailureChannel(&failure_channel_);
  std::map<std::string, LogConfig> topic_configs;
  for (const auto& change : replayed_) {
    if (change.kind == TopicChange::Kind::kDeleted) {
      topic_configs.erase(change.topic.name);
    } else if (auto c = TopicLogConfig(logs_->default_config(), change.topic.configs); c.ok()) {
      topic_configs[change.topic.name] = *c;
    }
  }
  logs_->SetTopicConfigs(std::move(topic_configs));
  if (Status s = logs_->Startup(); !s.ok()) return s;
  replicas_ = std::make_unique<ReplicaManager>(*logs_);
  replicas_->SetLogDirFailureChannel(&failure_channel_);
  // Long-poll fetches wait here; the reaper thread expires them.
  fetch_timer_ = std::make_unique<SystemTimer>(clock_);
  fetch_purgatory_ =
      std::make_unique<DelayedOperationPurgatory>("Fetch", fetch_timer_->timer());
  replicas_->SetDelayedFetchPurgatory(fetch_purgatory_.get());
  std::optional<int32_t> offsets_partitions;
  for (const auto& change : replayed_) {
    if (change.topic.name != kOffsetsTopic) continue;
    offsets_partitions = change.kind == TopicChange::Kind::kCreated
                             ? std::optional<int32_t>(change.topic.partitions)
                             : std::nullopt;
  }
  StartGroupCoordinator(offsets_partitions);
  for (const auto& change : replayed_) OnTopicChange(change);
  replayed_.clear();
  logs_loaded_ = true;  // later changes (CreateTopics ...) apply at once
  apis_ = std::make_unique<KafkaApis>(config_, *replicas_, *topics_, clock_, cluster_id_);
  apis_->SetGroupCoordinator(group_coordinator_.get(), group_manager_.get());
  RegisterLogCleanerMetrics(apis_->metrics_registry(), logs_->cleaner(), clock_);
  apis_->SetZeroCopyFetch(true);  // plaintext listeners only: sendfile
  if (Status s = apis_->fault_injector().Configure(config_, apis_->metrics_registry()); !s.ok()) {
    return s;
  }

  SocketServerConfig net;
  net.listeners.clear();  // only what the config names
  for (const auto& listener : config_.GetList("listeners")) {
    auto ep = EndPoint::Parse(listener);
    if (!ep.ok()) return Status(ErrorCode::kInvalidConfig, "listeners: " + listener);
    if (ep->listener_name == "CONTROLLER") continue;  // no separate quorum on one node
    net.listeners.push_back(*ep);
  }
  net.num_network_threads = config_.GetInt("num.network.threads");
  net.num_io_threads = config_.GetInt("num.io.threads");
  net.queued_max_requests = config_.GetInt("queued.max.requests");
  net.socket_request_max_bytes = config_.GetInt("socket.request.max.bytes");
  net.connections_max_idle_ms = config_.GetLong("connections.max.idle.ms");
  socket_server_ = std::make_unique<SocketServer>(net, clock_);
  handler_ = std::make_unique<RequestHandlerAdapter>(*apis_, socket_server_->request_channel());
  if (Status s = socket_server_->Startup(*handler_); !s.ok()) return s;
  // A client that connects this early and asks for Metadata would see port
  // 0 until here; only tests bind port 0, and they wait for the
  // "listening" line printed after Startup returns.
  apis_->SetBoundPort(BoundPort());
  if (Status s = RegisterBroker(node_id); !s.ok()) {
    socket_server_->Shutdown();
    return s;
  }

  if (auto listener = config_.GetString("gregor.metrics.listener"); !listener.empty()) {
    metrics_http_ = std::make_unique<MetricsHttpServer>(apis_->metrics_registry());
    if (Status s = metrics_http_->Start(listener); !s.ok()) {
      metrics_http_.reset();
      socket_server_->Shutdown();
      return s;
    }
  }

  retention_thread_ = std::thread([this] { RetentionLoop(); });
  log_dir_failure_thread_ = std::thread([this] { LogDirFailureLoop(); });
  started_ = true;
  Logger("server")->info(
      "started node.id={} cluster.id={} port={} topics={} broker.epoch={}",
      node_id, cluster_id_, BoundPort(), topics_->AllTopics().size(),
      registration_.broker_epoch);
  return Status::Ok();
}
// [server-startup]

// [server-group-coordinator]
void KafkaServer::StartGroupCoordinator(std::optional<int32_t> offsets_partitions) {
  // An existing topic's partition count wins over the config: groups must
  // map to the partitions their records are in.
  int32_t partitions = offsets_partitions.value_or(config_.GetInt("offsets.topic.num.partitions"));
  group_manager_ = std::make_unique<GroupMetadataManager>(
      partitions, MakeOffsetsTopicAppender(*replicas_, clock_));
  GroupCoordinatorConfig c;
  c.min_session_timeout_ms = config_.GetInt("group.min.session.timeout.ms");
  c.max_session_timeout_ms = config_.GetInt("group.max.session.timeout.ms");
  c.initial_rebalance_delay_ms = config_.GetInt("group.initial.rebalance.delay.ms");
  group_timer_ = std::make_unique<SystemTimer>(clock_);
  group_coordinator_ = std::make_unique<GroupCoordinator>(c, group_timer_->timer(), clock_,
                                                          group_manager_.get());
}
// [server-group-coordinator]

// [server-register-broker]
Status KafkaServer::RegisterBroker(int32_t node_id) {
  RegisterBrokerRecord r;
  r.broker_id = node_id;
  r.incarnation_id = RandomUuid();  // new every process start
  auto listeners = config_.GetList("advertised.listeners");
  if (listeners.empty()) listeners = config_.GetList("listeners");
  for (const auto& listener : listeners) {
    auto ep = EndPoint::Parse(listener);
    auto advertised = ParseListener(listener);
    if (!ep.ok() || !advertised || ep->listener_name == "CONTROLLER") continue;
    // Port 0 (tests): the port the listener of that name really bound.
    int32_t port = advertised->port;
    if (port == 0) port = socket_server_->BoundPort(ep->listener_name);
    if (port < 0) port = 0;  // an advertised name with no such listener
    // Gregor's listeners are all plaintext: SecurityProtocol 0.
    r.end_points.push_back(
        {ep->listener_name, advertised->host, uint16_t(port), 0});
  }
  // One node is its own controller and has just replayed the metadata
  // log: it is caught up, so it registers unfenced (Kafka registers
  // fenced and unfences on a heartbeat that shows it caught up).
  r.fenced = false;
  auto written = topics_->RegisterBroker(std::move(r));
  if (!written.ok()) return written.status();
  registration_ = std::move(*written);
  return Status::Ok();
}
// [server-register-broker]

// Two periodic jobs on one thread: retention every
// log.retention.check.interval.ms, and every
// log.flush.offset.checkpoint.interval.ms flushing rolled segments and
// checkpointing the recovery points, so that a crash is recovered from the
// active segments rather than from the last clean shutdown.
void KafkaServer::RetentionLoop() {
  using Clock = std::chrono::steady_clock;
  const auto retention = std::chrono::milliseconds(config_.GetLong("log.retention.check.interval.ms"));
  const auto checkpoint =
      std::chrono::milliseconds(config_.GetLong("log.flush.offset.checkpoint.interval.ms"));
  auto next_retention = Clock::now() + retention;
  auto next_checkpoint = Clock::now() + checkpoint;
  std::unique_lock lock(mu_);
  while (!stop_cv_.wait_until(lock, std::min(next_retention, next_checkpoint),
                              [this] { return stopping_; })) {
    lock.unlock();
    auto now = Clock::now();
    if (now >= next_checkpoint) {
      Status s = logs_->FlushRolledSegmentsAndCheckpoint();
      if (!s.ok()) Logger("server")->warn("checkpoint: {}", s.ToString());
      next_checkpoint = now + checkpoint;
    }
    if (now >= next_retention) {
      auto deleted = logs_->CleanupLogs();
      if (!deleted.ok()) Logger("server")->warn("retention: {}", deleted.status().ToString());
      next_retention = now + retention;
    }
    lock.lock();
  }
}

// [server-log-dir-failure]
// Kafka's LogDirFailureHandler thread: one failed directory at a time.
void KafkaServer::LogDirFailureLoop() {
  bool fatal_called = false;
  while (auto dir = failure_channel_.TakeNextOfflineLogDir()) {
    if (!replicas_->HandleLogDirFailure(*dir) || fatal_called) continue;
    fatal_called = true;
    std::string why = "every log dir has failed (last: " + *dir + ")";
    Logger("server")->error("stopping the broker: {}", why);
    if (fatal_handler_) fatal_handler_(why);
  }
}
// [server-log-dir-failure]

// [server-shutdown]
Status KafkaServer::Shutdown() {
  if (!started_) return Status::Ok();
  started_ = false;
  Logger("server")->info("shutting down");
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (retention_thread_.joinable()) retention_thread_.join();
  if (metrics_http_) metrics_http_->Stop();
  socket_server_->Shutdown();  // no request is in progress after this
  // Parked fetches expire no more; their responses would have nowhere to go.
  fetch_timer_->Shutdown();
  group_timer_->Shutdown();  // nor do session timeouts and delayed joins
  failure_channel_.Close();  // failures found from here on stay in the channel
  if (log_dir_failure_thread_.joinable()) log_dir_failure_thread_.join();
  Status s = logs_->Shutdown();  // skips the offline dirs: no marker there
  dir_locks_.clear();  // after the last write to the directories
  if (disk_faults_) disk_faults_->Stop();
  auto offline = failure_channel_.OfflineLogDirs();
  if (!offline.empty() && s.ok()) {
    std::string dirs;
    for (const auto& d : offline) dirs += (dirs.empty() ? "" : ",") + d;
    // Recovered at the next start.
    s = Status(ErrorCode::kKafkaStorageError, "offline log dirs: " + dirs);
  }
  if (s.ok()) {
    Logger("server")->info("shut down cleanly");
  } else {
    Logger("server")->error("shut down: {}", s.ToString());
  }
  return s;
}
// [server-shutdown]

int KafkaServer::BoundPort() const {
  return socket_server_ ? socket_server_->BoundPort("PLAINTEXT") : -1;
}

}  // namespace gregor
