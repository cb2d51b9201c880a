// SPDX-License-Identifier: Apache-2.0
// ProducerConfig::FromProperties: Kafka's producer property names onto the
// struct. Numbers must parse whole; unknown keys are warned about and
// skipped, as Kafka's AbstractConfig does.
#include "client/config_parsers.h"
#include "gregor/producer.h"

namespace gregor {

Result<ProducerConfig> ProducerConfig::FromProperties(
    const std::map<std::string, std::string>& props) {
  ProducerConfig c;
  const std::map<std::string, PropertySetter> setters = {
      {"bootstrap.servers", StringProperty(&c.bootstrap_servers)},
      {"client.id", StringProperty(&c.client_id)},
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
      {"linger.ms", NumberProperty(&c.linger_ms)},
      {"batch.size", NumberProperty(&c.batch_size)},
      {"buffer.memory", NumberProperty(&c.buffer_memory)},
      {"max.block.ms", NumberProperty(&c.max_block_ms)},
      {"retries", NumberProperty(&c.retries)},
      {"retry.backoff.ms", NumberProperty(&c.retry_backoff_ms)},
      {"retry.backoff.max.ms", NumberProperty(&c.retry_backoff_max_ms)},
      {"delivery.timeout.ms", NumberProperty(&c.delivery_timeout_ms)},
      {"request.timeout.ms", NumberProperty(&c.request_timeout_ms)},
      {"max.in.flight.requests.per.connection",
       NumberProperty(&c.max_in_flight_requests_per_connection)},
      {"max.request.size", NumberProperty(&c.max_request_size)},
      {"metadata.max.age.ms", NumberProperty(&c.metadata_max_age_ms)},
      {"partitioner.ignore.keys", BoolProperty(&c.partitioner_ignore_keys)},
      {"partitioner.adaptive.partitioning.enable",
       BoolProperty(&c.partitioner_adaptive_partitioning_enable)},
      {"partitioner.availability.timeout.ms",
       NumberProperty(&c.partitioner_availability_timeout_ms)},
      {"enable.idempotence", BoolProperty(&c.enable_idempotence)},
  };
  if (Status s = ApplyProperties(props, setters, "producer"); !s.ok()) {
    return Result<ProducerConfig>(s);
  }
  if (c.enable_idempotence) {
    return Result<ProducerConfig>(
        ErrorCode::kInvalidConfig,
        "enable.idempotence: the idempotent producer arrives in chapter 07; set it to false");
  }
  return c;
}

}  // namespace gregor
