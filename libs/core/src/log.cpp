#include "tim/log.hpp"

#include <unistd.h>

#include <atomic>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include "tim/message.hpp"
#include "tim/time.hpp"

namespace tim::log {

namespace {

// Hand-written rather than spdlog's async logger: that one wakes its writer thread (a futex and
// a context switch) for every line, and with a line per request the wake-ups were the largest
// cost of a request under load (perf: ~20% of the CPU in task switches). Here an I/O thread
// appends to a buffer under a lock held for one copy, and the writer thread drains the buffer
// every 20 ms with one write(). A full buffer drops lines (and says how many) rather than
// blocking an I/O thread.
class BatchWriter {
 public:
  BatchWriter() : thread_([this] { run(); }) {}
  ~BatchWriter() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

  void append(std::string_view line) {
    std::lock_guard lock(mutex_);
    if (pending_.size() + line.size() + 1 > kMaxPending) {
      ++dropped_;
      return;
    }
    pending_.append(line);
    pending_.push_back('\n');
  }

  // Writes out everything appended so far, in order.
  void drain() {
    std::lock_guard order(write_mutex_);
    std::string out;
    std::size_t dropped = 0;
    {
      std::lock_guard lock(mutex_);
      out.swap(pending_);
      std::swap(dropped, dropped_);
    }
    if (dropped > 0)
      out += R"({"level":"warn","msg":"log lines dropped: output too slow","dropped":)" +
             std::to_string(dropped) + "}\n";
    std::string_view rest = out;
    while (!rest.empty()) {
      const auto n = ::write(STDOUT_FILENO, rest.data(), rest.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // stdout closed: nothing sensible left to do with the lines
      rest.remove_prefix(static_cast<std::size_t>(n));
    }
  }

 private:
  static constexpr std::size_t kMaxPending = 8 * 1024 * 1024;

  void run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      wake_.wait_for(lock, std::chrono::milliseconds{20});
      lock.unlock();
      drain();
      lock.lock();
    }
    lock.unlock();
    drain();
  }

  std::mutex mutex_;        // pending_, dropped_, stopping_
  std::mutex write_mutex_;  // keeps drains in order
  std::condition_variable wake_;
  std::string pending_;
  std::size_t dropped_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

// Eight bytes at once: whether any is below 0x20, '"' or '\\' (exact, no false positives).
bool needs_escape(std::uint64_t x) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101, highs = 0x8080808080808080;
  const auto zero_byte = [&](std::uint64_t v) { return (v - ones) & ~v & highs; };
  const auto below_space = (x - ones * 0x20) & ~x & highs;
  return (below_space | zero_byte(x ^ (ones * '"')) | zero_byte(x ^ (ones * '\\'))) != 0;
}

// The most a string takes as JSON: every byte as \u00xx, and the quotes.
constexpr std::size_t json_bound(std::string_view s) noexcept {
  return 6 * s.size() + 2;
}

// Writes s at p as boost::json::serialize writes a string: '"' and '\\' escaped, control
// characters as \b \t \n \f \r or \u00xx, every other byte as it is; returns the end. Room for
// json_bound(s) bytes at p. Values rarely need an escape: the scan for the first one goes eight
// bytes at a time, and the line is written through a pointer into room made once (a byte at a
// time, through std::string's append and push_back, was most of an access line's cost).
char* put_json_string(char* p, std::string_view s) noexcept {
  static constexpr char hex[] = "0123456789abcdef";
  const std::size_t n = s.size();
  std::size_t first = 0;  // no escape before this
  for (std::uint64_t word; first + 8 <= n; first += 8) {
    std::memcpy(&word, s.data() + first, 8);
    if (needs_escape(word)) break;
  }
  if (first < n && n - first < 8) {
    std::uint64_t word = 0x2020202020202020;  // the tail, padded with spaces
    std::memcpy(&word, s.data() + first, n - first);
    if (!needs_escape(word)) first = n;
  }
  *p++ = '"';
  if (first > 0) {  // an empty view may have no data at all: memcpy from null is undefined
    std::memcpy(p, s.data(), first);
    p += first;
  }
  for (std::size_t i = first; i < n; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') {
      *p++ = static_cast<char>(c);
      continue;
    }
    *p++ = '\\';
    switch (c) {
      case '"':
      case '\\':
        *p++ = static_cast<char>(c);
        break;
      case '\b':
        *p++ = 'b';
        break;
      case '\t':
        *p++ = 't';
        break;
      case '\n':
        *p++ = 'n';
        break;
      case '\f':
        *p++ = 'f';
        break;
      case '\r':
        *p++ = 'r';
        break;
      default:
        *p++ = 'u';
        *p++ = '0';
        *p++ = '0';
        *p++ = hex[c >> 4];
        *p++ = hex[c & 15];
    }
  }
  *p++ = '"';
  return p;
}

char* put(char* p, std::string_view s) noexcept {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

constexpr std::size_t kNumberBound = 32;  // an int64 (20), a double as boost::json writes it (23)

std::size_t value_bound(const Value& v) noexcept {
  if (const auto* s = std::get_if<std::string_view>(&v)) return json_bound(*s);
  return kNumberBound;
}

struct PutValue {
  char*& p;
  void operator()(std::string_view v) const { p = put_json_string(p, v); }
  void operator()(std::int64_t v) const { p = std::to_chars(p, p + kNumberBound, v).ptr; }
  void operator()(double v) const { p = put(p, boost::json::serialize(boost::json::value(v))); }
  void operator()(bool v) const { p = put(p, v ? "true" : "false"); }
};

// A field named like one before it replaces that one in the object, in place: rare, and left
// to boost::json.
bool has_repeated_key(std::initializer_list<Field> fields) {
  constexpr std::string_view fixed[] = {"time", "level", "service", "msg"};
  for (auto f = fields.begin(); f != fields.end(); ++f) {
    for (auto k : fixed)
      if (f->key == k) return true;
    for (auto g = fields.begin(); g != f; ++g)
      if (g->key == f->key) return true;
  }
  return false;
}

std::atomic<int> g_level{static_cast<int>(Level::info)};
std::string g_service = "tim";
std::unique_ptr<BatchWriter> g_writer;

}  // namespace

std::optional<Level> parse_level(std::string_view text) {
  for (auto l : {Level::debug, Level::info, Level::warn, Level::error, Level::off})
    if (http::iequals(text, level_name(l))) return l;
  if (http::iequals(text, "warning")) return Level::warn;
  return std::nullopt;
}

std::string_view level_name(Level level) noexcept {
  switch (level) {
    case Level::debug:
      return "debug";
    case Level::info:
      return "info";
    case Level::warn:
      return "warn";
    case Level::error:
      return "error";
    case Level::off:
      return "off";
  }
  return "info";
}

namespace {

// format_line, appended to `out`.
void format_into(std::string& out, std::string_view time, Level level, std::string_view service,
                 std::string_view message, std::initializer_list<Field> fields) {
  if (has_repeated_key(fields)) {
    boost::json::object o;
    o.reserve(4 + fields.size());
    o["time"] = time;
    o["level"] = level_name(level);
    o["service"] = service;
    o["msg"] = message;
    for (const auto& f : fields) std::visit([&](const auto& v) { o[f.key] = v; }, f.value);
    out += boost::json::serialize(o);
    return;
  }
  using namespace std::string_view_literals;
  const auto level_text = level_name(level);
  std::size_t room =
      40 + json_bound(time) + json_bound(level_text) + json_bound(service) + json_bound(message);
  for (const auto& f : fields) room += 2 + json_bound(f.key) + value_bound(f.value);
  const std::size_t start = out.size();
  out.resize(start + room);
  char* p = out.data() + start;
  p = put_json_string(put(p, R"({"time":)"sv), time);
  p = put_json_string(put(p, R"(,"level":)"sv), level_text);
  p = put_json_string(put(p, R"(,"service":)"sv), service);
  p = put_json_string(put(p, R"(,"msg":)"sv), message);
  for (const auto& f : fields) {
    *p++ = ',';
    p = put_json_string(p, f.key);
    *p++ = ':';
    std::visit(PutValue{p}, f.value);
  }
  *p++ = '}';
  out.resize(static_cast<std::size_t>(p - out.data()));
}

}  // namespace

// Written directly rather than through a boost::json::object: a line per request made the
// object's allocations and hashing a tenth of a small service's instructions per request.
std::string format_line(std::string_view time, Level level, std::string_view service,
                        std::string_view message, std::initializer_list<Field> fields) {
  std::string out;
  format_into(out, time, level, service, message, fields);
  return out;
}

void init(std::string_view service, Level level) {
  g_service = std::string(service);
  g_level = static_cast<int>(level);
  if (!g_writer) g_writer = std::make_unique<BatchWriter>();
}

bool enabled(Level level) noexcept {
  return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed) && level != Level::off;
}

void write(Level level, std::string_view message, std::initializer_list<Field> fields) {
  if (!enabled(level)) return;
  // One buffer per thread, its room kept from line to line: no allocation per line.
  thread_local std::string line;
  line.clear();
  format_into(line, format_iso8601_utc(std::chrono::system_clock::now()), level, g_service, message,
              fields);
  if (g_writer)
    g_writer->append(line);
  else
    std::fprintf(stderr, "%s\n", line.c_str());
  if (line.capacity() > 64 * 1024) std::string().swap(line);  // a rare huge line: let it go
}

void flush() {
  std::fflush(stdout);
  if (g_writer) g_writer->drain();
}

}  // namespace tim::log
