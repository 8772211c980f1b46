// A value or an error message (g++ 12 has no std::expected).
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace tim::auth {

template <class T>
class Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit on purpose
  static Result failure(std::string message) {
    return Result(std::in_place_index<1>, std::move(message));
  }

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const std::string& error() const { return std::get<1>(v_); }

 private:
  template <std::size_t I>
  Result(std::in_place_index_t<I> i, auto&& x) : v_(i, std::forward<decltype(x)>(x)) {}
  std::variant<T, std::string> v_;
};

}  // namespace tim::auth
