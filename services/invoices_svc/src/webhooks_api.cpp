#include "webhooks_api.hpp"

#include <boost/json/serialize.hpp>
#include <variant>

#include "tim/ids.hpp"
#include "tim/invoices/date.hpp"
#include "tim/invoices/error.hpp"
#include "tim/log.hpp"

namespace tim::invoices {
namespace {

using http::Request;
using http::Response;

Instant now() {
  return to_instant(std::chrono::system_clock::now());
}

Response refusal_answer(int status, const std::string& code, const std::string& message,
                        const std::string& field, const Request& request) {
  if (status >= 500)
    log::error("webhook request failed", {{"code", std::string_view(code)},
                                          {"reason", std::string_view(message)},
                                          {"request_id", std::string_view(request.request_id)}});
  boost::json::object error{{"code", code}, {"message", message}};
  if (!field.empty()) error["field"] = field;
  auto response =
      http::json_response(status, boost::json::serialize(boost::json::object{{"error", error}}));
  if (code == "idempotency_key_in_progress") response.headers.add("retry-after", "1");
  return response;
}

Task<Response> answering_errors(Task<Response> handler, const Request& request) {
  try {
    co_return co_await std::move(handler);
  } catch (const webhooks::Refusal& e) {
    co_return refusal_answer(e.status, e.code, e.what(), e.field, request);
  } catch (const Error& e) {
    co_return refusal_answer(http_status(e.kind()), e.code(), e.what(), e.field(), request);
  } catch (const std::exception& e) {
    log::error("webhook request failed", {{"reason", std::string_view(e.what())},
                                          {"request_id", std::string_view(request.request_id)}});
    co_return http::error_response(500, "internal_error", "internal error");
  }
}

WebhookId need_id(const std::string& text) {
  return need_path_id(text, "invalid_webhook_id");
}

boost::json::object webhook_to_json(const Webhook& webhook) {
  boost::json::array events;
  for (const auto& pattern : webhook.events) events.emplace_back(pattern);
  return {{"id", webhook.id},
          {"url", webhook.url},
          {"events", std::move(events)},
          {"createdAt", format_instant(webhook.created_at)}};
}

// The answer of a write, run once per Idempotency-Key when it carries one (write_once: the
// answer is stored in the write's transaction), else in a transaction of its own.
Task<StoredAnswer> run_write(ApiContext& c, const Request& request,
                             std::function<StoredAnswer(InvoiceStore&)> write, bool* replayed) {
  auto store = need_store(c);
  auto keyed = keyed_request(c, request);
  if (!keyed) {
    auto job = [store, write] { return write(*store); };
    co_return co_await c.pool.run(std::move(job));
  }
  auto job = [store, keyed = std::move(*keyed), body = request.body, write]() mutable {
    keyed.body = body;
    return store->write_once(keyed, now(), write);
  };
  const KeyedAnswer answer = co_await c.pool.run(std::move(job));
  *replayed = answer.replayed;
  co_return answer.answer;
}

Response stored_response(const StoredAnswer& answer, bool replayed) {
  Response response = answer.status == 204 ? Response{204, {}, {}}
                                           : http::json_response(answer.status, answer.body);
  if (!answer.location.empty()) response.headers.add("location", answer.location);
  if (replayed) response.headers.add("idempotent-replayed", "true");
  return response;
}

Task<Response> create_webhook(ApiContext& c, const webhooks::Settings& settings, Request& request) {
  const NewWebhook webhook = webhooks::parse_subscription(request.body, settings);
  auto write = [webhook](InvoiceStore& store) {
    const Webhook made = store.create_webhook(webhook, now());
    auto body = webhook_to_json(made);
    body["secret"] = webhook.secret;  // the only answer that ever carries it
    return StoredAnswer{
        201, boost::json::serialize(body), "/api/webhooks/" + std::to_string(made.id), {}};
  };
  bool replayed = false;
  auto task = run_write(c, request, write, &replayed);
  const StoredAnswer answer = co_await std::move(task);
  co_return stored_response(answer, replayed);
}

Task<Response> delete_webhook(ApiContext& c, Request& request, std::string id_text) {
  const WebhookId id = need_id(id_text);
  auto write = [id](InvoiceStore& store) {
    store.delete_webhook(id, now());
    return StoredAnswer{204, {}, {}, {}};
  };
  bool replayed = false;
  auto task = run_write(c, request, write, &replayed);
  const StoredAnswer answer = co_await std::move(task);
  co_return stored_response(answer, replayed);
}

Task<Response> list_webhooks(ApiContext& c, Request& request) {
  if (!request.query().empty())
    throw Error(ErrorKind::invalid, "invalid_field", "this list takes no query parameters");
  auto store = need_store(c);
  auto job = [store] { return store->list_webhooks(); };
  const auto found = co_await c.pool.run(std::move(job));
  boost::json::array webhooks;
  for (const auto& webhook : found) webhooks.push_back(webhook_to_json(webhook));
  co_return http::json_response(
      200, boost::json::serialize(boost::json::object{{"webhooks", std::move(webhooks)}}));
}

Task<Response> get_webhook(ApiContext& c, std::string id_text) {
  const WebhookId id = need_id(id_text);
  auto store = need_store(c);
  auto job = [store, id] { return store->get_webhook(id); };
  const Webhook webhook = co_await c.pool.run(std::move(job));
  auto body = webhook_to_json(webhook);
  body["deliveries"] = boost::json::object{{"pending", webhook.deliveries.pending},
                                           {"delivered", webhook.deliveries.delivered},
                                           {"failed", webhook.deliveries.failed}};
  co_return http::json_response(200, boost::json::serialize(body));
}

}  // namespace

void add_webhook_routes(http::Router& router, ApiContext& context,
                        const webhooks::Settings& settings) {
  ApiContext& c = context;
  const webhooks::Settings& s = settings;
  // Named tasks handed over, never temporaries inside another coroutine's arguments (g++ 12).
  auto create = [&c, &s](Request& r, const http::PathParams&) {
    auto task = create_webhook(c, s, r);
    return answering_errors(std::move(task), r);
  };
  auto list = [&c](Request& r, const http::PathParams&) {
    auto task = list_webhooks(c, r);
    return answering_errors(std::move(task), r);
  };
  // The gateway's /webhooks/ arrives with the slash.
  router.post("/api/webhooks", create);
  router.post("/api/webhooks/", create);
  router.get("/api/webhooks", list);
  router.get("/api/webhooks/", list);
  router.get("/api/webhooks/:id", [&c](Request& r, const http::PathParams& p) {
    auto task = get_webhook(c, p[0]);
    return answering_errors(std::move(task), r);
  });
  router.add("DELETE", "/api/webhooks/:id", [&c](Request& r, const http::PathParams& p) {
    auto task = delete_webhook(c, r, p[0]);
    return answering_errors(std::move(task), r);
  });
}

}  // namespace tim::invoices
