// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the configuration parsers: the input is the text of a
// properties file. Its first byte picks the consumer:
//
//   even  broker: ParseProperties -> KafkaConfig::Create (what
//         gregor-server does with server.properties and its --override
//         key=value pairs, which land in the same map) -> every declared
//         key read through its typed getter -> DefaultLogConfig()
//   odd   producer: ParseProperties -> ProducerConfig::FromProperties
//
// A value KafkaConfig::Create accepted must read back through its getter
// without throwing; any exception escapes and the fuzzer reports it.
#include <stdlib.h>

#include <cstdint>
#include <string>

#include "gregor/producer.h"
#include "server/kafka_config.h"

namespace gregor {
namespace {

void Broker(const std::map<std::string, std::string>& props) {
  std::vector<std::string> unknown;
  auto config = KafkaConfig::Create(props, &unknown);
  if (!config.ok()) return;
  for (const ConfigDef& d : BrokerConfigDefs()) {
    switch (d.type) {
      case ConfigType::kInt: (void)config->GetInt(d.name); break;
      case ConfigType::kLong: (void)config->GetLong(d.name); break;
      case ConfigType::kDouble: (void)config->GetDouble(d.name); break;
      case ConfigType::kBool: (void)config->GetBool(d.name); break;
      case ConfigType::kString: (void)config->GetString(d.name); break;
      case ConfigType::kList: (void)config->GetList(d.name); break;
    }
  }
  (void)config->DefaultLogConfig();
}

}  // namespace
}  // namespace gregor

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gregor;
  static bool quiet = [] {
    ::setenv("GREGOR_LOG_LEVEL", "off", 0);  // unknown keys warn
    return true;
  }();
  (void)quiet;
  if (size == 0) return 0;
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto props = ParseProperties(text);
  if (!props.ok()) return 0;
  if (data[0] % 2 == 0) {
    Broker(*props);
  } else {
    (void)ProducerConfig::FromProperties(*props);
  }
  return 0;
}
