#include "upstreams.hpp"

namespace tim::gateway {

Upstream::Upstream(std::vector<http::Endpoint> instances) : instances_(std::move(instances)) {}

std::size_t Upstream::next() const {
  return turn_.fetch_add(1, std::memory_order_relaxed) % instances_.size();
}

namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view without_scheme(std::string_view s) {
  if (s.starts_with("http://")) s.remove_prefix(7);
  return s;
}
}  // namespace

Upstreams Upstreams::parse(std::string_view overrides) {
  Upstreams u;
  while (!trim(overrides).empty()) {
    auto comma = overrides.find(',');
    auto item = trim(overrides.substr(0, comma));
    overrides = comma == std::string_view::npos ? std::string_view{} : overrides.substr(comma + 1);
    if (item.empty()) continue;
    auto eq = item.find('=');
    if (eq == std::string_view::npos || trim(item.substr(0, eq)).empty())
      throw UpstreamsError("UPSTREAMS entry '" + std::string(item) + "' must be service=host:port");
    const auto service = std::string(trim(item.substr(0, eq)));
    std::vector<http::Endpoint> instances;
    auto targets = item.substr(eq + 1);
    while (true) {
      auto bar = targets.find('|');
      auto target = trim(targets.substr(0, bar));
      auto endpoint = http::parse_authority(without_scheme(target), 80);
      if (!endpoint)
        throw UpstreamsError("UPSTREAMS: '" + std::string(target) + "' for " + service +
                             " is not host:port");
      instances.push_back(*endpoint);
      if (bar == std::string_view::npos) break;
      targets.remove_prefix(bar + 1);
    }
    u.by_service_[service] = std::make_unique<Upstream>(std::move(instances));
  }
  return u;
}

const Upstream& Upstreams::resolve(const std::string& service) {
  if (auto it = by_service_.find(service); it != by_service_.end()) return *it->second;
  auto endpoint = http::parse_authority(without_scheme(service), 80);
  if (!endpoint) throw UpstreamsError("service '" + service + "' is not [http://]host[:port]");
  auto& slot = by_service_[service];
  slot = std::make_unique<Upstream>(std::vector<http::Endpoint>{*endpoint});
  return *slot;
}

}  // namespace tim::gateway
