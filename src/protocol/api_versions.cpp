// SPDX-License-Identifier: Apache-2.0
#include "protocol/api_versions.h"

namespace gregor {

ApiVersionsResponse MakeApiVersionsResponse(ErrorCode error) {
  ApiVersionsResponse r;
  r.error_code = error;
  for (const ApiVersionRange& api : SupportedApis()) {
    r.api_keys.push_back({static_cast<int16_t>(api.key), api.min_version, api.max_version});
  }
  return r;
}

}  // namespace gregor
