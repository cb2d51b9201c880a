// SPDX-License-Identifier: Apache-2.0
// One sample of each message with every field set away from its default,
// so a field the codec drops or misplaces shows up in a round trip. Fields
// that exist only above the advertised versions keep their defaults.
#pragma once

#include "protocol/api_versions.h"
#include "protocol/create_topics.h"
#include "protocol/delete_topics.h"
#include "protocol/fetch.h"
#include "protocol/list_offsets.h"
#include "protocol/metadata.h"
#include "protocol/produce.h"

namespace gregor::testing {

inline Bytes SomeRecords(uint8_t seed) { return Bytes{seed, 1, 2, 3, 4, 5, 6, 7, 8}; }

inline ApiVersionsRequest SampleApiVersionsRequest() {
  return {.client_software_name = "gregor-test", .client_software_version = "0.1.0"};
}

inline ApiVersionsResponse SampleApiVersionsResponse() {
  ApiVersionsResponse r = MakeApiVersionsResponse(ErrorCode::kUnsupportedVersion);
  r.throttle_time_ms = 7;
  return r;
}

inline MetadataRequest SampleMetadataRequest() {
  MetadataRequest r;
  r.topics = std::vector<MetadataRequestTopic>{{"orders"}, {"payments"}};
  r.allow_auto_topic_creation = false;
  return r;
}

inline MetadataResponse SampleMetadataResponse() {
  MetadataResponse r;
  r.throttle_time_ms = 3;
  r.brokers = {{1, "broker-1", 9092, "rack-a"}, {2, "broker-2", 9093, std::nullopt}};
  r.cluster_id = "cluster-xyz";
  r.controller_id = 2;
  MetadataResponsePartition p;
  p.error_code = ErrorCode::kLeaderNotAvailable;
  p.partition_index = 4;
  p.leader_id = 1;
  p.replica_nodes = {1, 2};
  p.isr_nodes = {1};
  p.offline_replicas = {2};
  r.topics = {{ErrorCode::kNone, "orders", true, {p, p}},
              {ErrorCode::kUnknownTopicOrPartition, "missing", false, {}}};
  return r;
}

inline ProduceRequest SampleProduceRequest() {
  ProduceRequest r;
  r.transactional_id = "txn-1";
  r.acks = -1;
  r.timeout_ms = 30000;
  r.topic_data = {{"orders", {{0, SomeRecords(1)}, {3, std::nullopt}}}, {"empty", {}}};
  return r;
}

inline ProduceResponse SampleProduceResponse() {
  ProduceResponse r;
  r.responses = {{"orders",
                  {{0, ErrorCode::kNone, 100, 1700000000000, 5},
                   {3, ErrorCode::kNotLeaderOrFollower, -1, -1, 0}}}};
  r.throttle_time_ms = 11;
  return r;
}

inline FetchRequest SampleFetchRequest() {
  FetchRequest r;
  r.replica_id = -1;
  r.max_wait_ms = 500;
  r.min_bytes = 1;
  r.max_bytes = 52428800;
  r.isolation_level = 1;
  r.session_id = 0;
  r.session_epoch = -1;
  r.topics = {{"orders", {{0, 5, 42, 7, 1048576}, {1, 5, 0, 0, 65536}}}};
  r.forgotten_topics_data = {{"old", {1, 2, 3}}};
  r.rack_id = "rack-a";
  return r;
}

inline FetchResponse SampleFetchResponse() {
  FetchResponse r;
  r.throttle_time_ms = 2;
  r.error_code = ErrorCode::kFetchSessionIdNotFound;
  r.session_id = 0;
  FetchPartitionData a;
  a.partition_index = 0;
  a.high_watermark = 100;
  a.last_stable_offset = 90;
  a.log_start_offset = 10;
  a.aborted_transactions = std::vector<AbortedTransaction>{{7, 91}, {8, 95}};
  a.preferred_read_replica = 2;
  a.records = SomeRecords(9);
  FetchPartitionData b;
  b.partition_index = 1;
  b.error_code = ErrorCode::kOffsetOutOfRange;
  b.high_watermark = 5;
  b.last_stable_offset = 5;
  b.log_start_offset = 0;
  r.responses = {{"orders", {a, b}}};
  return r;
}

inline ListOffsetsRequest SampleListOffsetsRequest() {
  ListOffsetsRequest r;
  r.replica_id = -1;
  r.isolation_level = 1;
  r.topics = {{"orders", {{0, kListOffsetsLatest}, {1, 1700000000000}}}};
  return r;
}

inline ListOffsetsResponse SampleListOffsetsResponse() {
  ListOffsetsResponse r;
  r.throttle_time_ms = 4;
  r.topics = {{"orders",
               {{0, ErrorCode::kNone, 1700000000000, 77},
                {1, ErrorCode::kUnknownTopicOrPartition, -1, -1}}}};
  return r;
}

inline CreateTopicsRequest SampleCreateTopicsRequest() {
  CreateTopicsRequest r;
  r.topics = {{"orders", 3, 2, {}, {{"cleanup.policy", "compact"}, {"retention.ms", std::nullopt}}},
              {"manual", -1, -1, {{0, {1, 2}}, {1, {2, 1}}}, {}}};
  r.timeout_ms = 15000;
  r.validate_only = true;
  return r;
}

inline CreateTopicsResponse SampleCreateTopicsResponse() {
  CreateTopicsResponse r;
  r.throttle_time_ms = 9;
  r.topics = {{"orders", ErrorCode::kNone, std::nullopt},
              {"manual", ErrorCode::kTopicAlreadyExists, "Topic 'manual' already exists."}};
  return r;
}

inline DeleteTopicsRequest SampleDeleteTopicsRequest() {
  return {.topic_names = {"orders", "payments"}, .timeout_ms = 15000};
}

inline DeleteTopicsResponse SampleDeleteTopicsResponse() {
  DeleteTopicsResponse r;
  r.throttle_time_ms = 6;
  r.responses = {{"orders", ErrorCode::kNone}, {"payments", ErrorCode::kUnknownTopicOrPartition}};
  return r;
}

}  // namespace gregor::testing
