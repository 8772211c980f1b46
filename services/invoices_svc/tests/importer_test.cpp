#include "importer.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <sstream>

#include "tim/invoices/csv.hpp"

using namespace tim::invoices;

namespace {

const Instant kNow = *parse_instant("2026-11-20T10:00:00.000Z");
const std::string kSampleHeader =
    "countryCode,customerID,PaperlessDate,invoiceNumber,InvoiceDate,DueDate,InvoiceAmount,"
    "Disputed,SettledDate,PaperlessBill,DaysToSettle,DaysLate\r\n";

std::string sample_row(int n, std::string_view amount = "5.00") {
  return "391,C-" + std::to_string(n % 7) + ",4/6/2013," + std::to_string(n) +
         ",1/2/2013,2/1/2013," + std::string(amount) + ",No,,Paper,0,0\r\n";
}

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tim-importer-" + std::to_string(std::random_device{}()));
    StoreConfig config;
    config.url = sqlite_url_in(dir_.string());
    store_ = open_store(config);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
  std::unique_ptr<InvoiceStore> store_;
};

}  // namespace

TEST_F(ImportTest, ListsTheFirstHundredRejectedRowsAndCountsTheRest) {
  std::string file = kSampleHeader;
  for (int i = 0; i < 250; ++i) file += i % 50 == 0 ? sample_row(i) : sample_row(i, "junk");
  const auto report = import_csv(std::string_view(file), *store_, ImportOptions{}, kNow);
  EXPECT_EQ(report.imported, 5u);
  EXPECT_EQ(report.rejected_count, 245u);
  ASSERT_EQ(report.rejected.size(), kListedRejections);
  EXPECT_EQ(report.rejected.front().line, 3u);  // line 2 is row 0, a good one
  EXPECT_EQ(report.rejected.front().field, "InvoiceAmount");
  // The first 100 rejected rows, in order: lines 3..51, 53..101, 103, 104 (52, 102 are good).
  EXPECT_EQ(report.rejected.back().line, 104u);
  const auto json = report_to_json(report);
  EXPECT_EQ(json.at("rejectedCount").as_uint64(), 245u);
  EXPECT_EQ(json.at("rejected").as_array().size(), kListedRejections);
  EXPECT_EQ(store_->count(), 5);
}

TEST_F(ImportTest, ABodyInMemoryReadsAsTheSameFileFromAStream) {
  for (std::string tail : {"", "\r\n", "\n\n", "\n"}) {
    std::string file = kSampleHeader + sample_row(1) + sample_row(2, "bad") + "\n" +
                       sample_row(3).substr(0, sample_row(3).size() - 2) + tail;
    std::istringstream stream(file);
    const auto from_stream = import_csv(stream, *store_, ImportOptions{}, kNow);
    const auto from_memory = import_csv(std::string_view(file), *store_, ImportOptions{}, kNow);
    // One store: the second reading of the file finds its refs stored.
    EXPECT_EQ(from_stream.imported + from_stream.duplicate_count, 2u) << tail.size();
    EXPECT_EQ(from_memory.imported, 0u);
    EXPECT_EQ(from_memory.duplicate_count, 2u);
    ASSERT_EQ(from_memory.duplicates.size(), 2u);
    EXPECT_EQ(from_memory.duplicates[1].line, 5u);  // after the bad row and a blank line
    ASSERT_EQ(from_memory.rejected.size(), 1u);
    EXPECT_EQ(from_memory.rejected[0].line, from_stream.rejected[0].line);
    EXPECT_EQ(from_memory.rejected[0].line, 3u);
  }
}

TEST_F(ImportTest, InvalidUtf8IsARejectedRowWithItsLineNumber) {
  CsvImporter ours;
  const std::string header = csv_header();
  const std::string good =
      "1,R1,C-1,Acme,GBP,100,100,2026-11-01,2026-12-01,open,,,2026-11-20T10:00:00.000Z,"
      "2026-11-20T10:00:00.000Z\r\n";
  std::string bad_name = good;
  bad_name.replace(bad_name.find("Acme"), 4,
                   "Ac\xff"
                   "me");
  std::string overlong = good;  // "/" written in two bytes: not UTF-8
  overlong.replace(overlong.find("R1"), 2, "R\xc0\xaf");
  std::string bad_unused_column = good;  // a column the importer does not keep
  bad_unused_column.replace(bad_unused_column.find(",2026-11-20T"), 1, ",\xed\xa0\x80");
  const std::string file = header + good + bad_name + "2,R2,C-2,Caf\xc3\xa9,GBP,1,1,2026-11-01," +
                           "2026-12-01,open,,,x,y\r\n" + overlong + bad_unused_column;
  const auto report = import_csv(std::string_view(file), *store_, ImportOptions{}, kNow);
  EXPECT_EQ(report.imported, 2u);  // the good row and the one with a real "é"
  ASSERT_EQ(report.rejected.size(), 3u);
  EXPECT_EQ(report.rejected[0].line, 3u);
  EXPECT_EQ(report.rejected[0].field, "customerName");
  EXPECT_EQ(report.rejected[0].message, "line 3: customerName is not valid UTF-8");
  EXPECT_EQ(report.rejected[1].line, 5u);
  EXPECT_EQ(report.rejected[1].field, "ref");
  EXPECT_EQ(report.rejected[2].line, 6u);
  EXPECT_EQ(report.rejected[2].field, "createdAt");
}

TEST_F(ImportTest, PaymentsPerRowAreCapped) {
  const auto row = [](std::size_t payments) {
    std::string list;
    for (std::size_t i = 0; i < payments; ++i) list += (i ? ";" : "") + std::string("1@2026-11-02");
    const auto n = std::to_string(payments);
    return n + ",R" + n + ",C-1,Acme,GBP," + n + ",0,2026-11-01,2026-12-01,paid,2026-11-02," +
           list + ",x,y\r\n";
  };
  const std::string file =
      csv_header() + row(kMaxImportPaymentsPerRow) + row(kMaxImportPaymentsPerRow + 1);
  const auto report = import_csv(std::string_view(file), *store_, ImportOptions{}, kNow);
  EXPECT_EQ(report.imported, 1u);
  ASSERT_EQ(report.rejected.size(), 1u);
  EXPECT_EQ(report.rejected[0].line, 3u);
  EXPECT_EQ(report.rejected[0].field, "payments");
  EXPECT_NE(report.rejected[0].message.find("more than 1000 payments"), std::string::npos);
  EXPECT_EQ(store_->get(1).payments.size(), kMaxImportPaymentsPerRow);
}

TEST(ImportGate, AdmitsUpToItsLimitAndFreesASlotWhenATicketEnds) {
  ImportGate gate(2);
  auto a = gate.enter();
  {
    auto b = gate.enter();
    EXPECT_TRUE(a);
    EXPECT_TRUE(b);
    EXPECT_FALSE(gate.enter());
  }
  EXPECT_TRUE(gate.enter());
}
