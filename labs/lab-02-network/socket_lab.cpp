// SPDX-License-Identifier: Apache-2.0
// Claims of chapter 02 checked over real sockets: responses on one
// connection come back in request order even when the first request is a
// long poll (the Processor mutes a connection until its response is
// sent); a frame whose size prefix is over socket.request.max.bytes closes
// the connection before anything is allocated; and a client speaks the
// highest version both sides know. The server is a KafkaServer on port 0
// with the real clock; every wait has a deadline.
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "../../tests/unit/client/fake_broker.h"
#include "client/network_client.h"
#include "lab02_fixture.h"
#include "protocol/api_versions.h"
#include "protocol/metadata.h"

namespace gregor::lab02 {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

int64_t MsSince(Steady::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - t).count();
}

// This process's resident set (the server runs in it), in bytes.
int64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * int64_t(::sysconf(_SC_PAGESIZE));
}

class PipelineLab02 : public ServerLab {};
class FrameLimitLab02 : public ServerLab {};
class VersionLab02 : public ServerLab {};

// Claim: four requests written back to back on one connection (a 300 ms
// long-poll Fetch first) are answered in the order sent, even though the
// three after it are ready at once: the Processor reads the next request
// only after the previous response went out, so the later ones wait
// behind the long poll.
TEST_F(PipelineLab02, ResponsesKeepRequestOrder) {
  auto c = Connect();
  ASSERT_TRUE(c);
  Bytes pipeline;
  auto append = [&](const Bytes& frame) {
    pipeline.insert(pipeline.end(), frame.begin(), frame.end());
  };
  append(Frame(FetchOf(/*max_wait_ms=*/300, /*min_bytes=*/1), 11, 101));
  append(Frame(ApiVersionsRequest{}, 3, 102));
  append(Frame(MetadataRequest{}, 1, 103));
  append(Frame(FetchOf(/*max_wait_ms=*/0, /*min_bytes=*/1), 11, 104));
  auto start = Steady::now();
  ASSERT_TRUE(c->SendRaw(pipeline));
  std::vector<int32_t> order;
  std::vector<int64_t> at_ms;
  for (int i = 0; i < 4; ++i) {
    auto payload = c->ReadFrame(5s);
    ASSERT_TRUE(payload) << "response " << i + 1 << " of 4 never came";
    order.push_back(CorrelationId(*payload));
    at_ms.push_back(MsSince(start));
  }
  EXPECT_EQ(order, (std::vector<int32_t>{101, 102, 103, 104}));
  EXPECT_GE(at_ms[0], 300) << "the long poll answered before max.wait.ms";
  EXPECT_GE(at_ms[1], at_ms[0]) << "ApiVersions overtook the long poll";
  Banner(
      "pipelined Fetch(300 ms), ApiVersions, Metadata, Fetch(0): correlation ids %d %d %d %d "
      "at %lld %lld %lld %lld ms",
      order[0], order[1], order[2], order[3], (long long)at_ms[0], (long long)at_ms[1],
      (long long)at_ms[2], (long long)at_ms[3]);
}

// Claim: a size prefix over socket.request.max.bytes (100 MiB by default)
// closes that connection at once, and the broker never allocates the
// claimed buffer (its resident set barely moves). Other connections are
// not disturbed: a long poll on another connection still answers at its
// max.wait.ms.
TEST_F(FrameLimitLab02, OversizeFrameClosesTheConnectionWithoutAllocating) {
  auto poll = Connect();
  ASSERT_TRUE(poll);
  auto poll_start = Steady::now();
  ASSERT_TRUE(poll->SendRaw(Frame(FetchOf(/*max_wait_ms=*/400, 1), 11, 201)));

  int64_t rss_before = ResidentBytes();
  auto bad = Connect();
  ASSERT_TRUE(bad);
  const uint8_t claim_1gib[4] = {0x40, 0x00, 0x00, 0x00};  // 1 GiB, big-endian
  auto sent = Steady::now();
  ASSERT_TRUE(bad->SendRaw(ByteSpan(claim_1gib, 4)));
  EXPECT_TRUE(bad->WaitClosed(2s)) << "the oversize frame did not close its connection";
  int64_t closed_after = MsSince(sent);
  int64_t grew = ResidentBytes() - rss_before;
  EXPECT_LT(grew, int64_t(32) << 20) << "the broker allocated the claimed frame";

  // A negative size is refused the same way.
  auto negative = Connect();
  ASSERT_TRUE(negative);
  const uint8_t minus_one[4] = {0xff, 0xff, 0xff, 0xff};
  ASSERT_TRUE(negative->SendRaw(ByteSpan(minus_one, 4)));
  EXPECT_TRUE(negative->WaitClosed(2s));

  auto answer = poll->ReadFrame(5s);
  int64_t poll_ms = MsSince(poll_start);
  ASSERT_TRUE(answer) << "the other connection's long poll was lost";
  EXPECT_EQ(CorrelationId(*answer), 201);
  EXPECT_GE(poll_ms, 400);
  Banner(
      "1 GiB size prefix: closed after %lld ms, resident set grew %lld KiB; the other "
      "connection's 400 ms long poll answered at %lld ms",
      (long long)closed_after, (long long)(grew / 1024), (long long)poll_ms);
}

// Claim: the client sends each request at the highest version in the
// intersection of its range and the one the broker advertised in
// ApiVersions. First against a fake broker advertising several Metadata
// ranges (the client knows v0-6), then against the real broker with a
// long-poll Fetch, whose client range we narrow.
TEST_F(VersionLab02, ClientPicksTheHighestCommonVersion) {
  using testing::FakeBroker;
  struct Case {
    int16_t broker_min, broker_max, expected;
  };
  std::string seen;
  for (Case k : {Case{0, 1, 1}, Case{0, 6, 6}, Case{2, 9, 6}, Case{5, 12, 6}}) {
    FakeBroker broker(FakeBroker::Mode::kRespond,
                      {{int16_t(ApiKey::kApiVersions), 0, 3},
                       {int16_t(ApiKey::kMetadata), k.broker_min, k.broker_max}});
    NetworkClient client({});
    Node node{1, "127.0.0.1", broker.port()};
    ClientResponse r = client.SendAndWait(MakeClientRequest(node, MetadataRequest{}, {}));
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    EXPECT_EQ(r.api_version, k.expected) << "broker v" << k.broker_min << "-" << k.broker_max;
    seen += " broker v" + std::to_string(k.broker_min) + "-" + std::to_string(k.broker_max) +
            "->v" + std::to_string(r.api_version);
  }

  // The real broker speaks Fetch v4-11. A client that knows only v4-8
  // must send v8; one that knows v4-11 sends v11. Each is a 100 ms long
  // poll on the empty partition.
  NetworkClient client({});
  Node node{1, "127.0.0.1", server_->BoundPort()};
  for (int16_t client_max : {int16_t(8), int16_t(11)}) {
    ClientRequest req = MakeClientRequest(node, FetchOf(/*max_wait_ms=*/100, 1), {});
    req.versions = Versions{4, client_max};
    auto start = Steady::now();
    ClientResponse r = client.SendAndWait(std::move(req));
    int64_t waited = MsSince(start);
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    EXPECT_EQ(r.api_version, client_max);
    auto body = DecodeResponse<FetchResponse>(r);
    ASSERT_TRUE(body.ok()) << body.status().ToString();
    ASSERT_EQ(body->responses.size(), 1u);
    EXPECT_GE(waited, 100);
    seen += " fetch client v4-" + std::to_string(client_max) + "->v" +
            std::to_string(r.api_version) + " (" + std::to_string(waited) + " ms)";
  }
  Banner("metadata client v0-6:%s", seen.c_str());
}

}  // namespace
}  // namespace gregor::lab02
