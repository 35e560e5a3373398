#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
sernet benchmark: the kernel data path side by side with ser2net and a
plain userspace forwarder, in one boot. Runs inside tools/vm/run (it adds
127.0.0.2 to lo, attaches line disciplines, pins processes and the
unbound workqueues); only 127.0.0.1 is dialled.

Every system forwards between the slave of its own pty pair and TCP
clients on 127.0.0.1; this process is the device (on the pty master) and
the clients. Every figure is measured in rounds, one run of each system a
round, the order rotated by one each round (A B C D, B C D A, ...); each
figure is the median of the runs, with min and max. A CPU figure is the
CPU above the idle floor of the VM, measured after each round for as long
as the round's median run. Throughput streams are checksummed (CRC-32 and
length) at every receiver; a run that loses, adds or changes a byte fails
and is reported.

Many ports (groups scale, isolation, fanout-fwd): the device and the
clients are load.c, a C load generator, so that the load is not most of
the CPU measured; its own CPU time (getrusage) is shown apart and taken
out in a second row.

    bench.py [--out FILE] [--quick] [--only GROUP,...] [--ports N,...]
    bench.py --table RESULTS.json [--markdown]
"""
import argparse
import datetime
import fcntl
import json
import math
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
import tempfile
import threading
import time
import tty
import zlib

TIOCSETD = 0x5423
LDISC = int(os.environ.get("SERNET_LDISC", "29"))
CLASS = "/sys/class/sernet"
WQ_MASK = "/sys/devices/virtual/workqueue/cpumask"
HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
FWD = os.path.join(TOP, "build", "bench", "fwd")
LOAD = os.path.join(TOP, "build", "bench", "load")
SERNETD = os.path.join(TOP, "build", "bin", "sernetd")
HZ = os.sysconf("SC_CLK_TCK")
NCPU = os.cpu_count()
MB = 1e6
MARK = b"\x5asernet-bench\xa5\x00"      # device -> clients: stream starts
SUSTAIN_BAUD = 921600                    # 8N1: 92160 bytes/s each way
MODBUS = "n/a (no gateway yet)"
IDLE_S = (1.0, 3.0)     # the idle floor's interval: the round's median, within


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def read(path):
    with open(path) as f:
        return f.read().strip()


def write(path, value):
    with open(path, "w") as f:
        f.write(str(value))


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
    """(busy, steal, total) clock ticks of all CPUs since boot, from
    /proc/stat; busy leaves steal out: it is counted apart"""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq = v[:7]
    steal = v[7] if len(v) > 7 else 0
    busy = user + nice + system + irq + softirq
    return busy, steal, busy + steal + idle + iowait


class Meter:
    """Wall time, CPU and steal of the whole guest, CPU of this process
    (the load generator)."""

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
        self.steal = (c1[1] - self.c0[1]) / HZ
        self.load = (r1.ru_utime - self.r0.ru_utime) + \
            (r1.ru_stime - self.r0.ru_stime)

    def __exit__(self, *exc):
        if not hasattr(self, "secs"):
            self.stop()

    def result(self, **more):
        return dict(secs=self.secs, cpu_s=self.cpu, steal_s=self.steal,
                    load_s=self.load, **more)


def idle_floor(secs):
    """CPU s per s and steal s per s of the VM with nothing running: the
    forwarders wait, this process sleeps (the sleep is the measurement)"""
    with Meter() as m:
        time.sleep(secs)
        m.stop()
    return m.cpu / m.secs, m.steal / m.secs


def above_floor(res, floor):
    """the CPU figures of one run, less floor (CPU s per s) over its time"""
    res["floor_cpu_s"] = floor * res["secs"]
    cpu = res["cpu_s"] - res["floor_cpu_s"]
    if "mb" in res:
        res["cpu_s_per_mb"] = cpu / res["mb"]
        res["load_cpu_s_per_mb"] = res["load_s"] / res["mb"]
        res["fwd_cpu_s_per_mb"] = res["cpu_s_per_mb"] - \
            res["load_cpu_s_per_mb"]
    all_cpu = res["secs"] * NCPU
    res["cpu_share_pct"] = 100 * cpu / all_cpu
    res["load_share_pct"] = 100 * res["load_s"] / all_cpu
    res["fwd_share_pct"] = res["cpu_share_pct"] - res["load_share_pct"]


# --- vCPU placement ---------------------------------------------------------

def tasks(pid):
    return [int(t) for t in os.listdir(f"/proc/{pid}/task")]


def last_cpu(pid, tid):
    """field 39 of /proc/PID/task/TID/stat: the vCPU it ran on last"""
    stat = read(f"/proc/{pid}/task/{tid}/stat")
    return int(stat.rsplit(")", 1)[1].split()[36])


def placed(sysm, fwd_cpu, fn):
    """run fn() with this process (the device and the clients) on vCPU 0
    and the forwarder on fwd_cpu: its process, and the unbound workqueues,
    where the pty's flip-buffer work runs (for sernet the whole path; for
    the others the step before the forwarder's read). Records the vCPU
    every task ran on last."""
    every = set(range(NCPU))
    wq = read(WQ_MASK)
    try:
        os.sched_setaffinity(0, {0})      # threads started later inherit it
        write(WQ_MASK, f"{1 << fwd_cpu:x}")
        for pid in sysm.pids():
            for tid in tasks(pid):
                os.sched_setaffinity(tid, {fwd_cpu})
        res = fn()
        res["placement"] = {
            "load_cpu": 0, "forwarder_cpu": fwd_cpu,
            "workqueue_mask": read(WQ_MASK),
            "last_cpu": {f"{sysm.name} {tid}": last_cpu(pid, tid)
                         for pid in sysm.pids() for tid in tasks(pid)}}
        return res
    finally:
        os.sched_setaffinity(0, every)
        write(WQ_MASK, wq)
        for pid in sysm.pids():
            for tid in tasks(pid):
                os.sched_setaffinity(tid, every)


# --- the systems -------------------------------------------------------------

def end_process(proc):
    """SIGTERM, then SIGKILL after 5 s; reaped (None: nothing to end)"""
    if proc:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


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

    def pids(self):
        """the forwarder's processes (none: a kernel path)"""
        return [self.proc.pid] if self.proc else []

    def stop(self):
        end_process(self.proc)
        self.proc = None
        for fd in (self.slave, self.master):
            if fd is not None:
                os.close(fd)
        self.master = self.slave = None

    def restart(self):
        self.stop()
        self.start()

    def packing(self):
        return "none: what a read returns is written at once"

    def clients_ready(self, n):
        pass


class Sernet(System):
    """the line discipline; kind "k3": the K3's default packing at 115200
    baud; "lowest": the same at 921600 baud, where the automatic time hits
    its 100 us floor"""

    def __init__(self, port, kind):
        super().__init__(port)
        self.kind = kind
        self.maxc = 16
        self.name = "sernet" if kind == "k3" else "sernet-low"
        self.label = "sernet (kernel)"
        self.pack = ""

    def attach(self):
        fcntl.ioctl(self.slave, TIOCSETD, struct.pack("i", LDISC))
        tty = "pts" + self.pts.rsplit("/", 1)[1]
        self.dir = next(f"{CLASS}/{d}" for d in os.listdir(CLASS)
                        if read(f"{CLASS}/{d}/tty_name") == tty)
        self.set("max_clients", self.maxc)
        self.set("port", self.port)
        self.set("baud", 115200 if self.kind == "k3" else SUSTAIN_BAUD)
        self.set("pack_time", 0)
        self.set("pack_len", 0)
        self.pack = "pack_time 0 (auto: %s us at %s baud), pack_len 0 " \
            "(1460)" % (read(f"{self.dir}/pack_time_us"),
                        read(f"{self.dir}/baud"))

    def set(self, attr, value):
        write(f"{self.dir}/{attr}", value)

    def packing(self):
        return self.pack

    def clients_ready(self, n):
        wait_for(lambda: read(f"{self.dir}/state") == f"CONNECTED({n})", 10,
                 f"CONNECTED({n})")

    def counters(self):
        d = f"{self.dir}/statistics"
        return {k: int(read(f"{d}/{k}")) for k in os.listdir(d)}


class Ser2net(System):
    """Debian's ser2net 4.x. mode "lowest": no character delay, TCP_NODELAY
    and 16 KiB buffers (the fastest it goes); "def": its defaults (Nagle
    on); "nd": its defaults plus the tcp accepter's nodelay option, so that
    only the packing differs from sernet's K3 default"""
    NAMES = {"lowest": ("ser2net", "ser2net (lowest delay)"),
             "def": ("ser2net-def", "ser2net (defaults)"),
             "nd": ("ser2net-nd", "ser2net (defaults + nodelay)")}

    def __init__(self, port, mode):
        super().__init__(port)
        self.mode = mode
        self.name, self.label = self.NAMES[mode]

    maxc = 16

    def options(self):
        opts = {"max-connections": self.maxc}
        if self.mode == "lowest":
            opts.update({"chardelay": "false", "dev-to-net-bufsize": 16384,
                         "net-to-dev-bufsize": 16384})
        return opts

    def config(self):
        acc, dev = {"lowest": ("tcp(nodelay,readbuf=16384)",
                               "serialdev(readbuf=16384)"),
                    "def": ("tcp", "serialdev"),
                    "nd": ("tcp(nodelay)", "serialdev")}[self.mode]
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
        write(path, self.config())
        self.spawn(["ser2net", "-n", "-d", "-c", path,
                    "-P", f"/tmp/bench-{self.name}.pid"])

    def packing(self):
        if self.mode == "lowest":
            return "chardelay off, 16 KiB buffers, TCP_NODELAY"
        return "chardelay on (2 chars, at least 1000 us), 64-byte buffers, " + \
            ("TCP_NODELAY" if self.mode == "nd" else "Nagle on")


class Baseline(System):
    name, label = "baseline", "userspace baseline"
    maxc = 16

    def attach(self):
        self.spawn([FWD, self.pts, str(self.port), str(self.maxc)])


# --- the load: device on the pty master, clients on TCP ----------------------

class Agent(System):
    """sernetd, the agent, serving one port of its own (TCPS on
    127.0.0.1:port): in the memory figure only, started after the others
    stopped, as the agent would serve every port it sees"""
    name, label = "sernetd", "sernetd (the agent)"

    def attach(self):
        fcntl.ioctl(self.slave, TIOCSETD, struct.pack("i", LDISC))
        d = tempfile.mkdtemp()
        conf = os.path.join(d, "sernet.conf")
        write(conf, f"PORT1={self.pts}\nAT+SOCKA1=TCPS,127.0.0.1,{self.port}\n")
        self.spawn([SERNETD, "-f", "-c", conf, "--control",
                    os.path.join(d, "control")])

    def packing(self):
        return "the kernel's (the agent only configures)"


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise ValueError(f"no VmRSS for {pid}")


def run_memory(bench, cast):
    """The resident memory of the agent and of ser2net, each serving one
    port, no client ever connected: the userspace a board keeps running"""
    for s in cast:
        s.start()
    try:
        bench.runs = RUNS["memory"]
        f = bench.figure("idle_rss", "memory",
                         "idle resident memory, one port (agent)", "KiB",
                         "lower", cast, "sernetd", ["ser2net-def", "ser2net"])
        bench.measure("idle memory", cast,
                      lambda s: {"rss_kib": sum(rss_kib(p) for p in s.pids())},
                      {"rss_kib": f})
    finally:
        for s in cast:
            s.stop()


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
    """the raw figures; the CPU ones follow from the idle floor"""
    mb = nbytes / MB
    return m.result(mb=mb, mb_s=mb / m.secs)


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
    return m.result(achieved_bytes_s=(len(up) + len(down)) / 2 / m.secs)


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


# --- many ports at once: the C load generator (load.c) --------------------------

class Pty(System):
    """a bare pty pair for a forwarder that serves many (ser2net)"""

    def start(self):
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.pts = os.ttyname(self.slave)


class Many:
    """one system on n pty ports: n line disciplines (sernet), n
    forwarders (baseline), or one ser2net process with n connections;
    ports base..base+n-1, maxc clients each. units: the ports, each with
    master and port (units[0] serves the latency of isolation)."""

    def __init__(self, name, n, base, maxc=16):
        self.name, self.n, self.base, self.maxc = name, n, base, maxc
        self.units = []
        self.proc = None

    def unit(self, port):
        if self.name == "sernet-low":
            u = Sernet(port, "lowest")
        elif self.name == "baseline":
            u = Baseline(port)
        else:
            u = Pty(port)
        u.maxc = self.maxc
        return u

    def start(self):
        self.units = [self.unit(self.base + i) for i in range(self.n)]
        for u in self.units:
            u.start()
        if self.name == "ser2net":
            path = "/tmp/bench-ser2net-many.yaml"
            write(path, self.config())
            logf = open("/tmp/bench-ser2net-many.log", "ab")
            self.proc = subprocess.Popen(
                ["ser2net", "-n", "-d", "-c", path,
                 "-P", "/tmp/bench-ser2net-many.pid"],
                stdout=logf, stderr=logf, stdin=subprocess.DEVNULL)
            logf.close()
            for u in self.units:
                wait_for(lambda u=u: listening(u.port), 10, "ser2net to listen")

    def config(self):
        """one yaml, one connection per port, the lowest-delay options"""
        text = "%YAML 1.1\n---\n"
        for i, u in enumerate(self.units):
            one = Ser2net(u.port, "lowest")
            one.pts, one.maxc = u.pts, self.maxc
            text += one.config().split("---\n", 1)[1].replace(
                "&bench", f"&bench{i}")
        return text

    def pids(self):
        return ([self.proc.pid] if self.proc else []) + \
            [p for u in self.units for p in u.pids()]

    def stop(self):
        end_process(self.proc)
        self.proc = None
        for u in self.units:
            u.stop()
        self.units = []

    def restart(self):
        self.stop()
        self.start()


def parse_load(text):
    """load.c's report: the JSON line after "ready"; ValueError if any
    stream lost, added or changed a byte"""
    lines = [x for x in text.splitlines() if x.strip()]
    if not lines or lines[0] != "ready":
        raise ValueError("load: no handshake: " + text[-200:])
    if len(lines) < 2:
        raise ValueError("load: no report")
    rep = json.loads(lines[-1])
    bad = [f"{s['port']} {s['dir']} client {s['client']}: sent {s['sent']}, "
           f"received {s['recv']}" for s in rep["streams"] if not s["ok"]]
    if bad or not rep["ok"]:
        raise ValueError("load: streams differ: " + "; ".join(bad[:4]))
    return rep


def load_argv(units, rate, secs=None, nbytes=None, clients=1,
              down_only=False):
    argv = [LOAD, "--rate", str(rate), "--clients", str(clients)]
    if secs is not None:
        argv += ["--secs", str(secs)]
    if nbytes is not None:
        argv += ["--bytes", str(nbytes)]
    if down_only:
        argv.append("--down-only")
    for u in units:
        argv += ["--port", f"{u.master}:{u.port}"]
    return argv


def start_load(units, timeout, **kw):
    """load.c on units, past its handshake: (process, its "ready" line)"""
    p = subprocess.Popen(load_argv(units, **kw), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True,
                         pass_fds=[u.master for u in units])
    sel = selectors.DefaultSelector()
    sel.register(p.stdout, selectors.EVENT_READ)
    ok = sel.select(timeout)
    sel.close()
    first = p.stdout.readline() if ok else ""
    if first.strip() != "ready":
        p.kill()
        out, err = p.communicate()
        for u in units:
            os.set_blocking(u.master, True)
        raise ValueError(f"load: no handshake ({err.strip()[-200:]})")
    return p, first


def finish_load(p, first, units, timeout):
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    finally:
        for u in units:             # load.c made them non-blocking
            os.set_blocking(u.master, True)
    if err.strip():
        log("  load: " + err.strip()[-300:])
    return parse_load(first + out)


def with_load(res, rep):
    """a run's Meter result with load.c's report: its CPU counts as the
    load generator's (beside this process's, which only waited)"""
    res["load_c_s"] = rep["cpu_s"]
    res["load_s"] += rep["cpu_s"]
    res["streams"] = len(rep["streams"])
    res["stream_bytes"] = sum(s["recv"] for s in rep["streams"])
    res["achieved_bytes_s"] = res["stream_bytes"] / max(1, res["streams"]) \
        / rep["secs"] if rep["secs"] > 0 else 0
    res.setdefault("mb", res["stream_bytes"] / MB)   # scale: all streams
    return res


def run_scale(many, secs, timeout):
    """every port SUSTAIN_BAUD's byte rate both ways for secs, measured
    from the end of load.c's handshakes"""
    p, first = start_load(many.units, timeout, rate=SUSTAIN_BAUD // 10,
                          secs=secs)
    with Meter() as m:
        rep = finish_load(p, first, many.units, secs + timeout)
        m.stop()
    return with_load(m.result(), rep)


def run_isolation(many, n, timeout, cap):
    """64-byte RTT on the first port, the others idle, then the same with
    the others at SUSTAIN_BAUD's byte rate both ways (load.c)"""
    idle = run_latency(many.units[0], 64, n, timeout, cap)
    rest = many.units[1:]
    p, first = start_load(rest, timeout, rate=SUSTAIN_BAUD // 10,
                          secs=cap + 1)
    t = time.perf_counter()
    try:
        busy = run_latency(many.units[0], 64, n, timeout, cap)
    finally:
        busy_s = time.perf_counter() - t
        rep = finish_load(p, first, rest, cap + 1 + timeout)
    res = {f"{k}_{q}": v[q] for k, v in (("idle", idle), ("busy", busy))
           for q in ("p50_us", "p99_us")}
    res["p99_ratio"] = busy["p99_us"] / idle["p99_us"]
    res["samples"] = min(idle["samples"], busy["samples"])
    res["load_c_s"] = rep["cpu_s"]
    # the busy round trips all ran while the others were loaded
    res["busy_s"], res["load_secs"] = busy_s, rep["secs"]
    return res


def run_fanout_fwd(many, nclients, nbytes, timeout):
    """serial -> network to nclients, load.c the device and receivers,
    measured from the end of its handshakes"""
    p, first = start_load(many.units, timeout, rate=0, nbytes=nbytes,
                          clients=nclients, down_only=True)
    with Meter() as m:
        rep = finish_load(p, first, many.units, timeout)
        m.stop()
    return with_load(m.result(mb=nbytes / MB), rep)


def ratio_figure(bench, fid, title, num, den, key):
    """a figure of ratios num/den of the runs (bench.raw: what, system,
    run) of the same system and round: the n-client fan-out over the
    1-client one; a round without both runs, or a ratio by 0, fails"""
    f = bench.figure(fid, num["group"], title, "x", num["better"], [],
                     num["subject"], num["refs"], num["note"])
    f["cast"], f["planned"] = num["cast"], num["planned"]
    got = {(r["what"], r["system"], r["run"]): r["result"]
           for r in bench.raw}
    for (what, name, rnd), res in got.items():
        if what != num["what"] or name not in f["cast"]:
            continue
        v = f["systems"].setdefault(name, {"runs": [], "failed": 0})
        d = got.get((den["what"], name, rnd))
        if res is None or d is None or d[key] <= 0:
            v["failed"] += 1
        else:
            v["runs"].append(res[key] / d[key])
    return f


SCALE_N = (1, 8, 32)     # ports of scale (--ports)
FANFWD_DIV = {1: 4, 4: 4, 16: 16, 64: 64}   # fanout_total / serial bytes
ISO_N = (8,)             # ports of isolation: --ports gives every N > 1
SCALE_BASE = {"sernet-low": 5000, "ser2net": 6000, "baseline": 7000}


def many_cast(n, slot, maxc=16):
    return [Many(name, n, base + 100 * slot, maxc)
            for name, base in SCALE_BASE.items()]


def started(bench, cast, what):
    """start the systems of cast; one that does not start is a failed run
    of what (the rest of the bench goes on without it)"""
    for s in cast:
        try:
            s.start()
        except Exception as e:             # noqa: BLE001 -- reported
            err = f"{type(e).__name__}: {e}"
            bench.failures.append({"what": what, "system": s.name, "run": 0,
                                   "error": "did not start: " + err})
            log(f"  FAILED {what}: {s.name} did not start: {err}")
            for x in cast:
                x.stop()
            return False
    return True


def run_many(bench, sizes, groups):
    """scale and isolation: for each N, the three systems on N ports"""
    for slot, n in enumerate(sizes["scale_n"]):
        iso = "isolation" in groups and n in sizes["iso_n"]
        if "scale" not in groups and not iso:
            continue
        cast = many_cast(n, slot)
        if not started(bench, cast, f"{n} ports"):
            continue
        try:
            if "scale" in groups:
                bench.runs = RUNS["scale"]
                pl = "s" if n > 1 else ""
                f1 = bench.figure(f"scale{n}_cpu", "scale",
                                  f"CPU share, {n} port{pl} at {SUSTAIN_BAUD} "
                                  "both ways", f"% of {NCPU} CPUs", "lower",
                                  cast, "sernet-low")
                f2 = bench.figure(f"scale{n}_load", "scale",
                                  "  the load generator's own (load.c)",
                                  f"% of {NCPU} CPUs", "lower", cast,
                                  "sernet-low")
                f3 = bench.figure(f"scale{n}_fwd", "scale",
                                  "  same, less the load generator",
                                  f"% of {NCPU} CPUs", "lower", cast,
                                  "sernet-low", note="load")
                # a system that falls behind takes longer: CPU per MB
                # carried is fair across durations, the rate says it
                f4 = bench.figure(f"scale{n}_fwd_mb", "scale",
                                  "  CPU per MB carried, less the load "
                                  "generator", "CPU s/MB", "lower", cast,
                                  "sernet-low", note="load")
                f5 = bench.figure(f"scale{n}_rate", "scale",
                                  "  rate achieved per stream "
                                  f"(of {SUSTAIN_BAUD // 10})", "B/s",
                                  "higher", cast, "sernet-low")
                bench.measure(f"scale x{n}", cast,
                              lambda s: run_scale(s, sizes["sustain_s"], 30),
                              {"cpu_share_pct": f1, "load_share_pct": f2,
                               "fwd_share_pct": f3, "fwd_cpu_s_per_mb": f4,
                               "achieved_bytes_s": f5}, floor=True)
            if iso:
                bench.runs = RUNS["isolation"]
                figs = {}
                for k, what in (("idle", "idle"), ("busy", "at full rate")):
                    for p in (50, 99):
                        f = figs[k, p] = bench.figure(
                            f"iso{n}_{k}_p{p}", "isolation",
                            f"RTT 64 B p{p}, {n - 1} other ports {what}",
                            "us", "lower", cast, "sernet-low", ["ser2net"])
                        f["target_samples"] = sizes["latency_n"]
                figs["ratio"] = bench.figure(
                    f"iso{n}_p99_ratio", "isolation",
                    "  p99 at full rate / p99 idle", "x", "lower", cast,
                    "sernet-low", ["ser2net"])
                bench.measure(f"isolation x{n}", cast,
                              lambda s: run_isolation(
                                  s, sizes["latency_n"], 30,
                                  sizes["latency_cap_s"]),
                              {"p99_ratio" if k == "ratio" else
                               f"{k[0]}_p{k[1]}_us": f for k, f in figs.items()})
        finally:
            for s in cast:
                s.stop()


def run_fanout_many(bench, sizes):
    """fan-out, forwarder only: load.c is the device and the receivers,
    its own CPU left out; the n/1 rows are the forwarder's own ratios"""
    cast = many_cast(1, 9, 64)
    bench.runs = RUNS["fanout-fwd"]
    figs = {}
    if not started(bench, cast, "fan-out fwd"):
        return
    try:
        for n in (1, 4, 16, 64):
            # about a second a run; 64 clients of 1 MiB would take most
            # of a minute
            size = sizes["fanout_total"] // FANFWD_DIV[n]
            f = figs[n] = bench.figure(
                f"fanfwd{n}_cpu", "fanout-fwd",
                f"fan-out {n} client{'s' if n > 1 else ''} CPU, "
                "forwarder only", "CPU s/MB", "lower", cast, "sernet-low")
            f["what"] = f"fan-out fwd x{n}"
            bench.measure(f["what"], cast,
                          lambda s, n=n, size=size: run_fanout_fwd(
                              s, n, size, 30 + n * size / 50e3),
                          {"fwd_cpu_s_per_mb": f}, floor=True)
    finally:
        for s in cast:
            s.stop()
    for n in (4, 16, 64):
        ratio_figure(bench, f"fanfwd{n}_ratio",
                     f"  fan-out {n}/1 clients, forwarder only",
                     figs[n], figs[1], "fwd_cpu_s_per_mb")


# --- runs, figures, results ------------------------------------------------------

def rotate(seq, r):
    """round r's order: seq rotated left by r (A B C D, B C D A, ...)"""
    k = r % len(seq)
    return list(seq[k:]) + list(seq[:k])


class Bench:
    def __init__(self, deadline, clock=time.monotonic, idle=idle_floor):
        self.runs = 1
        self.deadline = deadline
        self.clock = clock
        self.idle = idle
        self.truncated = []
        self.figures = []
        self.failures = []
        self.raw = []
        self.orders = []
        self.floors = []

    def figure(self, fid, group, title, unit, better, cast, subject="sernet",
               refs=None, note=None):
        """cast: the systems in the figure; subject: the one in the sernet
        column; refs: the ser2net systems to compare with (None: the better
        of ser2net and ser2net-def)"""
        f = {"id": fid, "group": group, "title": title, "unit": unit,
             "better": better, "cast": [s.name for s in cast],
             "subject": subject, "refs": refs, "note": note, "planned": 0,
             "systems": {}}
        self.figures.append(f)
        return f

    def attempt(self, what, s, rnd, fn):
        t = self.clock()
        try:
            res, err = fn(s), None
        except Exception as e:             # noqa: BLE001 -- reported
            res, err = None, f"{type(e).__name__}: {e}"
            self.failures.append({"what": what, "system": s.name,
                                  "run": rnd + 1, "error": err})
            log(f"  FAILED {what} {s.name} run {rnd + 1}: {err}")
            s.restart()
        log(f"  {what:<28} {s.name:<12} {self.clock() - t:5.1f} s")
        return res, err

    def measure(self, what, cast, fn, out, floor=False):
        """self.runs rounds of fn(system), one run of each system of cast a
        round, the order rotated by one each round; out maps a key of fn's
        result to its figure or figures (each takes the systems of its
        cast). floor: a CPU figure, measured above the idle floor"""
        out = {k: v if isinstance(v, list) else [v] for k, v in out.items()}
        figs = list({id(f): f for fl in out.values() for f in fl}.values())
        for f in figs:
            f["planned"] = self.runs
        for rnd in range(self.runs):
            if rnd and self.clock() > self.deadline:
                self.truncated.append(f"{what}: {rnd} of {self.runs} runs")
                log(f"  time budget spent: {what} keeps {rnd} runs")
                for f in figs:
                    f["truncated"] = True
                break
            order = rotate(cast, rnd)
            self.orders.append({"what": what, "round": rnd + 1,
                                "order": [s.name for s in order]})
            done = [(s, *self.attempt(what, s, rnd, fn)) for s in order]
            if floor:
                secs = sorted(r["secs"] for _, r, _ in done if r)
                d = secs[len(secs) // 2] if secs else IDLE_S[0]
                d = min(IDLE_S[1], max(IDLE_S[0], d))
                rate, steal = self.idle(d)
                self.floors.append({"what": what, "round": rnd + 1,
                                    "secs": d, "cpu_pct": 100 * rate / NCPU,
                                    "steal_pct": 100 * steal / NCPU})
            for pos, (s, res, err) in enumerate(done):
                if res is not None and floor:
                    above_floor(res, rate)
                self.raw.append({"what": what, "system": s.name,
                                 "run": rnd + 1, "position": pos + 1,
                                 "result": res, "error": err})
                for key, fl in out.items():
                    for fig in fl:
                        if s.name not in fig["cast"]:
                            continue
                        v = fig["systems"].setdefault(
                            s.name, {"runs": [], "failed": 0})
                        if res is None:
                            v["failed"] += 1
                            continue
                        v["runs"].append(res[key])
                        if "samples" in res:
                            v.setdefault("samples", []).append(res["samples"])
                if res is not None:
                    log(f"    {s.name:<12} " + ", ".join(
                        f"{k} {res[k]:.4g}" for k in out))


def compare(a, b, better):
    """subject a against b (summaries with runs, median, min, max):
    advantage above 1 when a is better in the figure's sense; verdict
    "same" when the min-max ranges overlap, "1 run" when either has fewer
    than 2 runs (no range), else "better" or "WORSE" """
    ma, mb = a["median"], b["median"]
    adv = None                 # no ratio of figures within noise of 0
    if a["min"] > 0 and b["min"] > 0:
        adv = ma / mb if better == "higher" else mb / ma
    if len(a["runs"]) < 2 or len(b["runs"]) < 2:
        verdict = "1 run"
    elif a["min"] <= b["max"] and b["min"] <= a["max"]:
        verdict = "same"
    else:
        verdict = "better" if (ma > mb) == (better == "higher") else "WORSE"
    return {"advantage": adv, "verdict": verdict}


def summarise(fig):
    for v in fig["systems"].values():
        runs = sorted(v["runs"])
        if runs:
            n = len(runs)
            v["median"] = runs[n // 2] if n % 2 else \
                (runs[n // 2 - 1] + runs[n // 2]) / 2
            v["min"], v["max"] = runs[0], runs[-1]
    s = fig["systems"]
    subj = s.get(fig["subject"], {})
    if "median" not in subj:
        return
    refs = [r for r in fig["refs"] or ["ser2net", "ser2net-def"]
            if "median" in s.get(r, {})]
    if not fig["refs"] and refs:      # the better of the two ser2nets
        pick = max if fig["better"] == "higher" else min
        refs = [pick(refs, key=lambda r: s[r]["median"])]
    fig["vs"] = [dict(compare(subj, s[r], fig["better"]), ref=r) for r in refs]
    if "median" in s.get("baseline", {}):
        fig["vs_baseline"] = compare(subj, s["baseline"], fig["better"])


def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 100:
        return f"{v:.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    if abs(v) >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}"


COLS = ["sernet", "ser2net", "ser2net-def", "ser2net-nd", "baseline"]
NOTES = {
    "nagle": "sernet sets TCP_NODELAY on its sockets; ser2net's defaults "
    "leave Nagle on. A message longer than ser2net's 64-byte buffer (512 B "
    "here) leaves it as several writes, and with Nagle the writes after the "
    "first are held until the first is acknowledged, which the client "
    "delays (a delayed ACK, 40 ms at least): for those, most of the gap to "
    "ser2net (defaults) is Nagle, not packing. ser2net (defaults + nodelay) "
    "is the same ser2net with the tcp accepter's nodelay option: against it "
    "the packing alone is compared.",
    "load": "the load generator's time includes the kernel work done in its "
    "own system calls, and loopback TCP delivers in the sender's context: "
    "part of a kernel forwarder's network->serial path runs on the load's "
    "time, so this row flatters sernet; the row above does not.",
}
LEGEND = (
    "median (min-max) of the runs; ratio above 1: sernet better. "
    "'same': the min-max ranges overlap, no difference shown; "
    "'1 run': a single run has no range, no verdict. "
    "[k of N runs]: the time budget ran out, the figure kept k of its N "
    "planned runs; [n failed]: runs that failed (JSON: failures); "
    "[n samples]: a latency run stopped at its time cap with n round trips; "
    "no ratio: a min-max range reaches 0 (CPU above the idle floor).")


def cell(fig, v):
    if not v:
        return ""
    marks = []
    tried = len(v["runs"]) + v["failed"]
    if tried < fig.get("planned", 0):
        marks.append(f"{tried} of {fig['planned']} runs")
    if v["failed"]:
        marks.append(f"{v['failed']} failed")
    target = fig.get("target_samples")
    if target and v.get("samples") and min(v["samples"]) < target:
        marks.append(f"{min(v['samples'])} samples")
    if "median" in v:
        text = f"{fmt(v['median'])} ({fmt(v['min'])}-{fmt(v['max'])})"
    else:
        text = "FAILED"
    return text + (" [" + ", ".join(marks) + "]" if marks else "")


def verdict(c):
    if c["advantage"] is None:
        return f"{c['verdict']}, no ratio"
    r = f"{c['advantage']:.2f}x"
    if c["verdict"] == "same":
        return f"same ({r})"
    if c["verdict"] == "1 run":
        return f"{r} (1 run)"
    return f"{r} {c['verdict']}"


def letter(note):
    """a footnote's mark: its place in NOTES, whatever the rows"""
    return chr(ord("a") + list(NOTES).index(note))


def rows_of(res):
    notes = []
    rows = []
    for f in res["figures"]:
        title = f["title"]
        if f.get("note"):
            if f["note"] not in notes:
                notes.append(f["note"])
            title += f" [{letter(f['note'])}]"
        row = [title, f["unit"]]
        for c in COLS:
            if f.get("na"):
                row.append(f["na"] if c == "sernet" else "")
                continue
            name = f.get("subject", "sernet") if c == "sernet" else c
            row.append(cell(f, f["systems"].get(name)))
        row.append("; ".join(f"{verdict(c)} ({c['ref']})"
                             for c in f.get("vs", [])))
        vb = f.get("vs_baseline")
        row.append(verdict(vb) if vb else "")
        rows.append(row)
    return rows, notes


def footer(res, notes):
    out = [LEGEND]
    for n in sorted(notes, key=letter):
        out.append(f"[{letter(n)}] {NOTES[n]}")
    m = res.get("meta", {})
    fl = m.get("idle_floor")
    if fl:
        out.append(f"CPU figures are above the idle floor of the VM: "
                   f"{fmt(fl['median_pct'])} % of {m.get('guest_cpus', '?')} "
                   f"vCPUs (median; {fmt(fl['min_pct'])}-{fmt(fl['max_pct'])} "
                   f"over {fl['intervals']} idle intervals, one after each "
                   f"round). Steal time, left out of busy time: "
                   f"{fmt(m.get('steal_s', 0))} s in "
                   f"{fmt(m.get('measured_s', 0))} s measured.")
    return out


def table(res, markdown=False):
    label = {c: res["systems"].get(c, {}).get("label", c) for c in COLS}
    head = ["figure", "unit"] + [label[c] for c in COLS] + \
        ["sernet vs ser2net", "sernet vs baseline"]
    rows, notes = rows_of(res)
    foot = footer(res, notes)
    if markdown:
        out = ["| " + " | ".join(head) + " |",
               "|" + " --- |" * len(head)]
        out += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(out + [""] + [x + "\n" for x in foot]).rstrip()
    w = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    out = [head, ["-" * x for x in w]] + rows
    return "\n".join(["  ".join(x.ljust(w[i]) for i, x in enumerate(r)).rstrip()
                      for r in out] + [""] + foot)


# Sizes fit a 15-minute budget under TCG on a 2-core host shared with
# other VMs: the slowest system moves the 8 MB stream in about 14 s.
SIZES = {"stream": 8 << 20, "placed": 2 << 20, "fanout_total": 16 << 20,
         "fanout_min": 1 << 20, "sustain_s": 4, "latency_n": 1000,
         "latency_cap_s": 3, "scale_n": SCALE_N, "iso_n": ISO_N}
QUICK = {"stream": 1 << 20, "placed": 256 << 10, "fanout_total": 1 << 20,
         "fanout_min": 64 << 10, "sustain_s": 1, "latency_n": 100,
         "latency_cap_s": 1, "scale_n": SCALE_N, "iso_n": ISO_N}
RUNS = {"throughput": 3, "placement": 3, "fanout": 3, "sustained": 4,
        "latency": 4, "memory": 3, "scale": 3, "isolation": 3,
        "fanout-fwd": 3}
BUDGET_S = 760          # past this, figures get their first run only


def run_all(bench, by, sizes, groups):
    main4 = [by[n] for n in ("sernet", "ser2net", "ser2net-def", "baseline")]
    if "throughput" in groups:
        bench.runs = RUNS["throughput"]
        data = stream(sizes["stream"], 1)
        t = 30 + sizes["stream"] / 50e3
        f1 = bench.figure("s2n_mb_s", "throughput",
                          "serial->network throughput", "MB/s", "higher",
                          main4)
        f2 = bench.figure("s2n_cpu", "cpu", "serial->network CPU",
                          "CPU s/MB", "lower", main4)
        bench.measure("serial->network", main4,
                      lambda s: run_s2n(s, data, 1, t),
                      {"mb_s": f1, "cpu_s_per_mb": f2}, floor=True)
        f1 = bench.figure("n2s_mb_s", "throughput",
                          "network->serial throughput", "MB/s", "higher",
                          main4)
        f2 = bench.figure("n2s_cpu", "cpu", "network->serial CPU",
                          "CPU s/MB", "lower", main4)
        bench.measure("network->serial", main4,
                      lambda s: run_n2s(s, data, t),
                      {"mb_s": f1, "cpu_s_per_mb": f2}, floor=True)
    if "placement" in groups and NCPU >= 2:
        # the load on vCPU 0, the forwarder on the same vCPU or the other
        bench.runs = RUNS["placement"]
        cast = [by[n] for n in ("sernet", "ser2net", "baseline")]
        data = stream(sizes["placed"], 3)
        t = 30 + sizes["placed"] / 50e3
        for cpu, where, on in ((0, "same", "the load's vCPU"),
                               (1, "other", "the other vCPU")):
            f1 = bench.figure(f"s2n_{where}_mb_s", "placement",
                              f"serial->network, forwarder on {on}", "MB/s",
                              "higher", cast)
            f2 = bench.figure(f"s2n_{where}_cpu", "placement",
                              f"serial->network CPU, forwarder on {on}",
                              "CPU s/MB", "lower", cast)
            bench.measure(f"serial->network, {where} vCPU", cast,
                          lambda s, cpu=cpu: placed(
                              s, cpu, lambda: run_s2n(s, data, 1, t)),
                          {"mb_s": f1, "cpu_s_per_mb": f2}, floor=True)
    if "fanout" in groups:
        # the same total to receive for each n: the serial stream shrinks
        bench.runs = RUNS["fanout"]
        for n in (1, 4, 16):
            size = max(sizes["fanout_min"], sizes["fanout_total"] // 4 // n)
            data = stream(size, 2)
            f = bench.figure(f"fanout{n}_cpu", "fanout",
                             f"fan-out {n} client{'s' if n > 1 else ''} CPU",
                             "CPU s/MB", "lower", main4)
            bench.measure(f"fan-out x{n}", main4,
                          lambda s, n=n, data=data: run_s2n(
                              s, data, n, 30 + n * len(data) / 50e3),
                          {"cpu_s_per_mb": f}, floor=True)
    if "sustained" in groups:
        bench.runs = RUNS["sustained"]
        cast = [by[n] for n in ("sernet-low", "ser2net", "ser2net-def",
                                "baseline")]
        f1 = bench.figure("sustain_cpu", "sustained",
                          f"CPU share at {SUSTAIN_BAUD} baud both ways",
                          f"% of {NCPU} CPUs", "lower", cast, "sernet-low")
        f2 = bench.figure("sustain_fwd_cpu", "sustained",
                          "  same, less the load generator",
                          f"% of {NCPU} CPUs", "lower", cast, "sernet-low",
                          note="load")
        bench.measure("sustained", cast,
                      lambda s: run_sustained(s, sizes["sustain_s"], 30),
                      {"cpu_share_pct": f1, "fwd_share_pct": f2}, floor=True)
    if "latency" in groups:
        # every system in every round: each packing against its own
        bench.runs = RUNS["latency"]
        low = [by[n] for n in ("sernet-low", "ser2net", "baseline")]
        k3 = [by[n] for n in ("sernet", "ser2net-def", "ser2net-nd",
                              "baseline")]
        cast = [by[n] for n in ("sernet-low", "sernet", "ser2net",
                                "ser2net-def", "ser2net-nd", "baseline")]
        kinds = {"lowest": ("lowest packing", low, "sernet-low", ["ser2net"],
                            None),
                 "k3": ("K3 default packing", k3, "sernet",
                        ["ser2net-def", "ser2net-nd"], "nagle")}
        figs = {}
        for kind, (what, c, subject, refs, note) in kinds.items():
            for size in (1, 64, 512):
                for p in (50, 99, 99.9):
                    f = figs[kind, size, p] = bench.figure(
                        f"lat_{kind}_{size}_p{p}", "latency",
                        f"RTT {size} B p{p}, {what}", "us", "lower", c,
                        subject, refs, note)
                    f["target_samples"] = sizes["latency_n"]
        for size in (1, 64, 512):
            bench.measure(f"latency {size} B", cast,
                          lambda s, size=size: run_latency(
                              s, size, sizes["latency_n"], 30,
                              sizes["latency_cap_s"]),
                          {f"p{p}_us": [figs[k, size, p] for k in kinds]
                           for p in (50, 99, 99.9)})
    if "fanout-fwd" in groups:
        run_fanout_many(bench, sizes)
    if groups & {"scale", "isolation"}:
        run_many(bench, sizes, groups)
    bench.figure("modbus_rtt", "modbus", "Modbus request/response", "us",
                 "lower", [])["na"] = MODBUS


def main():
    ap = argparse.ArgumentParser(description=__doc__.strip().split("\n")[0])
    ap.add_argument("--out", default=os.path.join(TOP, "build/bench/results.json"))
    ap.add_argument("--quick", action="store_true",
                    help="small sizes, one run: a smoke test of the bench")
    ap.add_argument("--only", default="", help="comma-separated groups: "
                    "throughput,placement,fanout,sustained,latency,memory,"
                    "scale,isolation,fanout-fwd")
    ap.add_argument("--ports", default="",
                    help="port counts of scale and isolation (default "
                    + ",".join(map(str, SCALE_N)) + "; at most 64)")
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
    sizes = dict(QUICK if a.quick else SIZES)
    if a.ports:
        sizes["scale_n"] = tuple(int(x) for x in a.ports.split(","))
        sizes["iso_n"] = tuple(n for n in sizes["scale_n"] if n > 1)
    if a.quick:
        RUNS.update({k: 1 for k in RUNS})
    groups = set(a.only.split(",")) if a.only else set(RUNS)

    # glibc's AI_ADDRCONFIG (gensio uses it) ignores 127.0.0.1; without
    # another IPv4 address ser2net cannot resolve its own accepter.
    subprocess.run(["ip", "addr", "add", "127.0.0.2/8", "dev", "lo"],
                   stderr=subprocess.DEVNULL)
    systems = [Sernet(4001, "k3"), Ser2net(4002, "lowest"),
               Ser2net(4003, "def"), Baseline(4004), Sernet(4005, "lowest"),
               Ser2net(4006, "nd")]
    by = {s.name: s for s in systems}
    for s in systems:
        s.start()
    bench = Bench(time.monotonic() + BUDGET_S)
    started = time.monotonic()
    log(f"sernet bench: runs per system and figure {RUNS}")
    try:
        run_all(bench, by, sizes, groups)
    finally:
        counters = {s.name: s.counters() for s in systems
                    if isinstance(s, Sernet)}
        for s in systems:
            s.stop()
    mem = [Agent(4007), Ser2net(4008, "def"), Ser2net(4009, "lowest")]
    if "memory" in groups:
        run_memory(bench, mem)
        systems.append(mem[0])
    for f in bench.figures:
        summarise(f)
    res = {
        "meta": meta(sizes, time.monotonic() - started, counters, bench),
        "systems": {s.name: {"label": s.label, "packing": s.packing()}
                    for s in systems},
        "figures": bench.figures,
        "failures": bench.failures,
        "orders": bench.orders,
        "idle_floors": bench.floors,
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


def floor_summary(floors):
    if not floors:
        return None
    v = sorted(f["cpu_pct"] for f in floors)
    return {"intervals": len(v), "median_pct": v[len(v) // 2],
            "min_pct": v[0], "max_pct": v[-1]}


def meta(sizes, secs, counters, bench):
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    ver = subprocess.run(["ser2net", "-v"], capture_output=True, text=True)
    timed_runs = [r["result"] for r in bench.raw
                  if r["result"] and "steal_s" in r["result"]]
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"),
        "kernel": platform.release(),
        "guest_cpus": NCPU,
        "guest_cpu_model": model,
        "guest_mem_mb": os.sysconf("SC_PHYS_PAGES") *
        os.sysconf("SC_PAGE_SIZE") // (1 << 20),
        "host": os.environ.get("SERNET_BENCH_HOST", ""),
        "sernet_version": os.environ.get("SERNET_BENCH_VERSION", ""),
        "ser2net": (ver.stdout + ver.stderr).strip(),
        "python": platform.python_version(),
        "runs": RUNS,
        "order": "each round rotates the systems by one (orders: every "
        "round's order as run)",
        "truncated": bench.truncated,
        "sizes": sizes,
        "bench_seconds": round(secs, 1),
        "idle_floor": floor_summary(bench.floors),
        "steal_s": sum(r["steal_s"] for r in timed_runs),
        "measured_s": sum(r["secs"] for r in timed_runs),
        "sernet_counters": counters,
        "note": "QEMU TCG (emulated CPU): only ratios carry over",
    }


if __name__ == "__main__":
    sys.exit(main())
