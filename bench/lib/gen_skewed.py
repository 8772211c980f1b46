#!/usr/bin/env python3
"""Writes N invoices as CSV in our import format with a skewed customer mix,
deterministic for a given N.
  gen_skewed.py N OUT.csv
Customers: BIG-1, BIG-2 and BIG-3 hold 3% of the invoices each (30,000 at 1M; a third of
them open), the rest go to customers of about five invoices each (182,000 at 1M), and NEW-1 has
one open invoice only. Invoices: 8 in 10 paid in full, 0 to 30 days after due; the others
(every id that is a multiple of 10 among them: the payment load's targets) open with a balance
no benchmark's payments of 1 can use up. Imported into an empty store, row i gets id i: the
last two rows are BIG-1's open invoice (id N-1) and NEW-1's (id N)."""
import datetime
import sys

HEADER = ("id,ref,customerId,customerName,ccy,amount,balance,issueDate,dueDate,status,"
          "settledDate,payments,createdAt,updatedAt\r\n")
STAMP = "2026-01-01T00:00:00.000Z"
OPEN_AMOUNT = 100_000_000
BIG_SLOTS = {12: "BIG-1", 45: "BIG-1", 70: "BIG-1", 23: "BIG-2", 56: "BIG-2", 80: "BIG-2",
             34: "BIG-3", 67: "BIG-3", 90: "BIG-3"}


def main() -> None:
    n, out = int(sys.argv[1]), sys.argv[2]
    base = datetime.date(2023, 1, 1).toordinal()
    days = [datetime.date.fromordinal(base + d).isoformat() for d in range(1200)]
    small_customers = max(1, n * 91 // 100 // 5)
    with open(out, "w", encoding="ascii", newline="") as f:
        f.write(HEADER)
        rows = []

        def row(i: int, customer: str, paid: bool) -> str:
            d = (i * 7) % 1100
            issue, due = days[d], days[d + 30]
            if paid:
                amount = 1000 + (i * 7919) % 500000
                settled = days[d + 30 + (i * 13) % 31]
                return (f"{i},S-{i},{customer},{customer} Ltd,GBP,{amount},0,{issue},{due},paid,"
                        f"{settled},{amount}@{settled},{STAMP},{STAMP}\r\n")
            return (f"{i},S-{i},{customer},{customer} Ltd,GBP,{OPEN_AMOUNT},{OPEN_AMOUNT},{issue},"
                    f"{due},open,,,{STAMP},{STAMP}\r\n")

        for i in range(1, n - 1):
            # BIG-k takes three rows in each hundred (3% each, spread over the ids), one of them
            # open (a multiple of 10) and two paid.
            customer = BIG_SLOTS.get(i % 100) or f"C-{i % small_customers}"
            rows.append(row(i, customer, paid=(i % 10 >= 2)))
            if len(rows) >= 10000:
                f.write("".join(rows))
                rows.clear()
        rows.append(row(n - 1, "BIG-1", paid=False))
        rows.append(row(n, "NEW-1", paid=False))
        f.write("".join(rows))


if __name__ == "__main__":
    main()
