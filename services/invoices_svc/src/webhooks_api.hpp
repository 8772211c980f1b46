// /api/webhooks: subscribe, list, show and remove webhook subscriptions.
#pragma once

#include "api.hpp"
#include "webhooks.hpp"

namespace tim::invoices {

// `context` and `settings` must outlive the router.
void add_webhook_routes(http::Router& router, ApiContext& context,
                        const webhooks::Settings& settings);

}  // namespace tim::invoices
