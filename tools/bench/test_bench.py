#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
Host test of the bench's bookkeeping (no VM, no systems): verdicts (an
overlap of the min-max ranges is "same"), ratios against ser2net and the
baseline, the marks of truncated and failed figures, the rotation of the
order within rounds, the idle floor, and the K3 rows' nodelay system and
footnote. Prints TAP; exit status 1 if a test failed.

    tools/bench/test_bench.py        (make bench-test)
"""
import os
import sys
import traceback
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
import hops  # noqa: E402

bench.log = lambda *a: None          # the bench's progress lines


class Fake:
    """a system that runs nothing"""

    def __init__(self, name):
        self.name = name
        self.restarts = 0

    def restart(self):
        self.restarts += 1

    def pids(self):
        return []

    def start(self):
        pass

    def stop(self):
        pass


def summary(runs):
    runs = sorted(runs)
    return {"runs": runs, "failed": 0, "median": runs[len(runs) // 2],
            "min": runs[0], "max": runs[-1]}


def figure(systems, better="lower", subject="sernet", refs=None, planned=3,
           **more):
    f = {"id": "x", "title": "t", "unit": "u", "better": better,
         "subject": subject, "refs": refs, "planned": planned,
         "systems": {k: {"runs": list(v), "failed": 0}
                     for k, v in systems.items()}}
    f.update(more)
    bench.summarise(f)
    return f


def result(figs):
    names = bench.COLS + ["sernet-low"]
    return {"systems": {n: {"label": n} for n in names}, "figures": figs,
            "meta": {}}


def row(fig):
    rows, _ = bench.rows_of(result([fig]))
    return dict(zip(["figure", "unit"] + bench.COLS + ["vs", "vsb"], rows[0]))


class Verdicts(unittest.TestCase):
    def test_overlap_is_same(self):
        # medians differ 1.5 times but the ranges overlap: a draw
        c = bench.compare(summary([10, 15, 30]), summary([20, 22, 25]),
                          "lower")
        self.assertEqual(c["verdict"], "same")
        self.assertAlmostEqual(c["advantage"], 22 / 15)

    def test_ranges_that_touch_are_same(self):
        c = bench.compare(summary([1, 2, 3]), summary([3, 4, 5]), "lower")
        self.assertEqual(c["verdict"], "same")

    def test_disjoint_lower_better(self):
        c = bench.compare(summary([1, 2, 3]), summary([8, 9, 10]), "lower")
        self.assertEqual((c["verdict"], c["advantage"]), ("better", 4.5))
        c = bench.compare(summary([8, 9, 10]), summary([1, 2, 3]), "lower")
        self.assertEqual(c["verdict"], "WORSE")
        self.assertAlmostEqual(c["advantage"], 2 / 9)

    def test_disjoint_higher_better(self):
        c = bench.compare(summary([8, 9, 10]), summary([1, 2, 3]), "higher")
        self.assertEqual((c["verdict"], c["advantage"]), ("better", 4.5))
        c = bench.compare(summary([1, 2, 3]), summary([8, 9, 10]), "higher")
        self.assertEqual(c["verdict"], "WORSE")

    def test_no_ratio_when_a_range_reaches_zero(self):
        # CPU above the idle floor can be 0 or below: a ratio means nothing
        c = bench.compare(summary([-0.05, 0.07, 0.4]), summary([2, 3, 4]),
                          "lower")
        self.assertEqual((c["verdict"], c["advantage"]), ("better", None))
        self.assertEqual(bench.verdict(c), "better, no ratio")

    def test_single_run_has_no_verdict(self):
        c = bench.compare(summary([1]), summary([8, 9, 10]), "lower")
        self.assertEqual(c["verdict"], "1 run")

    def test_table_prints_same_not_better(self):
        f = figure({"sernet": [10, 15, 30], "ser2net": [20, 22, 25],
                    "baseline": [14, 16, 40]})
        r = row(f)
        self.assertEqual(r["vs"], "same (1.47x) (ser2net)")
        self.assertNotIn("better", r["vs"] + r["vsb"])
        self.assertEqual(r["vsb"], "same (1.07x)")

    def test_table_prints_better_and_worse(self):
        f = figure({"sernet": [1, 2, 3], "ser2net": [8, 9, 10],
                    "baseline": [0.1, 0.2, 0.3]})
        r = row(f)
        self.assertEqual(r["vs"], "4.50x better (ser2net)")
        self.assertEqual(r["vsb"], "0.10x WORSE")


class Ratios(unittest.TestCase):
    def test_against_the_better_ser2net_and_the_baseline(self):
        f = figure({"sernet": [10, 11, 12], "ser2net": [2, 3, 4],
                    "ser2net-def": [0.5, 0.6, 0.7], "baseline": [4, 5, 6]},
                   better="higher")
        self.assertEqual([c["ref"] for c in f["vs"]], ["ser2net"])
        self.assertAlmostEqual(f["vs"][0]["advantage"], 11 / 3)
        self.assertAlmostEqual(f["vs_baseline"]["advantage"], 11 / 5)
        self.assertEqual(row(f)["vsb"], "2.20x better")

    def test_every_named_ref_and_the_subject_column(self):
        f = figure({"sernet-low": [1, 1.1, 1.2], "sernet": [50, 60, 70],
                    "ser2net-def": [9, 10, 11], "ser2net-nd": [1, 2, 3],
                    "baseline": [1, 2, 3]}, subject="sernet-low",
                   refs=["ser2net-def", "ser2net-nd"])
        r = row(f)
        self.assertEqual(r["sernet"], "1.10 (1.00-1.20)")
        self.assertEqual(r["vs"], "9.09x better (ser2net-def); "
                         "same (1.82x) (ser2net-nd)")


class Marks(unittest.TestCase):
    def test_truncated_figure(self):
        f = figure({"sernet": [1], "ser2net": [5]}, planned=5)
        r = row(f)
        self.assertEqual(r["sernet"], "1.00 (1.00-1.00) [1 of 5 runs]")
        self.assertEqual(r["vs"], "5.00x (1 run) (ser2net)")

    def test_failed_runs(self):
        f = figure({"sernet": [1, 2], "ser2net": []})
        f["systems"]["sernet"]["failed"] = 1
        f["systems"]["ser2net"]["failed"] = 3
        r = row(f)
        self.assertEqual(r["sernet"], "1.50 (1.00-2.00) [1 failed]")
        self.assertEqual(r["ser2net"], "FAILED [3 failed]")

    def test_latency_samples_short_of_the_target(self):
        f = figure({"sernet": [1, 2, 3]}, target_samples=1000)
        f["systems"]["sernet"]["samples"] = [1000, 412, 1000]
        self.assertEqual(row(f)["sernet"], "2.00 (1.00-3.00) [412 samples]")

    def test_full_figure_has_no_marks(self):
        f = figure({"sernet": [1, 2, 3]}, target_samples=1000)
        f["systems"]["sernet"]["samples"] = [1000] * 3
        self.assertEqual(row(f)["sernet"], "2.00 (1.00-3.00)")


class Ser2netConfig(unittest.TestCase):
    """gensio(5): the tcp accepter takes nodelay[=true|false]; ser2net's
    default is Nagle on"""

    def accepter(self, mode):
        s = bench.Ser2net(4000, mode)
        s.pts = "/dev/pts/9"
        return next(ln.split(":", 1)[1].strip()
                    for ln in s.config().splitlines() if "accepter:" in ln)

    def test_defaults_plus_nodelay(self):
        self.assertEqual(self.accepter("nd"), "tcp(nodelay),127.0.0.1,4000")
        self.assertEqual(self.accepter("def"), "tcp,127.0.0.1,4000")
        self.assertIn("nodelay", self.accepter("lowest"))

    def test_defaults_keep_chardelay_and_buffers(self):
        for mode in ("def", "nd"):
            s = bench.Ser2net(4000, mode)
            s.pts = "/dev/pts/9"
            self.assertNotIn("chardelay", s.config())
            self.assertNotIn("bufsize", s.config())


class Rounds(unittest.TestCase):
    def setUp(self):
        self.calls = []
        self.now = [0.0]
        self.b = bench.Bench(deadline=100, clock=lambda: self.now[0],
                             idle=lambda secs: (0.5, 0.0))
        self.sys = [Fake(n) for n in "ABCD"]

    def run_one(self, s):
        self.calls.append(s.name)
        return {"v": 1.0, "secs": 2.0, "cpu_s": 3.0, "steal_s": 0.0,
                "load_s": 0.5, "mb": 1.0}

    def test_order_rotates_and_is_recorded(self):
        self.b.runs = 4
        f = self.b.figure("x", "g", "t", "u", "lower", self.sys, "A")
        self.b.measure("w", self.sys, self.run_one, {"v": f})
        want = ["ABCD", "BCDA", "CDAB", "DABC"]
        self.assertEqual("".join(self.calls), "".join(want))
        self.assertEqual(["".join(o["order"]) for o in self.b.orders], want)
        self.assertEqual([o["round"] for o in self.b.orders], [1, 2, 3, 4])
        first = [r["system"] for r in self.b.raw if r["position"] == 1]
        self.assertEqual(first, list("ABCD"))

    def test_rotation_wraps(self):
        self.assertEqual(bench.rotate("ABC", 4), list("BCA"))

    def test_cpu_above_the_idle_floor(self):
        f = self.b.figure("c", "g", "t", "u", "lower", self.sys, "A")
        self.b.measure("w", self.sys, self.run_one, {"cpu_s_per_mb": f},
                       floor=True)
        # 3 CPU s in 2 s, floor 0.5 CPU s per s: 2 CPU s above it, per MB
        self.assertEqual(f["systems"]["A"]["runs"], [2.0])
        self.assertEqual(len(self.b.floors), 1)
        self.assertEqual(self.b.floors[0]["secs"], 2.0)

    def test_budget_spent_truncates_and_marks(self):
        self.b.runs = 3
        f = self.b.figure("x", "g", "t", "u", "lower", self.sys, "A")

        def late(s):
            self.now[0] = 200.0
            return self.run_one(s)
        self.b.measure("w", self.sys, late, {"v": f})
        self.assertEqual(self.calls, list("ABCD"))
        self.assertTrue(f["truncated"])
        self.assertEqual(self.b.truncated, ["w: 1 of 3 runs"])
        bench.summarise(f)
        self.assertIn("[1 of 3 runs]", bench.cell(f, f["systems"]["A"]))

    def test_failure_counted_and_restarted(self):
        self.b.runs = 2
        f = self.b.figure("x", "g", "t", "u", "lower", self.sys, "A")

        def flaky(s):
            if s.name == "B" and not s.restarts:
                raise TimeoutError("stalled")
            return self.run_one(s)
        self.b.measure("w", self.sys, flaky, {"v": f})
        self.assertEqual(f["systems"]["B"], {"runs": [1.0], "failed": 1})
        self.assertEqual(self.sys[1].restarts, 1)
        self.assertEqual(len(self.b.failures), 1)


REPORT = ('ready\n{"ok": true, "secs": 4.0, "cpu_s": 0.25, "user_s": 0.05, '
          '"sys_s": 0.2, "rate": 92160, "ports": 1, "clients": 1, '
          '"extra": 0, "streams": [{"port": 5000, "dir": "up", "client": -1, '
          '"sent": 368640, "recv": 368640, "ok": true}, {"port": 5000, '
          '"dir": "down", "client": 0, "sent": 368640, "recv": 368640, '
          '"ok": true}]}\n')


class Load(unittest.TestCase):
    """load.c's report and what the bench makes of it"""

    def test_report_parsed(self):
        rep = bench.parse_load(REPORT)
        self.assertEqual(rep["cpu_s"], 0.25)
        self.assertEqual(len(rep["streams"]), 2)

    def test_a_short_stream_fails_the_run(self):
        bad = REPORT.replace('"recv": 368640, "ok": true}]',
                             '"recv": 368639, "ok": false}]')
        bad = bad.replace('"ok": true, "secs"', '"ok": false, "secs"')
        with self.assertRaisesRegex(ValueError, "5000 down client 0: sent "
                                    "368640, received 368639"):
            bench.parse_load(bad)

    def test_a_stream_marked_bad_fails_even_if_all_ok(self):
        bad = REPORT.replace('"recv": 368640, "ok": true}]',
                             '"recv": 368640, "ok": false}]')
        self.assertRaises(ValueError, bench.parse_load, bad)

    def test_no_handshake_no_report(self):
        self.assertRaises(ValueError, bench.parse_load, "")
        self.assertRaises(ValueError, bench.parse_load, "ready\n")

    def test_load_cpu_is_the_load_generators(self):
        res = {"secs": 2.0, "cpu_s": 1.0, "steal_s": 0.0, "load_s": 0.01}
        bench.with_load(res, bench.parse_load(REPORT))
        self.assertAlmostEqual(res["load_s"], 0.26)
        self.assertEqual(res["stream_bytes"], 2 * 368640)
        self.assertAlmostEqual(res["mb"], 2 * 368640 / 1e6)
        self.assertAlmostEqual(res["achieved_bytes_s"], 368640 / 4.0)
        bench.above_floor(res, 0.1)           # 0.2 s of floor in 2 s
        all_cpu = 2.0 * bench.NCPU
        self.assertAlmostEqual(res["cpu_share_pct"], 100 * 0.8 / all_cpu)
        self.assertAlmostEqual(res["load_share_pct"], 100 * 0.26 / all_cpu)
        self.assertAlmostEqual(res["fwd_share_pct"], 100 * 0.54 / all_cpu)
        self.assertAlmostEqual(res["fwd_cpu_s_per_mb"], 0.54 / res["mb"])

    def test_cpu_per_mb_less_the_load(self):
        res = {"secs": 1.0, "cpu_s": 1.0, "steal_s": 0.0, "load_s": 0.3,
               "mb": 2.0}
        bench.above_floor(res, 0.2)
        self.assertAlmostEqual(res["cpu_s_per_mb"], 0.4)
        self.assertAlmostEqual(res["fwd_cpu_s_per_mb"], 0.25)

    def test_argv(self):
        class U:
            master, port = 7, 5001
        a = bench.load_argv([U], 0, nbytes=1000, clients=4, down_only=True)
        self.assertEqual(a[1:], ["--rate", "0", "--clients", "4", "--bytes",
                                 "1000", "--down-only", "--port", "7:5001"])

    def test_ser2net_serves_n_ports_from_one_yaml(self):
        m = bench.Many("ser2net", 3, 6100, 64)
        m.units = [bench.Pty(6100 + i) for i in range(3)]
        for i, u in enumerate(m.units):
            u.pts = f"/dev/pts/{i}"
        y = m.config()
        self.assertEqual(y.count("connection: &bench"), 3)
        self.assertEqual(y.count("%YAML"), 1)
        for i in range(3):
            self.assertIn(f"connection: &bench{i}\n", y)
            self.assertIn(f"tcp(nodelay,readbuf=16384),127.0.0.1,{6100 + i}\n",
                          y)
            self.assertIn(f"serialdev(readbuf=16384),/dev/pts/{i},", y)
        self.assertEqual(y.count("max-connections: 64"), 3)

    def test_a_cast_that_does_not_start_is_a_failure(self):
        class Broken(Fake):
            def start(self):
                raise TimeoutError("timed out waiting for ser2net to listen")

            def stop(self):
                self.stopped = True
        b = bench.Bench(deadline=1e9, idle=lambda secs: (0.0, 0.0))
        cast = [Fake("sernet-low"), Broken("ser2net")]
        self.assertFalse(bench.started(b, cast, "8 ports"))
        self.assertEqual(b.failures[0]["system"], "ser2net")
        self.assertIn("did not start", b.failures[0]["error"])
        self.assertTrue(cast[1].stopped)
        self.assertTrue(bench.started(b, [Fake("x")], "8 ports"))

    def test_ratio_figure_per_round(self):
        b = bench.Bench(deadline=1e9, idle=lambda secs: (0.0, 0.0))
        b.runs = 2
        cast = [Fake("sernet-low"), Fake("ser2net")]
        f1 = b.figure("a", "g", "a", "u", "lower", cast, "sernet-low")
        f2 = b.figure("b", "g", "b", "u", "lower", cast, "sernet-low")
        f1["what"], f2["what"] = "one", "many"
        v1 = {("sernet-low", 1): 1.0, ("sernet-low", 2): 2.0,
              ("ser2net", 2): 1.0}
        v2 = {("sernet-low", 1): 1.5, ("sernet-low", 2): 2.0,
              ("ser2net", 1): 4.0, ("ser2net", 2): 3.0}
        for what, vals, f in (("one", v1, f1), ("many", v2, f2)):
            rnd = iter([1, 1, 2, 2])

            def run(s, vals=vals, rnd=rnd):
                v = vals.get((s.name, next(rnd)))
                if v is None:
                    raise TimeoutError("stalled")
                return {"k": v}
            b.measure(what, cast, run, {"k": f})
        r = bench.ratio_figure(b, "r", "r", f2, f1, "k")
        self.assertEqual(r["systems"]["sernet-low"]["runs"], [1.5, 1.0])
        # ser2net's first 1-client run failed: its round has no ratio,
        # the second round's is 3/1 (not 4/1, as the lists alone would pair)
        self.assertEqual(r["systems"]["ser2net"], {"runs": [3.0],
                                                   "failed": 1})
        self.assertEqual(r["cast"], ["sernet-low", "ser2net"])


class WholeBench(unittest.TestCase):
    """run_all with fake systems and runs: the layout of the table"""

    def setUp(self):
        self.saved = {n: getattr(bench, n) for n in
                      ("run_s2n", "run_n2s", "run_sustained", "run_latency",
                       "placed", "RUNS", "run_scale", "run_isolation",
                       "run_fanout_fwd", "many_cast")}
        raw = {"secs": 1.0, "cpu_s": 1.0, "steal_s": 0.0, "load_s": 0.1,
               "mb": 1.0, "mb_s": 1.0}
        bench.run_s2n = lambda s, *a: dict(raw)
        bench.run_n2s = lambda s, *a: dict(raw)
        bench.run_sustained = lambda s, *a: dict(raw)
        bench.placed = lambda s, cpu, fn: fn()
        bench.many_cast = lambda n, slot, maxc=16: [
            Fake(x) for x in ("sernet-low", "ser2net", "baseline")]
        # fan-out: sernet's CPU per MB grows 1.2x from 1 to 16 clients,
        # ser2net's 4x (load.c's own time is out of both)
        bench.run_fanout_fwd = lambda s, n, size, t: dict(
            raw, load_s=0.5, cpu_s=1.5 + (0.2 if s.name == "sernet-low"
                                          else 3.0) * (n > 1) * n / 16)
        bench.run_scale = lambda s, *a: dict(raw, load_s=0.2,
                                             achieved_bytes_s=92160)

        def iso(s, *a):
            return {"idle_p50_us": 100.0, "idle_p99_us": 200.0,
                    "busy_p50_us": 110.0, "busy_p99_us": 250.0,
                    "p99_ratio": 1.25, "samples": 1000}
        bench.run_isolation = iso
        bench.RUNS = {k: 2 for k in self.saved["RUNS"]}

        def lat(s, size, *a):
            v = 100.0 if s.name.startswith("sernet") else 300.0
            return {"p50_us": v, "p99_us": v, "p99.9_us": v, "samples": 1000}
        bench.run_latency = lat
        names = ["sernet", "sernet-low", "ser2net", "ser2net-def",
                 "ser2net-nd", "baseline"]
        by = {n: Fake(n) for n in names}
        self.b = bench.Bench(deadline=1e9, idle=lambda secs: (0.0, 0.0))
        bench.run_all(self.b, by, bench.QUICK, set(bench.RUNS))
        for f in self.b.figures:
            bench.summarise(f)
        self.res = result(self.b.figures)

    def tearDown(self):
        for n, v in self.saved.items():
            setattr(bench, n, v)

    def fig(self, fid):
        return next(f for f in self.b.figures if f["id"] == fid)

    def test_k3_rows_compare_nodelay_too(self):
        f = self.fig("lat_k3_512_p50")
        self.assertEqual(f["cast"], ["sernet", "ser2net-def", "ser2net-nd",
                                     "baseline"])
        self.assertEqual([c["ref"] for c in f["vs"]],
                         ["ser2net-def", "ser2net-nd"])
        self.assertEqual(f["vs_baseline"]["verdict"], "better")

    def test_k3_rows_have_the_nagle_footnote(self):
        text = bench.table(self.res)
        k3 = [ln for ln in text.splitlines() if "K3 default packing" in ln]
        self.assertEqual(len(k3), 9)
        self.assertTrue(all("[a]" in ln for ln in k3))
        self.assertIn("[a] sernet sets TCP_NODELAY", text)
        self.assertIn("(512 B here)", text)
        self.assertIn("most of the gap to ser2net (defaults) is Nagle", text)
        low = [ln for ln in text.splitlines() if "lowest packing" in ln]
        self.assertFalse(any("[a]" in ln for ln in low))

    def test_load_row_has_its_footnote(self):
        text = bench.table(self.res).splitlines()
        row = next(ln for ln in text if "less the load generator" in ln)
        self.assertIn("[b]", row)
        self.assertTrue(any(ln.startswith("[b] the load generator's time")
                            for ln in text))

    def test_every_latency_round_runs_every_system(self):
        orders = [o["order"] for o in self.b.orders
                  if o["what"] == "latency 64 B"]
        self.assertEqual(orders, [
            ["sernet-low", "sernet", "ser2net", "ser2net-def", "ser2net-nd",
             "baseline"],
            ["sernet", "ser2net", "ser2net-def", "ser2net-nd", "baseline",
             "sernet-low"]])

    def test_cpu_figures_have_a_floor_each_round(self):
        cpu_rounds = [o for o in self.b.orders
                      if not o["what"].startswith(("latency", "isolation"))]
        self.assertEqual(len(self.b.floors), len(cpu_rounds))

    def test_scale_rows(self):
        # one CPU row per N, the load generator's own, and less it
        ids = [f["id"] for f in self.b.figures if f["group"] == "scale"]
        self.assertEqual(ids, [f"scale{n}_{k}" for n in bench.SCALE_N
                               for k in ("cpu", "load", "fwd", "fwd_mb",
                                         "rate")])
        f = self.fig("scale32_fwd")
        self.assertEqual(f["cast"], ["sernet-low", "ser2net", "baseline"])
        self.assertEqual(f["note"], "load")
        # 1 CPU s in 1 s of 2 vCPUs less load.c's 0.2 s
        self.assertAlmostEqual(f["systems"]["ser2net"]["median"],
                               100 * 0.8 / bench.NCPU)
        self.assertAlmostEqual(self.fig("scale8_load")["systems"]
                               ["baseline"]["median"], 100 * 0.2 / bench.NCPU)
        text = bench.table(self.res)
        self.assertIn("CPU share, 32 ports at 921600 both ways", text)

    def test_isolation_rows(self):
        ids = [f["id"] for f in self.b.figures if f["group"] == "isolation"]
        self.assertEqual(ids, [x for n in bench.ISO_N for x in
                               [f"iso{n}_{k}_p{p}" for k in ("idle", "busy")
                                for p in (50, 99)] + [f"iso{n}_p99_ratio"]])
        self.assertEqual(self.fig("iso8_p99_ratio")["systems"]["baseline"]
                         ["median"], 1.25)
        f = self.fig("iso8_busy_p99")
        self.assertEqual(f["systems"]["sernet-low"]["median"], 250.0)
        self.assertEqual([c["ref"] for c in f["vs"]], ["ser2net"])
        self.assertEqual(f["title"], "RTT 64 B p99, 7 other ports at full rate")
        # no idle floor for a latency figure
        self.assertFalse(any(x["what"].startswith("isolation")
                             for x in self.b.floors))

    def test_fanout_forwarder_only_ratio(self):
        f1, f16 = self.fig("fanfwd1_cpu"), self.fig("fanfwd16_cpu")
        self.assertAlmostEqual(f1["systems"]["sernet-low"]["median"], 1.0)
        self.assertAlmostEqual(f16["systems"]["sernet-low"]["median"], 1.2)
        r = self.fig("fanfwd16_ratio")
        self.assertEqual(r["systems"]["sernet-low"]["runs"], [1.2, 1.2])
        self.assertEqual(r["systems"]["ser2net"]["runs"], [4.0, 4.0])
        self.assertEqual(r["vs"][0]["verdict"], "better")
        self.assertIn("fan-out 16/1 clients, forwarder only",
                      bench.table(self.res))

    def test_markdown_has_both_ratio_columns(self):
        md = bench.table(self.res, markdown=True).splitlines()
        self.assertTrue(md[0].endswith("| sernet vs ser2net | "
                                       "sernet vs baseline |"))
        ncol = md[0].count("|")
        self.assertTrue(all(ln.count("|") == ncol for ln in md[:40]
                            if ln.startswith("|")))


def trace_line(us, task, what):
    """one line of the function tracer's text, as hops.py reads it"""
    return f"{task:>16}-1     [000] .....  {us / 1e6:.6f}: {what}"


class Hops(unittest.TestCase):
    S2N = [("tracing_mark_write: WRITE 0", 0), ("pty_write <-n_tty_write", 10),
           ("flush_to_ldisc <-process_one_work", 30),
           ("sernet_receive <-sernet_ldisc_receive_buf2", 31),
           ("sernet_pack_timer <-__hrtimer_run_queues", 140),
           ("sernet_xport_tx_work <-process_one_work", 150),
           ("tcp_sendmsg <-sock_sendmsg", 155),
           ("tracing_mark_write: CRECV", 200)]

    def trace(self, tail):
        return "\n".join(["# tracer: function"] + [
            trace_line(us, "python3", w) for w, us in self.S2N + tail])

    def test_data_ready_path_and_hop_times(self):
        t = self.trace([("pty_write <-tcp_v4_rcv", 230),
                        ("tracing_mark_write: CSENT", 240),
                        ("tracing_mark_write: READ 0", 300)])
        out = hops.breakdown(t)
        self.assertIn("1 by data_ready", out)
        self.assertIn("| the packing timer fires (the rule: 100 us) | 109 |",
                      out)
        self.assertIn("in the client's send (data_ready) | 30 |", out)
        self.assertIn("| the round trip (markers) | 300 | 300-300 |", out)

    def test_a_round_trip_with_rx_work_took_that_path(self):
        t = self.trace([("tracing_mark_write: CSENT", 240),
                        ("sernet_xport_rx_work <-process_one_work", 260),
                        ("pty_write <-tty_out", 270),
                        ("tracing_mark_write: READ 0", 300)])
        out = hops.breakdown(t)
        self.assertIn("1 by rx_work", out)
        self.assertNotIn("data_ready", out.split("\n")[0].split(";")[1])
        self.assertIn("| rx_work runs (a kworker woken) | 60 |", out)

    def test_a_round_trip_missing_a_hop_is_left_out(self):
        t = self.trace([("tracing_mark_write: READ 0", 300)])
        self.assertIn("1 round trips traced; every hop seen in ",
                      hops.breakdown(t))
        self.assertNotIn("path:", hops.breakdown(t))


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(
        sys.modules[__name__])
    tests = []

    def flat(s):
        for t in s:
            if isinstance(t, unittest.TestSuite):
                flat(t)
            else:
                tests.append(t)
    flat(suite)
    print(f"1..{len(tests)}")
    bad = 0
    for i, t in enumerate(tests, 1):
        r = unittest.TestResult()
        try:
            t.run(r)
        except Exception:                  # noqa: BLE001 -- reported
            r.errors.append((t, traceback.format_exc()))
        ok = r.wasSuccessful()
        bad += not ok
        name = f"{type(t).__name__}.{t._testMethodName}"
        print(f"{'ok' if ok else 'not ok'} {i} - bench: {name}")
        for _, tb in r.failures + r.errors:
            for line in tb.rstrip().splitlines():
                print("# " + line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
