// SPDX-License-Identifier: Apache-2.0
// Tool properties: key=value arguments and files.
#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>

#include "tool_properties.h"

namespace gregor::tools {
namespace {

TEST(ToolPropertiesTest, SplitsAtFirstEquals) {
  auto kv = ParseProperty("sasl.jaas.config=a=b");
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(kv->first, "sasl.jaas.config");
  EXPECT_EQ(kv->second, "a=b");
}

TEST(ToolPropertiesTest, MissingEqualsOrKeyIsInvalidConfig) {
  EXPECT_EQ(ParseProperty("acks").status().code(), ErrorCode::kInvalidConfig);
  EXPECT_EQ(ParseProperty("=1").status().code(), ErrorCode::kInvalidConfig);
}

TEST(ToolPropertiesTest, LaterArgumentsWin) {
  Properties p{{"acks", "all"}};
  ASSERT_TRUE(AddProperties({"acks=1", "linger.ms=5", "acks=0"}, &p).ok());
  EXPECT_EQ(p, (Properties{{"acks", "0"}, {"linger.ms", "5"}}));
  EXPECT_FALSE(AddProperties({"oops"}, &p).ok());
}

TEST(ToolPropertiesTest, FileSkipsCommentsAndBlankLines) {
  std::string path = ::testing::TempDir() + "tool_properties_test.properties";
  {
    std::ofstream f(path);
    f << "# a comment\n\n! another\n bootstrap.servers = localhost:9092 \r\nacks=1\n";
  }
  Properties p;
  ASSERT_TRUE(LoadPropertiesFile(path, &p).ok());
  EXPECT_EQ(p, (Properties{{"acks", "1"}, {"bootstrap.servers", "localhost:9092"}}));
  std::remove(path.c_str());
  EXPECT_FALSE(LoadPropertiesFile(path, &p).ok());
}

}  // namespace
}  // namespace gregor::tools
