#include "tim/csv.hpp"

#include <algorithm>
#include <cstring>
#include <istream>

namespace tim::csv {

ParseError::ParseError(std::size_t line, const std::string& message)
    : std::runtime_error("line " + std::to_string(line) + ": " + message),
      line_(line),
      reason_(message) {}

Reader::Reader(Source source, ReaderOptions options)
    : source_(std::move(source)), options_(options) {
  options_.chunk_bytes = std::max<std::size_t>(options_.chunk_bytes, 16);
}

Reader::Reader(std::istream& in, ReaderOptions options)
    : Reader(
          [&in](char* into, std::size_t size) -> std::size_t {
            in.read(into, static_cast<std::streamsize>(size));
            if (in.bad()) throw std::runtime_error("the CSV input could not be read");
            return static_cast<std::size_t>(in.gcount());
          },
          options) {}

Reader::Reader(std::string_view text, ReaderOptions options)
    : options_(options), data_(text.data()), size_(text.size()), eof_(true) {}

bool Reader::fill() {
  if (eof_ || !source_) {
    eof_ = true;
    return false;
  }
  // Keep the current record (from pos_) at the front, then append a chunk.
  if (pos_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + pos_, size_ - pos_);
    consumed_before_ += pos_;
    size_ -= pos_;
    pos_ = 0;
  }
  if (buffer_.size() < size_ + options_.chunk_bytes) buffer_.resize(size_ + options_.chunk_bytes);
  const std::size_t got = source_(buffer_.data() + size_, options_.chunk_bytes);
  size_ += got;
  data_ = buffer_.data();
  if (got == 0) eof_ = true;
  return got > 0;
}

// Fields of the record at pos_, as spans of the window (or of scratch_ when a quoted field held
// doubled quotes). need_more when the window ends inside the record and the input goes on: the
// caller reads more and parses the record again from its start.
Reader::Outcome Reader::parse(Record& record, std::string& reason) {
  spans_.clear();
  scratch_.clear();
  const char* d = data_;
  const std::size_t n = size_;
  std::size_t p = pos_;
  std::size_t newlines = 0;
  auto finish = [&] {
    record.fields.clear();
    for (const Span& s : spans_)
      record.fields.emplace_back((s.in_scratch ? scratch_.data() : d) + s.offset, s.size);
    record.line = line_;
    line_ += newlines;
    pos_ = p;
    return Outcome::record;
  };
  for (;;) {
    if (p < n && d[p] == '"') {
      const std::size_t start = ++p;
      const std::size_t scratch_start = scratch_.size();
      bool escaped = false;
      for (;;) {
        const void* found = p < n ? std::memchr(d + p, '"', n - p) : nullptr;
        if (!found) {
          if (!eof_) return Outcome::need_more;
          reason = "a quoted field is not closed";
          return Outcome::error;
        }
        const std::size_t q = static_cast<std::size_t>(static_cast<const char*>(found) - d);
        newlines += static_cast<std::size_t>(std::count(d + p, d + q, '\n'));
        if (q + 1 == n && !eof_) return Outcome::need_more;  // "" or the end: not known yet
        if (q + 1 < n && d[q + 1] == '"') {
          if (!escaped) {
            escaped = true;
            scratch_.append(d + start, q + 1 - start);
          } else {
            scratch_.append(d + p, q + 1 - p);
          }
          p = q + 2;
          continue;
        }
        if (escaped) {
          scratch_.append(d + p, q - p);
          spans_.push_back({scratch_start, scratch_.size() - scratch_start, true});
        } else {
          spans_.push_back({start, q - start, false});
        }
        p = q + 1;
        break;
      }
      if (p == n) {
        if (!eof_) return Outcome::need_more;
        return finish();
      }
      if (d[p] == ',') {
        ++p;
        continue;
      }
      if (d[p] == '\n') {
        ++p;
        ++newlines;
        return finish();
      }
      if (d[p] == '\r') {
        if (p + 1 == n) {
          if (!eof_) return Outcome::need_more;
          ++p;
          return finish();
        }
        if (d[p + 1] == '\n') {
          p += 2;
          ++newlines;
          return finish();
        }
      }
      reason = "text after the closing quote of a field (a quote inside a field is written \"\")";
      return Outcome::error;
    }
    const std::size_t start = p;
    while (p < n && d[p] != ',' && d[p] != '\n') ++p;
    if (p < n && d[p] == ',') {
      spans_.push_back({start, p - start, false});
      ++p;
      continue;
    }
    if (p == n && !eof_) return Outcome::need_more;
    std::size_t end = p;
    if (end > start && d[end - 1] == '\r') --end;  // CRLF, or a last line ending in CR
    spans_.push_back({start, end - start, false});
    if (p < n) {
      ++p;
      ++newlines;
    }
    return finish();
  }
}

void Reader::skip_line_after_error() {
  // Resume at the line after the one the bad record started on.
  skipping_line_ = true;
  for (;;) {
    const void* nl = pos_ < size_ ? std::memchr(data_ + pos_, '\n', size_ - pos_) : nullptr;
    if (nl) {
      pos_ = static_cast<std::size_t>(static_cast<const char*>(nl) - data_) + 1;
      ++line_;
      skipping_line_ = false;
      return;
    }
    pos_ = size_;
    if (!fill()) {
      skipping_line_ = false;
      return;
    }
  }
}

bool Reader::next(Record& record) {
  if (skipping_line_) skip_line_after_error();
  if (!started_) {
    started_ = true;
    while (size_ - pos_ < 3 && fill()) {
    }
    if (size_ - pos_ >= 3 && std::memcmp(data_ + pos_, "\xEF\xBB\xBF", 3) == 0) pos_ += 3;
  }
  if (pos_ == size_ && !fill()) return false;
  std::string reason;
  for (;;) {
    const Outcome outcome = parse(record, reason);
    if (outcome == Outcome::record) return true;
    if (outcome == Outcome::need_more) {
      if (size_ - pos_ > options_.max_record_bytes) {
        reason = "a record longer than " + std::to_string(options_.max_record_bytes) +
                 " bytes (is a quote left open?)";
      } else {
        fill();
        continue;
      }
    }
    const std::size_t line = line_;
    skip_line_after_error();
    throw ParseError(line, reason);
  }
}

void append_field(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += field;
    return;
  }
  out += '"';
  for (;;) {
    const auto quote = field.find('"');
    out += field.substr(0, quote == std::string_view::npos ? field.size() : quote + 1);
    if (quote == std::string_view::npos) break;
    out += '"';
    field.remove_prefix(quote + 1);
  }
  out += '"';
}

void append_record(std::string& out, std::span<const std::string_view> fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    append_field(out, fields[i]);
  }
  out += "\r\n";
}

namespace {
bool starts_like_formula(std::string_view cell) noexcept {
  return !cell.empty() && std::strchr("=+-@\t\r'", cell.front()) != nullptr && cell.front() != 0;
}
}  // namespace

std::string neutralize_formula(std::string_view cell) {
  if (!starts_like_formula(cell)) return std::string(cell);
  std::string out;
  out.reserve(cell.size() + 1);
  out += '\'';
  out += cell;
  return out;
}

std::string_view restore_formula(std::string_view cell) noexcept {
  if (!cell.empty() && cell.front() == '\'') cell.remove_prefix(1);
  return cell;
}

}  // namespace tim::csv
