// When will an invoice be paid? The rule sits behind a small interface so that the real
// predictor replaces the tutorial's without touching the HTTP adapter.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace tim::expected_date {

using Clock = std::chrono::system_clock;

class Predictor {
 public:
  virtual ~Predictor() = default;
  virtual Clock::time_point expected_date(std::int64_t invoice_id, Clock::time_point now) const = 0;
};

// The tutorial's "extreme high sophistication algorithmic inference engine": now plus a
// random whole number of days from 1 to 10. The random source is injected for tests.
class TutorialRule final : public Predictor {
 public:
  // Returns a value in [1, 10].
  using DaysSource = std::function<int()>;
  explicit TutorialRule(DaysSource days);
  Clock::time_point expected_date(std::int64_t invoice_id, Clock::time_point now) const override;

 private:
  DaysSource days_;
};

// Thread-safe uniform 1..10 from a per-thread engine.
TutorialRule::DaysSource random_days();

// {"invoiceId":n,"expectedDate":"…"}
std::string expected_date_json(std::int64_t invoice_id, Clock::time_point date);

}  // namespace tim::expected_date
