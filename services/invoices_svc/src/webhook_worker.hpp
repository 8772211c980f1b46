// The webhook delivery worker: follows the change feed into the outbox and sends
// due deliveries, on a thread and an event loop of its own with its own store connection, so
// no request ever waits for a delivery and no delivery takes a request's store connection.
#pragma once

#include <memory>

#include "store_keeper.hpp"
#include "webhooks.hpp"

namespace tim::invoices {

class WebhookWorker {
 public:
  WebhookWorker(StoreSettings store, webhooks::Settings settings);
  // Stops: an attempt in flight is abandoned; its lease runs out and it is sent again.
  ~WebhookWorker();
  WebhookWorker(const WebhookWorker&) = delete;
  WebhookWorker& operator=(const WebhookWorker&) = delete;

  void start();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tim::invoices
