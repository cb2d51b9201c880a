// SPDX-License-Identifier: Apache-2.0
// LineMessageReader: how a console-producer line becomes headers, key and
// value, and the errors Kafka's reader gives.
#include <gtest/gtest.h>

#include "line_message_reader.h"

namespace gregor::tools {
namespace {

LineReaderConfig Config(const std::map<std::string, std::string>& props) {
  auto c = LineReaderConfig::FromProperties(props);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : LineReaderConfig{};
}

TEST(LineMessageReaderTest, ByDefaultTheWholeLineIsTheValue) {
  auto r = ParseLine(Config({}), "a:b\tc", 1);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->key);
  EXPECT_EQ(r->value, "a:b\tc");
  EXPECT_TRUE(r->headers.empty());
}

TEST(LineMessageReaderTest, KeySplitAtFirstSeparator) {
  auto r = ParseLine(Config({{"parse.key", "true"}, {"key.separator", ":"}}), "k1:v:1", 1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->key, "k1");
  EXPECT_EQ(r->value, "v:1");
}

TEST(LineMessageReaderTest, MultiCharacterSeparatorAndEmptyKey) {
  auto r = ParseLine(Config({{"parse.key", "TRUE "}, {"key.separator", "::"}}), "::v", 1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->key, "");
  EXPECT_EQ(r->value, "v");
}

TEST(LineMessageReaderTest, MissingKeySeparatorIsAnErrorNamingTheLine) {
  auto r = ParseLine(Config({{"parse.key", "true"}, {"key.separator", ":"}}), "novalue", 7);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidRecord);
  EXPECT_NE(r.status().ToString().find("No key separator found on line number 7: 'novalue'"),
            std::string::npos);
}

TEST(LineMessageReaderTest, IgnoreErrorGivesNullKeyAndWholeLine) {
  auto r = ParseLine(
      Config({{"parse.key", "true"}, {"key.separator", ":"}, {"ignore.error", "true"}}), "abc", 1);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->key);
  EXPECT_EQ(r->value, "abc");
}

TEST(LineMessageReaderTest, HeadersThenKeyThenValue) {
  auto r = ParseLine(Config({{"parse.headers", "true"}, {"parse.key", "true"}}),
                     "h1:v1,h2:v2\tkey\tvalue", 1);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->headers.size(), 2u);
  EXPECT_EQ(r->headers[0], (Header{"h1", "v1"}));
  EXPECT_EQ(r->headers[1], (Header{"h2", "v2"}));
  EXPECT_EQ(r->key, "key");
  EXPECT_EQ(r->value, "value");
}

TEST(LineMessageReaderTest, NullMarkerMakesNulls) {
  auto r = ParseLine(Config({{"parse.headers", "true"},
                             {"parse.key", "true"},
                             {"key.separator", "|"},
                             {"null.marker", "<null>"}}),
                     "h:<null>\t<null>|<null>", 1);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->headers.size(), 1u);
  EXPECT_FALSE(r->headers[0].value);
  EXPECT_FALSE(r->key);
  EXPECT_FALSE(r->value);
}

TEST(LineMessageReaderTest, HeaderKeyMayNotBeTheNullMarker) {
  auto r = ParseLine(Config({{"parse.headers", "true"}, {"null.marker", "N"}}), "N:v\tx", 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidRecord);
}

TEST(LineMessageReaderTest, HeaderWithoutKeySeparator) {
  auto strict = ParseLine(Config({{"parse.headers", "true"}}), "h\tv", 3);
  EXPECT_FALSE(strict.ok());
  auto lax = ParseLine(Config({{"parse.headers", "true"}, {"ignore.error", "true"}}), "h\tv", 3);
  ASSERT_TRUE(lax.ok());
  ASSERT_EQ(lax->headers.size(), 1u);
  EXPECT_EQ(lax->headers[0], (Header{"h", std::nullopt}));
  EXPECT_EQ(lax->value, "v");
}

TEST(LineMessageReaderTest, EqualSeparatorsAreRefused) {
  EXPECT_FALSE(LineReaderConfig::FromProperties({{"headers.separator", "\t"}}).ok());
  EXPECT_FALSE(LineReaderConfig::FromProperties({{"headers.key.separator", ","}}).ok());
  EXPECT_FALSE(
      LineReaderConfig::FromProperties({{"null.marker", ":"}, {"key.separator", ":"}}).ok());
  EXPECT_FALSE(LineReaderConfig::FromProperties({{"key.separator", ""}}).ok());
  // key.separator and headers.delimiter are both "\t" by default: allowed.
  EXPECT_TRUE(LineReaderConfig::FromProperties({}).ok());
}

}  // namespace
}  // namespace gregor::tools
