// W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` header
// "00-<trace-id: 32 hex>-<parent-id: 16 hex>-<flags: 2 hex>". Fixed-size values, no heap.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace tim {

struct TraceContext {
  std::array<char, 32> trace_id{};   // lower-case hex; all '\0' when there is no trace
  std::array<char, 16> parent_id{};  // the caller's span (from traceparent); '\0' for a new trace
  std::array<char, 16> span_id{};    // this hop's span: the parent-id of the calls it makes
  std::uint8_t flags = 0;

  bool valid() const noexcept { return trace_id[0] != '\0'; }
  bool has_parent() const noexcept { return parent_id[0] != '\0'; }
  std::string_view trace_id_hex() const noexcept {
    return valid() ? std::string_view(trace_id.data(), trace_id.size()) : std::string_view();
  }
  std::string_view span_id_hex() const noexcept {
    return span_id[0] ? std::string_view(span_id.data(), span_id.size()) : std::string_view();
  }
  // The traceparent this hop sends downstream: 00-<trace-id>-<span_id>-<flags>.
  std::string downstream_traceparent() const;
};

// The trace-id, parent-id and flags of a valid version-00 traceparent (lower-case hex, ids not
// all zero); nullopt for anything else. span_id is left empty.
std::optional<TraceContext> parse_traceparent(std::string_view header) noexcept;

// The random source for ids: a 64-bit Mersenne twister per thread, seeded from the kernel
// (std::random_device), never rand().
std::mt19937_64& trace_random();

// A fresh trace (random trace-id, sampled flag 01) with a fresh span of this hop.
TraceContext new_trace(std::mt19937_64& random);
// The incoming context continued by this hop: same trace and flags, a new span_id.
void start_span(TraceContext& context, std::mt19937_64& random);

}  // namespace tim
