// A Beast string-body message as one buffer: the same bytes as bhttp::async_write, at a
// fraction of the instructions. Beast's serializer walks a concatenated buffer sequence of start
// line, every field and the body through several layers of buffer adaptors, which cost ~20k
// instructions per message (callgrind). Used for the rare answers that still go through a
// Beast message (response_bytes.hpp). Internal to tim_http.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cassert>
#include <charconv>
#include <cstring>
#include <string>
#include <string_view>

namespace tim::http::detail {

namespace bhttp = boost::beast::http;

// Writes a message into room made once (a string sized for the most it can take, cut to length
// at the end): a copy per piece, without std::string's size check and call per append.
class WireWriter {
 public:
  explicit WireWriter(std::size_t room) : out_(room, '\0'), p_(out_.data()) {}
  // The callers size the room from what they write; the asserts check that sum (Debug and
  // sanitizer builds), since a miscount would write past the string.
  WireWriter& put(std::string_view s) noexcept {
    assert(s.size() <= left());
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
    return *this;
  }
  WireWriter& put(char c) noexcept {
    assert(left() >= 1);
    *p_++ = c;
    return *this;
  }
  WireWriter& put_number(std::size_t n) noexcept {  // room: 20 bytes
    assert(left() >= 20);
    p_ = std::to_chars(p_, p_ + 20, n).ptr;
    return *this;
  }
  std::string finish() && {
    out_.resize(static_cast<std::size_t>(p_ - out_.data()));
    return std::move(out_);
  }

 private:
  std::size_t left() const noexcept {
    return out_.size() - static_cast<std::size_t>(p_ - out_.data());
  }
  std::string out_;
  char* p_;
};

// A header value as Beast stores it: surrounding spaces and tabs trimmed.
inline std::string_view trimmed(std::string_view v) noexcept {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

// The message as Beast's serializer writes it, when its body goes out as it is (not chunked).
template <bool isRequest>
std::string wire_bytes(const bhttp::message<isRequest, bhttp::string_body>& m) {
  std::size_t size = 32 + m.body().size();
  for (const auto& f : m) size += f.name_string().size() + f.value().size() + 4;
  std::string out;
  const unsigned version = m.version();
  const char v[] = {
      'H', 'T', 'T', 'P', '/', char('0' + version / 10), '.', char('0' + version % 10)};
  if constexpr (isRequest) {
    out.reserve(size + m.method_string().size() + m.target().size());
    out.append(m.method_string()).push_back(' ');
    out.append(m.target()).push_back(' ');
    out.append(v, sizeof v).append("\r\n");
  } else {
    const auto reason = m.reason().empty() ? bhttp::obsolete_reason(m.result()) : m.reason();
    out.reserve(size + reason.size());
    const unsigned code = m.result_int();
    out.append(v, sizeof v).push_back(' ');
    out.push_back(char('0' + code / 100));
    out.push_back(char('0' + (code / 10) % 10));
    out.push_back(char('0' + code % 10));
    out.push_back(' ');
    out.append(reason).append("\r\n");
  }
  for (const auto& f : m) out.append(f.name_string()).append(": ").append(f.value()).append("\r\n");
  out.append("\r\n").append(m.body());
  return out;
}

}  // namespace tim::http::detail
