#include "filters/chain.hpp"

#include "edge_rules.hpp"

namespace tim::gateway {

Task<Filter::Step> Filter::on_request_async(Exchange&) {
  co_return Step::next;
}

Task<http::Response> Chain::run(http::Request& request,
                                std::shared_ptr<const RouteTable> table) const {
  Exchange ex(request, std::move(table));
  std::size_t ran = 0;
  while (ran < filters_.size()) {
    auto& filter = *filters_[ran++];
    auto step = filter.on_request(ex);
    if (step == Filter::Step::async) step = co_await filter.on_request_async(ex);
    if (step == Filter::Step::answered) break;
  }
  // A chain whose last filter did not answer is a wiring mistake: say so, do not hang.
  http::Response response =
      ex.reply ? std::move(*ex.reply) : local_reply(500, "no filter answered the request");
  ex.reply.reset();
  while (ran > 0) filters_[--ran]->on_response(ex, response);
  co_return response;
}

}  // namespace tim::gateway
