#!/usr/bin/env python3
"""Turns the lines of one scripts/bench.sh run into a Markdown table: DJL against PyTorch per model.

    python3 scripts/bench_table.py RAW_LINES_FILE

Per model and side: the median over rounds of each run's median images/s (with the lowest and highest
single step seen in any round), the median peak resident memory (VmHWM of the run's own process),
GFLOP/s achieved (2 flops per multiply-add, x3 for training) and its share of the matrix-multiply
ceiling, taken as the faster of the two sides' single-precision products in the same run, and the
CPU time of all the process's threads per timed step (median over rounds), which a busy machine
distorts far less than images/s (at one thread; with more, threads that spin while they wait count).
One row per model and OpenMP wait policy (scripts/bench.sh --omp-wait passive,active gives two).

Under the table, the ratio DJL / PyTorch of images/s round by round: scripts/bench.sh runs the two
sides of a round back to back, so a slow stretch of a shared host tends to slow both, and the spread
of these paired ratios says how far the host's noise reaches into the ratio of the medians above.
"""

import statistics
import sys


def parse(path):
    header, runs, ceilings = [], [], {}
    with open(path) as lines:
        for line in lines:
            words = line.split()
            if not words:
                continue
            if words[0] in ("bench", "matmul"):
                fields = dict(w.split("=", 1) for w in words[1:])
                if words[0] == "matmul":
                    ceilings[fields["side"]] = float(fields["gflops"])
                else:
                    runs.append(fields)
            else:
                header.append(line.rstrip())
    return header, runs, ceilings


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: bench_table.py RAW_LINES_FILE")
    header, runs, ceilings = parse(sys.argv[1])
    if not runs:
        sys.exit(f"bench_table.py: no 'bench' lines in {sys.argv[1]}")
    ceiling = max(ceilings.values()) if ceilings else float("nan")
    groups = {}
    for run in runs:
        # lines from before the wait policy was recorded count as the OpenMP runtime's default
        key = (run["model"], run["input"], run["mode"], run["batch"], run["threads"], run.get("omp_wait", "runtime"))
        groups.setdefault(key, {}).setdefault(run["side"], []).append(run)
    for line in header:
        print(line + "  ")
    print("matmul ceiling GFLOP/s: " + ", ".join(f"{side} {value:.1f}" for side, value in sorted(ceilings.items())))
    print()
    print("| model | input | mode | batch | threads, OpenMP wait | parameters | DJL img/s | PyTorch img/s | DJL / PyTorch "
          "| DJL peak RSS MiB | PyTorch peak RSS MiB | DJL / PyTorch | DJL GFLOP/s (% ceiling) "
          "| PyTorch GFLOP/s (% ceiling) | CPU ms/step DJL / PyTorch | rounds |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    problems, paired = [], []
    for key, sides in groups.items():
        model, shape, mode, batch, threads, wait = key
        cells, value = {}, {}
        for side in ("djl", "pytorch"):
            rs = sides.get(side, [])
            if not rs:
                cells[side] = ("—", "—", "—")
                continue
            speed = statistics.median(float(r["img_s_median"]) for r in rs)
            low = min(float(r["img_s_min"]) for r in rs)
            high = max(float(r["img_s_max"]) for r in rs)
            rss = statistics.median(float(r["peak_rss_mib"]) for r in rs)
            gflops = statistics.median(float(r["gflops"]) for r in rs)
            cpu = statistics.median(float(r.get("cpu_ms_per_step", "nan")) for r in rs)
            value[side] = (speed, rss, cpu)
            cells[side] = (f"{speed:.1f} ({low:.1f}–{high:.1f})", f"{rss:.0f}",
                           f"{gflops:.1f} ({100 * gflops / ceiling:.0f}%)")
        params = {r["params"] for rs in sides.values() for r in rs}
        if len(params) != 1:
            problems.append(f"{model} {shape}: parameter counts differ between the sides: {sorted(params)}")
        both = "djl" in value and "pytorch" in value
        speed_ratio = f"{value['djl'][0] / value['pytorch'][0]:.2f}x" if both else "—"
        rss_ratio = f"{value['djl'][1] / value['pytorch'][1]:.2f}x" if both else "—"
        cpu_cell = f"{value['djl'][2]:.0f} / {value['pytorch'][2]:.0f}" if both else "—"
        rounds = max(len(rs) for rs in sides.values())
        if both and len(sides["djl"]) == len(sides["pytorch"]):
            # the i-th run of each side is from round i: bench.sh appends the lines round by round
            ratios = [float(d["img_s_median"]) / float(t["img_s_median"]) for d, t in zip(sides["djl"], sides["pytorch"])]
            paired.append(f"{model} {shape} {mode}, {wait}: " + ", ".join(f"{x:.2f}" for x in ratios)
                          + f" (median {statistics.median(ratios):.2f}x)")
        print(f"| {model} | {shape} | {mode} | {batch} | {threads}, {wait} | {'/'.join(sorted(params))} | {cells['djl'][0]} "
              f"| {cells['pytorch'][0]} | {speed_ratio} | {cells['djl'][1]} | {cells['pytorch'][1]} | {rss_ratio} "
              f"| {cells['djl'][2]} | {cells['pytorch'][2]} | {cpu_cell} | {rounds} |")
    if paired:
        print("\nDJL / PyTorch images/s in each round (the two sides of a round ran back to back):  ")
        print("  \n".join(paired))
    for problem in problems:
        print("\n**" + problem + "**")
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
