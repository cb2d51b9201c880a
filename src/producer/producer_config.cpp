// SPDX-License-Identifier: Apache-2.0
// ProducerConfig::FromProperties: Kafka's producer property names onto the
// struct. Numbers must parse whole; unknown keys are warned about and
// skipped, as Kafka's AbstractConfig does.
#include <charconv>
#include <functional>

#include "common/logging.h"
#include "gregor/producer.h"

namespace gregor {

namespace {

template <class T>
Status ParseNumber(const std::string& key, const std::string& text, T* out) {
  T v{};
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) {
    return Status(ErrorCode::kInvalidConfig, key + ": not a number: '" + text + "'");
  }
  *out = v;
  return Status::Ok();
}

Status ParseBool(const std::string& key, const std::string& text, bool* out) {
  if (text == "true") {
    *out = true;
  } else if (text == "false") {
    *out = false;
  } else {
    return Status(ErrorCode::kInvalidConfig, key + ": expected true or false, got '" + text + "'");
  }
  return Status::Ok();
}

}  // namespace

Result<ProducerConfig> ProducerConfig::FromProperties(
    const std::map<std::string, std::string>& props) {
  ProducerConfig c;
  using Setter = std::function<Status(const std::string&, const std::string&)>;
  auto num = [](auto* field) -> Setter {
    return [field](const std::string& k, const std::string& v) { return ParseNumber(k, v, field); };
  };
  auto flag = [](bool* field) -> Setter {
    return [field](const std::string& k, const std::string& v) { return ParseBool(k, v, field); };
  };
  const std::map<std::string, Setter> setters = {
      {"bootstrap.servers",
       [&](const std::string&, const std::string& v) {
         c.bootstrap_servers = v;
         return Status::Ok();
       }},
      {"client.id",
       [&](const std::string&, const std::string& v) {
         c.client_id = v;
         return Status::Ok();
       }},
      {"acks",
       [&](const std::string& k, const std::string& v) {
         if (v == "all" || v == "-1") {
           c.acks = -1;
         } else if (v == "0" || v == "1") {
           c.acks = int16_t(v[0] - '0');
         } else {
           return Status(ErrorCode::kInvalidConfig, k + ": expected all, -1, 0 or 1, got '" + v + "'");
         }
         return Status::Ok();
       }},
      {"compression.type",
       [&](const std::string& k, const std::string& v) {
         static const std::map<std::string, CompressionType> kTypes = {
             {"none", CompressionType::kNone},   {"gzip", CompressionType::kGzip},
             {"snappy", CompressionType::kSnappy}, {"lz4", CompressionType::kLz4},
             {"zstd", CompressionType::kZstd}};
         auto it = kTypes.find(v);
         if (it == kTypes.end()) {
           return Status(ErrorCode::kInvalidConfig,
                         k + ": expected none, gzip, snappy, lz4 or zstd, got '" + v + "'");
         }
         c.compression_type = it->second;
         return Status::Ok();
       }},
      {"linger.ms", num(&c.linger_ms)},
      {"batch.size", num(&c.batch_size)},
      {"buffer.memory", num(&c.buffer_memory)},
      {"max.block.ms", num(&c.max_block_ms)},
      {"retries", num(&c.retries)},
      {"retry.backoff.ms", num(&c.retry_backoff_ms)},
      {"retry.backoff.max.ms", num(&c.retry_backoff_max_ms)},
      {"delivery.timeout.ms", num(&c.delivery_timeout_ms)},
      {"request.timeout.ms", num(&c.request_timeout_ms)},
      {"max.in.flight.requests.per.connection", num(&c.max_in_flight_requests_per_connection)},
      {"max.request.size", num(&c.max_request_size)},
      {"metadata.max.age.ms", num(&c.metadata_max_age_ms)},
      {"partitioner.ignore.keys", flag(&c.partitioner_ignore_keys)},
      {"partitioner.adaptive.partitioning.enable",
       flag(&c.partitioner_adaptive_partitioning_enable)},
      {"partitioner.availability.timeout.ms", num(&c.partitioner_availability_timeout_ms)},
      {"enable.idempotence", flag(&c.enable_idempotence)},
  };
  for (const auto& [key, value] : props) {
    auto it = setters.find(key);
    if (it == setters.end()) {
      Logger("producer")->warn("unknown producer property ignored key={}", key);
      continue;
    }
    Status s = it->second(key, value);
    if (!s.ok()) return Result<ProducerConfig>(s);
  }
  if (c.enable_idempotence) {
    return Result<ProducerConfig>(
        ErrorCode::kInvalidConfig,
        "enable.idempotence: the idempotent producer arrives in chapter 07; set it to false");
  }
  return c;
}

}  // namespace gregor
