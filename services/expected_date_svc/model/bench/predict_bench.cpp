// One prediction must cost under 20 us of CPU. Uses the shipped demo model and a
// customer with 36 paid invoices (the most any customer has in the data set).
#include <benchmark/benchmark.h>

#include "model/model_file.hpp"
#include "model/predictor.hpp"

using namespace tim::expected_date;
using namespace std::chrono;

static void BM_Predict(benchmark::State& state) {
  auto model = load_model_file(TIM_DEMO_MODEL);
  Date issue{year{2013} / December / 1};
  InvoiceFacts invoice{"C1",  issue, issue + days{30},          5594,
                       "USD", "391", BillingChannel::electronic};
  CustomerHistory history;
  for (int i = 0; i < state.range(0); ++i) {
    Date d = issue - days{30 * (i + 2)};
    history.paid.push_back({d, d + days{30}, d + days{30 + i % 7}, 5000, "USD",
                            i % 2 ? BillingChannel::paper : BillingChannel::electronic});
  }
  for (auto _ : state) benchmark::DoNotOptimize(predict(model, invoice, history));
}
BENCHMARK(BM_Predict)->Arg(0)->Arg(36);

BENCHMARK_MAIN();
