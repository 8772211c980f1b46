#include "tim/invoices/error.hpp"

namespace tim::invoices {

int http_status(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::invalid:
      return 400;
    case ErrorKind::not_found:
      return 404;
    case ErrorKind::conflict:
      return 409;
    case ErrorKind::precondition_failed:
      return 412;
    case ErrorKind::precondition_required:
      return 428;
    case ErrorKind::unavailable:
      return 503;
    case ErrorKind::internal:
      break;
  }
  return 500;
}

Error::Error(ErrorKind kind, std::string code, const std::string& message, std::string field)
    : std::runtime_error(message), kind_(kind), code_(std::move(code)), field_(std::move(field)) {}

void throw_invalid_field(const std::string& field, const std::string& problem) {
  throw Error(ErrorKind::invalid, "invalid_field", field + ": " + problem, field);
}

}  // namespace tim::invoices
