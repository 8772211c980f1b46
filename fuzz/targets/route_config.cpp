// The gateway's route file (multi-document YAML of Mappings and AuthServices). A file it
// refuses is a RouteFileError; anything else escaping, or a crash, is a finding.
#include "route_config.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto config =
        tim::gateway::parse_route_documents({reinterpret_cast<const char*>(data), size});
    (void)config;
  } catch (const tim::gateway::RouteFileError&) {
  }
  return 0;
}
