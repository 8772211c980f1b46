#include "json_text.hpp"

#include <charconv>

#include "tim/invoices/date.hpp"

namespace tim::invoices::sql {
namespace {

void append_integer(std::string& out, std::int64_t value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

// "key": with the comma before it unless first.
void append_key(std::string& out, std::string_view key, bool first = false) {
  if (!first) out += ',';
  out += '"';
  out += key;
  out += "\":";
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t plain = 0;  // start of the run not yet copied
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + plain, i - plain);
    plain = i + 1;
    out += '\\';
    switch (c) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '\b':
        out += 'b';
        break;
      case '\f':
        out += 'f';
        break;
      case '\n':
        out += 'n';
        break;
      case '\r':
        out += 'r';
        break;
      case '\t':
        out += 't';
        break;
      default:
        out += "u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
  }
  out.append(text.data() + plain, text.size() - plain);
  out += '"';
}

void append_payments_json(std::string& out, const std::vector<Payment>& payments) {
  out += '[';
  for (std::size_t i = 0; i < payments.size(); ++i) {
    const Payment& p = payments[i];
    if (i) out += ',';
    out += '{';
    append_key(out, "id", true);
    append_integer(out, p.id);
    append_key(out, "kind");
    out += p.kind == EntryKind::payment ? "\"payment\"" : "\"creditNote\"";
    append_key(out, "amount");
    append_integer(out, p.amount);
    append_key(out, "date");
    append_json_string(out, p.date.to_string());
    if (p.kind == EntryKind::credit_note) {
      append_key(out, "reason");
      append_json_string(out, p.reason);
    }
    if (p.reversal) {
      append_key(out, "reversed");
      out += '{';
      append_key(out, "reason", true);
      append_json_string(out, p.reversal->reason);
      append_key(out, "date");
      append_json_string(out, p.reversal->date.to_string());
      out += '}';
    }
    out += '}';
  }
  out += ']';
}

void append_invoice_json(std::string& out, const Invoice& invoice) {
  out += '{';
  append_key(out, "id", true);
  append_integer(out, invoice.id);
  append_key(out, "ref");
  append_json_string(out, invoice.ref);
  append_key(out, "amount");
  append_integer(out, invoice.amount);
  append_key(out, "balance");
  append_integer(out, invoice.balance);
  append_key(out, "ccy");
  append_json_string(out, invoice.ccy);
  append_key(out, "customerId");
  append_json_string(out, invoice.customer_id);
  append_key(out, "customerName");
  append_json_string(out, invoice.customer_name);
  append_key(out, "issueDate");
  append_json_string(out, invoice.issue_date.to_string());
  append_key(out, "dueDate");
  append_json_string(out, invoice.due_date.to_string());
  append_key(out, "status");
  append_json_string(out, to_string(invoice.status));
  append_key(out, "payments");
  append_payments_json(out, invoice.payments);
  append_key(out, "settledDate");
  if (invoice.settled_date)
    append_json_string(out, invoice.settled_date->to_string());
  else
    out += "null";
  append_key(out, "settledBy");
  if (auto how = settled_by(invoice))
    append_json_string(out, *how);
  else
    out += "null";
  append_key(out, "createdAt");
  append_json_string(out, format_instant(invoice.created_at));
  append_key(out, "updatedAt");
  append_json_string(out, format_instant(invoice.updated_at));
  out += '}';
}

}  // namespace tim::invoices::sql
