// The tutorial's check: the `authorization` header must carry the shared TOKEN.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace tim::auth {

class SharedToken {
 public:
  explicit SharedToken(std::string_view token);

  // True when the header is exactly TOKEN or "Bearer TOKEN". Compares SHA-256 digests in
  // constant time, so neither the token's content nor its length leaks through timing.
  bool accepts(std::string_view authorization) const;

 private:
  std::array<unsigned char, 32> digest_;
};

}  // namespace tim::auth
