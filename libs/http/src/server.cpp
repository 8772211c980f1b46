#include "tim/http/server.hpp"

#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid_io.hpp>
#include <cstdio>
#include <ctime>
#include <list>
#include <thread>
#include <vector>

#include "parse_into.hpp"
#include "response_bytes.hpp"
#include "tim/config.hpp"
#include "tim/log.hpp"
#include "tim/metrics.hpp"
#include "tim/trace_context.hpp"

namespace tim::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

ServerOptions ServerOptions::from_env(std::string service_name) {
  using namespace config;
  ServerOptions o;
  o.service_name = std::move(service_name);
  o.host = get_string("HOST", o.host);
  o.port = static_cast<std::uint16_t>(get_int("PORT", o.port, 0, 65535));
  o.io_threads = static_cast<int>(get_int("IO_THREADS", o.io_threads, 1, 64));
  o.max_header_bytes = static_cast<std::size_t>(
      get_int("MAX_HEADER_BYTES", static_cast<std::int64_t>(o.max_header_bytes), 1024, 1 << 24));
  o.max_body_bytes = static_cast<std::size_t>(
      get_int("MAX_BODY_BYTES", static_cast<std::int64_t>(o.max_body_bytes), 0, 1 << 30));
  o.idle_timeout = get_millis("IDLE_TIMEOUT_MS", o.idle_timeout);
  o.header_timeout = get_millis("HEADER_TIMEOUT_MS", o.header_timeout);
  o.body_timeout = get_millis("BODY_TIMEOUT_MS", o.body_timeout);
  o.max_connections = static_cast<std::size_t>(
      get_int("MAX_CONNECTIONS", static_cast<std::int64_t>(o.max_connections), 1, 1'000'000));
  o.max_in_flight = static_cast<std::size_t>(
      get_int("MAX_IN_FLIGHT", static_cast<std::int64_t>(o.max_in_flight), 1, 1'000'000));
  o.drain_delay = get_millis("DRAIN_DELAY_MS", o.drain_delay);
  o.shutdown_timeout = get_millis("SHUTDOWN_TIMEOUT_MS", o.shutdown_timeout);
  o.access_log = get_bool("ACCESS_LOG", o.access_log);
  return o;
}

namespace {

// The Date header changes once a second; format it once a second per thread.
std::string_view http_date() {
  thread_local std::time_t cached_second = 0;
  thread_local char buf[64];
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached_second = now;
  }
  return buf;
}

// Seeded once per thread from the OS: boost's random_generator calls getrandom() for every id,
// a system call per request. Request ids correlate logs; they are not secrets.
std::string new_request_id() {
  thread_local boost::uuids::random_generator_mt19937 generate;
  return boost::uuids::to_string(generate());
}

// A request id we pass on must be short and printable; anything else is replaced.
bool acceptable_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id)
    if (c <= ' ' || c > '~') return false;
  return true;
}

// The server's own endpoints (GET and HEAD answered without the handler): outside the
// MAX_IN_FLIGHT cap, and logged at debug level.
bool operational_path(std::string_view path) {
  return path == "/healthz" || path == "/readyz" || path == "/metrics";
}

std::string status_json(std::string_view status, std::string_view detail = {}) {
  boost::json::object o;
  o["status"] = status;
  if (!detail.empty()) o["detail"] = detail;
  return boost::json::serialize(o);
}

// Parses a request straight into a Request (parse_into.hpp says why).
class RequestParser final : public detail::ParseInto<true> {
 public:
  explicit RequestParser(Request& into) : ParseInto(into.headers, into.body), into_(into) {}
  unsigned version() const noexcept { return version_; }
  // As Beast's message says it: from the first Connection field and the version.
  bool keep_alive() const {
    const auto connection = into_.headers.get("connection");
    if (version_ < 11) return connection && bhttp::token_list{*connection}.exists("keep-alive");
    return !connection || !bhttp::token_list{*connection}.exists("close");
  }

 private:
  void on_request_impl(bhttp::verb, string_view method, string_view target, int version,
                       error_code&) override {
    into_.method.assign(method.data(), method.size());
    into_.target.assign(target.data(), target.size());
    version_ = static_cast<unsigned>(version);
    into_.headers.reserve(16);  // most requests have fewer fields: one allocation
  }
  void on_response_impl(int, string_view, int, error_code&) override {}

  Request& into_;
  unsigned version_ = 11;
};

enum class BodyState { complete, unread, failed };

// Bytes of the process-wide body budget this request holds; given back when it ends.
class BudgetHold {
 public:
  explicit BudgetHold(std::atomic<std::size_t>& used) : used_(used) {}
  ~BudgetHold() { release(); }
  BudgetHold(const BudgetHold&) = delete;
  BudgetHold& operator=(const BudgetHold&) = delete;
  // Takes `bytes` if the budget has room for them.
  bool try_take(std::size_t bytes, std::size_t budget) {
    std::size_t current = used_.load(std::memory_order_relaxed);
    do {
      if (current + bytes > budget) return false;
    } while (!used_.compare_exchange_weak(current, current + bytes, std::memory_order_relaxed));
    held_ += bytes;
    return true;
  }
  void release() {
    if (held_ > 0) used_.fetch_sub(held_, std::memory_order_relaxed);
    held_ = 0;
  }

 private:
  std::atomic<std::size_t>& used_;
  std::size_t held_ = 0;
};

// One live connection, as its worker thread sees it.
struct Connection {
  beast::tcp_stream* stream = nullptr;
  bool idle = true;  // waiting for a request: safe to close at shutdown
};

struct Worker {
  // Before the context: destroying the context destroys the sessions still busy when the
  // shutdown timeout ran out, and each one unregisters itself from this list.
  std::list<Connection*> connections;  // touched only on this worker's thread
  asio::io_context context{1};
  std::thread thread;
};

}  // namespace

struct Server::Impl {
  ServerOptions options;
  RequestHandler handler;
  std::function<Readiness()> readiness_check;
  std::vector<std::unique_ptr<Worker>> workers;
  std::atomic<bool> draining{false};  // SIGTERM seen: /readyz answers 503
  std::atomic<bool> closing{false};   // listener closed: answers carry Connection: close
  std::atomic<std::size_t> open_connections{0};
  std::atomic<std::size_t> in_flight{0};         // requests being handled, probes excepted
  std::atomic<std::size_t> body_budget_used{0};  // bytes of bodies held (body_memory_budget)
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<tcp::acceptor> admin_acceptor;  // options.admin_port

  Impl(ServerOptions o, RequestHandler h) : options(std::move(o)), handler(std::move(h)) {}
  // The workers first: sessions destroyed with them still use the members below.
  ~Impl() { workers.clear(); }

  Response health(const Request& request) {
    if (request.path() == "/healthz") return json_response(200, status_json("ok"));
    if (draining) return json_response(503, status_json("draining", "shutting down"));
    if (readiness_check) {
      auto r = readiness_check();
      if (!r.ready) return json_response(503, status_json("not_ready", r.detail));
      return json_response(200, status_json("ready", r.detail));
    }
    return json_response(200, status_json("ready"));
  }

  // `admin`: the request came in on the admin listener.
  Task<Response> dispatch(Request& request, bool admin) {
    const auto path = request.path();
    if (options.admin_port && admin != operational_path(path)) {
      // Admin endpoints only on the admin port, and nothing else there (Envoy's empty 404).
      request.route = admin ? "admin_unknown" : "admin_elsewhere";
      Response r{404, {}, {}};
      r.headers.add("content-length", "0");
      co_return r;
    }
    if ((request.method == "GET" || request.method == "HEAD") && operational_path(path)) {
      request.route = std::string(path);
      if (path != "/metrics") co_return health(request);
      Response r{200, {}, metrics::exposition()};
      r.headers.add("content-type", "text/plain; version=0.0.4; charset=utf-8");
      co_return r;
    }
    std::exception_ptr failure;
    try {
      co_return co_await handler(request);
    } catch (...) {
      failure = std::current_exception();
    }
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    log::error("handler failed", {{"error", std::string_view(what)},
                                  {"request_id", std::string_view(request.request_id)},
                                  {"trace_id", request.trace.trace_id_hex()}});
    co_return error_response(500, "internal", "the server failed to handle the request");
  }

  void write_access_log(const Request& req, int status,
                        std::chrono::steady_clock::time_point start) {
    // Probes and scrapes arrive every few seconds: log them only when debugging.
    const bool probe = operational_path(req.path());
    const auto level = probe ? log::Level::debug : log::Level::info;
    if (!options.access_log || !log::enabled(level)) return;
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - start);
    // The path only: query strings can carry secrets.
    log::write(level, "request",
               {{"method", std::string_view(req.method)},
                {"path", req.path()},
                {"status", std::int64_t{status}},
                {"duration_us", static_cast<std::int64_t>(micros.count())},
                {"request_id", std::string_view(req.request_id)},
                {"trace_id", req.trace.trace_id_hex()},
                {"span_id", req.trace.span_id_hex()},
                {"remote", std::string_view(req.remote_address)}});
  }

  // Answers a request that could not be read, then the connection closes.
  Task<void> reject(beast::tcp_stream& stream, int status, std::string_view code,
                    std::string_view message) {
    auto r = error_response(status, code, message);
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), 11};
    res.set(bhttp::field::content_type, "application/json");
    res.set(bhttp::field::date, http_date());
    res.keep_alive(false);
    res.body() = std::move(r.body);
    res.prepare_payload();
    stream.expires_after(options.body_timeout);
    co_await bhttp::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
    log::info("request rejected", {{"status", std::int64_t{status}}, {"reason", code}});
    metrics::count_rejected(code);
  }

  Task<void> reject(beast::tcp_stream& stream, const Response& r) {
    stream.expires_after(options.body_timeout);
    const std::string wire = detail::response_bytes(r, {11, false, false, http_date(), {}});
    co_await asio::async_write(stream, asio::buffer(wire), asio::as_tuple(asio::use_awaitable));
    log::info("request rejected", {{"status", std::int64_t{r.status}}});
  }

  // Reads the rest of the request into request.body, within the body limit, the body timeout
  // and the memory budget; nullopt when it is all there, else the error answer to send (the
  // connection then closes).
  Task<std::optional<Response>> read_body(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                          RequestParser& parser, Request& request,
                                          BudgetHold& hold) {
    if (options.body_memory_budget > 0) {
      const auto length = parser.content_length();
      const std::size_t need = length ? static_cast<std::size_t>(*length) : options.max_body_bytes;
      if (!hold.try_take(need, options.body_memory_budget)) {
        metrics::count_rejected("body_budget");
        auto r = error_response(503, "overloaded",
                                "too many request bodies in progress; retry after a second");
        r.headers.add("retry-after", "1");
        co_return r;
      }
    }
    if (http::iequals(request.headers.get("expect").value_or(""), "100-continue")) {
      bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, 11};
      co_await bhttp::async_write(stream, cont, asio::as_tuple(asio::use_awaitable));
    }
    stream.expires_after(options.body_timeout);
    auto [bec, bn] =
        co_await bhttp::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    (void)bn;
    if (!bec) co_return std::nullopt;
    if (bec == bhttp::error::body_limit) {
      metrics::count_rejected("body_too_large");
      co_return error_response(413, "body_too_large", "request body is too large");
    }
    if (bec == beast::error::timeout) {
      metrics::count_rejected("request_timeout");
      co_return error_response(408, "request_timeout", "request body took too long");
    }
    metrics::count_rejected("bad_request");
    co_return error_response(400, "bad_request", "malformed HTTP request body: " + bec.message());
  }

  // Writes the answer, its body from response.body or piece by piece from response.stream;
  // false when the connection broke or a streamed body could not be completed.
  Task<bool> write_response(beast::tcp_stream& stream, const Response& response, unsigned version,
                            bool& keep_alive, bool head) {
    stream.expires_after(options.body_timeout);
    if (!response.stream || head || detail::bodiless_status(response.status)) {
      const std::string wire = detail::response_bytes(
          response, {version, keep_alive, head, http_date(), options.server_header});
      auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(wire),
                                                  asio::as_tuple(asio::use_awaitable));
      (void)wn;
      co_return !wec;
    }
    // Chunked for HTTP/1.1 unless the handler knows the length; HTTP/1.0 ends it by closing.
    const bool sized = response.headers.contains("content-length");
    const bool chunked = !sized && version >= 11;
    if (!sized && !chunked) keep_alive = false;
    std::string wire = detail::streamed_response_head(
        response, {version, keep_alive, head, http_date(), options.server_header}, chunked);
    for (;;) {
      std::optional<std::string> piece;
      bool failed = false;
      try {
        piece = co_await response.stream->next();
      } catch (const std::exception& e) {
        log::warn("streamed answer cut short", {{"error", std::string_view(e.what())}});
        failed = true;
      }
      if (failed) {
        // What is already written goes out; the missing end tells the client it is truncated.
        if (!wire.empty())
          co_await asio::async_write(stream, asio::buffer(wire),
                                     asio::as_tuple(asio::use_awaitable));
        co_return false;
      }
      if (!piece) break;
      if (piece->empty()) continue;
      if (chunked) {
        char size[20];
        const int n = std::snprintf(size, sizeof size, "%zx\r\n", piece->size());
        wire.append(size, static_cast<std::size_t>(n));
      }
      wire += *piece;
      if (chunked) wire += "\r\n";
      stream.expires_after(options.body_timeout);
      auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(wire),
                                                  asio::as_tuple(asio::use_awaitable));
      (void)wn;
      if (wec) co_return false;
      wire.clear();
    }
    if (chunked) wire += "0\r\n\r\n";
    if (wire.empty()) co_return true;
    stream.expires_after(options.body_timeout);
    auto [wec, wn] =
        co_await asio::async_write(stream, asio::buffer(wire), asio::as_tuple(asio::use_awaitable));
    (void)wn;
    co_return !wec;
  }

  // After answering a request whose body we never read: stop sending, then read and drop what
  // the client still sends for a while (a lingering close, as nginx does), so that closing with
  // unread bytes does not reset the connection before the client has read the answer. Reads
  // into a small fixed buffer: the body is never held.
  Task<void> discard_unread_body(beast::tcp_stream& stream) {
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    std::array<char, 4096> sink;
    std::size_t dropped = 0;
    const std::size_t most = options.max_body_bytes + 64 * 1024;
    stream.expires_after(std::chrono::milliseconds(2000));
    while (dropped < most) {
      auto [ec, n] =
          co_await stream.async_read_some(asio::buffer(sink), asio::as_tuple(asio::use_awaitable));
      if (ec) break;
      dropped += n;
    }
  }

  Task<void> session(Worker& worker, tcp::socket socket, bool admin) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    // Read once per connection: a getpeername() call per request otherwise.
    std::string remote_address;
    {
      boost::system::error_code ec;
      auto peer = stream.socket().remote_endpoint(ec);
      if (!ec) remote_address = peer.address().to_string();
    }
    Connection self{&stream, true};
    worker.connections.push_front(&self);
    auto registration = worker.connections.begin();
    struct Unregister {
      Worker& w;
      std::list<Connection*>::iterator it;
      std::atomic<std::size_t>& count;
      ~Unregister() {
        w.connections.erase(it);
        count.fetch_sub(1);
      }
    } unregister{worker, registration, open_connections};

    for (;;) {
      self.idle = true;
      if (closing) break;
      if (buffer.size() == 0) {
        // Idle keep-alive wait, separate from the header deadline so that a slow client
        // cannot stretch a request over the idle timeout.
        stream.expires_after(options.idle_timeout);
        auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096),
                                                       asio::as_tuple(asio::use_awaitable));
        if (ec) break;
        buffer.commit(n);
      }
      self.idle = false;
      const auto start = std::chrono::steady_clock::now();

      Request request;
      RequestParser parser(request);
      parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
      parser.body_limit(options.max_body_bytes);
      stream.expires_after(options.header_timeout);
      auto [hec, hn] = co_await bhttp::async_read_header(stream, buffer, parser,
                                                         asio::as_tuple(asio::use_awaitable));
      (void)hn;
      if (hec) {
        if (hec == bhttp::error::header_limit)
          co_await reject(stream, 431, "headers_too_large", "request headers are too large");
        else if (hec == bhttp::error::body_limit)  // a Content-Length over the limit
          co_await reject(stream, 413, "body_too_large", "request body is too large");
        else if (hec == beast::error::timeout)
          co_await reject(stream, 408, "request_timeout", "request headers took too long");
        else if (hec != bhttp::error::end_of_stream && hec != asio::error::operation_aborted &&
                 hec != asio::error::connection_reset)
          co_await reject(stream, 400, "bad_request", "malformed HTTP request: " + hec.message());
        break;
      }
      if (parser.version() == 11 && request.headers.count("host") != 1) {
        co_await reject(stream, 400, "bad_request",
                        "an HTTP/1.1 request needs exactly one Host header");
        break;
      }
      // The body: read now, or left for the handler to read once it has decided on the headers.
      BodyState body_state = parser.is_done() ? BodyState::complete : BodyState::unread;
      BudgetHold body_hold{body_budget_used};
      if (body_state == BodyState::unread) {
        if (options.defer_body && !operational_path(request.path()) && !admin) {
          request.read_body = [&]() -> Task<std::optional<Response>> {
            if (body_state != BodyState::unread) co_return std::nullopt;
            auto error = co_await read_body(stream, buffer, parser, request, body_hold);
            body_state = error ? BodyState::failed : BodyState::complete;
            co_return error;
          };
        } else {
          auto error = co_await read_body(stream, buffer, parser, request, body_hold);
          if (error) {
            body_state = BodyState::failed;
            co_await reject(stream, *error);
            break;
          }
          body_state = BodyState::complete;
        }
      }

      const bool client_keep_alive = parser.keep_alive();
      const bool head = request.method == "HEAD";
      const unsigned version = parser.version();
      request.remote_address = remote_address;
      auto incoming_id = request.headers.get("x-request-id");
      if (options.trust_request_id && incoming_id && acceptable_request_id(*incoming_id)) {
        request.request_id = std::string(*incoming_id);
      } else {
        request.request_id = new_request_id();
        request.headers.set("x-request-id", request.request_id);
      }

      // The caller's trace, when its traceparent is valid; else a new one. Either way a span
      // of our own, the parent of the calls this request makes.
      auto& random = trace_random();
      auto incoming_trace = request.headers.get("traceparent");
      auto parsed = incoming_trace ? parse_traceparent(*incoming_trace) : std::nullopt;
      if (parsed) {
        request.trace = *parsed;
        start_span(request.trace, random);
      } else {
        request.trace = new_trace(random);
      }

      Response response;
      const bool exempt = operational_path(request.path());
      if (!exempt && in_flight.fetch_add(1, std::memory_order_relaxed) >= options.max_in_flight) {
        // Over the cap: answer now instead of queueing without bound.
        in_flight.fetch_sub(1, std::memory_order_relaxed);
        request.route = "overloaded";
        metrics::count_rejected("overloaded");
        response = error_response(503, "overloaded",
                                  "too many requests in progress; retry after a second");
        response.headers.add("retry-after", "1");
      } else {
        std::optional<metrics::InFlight> gauge{std::in_place};
        response = co_await dispatch(request, admin);
        gauge.reset();
        if (!exempt) in_flight.fetch_sub(1, std::memory_order_relaxed);
      }

      // Draining: tell the client to drop this connection, so that its pool stops using us.
      // A body left unread (refused on its headers) or cut short ends the connection too.
      bool keep_alive = client_keep_alive && !draining && body_state == BodyState::complete;
      request.read_body = nullptr;
      const auto written = co_await write_response(stream, response, version, keep_alive, head);
      metrics::observe_request(
          request.route.empty() ? "unmatched" : request.route, request.method, response.status,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      write_access_log(request, response.status, start);
      if (!written || !keep_alive) {
        if (written && body_state == BodyState::unread) co_await discard_unread_body(stream);
        break;
      }
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.close();
  }

  Task<void> accept_loop(tcp::acceptor& listener, bool admin) {
    std::size_t next = 0;
    for (;;) {
      Worker& worker = *workers[next];
      next = (next + 1) % workers.size();
      auto [ec, socket] =
          co_await listener.async_accept(worker.context, asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (ec == asio::error::operation_aborted || closing) co_return;
        log::warn("accept failed", {{"error", std::string_view(ec.message())}});
        // Out of file descriptors and the like: pause instead of spinning.
        asio::steady_timer pause(listener.get_executor(), 50ms);
        co_await pause.async_wait(asio::use_awaitable);
        continue;
      }
      if (open_connections.load() >= options.max_connections) {
        log::warn("connection limit reached, closing new connection",
                  {{"max_connections", static_cast<std::int64_t>(options.max_connections)}});
        metrics::count_rejected("connection_limit");
        boost::system::error_code ignored;
        socket.close(ignored);
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      open_connections.fetch_add(1);
      asio::co_spawn(worker.context, session(worker, std::move(socket), admin), asio::detached);
    }
  }

  // SIGTERM/SIGINT: readiness false, drain delay, close the listener, close idle connections,
  // let in-flight requests finish (answered with Connection: close), then stop.
  Task<void> shutdown_on_signal(asio::signal_set& signals) {
    auto [ec, signal] = co_await signals.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    log::info("shutdown started",
              {{"signal", std::int64_t{signal}},
               {"drain_delay_ms", static_cast<std::int64_t>(options.drain_delay.count())}});
    draining = true;
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor);
    if (options.drain_delay.count() > 0) {
      timer.expires_after(options.drain_delay);
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    closing = true;
    boost::system::error_code ignored;
    acceptor->close(ignored);
    if (admin_acceptor) admin_acceptor->close(ignored);
    for (auto& w : workers)
      asio::post(w->context, [w = w.get()] {
        for (auto* c : w->connections)
          if (c->idle) c->stream->socket().cancel();
      });
    const auto deadline = std::chrono::steady_clock::now() + options.shutdown_timeout;
    while (open_connections.load() > 0 && std::chrono::steady_clock::now() < deadline) {
      timer.expires_after(10ms);
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    const auto left = open_connections.load();
    if (left > 0)
      log::warn("shutdown timeout: closing connections still busy",
                {{"connections", static_cast<std::int64_t>(left)}});
    log::info("shutdown complete");
    for (auto& w : workers) w->context.stop();
  }
};

Server::Server(ServerOptions options, RequestHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() = default;

void Server::set_readiness_check(std::function<Readiness()> check) {
  impl_->readiness_check = std::move(check);
}

int Server::run() {
  auto& o = impl_->options;
  for (int i = 0; i < o.io_threads; ++i) impl_->workers.push_back(std::make_unique<Worker>());
  auto& main_context = impl_->workers.front()->context;
  auto listen = [&](std::uint16_t port) {
    tcp::endpoint endpoint{asio::ip::make_address(o.host), port};
    auto acceptor = std::make_unique<tcp::acceptor>(main_context);
    acceptor->open(endpoint.protocol());
    acceptor->set_option(asio::socket_base::reuse_address(true));
    acceptor->bind(endpoint);
    acceptor->listen(asio::socket_base::max_listen_connections);
    return acceptor;
  };
  std::uint16_t port = o.port;
  try {
    impl_->acceptor = listen(port);
    if (o.admin_port) {
      port = *o.admin_port;
      impl_->admin_acceptor = listen(port);
    }
  } catch (const std::exception& e) {
    log::error("cannot listen", {{"host", std::string_view(o.host)},
                                 {"port", std::int64_t{port}},
                                 {"error", std::string_view(e.what())}});
    return 1;
  }
  metrics::set_build_info(o.service_name, TIM_VERSION);
  asio::signal_set signals(main_context, SIGTERM, SIGINT);
  asio::co_spawn(main_context, impl_->shutdown_on_signal(signals), asio::detached);
  asio::co_spawn(main_context, impl_->accept_loop(*impl_->acceptor, false), asio::detached);
  const auto bound = impl_->acceptor->local_endpoint();
  log::info("listening", {{"host", std::string_view(o.host)},
                          {"port", std::int64_t{bound.port()}},
                          {"io_threads", std::int64_t{o.io_threads}}});
  if (impl_->admin_acceptor) {
    asio::co_spawn(main_context, impl_->accept_loop(*impl_->admin_acceptor, true), asio::detached);
    log::info("admin listening",
              {{"host", std::string_view(o.host)},
               {"port", std::int64_t{impl_->admin_acceptor->local_endpoint().port()}}});
  }

  for (std::size_t i = 1; i < impl_->workers.size(); ++i) {
    auto* w = impl_->workers[i].get();
    w->thread = std::thread([w] {
      auto guard = asio::make_work_guard(w->context);
      w->context.run();
    });
  }
  main_context.run();
  for (std::size_t i = 1; i < impl_->workers.size(); ++i) impl_->workers[i]->thread.join();
  return 0;
}

int run_service(const std::string& service_name,
                const std::function<int(ServerOptions&)>& configure_and_run) {
  int code = 0;
  try {
    auto level_text = config::get_string("LOG_LEVEL", "info");
    auto level = log::parse_level(level_text);
    if (!level)
      throw config::ConfigError("LOG_LEVEL must be debug, info, warn, error or off, got '" +
                                level_text + "'");
    log::init(service_name, *level);
    auto options = ServerOptions::from_env(service_name);
    code = configure_and_run(options);
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "%s: configuration error: %s\n", service_name.c_str(), e.what());
    code = 2;
  }
  log::flush();
  return code;
}

}  // namespace tim::http
