#include "tim/invoices/query.hpp"

#include <array>
#include <boost/json/array.hpp>
#include <boost/url/params_view.hpp>
#include <charconv>
#include <cstdint>
#include <set>

#include "tim/ids.hpp"
#include "tim/invoices/error.hpp"
#include "tim/invoices/json.hpp"

namespace tim::invoices {
namespace {

constexpr std::string_view kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url_encode(std::string_view in) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : in) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kBase64Url[(buffer >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += kBase64Url[(buffer << (6 - bits)) & 0x3f];
  return out;
}

std::optional<std::string> base64url_decode(std::string_view in) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : in) {
    const auto index = kBase64Url.find(c);
    if (index == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(index);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

// FNV-1a of the filter's conditions: binds a cursor to the filter it was made for.
std::string filter_tag(const ListFilter& f) {
  std::string canonical;
  auto add = [&canonical](std::string_view v) {
    canonical += std::to_string(v.size());
    canonical += ':';
    canonical += v;
  };
  add(f.customer.value_or("\x01"));
  add(f.status ? to_string(*f.status) : "");
  add(f.due_before ? f.due_before->to_string() : "");
  add(f.due_after ? f.due_after->to_string() : "");
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : canonical) hash = (hash ^ c) * 1099511628211ull;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

[[noreturn]] void bad_cursor() {
  throw_invalid_field("cursor", "is not a cursor of this list (start again without it)");
}

Date date_parameter(const std::string& name, const std::string& value) {
  const auto date = Date::parse(value);
  if (!date) throw_invalid_field(name, date_rule());
  return *date;
}

}  // namespace

std::string encode_cursor(const ListFilter& filter, InvoiceId last_id) {
  return base64url_encode("v1." + std::to_string(last_id) + "." + filter_tag(filter));
}

InvoiceId decode_cursor(std::string_view cursor, const ListFilter& filter) {
  const auto text = base64url_decode(cursor);
  if (!text || text->rfind("v1.", 0) != 0) bad_cursor();
  const auto dot = text->find('.', 3);
  if (dot == std::string::npos || text->substr(dot + 1) != filter_tag(filter)) bad_cursor();
  const auto id = tim::parse_id(std::string_view(*text).substr(3, dot - 3));
  if (!std::holds_alternative<std::int64_t>(id)) bad_cursor();
  return std::get<std::int64_t>(id);
}

ListQuery parse_list_query(std::string_view query) {
  static constexpr std::array<std::string_view, 8> kParameters = {
      "customer", "status", "due_before", "due_after", "limit", "cursor", "format", "expand"};
  ListQuery result;
  std::optional<std::string> cursor;
  std::set<std::string> seen;
  boost::urls::params_view params;
  // An empty std::string_view may hold a null pointer, which Boost.URL hands to strlen.
  if (query.empty()) return result;
  // Boost.URL 1.81's parse_query reads its text up to a NUL, past the end of a view that has none
  // (found by fuzzing: a heap read overflow). A copy brings the NUL.
  const std::string text(query);
  try {
    params = boost::urls::params_view(text, boost::urls::encoding_opts(true));
  } catch (const std::exception&) {
    throw Error(ErrorKind::invalid, "invalid_query", "the query string is not well-formed");
  }
  for (const auto& param : params) {
    const std::string& name = param.key;
    if (name.empty() && !param.has_value) continue;  // "?" or "&&"
    if (std::find(kParameters.begin(), kParameters.end(), name) == kParameters.end())
      throw_invalid_field(name, "is not a known query parameter");
    if (!seen.insert(name).second) throw_invalid_field(name, "is given more than once");
    const std::string& value = param.value;
    if (value.empty()) continue;  // "customer=" filters nothing, as an empty form field
    if (name == "customer") {
      result.filter.customer = value;
    } else if (name == "status") {
      result.filter.status = parse_status(value);
      if (!result.filter.status) throw_invalid_field(name, "must be open, paid or void");
    } else if (name == "due_before") {
      result.filter.due_before = date_parameter(name, value);
    } else if (name == "due_after") {
      result.filter.due_after = date_parameter(name, value);
    } else if (name == "limit") {
      std::int64_t limit = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), limit);
      if (ec == std::errc::result_out_of_range && value.find('-') == std::string::npos)
        limit = kMaxListLimit;
      else if (ec != std::errc{} || end != value.data() + value.size() || limit < 1)
        throw_invalid_field(name, "must be a positive integer");
      result.filter.limit = static_cast<int>(std::min<std::int64_t>(limit, kMaxListLimit));
    } else if (name == "cursor") {
      cursor = value;
    } else if (name == "format") {
      if (value == "csv")
        result.format = ListFormat::csv;
      else if (value != "json")
        throw_invalid_field(name, "must be json or csv");
    } else if (name == "expand") {
      if (value != "expectedDate") throw_invalid_field(name, "must be expectedDate");
      result.expand_expected_date = true;
    }
  }
  // The cursor is checked last, against the complete filter.
  if (cursor) result.filter.after_id = decode_cursor(*cursor, result.filter);
  return result;
}

boost::json::object page_to_json(const InvoicePage& page) {
  boost::json::array invoices;
  invoices.reserve(page.invoices.size());
  for (const auto& invoice : page.invoices) invoices.push_back(invoice_to_json(invoice));
  boost::json::object out;
  out.emplace("invoices", std::move(invoices));
  if (page.next_cursor)
    out.emplace("next", *page.next_cursor);
  else
    out.emplace("next", nullptr);
  return out;
}

}  // namespace tim::invoices
