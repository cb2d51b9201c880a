// SPDX-License-Identifier: Apache-2.0
// KafkaConsumer in assign() mode against a real in-process broker: where
// it starts (seek, auto.offset.reset), what Poll() returns (order,
// max.poll.records, compression, headers), pause/resume, wakeup, and the
// API's refusals. Records are produced with Gregor's producer.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "consumer_test_util.h"
#include "gregor/producer.h"

namespace gregor {
namespace {

using namespace std::chrono_literals;
using testing::ConfigFor;
using testing::ConsumerTestBroker;
using testing::MakeStringConsumer;
using testing::PollUntil;
using testing::Tp;

class KafkaConsumerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(broker_.CreateTopic("t", 3)); }
  ConsumerTestBroker broker_;
};

TEST_F(KafkaConsumerTest, AssignedPartitionIsReadFromTheBeginning) {
  broker_.Produce("t", 0, 10);
  auto c = MakeStringConsumer(ConfigFor(broker_, {{"auto.offset.reset", "earliest"}}));
  ASSERT_TRUE(c->Assign({Tp("t", 0)}).ok());
  auto got = PollUntil(*c, 10);
  ASSERT_EQ(got.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(got[i].offset, i);
    EXPECT_EQ(got[i].key, "k" + std::to_string(i));
    EXPECT_EQ(got[i].value, "v" + std::to_string(i));
    EXPECT_EQ(got[i].partition, 0);
  }
  EXPECT_EQ(*c->Position(Tp("t", 0)), 10);
  EXPECT_EQ(c->Metrics()["records-consumed-total"], 10);
}

TEST_F(KafkaConsumerTest, LatestResetSkipsWhatIsAlreadyThere) {
  broker_.Produce("t", 0, 5);
  auto c = MakeStringConsumer(ConfigFor(broker_));  // auto.offset.reset=latest
  ASSERT_TRUE(c->Assign({Tp("t", 0)}).ok());
  auto position = c->Position(Tp("t", 0), 5s);
  ASSERT_TRUE(position.ok()) << position.status().ToString();
  EXPECT_EQ(*position, 5);
  broker_.Produce("t", 0, 3, 5);
  auto got = PollUntil(*c, 3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].offset, 5);
  EXPECT_EQ(got[0].value, "v5");
}

TEST_F(KafkaConsumerTest, SeekMovesThePosition) {
  broker_.Produce("t", 1, 10);
  auto c = MakeStringConsumer(ConfigFor(broker_));
  ASSERT_TRUE(c->Assign({Tp("t", 1)}).ok());
  ASSERT_TRUE(c->Seek(Tp("t", 1), 7).ok());
  auto got = PollUntil(*c, 3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].offset, 7);
  ASSERT_TRUE(c->SeekToBeginning({Tp("t", 1)}).ok());
  got = PollUntil(*c, 10);
  ASSERT_EQ(got.size(), 10u);
  EXPECT_EQ(got[0].offset, 0);
  ASSERT_TRUE(c->SeekToEnd().ok());
  EXPECT_EQ(*c->Position(Tp("t", 1), 5s), 10);
}

TEST_F(KafkaConsumerTest, MaxPollRecordsBoundsEachPoll) {
  broker_.Produce("t", 0, 20);
  auto c = MakeStringConsumer(
      ConfigFor(broker_, {{"auto.offset.reset", "earliest"}, {"max.poll.records", "3"}}));
  ASSERT_TRUE(c->Assign({Tp("t", 0)}).ok());
  size_t total = 0;
  int64_t next = 0;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (total < 20 && std::chrono::steady_clock::now() < deadline) {
    auto records = c->Poll(100ms);
    ASSERT_TRUE(records.ok());
    EXPECT_LE(records->count(), 3u);
    for (const auto& r : *records) EXPECT_EQ(r.offset, next++);
    total += records->count();
  }
  EXPECT_EQ(total, 20u);
}

// Small fetches force many round trips with a prefetch in flight behind
// each buffered one: every offset must come back once, in order.
TEST_F(KafkaConsumerTest, PrefetchedChunksComeBackInOrderWithoutGapsOrRepeats) {
  broker_.Produce("t", 0, 3000, 0, {{"batch.size", "2048"}, {"linger.ms", "1"}});
  auto c = MakeStringConsumer(ConfigFor(broker_, {{"auto.offset.reset", "earliest"},
                                                  {"max.partition.fetch.bytes", "3000"},
                                                  {"max.poll.records", "7"}}));
  ASSERT_TRUE(c->Assign({Tp("t", 0)}).ok());
  auto got = PollUntil(*c, 3000, 20s);
  ASSERT_EQ(got.size(), 3000u);
  for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i].offset, int64_t(i));
  EXPECT_GT(c->Metrics()["fetch-total"], 20);
}

TEST_F(KafkaConsumerTest, AllAssignedPartitionsAreRead) {
  for (int p = 0; p < 3; ++p) broker_.Produce("t", p, 4, p * 100);
  auto c = MakeStringConsumer(ConfigFor(broker_, {{"auto.offset.reset", "earliest"}}));
  ASSERT_TRUE(c->Assign({Tp("t", 0), Tp("t", 1), Tp("t", 2)}).ok());
  auto got = PollUntil(*c, 12);
  ASSERT_EQ(got.size(), 12u);
  std::map<int32_t, std::vector<int64_t>> offsets;
  for (const auto& g : got) offsets[g.partition].push_back(g.offset);
  for (int p = 0; p < 3; ++p) EXPECT_EQ(offsets[p], (std::vector<int64_t>{0, 1, 2, 3}));
}

TEST_F(KafkaConsumerTest, CompressedBatchesAreDecompressed) {
  broker_.Produce("t", 0, 50, 0, {{"compression.type", "lz4"}});
  broker_.Produce("t", 0, 50, 50, {{"compression.type", "zstd"}});
  broker_.Produce("t", 0, 50, 100, {{"compression.type", "gzip"}});
  auto c = MakeStringConsumer(ConfigFor(broker_, {{"auto.offset.reset", "earliest"}}));
  ASSERT_TRUE(c->Assign({Tp("t", 0)}).ok());
  auto got = PollUntil(*c, 150);
  ASSERT_EQ(got.size(), 150u);
  EXPECT_EQ(got[149].value, "v149");
}

TEST_F(KafkaConsumerTest, HeadersNullsAndTimestampsSurvive) {
  auto pc = ProducerConfig::FromProperties({{"bootstrap.servers", broker_.bootstrap()}});
  auto p =
      KafkaProducer<std::string, std::string>::Create(*pc, StringSerializer(), StringSerializer());
  ProducerRecord<std::string, std::string> r("t", std::nullopt, std::nullopt);
  r.partition = 2;
  r.timestamp = 1234;
  r.headers = {{"h1", "x"}, {"h2", std::nullopt}};
  ASSERT_TRUE((*p)->Send(r).Get().ok());
  (*p)->Close();
  auto c = MakeStringConsumer(ConfigFor(broker_, {{"auto.offset.reset", "earliest"}}));
  ASSERT_TRUE(c->Assign({Tp("t", 2)}).ok());
  for (int i = 0; i < 50; ++i) {
    auto records = c->Poll(200ms);
    ASSERT_TRUE(records.ok());
    if (records->empty()) continue;
    const auto& got = (*records)[0];
    EXPECT_FALSE(got.key.has_value());
    EXPECT_FALSE(got.value.has_value());
    EXPECT_EQ(got.serialized_value_size, -1);
    EXPECT_EQ(got.timestamp, 1234);
    ASSERT_EQ(got.headers.size(), 2u);
    EXPECT_EQ(got.headers[0].key, "h1");
    EXPECT_EQ(got.headers[0].value, "x");
    EXPECT_FALSE(got.headers[1].value.has_value());
    return;
  }
  FAIL() << "no record";
}

TEST_F(KafkaConsumerTest, PausedPartitionIsNotReturnedUntilResumed) {
  broker_.Produce("t", 0, 3);
  broker_.Produce("t", 1, 3);
  auto c = MakeStringConsumer(ConfigFor(broker_, {{"auto.offset.reset", "earliest"}}));
  ASSERT_TRUE(c->Assign({Tp("t", 0), Tp("t", 1)}).ok());
  ASSERT_TRUE(c->Pause({Tp("t", 1)}).ok());
  auto got = PollUntil(*c, 3);
  ASSERT_EQ(got.size(), 3u);
  for (const auto& g : got) EXPECT_EQ(g.partition, 0);
  EXPECT_TRUE(PollUntil(*c, 1, 300ms).empty());
  ASSERT_TRUE(c->Resume({Tp("t", 1)}).ok());
  got = PollUntil(*c, 3);
  ASSERT_EQ(got.size(), 3u);
  for (const auto& g : got) EXPECT_EQ(g.partition, 1);
}

TEST_F(KafkaConsumerTest, WakeupInterruptsABlockedPoll) {
  auto c = MakeStringConsumer(ConfigFor(broker_));
  ASSERT_TRUE(c->Assign({Tp("t", 0)}).ok());
  std::thread waker([&] {
    std::this_thread::sleep_for(200ms);
    c->Wakeup();
  });
  auto start = std::chrono::steady_clock::now();
  auto records = c->Poll(10s);
  waker.join();
  EXPECT_TRUE(IsWakeup(records.status())) << records.status().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_TRUE(c->Poll(0ms).ok());  // the wakeup was consumed
}

TEST_F(KafkaConsumerTest, WakeupBeforePollMakesTheNextPollReturn) {
  auto c = MakeStringConsumer(ConfigFor(broker_));
  ASSERT_TRUE(c->Assign({Tp("t", 0)}).ok());
  c->Wakeup();
  EXPECT_TRUE(IsWakeup(c->Poll(5s).status()));
}

TEST_F(KafkaConsumerTest, OutOfRangeWithResetNoneIsAnError) {
  broker_.Produce("t", 0, 3);
  auto c = MakeStringConsumer(ConfigFor(broker_, {{"auto.offset.reset", "none"}}));
  ASSERT_TRUE(c->Assign({Tp("t", 0)}).ok());
  // No position and no strategy: Kafka's NoOffsetForPartitionException.
  EXPECT_EQ(c->Poll(100ms).status().code(), ErrorCode::kOffsetOutOfRange);
  ASSERT_TRUE(c->Seek(Tp("t", 0), 1000).ok());
  Status seen;
  for (int i = 0; i < 50 && seen.ok(); ++i) seen = c->Poll(100ms).status();
  EXPECT_EQ(seen.code(), ErrorCode::kOffsetOutOfRange) << seen.ToString();
}

TEST_F(KafkaConsumerTest, OutOfRangeResetsByAutoOffsetReset) {
  broker_.Produce("t", 0, 3);
  auto c = MakeStringConsumer(ConfigFor(broker_, {{"auto.offset.reset", "earliest"}}));
  ASSERT_TRUE(c->Assign({Tp("t", 0)}).ok());
  ASSERT_TRUE(c->Seek(Tp("t", 0), 1000).ok());
  auto got = PollUntil(*c, 3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].offset, 0);
}

TEST_F(KafkaConsumerTest, IntegerKeysRoundTrip) {
  auto pc = ProducerConfig::FromProperties({{"bootstrap.servers", broker_.bootstrap()}});
  auto p = KafkaProducer<int32_t, int64_t>::Create(*pc, IntegerSerializer(), LongSerializer());
  ProducerRecord<int32_t, int64_t> r("t", -7, int64_t(1) << 40);
  r.partition = 0;
  ASSERT_TRUE((*p)->Send(r).Get().ok());
  (*p)->Close();
  auto c = KafkaConsumer<int32_t, int64_t>::Create(
      ConfigFor(broker_, {{"auto.offset.reset", "earliest"}}), IntegerDeserializer(),
      LongDeserializer());
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*c)->Assign({Tp("t", 0)}).ok());
  for (int i = 0; i < 50; ++i) {
    auto records = (*c)->Poll(200ms);
    ASSERT_TRUE(records.ok());
    if (records->empty()) continue;
    EXPECT_EQ((*records)[0].key, -7);
    EXPECT_EQ((*records)[0].value, int64_t(1) << 40);
    return;
  }
  FAIL() << "no record";
}

TEST_F(KafkaConsumerTest, DeserializationErrorStopsAtTheRecord) {
  broker_.Produce("t", 0, 2);  // "v0", "v1": not 8-byte longs
  auto c = KafkaConsumer<std::string, int64_t>::Create(
      ConfigFor(broker_, {{"auto.offset.reset", "earliest"}}), StringDeserializer(),
      LongDeserializer());
  ASSERT_TRUE((*c)->Assign({Tp("t", 0)}).ok());
  Status seen;
  for (int i = 0; i < 50 && seen.ok(); ++i) seen = (*c)->Poll(100ms).status();
  EXPECT_EQ(seen.code(), ErrorCode::kCorruptMessage);
  EXPECT_EQ(*(*c)->Position(Tp("t", 0)), 0);  // still on the bad record
}

TEST_F(KafkaConsumerTest, StringViewRecordsPointIntoTheFetchedBytes) {
  broker_.Produce("t", 0, 3);
  auto c = KafkaConsumer<std::string_view, std::string_view>::Create(
      ConfigFor(broker_, {{"auto.offset.reset", "earliest"}}), StringViewDeserializer(),
      StringViewDeserializer());
  ASSERT_TRUE((*c)->Assign({Tp("t", 0)}).ok());
  for (int i = 0; i < 50; ++i) {
    auto records = (*c)->Poll(200ms);
    ASSERT_TRUE(records.ok());
    if (records->empty()) continue;
    EXPECT_EQ((*records)[0].value, "v0");
    return;
  }
  FAIL() << "no record";
}

TEST_F(KafkaConsumerTest, PartitionsForListsTheTopic) {
  auto c = MakeStringConsumer(ConfigFor(broker_));
  auto parts = c->PartitionsFor("t", 5s);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  ASSERT_EQ(parts->size(), 3u);
  EXPECT_EQ((*parts)[2].partition, 2);
  EXPECT_EQ((*parts)[0].leader, testing::kBrokerNodeId);
}

TEST_F(KafkaConsumerTest, ApiMisuseIsRefused) {
  auto c = MakeStringConsumer(ConfigFor(broker_));
  EXPECT_EQ(c->Poll(0ms).status().code(), ErrorCode::kInvalidRequest);  // nothing to read
  EXPECT_EQ(c->Subscribe({"t"}).code(), ErrorCode::kInvalidGroupId);    // no group.id
  EXPECT_EQ(c->CommitSync().code(), ErrorCode::kInvalidGroupId);
  EXPECT_EQ(c->Seek(Tp("t", 0), 0).code(), ErrorCode::kInvalidRequest);  // not assigned
  ASSERT_TRUE(c->Assign({Tp("t", 0)}).ok());
  EXPECT_EQ(c->Assignment(), std::set<TopicPartition>{Tp("t", 0)});
  c->Close();
  c->Close();  // idempotent
  EXPECT_EQ(c->Poll(0ms).status().code(), ErrorCode::kInvalidRequest);
}

TEST_F(KafkaConsumerTest, AssignAndSubscribeAreMutuallyExclusive) {
  auto c = MakeStringConsumer(ConfigFor(broker_, {{"group.id", "g"}}));
  ASSERT_TRUE(c->Assign({Tp("t", 0)}).ok());
  EXPECT_EQ(c->Subscribe({"t"}).code(), ErrorCode::kInvalidRequest);
  c->Unsubscribe();
  EXPECT_TRUE(c->Assignment().empty());
}

}  // namespace
}  // namespace gregor
