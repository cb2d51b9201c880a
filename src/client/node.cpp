// SPDX-License-Identifier: Apache-2.0
#include "client/node.h"

#include <charconv>

namespace gregor {

std::string Node::ToString() const {
  return host + ":" + std::to_string(port) + " (id " + std::to_string(id) + ")";
}

Result<std::vector<Node>> ParseBootstrapServers(std::string_view servers) {
  std::vector<Node> nodes;
  while (!servers.empty()) {
    size_t comma = servers.find(',');
    std::string_view item = servers.substr(0, comma);
    servers = comma == std::string_view::npos ? std::string_view() : servers.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) continue;
    // rfind, so that "[::1]:9092" keeps its address colons.
    size_t colon = item.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
      return Result<std::vector<Node>>(ErrorCode::kInvalidConfig,
                                       "bootstrap server '" + std::string(item) +
                                           "' is not host:port");
    }
    std::string_view host = item.substr(0, colon);
    std::string_view port_text = item.substr(colon + 1);
    int port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 ||
        port > 65535) {
      return Result<std::vector<Node>>(ErrorCode::kInvalidConfig,
                                       "bootstrap server '" + std::string(item) +
                                           "' has an invalid port");
    }
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);
    }
    nodes.push_back(Node{-int32_t(nodes.size()) - 1, std::string(host), port});
  }
  if (nodes.empty()) {
    return Result<std::vector<Node>>(ErrorCode::kInvalidConfig, "bootstrap.servers is empty");
  }
  return nodes;
}

}  // namespace gregor
