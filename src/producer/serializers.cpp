// SPDX-License-Identifier: Apache-2.0
// Kafka's StringSerializer, IntegerSerializer and LongSerializer
// (include/gregor/producer.h): UTF-8 bytes as given, and big-endian
// two's-complement integers, so a Java consumer's IntegerDeserializer and
// LongDeserializer read them back.
#include "common/bytes.h"
#include "gregor/producer.h"

namespace gregor {

Serializer<std::string> StringSerializer() {
  return [](const std::string&, const std::optional<std::string>& data) { return data; };
}

Serializer<int32_t> IntegerSerializer() {
  return [](const std::string&, const std::optional<int32_t>& data) -> std::optional<std::string> {
    if (!data) return std::nullopt;
    std::string out(4, '\0');
    StoreBE32(reinterpret_cast<uint8_t*>(out.data()), uint32_t(*data));
    return out;
  };
}

Serializer<int64_t> LongSerializer() {
  return [](const std::string&, const std::optional<int64_t>& data) -> std::optional<std::string> {
    if (!data) return std::nullopt;
    std::string out(8, '\0');
    StoreBE64(reinterpret_cast<uint8_t*>(out.data()), uint64_t(*data));
    return out;
  };
}

}  // namespace gregor
