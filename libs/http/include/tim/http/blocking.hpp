// Runs blocking work (database calls, file reads) on a dedicated thread pool and lets a
// coroutine co_await its result, so that I/O threads never block. Asio stays in blocking.cpp.
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "tim/task.hpp"

namespace tim::http {

class BlockingPool {
 public:
  explicit BlockingPool(std::size_t threads);
  // Waits for the work already started; work not yet started is dropped.
  ~BlockingPool();
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // Runs f() on a pool thread; the awaiting coroutine resumes on its own executor with the
  // result, or with f's exception rethrown.
  template <class F>
  Task<std::invoke_result_t<F&>> run(F f) {
    using R = std::invoke_result_t<F&>;
    std::exception_ptr error;
    if constexpr (std::is_void_v<R>) {
      std::function<void()> job = [&] {
        try {
          f();
        } catch (...) {
          error = std::current_exception();
        }
      };
      co_await run_job(std::move(job));
      if (error) std::rethrow_exception(error);
    } else {
      std::optional<R> result;
      std::function<void()> job = [&] {
        try {
          result.emplace(f());
        } catch (...) {
          error = std::current_exception();
        }
      };
      co_await run_job(std::move(job));
      if (error) std::rethrow_exception(error);
      co_return std::move(*result);
    }
  }

 private:
  // job must not throw (run() catches for it).
  Task<void> run_job(std::function<void()> job);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tim::http
