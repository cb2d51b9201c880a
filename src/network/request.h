// SPDX-License-Identifier: Apache-2.0
// Request and Response: what travels through the RequestChannel between
// the network threads and the request handlers (Kafka's
// RequestChannel.Request and RequestChannel.Response).
//
// The network layer is protocol-agnostic. On the wire a frame is
//
//   Frame => Size:int32 Payload:byte[Size]      0 <= Size <= socket.request.max.bytes
//
// and Request::frame is Payload: the Kafka request header and body, which
// the protocol layer parses. A Response's Payload is its in-memory bytes
// followed by the bytes of its file regions, sent with sendfile(2) without
// passing through user space (the zero-copy path of a Fetch response).
//
// [network-response-frame]
// A region may carry in-memory bytes to send right after it (`after`), so
// a response interleaves memory and file: a Fetch response is its bytes up
// to the first partition's records, that partition's file region, the
// bytes up to the next records field, and so on:
//
//   ResponseFrame => Size:int32 bytes (file_region after)*
//   Size = |bytes| + sum(length + |after|)
// [network-response-frame]
//
// Every Request must be answered by exactly one Response (Send, NoOp or
// Close) through RequestChannel::SendResponse, from any thread and at any
// later time: the connection stays muted until then.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/bytes.h"

namespace gregor {

/// A byte range of an open file to send after a response's in-memory bytes.
/// `owner` keeps the file (and so `fd`) open until the send has finished,
/// e.g. a `shared_ptr<const FileRecords>`; it may be null when the caller
/// guarantees the fd outlives the send.
struct FileRegion {
  FileRegion() = default;
  FileRegion(std::shared_ptr<const void> o, int f, int64_t off, int64_t len, Bytes a = {})
      : owner(std::move(o)), fd(f), offset(off), length(len), after(std::move(a)) {}
  std::shared_ptr<const void> owner;
  int fd = -1;
  int64_t offset = 0;
  int64_t length = 0;
  /// In-memory bytes sent right after the region (before the next one).
  Bytes after;
};

/// One received frame and where it came from; built by a Processor on its
/// network thread, consumed by one request-handler thread. Movable only in
/// spirit: the frame is moved, never copied, on the hot path.
struct Request {
  /// The Processor that owns the connection (routes the Response back).
  int processor_id = 0;
  /// Unique for the life of the server: `local-remote-index`, Kafka style
  /// (`127.0.0.1:9092-127.0.0.1:53122-7`).
  std::string connection_id;
  /// The listener the connection came in on (`PLAINTEXT`).
  std::string listener_name;
  /// The peer as `address:port` (`[::1]:53122` for IPv6), for log lines.
  std::string peer;
  /// Payload without the size prefix: Kafka request header + body.
  Bytes frame;
  /// Clock::NowNs() when the last byte of the frame was read.
  int64_t receive_time_ns = 0;
};

/// What to do with a connection after a request (Kafka's SendResponse,
/// NoOpResponse and CloseConnectionResponse).
enum class ResponseKind {
  kSend,   ///< write the frame, then unmute (read the next request)
  kNoOp,   ///< write nothing and unmute: produce with acks=0
  kClose,  ///< close the connection (e.g. an unparsable request)
};

/// The answer to one Request; see the file comment for the wire form.
/// Build it with the factories, which copy the routing fields of the request.
struct Response {
  ResponseKind kind = ResponseKind::kSend;
  int processor_id = 0;
  std::string connection_id;
  /// In-memory payload (response header + body), without the size prefix.
  Bytes bytes;
  /// Sent after `bytes`, in order, with sendfile(2).
  std::vector<FileRegion> file_regions;
  /// The request's receive time, for latency metrics.
  int64_t request_receive_time_ns = 0;

  /// A response frame made of `bytes` followed by `regions`.
  static Response Send(const Request& request, Bytes bytes, std::vector<FileRegion> regions = {});
  /// No frame; the connection reads its next request (acks=0).
  static Response NoOp(const Request& request);
  /// No frame; the connection is closed.
  static Response Close(const Request& request);

  /// |bytes| + sum of the regions' lengths and `after` bytes: the Size prefix.
  int64_t PayloadSize() const;
};

}  // namespace gregor
