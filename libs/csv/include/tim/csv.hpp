// One RFC 4180 CSV reader and writer for every CSV the services read or write (the invoices
// import and export, the model's training data). Plain C++: the reader streams from a source of
// chunks (an istream, a callback, or text already in memory), so a file of a million rows is
// never held as a vector of rows.
//
// Reading: fields separated by ',', records by LF or CRLF; a field in double quotes may hold
// commas, quotes (doubled) and line breaks. A UTF-8 byte order mark at the start is skipped.
// A quote inside an unquoted field is taken as it is (lenient, as spreadsheets write it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tim::csv {

// A malformed record. what() is "line N: …"; line() is the line the record starts on.
class ParseError : public std::runtime_error {
 public:
  ParseError(std::size_t line, const std::string& message);
  std::size_t line() const noexcept { return line_; }
  // The message without the "line N: " prefix.
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::size_t line_;
  std::string reason_;
};

// One record. The views stay valid until the reader's next call to next().
struct Record {
  std::vector<std::string_view> fields;
  std::size_t line = 0;  // the line the record starts on, from 1
  // An empty line reads as one empty field.
  bool blank() const noexcept { return fields.size() == 1 && fields.front().empty(); }
};

struct ReaderOptions {
  // A longer record is refused (most likely a quote that is never closed): the reader's memory
  // stays bounded whatever the input.
  std::size_t max_record_bytes = 1 << 20;
  std::size_t chunk_bytes = 1 << 16;  // read from the source at a time
};

class Reader {
 public:
  // Fills up to `size` bytes at `into` and returns how many; 0 at the end of the input.
  using Source = std::function<std::size_t(char* into, std::size_t size)>;

  explicit Reader(Source source, ReaderOptions options = {});
  explicit Reader(std::istream& in, ReaderOptions options = {});
  // Text held by the caller for the reader's life time: read in place, not copied.
  explicit Reader(std::string_view text, ReaderOptions options = {});

  // The next record into `record`; false at the end of the input. Throws ParseError for a
  // malformed record (a quote left open, text after a closing quote, a record too long); the
  // reader then goes on at the line after the one that record started on, so one bad record
  // does not take the rest of the file with it. Throws what the source throws.
  bool next(Record& record);

  // Bytes of the input consumed so far (the BOM included): progress through a file.
  std::uint64_t bytes_read() const noexcept { return consumed_before_ + pos_; }

 private:
  enum class Outcome { record, need_more, error };
  Outcome parse(Record& record, std::string& reason);
  bool fill();  // compacts the window to the current record and reads a chunk; false at the end
  void skip_line_after_error();

  Source source_;
  ReaderOptions options_;
  std::string buffer_;  // the window when streaming
  const char* data_ = nullptr;
  std::size_t size_ = 0;               // bytes in the window
  std::size_t pos_ = 0;                // start of the next record in the window
  std::uint64_t consumed_before_ = 0;  // bytes dropped from the window's front
  bool eof_ = false;
  bool started_ = false;        // the BOM check is done
  bool skipping_line_ = false;  // after an error: drop bytes up to the next line break
  std::size_t line_ = 1;
  std::string scratch_;  // unescaped quoted fields of the current record
  struct Span {
    std::size_t offset, size;
    bool in_scratch;
  };
  std::vector<Span> spans_;
};

// Appends `field`, quoted when it holds a comma, quote, CR or LF.
void append_field(std::string& out, std::string_view field);
// Appends the fields separated by commas and a CRLF.
void append_record(std::string& out, std::span<const std::string_view> fields);

// Spreadsheets run a cell that starts with '=', '+', '-', '@', tab or CR as a formula (OWASP: CSV
// injection). neutralize_formula prefixes such a cell with a ' (and a cell that already starts
// with ' too, so that restore_formula, which drops one leading ', gives back exactly the text).
// Use the pair on free-text columns only: numbers must stay numbers.
std::string neutralize_formula(std::string_view cell);
std::string_view restore_formula(std::string_view cell) noexcept;

}  // namespace tim::csv
