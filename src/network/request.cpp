// SPDX-License-Identifier: Apache-2.0
#include "network/request.h"

#include <utility>

namespace gregor {

namespace {
Response Routed(const Request& request, ResponseKind kind) {
  Response r;
  r.kind = kind;
  r.processor_id = request.processor_id;
  r.connection_id = request.connection_id;
  r.request_receive_time_ns = request.receive_time_ns;
  return r;
}
}  // namespace

Response Response::Send(const Request& request, Bytes bytes, std::vector<FileRegion> regions) {
  Response r = Routed(request, ResponseKind::kSend);
  r.bytes = std::move(bytes);
  r.file_regions = std::move(regions);
  return r;
}

Response Response::NoOp(const Request& request) { return Routed(request, ResponseKind::kNoOp); }

Response Response::Close(const Request& request) { return Routed(request, ResponseKind::kClose); }

int64_t Response::PayloadSize() const {
  int64_t size = int64_t(bytes.size());
  for (const FileRegion& region : file_regions) {
    size += region.length + int64_t(region.after.size());
  }
  return size;
}

}  // namespace gregor
