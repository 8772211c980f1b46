#include "tim/invoices/query.hpp"

#include <gtest/gtest.h>

#include "tim/invoices/error.hpp"

using namespace tim::invoices;

namespace {
std::string refused_parameter(std::string_view query) {
  try {
    parse_list_query(query);
    return "(accepted)";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid);
    return e.field().empty() ? e.code() : e.field();
  }
}
}  // namespace

TEST(ListQuery, DefaultsWhenEmpty) {
  const auto q = parse_list_query("");
  EXPECT_EQ(q.filter, ListFilter{});
  EXPECT_EQ(q.filter.limit, kDefaultListLimit);
  EXPECT_EQ(q.format, ListFormat::json);
  // What Request::query() gives for a target without '?': a view with no data pointer.
  EXPECT_EQ(parse_list_query(std::string_view{}).filter, ListFilter{});
}

TEST(ListQuery, ReadsEveryParameterDecoded) {
  const auto q = parse_list_query(
      "customer=Acme%20Ltd+%26Co&status=paid&due_before=2026-12-01&due_after=2026-01-31&limit=20"
      "&format=csv");
  EXPECT_EQ(q.filter.customer, "Acme Ltd &Co");
  EXPECT_EQ(q.filter.status, Status::paid);
  EXPECT_EQ(q.filter.due_before, Date::parse("2026-12-01"));
  EXPECT_EQ(q.filter.due_after, Date::parse("2026-01-31"));
  EXPECT_EQ(q.filter.limit, 20);
  EXPECT_EQ(q.format, ListFormat::csv);
  EXPECT_FALSE(q.expand_expected_date);
  EXPECT_TRUE(parse_list_query("status=open&expand=expectedDate").expand_expected_date);
  EXPECT_EQ(parse_list_query("customer=&status=").filter, ListFilter{});
}

TEST(ListQuery, CapsTheLimit) {
  EXPECT_EQ(parse_list_query("limit=100000").filter.limit, kMaxListLimit);
  EXPECT_EQ(parse_list_query("limit=99999999999999999999999").filter.limit, kMaxListLimit);
  EXPECT_EQ(parse_list_query("limit=1").filter.limit, 1);
}

TEST(ListQuery, NamesTheBadParameter) {
  EXPECT_EQ(refused_parameter("limit=0"), "limit");
  EXPECT_EQ(refused_parameter("limit=-3"), "limit");
  EXPECT_EQ(refused_parameter("limit=ten"), "limit");
  EXPECT_EQ(refused_parameter("limit=5x"), "limit");
  EXPECT_EQ(refused_parameter("status=late"), "status");
  EXPECT_EQ(refused_parameter("due_before=2026-02-30"), "due_before");
  EXPECT_EQ(refused_parameter("due_after=tomorrow"), "due_after");
  EXPECT_EQ(refused_parameter("sort=id"), "sort");
  EXPECT_EQ(refused_parameter("status=open&status=paid"), "status");
  EXPECT_EQ(refused_parameter("format=xml"), "format");
  EXPECT_EQ(refused_parameter("expand=payments"), "expand");
  EXPECT_EQ(refused_parameter("cursor=garbage!"), "cursor");
  EXPECT_EQ(refused_parameter("cursor=djEuNQ"), "cursor");  // "v1.5" without the filter tag
}

TEST(Cursor, RoundTripsAndIsBoundToItsFilter) {
  ListFilter filter;
  filter.customer = "C-1";
  filter.status = Status::open;
  const std::string cursor = encode_cursor(filter, 1234);
  EXPECT_EQ(
      cursor.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
  EXPECT_EQ(decode_cursor(cursor, filter), 1234);
  EXPECT_EQ(encode_cursor(filter, 1234), cursor);  // stable
  filter.limit = 7;                                // the limit may change between pages
  EXPECT_EQ(decode_cursor(cursor, filter), 1234);
  const auto q = parse_list_query("customer=C-1&status=open&limit=3&cursor=" + cursor);
  EXPECT_EQ(q.filter.after_id, 1234);
  EXPECT_EQ(refused_parameter("customer=C-2&status=open&cursor=" + cursor), "cursor");
  EXPECT_EQ(refused_parameter("cursor=" + cursor), "cursor");
}

TEST(ListQuery, DateFiltersStayInTheDocumentedRange) {
  EXPECT_EQ(parse_list_query("due_after=1900-01-01").filter.due_after->to_string(), "1900-01-01");
  EXPECT_EQ(parse_list_query("due_before=2199-12-31").filter.due_before->to_string(), "2199-12-31");
  EXPECT_EQ(refused_parameter("due_after=1899-12-31"), "due_after");
  EXPECT_EQ(refused_parameter("due_before=2200-01-01"), "due_before");
}
