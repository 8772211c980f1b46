#!/usr/bin/env python3
"""Writes N invoices as CSV in our export/import format (csv_header() in
services/invoices_svc/domain/src/csv.cpp), deterministic for a given N.
  gen_invoices.py N OUT.csv
Mix: 8 in 10 open, 1 in 10 paid in full (one payment), 1 in 10 part paid; 5 000 customers;
issue dates over two years, due 30 days later. Ids and times are new on import."""
import datetime
import sys

HEADER = ("id,ref,customerId,customerName,ccy,amount,balance,issueDate,dueDate,status,"
          "settledDate,payments,createdAt,updatedAt\r\n")


def main() -> None:
    n, out = int(sys.argv[1]), sys.argv[2]
    base = datetime.date(2024, 1, 1).toordinal()
    days = [datetime.date.fromordinal(base + d).isoformat() for d in range(800)]
    ccys = ("GBP", "EUR", "USD")
    stamp = "2026-01-01T00:00:00.000Z"
    with open(out, "w", encoding="ascii", newline="") as f:
        f.write(HEADER)
        rows = []
        for i in range(1, n + 1):
            c = i % 5000
            amount = 1000 + (i * 7919) % 500000
            d = i % 730
            issue, due = days[d], days[d + 30]
            kind = i % 10
            if kind == 0:  # paid in full on day 20
                paid = days[d + 20]
                rows.append(f"{i},BENCH-{i},C-{c},Customer {c},{ccys[i % 3]},{amount},0,"
                            f"{issue},{due},paid,{paid},{amount}@{paid},{stamp},{stamp}\r\n")
            elif kind == 1:  # part paid on day 10
                part = amount // 2
                rows.append(f"{i},BENCH-{i},C-{c},Customer {c},{ccys[i % 3]},{amount},"
                            f"{amount - part},{issue},{due},open,,{part}@{days[d + 10]},"
                            f"{stamp},{stamp}\r\n")
            else:
                rows.append(f"{i},BENCH-{i},C-{c},Customer {c},{ccys[i % 3]},{amount},{amount},"
                            f"{issue},{due},open,,,{stamp},{stamp}\r\n")
            if len(rows) >= 10000:
                f.write("".join(rows))
                rows.clear()
        f.write("".join(rows))


if __name__ == "__main__":
    main()
