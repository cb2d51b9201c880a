// SPDX-License-Identifier: Apache-2.0
#include "record/record.h"

namespace gregor {

namespace {
std::optional<std::string> Own(const std::optional<std::string_view>& v) {
  if (!v) return std::nullopt;
  return std::string(*v);
}
}  // namespace

Record RecordView::ToRecord() const {
  Record r;
  r.timestamp = timestamp;
  r.key = Own(key);
  r.value = Own(value);
  r.headers.reserve(headers.size());
  for (const HeaderView& h : headers) r.headers.push_back(Header{std::string(h.key), Own(h.value)});
  return r;
}

}  // namespace gregor
