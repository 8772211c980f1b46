// The one error type of the invoices domain and store. Handlers map kind() to a status with
// http_status() and answer {"error":{"code":code(),"message":what()}}.
#pragma once

#include <stdexcept>
#include <string>

namespace tim::invoices {

enum class ErrorKind {
  invalid,                // 400: the request itself is malformed or a field is wrong
  not_found,              // 404: no invoice with that id
  conflict,               // 409: the request is well-formed but the invoice's state refuses it
  precondition_failed,    // 412: If-Match names another version
  precondition_required,  // 428: a conditional request came without If-Match
  unavailable,            // 503: the store cannot be reached or is busy; retry later
  internal,               // 500: a bug or a store answer we do not understand
};

int http_status(ErrorKind kind) noexcept;

class Error : public std::runtime_error {
 public:
  // field: the JSON field or query parameter at fault, empty when none.
  Error(ErrorKind kind, std::string code, const std::string& message, std::string field = {});

  ErrorKind kind() const noexcept { return kind_; }
  const std::string& code() const noexcept { return code_; }
  const std::string& field() const noexcept { return field_; }

 private:
  ErrorKind kind_;
  std::string code_;
  std::string field_;
};

// 400 with code "invalid_field" naming the field: "amount: must be positive".
[[noreturn]] void throw_invalid_field(const std::string& field, const std::string& problem);

}  // namespace tim::invoices
