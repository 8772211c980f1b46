#include "tim/trace_context.hpp"

#include <algorithm>

namespace tim {

namespace {

constexpr char kHex[] = "0123456789abcdef";

bool lower_hex(std::string_view s) noexcept {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool all_zero(std::string_view s) noexcept {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == '0'; });
}

int hex_value(char c) noexcept {
  return c <= '9' ? c - '0' : c - 'a' + 10;
}

// Random lower-case hex, never all zero (W3C: an all-zero id is invalid).
template <std::size_t N>
void random_hex(std::array<char, N>& out, std::mt19937_64& random) {
  static_assert(N % 16 == 0);
  do {
    for (std::size_t i = 0; i < N; i += 16) {
      auto bits = random();
      for (std::size_t j = 0; j < 16; ++j, bits >>= 4) out[i + j] = kHex[bits & 0xf];
    }
  } while (all_zero(std::string_view(out.data(), N)));
}

}  // namespace

std::string TraceContext::downstream_traceparent() const {
  std::string out;
  out.reserve(55);
  out += "00-";
  out.append(trace_id.data(), trace_id.size());
  out += '-';
  out.append(span_id.data(), span_id.size());
  out += '-';
  out += kHex[flags >> 4];
  out += kHex[flags & 0xf];
  return out;
}

std::optional<TraceContext> parse_traceparent(std::string_view h) noexcept {
  // 00-<32>-<16>-<2>: exactly 55 characters for version 00.
  if (h.size() != 55 || h[2] != '-' || h[35] != '-' || h[52] != '-') return std::nullopt;
  const auto version = h.substr(0, 2), trace = h.substr(3, 32), parent = h.substr(36, 16),
             flags = h.substr(53, 2);
  if (version != "00" || !lower_hex(trace) || !lower_hex(parent) || !lower_hex(flags) ||
      all_zero(trace) || all_zero(parent))
    return std::nullopt;
  TraceContext c;
  std::copy(trace.begin(), trace.end(), c.trace_id.begin());
  std::copy(parent.begin(), parent.end(), c.parent_id.begin());
  c.flags = static_cast<std::uint8_t>(hex_value(flags[0]) * 16 + hex_value(flags[1]));
  return c;
}

std::mt19937_64& trace_random() {
  thread_local std::mt19937_64 random = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  return random;
}

TraceContext new_trace(std::mt19937_64& random) {
  TraceContext c;
  random_hex(c.trace_id, random);
  random_hex(c.span_id, random);
  c.flags = 0x01;
  return c;
}

void start_span(TraceContext& context, std::mt19937_64& random) {
  random_hex(context.span_id, random);
}

}  // namespace tim
