// SPDX-License-Identifier: Apache-2.0
// Kafka's error codes (names and numbers as on the wire, Kafka's
// org.apache.kafka.common.protocol.Errors), and Status / Result<T>, the way
// Gregor returns them.
//
// A Status is an ErrorCode plus a human message for the log line; ok() is
// ErrorCode::kNone. Result<T> holds either a T or a non-ok Status. Errors
// that a client must see travel as the code; the message is for operators.
// Exceptions are kept for programming errors and lab stubs, never for bad
// input: bad bytes from a client or a disk are a Status, never a throw.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace gregor {

// X(name, code, KAFKA_NAME)
#define GREGOR_KAFKA_ERRORS(X)                                            \
  X(kUnknownServerError, -1, UNKNOWN_SERVER_ERROR)                         \
  X(kNone, 0, NONE)                                                        \
  X(kOffsetOutOfRange, 1, OFFSET_OUT_OF_RANGE)                             \
  X(kCorruptMessage, 2, CORRUPT_MESSAGE)                                   \
  X(kUnknownTopicOrPartition, 3, UNKNOWN_TOPIC_OR_PARTITION)               \
  X(kInvalidFetchSize, 4, INVALID_FETCH_SIZE)                              \
  X(kLeaderNotAvailable, 5, LEADER_NOT_AVAILABLE)                          \
  X(kNotLeaderOrFollower, 6, NOT_LEADER_OR_FOLLOWER)                       \
  X(kRequestTimedOut, 7, REQUEST_TIMED_OUT)                                \
  X(kBrokerNotAvailable, 8, BROKER_NOT_AVAILABLE)                          \
  X(kReplicaNotAvailable, 9, REPLICA_NOT_AVAILABLE)                        \
  X(kMessageTooLarge, 10, MESSAGE_TOO_LARGE)                               \
  X(kStaleControllerEpoch, 11, STALE_CONTROLLER_EPOCH)                     \
  X(kOffsetMetadataTooLarge, 12, OFFSET_METADATA_TOO_LARGE)                \
  X(kNetworkException, 13, NETWORK_EXCEPTION)                              \
  X(kCoordinatorLoadInProgress, 14, COORDINATOR_LOAD_IN_PROGRESS)          \
  X(kCoordinatorNotAvailable, 15, COORDINATOR_NOT_AVAILABLE)               \
  X(kNotCoordinator, 16, NOT_COORDINATOR)                                  \
  X(kInvalidTopicException, 17, INVALID_TOPIC_EXCEPTION)                   \
  X(kRecordListTooLarge, 18, RECORD_LIST_TOO_LARGE)                        \
  X(kNotEnoughReplicas, 19, NOT_ENOUGH_REPLICAS)                           \
  X(kNotEnoughReplicasAfterAppend, 20, NOT_ENOUGH_REPLICAS_AFTER_APPEND)   \
  X(kInvalidRequiredAcks, 21, INVALID_REQUIRED_ACKS)                       \
  X(kIllegalGeneration, 22, ILLEGAL_GENERATION)                            \
  X(kInconsistentGroupProtocol, 23, INCONSISTENT_GROUP_PROTOCOL)           \
  X(kInvalidGroupId, 24, INVALID_GROUP_ID)                                 \
  X(kUnknownMemberId, 25, UNKNOWN_MEMBER_ID)                               \
  X(kInvalidSessionTimeout, 26, INVALID_SESSION_TIMEOUT)                   \
  X(kRebalanceInProgress, 27, REBALANCE_IN_PROGRESS)                       \
  X(kInvalidCommitOffsetSize, 28, INVALID_COMMIT_OFFSET_SIZE)              \
  X(kTopicAuthorizationFailed, 29, TOPIC_AUTHORIZATION_FAILED)             \
  X(kGroupAuthorizationFailed, 30, GROUP_AUTHORIZATION_FAILED)             \
  X(kClusterAuthorizationFailed, 31, CLUSTER_AUTHORIZATION_FAILED)         \
  X(kInvalidTimestamp, 32, INVALID_TIMESTAMP)                              \
  X(kUnsupportedSaslMechanism, 33, UNSUPPORTED_SASL_MECHANISM)             \
  X(kIllegalSaslState, 34, ILLEGAL_SASL_STATE)                             \
  X(kUnsupportedVersion, 35, UNSUPPORTED_VERSION)                          \
  X(kTopicAlreadyExists, 36, TOPIC_ALREADY_EXISTS)                         \
  X(kInvalidPartitions, 37, INVALID_PARTITIONS)                            \
  X(kInvalidReplicationFactor, 38, INVALID_REPLICATION_FACTOR)             \
  X(kInvalidReplicaAssignment, 39, INVALID_REPLICA_ASSIGNMENT)             \
  X(kInvalidConfig, 40, INVALID_CONFIG)                                    \
  X(kNotController, 41, NOT_CONTROLLER)                                    \
  X(kInvalidRequest, 42, INVALID_REQUEST)                                  \
  X(kUnsupportedForMessageFormat, 43, UNSUPPORTED_FOR_MESSAGE_FORMAT)      \
  X(kPolicyViolation, 44, POLICY_VIOLATION)                                \
  X(kOutOfOrderSequenceNumber, 45, OUT_OF_ORDER_SEQUENCE_NUMBER)           \
  X(kDuplicateSequenceNumber, 46, DUPLICATE_SEQUENCE_NUMBER)               \
  X(kInvalidProducerEpoch, 47, INVALID_PRODUCER_EPOCH)                     \
  X(kInvalidTxnState, 48, INVALID_TXN_STATE)                               \
  X(kInvalidProducerIdMapping, 49, INVALID_PRODUCER_ID_MAPPING)            \
  X(kInvalidTransactionTimeout, 50, INVALID_TRANSACTION_TIMEOUT)           \
  X(kConcurrentTransactions, 51, CONCURRENT_TRANSACTIONS)                  \
  X(kTransactionCoordinatorFenced, 52, TRANSACTION_COORDINATOR_FENCED)     \
  X(kTransactionalIdAuthorizationFailed, 53, TRANSACTIONAL_ID_AUTHORIZATION_FAILED) \
  X(kSecurityDisabled, 54, SECURITY_DISABLED)                              \
  X(kOperationNotAttempted, 55, OPERATION_NOT_ATTEMPTED)                   \
  X(kKafkaStorageError, 56, KAFKA_STORAGE_ERROR)                           \
  X(kLogDirNotFound, 57, LOG_DIR_NOT_FOUND)                                \
  X(kSaslAuthenticationFailed, 58, SASL_AUTHENTICATION_FAILED)             \
  X(kUnknownProducerId, 59, UNKNOWN_PRODUCER_ID)                           \
  X(kReassignmentInProgress, 60, REASSIGNMENT_IN_PROGRESS)                 \
  X(kInvalidPrincipalType, 67, INVALID_PRINCIPAL_TYPE)                     \
  X(kNonEmptyGroup, 68, NON_EMPTY_GROUP)                                   \
  X(kGroupIdNotFound, 69, GROUP_ID_NOT_FOUND)                              \
  X(kFetchSessionIdNotFound, 70, FETCH_SESSION_ID_NOT_FOUND)               \
  X(kInvalidFetchSessionEpoch, 71, INVALID_FETCH_SESSION_EPOCH)            \
  X(kListenerNotFound, 72, LISTENER_NOT_FOUND)                             \
  X(kTopicDeletionDisabled, 73, TOPIC_DELETION_DISABLED)                   \
  X(kFencedLeaderEpoch, 74, FENCED_LEADER_EPOCH)                           \
  X(kUnknownLeaderEpoch, 75, UNKNOWN_LEADER_EPOCH)                         \
  X(kUnsupportedCompressionType, 76, UNSUPPORTED_COMPRESSION_TYPE)         \
  X(kStaleBrokerEpoch, 77, STALE_BROKER_EPOCH)                             \
  X(kOffsetNotAvailable, 78, OFFSET_NOT_AVAILABLE)                         \
  X(kMemberIdRequired, 79, MEMBER_ID_REQUIRED)                             \
  X(kPreferredLeaderNotAvailable, 80, PREFERRED_LEADER_NOT_AVAILABLE)      \
  X(kGroupMaxSizeReached, 81, GROUP_MAX_SIZE_REACHED)                      \
  X(kFencedInstanceId, 82, FENCED_INSTANCE_ID)                             \
  X(kEligibleLeadersNotAvailable, 83, ELIGIBLE_LEADERS_NOT_AVAILABLE)      \
  X(kElectionNotNeeded, 84, ELECTION_NOT_NEEDED)                           \
  X(kNoReassignmentInProgress, 85, NO_REASSIGNMENT_IN_PROGRESS)            \
  X(kGroupSubscribedToTopic, 86, GROUP_SUBSCRIBED_TO_TOPIC)                \
  X(kInvalidRecord, 87, INVALID_RECORD)                                    \
  X(kUnstableOffsetCommit, 88, UNSTABLE_OFFSET_COMMIT)                     \
  X(kThrottlingQuotaExceeded, 89, THROTTLING_QUOTA_EXCEEDED)               \
  X(kProducerFenced, 90, PRODUCER_FENCED)                                  \
  X(kResourceNotFound, 91, RESOURCE_NOT_FOUND)                             \
  X(kDuplicateResource, 92, DUPLICATE_RESOURCE)                            \
  X(kUnacceptableCredential, 93, UNACCEPTABLE_CREDENTIAL)                  \
  X(kInconsistentVoterSet, 94, INCONSISTENT_VOTER_SET)                     \
  X(kInvalidUpdateVersion, 95, INVALID_UPDATE_VERSION)                     \
  X(kFeatureUpdateFailed, 96, FEATURE_UPDATE_FAILED)                       \
  X(kPrincipalDeserializationFailure, 97, PRINCIPAL_DESERIALIZATION_FAILURE) \
  X(kSnapshotNotFound, 98, SNAPSHOT_NOT_FOUND)                             \
  X(kPositionOutOfRange, 99, POSITION_OUT_OF_RANGE)                        \
  X(kUnknownTopicId, 100, UNKNOWN_TOPIC_ID)                                \
  X(kDuplicateBrokerRegistration, 101, DUPLICATE_BROKER_REGISTRATION)      \
  X(kBrokerIdNotRegistered, 102, BROKER_ID_NOT_REGISTERED)                 \
  X(kInconsistentTopicId, 103, INCONSISTENT_TOPIC_ID)                      \
  X(kInconsistentClusterId, 104, INCONSISTENT_CLUSTER_ID)                  \
  X(kTransactionalIdNotFound, 105, TRANSACTIONAL_ID_NOT_FOUND)             \
  X(kFetchSessionTopicIdError, 106, FETCH_SESSION_TOPIC_ID_ERROR)          \
  X(kIneligibleReplica, 107, INELIGIBLE_REPLICA)                           \
  X(kNewLeaderElected, 108, NEW_LEADER_ELECTED)

/// A Kafka error code; the value is the int16 sent on the wire.
enum class ErrorCode : int16_t {
#define GREGOR_ENUM(name, code, kafka) name = code,
  GREGOR_KAFKA_ERRORS(GREGOR_ENUM)
#undef GREGOR_ENUM
};

/// Kafka's name for a code ("CORRUPT_MESSAGE"), or "UNKNOWN_ERROR_CODE".
const char* ErrorName(ErrorCode code);
/// The code for a wire value; unknown values map to kUnknownServerError.
ErrorCode ErrorFromWire(int16_t value);

/// An error code and a message for the log; ok() when the code is kNone.
class Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status Ok() { return Status(); }

  bool ok() const { return code_ == ErrorCode::kNone; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  /// "CORRUPT_MESSAGE: batch CRC mismatch ..." for log lines and test output.
  std::string ToString() const;

 private:
  ErrorCode code_ = ErrorCode::kNone;
  std::string message_;
};

/// Either a value or a non-ok Status (std::expected is C++23).
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT
  Result(ErrorCode code, std::string message) : v_(Status(code, std::move(message))) {}

  bool ok() const { return std::holds_alternative<T>(v_); }
  /// REQUIRES: ok().
  T& value() { return std::get<T>(v_); }
  const T& value() const { return std::get<T>(v_); }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }
  const T& operator*() const { return value(); }
  const T* operator->() const { return &value(); }
  /// Status::Ok() when ok().
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace gregor
