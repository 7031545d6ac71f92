#!/usr/bin/env python3
"""Sums Chrome traces of libtorch's profiler per operator: the DJL side (bin/resnet bench --profile)
against the PyTorch side (scripts/bench_torch.py --profile), as one Markdown table.

  /usr/bin/python3 scripts/profile_table.py DJL.json TORCH.json --steps N [--top 20]

Self time: an operator's duration less the time of the operators it called (nested events on the
same thread), so that aten::conv2d -> aten::convolution -> aten::mkldnn_convolution counts once, where
the work is done. Per step: divided by --steps (the timed steps both sides recorded). The last rows
give all operators' self time and the number of operator calls per step: the gap between the sum and
the step's wall time is time outside libtorch (the JVM, Python, waiting).
"""
import argparse
import collections
import json
import sys


def self_times(path):
    with open(path) as f:
        data = json.load(f)
    events = data["traceEvents"] if isinstance(data, dict) else data
    by_thread = collections.defaultdict(list)
    for e in events:
        if e.get("ph") == "X" and "dur" in e and not str(e.get("cat", "")).startswith("python"):
            by_thread[(e.get("pid"), e.get("tid"))].append(e)
    totals = collections.Counter()
    calls = collections.Counter()
    for evs in by_thread.values():
        evs.sort(key=lambda e: (float(e["ts"]), -float(e["dur"])))
        stack = []  # [end, name, child time]
        def close(until):
            while stack and stack[-1][0] <= until:
                end, name, child, dur = stack.pop()
                totals[name] += dur - child
                if stack:
                    stack[-1][2] += dur
        for e in evs:
            ts, dur = float(e["ts"]), float(e["dur"])
            close(ts)
            stack.append([ts + dur, e["name"], 0.0, dur])
            calls[e["name"]] += 1
        close(float("inf"))
    return totals, calls


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("djl")
    p.add_argument("torch")
    p.add_argument("--steps", type=int, required=True, help="timed steps each trace holds")
    p.add_argument("--top", type=int, default=20)
    a = p.parse_args()
    if a.steps < 1:
        sys.exit("profile_table.py: --steps must be at least 1")
    djl, djl_calls = self_times(a.djl)
    torch, torch_calls = self_times(a.torch)
    names = sorted(set(djl) | set(torch), key=lambda n: -max(djl[n], torch[n]))
    print("| operator | DJL ms/step | PyTorch ms/step | DJL / PyTorch | calls/step DJL / PyTorch |")
    print("|---|---|---|---|---|")
    for n in names[: a.top]:
        d, t = djl[n] / 1000 / a.steps, torch[n] / 1000 / a.steps
        ratio = f"{d / t:.2f}" if t > 0 else "-"
        print(f"| {n} | {d:.2f} | {t:.2f} | {ratio} | {djl_calls[n] // a.steps} / {torch_calls[n] // a.steps} |")
    d = sum(djl.values()) / 1000 / a.steps
    t = sum(torch.values()) / 1000 / a.steps
    print(f"| all operators | {d:.2f} | {t:.2f} | {d / t:.2f} | {sum(djl_calls.values()) // a.steps} / "
          f"{sum(torch_calls.values()) // a.steps} |")


if __name__ == "__main__":
    main()
