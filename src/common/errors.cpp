// SPDX-License-Identifier: Apache-2.0
#include "common/errors.h"

namespace gregor {

const char* ErrorName(ErrorCode code) {
  switch (code) {
#define GREGOR_NAME(name, num, kafka) \
  case ErrorCode::name:               \
    return #kafka;
    GREGOR_KAFKA_ERRORS(GREGOR_NAME)
#undef GREGOR_NAME
  }
  return "UNKNOWN_ERROR_CODE";
}

ErrorCode ErrorFromWire(int16_t value) {
  switch (value) {
#define GREGOR_FROM(name, num, kafka) \
  case num:                           \
    return ErrorCode::name;
    GREGOR_KAFKA_ERRORS(GREGOR_FROM)
#undef GREGOR_FROM
  }
  return ErrorCode::kUnknownServerError;
}

std::string Status::ToString() const {
  if (message_.empty()) return ErrorName(code_);
  return std::string(ErrorName(code_)) + ": " + message_;
}

}  // namespace gregor
