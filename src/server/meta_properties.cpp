// SPDX-License-Identifier: Apache-2.0
#include "server/meta_properties.h"

#include <random>

#include "server/kafka_config.h"

namespace gregor {

std::string NewClusterId() {
  static const char* kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::random_device rd;
  std::mt19937_64 rng(rd());
  std::string id;
  for (int i = 0; i < 22; ++i) id.push_back(kAlphabet[rng() % 64]);
  return id;
}

Result<MetaProperties> EnsureMetaProperties(Env& env, const std::vector<std::string>& log_dirs,
                                            int32_t node_id) {
  MetaProperties meta{node_id, ""};
  std::vector<std::string> missing;
  for (const auto& dir : log_dirs) {
    std::string path = dir + "/meta.properties";
    if (!env.FileExists(path)) {
      missing.push_back(dir);
      continue;
    }
    auto props = ReadPropertiesFile(path);
    if (!props.ok()) return props.status();
    const std::string& cluster = (*props)["cluster.id"];
    if (!meta.cluster_id.empty() && cluster != meta.cluster_id) {
      return Status(ErrorCode::kInconsistentClusterId,
                    path + " has cluster.id " + cluster + ", another directory " + meta.cluster_id);
    }
    if ((*props)["node.id"] != std::to_string(node_id)) {
      return Status(ErrorCode::kInconsistentClusterId,
                    path + " belongs to node " + (*props)["node.id"]);
    }
    meta.cluster_id = cluster;
  }
  if (meta.cluster_id.empty()) meta.cluster_id = NewClusterId();
  for (const auto& dir : missing) {
    if (Status s = env.CreateDir(dir); !s.ok()) return s;
    std::string text = "#Written by gregor-server\nversion=1\nnode.id=" +
                       std::to_string(node_id) + "\ncluster.id=" + meta.cluster_id + "\n";
    // Written like a checkpoint: temp file, fsync, rename, directory fsync.
    std::string tmp = dir + "/meta.properties.tmp";
    auto file = env.NewWritableFile(tmp);
    if (!file.ok()) return file.status();
    if (Status s = (*file)->Append(AsBytes(text)); !s.ok()) return s;
    if (Status s = (*file)->Sync(); !s.ok()) return s;
    if (Status s = (*file)->Close(); !s.ok()) return s;
    if (Status s = env.RenameFile(tmp, dir + "/meta.properties"); !s.ok()) return s;
    if (Status s = env.SyncDir(dir); !s.ok()) return s;
  }
  return meta;
}

}  // namespace gregor
