#include "model/model_file.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

using namespace tim::expected_date;
namespace json = boost::json;

namespace {

ModelParams sample() {
  ModelParams m;
  m.population_delay_days = 2.5;
  m.electronic_effect_days = -6.75;
  m.country_delay_days = {{"391", -1.25}, {"406", 3}};
  m.customer_prior_weight = 0.25;
  m.history_half_life_days = 180;
  m.interval_tail_share = 0.12;
  m.residuals = {{0, -20, {1, 0, 3}}, {1, -5, {2, 2}}};
  m.training.source = "x.csv";
  m.training.trained_until = "2013-07-12";
  m.training.invoices = 1966;
  m.training.validation_mae_days = 5.7;
  return m;
}

std::string with(const std::function<void(json::object&)>& change) {
  auto v = json::parse(model_to_json(sample()));
  change(v.as_object());
  return json::serialize(v);
}

void expect_broken(const std::string& text, const std::string& part) {
  try {
    model_from_json(text);
    ADD_FAILURE() << "accepted: " << text;
  } catch (const ModelFileError& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

}  // namespace

TEST(ModelFile, RoundTrip) {
  auto text = model_to_json(sample());
  auto back = model_from_json(text);
  EXPECT_EQ(model_to_json(back), text);
  EXPECT_DOUBLE_EQ(back.electronic_effect_days, -6.75);
  EXPECT_EQ(back.country_delay_days.at("406"), 3);
  EXPECT_EQ(back.residuals[1].counts, (std::vector<std::uint32_t>{2, 2}));
  EXPECT_EQ(back.training.trained_until, "2013-07-12");
  EXPECT_NE(text.find("\"format_version\":1"), std::string::npos);
}

TEST(ModelFile, SaveAndLoad) {
  auto path = std::filesystem::temp_directory_path() / "tim-model-file-test.json";
  save_model_file(path, sample());
  EXPECT_EQ(model_to_json(load_model_file(path)), model_to_json(sample()));
  std::filesystem::remove(path);
  EXPECT_THROW(load_model_file(path), ModelFileError);
}

TEST(ModelFile, BrokenFilesSayWhatIsWrong) {
  expect_broken("", "not JSON");
  expect_broken("{\"format_version\":1", "not JSON");
  expect_broken("[]", "not an object");
  expect_broken(with([](auto& o) { o["format_version"] = 2; }), "format_version 2");
  expect_broken(with([](auto& o) { o.erase("format_version"); }), "format_version is missing");
  expect_broken(with([](auto& o) { o["kind"] = "other"; }), "kind");
  expect_broken(with([](auto& o) { o["population_delay_days"] = "5"; }), "not a number");
  expect_broken(with([](auto& o) { o["customer_prior_weight"] = -1; }), "negative");
  expect_broken(with([](auto& o) { o["interval_tail_share"] = 0.7; }), "interval_tail_share");
  expect_broken(with([](auto& o) {
                  o["country_delay_days"] = json::object{{"1", "x"}};
                }),
                "country_delay_days.1");
  expect_broken(with([](auto& o) { o["residuals"] = json::array{}; }), "non-empty");
  expect_broken(with([](auto& o) {
                  o["residuals"].as_array()[0].as_object()["counts"] = json::array{1, -1};
                }),
                "non-negative");
  expect_broken(with([](auto& o) {
                  o["residuals"].as_array()[0].as_object()["counts"] = json::array{0, 0};
                }),
                "all zero");
  expect_broken(with([](auto& o) { o["residuals"].as_array()[1].as_object()["min_history"] = 0; }),
                "sorted");
  expect_broken(with([](auto& o) {
                  o["residuals"].as_array()[0].as_object()["min_history"] = 2;
                  o["residuals"].as_array()[1].as_object()["min_history"] = 3;
                }),
                "residuals[0].min_history");
  expect_broken(with([](auto& o) { o.erase("training"); }), "training is missing");
  expect_broken(with([](auto& o) { o["training"].as_object()["trained_until"] = "July"; }),
                "trained_until");
}
