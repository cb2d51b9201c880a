// SPDX-License-Identifier: Apache-2.0
// The consumer's parts without a broker: ConsumerConfig, the
// deserializers, SubscriptionState and CompletedFetch (over batches built
// in memory).
#include <gtest/gtest.h>

#include "consumer/completed_fetch.h"
#include "consumer/consumer_network_client.h"
#include "consumer/subscription_state.h"
#include "gregor/consumer.h"
#include "record/memory_records_builder.h"

namespace gregor {
namespace {

TopicPartition Tp(const std::string& t, int32_t p) { return TopicPartition{t, PartitionId(p)}; }

TEST(ConsumerConfigTest, DefaultsAreKafkas) {
  ConsumerConfig c;
  EXPECT_TRUE(c.enable_auto_commit);
  EXPECT_EQ(c.auto_commit_interval_ms, 5000);
  EXPECT_EQ(c.auto_offset_reset, OffsetResetStrategy::kLatest);
  EXPECT_EQ(c.fetch_min_bytes, 1);
  EXPECT_EQ(c.fetch_max_bytes, 52428800);
  EXPECT_EQ(c.fetch_max_wait_ms, 500);
  EXPECT_EQ(c.max_partition_fetch_bytes, 1048576);
  EXPECT_EQ(c.max_poll_records, 500);
  EXPECT_EQ(c.max_poll_interval_ms, 300000);
  EXPECT_EQ(c.session_timeout_ms, 45000);
  EXPECT_EQ(c.heartbeat_interval_ms, 3000);
  EXPECT_EQ(c.request_timeout_ms, 30000);
  EXPECT_EQ(c.retry_backoff_ms, 100);
  EXPECT_EQ(c.partition_assignment_strategy,
            (std::vector<std::string>{"range", "cooperative-sticky"}));
}

TEST(ConsumerConfigTest, FromPropertiesReadsKafkaNames) {
  auto c = ConsumerConfig::FromProperties(
      {{"bootstrap.servers", "h:1"},
       {"group.id", "g"},
       {"group.instance.id", "i-1"},
       {"auto.offset.reset", "earliest"},
       {"enable.auto.commit", "false"},
       {"max.poll.records", "7"},
       {"partition.assignment.strategy",
        "org.apache.kafka.clients.consumer.RoundRobinAssignor, range"},
       {"no.such.key", "x"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->group_id, "g");
  EXPECT_EQ(c->group_instance_id, "i-1");
  EXPECT_EQ(c->auto_offset_reset, OffsetResetStrategy::kEarliest);
  EXPECT_FALSE(c->enable_auto_commit);
  EXPECT_EQ(c->max_poll_records, 7);
  EXPECT_EQ(c->partition_assignment_strategy, (std::vector<std::string>{"roundrobin", "range"}));
}

TEST(ConsumerConfigTest, BadValuesAreInvalidConfig) {
  EXPECT_EQ(ConsumerConfig::FromProperties({{"auto.offset.reset", "first"}}).status().code(),
            ErrorCode::kInvalidConfig);
  EXPECT_EQ(ConsumerConfig::FromProperties({{"max.poll.records", "many"}}).status().code(),
            ErrorCode::kInvalidConfig);
  EXPECT_EQ(ConsumerConfig::FromProperties({{"check.crcs", "yes"}}).status().code(),
            ErrorCode::kInvalidConfig);
}

TEST(ConsumerConfigTest, ReadCommittedIsRefusedUntilChapter07) {
  auto c = ConsumerConfig::FromProperties({{"isolation.level", "read_committed"}});
  EXPECT_EQ(c.status().code(), ErrorCode::kInvalidConfig);
}

TEST(ConsumerConfigTest, CreateRefusesUnknownAssignor) {
  ConsumerConfig c;
  c.bootstrap_servers = "127.0.0.1:1";
  c.partition_assignment_strategy = {"fancy"};
  EXPECT_EQ(Consumer::Create(c).status().code(), ErrorCode::kInvalidConfig);
}

TEST(DeserializerTest, IntegersAreBigEndian) {
  auto r = IntegerDeserializer()("t", std::string_view("\x00\x00\x01\x02", 4));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(**r, 258);
  auto l = LongDeserializer()("t", std::string_view("\xff\xff\xff\xff\xff\xff\xff\xfe", 8));
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(**l, -2);
}

TEST(DeserializerTest, WrongSizeIsAnError) {
  EXPECT_FALSE(IntegerDeserializer()("t", std::string_view("abc")).ok());
}

TEST(DeserializerTest, NullStaysNull) {
  auto s = StringDeserializer()("t", std::nullopt);
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->has_value());
  EXPECT_FALSE((*IntegerDeserializer()("t", std::nullopt)).has_value());
}

TEST(SubscriptionStateTest, AssignAndSubscribeAreExclusive) {
  SubscriptionState s(OffsetResetStrategy::kLatest);
  ASSERT_TRUE(s.AssignFromUser({Tp("a", 0)}).ok());
  EXPECT_EQ(s.Subscribe(std::set<std::string>{"a"}, nullptr).status().code(),
            ErrorCode::kInvalidRequest);
  s.Unsubscribe();
  EXPECT_TRUE(s.Subscribe(std::set<std::string>{"a"}, nullptr).ok());
  EXPECT_EQ(s.AssignFromUser({Tp("a", 0)}).status().code(), ErrorCode::kInvalidRequest);
}

TEST(SubscriptionStateTest, NewPartitionsNeedAPosition) {
  SubscriptionState s(OffsetResetStrategy::kLatest);
  ASSERT_TRUE(s.AssignFromUser({Tp("a", 0), Tp("a", 1)}).ok());
  EXPECT_FALSE(s.HasAllFetchPositions());
  EXPECT_TRUE(s.FetchablePartitions().empty());
  s.Seek(Tp("a", 0), 5);
  s.Seek(Tp("a", 1), 0);
  EXPECT_TRUE(s.HasAllFetchPositions());
  EXPECT_EQ(s.FetchablePartitions().size(), 2u);
  EXPECT_EQ(s.AllConsumed().at(Tp("a", 0)).offset, 5);
}

TEST(SubscriptionStateTest, SeekAndResetBumpTheEpochConsumingDoesNot) {
  SubscriptionState s(OffsetResetStrategy::kEarliest);
  ASSERT_TRUE(s.AssignFromUser({Tp("a", 0)}).ok());
  uint64_t e0 = s.State(Tp("a", 0))->epoch;
  s.Seek(Tp("a", 0), 3);
  uint64_t e1 = s.State(Tp("a", 0))->epoch;
  EXPECT_NE(e0, e1);
  s.Advance(Tp("a", 0), 10, -1);
  EXPECT_EQ(s.State(Tp("a", 0))->epoch, e1);
  s.RequestOffsetReset(Tp("a", 0));
  EXPECT_NE(s.State(Tp("a", 0))->epoch, e1);
  EXPECT_EQ(s.State(Tp("a", 0))->reset_strategy, OffsetResetStrategy::kEarliest);
  EXPECT_FALSE(s.IsFetchable(Tp("a", 0)));
}

TEST(SubscriptionStateTest, ReassignedPartitionNeverReusesAnEpoch) {
  SubscriptionState s(OffsetResetStrategy::kLatest);
  ASSERT_TRUE(s.Subscribe(std::set<std::string>{"a"}, nullptr).ok());
  s.AssignFromSubscribed({Tp("a", 0)});
  s.Seek(Tp("a", 0), 1);
  uint64_t before = s.State(Tp("a", 0))->epoch;
  s.AssignFromSubscribed({});
  s.AssignFromSubscribed({Tp("a", 0)});
  s.Seek(Tp("a", 0), 1);
  EXPECT_NE(s.State(Tp("a", 0))->epoch, before);
}

TEST(SubscriptionStateTest, PausedPartitionsKeepTheirPositionButAreNotFetchable) {
  SubscriptionState s(OffsetResetStrategy::kLatest);
  ASSERT_TRUE(s.AssignFromUser({Tp("a", 0)}).ok());
  s.Seek(Tp("a", 0), 4);
  s.Pause(Tp("a", 0));
  EXPECT_FALSE(s.IsFetchable(Tp("a", 0)));
  EXPECT_EQ(s.Paused(), std::set<TopicPartition>{Tp("a", 0)});
  s.Resume(Tp("a", 0));
  EXPECT_TRUE(s.IsFetchable(Tp("a", 0)));
  EXPECT_EQ(s.State(Tp("a", 0))->position, 4);
}

TEST(SubscriptionStateTest, PatternMatchesWholeNames) {
  SubscriptionState s(OffsetResetStrategy::kLatest);
  ASSERT_TRUE(s.Subscribe(std::regex("orders-.*"), "orders-.*", nullptr).ok());
  EXPECT_TRUE(s.MatchesPattern("orders-eu"));
  EXPECT_FALSE(s.MatchesPattern("x-orders-eu"));
  EXPECT_TRUE(s.SubscribeFromPattern({"orders-eu"}));
  EXPECT_FALSE(s.SubscribeFromPattern({"orders-eu"}));
}

// Batches of `n` records each with offsets from `base`.
Bytes Batch(int64_t base, int n, CompressionType compression = CompressionType::kNone) {
  BatchOptions o;
  o.base_offset = base;
  o.compression = compression;
  MemoryRecordsBuilder b(o);
  for (int i = 0; i < n; ++i) {
    b.Append(Record{1000 + i, "k" + std::to_string(base + i), "v" + std::to_string(base + i), {}});
  }
  return b.Build();
}

std::shared_ptr<const Bytes> Concat(std::vector<Bytes> parts) {
  auto out = std::make_shared<Bytes>();
  for (auto& p : parts) out->insert(out->end(), p.begin(), p.end());
  return out;
}

TEST(CompletedFetchTest, DrainsAcrossBatchesUpToMax) {
  CompletedFetch cf(Tp("t", 0), 1, 0, Concat({Batch(0, 3), Batch(3, 3)}));
  EXPECT_EQ(cf.next_fetch_offset(), 6);
  ByteRecords out;
  int64_t position = 0;
  int32_t epoch = -1;
  auto n = cf.Drain(4, &position, &epoch, out);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 4);
  EXPECT_EQ(position, 4);
  EXPECT_EQ(out[3].offset, 3);
  EXPECT_EQ(out[3].value, "v3");
  EXPECT_FALSE(cf.IsConsumed());
  n = cf.Drain(10, &position, &epoch, out);
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(position, 6);
  EXPECT_TRUE(cf.IsConsumed());
}

TEST(CompletedFetchTest, RecordsBeforeThePositionAreSkipped) {
  // The broker answers with the whole batch holding the fetch offset.
  CompletedFetch cf(Tp("t", 0), 1, 2, Concat({Batch(0, 5)}));
  ByteRecords out;
  int64_t position = 2;
  int32_t epoch = -1;
  ASSERT_EQ(*cf.Drain(100, &position, &epoch, out), 3);
  EXPECT_EQ(out[0].offset, 2);
}

TEST(CompletedFetchTest, TrailingPartialBatchIsTrimmed) {
  Bytes second = Batch(3, 3);
  second.resize(second.size() / 2);
  CompletedFetch cf(Tp("t", 0), 1, 0, Concat({Batch(0, 3), second}));
  EXPECT_EQ(cf.next_fetch_offset(), 3);
  ByteRecords out;
  int64_t position = 0;
  int32_t epoch = -1;
  EXPECT_EQ(*cf.Drain(100, &position, &epoch, out), 3);
  EXPECT_TRUE(cf.IsConsumed());
}

TEST(CompletedFetchTest, CompressedRecordsOutliveTheFetch) {
  ByteRecords out;
  {
    CompletedFetch cf(Tp("t", 0), 1, 0, Concat({Batch(0, 50, CompressionType::kZstd)}));
    int64_t position = 0;
    int32_t epoch = -1;
    ASSERT_EQ(*cf.Drain(100, &position, &epoch, out), 50);
  }
  EXPECT_EQ(out[49].value, "v49");  // the decompressed bytes are kept alive by `out`
}

TEST(CompletedFetchTest, CorruptBatchIsAnErrorAndThePositionStays) {
  Bytes bad = Batch(3, 3);
  bad.back() ^= 0xff;  // CRC mismatch
  CompletedFetch cf(Tp("t", 0), 1, 0, Concat({Batch(0, 3), bad}));
  ByteRecords out;
  int64_t position = 0;
  int32_t epoch = -1;
  EXPECT_EQ(*cf.Drain(3, &position, &epoch, out), 3);
  auto n = cf.Drain(3, &position, &epoch, out);
  EXPECT_EQ(n.status().code(), ErrorCode::kCorruptMessage);
  EXPECT_EQ(position, 3);
  EXPECT_TRUE(cf.IsConsumed());
}

TEST(ConsumerNetworkClientTest, WakeupMakesTheNextPollReturnOnce) {
  MockClock clock;
  NetworkClient network(NetworkClientConfig{}, clock);
  ConsumerNetworkClient client(network, clock);
  client.Wakeup();
  EXPECT_EQ(client.Poll(0), ConsumerNetworkClient::PollResult::kWakeup);
  EXPECT_EQ(client.Poll(0), ConsumerNetworkClient::PollResult::kTimeout);
  client.Wakeup();  // not seen by a poll that disables wakeups
  EXPECT_EQ(client.Poll(0, nullptr, false), ConsumerNetworkClient::PollResult::kTimeout);
  EXPECT_EQ(client.Poll(0), ConsumerNetworkClient::PollResult::kWakeup);
}

TEST(ConsumerNetworkClientTest, HandlersRunOnThePollingThread) {
  MockClock clock;
  NetworkClient network(NetworkClientConfig{}, clock);
  network.Close();  // every Send now fails at once, on the sender's thread
  ConsumerNetworkClient client(network, clock);
  bool ran = false;
  ClientRequest r;
  r.destination = Node{1, "127.0.0.1", 1};
  client.Send(std::move(r), [&](ClientResponse resp) {
    ran = true;
    EXPECT_EQ(resp.status.code(), ErrorCode::kNetworkException);
  });
  EXPECT_FALSE(ran);  // queued, not run inside Send
  EXPECT_EQ(client.pending(), 1);
  EXPECT_EQ(client.Poll(0, [&] { return ran; }), ConsumerNetworkClient::PollResult::kDone);
  EXPECT_EQ(client.pending(), 0);
}

TEST(ConsumerRecordsTest, RecordsAreGroupedByPartition) {
  ByteRecords rs;
  rs.Append(Tp("a", 0)).offset = 1;
  rs.Append(Tp("a", 0)).offset = 2;
  rs.Append(Tp("a", 1)).offset = 7;
  EXPECT_EQ(rs.count(), 3u);
  EXPECT_EQ(rs.records(Tp("a", 0)).size(), 2u);
  EXPECT_EQ(rs.records(Tp("a", 1))[0].offset, 7);
  EXPECT_EQ(rs.partitions().size(), 2u);
  rs.Truncate(1);
  EXPECT_EQ(rs.records(Tp("a", 0)).size(), 1u);
  EXPECT_TRUE(rs.records(Tp("a", 1)).empty());
}

}  // namespace
}  // namespace gregor
