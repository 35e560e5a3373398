#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
sernet benchmark: the kernel data path side by side with ser2net and a
plain userspace forwarder, in one boot. Runs inside tools/vm/run (it adds
127.0.0.2 to lo and attaches line disciplines); only 127.0.0.1 is dialled.

Every system forwards between the slave of its own pty pair and TCP
clients on 127.0.0.1; this process is the device (on the pty master) and
the clients. Systems are run in turn (A B C D A B C D ...) for every
figure; each figure is the median of the runs, with min and max.
Throughput streams are checksummed (CRC-32 and length) at every
receiver; a run that loses, adds or changes a byte fails and is reported.

    bench.py [--out FILE] [--runs N] [--quick]
"""
import argparse
import math
import datetime
import fcntl
import json
import os
import platform
import random
import resource
import selectors
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import tty
import zlib

TIOCSETD = 0x5423
LDISC = int(os.environ.get("SERNET_LDISC", "29"))
CLASS = "/sys/class/sernet"
HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
FWD = os.path.join(TOP, "build", "bench", "fwd")
HZ = os.sysconf("SC_CLK_TCK")
MB = 1e6
MARK = b"\x5asernet-bench\xa5\x00"      # device -> clients: stream starts
SUSTAIN_BAUD = 921600                    # 8N1: 92160 bytes/s each way
MODBUS = "n/a (no gateway yet)"


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def read(path):
    with open(path) as f:
        return f.read().strip()


def wait_for(cond, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.01)
    raise TimeoutError("timed out waiting for " + what)


def listening(port):
    """a TCP socket in LISTEN on port (IPv4 or IPv6)"""
    for f in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(f) as fh:
            for line in fh.readlines()[1:]:
                cols = line.split()
                if cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:
                    return True
    return False


# --- CPU accounting ------------------------------------------------------------

def cpu_ticks():
    """(busy, total) clock ticks of all CPUs since boot, from /proc/stat"""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq = v[:7]
    steal = v[7] if len(v) > 7 else 0
    busy = user + nice + system + irq + softirq + steal
    return busy, busy + idle + iowait


class Meter:
    """Wall time, CPU of the whole guest and of this process (the load)."""

    def __enter__(self):
        self.t0 = time.perf_counter()
        self.c0 = cpu_ticks()
        self.r0 = resource.getrusage(resource.RUSAGE_SELF)
        return self

    def stop(self):
        self.secs = time.perf_counter() - self.t0
        c1 = cpu_ticks()
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        self.cpu = (c1[0] - self.c0[0]) / HZ            # seconds, all CPUs
        self.share = (c1[0] - self.c0[0]) / max(1, c1[1] - self.c0[1])
        self.load = (r1.ru_utime - self.r0.ru_utime) + \
            (r1.ru_stime - self.r0.ru_stime)

    def __exit__(self, *exc):
        if not hasattr(self, "secs"):
            self.stop()


# --- the systems -------------------------------------------------------------

class System:
    """One forwarder on the slave of a pty pair, serving 127.0.0.1:port."""
    name = label = ""

    def __init__(self, port):
        self.port = port
        self.master = self.slave = None
        self.proc = None

    def start(self):
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.pts = os.ttyname(self.slave)
        self.attach()
        wait_for(lambda: listening(self.port), 10, f"{self.name} to listen")

    def attach(self):
        raise NotImplementedError

    def spawn(self, argv):
        logf = open(f"/tmp/bench-{self.name}.log", "ab")
        self.proc = subprocess.Popen(argv, stdout=logf, stderr=logf,
                                     stdin=subprocess.DEVNULL)
        logf.close()

    def stop(self):
        if self.proc:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
        for fd in (self.slave, self.master):
            if fd is not None:
                os.close(fd)
        self.master = self.slave = None

    def restart(self):
        self.stop()
        self.start()

    def packing(self, kind):
        """set the packing for 'k3' or 'lowest'; returns its description"""
        return "none"

    def clients_ready(self, n):
        pass


class Sernet(System):
    name, label = "sernet", "sernet (kernel)"

    def __init__(self, port):
        super().__init__(port)
        self.kind = "k3"
        self.packs = {}

    def attach(self):
        fcntl.ioctl(self.slave, TIOCSETD, struct.pack("i", LDISC))
        tty = "pts" + self.pts.rsplit("/", 1)[1]
        self.dir = next(f"{CLASS}/{d}" for d in os.listdir(CLASS)
                        if read(f"{CLASS}/{d}/tty_name") == tty)
        self.set("max_clients", 16)
        self.set("port", self.port)
        self.packing(self.kind)

    def set(self, attr, value):
        with open(f"{self.dir}/{attr}", "w") as f:
            f.write(str(value))

    def packing(self, kind):
        # K3 default: 115200 baud, pack_time 0 (auto), pack_len 0 (1460).
        # Lowest: the auto time at a fast line hits its 100 us floor.
        self.kind = kind
        self.set("baud", 115200 if kind == "k3" else SUSTAIN_BAUD)
        self.set("pack_time", 0)
        self.set("pack_len", 0)
        self.packs[kind] = "pack_time 0 (auto: %s us at %s baud), pack_len " \
            "0 (1460)" % (read(f"{self.dir}/pack_time_us"),
                          read(f"{self.dir}/baud"))
        return self.packs[kind]

    def clients_ready(self, n):
        wait_for(lambda: read(f"{self.dir}/state") == f"CONNECTED({n})", 10,
                 f"CONNECTED({n})")

    def counters(self):
        d = f"{self.dir}/statistics"
        return {k: int(read(f"{d}/{k}")) for k in os.listdir(d)}


class Ser2net(System):
    """Debian's ser2net 4.x; lowest=True: no character delay, TCP_NODELAY
    and 16 KiB buffers (the fastest it goes); False: its defaults."""

    def __init__(self, port, lowest):
        super().__init__(port)
        self.lowest = lowest
        self.name = "ser2net" if lowest else "ser2net-def"
        self.label = "ser2net (lowest delay)" if lowest else \
            "ser2net (defaults)"

    def options(self):
        opts = {"max-connections": 16}
        if self.lowest:
            opts.update({"chardelay": "false", "dev-to-net-bufsize": 16384,
                         "net-to-dev-bufsize": 16384})
        return opts

    def config(self):
        acc, dev = "tcp", "serialdev"
        if self.lowest:       # gensio reads 1 KiB at a time without readbuf
            acc, dev = "tcp(nodelay,readbuf=16384)", "serialdev(readbuf=16384)"
        text = ("%YAML 1.1\n---\n"
                f"connection: &bench\n"
                f"    accepter: {acc},127.0.0.1,{self.port}\n"
                f"    connector: {dev},{self.pts},115200n81,local\n"
                f"    options:\n")
        for k, v in self.options().items():
            text += f"      {k}: {v}\n"
        return text

    def attach(self):
        path = f"/tmp/bench-{self.name}.yaml"
        with open(path, "w") as f:
            f.write(self.config())
        self.spawn(["ser2net", "-n", "-d", "-c", path,
                    "-P", f"/tmp/bench-{self.name}.pid"])

    def packing(self, kind):
        if self.lowest:
            return "chardelay off, 16 KiB buffers, TCP_NODELAY"
        return "chardelay on (2 chars, at least 1000 us), 64-byte buffers"


class Baseline(System):
    name, label = "baseline", "userspace baseline"

    def attach(self):
        self.spawn([FWD, self.pts, str(self.port), "16"])


# --- the load: device on the pty master, clients on TCP ----------------------

def write_all_fd(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view[:65536]):]


def recv_exact(sock, n):
    out = bytearray()
    while len(out) < n:
        b = sock.recv(n - len(out))
        if not b:
            raise ConnectionError("connection closed")
        out += b
    return bytes(out)


def read_master(fd, n, timeout):
    out = bytearray()
    end = time.monotonic() + timeout
    sel = selectors.DefaultSelector()
    sel.register(fd, selectors.EVENT_READ)
    try:
        while len(out) < n:
            if not sel.select(max(0, end - time.monotonic())):
                raise TimeoutError(f"device got {len(out)} of {n} bytes")
            out += os.read(fd, n - len(out))
    finally:
        sel.close()
    return bytes(out)


def connect(sysm, n):
    """n clients, each proven connected both ways; all see MARK first."""
    clients = []
    try:
        for _ in range(n):
            c = socket.create_connection(("127.0.0.1", sysm.port), timeout=10)
            c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            clients.append(c)
            c.sendall(b"\x00")
            if read_master(sysm.master, 1, 10) != b"\x00":
                raise ConnectionError("bad handshake byte")
        sysm.clients_ready(n)
        os.write(sysm.master, MARK)
        for c in clients:
            if recv_exact(c, len(MARK)) != MARK:
                raise ConnectionError("bad start mark")
            c.settimeout(None)     # blocking now: the receivers keep time
    except BaseException:
        for c in clients:
            c.close()
        raise
    return clients


class Sink:
    """Receivers on sockets and/or a pty master, each with CRC and length."""

    def __init__(self, expect):
        self.sel = selectors.DefaultSelector()
        self.buf = bytearray(1 << 18)
        self.got = {}
        self.expect = expect

    def add(self, key, fileobj):
        self.got[key] = [0, 0]
        self.sel.register(fileobj, selectors.EVENT_READ, key)

    def run(self, timeout):
        end = time.monotonic() + timeout
        mv = memoryview(self.buf)
        while any(g[0] < self.expect[k] for k, g in self.got.items()):
            ev = self.sel.select(max(0, end - time.monotonic()))
            if not ev:
                raise TimeoutError("stalled: " + self.progress())
            for key, _ in ev:
                f = key.fileobj
                if isinstance(f, int):
                    n = os.readv(f, [mv])
                else:
                    n = f.recv_into(mv)
                if n == 0:
                    raise ConnectionError("closed early: " + self.progress())
                g = self.got[key.data]
                g[0] += n
                g[1] = zlib.crc32(mv[:n], g[1])
        self.sel.close()

    def progress(self):
        return ", ".join(f"{k} {g[0]}/{self.expect[k]}"
                         for k, g in self.got.items())

    def check(self, crcs):
        for k, g in self.got.items():
            if g[0] != self.expect[k] or g[1] != crcs[k]:
                raise ValueError(f"checksum mismatch at {k}: {g[0]} bytes, "
                                 f"crc {g[1]:08x}, want {self.expect[k]} "
                                 f"bytes, crc {crcs[k]:08x}")


def closing(clients):
    for c in clients:
        try:
            c.shutdown(socket.SHUT_RDWR)     # wakes a sender still blocked
        except OSError:
            pass
        c.close()


def timed(sink, senders, timeout):
    """run each (function, args...) of senders in a thread and the sink
    until it has everything; the Meter of that interval"""
    ts = [threading.Thread(target=f, args=a, daemon=True)
          for f, *a in senders]
    with Meter() as m:
        for t in ts:
            t.start()
        sink.run(timeout)
        m.stop()
    for t in ts:
        t.join()
    return m


def run_s2n(sysm, data, nclients, timeout):
    """serial -> network: the device writes data, every client gets it"""
    clients = connect(sysm, nclients)
    try:
        sink = Sink({i: len(data) for i in range(nclients)})
        for i, c in enumerate(clients):
            sink.add(i, c)
        m = timed(sink, [(write_all_fd, sysm.master, data)], timeout)
        crc = zlib.crc32(data)
        sink.check({i: crc for i in range(nclients)})
    finally:
        closing(clients)
    return throughput(m, len(data))


def run_n2s(sysm, data, timeout):
    """network -> serial: one client sends data, the device gets it"""
    clients = connect(sysm, 1)
    try:
        sink = Sink({"dev": len(data)})
        sink.add("dev", sysm.master)
        m = timed(sink, [(clients[0].sendall, data)], timeout)
        sink.check({"dev": zlib.crc32(data)})
    finally:
        closing(clients)
    return throughput(m, len(data))


def throughput(m, nbytes):
    mb = nbytes / MB
    return {"mb_s": mb / m.secs, "cpu_s_per_mb": m.cpu / mb,
            "load_cpu_s_per_mb": m.load / mb, "secs": m.secs}


def paced(send, data, rate, t0):
    """send data at rate bytes/s from t0, in 10 ms steps"""
    sent = 0
    while sent < len(data):
        due = min(len(data), int((time.perf_counter() - t0) * rate))
        while sent < due:
            sent += send(data[sent:due])
        time.sleep(0.01)


def run_sustained(sysm, secs, timeout):
    """both ways at once at SUSTAIN_BAUD's byte rate; CPU share"""
    rate = SUSTAIN_BAUD // 10
    up, down = stream(rate * secs, 7), stream(rate * secs, 8)
    clients = connect(sysm, 1)
    c = clients[0]
    try:
        sink = Sink({"dev": len(up), "client": len(down)})
        sink.add("dev", sysm.master)
        sink.add("client", c)
        t0 = time.perf_counter()
        m = timed(sink, [(paced, c.send, up, rate, t0),
                         (paced, lambda b: os.write(sysm.master, b), down,
                          rate, t0)], secs + timeout)
        sink.check({"dev": zlib.crc32(up), "client": zlib.crc32(down)})
    finally:
        closing(clients)
    load = 100 * m.load / (m.secs * os.cpu_count())
    return {"cpu_share_pct": 100 * m.share, "secs": m.secs,
            "load_share_pct": load,
            "fwd_share_pct": 100 * m.share - load,
            "achieved_bytes_s": (len(up) + len(down)) / 2 / m.secs}


def echo(fd):
    """the device for latency: everything it reads goes back at once"""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        while True:
            os.write(fd, os.read(fd, 65536))
    finally:
        os._exit(0)


def percentile(sorted_v, p):
    """nearest rank"""
    return sorted_v[max(0, math.ceil(len(sorted_v) * p / 100) - 1)]


def run_latency(sysm, size, count, timeout, cap):
    """client -> device -> echo -> client round trips of size bytes: count
    of them, or as many as cap seconds allow (for the slow ones)"""
    clients = connect(sysm, 1)
    c = clients[0]
    c.settimeout(timeout)
    pid = os.fork()
    if pid == 0:
        echo(sysm.master)
    r = random.Random(size)
    msgs = [r.randbytes(size) for _ in range(16)]
    rtt = []
    end = time.monotonic() + cap
    try:
        for i in range(count + count // 10):      # the first tenth warms up
            if time.monotonic() > end and i > 2 * (count // 10):
                break
            msg = msgs[i % 16]
            t = time.perf_counter_ns()
            c.sendall(msg)
            back = recv_exact(c, size)
            rtt.append(time.perf_counter_ns() - t)
            if back != msg:
                raise ValueError(f"echo differs at message {i}")
    finally:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        closing(clients)
    rtt = sorted(rtt[count // 10:])
    res = {f"p{p}_us": percentile(rtt, p) / 1000 for p in (50, 99, 99.9)}
    res["samples"] = len(rtt)
    return res


def stream(n, seed):
    return random.Random(seed).randbytes(n)


# --- runs, figures, results ------------------------------------------------------

class Bench:
    def __init__(self, systems, deadline):
        self.systems = systems
        self.runs = 1
        self.deadline = deadline
        self.truncated = []
        self.figures = []
        self.failures = []
        self.raw = []

    def figure(self, fid, group, title, unit, better, ref=None):
        f = {"id": fid, "group": group, "title": title, "unit": unit,
             "better": better, "ref": ref, "systems": {}}
        self.figures.append(f)
        return f

    def measure(self, what, systems, fn, out):
        """run fn(system) for each system in turn, self.runs times; out maps
        a key of fn's result to its figure"""
        for rep in range(self.runs):
            if rep and time.monotonic() > self.deadline:
                self.truncated.append(f"{what}: {rep} of {self.runs} runs")
                log(f"  time budget spent: {what} keeps {rep} runs")
                break
            for s in systems:
                t = time.monotonic()
                try:
                    res, err = fn(s), None
                except Exception as e:             # noqa: BLE001 -- reported
                    res, err = None, f"{type(e).__name__}: {e}"
                    self.failures.append({"what": what, "system": s.name,
                                          "run": rep + 1, "error": err})
                    log(f"  FAILED {what} {s.name} run {rep + 1}: {err}")
                    s.restart()
                self.raw.append({"what": what, "system": s.name,
                                 "run": rep + 1, "result": res, "error": err})
                for key, fig in out.items():
                    v = fig["systems"].setdefault(
                        s.name, {"runs": [], "failed": 0})
                    if res is None:
                        v["failed"] += 1
                    else:
                        v["runs"].append(res[key])
                log(f"  {what:<28} {s.name:<12} {time.monotonic() - t:5.1f} s"
                    + ("" if res is None else "  " + ", ".join(
                        f"{k} {res[k]:.4g}" for k in out)))


def summarise(fig):
    for v in fig["systems"].values():
        runs = sorted(v["runs"])
        if runs:
            n = len(runs)
            v["median"] = runs[n // 2] if n % 2 else \
                (runs[n // 2 - 1] + runs[n // 2]) / 2
            v["min"], v["max"] = runs[0], runs[-1]
    s = fig["systems"]
    refs = [fig["ref"]] if fig["ref"] else ["ser2net", "ser2net-def"]
    refs = [r for r in refs if "median" in s.get(r, {})]
    if "median" not in s.get("sernet", {}) or not refs:
        return
    pick = max if fig["better"] == "higher" else min
    ref = pick(refs, key=lambda r: s[r]["median"])
    a, b = s["sernet"]["median"], s[ref]["median"]
    fig["vs"] = ref
    fig["ratio"] = a / b if b else None
    if fig["better"] == "higher":
        fig["advantage"] = a / b if b else None
    else:
        fig["advantage"] = b / a if a else None


def fmt(v):
    if v is None:
        return "-"
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    if v >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}"


COLS = ["sernet", "ser2net", "ser2net-def", "baseline"]


def table(res, markdown=False):
    head = ["figure", "unit"] + [res["systems"][c]["label"] for c in COLS] + \
        ["sernet vs ser2net"]
    rows = []
    for f in res["figures"]:
        row = [f["title"], f["unit"]]
        for c in COLS:
            v = f["systems"].get(c)
            if f.get("na"):
                row.append(f["na"] if c == "sernet" else "")
            elif not v:
                row.append("")
            elif "median" not in v:
                row.append(f"FAILED x{v['failed']}")
            else:
                cell = f"{fmt(v['median'])} ({fmt(v['min'])}-{fmt(v['max'])})"
                if v["failed"]:
                    cell += f" !{v['failed']} failed"
                row.append(cell)
        adv = f.get("advantage")
        if adv is None:
            row.append("")
        else:
            row.append(f"{adv:.2f}x {'better' if adv >= 1 else 'WORSE'}"
                       f" ({f['vs']})")
        rows.append(row)
    if markdown:
        out = ["| " + " | ".join(head) + " |",
               "|" + " --- |" * len(head)]
        out += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(out)
    w = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    out = [head, ["-" * x for x in w]] + rows
    return "\n".join("  ".join(x.ljust(w[i]) for i, x in enumerate(r)).rstrip()
                     for r in out)


# Sizes fit a 15-minute budget under TCG on a 2-core host shared with
# other VMs: the slowest system moves the 8 MB stream in about 12 s.
SIZES = {"stream": 8 << 20, "fanout_total": 16 << 20, "fanout_min": 1 << 20,
         "sustain_s": 4, "latency_n": 1000, "latency_cap_s": 4}
QUICK = {"stream": 1 << 20, "fanout_total": 1 << 20, "fanout_min": 64 << 10,
         "sustain_s": 1, "latency_n": 100, "latency_cap_s": 2}
RUNS = {"throughput": 3, "fanout": 3, "sustained": 5, "latency": 5}
BUDGET_S = 660          # past this, figures get their first run only


def run_all(bench, by, sizes, groups):
    allsys = bench.systems
    if "throughput" in groups:
        bench.runs = RUNS["throughput"]
        data = stream(sizes["stream"], 1)
        t = 30 + sizes["stream"] / 50e3
        f1 = bench.figure("s2n_mb_s", "throughput",
                          "serial->network throughput", "MB/s", "higher")
        f2 = bench.figure("s2n_cpu", "cpu", "serial->network CPU",
                          "CPU s/MB", "lower")
        bench.measure("serial->network", allsys,
                      lambda s: run_s2n(s, data, 1, t),
                      {"mb_s": f1, "cpu_s_per_mb": f2})
        f1 = bench.figure("n2s_mb_s", "throughput",
                          "network->serial throughput", "MB/s", "higher")
        f2 = bench.figure("n2s_cpu", "cpu", "network->serial CPU",
                          "CPU s/MB", "lower")
        bench.measure("network->serial", allsys,
                      lambda s: run_n2s(s, data, t),
                      {"mb_s": f1, "cpu_s_per_mb": f2})
    if "fanout" in groups:
        # the same total to receive for each n: the serial stream shrinks
        bench.runs = RUNS["fanout"]
        for n in (1, 4, 16):
            size = max(sizes["fanout_min"], sizes["fanout_total"] // 4 // n)
            data = stream(size, 2)
            f = bench.figure(f"fanout{n}_cpu", "fanout",
                             f"fan-out {n} client{'s' if n > 1 else ''} CPU",
                             "CPU s/MB", "lower")
            bench.measure(f"fan-out x{n}", allsys,
                          lambda s, n=n, data=data: run_s2n(
                              s, data, n, 30 + n * len(data) / 50e3),
                          {"cpu_s_per_mb": f})
    if "sustained" in groups:
        bench.runs = RUNS["sustained"]
        by["sernet"].packing("lowest")
        f1 = bench.figure("sustain_cpu", "sustained",
                          f"CPU share at {SUSTAIN_BAUD} baud both ways",
                          "% of 2 CPUs", "lower")
        f2 = bench.figure("sustain_fwd_cpu", "sustained",
                          "  same, less the load generator", "% of 2 CPUs",
                          "lower")
        bench.measure("sustained", allsys,
                      lambda s: run_sustained(s, sizes["sustain_s"], 30),
                      {"cpu_share_pct": f1, "fwd_share_pct": f2})
    if "latency" in groups:
        bench.runs = RUNS["latency"]
        pairs = [("lowest", "lowest packing", "ser2net"),
                 ("k3", "K3 default packing", "ser2net-def")]
        for kind, what, ref in pairs:
            by["sernet"].packing(kind)
            for size in (1, 64, 512):
                figs = {f"p{p}_us": bench.figure(
                    f"lat_{kind}_{size}_p{p}", "latency",
                    f"RTT {size} B p{p}, {what}", "us", "lower", ref)
                    for p in (50, 99, 99.9)}
                bench.measure(f"latency {size} B {kind}",
                              [by["sernet"], by[ref], by["baseline"]],
                              lambda s, size=size: run_latency(
                                  s, size, sizes["latency_n"], 30,
                                  sizes["latency_cap_s"]),
                              figs)
        by["sernet"].packing("k3")
    bench.figure("modbus_rtt", "modbus", "Modbus request/response", "us",
                 "lower")["na"] = MODBUS


def main():
    ap = argparse.ArgumentParser(description=__doc__.strip().split("\n")[0])
    ap.add_argument("--out", default=os.path.join(TOP, "build/bench/results.json"))
    ap.add_argument("--quick", action="store_true",
                    help="small sizes, one run: a smoke test of the bench")
    ap.add_argument("--only", default="",
                    help="comma-separated groups: throughput,fanout,sustained,latency")
    ap.add_argument("--table", metavar="JSON",
                    help="only print the table of earlier results")
    ap.add_argument("--markdown", action="store_true",
                    help="with --table: as a Markdown table")
    a = ap.parse_args()
    if a.table:
        with open(a.table) as f:
            print(table(json.load(f), a.markdown))
        return 0
    if os.environ.get("SERNET_VM") != "1":
        sys.exit("bench.py runs inside tools/vm/run (it changes lo and ttys)")
    sizes = QUICK if a.quick else SIZES
    if a.quick:
        RUNS.update({k: 1 for k in RUNS})
    groups = set(a.only.split(",")) if a.only else set(RUNS)

    # glibc's AI_ADDRCONFIG (gensio uses it) ignores 127.0.0.1; without
    # another IPv4 address ser2net cannot resolve its own accepter.
    subprocess.run(["ip", "addr", "add", "127.0.0.2/8", "dev", "lo"],
                   stderr=subprocess.DEVNULL)
    systems = [Sernet(4001), Ser2net(4002, True), Ser2net(4003, False),
               Baseline(4004)]
    by = {s.name: s for s in systems}
    for s in systems:
        s.start()
    bench = Bench(systems, time.monotonic() + BUDGET_S)
    started = time.monotonic()
    log(f"sernet bench: runs per system and figure {RUNS}")
    try:
        run_all(bench, by, sizes, groups)
    finally:
        counters = by["sernet"].counters()
        for s in systems:
            s.stop()
    for f in bench.figures:
        summarise(f)
    res = {
        "meta": meta(sizes, time.monotonic() - started, counters,
                     bench.truncated),
        "systems": {s.name: {"label": s.label, "packing": packings(s)}
                    for s in systems},
        "figures": bench.figures,
        "failures": bench.failures,
        "runs": bench.raw,
    }
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1)
    text = table(res)
    with open(os.path.splitext(a.out)[0] + ".txt", "w") as f:
        f.write(text + "\n")
    print(text)
    print(f"\n{len(bench.failures)} failed runs; results in {a.out}")
    return 1 if bench.failures else 0


def packings(s):
    if isinstance(s, Sernet):
        return dict(s.packs)
    return s.packing("lowest")


def meta(sizes, secs, counters, truncated):
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    ver = subprocess.run(["ser2net", "-v"], capture_output=True, text=True)
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"),
        "kernel": platform.release(),
        "guest_cpus": os.cpu_count(),
        "guest_cpu_model": model,
        "guest_mem_mb": os.sysconf("SC_PHYS_PAGES") *
        os.sysconf("SC_PAGE_SIZE") // (1 << 20),
        "host": os.environ.get("SERNET_BENCH_HOST", ""),
        "sernet_version": os.environ.get("SERNET_BENCH_VERSION", ""),
        "ser2net": (ver.stdout + ver.stderr).strip(),
        "python": platform.python_version(),
        "runs": RUNS,
        "truncated": truncated,
        "sizes": sizes,
        "bench_seconds": round(secs, 1),
        "sernet_counters": counters,
        "note": "QEMU TCG (emulated CPU): only ratios carry over",
    }


if __name__ == "__main__":
    sys.exit(main())
