// Where each `service` of the route file lives. In Kubernetes the service name resolves by DNS;
// on one machine UPSTREAMS overrides it:
// "invoices-svc=127.0.0.1:3001,auth-svc:3000=127.0.0.1:3002". Several instances of one service are
// separated by '|' and taken in turn.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "tim/endpoint.hpp"

namespace tim::gateway {

struct UpstreamsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The instances of one service, handed out round-robin.
class Upstream {
 public:
  explicit Upstream(std::vector<http::Endpoint> instances);
  const std::vector<http::Endpoint>& instances() const { return instances_; }
  // Index of the instance to try first for the next request.
  std::size_t next() const;

 private:
  std::vector<http::Endpoint> instances_;
  mutable std::atomic<std::size_t> turn_{0};
};

class Upstreams {
 public:
  // Parses the UPSTREAMS text (empty: no overrides).
  static Upstreams parse(std::string_view overrides);
  // The override for this service string, else the service string itself as
  // [http://]host[:port] (port 80 by default, as Emissary).
  // Called at start-up only: it may add an entry, which is not safe while serving.
  const Upstream& resolve(const std::string& service);

 private:
  std::map<std::string, std::unique_ptr<Upstream>, std::less<>> by_service_;
};

}  // namespace tim::gateway
