// SPDX-License-Identifier: Apache-2.0
#include "lab06_fixture.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <sstream>
#include <thread>

extern char** environ;

namespace gregor::lab06 {

using namespace std::chrono_literals;

std::string PartitionList(const std::set<TopicPartition>& tps) {
  std::string out;
  for (const auto& tp : tps) {
    if (!out.empty()) out += ',';
    out += tp.topic + "-" + std::to_string(tp.partition.value());
  }
  return out.empty() ? "-" : out;
}

int CountDuplicates(const Processed& a, const Processed& b) {
  std::map<std::pair<int32_t, int64_t>, int> times;
  for (const auto& r : a) ++times[r];
  for (const auto& r : b) ++times[r];
  int dups = 0;
  for (const auto& [r, n] : times) dups += n - 1;
  return dups;
}

void GroupLab::TearDown() {
  for (auto& c : consumers_) {
    if (c) c->Close(3000ms);
  }
  consumers_.clear();
  broker_.reset();
}

void GroupLab::StartBroker() {
  broker_ = std::make_unique<Lab06Broker>(Props{{"group.initial.rebalance.delay.ms", "0"},
                                                {"group.min.session.timeout.ms", "1000"},
                                                {"offsets.topic.num.partitions", "1"},
                                                {"offsets.topic.replication.factor", "1"}});
  ASSERT_TRUE(broker_->ok());
}

void GroupLab::CreateTopic(const std::string& topic, int32_t partitions) {
  ASSERT_TRUE(broker_ && broker_->CreateTopic(topic, partitions)) << topic;
}

void GroupLab::Produce(const std::string& topic, int32_t partition, int count) {
  ASSERT_TRUE(broker_ && broker_->Produce(topic, partition, count)) << topic;
}

Props GroupLab::ConsumerProps(const std::string& group, const Props& props) const {
  Props all = {{"bootstrap.servers", broker_ ? broker_->bootstrap() : ""},
               {"group.id", group},
               {"client.id", "lab06"},
               {"auto.offset.reset", "earliest"},
               {"enable.auto.commit", "false"},
               {"max.poll.records", "10"},
               {"fetch.max.wait.ms", "100"},
               {"session.timeout.ms", "1500"},
               {"heartbeat.interval.ms", "200"},
               {"max.poll.interval.ms", "5000"},
               {"request.timeout.ms", "3000"},
               {"default.api.timeout.ms", "5000"},
               {"retry.backoff.ms", "50"}};
  for (const auto& [k, v] : props) all[k] = v;
  return all;
}

StringConsumer* GroupLab::MakeConsumer(const std::string& group, const Props& props) {
  auto config = ConsumerConfig::FromProperties(ConsumerProps(group, props));
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  if (!config.ok()) return nullptr;
  auto c = StringConsumer::Create(*config, StringDeserializer(), StringDeserializer());
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  if (!c.ok()) return nullptr;
  consumers_.push_back(std::move(*c));
  return consumers_.back().get();
}

void GroupLab::CloseConsumer(StringConsumer* c, std::chrono::milliseconds timeout) {
  for (auto& owned : consumers_) {
    if (owned.get() == c) {
      owned->Close(timeout);
      owned.reset();
    }
  }
}

bool GroupLab::PollUntil(StringConsumer* c, const std::function<bool()>& done,
                         std::chrono::milliseconds timeout, Processed* processed) {
  auto deadline = Steady::now() + timeout;
  while (!done()) {
    if (Steady::now() >= deadline) return false;
    auto records = c->Poll(50ms);
    EXPECT_TRUE(records.ok()) << records.status().ToString();
    if (!records.ok()) return false;
    if (processed) {
      for (const auto& r : *records) processed->push_back({r.partition, r.offset});
    }
  }
  return true;
}

std::optional<Processed> GroupLab::PollBatch(StringConsumer* c, std::chrono::milliseconds timeout) {
  auto deadline = Steady::now() + timeout;
  while (Steady::now() < deadline) {
    auto records = c->Poll(50ms);
    EXPECT_TRUE(records.ok()) << records.status().ToString();
    if (!records.ok()) return std::nullopt;
    if (records->empty()) continue;
    Processed out;
    for (const auto& r : *records) out.push_back({r.partition, r.offset});
    return out;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// The child process.

namespace {

constexpr const char* kChildFilter = "--gtest_filter=Lab06Child.DISABLED_Run";

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// "k=v;k=v" <-> Props.
std::string EncodeProps(const Props& props) {
  std::string out;
  for (const auto& [k, v] : props) out += k + "=" + v + ";";
  return out;
}
Props DecodeProps(const std::string& s) {
  Props out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ';')) {
    auto eq = item.find('=');
    if (eq != std::string::npos) out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

void Say(const std::string& line) {
  std::printf("LAB06 %s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace

std::unique_ptr<ChildConsumer> ChildConsumer::Spawn(const std::string& mode,
                                                    const std::string& topic, const Props& props) {
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  EXPECT_GT(n, 0);
  if (n <= 0) return nullptr;
  self[n] = '\0';
  int fds[2];
  EXPECT_EQ(pipe2(fds, O_CLOEXEC), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  if (!std::getenv("GREGOR_LAB_VERBOSE")) {
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  }
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
  env_strings.push_back("GREGOR_LAB06_CHILD_MODE=" + mode);
  env_strings.push_back("GREGOR_LAB06_CHILD_TOPIC=" + topic);
  env_strings.push_back("GREGOR_LAB06_CHILD_PROPS=" + EncodeProps(props));
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string also = "--gtest_also_run_disabled_tests", filter = kChildFilter;
  char* argv[] = {self, also.data(), filter.data(), nullptr};
  pid_t pid = -1;
  int rc = posix_spawn(&pid, self, &actions, nullptr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  EXPECT_EQ(rc, 0) << "posix_spawn";
  if (rc != 0) {
    close(fds[0]);
    return nullptr;
  }
  return std::unique_ptr<ChildConsumer>(new ChildConsumer(pid, fds[0]));
}

ChildConsumer::~ChildConsumer() {
  Kill();
  if (fd_ >= 0) close(fd_);
}

std::optional<std::string> ChildConsumer::ReadLine(std::chrono::milliseconds timeout) {
  auto deadline = Steady::now() + timeout;
  for (;;) {
    for (size_t nl; (nl = buffer_.find('\n')) != std::string::npos;) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      if (line.rfind("LAB06 ", 0) == 0) return line.substr(6);
    }
    int64_t left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now()).count();
    if (left <= 0 || fd_ < 0) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, int(left)) <= 0) continue;
    char chunk[4096];
    ssize_t got = read(fd_, chunk, sizeof chunk);
    if (got <= 0) return std::nullopt;  // the child exited
    buffer_.append(chunk, size_t(got));
  }
}

void ChildConsumer::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

// The child's side: one consumer, driven by GREGOR_LAB06_CHILD_* and
// reporting on stdout. It never ends by itself before its 30 s deadline:
// the parent kills it.
//   member:     subscribe, poll every 50 ms; "ASSIGNED <n> <partitions>"
//               whenever the assignment changes.
//   autocommit: subscribe (the parent sets enable.auto.commit=true),
//               poll records, "work" 250 ms on each batch, and after each
//               poll say "POLL <ms> <first> <last> <committed>" (ms since
//               the first batch, committed -1 if none); after 10 batches
//               "CRASHPOINT <processed up to> <committed>", then wait.
TEST(Lab06Child, DISABLED_Run) {
  const std::string mode = Env("GREGOR_LAB06_CHILD_MODE");
  const std::string topic = Env("GREGOR_LAB06_CHILD_TOPIC");
  if (mode.empty()) GTEST_SKIP() << "run by the lab's cases only";
  auto config = ConsumerConfig::FromProperties(DecodeProps(Env("GREGOR_LAB06_CHILD_PROPS")));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  auto c = StringConsumer::Create(*config, StringDeserializer(), StringDeserializer());
  ASSERT_TRUE(c.ok());
  StringConsumer& consumer = **c;
  ASSERT_TRUE(consumer.Subscribe({topic}).ok());
  Say("READY");
  auto deadline = Steady::now() + 30s;
  std::set<TopicPartition> last;
  std::optional<Steady::time_point> first_batch;
  int batches = 0;
  int64_t processed_to = 0;
  while (Steady::now() < deadline) {
    if (batches >= 10) {  // crashed: no more polls, no more commits
      std::this_thread::sleep_for(50ms);
      continue;
    }
    std::optional<Result<ConsumerRecords<std::string, std::string>>> records;
    try {
      records.emplace(consumer.Poll(50ms));
    } catch (const std::exception& e) {  // a lab stub: tell the parent
      Say(std::string("ERROR ") + e.what());
      throw;
    }
    if (!records->ok()) {
      Say("ERROR " + records->status().ToString());
      break;
    }
    if (mode == "member") {
      std::set<TopicPartition> now = consumer.Assignment();
      if (now != last) {
        Say("ASSIGNED " + std::to_string(now.size()) + " " + PartitionList(now));
        last = now;
      }
    } else if (mode == "autocommit" && !(*records)->empty()) {
      if (!first_batch) first_batch = Steady::now();
      const TopicPartition tp{topic, PartitionId(0)};
      auto committed = consumer.Committed({tp}, 2000ms);
      int64_t c_off = -1;
      if (committed.ok() && committed->count(tp)) c_off = committed->at(tp).offset;
      auto span = (*records)->records(tp);
      if (span.empty()) continue;
      processed_to = span.back().offset + 1;
      Say("POLL " + std::to_string(MsSince(*first_batch)) + " " +
          std::to_string(span.front().offset) + " " + std::to_string(span.back().offset) + " " +
          std::to_string(c_off));
      if (++batches == 10) {
        Say("CRASHPOINT " + std::to_string(processed_to) + " " + std::to_string(c_off));
      } else {
        std::this_thread::sleep_for(250ms);  // the application's work on the batch
      }
    }
  }
  // Reached only if the parent never killed us (it failed first).
  consumer.Close(1000ms);
}

}  // namespace gregor::lab06
