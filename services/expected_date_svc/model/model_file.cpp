#include "model/model_file.hpp"

#include <boost/json.hpp>
#include <cmath>
#include <fstream>
#include <sstream>

namespace tim::expected_date {
namespace json = boost::json;
namespace {

constexpr std::string_view kKind = "tim.expected_date.customer_delay";

[[noreturn]] void fail(const std::string& what) {
  throw ModelFileError("model file: " + what);
}

const json::value& field(const json::object& o, std::string_view key, std::string_view where) {
  auto* v = o.if_contains(key);
  if (!v) fail(std::string(where) + "." + std::string(key) + " is missing");
  return *v;
}

double number(const json::object& o, std::string_view key, std::string_view where) {
  const auto& v = field(o, key, where);
  if (!v.is_number()) fail(std::string(where) + "." + std::string(key) + " is not a number");
  double d = v.to_number<double>();
  if (!std::isfinite(d)) fail(std::string(where) + "." + std::string(key) + " is not finite");
  return d;
}

std::int64_t integer(const json::object& o, std::string_view key, std::string_view where) {
  const auto& v = field(o, key, where);
  std::error_code ec;
  auto i = v.to_number<std::int64_t>(ec);
  if (ec) fail(std::string(where) + "." + std::string(key) + " is not an integer");
  return i;
}

std::string text(const json::object& o, std::string_view key, std::string_view where) {
  const auto& v = field(o, key, where);
  if (!v.is_string()) fail(std::string(where) + "." + std::string(key) + " is not a string");
  return std::string(v.get_string());
}

const json::object& object(const json::object& o, std::string_view key, std::string_view where) {
  const auto& v = field(o, key, where);
  if (!v.is_object()) fail(std::string(where) + "." + std::string(key) + " is not an object");
  return v.get_object();
}

}  // namespace

std::string model_to_json(const ModelParams& m) {
  json::object countries;
  for (const auto& [c, d] : m.country_delay_days) countries[c] = d;
  json::array residuals;
  for (const auto& b : m.residuals) {
    json::array counts;
    for (auto c : b.counts) counts.push_back(c);
    residuals.push_back(json::object{
        {"min_history", b.min_history}, {"offset_min", b.offset_min}, {"counts", counts}});
  }
  const auto& t = m.training;
  json::object out{
      {"format_version", kModelFormatVersion},
      {"kind", kKind},
      {"population_delay_days", m.population_delay_days},
      {"electronic_effect_days", m.electronic_effect_days},
      {"country_delay_days", countries},
      {"customer_prior_weight", m.customer_prior_weight},
      {"history_half_life_days", m.history_half_life_days},
      {"interval_tail_share", m.interval_tail_share},
      {"residuals", residuals},
      {"training",
       json::object{{"source", t.source},
                    {"trained_until", t.trained_until},
                    {"validation_from", t.validation_from},
                    {"first_invoice_date", t.first_invoice_date},
                    {"last_invoice_date", t.last_invoice_date},
                    {"invoices", t.invoices},
                    {"customers", t.customers},
                    {"validation_mae_days", t.validation_mae_days},
                    {"validation_interval80_coverage", t.validation_interval80_coverage}}},
  };
  return json::serialize(out) + "\n";
}

ModelParams model_from_json(std::string_view text_in) {
  std::error_code ec;
  auto doc = json::parse(text_in, ec);
  if (ec) fail("not JSON: " + ec.message());
  if (!doc.is_object()) fail("top level is not an object");
  const auto& o = doc.get_object();
  auto version = integer(o, "format_version", "$");
  if (version != kModelFormatVersion)
    fail("format_version " + std::to_string(version) + " is not supported (this build reads " +
         std::to_string(kModelFormatVersion) + ")");
  if (text(o, "kind", "$") != kKind) fail("kind is not '" + std::string(kKind) + "'");

  ModelParams m;
  m.population_delay_days = number(o, "population_delay_days", "$");
  m.electronic_effect_days = number(o, "electronic_effect_days", "$");
  m.customer_prior_weight = number(o, "customer_prior_weight", "$");
  m.history_half_life_days = number(o, "history_half_life_days", "$");
  m.interval_tail_share = number(o, "interval_tail_share", "$");
  if (m.interval_tail_share <= 0 || m.interval_tail_share >= 0.5)
    fail("interval_tail_share is not in (0, 0.5)");
  if (m.customer_prior_weight < 0) fail("customer_prior_weight is negative");
  if (m.history_half_life_days < 0) fail("history_half_life_days is negative");
  for (const auto& [c, v] : object(o, "country_delay_days", "$")) {
    if (!v.is_number() || !std::isfinite(v.to_number<double>()))
      fail("country_delay_days." + std::string(c) + " is not a number");
    m.country_delay_days[std::string(c)] = v.to_number<double>();
  }
  const auto& rs = field(o, "residuals", "$");
  if (!rs.is_array() || rs.as_array().empty()) fail("residuals is not a non-empty array");
  for (const auto& rv : rs.as_array()) {
    if (!rv.is_object()) fail("residuals[] is not an object");
    const auto& r = rv.get_object();
    ResidualBucket b;
    b.min_history = static_cast<int>(integer(r, "min_history", "residuals[]"));
    auto off = integer(r, "offset_min", "residuals[]");
    if (off < -3650 || off > 3650) fail("residuals[].offset_min is out of range");
    b.offset_min = static_cast<int>(off);
    const auto& cv = field(r, "counts", "residuals[]");
    if (!cv.is_array() || cv.as_array().empty() || cv.as_array().size() > 7300)
      fail("residuals[].counts is not an array of 1..7300 counts");
    std::uint64_t total = 0;
    for (const auto& c : cv.as_array()) {
      std::error_code e;
      auto n = c.to_number<std::uint32_t>(e);
      if (e) fail("residuals[].counts holds something other than a non-negative integer");
      b.counts.push_back(n);
      total += n;
    }
    if (total == 0) fail("residuals[].counts are all zero");
    if (!m.residuals.empty() && b.min_history <= m.residuals.back().min_history)
      fail("residuals are not sorted by increasing min_history");
    m.residuals.push_back(std::move(b));
  }
  if (m.residuals.front().min_history != 0) fail("residuals[0].min_history is not 0");

  const auto& t = object(o, "training", "$");
  auto& mt = m.training;
  mt.source = text(t, "source", "training");
  mt.trained_until = text(t, "trained_until", "training");
  if (!mt.trained_until.empty() && !parse_iso_date(mt.trained_until))
    fail("training.trained_until is not an ISO date");
  mt.validation_from = text(t, "validation_from", "training");
  mt.first_invoice_date = text(t, "first_invoice_date", "training");
  mt.last_invoice_date = text(t, "last_invoice_date", "training");
  mt.invoices = integer(t, "invoices", "training");
  mt.customers = integer(t, "customers", "training");
  mt.validation_mae_days = number(t, "validation_mae_days", "training");
  mt.validation_interval80_coverage = number(t, "validation_interval80_coverage", "training");
  return m;
}

ModelParams load_model_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ModelFileError("model file: cannot open " + file.string());
  std::ostringstream buf;
  buf << in.rdbuf();
  try {
    return model_from_json(buf.str());
  } catch (const ModelFileError& e) {
    throw ModelFileError(file.string() + ": " + e.what());
  }
}

void save_model_file(const std::filesystem::path& file, const ModelParams& model) {
  auto tmp = file;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << model_to_json(model);
    if (!out.flush()) throw ModelFileError("cannot write " + tmp.string());
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) throw ModelFileError("cannot rename " + tmp.string() + ": " + ec.message());
}

}  // namespace tim::expected_date
