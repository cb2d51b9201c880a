// SPDX-License-Identifier: Apache-2.0
#include "network/end_point.h"

#include <charconv>

namespace gregor {

Result<EndPoint> EndPoint::Parse(std::string_view text) {
  auto bad = [&](const char* why) {
    return Result<EndPoint>(ErrorCode::kInvalidConfig,
                            std::string("listener '") + std::string(text) + "': " + why);
  };
  size_t sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0) return bad("expected NAME://host:port");
  EndPoint ep;
  ep.listener_name = std::string(text.substr(0, sep));
  std::string_view rest = text.substr(sep + 3);
  size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos) return bad("missing port");
  std::string_view host = rest.substr(0, colon);
  std::string_view port = rest.substr(colon + 1);
  if (!host.empty() && host.front() == '[') {
    if (host.size() < 2 || host.back() != ']') return bad("unbalanced brackets");
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return bad("IPv6 literal needs brackets");
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) {
    return bad("bad port");
  }
  ep.host = std::string(host);
  ep.port = uint16_t(value);
  return ep;
}

std::string EndPoint::ToString() const {
  bool v6 = host.find(':') != std::string::npos;
  return listener_name + "://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace gregor
