#!/usr/bin/env python3
"""Prints ours next to the Node.js baseline, from two results.json of the shared load script,
with the ratio ours/Node for every figure."""
import json
import sys


def load(path):
    with open(f"{path}/results.json") as f:
        return json.load(f)


def ratio(ours, node):
    if ours is None or node in (None, 0):
        return "n/a"
    return f"{ours / node:.2f}x"


def num(v, nd=0):
    return "n/a" if v is None else f"{v:,.{nd}f}"


def median(values):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def main(node_dir, ours_dir):
    node, ours = load(node_dir), load(ours_dir)
    print(f"Throughput, latency and CPU (medians of {len(ours['reps'])} runs each; ratio = ours / Node)\n")
    print("| target | req/s Node | req/s ours | ratio | p99 ms Node | p99 ms ours | ratio "
          "| CPU µs/req Node | CPU µs/req ours | ratio | non-2xx ours |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for key, t in ours["targets"].items():
        n = node["targets"].get(key, {})
        print(f"| {t['label']} | {num(n.get('rps'))} | {num(t['rps'])} | {ratio(t['rps'], n.get('rps'))} "
              f"| {num(n.get('p99_ms'), 2)} | {num(t['p99_ms'], 2)} | {ratio(t['p99_ms'], n.get('p99_ms'))} "
              f"| {num(n.get('server_cpu_us_per_req'), 1)} | {num(t['server_cpu_us_per_req'], 1)} "
              f"| {ratio(t['server_cpu_us_per_req'], n.get('server_cpu_us_per_req'))} | {t['non2xx_total']} |")
    print("\nStart-up (spawn to first 2xx answer, ms) and memory (VmRSS, MiB)\n")
    print("| process | start ms Node | start ms ours | RSS idle Node | RSS idle ours "
          "| RSS after load Node | RSS after load ours | peak RSS ours |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    names = [k for k in ours["rss_kb"] if not k.startswith("nginx")]
    for name in names:
        o, n = ours["rss_kb"][name], node["rss_kb"].get(name, {})
        mib = lambda d, k: None if not d or median(d.get(k, [])) is None else median(d[k]) / 1024
        print(f"| {name} | {num(median(node['startup_ms'].get(name, [])), 1)} "
              f"| {num(median(ours['startup_ms'].get(name, [])), 1)} "
              f"| {num(mib(n, 'idle'), 1)} | {num(mib(o, 'idle'), 1)} "
              f"| {num(mib(n, 'after'), 1)} | {num(mib(o, 'after'), 1)} | {num(mib(o, 'hwm'), 1)} |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
