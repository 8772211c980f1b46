#include "tim/log.hpp"

#include <unistd.h>

#include <atomic>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <chrono>
#include <condition_variable>
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

std::string format_line(std::string_view time, Level level, std::string_view service,
                        std::string_view message, std::initializer_list<Field> fields) {
  boost::json::object o;
  o.reserve(4 + fields.size());
  o["time"] = time;
  o["level"] = level_name(level);
  o["service"] = service;
  o["msg"] = message;
  for (const auto& f : fields) std::visit([&](const auto& v) { o[f.key] = v; }, f.value);
  return boost::json::serialize(o);
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
