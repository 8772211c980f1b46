#include "tim/csv.hpp"

#include <gtest/gtest.h>

#include <sstream>

using namespace tim::csv;

namespace {

using Rows = std::vector<std::vector<std::string>>;

Rows read_all(Reader& reader, std::vector<std::size_t>* lines = nullptr) {
  Rows rows;
  Record record;
  while (reader.next(record)) {
    rows.emplace_back(record.fields.begin(), record.fields.end());
    if (lines) lines->push_back(record.line);
  }
  return rows;
}

// The same text read in place, from a stream, and from a source that hands out `chunk` bytes at
// a time (records and quotes cut at every possible place).
Rows read_every_way(std::string_view text, std::vector<std::size_t>* lines = nullptr) {
  Reader in_place(text);
  const Rows rows = read_all(in_place, lines);
  std::istringstream stream{std::string(text)};
  Reader streamed(stream);
  EXPECT_EQ(read_all(streamed), rows);
  for (std::size_t chunk : {1, 2, 3, 7}) {
    std::size_t at = 0;
    Reader chunked(
        [&](char* into, std::size_t size) {
          const std::size_t n = std::min({size, chunk, text.size() - at});
          std::copy_n(text.data() + at, n, into);
          at += n;
          return n;
        },
        ReaderOptions{.max_record_bytes = 1 << 20, .chunk_bytes = 16});
    EXPECT_EQ(read_all(chunked), rows) << "chunks of " << chunk;
  }
  return rows;
}

std::string error_of(std::string_view text) {
  Reader reader(text);
  Record record;
  try {
    while (reader.next(record)) {
    }
  } catch (const ParseError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(CsvReader, SplitsFieldsAndRecords) {
  EXPECT_EQ(read_every_way("a,b,c\n1,,3\n"), (Rows{{"a", "b", "c"}, {"1", "", "3"}}));
  EXPECT_EQ(read_every_way("a,b\n1,2"), (Rows{{"a", "b"}, {"1", "2"}}));  // no final newline
  EXPECT_EQ(read_every_way("a,\n"), (Rows{{"a", ""}}));
  EXPECT_EQ(read_every_way(""), Rows{});
}

TEST(CsvReader, ReadsQuotedFieldsWithCommasAndDoubledQuotes) {
  EXPECT_EQ(read_every_way("a,\"b,c\",\"d\"\"e\",\"\"\r\n\"\"\"\",x\n"),
            (Rows{{"a", "b,c", "d\"e", ""}, {"\"", "x"}}));
  // A quote inside an unquoted field is data.
  EXPECT_EQ(read_every_way("5\" pipe,x\n"), (Rows{{"5\" pipe", "x"}}));
}

TEST(CsvReader, KeepsLineBreaksInsideQuotesAndCountsLines) {
  std::vector<std::size_t> lines;
  EXPECT_EQ(read_every_way("h1,h2\n\"two\nlines\",x\r\n\"three\r\n\nlines\",y\nlast,z\n", &lines),
            (Rows{{"h1", "h2"}, {"two\nlines", "x"}, {"three\r\n\nlines", "y"}, {"last", "z"}}));
  EXPECT_EQ(lines, (std::vector<std::size_t>{1, 2, 4, 7}));
}

TEST(CsvReader, TakesCrlfAndLfAlike) {
  EXPECT_EQ(read_every_way("a,b\r\nc,d\r\n"), read_every_way("a,b\nc,d\n"));
  EXPECT_EQ(read_every_way("a,\"b\"\r\n"), (Rows{{"a", "b"}}));
  EXPECT_EQ(read_every_way("a,b\r"), (Rows{{"a", "b"}}));  // a last line cut after its CR
}

TEST(CsvReader, SkipsAUtf8ByteOrderMarkAtTheStartOnly) {
  EXPECT_EQ(read_every_way("\xEF\xBB\xBFid,name\n1,\xEF\xBB\xBFx\n"),
            (Rows{{"id", "name"}, {"1", "\xEF\xBB\xBFx"}}));
  EXPECT_EQ(read_every_way("\xEF\xBB\xBF"), Rows{});
  EXPECT_EQ(read_every_way("\xEF\xBB\xBF\"q\"\n"), (Rows{{"q"}}));
}

TEST(CsvReader, ABlankLineIsOneEmptyField) {
  Reader reader("a\n\nb\n");
  Record record;
  ASSERT_TRUE(reader.next(record));
  ASSERT_TRUE(reader.next(record));
  EXPECT_TRUE(record.blank());
  EXPECT_EQ(record.line, 2u);
}

TEST(CsvReader, AnUnclosedQuoteNamesTheLineItOpensOn) {
  EXPECT_EQ(error_of("h\nok\n\"open,x\nmore\n"), "line 3: a quoted field is not closed");
  EXPECT_EQ(error_of("h\n\"ab\"c,d\n"),
            "line 2: text after the closing quote of a field (a quote inside a field is "
            "written \"\")");
}

TEST(CsvReader, GoesOnAtTheLineAfterABadRecord) {
  Reader reader("a,b\n\"bad,1\nc,d\n\"x\"y\ne,f\n");
  Record record;
  std::vector<std::string> seen;
  for (;;) {
    try {
      if (!reader.next(record)) break;
      seen.push_back(std::to_string(record.line) + ":" + std::string(record.fields[0]));
    } catch (const ParseError& e) {
      seen.push_back("error at " + std::to_string(e.line()));
    }
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"1:a", "error at 2", "3:c", "error at 4", "5:e"}));
}

TEST(CsvReader, RefusesARecordLongerThanTheLimitWithBoundedMemory) {
  std::string text = "h\n\"" + std::string(5000, 'x') + "\n" + "after,1\n";
  std::size_t at = 0;
  Reader reader(
      [&](char* into, std::size_t size) {
        const std::size_t n = std::min(size, text.size() - at);
        std::copy_n(text.data() + at, n, into);
        at += n;
        return n;
      },
      ReaderOptions{.max_record_bytes = 1000, .chunk_bytes = 64});
  Record record;
  ASSERT_TRUE(reader.next(record));
  try {
    reader.next(record);
    FAIL() << "a 5000-byte record passed a 1000-byte limit";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), 2u);
    EXPECT_NE(std::string(e.what()).find("longer than 1000 bytes"), std::string::npos);
  }
  ASSERT_TRUE(reader.next(record));
  EXPECT_EQ(record.line, 3u);
  EXPECT_EQ(record.fields[0], "after");
  EXPECT_FALSE(reader.next(record));
}

TEST(CsvReader, CountsTheBytesItConsumed) {
  const std::string text =
      "\xEF\xBB\xBF"
      "a,b\nc,d\n";
  std::istringstream stream(text);
  Reader reader(stream);
  Record record;
  ASSERT_TRUE(reader.next(record));
  EXPECT_EQ(reader.bytes_read(), 7u);
  ASSERT_TRUE(reader.next(record));
  EXPECT_EQ(reader.bytes_read(), text.size());
}

TEST(CsvWriter, QuotesOnlyWhatNeedsIt) {
  std::string out;
  const std::vector<std::string_view> fields{"plain",      "a,b",  "say \"hi\"",
                                             "two\nlines", "cr\r", ""};
  append_record(out, fields);
  EXPECT_EQ(out, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",\r\n");
  EXPECT_EQ(read_every_way(out), (Rows{{fields.begin(), fields.end()}}));
}

TEST(CsvWriter, WhatItWritesReadsBackExactly) {
  const std::vector<std::string> nasty{"", "\"", "\"\"", ",", "\r\n", "\n\n", "a\"b,c\r\nd", " x "};
  std::string out;
  for (const auto& a : nasty)
    for (const auto& b : nasty) {
      const std::vector<std::string_view> row{a, b};
      append_record(out, row);
    }
  const Rows rows = read_every_way(out);
  ASSERT_EQ(rows.size(), nasty.size() * nasty.size());
  for (std::size_t i = 0; i < rows.size(); ++i)
    EXPECT_EQ(rows[i],
              (std::vector<std::string>{nasty[i / nasty.size()], nasty[i % nasty.size()]}));
}

TEST(CsvFormulas, NeutralizesWhatASpreadsheetWouldRunAndRestoresIt) {
  for (std::string cell : {"=HYPERLINK(\"http://x\",\"click\")", "+1", "-5 Ltd", "@SUM(A1)", "\tx",
                           "\rx", "'quoted"}) {
    EXPECT_EQ(neutralize_formula(cell), "'" + cell);
    EXPECT_EQ(restore_formula(neutralize_formula(cell)), cell);
  }
  for (std::string cell : {"Acme", "", "5", "a=b", " =x"}) {
    EXPECT_EQ(neutralize_formula(cell), cell);
    EXPECT_EQ(restore_formula(neutralize_formula(cell)), cell);
  }
}
