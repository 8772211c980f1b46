// Feeds bytes to a parser the way the server and client read a socket: in pieces, the piece
// sizes taken from the input's first byte, so that states split across reads are reached.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tim::fuzz {

// Returns false once the parser refuses the bytes (what the server answers 400 to).
template <class Parser>
bool feed(Parser& parser, const std::uint8_t* data, std::size_t size) {
  if (size == 0) return true;
  const std::size_t piece = 1 + data[0] % 64;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string pending;  // what the parser left unconsumed, as Beast's flat_buffer keeps it
  while (!rest.empty() && !parser.is_done()) {
    const auto take = rest.substr(0, piece);
    rest.remove_prefix(take.size());
    pending.append(take);
    boost::beast::error_code ec;
    const std::size_t used = parser.put(boost::asio::buffer(pending.data(), pending.size()), ec);
    if (ec == boost::beast::http::error::need_more) {
      pending.erase(0, used);
      continue;
    }
    if (ec) return false;
    pending.erase(0, used);
  }
  if (!parser.is_done()) {
    boost::beast::error_code ec;
    parser.put_eof(ec);  // the peer closed: ends an answer delimited by the end of the stream
    return !ec;
  }
  return true;
}

}  // namespace tim::fuzz
