// SPDX-License-Identifier: Apache-2.0
// Kafka's StringDeserializer, IntegerDeserializer, LongDeserializer and
// ByteArrayDeserializer (include/gregor/consumer.h), the mirror of
// src/producer/serializers.cpp, plus a zero-copy view. A wrong size is an
// error, as Kafka's SerializationException ("Size of data received by
// IntegerDeserializer is not 4").
#include "common/bytes.h"
#include "gregor/consumer.h"

namespace gregor {

namespace {

template <class T, size_t N>
Deserializer<T> BigEndian(const char* name) {
  return
      [name](std::string_view, std::optional<std::string_view> data) -> Result<std::optional<T>> {
        if (!data) return std::optional<T>();
        if (data->size() != N) {
          return Status(ErrorCode::kCorruptMessage, std::string("Size of data received by ") +
                                                        name + " is not " + std::to_string(N));
        }
        const auto* p = reinterpret_cast<const uint8_t*>(data->data());
        if constexpr (N == 4) {
          return std::optional<T>(T(LoadBE32(p)));
        } else {
          return std::optional<T>(T(LoadBE64(p)));
        }
      };
}

Result<std::optional<std::string>> Copy(std::string_view, std::optional<std::string_view> d) {
  if (!d) return std::optional<std::string>();
  return std::optional<std::string>(std::string(*d));
}

}  // namespace

Deserializer<std::string> StringDeserializer() { return Copy; }
Deserializer<std::string> ByteArrayDeserializer() { return Copy; }

Deserializer<std::string_view> StringViewDeserializer() {
  return [](std::string_view,
            std::optional<std::string_view> d) -> Result<std::optional<std::string_view>> {
    return d;
  };
}

Deserializer<int32_t> IntegerDeserializer() { return BigEndian<int32_t, 4>("IntegerDeserializer"); }

Deserializer<int64_t> LongDeserializer() { return BigEndian<int64_t, 8>("LongDeserializer"); }

}  // namespace gregor
