// The coroutine type of asynchronous code in every service.
// Only <boost/asio/awaitable.hpp> is included: it is cheap, unlike the rest of Asio.
#pragma once

#include <boost/asio/awaitable.hpp>

namespace tim {
template <class T>
using Task = boost::asio::awaitable<T>;
}  // namespace tim
