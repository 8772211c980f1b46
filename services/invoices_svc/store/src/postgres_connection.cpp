// PostgreSQL through libpq: one PGconn per pooled connection (libpq connections are not
// thread-safe, the pool gives each to one thread at a time). Parameters travel as text.
#include <libpq-fe.h>

#include <memory>

#include "sql.hpp"

namespace tim::invoices::sql {
namespace {

struct ResultDeleter {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

std::string trimmed(const char* message) {
  std::string text = message ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

class PostgresConnection final : public Connection {
 public:
  using Connection::query;
  PostgresConnection(const std::string& url, std::chrono::milliseconds connect_timeout) {
    const std::string timeout_seconds =
        std::to_string(std::max<std::int64_t>(1, (connect_timeout.count() + 999) / 1000));
    // Our defaults first: values in the URL (expanded from dbname) override them.
    const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
    const char* values[] = {timeout_seconds.c_str(), "invoices_svc", url.c_str(), nullptr};
    conn_ = PQconnectdbParams(keywords, values, 1);
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
      // libpq's message names host, port and user, never the password.
      const std::string message = conn_ ? trimmed(PQerrorMessage(conn_)) : "out of memory";
      PQfinish(conn_);
      conn_ = nullptr;
      unavailable("cannot connect to PostgreSQL: " + message);
    }
    // NOTICEs ("relation already exists, skipping") would go to stderr, outside our logs.
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
  }
  ~PostgresConnection() override { PQfinish(conn_); }

  std::vector<Row> query(const std::string& statement, const std::vector<Value>& params) override {
    std::vector<std::string> texts(params.size());
    std::vector<const char*> pointers(params.size(), nullptr);
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (const auto* n = std::get_if<std::int64_t>(&params[i]))
        texts[i] = std::to_string(*n);
      else if (const auto* s = std::get_if<std::string>(&params[i]))
        texts[i] = *s;
      else
        continue;
      pointers[i] = texts[i].c_str();
    }
    Result result(PQexecParams(conn_, statement.c_str(), static_cast<int>(params.size()), nullptr,
                               pointers.data(), nullptr, nullptr, 0));
    check(result.get());
    std::vector<Row> rows;
    const int row_count = PQntuples(result.get());
    const int column_count = PQnfields(result.get());
    rows.reserve(static_cast<std::size_t>(row_count));
    for (int r = 0; r < row_count; ++r) {
      Row row(static_cast<std::size_t>(column_count));
      for (int c = 0; c < column_count; ++c)
        if (!PQgetisnull(result.get(), r, c))
          row[static_cast<std::size_t>(c)] =
              std::string(PQgetvalue(result.get(), r, c),
                          static_cast<std::size_t>(PQgetlength(result.get(), r, c)));
      rows.push_back(std::move(row));
    }
    return rows;
  }

  void execute_script(const std::string& script) override {
    Result result(PQexec(conn_, script.c_str()));
    check(result.get());
  }

  void begin(bool) override { query("BEGIN"); }
  bool healthy() const noexcept override { return healthy_ && PQstatus(conn_) == CONNECTION_OK; }
  Dialect dialect() const noexcept override { return Dialect::postgres; }

 private:
  void check(PGresult* result) {
    const auto status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return;
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    const std::string sqlstate = state ? state : "";
    const std::string message =
        trimmed(result ? PQresultErrorMessage(result) : PQerrorMessage(conn_));
    if (PQstatus(conn_) != CONNECTION_OK || sqlstate.empty() || sqlstate.rfind("08", 0) == 0) {
      healthy_ = false;  // the link is gone (or in an unknown state): drop this connection
      unavailable("connection to PostgreSQL lost: " + message);
    }
    if (sqlstate == "23505") throw UniqueViolation(message);
    // Shutting down, cannot connect now, too many connections, out of resources, timeouts.
    if (sqlstate.rfind("57P", 0) == 0 || sqlstate.rfind("53", 0) == 0 || sqlstate == "57014" ||
        sqlstate == "55P03" || sqlstate == "40001" || sqlstate == "40P01") {
      if (sqlstate.rfind("57P", 0) == 0) healthy_ = false;
      unavailable(message + " (SQLSTATE " + sqlstate + ")");
    }
    store_error(message + " (SQLSTATE " + sqlstate + ")");
  }

  PGconn* conn_ = nullptr;
  bool healthy_ = true;
};

}  // namespace

std::unique_ptr<Connection> open_postgres(const std::string& url,
                                          std::chrono::milliseconds connect_timeout) {
  return std::make_unique<PostgresConnection>(url, connect_timeout);
}

}  // namespace tim::invoices::sql
