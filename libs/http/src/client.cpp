#include "tim/http/client.hpp"

#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>
#include <map>
#include <mutex>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "parse_into.hpp"
#include "request_bytes.hpp"
#include "tim/config.hpp"
#include "tim/log.hpp"
#include "tim/metrics.hpp"

namespace tim::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

std::string_view to_string(FetchError e) noexcept {
  switch (e) {
    case FetchError::none:
      return "ok";
    case FetchError::resolve_failed:
      return "resolve_failed";
    case FetchError::connect_refused:
      return "connect_refused";
    case FetchError::connect_timeout:
      return "connect_timeout";
    case FetchError::timeout:
      return "timeout";
    case FetchError::closed:
      return "closed";
    case FetchError::bad_response:
      return "bad_response";
    case FetchError::too_large:
      return "too_large";
    case FetchError::circuit_open:
      return "circuit_open";
  }
  return "unknown";
}

namespace {

struct IdleConnection {
  std::unique_ptr<beast::tcp_stream> stream;
  Clock::time_point since;
};

// A pooled connection is reusable when the peer has not closed it meanwhile: a non-blocking
// peek that finds neither data nor end-of-stream. Saves a failed request on most stale sockets.
bool still_open(beast::tcp_stream& stream) {
  char byte;
  auto n = ::recv(stream.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

// A connection back in the pool for less than this is reused without the peek when the request
// is idempotent: under load the peek was one system call in five per proxied request, peers
// close idle connections after seconds (ours 60 s, nginx 75 s, Node.js 5 s), and if one did close
// it meanwhile, the request goes again once on a fresh connection (exchange_with_pool). A POST
// is never resent, so it keeps the peek whatever the connection's age.
constexpr auto kPeekAfterIdle = std::chrono::seconds(1);

bool idempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "PUT" ||
         method == "DELETE" || method == "TRACE";
}

}  // namespace

// Idle connections of one event loop, by endpoint. An Asio service of the event loop, so the
// sockets close when the loop shuts down, before the loop itself is gone.
class ConnectionPool : public asio::execution_context::service {
 public:
  static inline asio::execution_context::id id;
  explicit ConnectionPool(asio::execution_context& context) : service(context) {}

  // `resendable`: the request may go again on a fresh connection if this one turns out closed.
  std::unique_ptr<beast::tcp_stream> take(const std::string& authority,
                                          std::chrono::milliseconds max_idle, bool resendable) {
    std::lock_guard lock(mutex_);
    auto it = idle_.find(authority);
    if (it == idle_.end()) return nullptr;
    auto& list = it->second;
    const auto now = Clock::now();
    while (!list.empty()) {
      auto candidate = std::move(list.back());
      list.pop_back();
      const auto idle = now - candidate.since;
      if (idle >= max_idle) continue;
      if ((resendable && idle < kPeekAfterIdle) || still_open(*candidate.stream))
        return std::move(candidate.stream);
    }
    return nullptr;
  }

  void give_back(const std::string& authority, std::unique_ptr<beast::tcp_stream> stream,
                 std::size_t max_idle_connections) {
    std::lock_guard lock(mutex_);
    auto& list = idle_[authority];
    if (list.size() >= max_idle_connections) return;
    stream->expires_never();
    list.push_back({std::move(stream), Clock::now()});
  }

 private:
  void shutdown() override {
    std::lock_guard lock(mutex_);
    idle_.clear();
  }
  // Our event loops run on one thread each; the lock only makes a shared loop safe too.
  std::mutex mutex_;
  std::unordered_map<std::string, std::vector<IdleConnection>> idle_;
};

ClientOptions ClientOptions::from_env() {
  ClientOptions o;
  o.breaker.failure_threshold = static_cast<int>(
      config::get_int("BREAKER_FAILURES", o.breaker.failure_threshold, 1, 1'000'000));
  o.breaker.open_duration = config::get_millis("BREAKER_OPEN_MS", o.breaker.open_duration);
  return o;
}

bool breaker_failure(const FetchResult& result) noexcept {
  if (!result.ok())
    return result.error != FetchError::circuit_open && result.error != FetchError::too_large;
  return result.status == 502 || result.status == 503 || result.status == 504;
}

struct HttpClient::Breakers {
  std::mutex mutex;
  std::map<std::string, std::unique_ptr<CircuitBreaker>, std::less<>> by_authority;
};

HttpClient::HttpClient(ClientOptions options)
    : options_(std::move(options)), breakers_(std::make_unique<Breakers>()) {}

HttpClient::~HttpClient() = default;

CircuitBreaker& HttpClient::breaker(const Endpoint& endpoint) {
  const auto key = endpoint.authority();
  std::lock_guard lock(breakers_->mutex);
  auto& slot = breakers_->by_authority[key];
  if (!slot) {
    slot = std::make_unique<CircuitBreaker>(options_.breaker);
    metrics::set_circuit_open(key, false);  // visible from the start
  }
  return *slot;
}

namespace {

// Parses an answer straight into a FetchResult (parse_into.hpp says why).
class AnswerParser final : public detail::ParseInto<false> {
 public:
  explicit AnswerParser(FetchResult& into) : ParseInto(into.headers, into.body), into_(into) {}

 private:
  void on_request_impl(bhttp::verb, string_view, string_view, int, error_code&) override {}
  void on_response_impl(int code, string_view, int, error_code&) override {
    into_.status = code;
    into_.headers.reserve(8);  // most answers have fewer fields: one allocation
  }

  FetchResult& into_;
};

// Parses the bytes already buffered, without an asynchronous read (whose completion would be
// posted even with nothing to wait for).
void parse_buffered(AnswerParser& parser, beast::flat_buffer& buffer,
                    boost::system::error_code& ec) {
  parser.eager(true);
  while (!parser.is_done() && buffer.size() > 0) {
    const auto used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec == bhttp::error::need_more) {
      ec = {};
      return;
    }
    if (ec || used == 0) return;
  }
}

// An answer being read. On the heap, so that a streamed body can go on reading it after the
// exchange has handed back the status and headers.
struct AnswerState {
  FetchResult result;
  AnswerParser parser{result};
  beast::flat_buffer buffer;
};

struct Attempt {
  FetchResult result;
  bool reusable = false;
  bool retry_safe = false;                 // failed before the peer could have acted on the request
  std::unique_ptr<AnswerState> streaming;  // set: the body is still to be read from here
};

FetchResult failure(FetchError e, std::string message) {
  FetchResult r;
  r.error = e;
  r.message = std::move(message);
  return r;
}

Task<Attempt> exchange(beast::tcp_stream& stream, std::string_view wire, bool head,
                       Clock::time_point deadline, const ClientOptions& options, bool reused,
                       std::size_t stream_over) {
  Attempt a;
  stream.expires_at(deadline);
  auto [wec, wn] =
      co_await asio::async_write(stream, asio::buffer(wire), asio::as_tuple(asio::use_awaitable));
  (void)wn;
  if (wec) {
    a.retry_safe = reused && wec != beast::error::timeout;
    a.result = failure(wec == beast::error::timeout ? FetchError::timeout : FetchError::closed,
                       "write: " + wec.message());
    co_return a;
  }
  auto state = std::make_unique<AnswerState>();
  auto& parser = state->parser;
  parser.header_limit(static_cast<std::uint32_t>(options.max_response_header_bytes));
  parser.skip(head);
  const bool may_stream = stream_over > 0 && !head;
  if (may_stream) {
    parser.body_limit(boost::none);
    parser.set_reserve_body(false);
  } else {
    parser.body_limit(options.max_response_body_bytes);
  }
  boost::system::error_code rec;
  if (!may_stream) {
    // One read for the whole answer: each more asynchronous read costs a trip through the
    // event loop's queue even when the bytes are already here (a posted completion).
    auto [whole_ec, whole_n] = co_await bhttp::async_read(stream, state->buffer, parser,
                                                          asio::as_tuple(asio::use_awaitable));
    (void)whole_n;
    rec = whole_ec;
  } else {
    auto [hec, hn] = co_await bhttp::async_read_header(stream, state->buffer, parser,
                                                       asio::as_tuple(asio::use_awaitable));
    (void)hn;
    rec = hec;
    // What came with the header (usually a small answer's whole body) is parsed at once.
    if (!rec) parse_buffered(parser, state->buffer, rec);
    if (!rec && !parser.is_done() && !parser.content_length()) {
      // Chunked or ended by the close: read up to the threshold; a short one stays whole.
      while (!parser.is_done() && state->result.body.size() <= stream_over) {
        auto [sec, sn] = co_await bhttp::async_read_some(stream, state->buffer, parser,
                                                         asio::as_tuple(asio::use_awaitable));
        (void)sn;
        if (sec) {
          rec = sec;
          break;
        }
      }
    }
    if (!rec && !parser.is_done()) {
      const auto length = parser.content_length();
      if (!length || *length > stream_over) {
        a.result.status = state->result.status;
        a.result.headers = std::move(state->result.headers);
        a.streaming = std::move(state);
        co_return a;
      }
      state->result.body.reserve(static_cast<std::size_t>(*length));
      auto [bec, bn] = co_await bhttp::async_read(stream, state->buffer, parser,
                                                  asio::as_tuple(asio::use_awaitable));
      (void)bn;
      rec = bec;
    }
  }
  if (rec) {
    // End of stream before any byte on a reused connection: the peer closed it while idle.
    a.retry_safe = reused && rec == bhttp::error::end_of_stream;
    const bool started = parser.got_some();
    if (rec == beast::error::timeout)
      a.result = failure(FetchError::timeout, "no complete answer before the deadline");
    else if (rec == bhttp::error::end_of_stream || rec == asio::error::connection_reset ||
             rec == asio::error::eof || rec == bhttp::error::partial_message)
      a.result = failure(FetchError::closed, "read: " + rec.message());
    else if (rec == bhttp::error::body_limit)
      a.result = failure(FetchError::too_large, "read: " + rec.message());
    else
      a.result = failure(FetchError::bad_response, "read: " + rec.message());
    a.result.response_started = started;
    co_return a;
  }
  // The parser's keep_alive() also says no to an answer delimited by the end of the stream.
  a.reusable = parser.keep_alive() && state->buffer.size() == 0;
  a.result = std::move(state->result);
  co_return a;
}

Task<std::variant<std::unique_ptr<beast::tcp_stream>, FetchResult>> connect(
    const Endpoint& endpoint, Clock::time_point deadline, const ClientOptions& options) {
  auto executor = co_await asio::this_coro::executor;
  std::vector<tcp::endpoint> addresses;
  boost::system::error_code ec;
  auto address = asio::ip::make_address(endpoint.host, ec);
  if (!ec) {
    addresses.emplace_back(address, endpoint.port);
  } else {
    tcp::resolver resolver(executor);
    auto [rec, results] = co_await resolver.async_resolve(
        endpoint.host, std::to_string(endpoint.port), asio::as_tuple(asio::use_awaitable));
    if (rec || results.empty())
      co_return failure(FetchError::resolve_failed,
                        "resolve " + endpoint.host + ": " + rec.message());
    for (const auto& r : results) addresses.push_back(r.endpoint());
  }
  auto stream = std::make_unique<beast::tcp_stream>(executor);
  stream->expires_at(std::min(deadline, Clock::now() + options.connect_timeout));
  auto [cec, connected] =
      co_await stream->async_connect(addresses, asio::as_tuple(asio::use_awaitable));
  (void)connected;
  if (cec) {
    if (cec == beast::error::timeout)
      co_return failure(FetchError::connect_timeout,
                        "connect " + endpoint.authority() + ": timed out");
    co_return failure(FetchError::connect_refused,
                      "connect " + endpoint.authority() + ": " + cec.message());
  }
  stream->socket().set_option(tcp::no_delay(true), ec);
  co_return std::move(stream);
}

}  // namespace

namespace {
std::string_view outcome(const FetchResult& r) {
  switch (r.error) {
    case FetchError::none:
      return r.status >= 500 ? "5xx" : "ok";
    case FetchError::connect_refused:
      return "refused";
    default:
      return to_string(r.error);
  }
}
}  // namespace

namespace {

// A body read from its connection as it is pulled; the connection goes back to the pool once
// the body has been read to its end, and is closed if it is dropped before.
class UpstreamBody final : public BodySource {
 public:
  UpstreamBody(std::unique_ptr<beast::tcp_stream> stream, std::unique_ptr<AnswerState> state,
               ConnectionPool& pool, std::string key, std::chrono::milliseconds read_timeout,
               std::size_t max_idle)
      : stream_(std::move(stream)),
        state_(std::move(state)),
        pool_(pool),
        key_(std::move(key)),
        read_timeout_(read_timeout),
        max_idle_(max_idle) {}

  Task<std::optional<std::string>> next() override {
    if (!stream_) co_return std::nullopt;
    auto& body = state_->result.body;
    while (body.empty() && !state_->parser.is_done()) {
      stream_->expires_after(read_timeout_);
      auto [ec, n] = co_await bhttp::async_read_some(*stream_, state_->buffer, state_->parser,
                                                     asio::as_tuple(asio::use_awaitable));
      (void)n;
      if (ec) {
        stream_.reset();
        throw std::runtime_error("upstream answer cut short: " + ec.message());
      }
    }
    if (!body.empty()) {
      std::string piece;
      piece.swap(body);
      co_return piece;
    }
    if (state_->parser.keep_alive() && state_->buffer.size() == 0)
      pool_.give_back(key_, std::move(stream_), max_idle_);
    stream_.reset();
    co_return std::nullopt;
  }

 private:
  std::unique_ptr<beast::tcp_stream> stream_;
  std::unique_ptr<AnswerState> state_;
  ConnectionPool& pool_;
  std::string key_;
  std::chrono::milliseconds read_timeout_;
  std::size_t max_idle_;
};

Task<FetchResult> exchange_with_pool(const Endpoint& endpoint, const std::string& key,
                                     std::string_view method, std::string_view wire,
                                     std::chrono::milliseconds timeout,
                                     const ClientOptions& options, std::size_t stream_over) {
  const auto deadline = Clock::now() + timeout;
  auto executor = co_await asio::this_coro::executor;
  auto& pool = asio::use_service<ConnectionPool>(asio::query(executor, asio::execution::context));
  const bool head = method == "HEAD";
  const bool resendable = idempotent(method);

  for (int attempt = 0;; ++attempt) {
    auto stream = pool.take(key, options.idle_timeout, resendable && attempt == 0);
    bool reused = false;
    if (stream) {
      reused = true;
    } else {
      auto connected = co_await connect(endpoint, deadline, options);
      if (auto* error = std::get_if<FetchResult>(&connected)) co_return std::move(*error);
      stream = std::move(std::get<0>(connected));
    }

    auto a = co_await exchange(*stream, wire, head, deadline, options, reused, stream_over);
    if (a.streaming) {
      // Each read of the body may take as long as the whole answer could (Envoy's per-route
      // idle timeout): a large export keeps going as long as it keeps moving.
      a.result.stream =
          std::make_shared<UpstreamBody>(std::move(stream), std::move(a.streaming), pool, key,
                                         timeout, options.max_idle_per_endpoint);
      co_return std::move(a.result);
    }
    if (a.result.ok()) {
      if (a.reusable) pool.give_back(key, std::move(stream), options.max_idle_per_endpoint);
      co_return std::move(a.result);
    }
    const bool may_retry = attempt == 0 && a.retry_safe && Clock::now() < deadline &&
                           (resendable || a.result.message.starts_with("write"));
    if (!may_retry) co_return std::move(a.result);
  }
}

void report(const std::string& upstream, CircuitBreaker::Transition t) {
  switch (t) {
    case CircuitBreaker::Transition::none:
      return;
    case CircuitBreaker::Transition::opened:
      metrics::set_circuit_open(upstream, true);
      log::warn("upstream circuit opened", {{"upstream", std::string_view(upstream)}});
      return;
    case CircuitBreaker::Transition::half_opened:
      log::info("upstream circuit half-open: one trial request",
                {{"upstream", std::string_view(upstream)}});
      return;
    case CircuitBreaker::Transition::closed:
      metrics::set_circuit_open(upstream, false);
      log::info("upstream circuit closed", {{"upstream", std::string_view(upstream)}});
      return;
  }
}

Task<FetchResult> guarded_fetch(const Endpoint& endpoint, const ClientRequest& request,
                                std::chrono::milliseconds timeout, const ClientOptions& options,
                                CircuitBreaker* breaker) {
  const auto start = Clock::now();
  const auto upstream = endpoint.authority();
  auto permit = CircuitBreaker::Permit::normal;
  if (breaker) {
    auto transition = CircuitBreaker::Transition::none;
    permit = breaker->try_acquire(start, &transition);
    report(upstream, transition);
    if (permit == CircuitBreaker::Permit::denied) {
      metrics::count_upstream(upstream, "circuit_open");
      co_return failure(FetchError::circuit_open, "circuit open: " + upstream);
    }
  }
  const std::string wire = detail::request_bytes(request, upstream);
  auto result = co_await exchange_with_pool(endpoint, upstream, request.method, wire, timeout,
                                            options, request.stream_answers_over);
  const auto end = Clock::now();
  metrics::observe_upstream(upstream, outcome(result),
                            std::chrono::duration<double>(end - start).count());
  if (breaker)
    report(upstream, breaker_failure(result) ? breaker->on_failure(permit, end)
                                             : breaker->on_success(permit));
  co_return result;
}

}  // namespace

Task<FetchResult> HttpClient::fetch(const Endpoint& endpoint, ClientRequest request,
                                    std::chrono::milliseconds timeout, CircuitBreaker* breaker) {
  co_return co_await guarded_fetch(endpoint, request, timeout, options_, breaker);
}

// Not a coroutine of its own: the caller keeps `endpoint` and `request` alive while it awaits,
// so guarded_fetch's task is handed over as it is (one coroutine frame less per request).
Task<FetchResult> HttpClient::fetch_copy(const Endpoint& endpoint, const ClientRequest& request,
                                         std::chrono::milliseconds timeout,
                                         CircuitBreaker* breaker) {
  return guarded_fetch(endpoint, request, timeout, options_, breaker);
}

}  // namespace tim::http
