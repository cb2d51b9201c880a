// SPDX-License-Identifier: Apache-2.0
// Cross-check with kafka-python 2.0.2's own protocol encoders (label
// compat): protocol_kafka_python.py encodes the samples of samples.h for
// every version both sides implement; Gregor must produce the same bytes,
// decode them, and re-encode them unchanged. This catches a field in the
// wrong place or version, which a Gregor-only round trip cannot.
#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <map>
#include <sstream>

#include "protocol/message_codec.h"
#include "samples.h"
#include "hex.h"

namespace gregor {
namespace {

using namespace gregor::testing;


template <KafkaMessage M>
std::function<void(int16_t, const Bytes&)> Check(M sample) {
  return [sample](int16_t v, const Bytes& theirs) {
    EXPECT_EQ(Encode(sample, v), theirs) << "Gregor's encoding differs from kafka-python's";
    Result<M> decoded = Decode<M>(theirs, v);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(Encode(*decoded, v), theirs);
  };
}

TEST(ProtocolKafkaPythonTest, SameBytesAsKafkaPython) {
  FetchRequest fetch = SampleFetchRequest();
  fetch.forgotten_topics_data.clear();  // see the script's docstring
  std::map<std::string, std::function<void(int16_t, const Bytes&)>> checks{
      {"ApiVersionsResponse", Check(SampleApiVersionsResponse())},
      {"MetadataRequest", Check(SampleMetadataRequest())},
      {"MetadataResponse", Check(SampleMetadataResponse())},
      {"ProduceRequest", Check(SampleProduceRequest())},
      {"ProduceResponse", Check(SampleProduceResponse())},
      {"FetchRequest", Check(fetch)},
      {"FetchResponse", Check(SampleFetchResponse())},
      {"ListOffsetsRequest", Check(SampleListOffsetsRequest())},
      {"ListOffsetsResponse", Check(SampleListOffsetsResponse())},
      {"CreateTopicsRequest", Check(SampleCreateTopicsRequest())},
      {"CreateTopicsResponse", Check(SampleCreateTopicsResponse())},
      {"DeleteTopicsRequest", Check(SampleDeleteTopicsRequest())},
      {"DeleteTopicsResponse", Check(SampleDeleteTopicsResponse())},
  };

  std::string cmd = std::string(GREGOR_COMPAT_PYTHON) + " " + GREGOR_PROTOCOL_COMPAT_SCRIPT;
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, pipe)) output.append(buf, n);
  ASSERT_EQ(pclose(pipe), 0) << "the kafka-python script failed";

  std::istringstream lines(output);
  std::string kind, hex;
  int version = 0, count = 0;
  std::map<std::string, int> seen;
  while (lines >> kind >> version >> hex) {
    SCOPED_TRACE(kind + " v" + std::to_string(version));
    auto it = checks.find(kind);
    ASSERT_NE(it, checks.end());
    it->second(int16_t(version), FromHex(hex));
    ++seen[kind];
    ++count;
  }
  EXPECT_EQ(seen.size(), checks.size());  // every message kind compared
  EXPECT_GE(count, 60);
}

}  // namespace
}  // namespace gregor
