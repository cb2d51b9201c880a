// SPDX-License-Identifier: Apache-2.0
// KafkaApis: the group APIs (kafka_apis.h). Each handler decodes its
// request, asks the GroupCoordinator and encodes what it answers; the
// rules (generations, member ids, rebalances) are the coordinator's.
#include <mutex>

#include "common/logging.h"
#include "protocol/delete_groups.h"
#include "protocol/describe_groups.h"
#include "protocol/find_coordinator.h"
#include "protocol/heartbeat.h"
#include "protocol/join_group.h"
#include "protocol/leave_group.h"
#include "protocol/list_groups.h"
#include "protocol/offset_commit.h"
#include "protocol/offset_fetch.h"
#include "protocol/sync_group.h"
#include "server/kafka_apis.h"
#include "server/offsets_topic.h"

namespace gregor {

namespace {

// "127.0.0.1:53122" -> "/127.0.0.1", the form Kafka reports a member's host in.
std::string ClientHost(std::string_view peer) {
  size_t colon = peer.rfind(':');
  std::string_view host = colon == std::string_view::npos ? peer : peer.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  return "/" + std::string(host);
}

}  // namespace

bool KafkaApis::IsAsync(ApiKey key) {
  return key == ApiKey::kFetch || key == ApiKey::kJoinGroup || key == ApiKey::kSyncGroup ||
         key == ApiKey::kOffsetCommit || key == ApiKey::kDeleteGroups;
}

void KafkaApis::DispatchAsync(const ParsedRequest& req, std::string_view peer,
                              ApiResponder respond) {
  switch (req.header.api_key) {
    case ApiKey::kFetch:
      return HandleFetch(req, std::move(respond));
    case ApiKey::kJoinGroup:
      return HandleJoinGroup(req, peer, std::move(respond));
    case ApiKey::kSyncGroup:
      return HandleSyncGroup(req, std::move(respond));
    case ApiKey::kOffsetCommit:
      return HandleOffsetCommit(req, std::move(respond));
    case ApiKey::kDeleteGroups:
      return HandleDeleteGroups(req, std::move(respond));
    default:
      respond(Dispatch(req));
  }
}

ApiResponse KafkaApis::AnswerIfImmediate(const ParsedRequest& req) {
  struct Slot {
    std::mutex mu;
    std::optional<ApiResponse> response;
  };
  auto slot = std::make_shared<Slot>();
  DispatchAsync(req, "", [slot](ApiResponse r) {
    std::lock_guard lock(slot->mu);
    slot->response = std::move(r);
  });
  std::lock_guard lock(slot->mu);
  if (slot->response) return std::move(*slot->response);
  return {ApiResponse::Action::kNoResponse, {}};
}

// [kafka-apis-find-coordinator]
bool KafkaApis::EnsureOffsetsTopic() {
  if (topics_.Find(kOffsetsTopic)) return true;
  // Kafka creates the topic on the first FindCoordinator, not at startup:
  // a cluster without consumer groups never has it.
  Status s = topics_.CreateTopic(kOffsetsTopic, group_manager_->num_partitions(),
                                 int16_t(config_.GetInt("offsets.topic.replication.factor")),
                                 OffsetsTopicConfigs(config_));
  if (!s.ok() && s.code() != ErrorCode::kTopicAlreadyExists) {
    Logger("server")->error("cannot create {}: {}", kOffsetsTopic, s.ToString());
    return false;
  }
  return true;
}

ApiResponse KafkaApis::HandleFindCoordinator(const ParsedRequest& req) {
  auto body = Decode<FindCoordinatorRequest>(req.body, req.header.api_version);
  if (!body.ok()) return Unreadable(req, body.status());
  FindCoordinatorResponse r;
  auto fail = [&](ErrorCode e, std::string message) {
    r.error_code = e;
    r.error_message = std::move(message);
    r.host = "";
    return Send(req, r);
  };
  if (body->key_type != int8_t(CoordinatorType::kGroup)) {
    return fail(ErrorCode::kCoordinatorNotAvailable, "transactions come with chapter 07");
  }
  if (groups_ == nullptr) return fail(ErrorCode::kCoordinatorNotAvailable, "no group coordinator");
  if (body->key.empty()) return fail(ErrorCode::kInvalidGroupId, "empty group id");
  if (!EnsureOffsetsTopic()) {
    return fail(ErrorCode::kCoordinatorNotAvailable, "__consumer_offsets cannot be created");
  }
  // The coordinator is the leader of the group's partition: this node,
  // once it hosts the partition (it may still be loading: the group
  // requests then answer COORDINATOR_LOAD_IN_PROGRESS themselves).
  int32_t partition = group_manager_->PartitionFor(body->key);
  if (!replicas_.IsHosted(TopicPartition{kOffsetsTopic, PartitionId{partition}})) {
    return fail(ErrorCode::kCoordinatorNotAvailable, "partition not yet hosted");
  }
  r.node_id = node_id_;
  r.host = endpoint_.host;
  r.port = endpoint_.port != 0 ? endpoint_.port : bound_port_.load();
  return Send(req, r);
}
// [kafka-apis-find-coordinator]

// [kafka-apis-join-group]
void KafkaApis::HandleJoinGroup(const ParsedRequest& req, std::string_view peer,
                                ApiResponder respond) {
  const int16_t v = req.header.api_version;
  const int32_t correlation_id = req.header.correlation_id;
  auto body = Decode<JoinGroupRequest>(req.body, v);
  if (!body.ok()) return respond(Unreadable(req, body.status()));
  auto answer = [correlation_id, v, respond](const JoinGroupResult& result) {
    JoinGroupResponse r;
    r.error_code = result.error;
    r.generation_id = result.generation_id;
    r.protocol_name = result.protocol_name.value_or("");
    r.leader = result.leader_id;
    r.member_id = result.member_id;
    for (const auto& m : result.members) r.members.push_back({m.member_id, m.group_instance_id, m.metadata});
    respond({ApiResponse::Action::kSend, EncodeResponse(correlation_id, r, v)});
  };
  if (groups_ == nullptr) {
    JoinGroupResult none;
    none.error = ErrorCode::kCoordinatorNotAvailable;
    none.member_id = body->member_id;
    return answer(none);
  }
  JoinGroupParams p;
  p.group_id = body->group_id;
  p.member_id = body->member_id;
  p.group_instance_id = body->group_instance_id;
  p.require_known_member_id = v >= 4;  // KIP-394
  p.client_id = req.header.client_id.value_or("");
  p.client_host = ClientHost(peer);
  p.session_timeout_ms = body->session_timeout_ms;
  // v0 has no rebalance timeout: the session timeout serves as both.
  p.rebalance_timeout_ms = v == 0 ? body->session_timeout_ms : body->rebalance_timeout_ms;
  p.protocol_type = body->protocol_type;
  for (auto& proto : body->protocols) p.protocols.push_back({proto.name, std::move(proto.metadata)});
  groups_->HandleJoinGroup(p, answer);
}
// [kafka-apis-join-group]

void KafkaApis::HandleSyncGroup(const ParsedRequest& req, ApiResponder respond) {
  const int16_t v = req.header.api_version;
  const int32_t correlation_id = req.header.correlation_id;
  auto body = Decode<SyncGroupRequest>(req.body, v);
  if (!body.ok()) return respond(Unreadable(req, body.status()));
  auto answer = [correlation_id, v, respond](const SyncGroupResult& result) {
    SyncGroupResponse r;
    r.error_code = result.error;
    r.assignment = result.assignment;
    respond({ApiResponse::Action::kSend, EncodeResponse(correlation_id, r, v)});
  };
  if (groups_ == nullptr) return answer({ErrorCode::kCoordinatorNotAvailable, {}});
  SyncGroupParams p;
  p.group_id = body->group_id;
  p.generation_id = body->generation_id;
  p.member_id = body->member_id;
  p.group_instance_id = body->group_instance_id;
  for (auto& a : body->assignments) p.assignments[a.member_id] = std::move(a.assignment);
  groups_->HandleSyncGroup(p, answer);
}

ApiResponse KafkaApis::HandleHeartbeat(const ParsedRequest& req) {
  auto body = Decode<HeartbeatRequest>(req.body, req.header.api_version);
  if (!body.ok()) return Unreadable(req, body.status());
  HeartbeatResponse r;
  r.error_code = groups_ ? groups_->HandleHeartbeat(body->group_id, body->member_id,
                                                    body->group_instance_id, body->generation_id)
                         : ErrorCode::kCoordinatorNotAvailable;
  return Send(req, r);
}

ApiResponse KafkaApis::HandleLeaveGroup(const ParsedRequest& req) {
  const int16_t v = req.header.api_version;
  auto body = Decode<LeaveGroupRequest>(req.body, v);
  if (!body.ok()) return Unreadable(req, body.status());
  LeaveGroupResponse r;
  if (groups_ == nullptr) {
    r.error_code = ErrorCode::kCoordinatorNotAvailable;
    return Send(req, r);
  }
  std::vector<LeavingMember> leaving;
  if (v < 3) {
    leaving.push_back({body->member_id, std::nullopt});
  } else {
    for (const auto& m : body->members) leaving.push_back({m.member_id, m.group_instance_id});
  }
  // v3+: a coordinator error fails the request; member errors stay per member.
  if (ErrorCode e = groups_->CoordinatorError(body->group_id); e != ErrorCode::kNone) {
    r.error_code = e;
    return Send(req, r);
  }
  std::vector<ErrorCode> errors = groups_->HandleLeaveGroup(body->group_id, leaving);
  if (v < 3) {
    r.error_code = errors.empty() ? ErrorCode::kNone : errors.front();
  } else {
    for (size_t i = 0; i < leaving.size() && i < errors.size(); ++i) {
      r.members.push_back({leaving[i].member_id, leaving[i].group_instance_id, errors[i]});
    }
  }
  return Send(req, r);
}

// [kafka-apis-offset-commit]
void KafkaApis::HandleOffsetCommit(const ParsedRequest& req, ApiResponder respond) {
  const int16_t v = req.header.api_version;
  const int32_t correlation_id = req.header.correlation_id;
  auto body = Decode<OffsetCommitRequest>(req.body, v);
  if (!body.ok()) return respond(Unreadable(req, body.status()));
  const int64_t now = clock_.NowMs();
  CommitOffsetsParams p;
  p.group_id = body->group_id;
  p.member_id = body->member_id;
  p.group_instance_id = body->group_instance_id;
  p.generation_id = body->generation_id;
  // Partitions the broker does not have are refused before the coordinator
  // sees the commit, as Kafka does (UNKNOWN_TOPIC_OR_PARTITION).
  std::map<TopicPartition, ErrorCode> refused;
  for (const auto& t : body->topics) {
    auto info = topics_.Find(t.name);
    for (const auto& part : t.partitions) {
      TopicPartition tp{t.name, PartitionId{part.partition_index}};
      if (!info || part.partition_index < 0 || part.partition_index >= info->partitions) {
        refused[tp] = ErrorCode::kUnknownTopicOrPartition;
        continue;
      }
      CommittedOffset o;
      o.offset = part.committed_offset;
      o.leader_epoch = part.committed_leader_epoch;
      o.metadata = part.committed_metadata.value_or("");
      o.commit_timestamp_ms = now;
      if (v <= 4 && body->retention_time_ms >= 0) o.expire_timestamp_ms = now + body->retention_time_ms;
      p.offsets[tp] = std::move(o);
    }
  }
  // The response lists the partitions in request order.
  auto request = std::make_shared<OffsetCommitRequest>(std::move(*body));
  auto answer = [correlation_id, v, respond, request,
                 refused](const std::map<TopicPartition, ErrorCode>& errors) {
    OffsetCommitResponse r;
    for (const auto& t : request->topics) {
      OffsetCommitResponseTopic topic{t.name, {}};
      for (const auto& part : t.partitions) {
        TopicPartition tp{t.name, PartitionId{part.partition_index}};
        ErrorCode e = ErrorCode::kUnknownServerError;
        if (auto it = refused.find(tp); it != refused.end()) e = it->second;
        if (auto it = errors.find(tp); it != errors.end()) e = it->second;
        topic.partitions.push_back({part.partition_index, e});
      }
      r.topics.push_back(std::move(topic));
    }
    respond({ApiResponse::Action::kSend, EncodeResponse(correlation_id, r, v)});
  };
  if (groups_ == nullptr) {
    std::map<TopicPartition, ErrorCode> none;
    for (const auto& [tp, o] : p.offsets) none[tp] = ErrorCode::kCoordinatorNotAvailable;
    return answer(none);
  }
  if (p.offsets.empty()) return answer({});
  groups_->HandleCommitOffsets(p, answer);
}
// [kafka-apis-offset-commit]

ApiResponse KafkaApis::HandleOffsetFetch(const ParsedRequest& req) {
  const int16_t v = req.header.api_version;
  auto body = Decode<OffsetFetchRequest>(req.body, v);
  if (!body.ok()) return Unreadable(req, body.status());
  std::optional<std::vector<TopicPartition>> wanted;  // nullopt: every committed one
  if (body->topics) {
    wanted.emplace();
    for (const auto& t : *body->topics) {
      for (int32_t p : t.partition_indexes) wanted->push_back({t.name, PartitionId{p}});
    }
  }
  std::map<TopicPartition, CommittedOffset> offsets;
  ErrorCode error = groups_ ? groups_->HandleFetchOffsets(body->group_id, wanted, &offsets)
                            : ErrorCode::kCoordinatorNotAvailable;
  OffsetFetchResponse r;
  // v2+ has a group-level error and then lists no partition (Kafka's
  // error response); v1 can only say it per partition.
  if (v >= 2) {
    r.error_code = error;
    if (error != ErrorCode::kNone) return Send(req, r);
  }
  auto entry = [&](const TopicPartition& tp) {
    OffsetFetchResponsePartition part;
    part.partition_index = tp.partition.value();
    part.metadata = "";
    if (v < 2) part.error_code = error;
    if (auto it = offsets.find(tp); it != offsets.end()) {
      part.committed_offset = it->second.offset;
      part.committed_leader_epoch = it->second.leader_epoch;
      part.metadata = it->second.metadata;
    }
    return part;
  };
  if (body->topics) {
    for (const auto& t : *body->topics) {
      OffsetFetchResponseTopic topic{t.name, {}};
      for (int32_t p : t.partition_indexes) topic.partitions.push_back(entry({t.name, PartitionId{p}}));
      r.topics.push_back(std::move(topic));
    }
  } else if (error == ErrorCode::kNone) {
    for (const auto& [tp, o] : offsets) {
      if (r.topics.empty() || r.topics.back().name != tp.topic) r.topics.push_back({tp.topic, {}});
      r.topics.back().partitions.push_back(entry(tp));
    }
  }
  return Send(req, r);
}

ApiResponse KafkaApis::HandleDescribeGroups(const ParsedRequest& req) {
  auto body = Decode<DescribeGroupsRequest>(req.body, req.header.api_version);
  if (!body.ok()) return Unreadable(req, body.status());
  DescribeGroupsResponse r;
  for (const std::string& id : body->groups) {
    DescribedGroup g;
    g.group_id = id;
    g.error_code = groups_ ? groups_->CoordinatorError(id) : ErrorCode::kCoordinatorNotAvailable;
    if (g.error_code != ErrorCode::kNone) {
      r.groups.push_back(std::move(g));
      continue;
    }
    auto summary = groups_->Describe(id);
    // Kafka describes a group it does not know as Dead, without an error.
    g.group_state = GroupStateName(summary ? summary->state : GroupState::kDead);
    if (summary) {
      g.protocol_type = summary->protocol_type.value_or("");
      // As Kafka's GroupMetadata.summary: the protocol only while Stable.
      if (summary->state == GroupState::kStable) {
        g.protocol_data = summary->protocol_name.value_or("");
      }
      for (auto& m : summary->members) {
        g.members.push_back({m.member_id, m.group_instance_id, m.client_id, m.client_host,
                             std::move(m.metadata), std::move(m.assignment)});
      }
    }
    r.groups.push_back(std::move(g));
  }
  return Send(req, r);
}

ApiResponse KafkaApis::HandleListGroups(const ParsedRequest& req) {
  auto body = Decode<ListGroupsRequest>(req.body, req.header.api_version);
  if (!body.ok()) return Unreadable(req, body.status());
  ListGroupsResponse r;
  if (groups_ == nullptr) {
    r.error_code = ErrorCode::kCoordinatorNotAvailable;
    return Send(req, r);
  }
  for (auto& [id, type] : groups_->ListGroups()) r.groups.push_back({id, type});
  return Send(req, r);
}

void KafkaApis::HandleDeleteGroups(const ParsedRequest& req, ApiResponder respond) {
  const int16_t v = req.header.api_version;
  const int32_t correlation_id = req.header.correlation_id;
  auto body = Decode<DeleteGroupsRequest>(req.body, v);
  if (!body.ok()) return respond(Unreadable(req, body.status()));
  auto names = std::make_shared<std::vector<std::string>>(std::move(body->groups_names));
  auto answer = [correlation_id, v, respond, names](const std::map<std::string, ErrorCode>& errors) {
    DeleteGroupsResponse r;
    for (const auto& id : *names) {
      auto it = errors.find(id);
      r.results.push_back({id, it == errors.end() ? ErrorCode::kGroupIdNotFound : it->second});
    }
    respond({ApiResponse::Action::kSend, EncodeResponse(correlation_id, r, v)});
  };
  if (groups_ == nullptr) {
    std::map<std::string, ErrorCode> none;
    for (const auto& id : *names) none[id] = ErrorCode::kCoordinatorNotAvailable;
    return answer(none);
  }
  groups_->HandleDeleteGroups(*names, answer);
}

}  // namespace gregor
