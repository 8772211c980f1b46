#include "forecast_api.hpp"

#include <boost/json/serialize.hpp>

#include "tim/invoices/error.hpp"
#include "tim/invoices/forecast.hpp"

namespace tim::invoices {

namespace {

struct OpenPage {
  std::vector<Invoice> invoices;
  std::map<std::string, PaidHistory, std::less<>> histories;
};

OpenPage read_open_page(InvoiceStore& store, const ForecastQuery& query, InvoiceId after_id) {
  OpenPage out;
  out.invoices = store.open_invoices({query.customer, query.ccy, after_id, kForecastPage});
  std::vector<std::string> customers;
  customers.reserve(out.invoices.size());
  for (const auto& invoice : out.invoices) customers.push_back(invoice.customer_id);
  if (!customers.empty()) out.histories = store.paid_histories(customers);
  return out;
}

// "2026-12-04T00:00:00.000Z" -> 2026-12-04
std::optional<Date> day_of(const std::optional<std::string>& instant) {
  if (!instant || instant->size() < 10) return std::nullopt;
  return Date::parse(std::string_view(*instant).substr(0, 10));
}

}  // namespace

Task<http::Response> forecast_answer(ApiContext& c, http::Request& request) {
  const ForecastQuery query = parse_forecast_query(request.query());
  auto store = c.keeper.store();
  if (!store) throw Error(ErrorKind::unavailable, "store_unavailable", c.keeper.state().detail);
  const Date today = Date::from_days(static_cast<std::int32_t>(
      std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())
          .time_since_epoch()
          .count()));
  auto items = std::make_shared<std::vector<ForecastInvoice>>();
  std::int64_t unpredicted = 0;
  InvoiceId after_id = 0;
  for (;;) {
    auto work = [store, query, after_id] { return read_open_page(*store, query, after_id); };
    const OpenPage page = co_await c.pool.run(std::move(work));
    std::vector<std::optional<ExpectedDate>> predicted(page.invoices.size());
    if (c.expected_dates && !page.invoices.empty()) {
      const std::span<const Invoice> asked{page.invoices};
      predicted = co_await c.expected_dates->predict_many(asked, page.histories, today, request);
    }
    for (std::size_t i = 0; i < page.invoices.size(); ++i) {
      const Invoice& invoice = page.invoices[i];
      ForecastInvoice item{invoice.ccy,      invoice.customer_id, invoice.balance,
                           invoice.due_date, invoice.due_date,    invoice.due_date};
      const auto& p = predicted[i];
      const auto expected = p ? day_of(p->date) : std::nullopt;
      if (expected) {
        item.expected = item.low = item.high = *expected;
        if (const auto low = day_of(p->low), high = day_of(p->high); low && high) {
          item.low = *low;
          item.high = *high;
        }
      } else {
        ++unpredicted;
      }
      items->push_back(std::move(item));
    }
    if (page.invoices.size() < static_cast<std::size_t>(kForecastPage)) break;
    after_id = page.invoices.back().id;
  }
  const SimulationOptions options;
  auto build = [query, items, options] { return build_forecast(query, *items, options); };
  const std::vector<ForecastSeries> series = co_await c.pool.run(std::move(build));
  auto body = forecast_to_json(query, series, forecast_method(options));
  body["unpredicted"] = unpredicted;
  co_return http::json_response(200, boost::json::serialize(body));
}

}  // namespace tim::invoices
