// SPDX-License-Identifier: Apache-2.0
// ConsumerConfig::FromProperties: Kafka's consumer property names onto the
// struct (include/gregor/consumer.h). Numbers must parse whole; unknown
// keys are warned about and skipped, as Kafka's AbstractConfig does.
#include <sstream>

#include "client/config_parsers.h"
#include "gregor/consumer.h"

namespace gregor {

namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

}  // namespace

Result<ConsumerConfig> ConsumerConfig::FromProperties(
    const std::map<std::string, std::string>& props) {
  ConsumerConfig c;
  const std::map<std::string, PropertySetter> setters = {
      {"bootstrap.servers", StringProperty(&c.bootstrap_servers)},
      {"group.id", StringProperty(&c.group_id)},
      {"client.id", StringProperty(&c.client_id)},
      {"group.instance.id",
       [&](const std::string&, const std::string& v) {
         if (v.empty()) {
           c.group_instance_id.reset();
         } else {
           c.group_instance_id = v;
         }
         return Status::Ok();
       }},
      {"auto.offset.reset",
       [&](const std::string& k, const std::string& v) {
         if (v == "latest") {
           c.auto_offset_reset = OffsetResetStrategy::kLatest;
         } else if (v == "earliest") {
           c.auto_offset_reset = OffsetResetStrategy::kEarliest;
         } else if (v == "none") {
           c.auto_offset_reset = OffsetResetStrategy::kNone;
         } else {
           return Status(ErrorCode::kInvalidConfig,
                         k + ": expected latest, earliest or none, got '" + v + "'");
         }
         return Status::Ok();
       }},
      {"isolation.level",
       [&](const std::string& k, const std::string& v) {
         if (v == "read_uncommitted") {
           c.read_committed = false;
         } else if (v == "read_committed") {
           c.read_committed = true;
         } else {
           return Status(ErrorCode::kInvalidConfig,
                         k + ": expected read_uncommitted or read_committed, got '" + v + "'");
         }
         return Status::Ok();
       }},
      {"partition.assignment.strategy",
       [&](const std::string& k, const std::string& v) {
         // A comma-separated list of names; Java class names are accepted
         // by their simple name (RangeAssignor -> range).
         static const std::map<std::string, std::string> kJava = {
             {"RangeAssignor", "range"},
             {"RoundRobinAssignor", "roundrobin"},
             {"StickyAssignor", "sticky"},
             {"CooperativeStickyAssignor", "cooperative-sticky"}};
         c.partition_assignment_strategy.clear();
         std::stringstream in(v);
         std::string item;
         while (std::getline(in, item, ',')) {
           item = Trim(item);
           if (item.empty()) continue;
           std::string simple =
               item.substr(item.rfind('.') == std::string::npos ? 0 : item.rfind('.') + 1);
           if (auto it = kJava.find(simple); it != kJava.end()) item = it->second;
           c.partition_assignment_strategy.push_back(item);
         }
         if (c.partition_assignment_strategy.empty()) {
           return Status(ErrorCode::kInvalidConfig, k + ": empty");
         }
         return Status::Ok();
       }},
      {"enable.auto.commit", BoolProperty(&c.enable_auto_commit)},
      {"check.crcs", BoolProperty(&c.check_crcs)},
      {"exclude.internal.topics", BoolProperty(&c.exclude_internal_topics)},
      {"auto.commit.interval.ms", NumberProperty(&c.auto_commit_interval_ms)},
      {"fetch.min.bytes", NumberProperty(&c.fetch_min_bytes)},
      {"fetch.max.bytes", NumberProperty(&c.fetch_max_bytes)},
      {"fetch.max.wait.ms", NumberProperty(&c.fetch_max_wait_ms)},
      {"max.partition.fetch.bytes", NumberProperty(&c.max_partition_fetch_bytes)},
      {"max.poll.records", NumberProperty(&c.max_poll_records)},
      {"max.poll.interval.ms", NumberProperty(&c.max_poll_interval_ms)},
      {"session.timeout.ms", NumberProperty(&c.session_timeout_ms)},
      {"heartbeat.interval.ms", NumberProperty(&c.heartbeat_interval_ms)},
      {"request.timeout.ms", NumberProperty(&c.request_timeout_ms)},
      {"retry.backoff.ms", NumberProperty(&c.retry_backoff_ms)},
      {"metadata.max.age.ms", NumberProperty(&c.metadata_max_age_ms)},
      {"default.api.timeout.ms", NumberProperty(&c.default_api_timeout_ms)},
  };
  if (Status s = ApplyProperties(props, setters, "consumer"); !s.ok()) {
    return Result<ConsumerConfig>(s);
  }
  if (c.read_committed) {
    return Result<ConsumerConfig>(
        ErrorCode::kInvalidConfig,
        "isolation.level: read_committed arrives with transactions in chapter 07");
  }
  return c;
}

}  // namespace gregor
