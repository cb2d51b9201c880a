// SPDX-License-Identifier: Apache-2.0
// Claim of chapter 03: a keyed record goes to partition
// (murmur2(key) & 0x7fffffff) % partitions, the same partition Kafka's Java
// client picks, so Gregor's and Java's producers can share a keyed topic
// without breaking per-key order. Checked against where the broker
// stored the records, not against our own Murmur2().
#include <set>

#include "lab03_fixture.h"

namespace gregor::lab03 {
namespace {

using namespace std::chrono_literals;

class PartitionerLab03 : public ProducerLab {};

// Keys and their murmur2 hashes as Kafka's Java client computes them: the
// vectors of Kafka's own UtilsTest.testMurmur2 (clients module), which
// kafka-python's murmur2 reproduces. The expected partition is derived
// from these numbers, independently of Gregor's Murmur2().
struct JavaVector {
  const char* key;
  int32_t murmur2;
};
constexpr JavaVector kJavaVectors[] = {
    {"21", -973932308},
    {"foobar", -790332482},
    {"a-little-bit-long-string", -985981536},
    {"a-little-bit-longer-string", -1486304829},
    {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
    {"abc", 479470107},
};

// Claim: every record of a key lands on the Java client's partition for
// it, each time.
TEST_F(PartitionerLab03, KeyedRecordsLandWhereJavasPartitionerPutsThem) {
  constexpr int32_t kPartitions = 7;
  constexpr int kCopies = 3;
  StartBroker();
  CreateTopic("keys", kPartitions);
  StringProducer* p = MakeProducer({{"linger.ms", "5"}});
  ASSERT_TRUE(p);
  std::map<std::string, int32_t> expected;
  std::vector<std::pair<std::string, RecordFuture>> sent;
  for (int copy = 0; copy < kCopies; ++copy) {
    for (const JavaVector& v : kJavaVectors) {
      expected[v.key] = (v.murmur2 & 0x7fffffff) % kPartitions;
      sent.emplace_back(v.key,
                        p->Send({"keys", std::string(v.key), "copy-" + std::to_string(copy)}));
    }
  }
  for (auto& [key, future] : sent) {
    auto m = future.GetFor(5s);
    ASSERT_TRUE(m.ok()) << key << ": " << m.status().ToString();
    EXPECT_EQ(m->partition, expected[key]) << "acknowledged on another partition: " << key;
  }
  // Where the broker has them.
  std::map<std::string, std::set<int32_t>> found;
  std::map<std::string, int> count;
  for (int32_t partition = 0; partition < kPartitions; ++partition) {
    for (const StoredRecord& r : ReadPartition("keys", partition)) {
      ASSERT_TRUE(r.key) << "a record without its key on partition " << partition;
      found[*r.key].insert(partition);
      ++count[*r.key];
    }
  }
  std::string placement;
  for (const JavaVector& v : kJavaVectors) {
    EXPECT_EQ(count[v.key], kCopies) << v.key;
    EXPECT_EQ(found[v.key], std::set<int32_t>{expected[v.key]}) << v.key;
    std::string shown = std::string(v.key).substr(0, 26);
    placement += " " + shown + (shown.size() < std::string(v.key).size() ? "..." : "") + "->" +
                 std::to_string(expected[v.key]);
  }
  Banner("%d partitions, %d copies of each key, all on the Java client's partition:%s", kPartitions,
         kCopies, placement.c_str());
}

}  // namespace
}  // namespace gregor::lab03
