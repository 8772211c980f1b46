#include "tim/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <cstdio>
#include <string>
#include <unordered_map>

namespace tim::metrics {

namespace {

const prometheus::Histogram::BucketBoundaries kLatencyBuckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

// Families are created once; prometheus-cpp's Add() finds or makes the labelled child under
// the family's own lock.
struct Families {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& requests = prometheus::BuildCounter()
                                                          .Name("http_requests_total")
                                                          .Help("HTTP requests answered")
                                                          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& request_seconds =
      prometheus::BuildHistogram()
          .Name("http_request_duration_seconds")
          .Help("Time from a request's headers to its answer")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& in_flight = prometheus::BuildGauge()
                                                         .Name("http_requests_in_flight")
                                                         .Help("Requests being handled")
                                                         .Register(*registry);
  prometheus::Gauge& in_flight_gauge = in_flight.Add({});
  prometheus::Family<prometheus::Counter>& upstream =
      prometheus::BuildCounter()
          .Name("upstream_requests_total")
          .Help("Outbound HTTP calls by upstream and outcome")
          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& upstream_seconds =
      prometheus::BuildHistogram()
          .Name("upstream_request_duration_seconds")
          .Help("Duration of outbound HTTP calls")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& circuit_open =
      prometheus::BuildGauge()
          .Name("upstream_circuit_open")
          .Help("1 while the circuit breaker of an upstream instance is open or half-open")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& retries =
      prometheus::BuildCounter()
          .Name("upstream_retries_total")
          .Help("Retries of failed upstream attempts: attempted, or refused by the retry budget")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& rejected =
      prometheus::BuildCounter()
          .Name("http_requests_rejected_total")
          .Help("Requests the server answered itself without handling them")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& auth_decisions =
      prometheus::BuildCounter()
          .Name("auth_decisions_total")
          .Help("Authorization decisions by decision and reason")
          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& store_seconds =
      prometheus::BuildHistogram()
          .Name("store_operation_duration_seconds")
          .Help("Duration of invoice store operations, on the store's threads")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& build =
      prometheus::BuildGauge().Name("build_info").Help("Build of this process").Register(*registry);
};

Families& families() {
  static Families f;
  return f;
}

}  // namespace

prometheus::Registry& registry() {
  return *families().registry;
}

std::string exposition() {
  prometheus::TextSerializer serializer;
  return serializer.Serialize(families().registry->Collect());
}

void set_build_info(std::string_view service, std::string_view version) {
  families()
      .build.Add({{"service", std::string(service)}, {"version", std::string(version)}})
      .Set(1);
}

namespace {

// Family::Add() builds a std::map of labels, takes the family's lock, and for a histogram
// constructs (then throws away) a whole new histogram on every call. A child lives as long as
// its family, so each thread remembers the children it has used, by their label values.
struct Children {
  prometheus::Counter* count;
  prometheus::Histogram* seconds;
};

// Label values joined by a byte that never occurs in them.
struct Key {
  std::string text;
  void assign(std::string_view a, std::string_view b, std::string_view c) {
    text.clear();
    text.append(a).push_back('\x1f');
    text.append(b).push_back('\x1f');
    text.append(c);
  }
};

// The child this thread remembers under `key`, made by `make` the first time.
template <typename Child, typename Make>
Child& remembered(std::unordered_map<std::string, Child>& cache, const std::string& key,
                  Make&& make) {
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, make()).first;
  return it->second;
}

}  // namespace

std::string_view method_label(std::string_view method) noexcept {
  // Clients choose the method text: any other value would let them grow the registry without bound.
  for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
    if (method == known) return known;
  return "other";
}

void observe_request(std::string_view route, std::string_view raw_method, int status,
                     double seconds) {
  const std::string_view method = method_label(raw_method);
  thread_local std::unordered_map<std::string, Children> cache;
  thread_local Key key;
  char digits[12];
  const int n = std::snprintf(digits, sizeof digits, "%d", status);
  const std::string_view status_text(digits, static_cast<std::size_t>(n));
  key.assign(route, method, status_text);
  const auto& children = remembered(cache, key.text, [&] {
    auto& f = families();
    const std::string r(route), m(method);
    return Children{
        &f.requests.Add({{"route", r}, {"method", m}, {"status", std::string(status_text)}}),
        &f.request_seconds.Add({{"route", r}, {"method", m}}, kLatencyBuckets)};
  });
  children.count->Increment();
  children.seconds->Observe(seconds);
}

InFlight::InFlight() {
  families().in_flight_gauge.Increment();
}
InFlight::~InFlight() {
  families().in_flight_gauge.Decrement();
}

void observe_upstream(std::string_view upstream, std::string_view outcome, double seconds) {
  thread_local std::unordered_map<std::string, Children> cache;
  thread_local Key key;
  key.assign(upstream, outcome, {});
  const auto& children = remembered(cache, key.text, [&] {
    auto& f = families();
    const std::string u(upstream);
    return Children{&f.upstream.Add({{"upstream", u}, {"outcome", std::string(outcome)}}),
                    &f.upstream_seconds.Add({{"upstream", u}}, kLatencyBuckets)};
  });
  children.count->Increment();
  children.seconds->Observe(seconds);
}

void count_upstream(std::string_view upstream, std::string_view outcome) {
  families()
      .upstream.Add({{"upstream", std::string(upstream)}, {"outcome", std::string(outcome)}})
      .Increment();
}

void set_circuit_open(std::string_view upstream, bool open) {
  families().circuit_open.Add({{"upstream", std::string(upstream)}}).Set(open ? 1 : 0);
}

void count_retry(std::string_view upstream, std::string_view result) {
  families()
      .retries.Add({{"upstream", std::string(upstream)}, {"result", std::string(result)}})
      .Increment();
}

void count_rejected(std::string_view reason) {
  families().rejected.Add({{"reason", std::string(reason)}}).Increment();
}

// Both run once per request: their children are remembered per thread, as in observe_request.
void count_auth_decision(std::string_view decision, std::string_view reason) {
  thread_local std::unordered_map<std::string, prometheus::Counter*> cache;
  thread_local Key key;
  key.assign(decision, reason, {});
  remembered(cache, key.text, [&] {
    return &families().auth_decisions.Add(
        {{"decision", std::string(decision)}, {"reason", std::string(reason)}});
  })->Increment();
}

void observe_store_operation(std::string_view operation, double seconds) {
  thread_local std::unordered_map<std::string, prometheus::Histogram*> cache;
  thread_local Key key;
  key.assign(operation, {}, {});
  remembered(cache, key.text, [&] {
    return &families().store_seconds.Add({{"operation", std::string(operation)}}, kLatencyBuckets);
  })->Observe(seconds);
}

}  // namespace tim::metrics
