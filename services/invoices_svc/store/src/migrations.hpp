// Versioned schema migrations, applied in order on open. Never edit a released migration:
// add the next one.
#pragma once

#include <optional>

#include "sql.hpp"

namespace tim::invoices::sql {

int latest_version() noexcept;
// The version the database is at (0 when empty).
int current_version(Connection& connection);
// Brings the schema to `target` (default latest) under an exclusive lock, so that replicas
// starting together apply each migration once. Throws internal when the database is newer.
void migrate(Connection& connection, std::optional<int> target);

}  // namespace tim::invoices::sql
