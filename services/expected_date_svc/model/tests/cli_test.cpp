#include "model/cli.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

#include "model/model_file.hpp"

using namespace tim::expected_date;

namespace {
struct Run {
  int code;
  std::string out, err;
};
Run run(int (*fn)(std::span<const std::string_view>, std::ostream&, std::ostream&),
        std::vector<std::string_view> args) {
  std::ostringstream out, err;
  int code = fn(args, out, err);
  return {code, out.str(), err.str()};
}
std::string temp(const char* name) {
  return (std::filesystem::temp_directory_path() / name).string();
}
}  // namespace

TEST(Cli, BadArgumentsPrintUsageAndExit2) {
  for (auto args : std::vector<std::vector<std::string_view>>{
           {},
           {"--csv"},
           {"--csv", "a"},
           {"--csv", "a", "--out", "b", "--bogus"},
           {"--csv", "a", "--out", "b", "--until", "7/12/2013"},
           {"--csv", "a", "--csv", "a", "--out", "b"}}) {
    auto r = run(train_main, args);
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("Usage:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--out"), std::string::npos) << r.err;  // train's usage
  }
  for (auto args : std::vector<std::vector<std::string_view>>{
           {},
           {"--csv", "a", "--model", "b"},
           {"--csv", "a", "--model", "b", "--test-from", "x"},
           {"--csv", "a", "--model", "b", "--test-from", "2013-07-12", "--json", "1"}}) {
    auto r = run(evaluate_main, args);
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("Usage:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--test-from"), std::string::npos) << r.err;  // evaluate's usage
  }
}

TEST(Cli, MissingFilesFailWithExit1) {
  auto r = run(train_main, {"--csv", "/nonexistent.csv", "--out", temp("tim-never.json")});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("cannot open"), std::string::npos);
  r = run(evaluate_main,
          {"--csv", TIM_AR_CSV, "--model", "/nonexistent.json", "--test-from", "2013-07-12"});
  EXPECT_EQ(r.code, 1);
}

TEST(Cli, EvaluateRefusesAModelTrainedOnTheTestPeriod) {
  auto model = temp("tim-cli-all.json");
  ASSERT_EQ(run(train_main, {"--csv", TIM_AR_CSV, "--out", model}).code, 0);
  auto r = run(evaluate_main, {"--csv", TIM_AR_CSV, "--model", model, "--test-from", "2013-07-12"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("train it with --until 2013-07-12"), std::string::npos) << r.err;
  std::filesystem::remove(model);
}

TEST(Cli, TrainThenEvaluateAsJson) {
  auto model = temp("tim-cli-until.json");
  auto t = run(train_main, {"--csv", TIM_AR_CSV, "--out", model, "--until", "2013-07-12"});
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_NE(t.out.find("trained on 1966 invoices of 100 customers"), std::string::npos) << t.out;
  auto e = run(evaluate_main,
               {"--csv", TIM_AR_CSV, "--model", model, "--test-from", "2013-07-12", "--json"});
  ASSERT_EQ(e.code, 0) << e.err;
  for (const char* key :
       {"\"mae_days\"", "\"median_ae_days\"", "\"within_3_days\"", "\"interval80_coverage\"",
        "\"mae_ci95_days\":[", "\"test_invoices\":500", "\"baselines\""})
    EXPECT_NE(e.out.find(key), std::string::npos) << key;
  auto text =
      run(evaluate_main, {"--csv", TIM_AR_CSV, "--model", model, "--test-from", "2013-07-12"});
  ASSERT_EQ(text.code, 0);
  EXPECT_NE(text.out.find("due date"), std::string::npos);
  std::filesystem::remove(model);
}
