// SPDX-License-Identifier: Apache-2.0
// meta.properties: the identity file of each log directory (Kafka's
// MetaProperties), written when a directory is first used:
//
//   version=1
//   node.id=<int>
//   cluster.id=<22-character base64url uuid>
//
// Kafka writes it with `kafka-storage.sh format`; Gregor formats an empty
// directory on first start (one node needs no agreed cluster id), and
// refuses to start if a directory belongs to another node or cluster.
#pragma once

#include <string>
#include <vector>

#include "common/errors.h"
#include "storage/env.h"

namespace gregor {

/// The identity stored in meta.properties.
struct MetaProperties {
  int32_t node_id = -1;
  std::string cluster_id;
};

/// A new random cluster id in Kafka's form (16 random bytes, base64url, no padding).
std::string NewClusterId();

/// Reads every directory's meta.properties; writes one (with an id shared by
/// all directories, taken from any existing file or new) where missing.
/// Errors: INCONSISTENT_CLUSTER_ID when two files disagree or a node.id
/// differs from `node_id`; KAFKA_STORAGE_ERROR.
Result<MetaProperties> EnsureMetaProperties(Env& env, const std::vector<std::string>& log_dirs,
                                            int32_t node_id);

}  // namespace gregor
