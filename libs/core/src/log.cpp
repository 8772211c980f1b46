#include "tim/log.hpp"

#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>

#include "tim/message.hpp"
#include "tim/time.hpp"

namespace tim::log {

namespace {
std::atomic<int> g_level{static_cast<int>(Level::info)};
std::string g_service = "tim";
std::shared_ptr<spdlog::logger> g_logger;
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
  if (!g_logger) {
    // A bounded queue: when it is full the oldest lines are dropped rather than blocking I/O.
    spdlog::init_thread_pool(4096, 1);  // ~300 bytes a slot: ~1.2 MB
    g_logger = std::make_shared<spdlog::async_logger>(
        "tim", std::make_shared<spdlog::sinks::stdout_sink_mt>(), spdlog::thread_pool(),
        spdlog::async_overflow_policy::overrun_oldest);
    g_logger->set_pattern("%v");
    g_logger->flush_on(spdlog::level::trace);
  }
}

bool enabled(Level level) noexcept {
  return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed) && level != Level::off;
}

void write(Level level, std::string_view message, std::initializer_list<Field> fields) {
  if (!enabled(level)) return;
  auto line = format_line(format_iso8601_utc(std::chrono::system_clock::now()), level, g_service,
                          message, fields);
  if (g_logger)
    g_logger->info(line);
  else
    std::fprintf(stderr, "%s\n", line.c_str());
}

void flush() {
  if (g_logger) g_logger->flush();
  std::fflush(stdout);
}

}  // namespace tim::log
