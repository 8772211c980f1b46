// GET /api/forecast: the cash-in forecast over the store's open invoices (domain forecast.hpp).
#pragma once

#include "api.hpp"

namespace tim::invoices {

// Reads the open invoices page by page through the status index (kForecastPage at a time, with
// their customers' histories in the same store job), predicts them in batch calls, and builds
// the forecast on the store pool (the simulation is CPU work, not for an I/O thread). Invoices
// the predictor did not answer for are placed at their due date with no spread, and counted
// in the answer's "unpredicted". Throws Error for a bad query or an unavailable store.
Task<http::Response> forecast_answer(ApiContext& c, http::Request& request);

inline constexpr int kForecastPage = 1000;

}  // namespace tim::invoices
