#!/usr/bin/env python3
"""`perf script` output (stdin) -> folded stacks (--folded FILE, flamegraph.pl's input format)
and a flame graph SVG (stdout). A small stand-in for Brendan Gregg's FlameGraph scripts, which
Debian 12 does not package."""
import argparse
import collections
import html
import re
import sys


def fold(lines):
    stacks = collections.Counter()
    comm, frames = None, []
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            if comm is not None:
                stacks[";".join([comm] + frames[::-1])] += 1
            comm, frames = None, []
        elif not line.startswith((" ", "\t")):
            comm = line.split()[0]
        else:
            parts = line.strip().split(None, 1)
            sym = parts[1] if len(parts) > 1 else "[unknown]"
            sym = re.sub(r"\s*\([^()]*\)$", "", sym)  # the object file
            sym = re.sub(r"\+0x[0-9a-f]+$", "", sym)
            if sym == "[unknown]":
                continue
            sym = re.sub(r"\(anonymous namespace\)::", "", sym)
            sym = re.sub(r"boost::(asio|beast)::", r"\1::", sym)
            frames.append(sym.replace(";", ","))
    if comm is not None:
        stacks[";".join([comm] + frames[::-1])] += 1
    return stacks


def svg(stacks, width=1600, row=16):
    root = {"n": 0, "kids": {}}
    for stack, count in stacks.items():
        node = root
        node["n"] += count
        for frame in stack.split(";"):
            node = node["kids"].setdefault(frame, {"n": 0, "kids": {}})
            node["n"] += count
    total = root["n"] or 1
    rects, depth_max = [], 0

    def walk(node, x, depth):
        nonlocal depth_max
        for name, kid in sorted(node["kids"].items()):
            w = kid["n"] / total * width
            if w >= 0.3:
                depth_max = max(depth_max, depth)
                rects.append((x, depth, w, name, kid["n"]))
                walk(kid, x, depth + 1)
            x += w

    walk(root, 0.0, 0)
    height = (depth_max + 2) * row + 30
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="monospace" font-size="11">',
           f'<text x="4" y="16">{total} samples; hover for names</text>']
    for x, depth, w, name, n in rects:
        y = height - (depth + 1) * row - 4
        hue = 20 + (hash(name) % 40)
        label = html.escape(name)
        out.append(f'<g><title>{label} ({n} samples, {100 * n / total:.1f}%)</title>'
                   f'<rect x="{x:.1f}" y="{y}" width="{max(w - 0.5, 0.1):.1f}" height="{row - 1}" '
                   f'fill="hsl({hue},90%,60%)"/>')
        chars = int(w / 7)
        if chars >= 3:
            text = name if len(name) <= chars else name[: chars - 2] + ".."
            out.append(f'<text x="{x + 2:.1f}" y="{y + row - 4}">{html.escape(text)}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--folded", help="also write the folded stacks here")
    args = p.parse_args()
    stacks = fold(sys.stdin)
    if args.folded:
        with open(args.folded, "w") as f:
            for stack, count in sorted(stacks.items()):
                f.write(f"{stack} {count}\n")
    print(svg(stacks))


if __name__ == "__main__":
    main()
