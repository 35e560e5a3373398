#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
make bench-plot: turn the benchmark's JSON into gnuplot data files and
render them with plot.gp, one PNG per chart, beside the JSON.

    plot.py [RESULTS.json]
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SYSTEMS = ["sernet", "ser2net", "ser2net-def", "baseline"]


def cells(fig, systems):
    """median min max for each system; NaN where it did not run; "sernet"
    is the figure's subject (sernet-low in the lowest-packing rows)"""
    out = []
    for s in systems:
        if s == "sernet":
            s = fig.get("subject", s)
        v = fig["systems"].get(s, {})
        out += [str(v.get(k, "NaN")) for k in ("median", "min", "max")]
    return out


def write(path, rows, systems, labels):
    with open(path, "w") as f:
        f.write("# category " + " ".join(
            f"{s}_median {s}_min {s}_max" for s in systems) + "\n")
        f.write("# titles: " + "|".join(labels) + "\n")
        for name, fig in rows:
            f.write(f'"{name}" ' + " ".join(cells(fig, systems)) + "\n")


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "build/bench/results.json"
    if not os.path.exists(src):
        sys.exit(f"{src}: no results yet, run make bench first")
    with open(src) as f:
        res = json.load(f)
    figs = {f["id"]: f for f in res["figures"]}
    labels = [res["systems"][s]["label"] for s in SYSTEMS]
    out = os.path.dirname(os.path.abspath(src))

    def pick(pairs):
        return [(name, figs[fid]) for name, fid in pairs if fid in figs]

    write(f"{out}/throughput.dat", pick([
        ("serial to network", "s2n_mb_s"),
        ("network to serial", "n2s_mb_s")]), SYSTEMS, labels)
    write(f"{out}/cpu.dat", pick([
        ("serial to network", "s2n_cpu"),
        ("network to serial", "n2s_cpu"),
        ("fan-out 1", "fanout1_cpu"),
        ("fan-out 4", "fanout4_cpu"),
        ("fan-out 16", "fanout16_cpu")]), SYSTEMS, labels)
    for kind, refs in (("lowest", ["ser2net"]),
                       ("k3", ["ser2net-def", "ser2net-nd"])):
        rows = [(f"{size} B p{p}", f"lat_{kind}_{size}_p{p}")
                for size in (1, 64, 512) for p in ("50", "99", "99.9")]
        systems = ["sernet"] + refs + ["baseline"]
        write(f"{out}/latency_{kind}.dat", pick(rows), systems,
              [res["systems"].get(s, {}).get("label", s) for s in systems])
    m = res.get("meta", {})
    runs = sorted(set(m.get("runs", {}).values())) or ["?"]
    sub = f"{m.get('kernel', '?')}, {m.get('guest_cpus', '?')} vCPUs QEMU TCG, " \
        f"{m.get('date', '?')[:10]}; median of {runs[0]}-{runs[-1]} runs, " \
        "bars min-max; only ratios carry over"
    sub = sub.replace("'", "")
    subprocess.run(["gnuplot", "-e", f"dir='{out}'; sub='{sub}'",
                    os.path.join(HERE, "plot.gp")], check=True)
    for name in ("throughput", "cpu", "latency"):
        print(f"{out}/{name}.png")


if __name__ == "__main__":
    main()
