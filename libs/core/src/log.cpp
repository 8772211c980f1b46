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

// Exactly what boost::json::serialize writes for a string: '"' and '\\' escaped, control
// characters as \b \t \n \f \r or \u00xx, every other byte as it is. Values rarely need an
// escape: the scan for the first one goes eight bytes at a time (a byte at a time was half
// of an access line's instructions).
void append_json_string(std::string& out, std::string_view s) {
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
  out.push_back('"');
  if (first == n) {
    out.append(s).push_back('"');
    return;
  }
  std::size_t plain = 0;  // start of the run not yet copied
  for (std::size_t i = first; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + plain, i - plain);
    plain = i + 1;
    out.push_back('\\');
    switch (c) {
      case '"':
      case '\\':
        out.push_back(static_cast<char>(c));
        break;
      case '\b':
        out.push_back('b');
        break;
      case '\t':
        out.push_back('t');
        break;
      case '\n':
        out.push_back('n');
        break;
      case '\f':
        out.push_back('f');
        break;
      case '\r':
        out.push_back('r');
        break;
      default:
        out.append("u00");
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 15]);
    }
  }
  out.append(s.data() + plain, s.size() - plain);
  out.push_back('"');
}

struct AppendValue {
  std::string& out;
  void operator()(std::string_view v) const { append_json_string(out, v); }
  void operator()(std::int64_t v) const {
    char buf[24];
    const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
    out.append(buf, end);
  }
  void operator()(double v) const { out += boost::json::serialize(boost::json::value(v)); }
  void operator()(bool v) const { out += v ? "true" : "false"; }
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

// Written directly rather than through a boost::json::object: a line per request made the
// object's allocations and hashing a tenth of a small service's instructions per request.
std::string format_line(std::string_view time, Level level, std::string_view service,
                        std::string_view message, std::initializer_list<Field> fields) {
  if (has_repeated_key(fields)) {
    boost::json::object o;
    o.reserve(4 + fields.size());
    o["time"] = time;
    o["level"] = level_name(level);
    o["service"] = service;
    o["msg"] = message;
    for (const auto& f : fields) std::visit([&](const auto& v) { o[f.key] = v; }, f.value);
    return boost::json::serialize(o);
  }
  std::string out;
  out.reserve(96 + message.size() + 32 * fields.size());
  out.append(R"({"time":)");
  append_json_string(out, time);
  out.append(R"(,"level":)");
  append_json_string(out, level_name(level));
  out.append(R"(,"service":)");
  append_json_string(out, service);
  out.append(R"(,"msg":)");
  append_json_string(out, message);
  for (const auto& f : fields) {
    out.push_back(',');
    append_json_string(out, f.key);
    out.push_back(':');
    std::visit(AppendValue{out}, f.value);
  }
  out.push_back('}');
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
  auto line = format_line(format_iso8601_utc(std::chrono::system_clock::now()), level, g_service,
                          message, fields);
  if (g_writer)
    g_writer->append(line);
  else
    std::fprintf(stderr, "%s\n", line.c_str());
}

void flush() {
  std::fflush(stdout);
  if (g_writer) g_writer->drain();
}

}  // namespace tim::log
