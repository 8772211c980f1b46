#!/usr/bin/env python3
"""Per-request view of one service's callgrind dump (bench/profile.sh): total instructions per
request and the top functions by self and by inclusive cost, from callgrind_annotate's output.
  callgrind_summary.py SERVICE REQUESTS TOP SELF.txt INCLUSIVE.txt"""
import re
import sys

LINE = re.compile(r"^\s*([\d,]+)\s+(?:\(\s*[\d.]+%\)\s+)?(.*\S)\s*$")


def rows(path):
    total, out = None, []
    with open(path, errors="replace") as f:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            ir, what = int(m.group(1).replace(",", "")), m.group(2)
            if what.startswith("PROGRAM TOTALS"):
                total = ir
            elif ":" in what and total is not None:
                out.append((ir, short(what)))
    return total, out


def short(what):
    what = re.sub(r"\s*\[[^\]]*\]$", "", what)  # the object file
    what = what.split(":", 1)[1] if ":" in what else what
    what = re.sub(r"boost::asio::", "asio::", what)
    what = re.sub(r"boost::beast::", "beast::", what)
    return what if len(what) <= 130 else what[:127] + "..."


def main(service, requests, top, self_path, incl_path):
    requests, top = int(requests), int(top)
    total, self_rows = rows(self_path)
    _, incl_rows = rows(incl_path)
    if not requests or total is None:
        print(f"{service}: no requests counted or no callgrind totals")
        return
    print(f"\n== {service}: {total / requests:,.0f} instructions per request "
          f"({total:,} over {requests:,} requests, user space only)")
    print(f"-- top {top} by self cost (instructions per request, % of the service's)")
    # Functions on the stack when the counters were zeroed show whole totals: not self costs.
    roots = ("main", "(below main)", "__libc_start_main", "clone", "start_thread", "0x0000")
    own = [r for r in self_rows if r[0] < total * 0.95 and not r[1].startswith(roots)
           and "thread_function" not in r[1] and "posix_thread" not in r[1]]
    for ir, name in own[:top]:
        print(f"{ir / requests:>10,.0f} {100 * ir / total:5.1f}%  {name}")
    # Our own code (namespace tim) by inclusive cost: what a change on our side can reach.
    print(f"-- top {top} of our functions (tim::) by inclusive cost")
    seen, shown = set(), 0
    for ir, name in incl_rows:
        if (not name.startswith("tim::") or ir >= total * 0.95 or name in seen
                or name.startswith(("tim::http::Server::run", "tim::http::run_service"))):
            continue
        seen.add(name)
        print(f"{ir / requests:>10,.0f} {100 * ir / total:5.1f}%  {name}")
        shown += 1
        if shown == top:
            break


if __name__ == "__main__":
    main(*sys.argv[1:6])
