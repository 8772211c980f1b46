#include "tim/http/blocking.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace asio = boost::asio;

namespace tim::http {

struct BlockingPool::Impl {
  explicit Impl(std::size_t threads) : pool(threads) {}
  asio::thread_pool pool;
};

BlockingPool::BlockingPool(std::size_t threads)
    : impl_(std::make_unique<Impl>(threads == 0 ? 1 : threads)) {}

BlockingPool::~BlockingPool() {
  impl_->pool.stop();
  impl_->pool.join();
}

Task<void> BlockingPool::run_job(std::function<void()> job) {
  auto& pool = impl_->pool;
  // The job runs on the pool; the completion goes back to the coroutine's own executor (a
  // plain post to the pool would resume the coroutine on the I/O thread before the job ran).
  auto initiate = [&pool](auto handler, std::function<void()> work) {
    auto guard = asio::make_work_guard(asio::get_associated_executor(handler));
    asio::post(pool, [handler = std::move(handler), work = std::move(work),
                      guard = std::move(guard)]() mutable {
      work();
      auto executor = guard.get_executor();
      asio::post(executor, std::move(handler));
      guard.reset();
    });
  };
  co_await asio::async_initiate<const asio::use_awaitable_t<>&, void()>(
      std::move(initiate), asio::use_awaitable, std::move(job));
}

}  // namespace tim::http
