// The only file I/O of the credentials library: read a small file whole, replace one atomically.
#pragma once

#include <cstddef>
#include <string>

#include "credentials/result.hpp"

namespace tim::auth {

// The whole file, or an error naming the path and the reason; refuses files over max_bytes.
Result<std::string> read_small_file(const std::string& path, std::size_t max_bytes);

// Writes content to a temporary file in the same directory (mode 0600), fsyncs it and renames
// it over path, so readers see the old or the new file, never half of one. Returns an empty
// string on success, otherwise the error.
std::string replace_file_atomically(const std::string& path, const std::string& content);

}  // namespace tim::auth
