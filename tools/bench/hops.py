#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
One round trip through sernet, hop by hop, from the kernel's function
tracer (make bench-hops; inside tools/vm/run). A pty port at 921600 baud
(the lowest packing, 100 us) serves a TCP client on 127.0.0.1 that echoes
every byte; this process is the device, writing one byte to the pty master
and reading it back, COUNT times, 10 ms apart. set_ftrace_filter holds the
functions of the path and trace_marker lines mark the device's write and
read and the client's recv and send; each hop is the time from the one
before it, median and range in microseconds over the round trips that
saw every hop in order. The tracer adds to every hop: read the rows as
proportions, not as figures to compare with make bench.

    hops.py [COUNT]
"""
import collections
import fcntl
import os
import socket
import statistics
import struct
import subprocess
import sys
import time
import tty

T = "/sys/kernel/tracing"
CLASS = "/sys/class/sernet"
TIOCSETD = 0x5423
LDISC = int(os.environ.get("SERNET_LDISC", "29"))
PORT = 4100
FUNCS = ["flush_to_ldisc", "sernet_receive", "sernet_pack_timer",
         "sernet_xport_tx_work", "tcp_sendmsg", "sernet_xport_rx_work",
         "pty_write"]
# (event, label); the network's bytes reach the tty either inside the
# client's send (data_ready) or from rx_work after it
SERIAL_TO_NET = [
    ("WRITE", None),
    ("pty_write", "the device's write reaches pty_write"),
    ("flush_to_ldisc", "the pty's flip-buffer work runs (a kworker woken)"),
    ("sernet_receive", "sernet_receive (the packet opened, the timer armed)"),
    ("sernet_pack_timer", "the packing timer fires (the rule: 100 us)"),
    ("sernet_xport_tx_work", "tx_work runs (a kworker woken)"),
    ("tcp_sendmsg", "tcp_sendmsg"),
    ("CRECV", "the client's recv returns (loopback, a wake-up)"),
]
PATHS = {     # a round trip with rx_work in it took that path
    "rx_work": [("sernet_xport_rx_work", "rx_work runs (a kworker woken)"),
                ("pty_write", "pty_write to the slave (tty_out)"),
                ("READ", "the device's read returns")],
    "data_ready": [("pty_write", "pty_write to the slave, in the client's "
                    "send (data_ready)"),
                   ("CSENT", "the client's send returns"),
                   ("READ", "the device's read returns")],
}


def w(path, value):
    with open(f"{T}/{path}", "w") as f:
        f.write(value)


def setup():
    m, s = os.openpty()
    tty.setraw(s)
    fcntl.ioctl(s, TIOCSETD, struct.pack("i", LDISC))
    name = "pts" + os.ttyname(s).rsplit("/", 1)[1]
    d = next(f"{CLASS}/{x}" for x in os.listdir(CLASS)
             if open(f"{CLASS}/{x}/tty_name").read().strip() == name)
    for k, v in (("baud", 921600), ("pack_time", 0), ("pack_len", 0),
                 ("port", PORT)):
        with open(f"{d}/{k}", "w") as f:
            f.write(str(v))
    end = time.monotonic() + 10
    while True:
        try:
            c = socket.create_connection(("127.0.0.1", PORT), timeout=1)
            break
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.05)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return m, s, c


def trace(count):
    if not os.path.isdir(T + "/events"):
        subprocess.run(["mount", "-t", "tracefs", "nodev", T], check=True)
    m, s, c = setup()
    mk = open(T + "/trace_marker", "w", buffering=1)
    pid = os.fork()
    if pid == 0:            # the client, a process of its own (no GIL)
        while True:
            b = c.recv(64)
            if not b:
                os._exit(0)
            mk.write("CRECV\n")
            c.sendall(b)
            mk.write("CSENT\n")
    w("trace", "")
    w("buffer_size_kb", "8192")
    w("set_ftrace_filter", "\n".join(FUNCS))
    w("current_tracer", "function")
    w("tracing_on", "1")
    for i in range(count):
        time.sleep(0.01)
        mk.write(f"WRITE {i}\n")
        os.write(m, b"x")
        if os.read(m, 1) != b"x":
            sys.exit("the echo differs")
        mk.write(f"READ {i}\n")
    w("tracing_on", "0")
    w("current_tracer", "nop")
    w("set_ftrace_filter", "")
    with open(T + "/trace") as f:
        text = f.read()
    c.shutdown(socket.SHUT_RDWR)
    c.close()
    os.waitpid(pid, 0)
    os.close(s)
    os.close(m)
    return text


def events(text):
    """(us, what) for each line: a marker's word or the function's name"""
    out = []
    for line in text.splitlines():
        if line.startswith("#") or ": " not in line:
            continue
        head, rest = line.split(": ", 1)
        try:
            us = float(head.split()[-1]) * 1e6
        except ValueError:
            continue
        if rest.startswith("tracing_mark_write: "):
            rest = rest[len("tracing_mark_write: "):].split()[0]
        else:
            rest = rest.split()[0]
        out.append((us, rest))
    return out


def match(window, hops):
    """the times of hops, in order, within one round trip, or None"""
    ts, i = [], 0
    for name, _ in hops:
        while i < len(window) and window[i][1] != name:
            i += 1
        if i == len(window):
            return None
        ts.append(window[i][0])
        i += 1
    return ts


def breakdown(text):
    wins, cur = [], None
    for e in events(text):
        if e[1] == "WRITE":
            cur = [e]
        elif cur is not None:
            cur.append(e)
            if e[1] == "READ":
                wins.append(cur)
                cur = None
    rows = {}
    seen = collections.Counter()
    total = collections.defaultdict(list)
    for win in wins:
        rx_work = any(e[1] == "sernet_xport_rx_work" for e in win)
        for path, tail in PATHS.items():
            if rx_work != (path == "rx_work"):
                continue
            hops = SERIAL_TO_NET + tail
            ts = match(win, hops)
            if ts is None:
                continue
            seen[path] += 1
            for k in range(1, len(hops)):
                rows.setdefault((path, k), (hops[k][1], []))[1].append(
                    ts[k] - ts[k - 1])
            total[path].append(ts[-1] - ts[0])
            break
    lines = [f"{len(wins)} round trips traced; every hop seen in "
             + ", ".join(f"{n} by {p}" for p, n in seen.items())]
    for path in seen:
        lines += ["", f"path: {path}", "", "| hop | p50 (us) | range |",
                  "| --- | --- | --- |"]
        for (p, k), (label, v) in sorted(rows.items()):
            if p == path:
                lines.append(f"| {label} | {statistics.median(v):.0f} | "
                             f"{min(v):.0f}-{max(v):.0f} |")
        lines.append(f"| the round trip (markers) | "
                     f"{statistics.median(total[path]):.0f} | "
                     f"{min(total[path]):.0f}-{max(total[path]):.0f} |")
    return "\n".join(lines)


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--parse":
        with open(sys.argv[2]) as f:
            print(breakdown(f.read()))
        return 0
    if os.environ.get("SERNET_VM") != "1":
        sys.exit("hops.py runs inside tools/vm/run (it traces the kernel)")
    print(breakdown(trace(int(sys.argv[1]) if len(sys.argv) > 1 else 300)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
