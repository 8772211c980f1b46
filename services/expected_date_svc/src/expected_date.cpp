#include "expected_date.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <random>

#include "tim/time.hpp"

namespace tim::expected_date {

TutorialRule::TutorialRule(DaysSource days) : days_(std::move(days)) {}

Clock::time_point TutorialRule::expected_date(std::int64_t, Clock::time_point now) const {
  return now + std::chrono::days{days_()};
}

TutorialRule::DaysSource random_days() {
  return [] {
    thread_local std::mt19937 engine{std::random_device{}()};
    return std::uniform_int_distribution<int>{1, 10}(engine);
  };
}

std::string expected_date_json(std::int64_t invoice_id, Clock::time_point date) {
  boost::json::object o;
  o["invoiceId"] = invoice_id;
  o["expectedDate"] = format_iso8601_utc(date);
  return boost::json::serialize(o);
}

}  // namespace tim::expected_date
