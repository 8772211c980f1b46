#include "tim/trace_context.hpp"

#include <gtest/gtest.h>

#include <set>
#include <thread>

using tim::parse_traceparent;

namespace {
constexpr std::string_view kValid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
}

TEST(Traceparent, ParsesAValidVersion00Header) {
  auto c = parse_traceparent(kValid);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->trace_id_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(std::string_view(c->parent_id.data(), 16), "00f067aa0ba902b7");
  EXPECT_EQ(c->flags, 1);
  EXPECT_TRUE(c->has_parent());
  EXPECT_EQ(c->span_id_hex(), "");
  EXPECT_EQ(parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")->flags, 0);
}

TEST(Traceparent, RejectsEverythingElse) {
  for (std::string_view bad : {
           "",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",       // no flags
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",  // trailing data
           "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",    // unknown version
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",    // invalid version
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",    // upper case
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",    // zero trace
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",    // zero parent
           "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",    // not hex
           "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",    // separator
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x",    // flags
       })
    EXPECT_FALSE(parse_traceparent(bad)) << bad;
}

TEST(Traceparent, AHopContinuesTheTraceWithItsOwnSpan) {
  std::mt19937_64 random(7);
  auto c = *parse_traceparent(kValid);
  tim::start_span(c, random);
  const auto out = c.downstream_traceparent();
  EXPECT_EQ(out.size(), 55u);
  EXPECT_TRUE(out.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"));
  EXPECT_TRUE(out.ends_with("-01"));
  EXPECT_NE(out.substr(36, 16), "00f067aa0ba902b7");
  // What we send, the next hop accepts, with our span as its parent.
  auto next = parse_traceparent(out);
  ASSERT_TRUE(next);
  EXPECT_EQ(std::string_view(next->parent_id.data(), 16), c.span_id_hex());
}

TEST(Traceparent, NewTracesAreRandomValidAndSampled) {
  std::mt19937_64 random(42);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto c = tim::new_trace(random);
    EXPECT_FALSE(c.has_parent());
    const auto header = c.downstream_traceparent();
    auto back = parse_traceparent(header);
    ASSERT_TRUE(back) << header;
    EXPECT_EQ(back->flags, 1);
    seen.insert(std::string(c.trace_id_hex()));
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Traceparent, EachThreadSourceIsSeededDifferently) {
  // Two fresh processes would give the same ids with a fixed seed; here two threads stand in.
  std::uint64_t a = 0, b = 0;
  std::thread([&] { a = tim::trace_random()(); }).join();
  std::thread([&] { b = tim::trace_random()(); }).join();
  EXPECT_NE(a, b);
}
