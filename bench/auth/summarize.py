#!/usr/bin/env python3
"""Prints bench/auth_hop.sh's tables from its results.jsonl: per connection count, each case's
req/s, p50/p99, the added p50/p99 against the no-auth-hop case, and CPU per request of auth_svc
and the gateway (medians over the repetitions). Also how busy the machine was meanwhile."""
import json
import sys
from collections import defaultdict

CASES = [("none", "no auth hop (bypass_auth)"), ("api_key", "API key"),
         ("jwt_rs256", "JWT RS256"), ("jwt_es256", "JWT ES256")]


def median(values):
    values = sorted(values)
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def derived(r):
    seconds = r["duration_us"] / 1e6
    tick_us = 1e6 / r["clk_tck"]
    reqs = max(r["requests"], 1)
    return {
        "rps": r["requests"] / seconds,
        "p50": r["p50_us"], "p99": r["p99_us"],
        "auth_cpu": r["auth_ticks"] * tick_us / reqs,
        "gw_cpu": r["gw_ticks"] * tick_us / reqs,
        # Whole machine over the measured run: busy share of all cores, and the cores used by
        # processes other than ours (servers, nginx, wrk): the other developers' load.
        "busy_pct": 100.0 * r["busy_ticks"] / max(r["all_ticks"], 1),
        "other_cores": max(0.0, (r["busy_ticks"] - r["ours_ticks"]) / (seconds * r["clk_tck"])),
        "non2xx": r["non2xx"] + r["socket_errors"],
    }


def fmt(v, nd=0):
    return "n/a" if v is None else f"{v:,.{nd}f}"


def signed(v):
    return "n/a" if v is None else f"{v:+,.0f}"


def main(path):
    runs = defaultdict(list)
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            runs[(r["conns"], r["case"])].append(derived(r))
    for conns in sorted({c for c, _ in runs}):
        med = {case: {k: median([d[k] for d in runs[(conns, case)]]) for k in
                      ("rps", "p50", "p99", "auth_cpu", "gw_cpu", "busy_pct", "other_cores")}
               for case, _ in CASES if runs.get((conns, case))}
        errors = {case: sum(d["non2xx"] for d in runs[(conns, case)]) for case in med}
        reps = max(len(runs[(conns, case)]) for case in med)
        base = med.get("none")
        print(f"\n{conns} connection(s), medians of {reps} run(s); added = case - no auth hop\n")
        print("| case | req/s | p50 µs | p99 µs | added p50 µs | added p99 µs "
              "| auth_svc CPU µs/req | gateway CPU µs/req | machine busy % | other load (cores) "
              "| errors |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for case, label in CASES:
            m = med.get(case)
            if not m:
                continue
            add50 = None if base is None or case == "none" else m["p50"] - base["p50"]
            add99 = None if base is None or case == "none" else m["p99"] - base["p99"]
            auth_cpu = "-" if case == "none" else fmt(m["auth_cpu"], 1)
            print(f"| {label} | {fmt(m['rps'])} | {fmt(m['p50'])} | {fmt(m['p99'])} "
                  f"| {'-' if case == 'none' else signed(add50)} "
                  f"| {'-' if case == 'none' else signed(add99)} | {auth_cpu} "
                  f"| {fmt(m['gw_cpu'], 1)} | {fmt(m['busy_pct'])} | {fmt(m['other_cores'], 2)} "
                  f"| {errors[case]} |")


if __name__ == "__main__":
    main(sys.argv[1])
