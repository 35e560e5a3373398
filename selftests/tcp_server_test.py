#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
sernet: the TCP server data path, with real peers (python sockets) on
loopback and pty pairs as serial lines. Runs inside tools/vm/run; KTAP.
"""
import errno
import fcntl
import hashlib
import json
import os
import random
import re
import select
import socket
import struct
import subprocess
import sys
import threading
import time
import traceback

TIOCSETD = 0x5423
N_TTY = 0
LDISC = int(os.environ.get("SERNET_LDISC", "29"))
CLASS = "/sys/class/sernet"
BIG = int(os.environ.get("SERNET_TEST_BYTES", str(10 * 1024 * 1024)))
BACKPRESSURE = int(os.environ.get("SERNET_TEST_BACKPRESSURE",
                                  str(100 * 1024 * 1024)))
# AT+SOCKLKA's statuses, as the seed lists them; ERROR may give a reason
SEED_STATUS = re.compile(r"(IDLE|LISTEN|CONNECTING|CONNECTED|CONNECTED\(\d+\)"
                         r"|ERROR(: .+)?)")
# UARTCLBUF OFF: serial data kept while no connection is up (PROTOCOLS.md §8)
KEEP = 32 * 1024


class Port:
    """A pty pair with sernet attached to the slave, serving TCP on lport."""

    def __init__(self, lport, **cfg):
        self.master, self.slave = os.openpty()
        name = os.ttyname(self.slave)               # /dev/pts/N
        self.tty = "pts" + name.rsplit("/", 1)[1]
        fcntl.ioctl(self.slave, TIOCSETD, struct.pack("i", LDISC))
        self.idx = None
        for d in os.listdir(CLASS):
            if read(f"{CLASS}/{d}/tty_name") == self.tty:
                self.idx = int(d[6:])
        assert self.idx is not None, "no port for " + self.tty
        self.lport = lport
        if lport is None:          # the caller sets the transport up
            return
        self.set("port", lport)
        for k, v in cfg.items():
            self.set(k, v)
        wait_for(lambda: self.state() == "LISTEN", 5, "LISTEN")

    def path(self, attr):
        return f"{CLASS}/sernet{self.idx}/{attr}"

    def set(self, attr, value):
        with open(self.path(attr), "w") as f:
            f.write(str(value))

    def state(self):
        s = read(self.path("state"))
        assert SEED_STATUS.fullmatch(s), f"status {s!r} is not the seed's"
        return s

    def stat(self, name):
        return int(read(self.path("statistics/" + name)))

    def connect(self, rcvbuf=None):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        s.connect(("127.0.0.1", self.lport))
        return s

    def close(self):
        for fd in (self.slave, self.master):
            try:
                os.close(fd)
            except OSError:
                pass


class Monitor:
    """`sernetctl monitor`, its lines as they come"""

    def __init__(self):
        self.proc = subprocess.Popen(["sernetctl", "monitor"],
                                     stdout=subprocess.PIPE)
        self.buf = b""
        self.lines = []
        # subscribed once it prints the event of a port made for the purpose
        for _ in range(20):
            probe = Port(None)
            probe.close()
            try:
                self.expect([f"sernet{probe.idx} ({probe.tty}): removed"],
                            1)
                break
            except AssertionError:
                pass
        else:
            raise AssertionError("sernetctl monitor prints no event")
        self.lines = []

    def expect(self, want, timeout=10):
        """Wait for lines starting with each of want, in that order"""
        want = list(want)
        end = time.monotonic() + timeout
        while want and time.monotonic() < end:
            while b"\n" in self.buf and want:
                line, self.buf = self.buf.split(b"\n", 1)
                self.lines.append(line.decode())
                if self.lines[-1].startswith(want[0]):
                    want.pop(0)
            if not want:
                break
            r, _, _ = select.select([self.proc.stdout], [], [], 0.5)
            if r:
                self.buf += os.read(self.proc.stdout.fileno(), 4096)
        assert not want, f"missing {want} in {self.lines}"

    def close(self):
        self.proc.kill()
        self.proc.wait()


def show_json(idx):
    """The port as `sernetctl show --json` prints it"""
    out = subprocess.run(["sernetctl", "show", "--json", f"sernet{idx}"],
                         check=True, stdout=subprocess.PIPE).stdout
    return json.loads(out)[0]


def read(path):
    with open(path) as f:
        return f.read().strip()


def wait_for(cond, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


def stream(n, seed):
    """n reproducible pseudo-random bytes"""
    r = random.Random(seed)
    return r.randbytes(n)


def write_all_fd(fd, data):
    view = memoryview(data)
    while view:
        n = os.write(fd, view[:65536])
        view = view[n:]


def read_fd(fd, n, timeout):
    """n bytes from a pty master"""
    out = bytearray()
    end = time.monotonic() + timeout
    while len(out) < n:
        r, _, _ = select.select([fd], [], [], max(0, end - time.monotonic()))
        if not r:
            break
        out += os.read(fd, 65536)
    return bytes(out)


def expect_closed(sock, timeout, what):
    """
    The other end closed sock: EOF or RST within timeout, else fail (silence
    is not a close). Returns the bytes that came before the end.
    """
    got = bytearray()
    end = time.monotonic() + timeout
    while True:
        left = end - time.monotonic()
        if left <= 0:
            raise AssertionError(f"{what}: no EOF or RST in {timeout} s "
                                 f"({len(got)} bytes came)")
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return bytes(got)
        except socket.timeout:
            continue
        if not chunk:
            return bytes(got)
        got += chunk


def recv_n(sock, n, timeout):
    out = bytearray()
    sock.settimeout(timeout)
    try:
        while len(out) < n:
            chunk = sock.recv(min(1 << 20, n - len(out)))
            if not chunk:
                break
            out += chunk
    except socket.timeout:
        pass
    return bytes(out)


def digest(b):
    return hashlib.sha256(b).hexdigest()


# --- tests -------------------------------------------------------------------

def test_status_follows_clients():
    p = Port(2301)
    try:
        a = p.connect()
        wait_for(lambda: p.state() == "CONNECTED(1)", 5, "CONNECTED(1)")
        b = p.connect()
        wait_for(lambda: p.state() == "CONNECTED(2)", 5, "CONNECTED(2)")
        a.close()
        b.close()
        wait_for(lambda: p.state() == "LISTEN", 5, "LISTEN again")
        assert p.stat("connects") == 2 and p.stat("disconnects") == 2
    finally:
        p.close()


def test_serial_to_network_stream():
    p = Port(2302)
    try:
        c = p.connect()
        wait_for(lambda: p.state() == "CONNECTED(1)", 5, "client")
        data = stream(BIG, 1)
        t = threading.Thread(target=write_all_fd, args=(p.master, data))
        t.start()
        got = recv_n(c, len(data), 120)
        t.join()
        assert len(got) == len(data), f"{len(got)} of {len(data)} bytes"
        assert digest(got) == digest(data), "stream differs"
        assert p.stat("rx_bytes") == len(data)
        assert p.stat("drop_no_peer") == 0
        c.close()
    finally:
        p.close()


def test_network_to_serial_stream():
    p = Port(2303)
    try:
        c = p.connect()
        data = stream(BIG, 2)
        t = threading.Thread(target=c.sendall, args=(data,))
        t.start()
        got = read_fd(p.master, len(data), 120)
        t.join()
        assert len(got) == len(data), f"{len(got)} of {len(data)} bytes"
        assert digest(got) == digest(data), "stream differs"
        wait_for(lambda: p.stat("tx_bytes") == len(data), 5, "tx_bytes")
        assert p.stat("net_rx_bytes") == len(data)
        c.close()
    finally:
        p.close()


def test_fan_out_to_8_clients():
    p = Port(2304)
    try:
        clients = [p.connect() for _ in range(8)]
        wait_for(lambda: p.state() == "CONNECTED(8)", 5, "8 clients")
        data = stream(BIG // 8, 3)
        results = [None] * 8

        def reader(i):
            results[i] = recv_n(clients[i], len(data), 120)
        ts = [threading.Thread(target=reader, args=(i,)) for i in range(8)]
        for t in ts:
            t.start()
        write_all_fd(p.master, data)
        for t in ts:
            t.join()
        for i, r in enumerate(results):
            assert digest(r) == digest(data), f"client {i}: {len(r)} bytes"
        assert p.stat("net_tx_bytes") == 8 * len(data)
    finally:
        p.close()


def test_clients_sending_at_once_stay_whole():
    """
    Four clients send at once, each a run of 512-byte segments (one send()
    each, of eight 64-byte records naming the client and a sequence
    number): on the serial line every segment arrives whole and in its
    client's order, never cut by another client's bytes. (The module
    reads 4 KiB from a client at a time and writes it whole before the
    next client's turn; 512 divides 4096, so no read ends inside one.)
    """
    n, rec, per, segs = 4, 64, 8, 200
    p = Port(2318, max_clients=n)
    try:
        clients = [p.connect() for _ in range(n)]
        wait_for(lambda: p.state() == f"CONNECTED({n})", 5, f"{n} clients")
        total = n * segs * per * rec

        def sender(i):
            r = random.Random(i)
            for k in range(segs):
                clients[i].sendall(b"".join(
                    f"<{i}:{k * per + j:06d}".encode().ljust(rec, b".")
                    for j in range(per)))
                time.sleep(r.random() / 500)
        ts = [threading.Thread(target=sender, args=(i,)) for i in range(n)]
        for t in ts:
            t.start()
        got = read_fd(p.master, total, 60)
        for t in ts:
            t.join()
        assert len(got) == total, f"{len(got)} of {total} bytes"
        nxt = [0] * n
        run = None
        for off in range(0, total, rec):
            m = re.fullmatch(rb"<(\d):(\d{6})\.+", got[off:off + rec])
            assert m, f"a record cut at byte {off}: {got[off:off + rec]!r}"
            i, seq = int(m[1]), int(m[2])
            assert seq == nxt[i], f"client {i}: record {seq}, not {nxt[i]}"
            if i != run:
                # another client's turn starts only between segments
                assert seq % per == 0 and all(x % per == 0 for x in nxt), \
                    f"a segment of client {run} cut at byte {off}"
                run = i
            nxt[i] += 1
        assert nxt == [segs * per] * n, nxt
        assert p.stat("net_rx_bytes") == total
    finally:
        p.close()


def test_packing_time_and_length():
    p = Port(2305, pack_time=200)
    try:
        c = p.connect()
        wait_for(lambda: p.state() == "CONNECTED(1)", 5, "client")
        base = p.stat("rx_packets")
        # a gap longer than the packing time splits ...
        os.write(p.master, b"a" * 10)
        wait_for(lambda: p.stat("rx_packets") == base + 1, 5, "a packet")
        os.write(p.master, b"b" * 10)
        wait_for(lambda: p.stat("rx_packets") == base + 2, 5, "b packet")
        assert recv_n(c, 20, 5) == b"a" * 10 + b"b" * 10
        # ... a shorter one does not: the time counts from the last byte
        base = p.stat("rx_packets")
        for _ in range(5):
            os.write(p.master, b"c" * 10)
            time.sleep(0.005)
        assert recv_n(c, 50, 5) == b"c" * 50
        assert p.stat("rx_packets") - base == 1, p.stat("rx_packets") - base
        # the length closes a packet at once
        p.set("pack_len", 10)
        base = p.stat("rx_packets")
        os.write(p.master, b"d" * 95)
        assert recv_n(c, 95, 5) == b"d" * 95
        assert p.stat("rx_packets") - base == 10, p.stat("rx_packets") - base
    finally:
        p.close()


def test_full_server_refuses_or_drops_oldest():
    p = Port(2306, max_clients=2)
    try:
        a, b = p.connect(), p.connect()
        wait_for(lambda: p.state() == "CONNECTED(2)", 5, "2 clients")
        c = p.connect()
        wait_for(lambda: p.stat("refused") == 1, 5, "refused")
        assert expect_closed(c, 5, "the refused client") == b""
        assert p.state() == "CONNECTED(2)"
        p.set("full", "drop-oldest")
        d = p.connect()
        assert expect_closed(a, 5, "the oldest client") == b""
        os.write(p.master, b"hello")
        assert recv_n(b, 5, 5) == b"hello"
        assert recv_n(d, 5, 5) == b"hello"
        assert p.state() == "CONNECTED(2)"
    finally:
        p.close()


def kept_newest_32k(p, connect, seed):
    """
    UARTCLBUF OFF, no peer: of 200 KiB the newest 32 KiB are kept and the
    rest counted as dropped; connect() then gets exactly those, and what
    comes next. Returns the connected peer.
    """
    data = stream(200 * 1024, seed)
    rx, drop = p.stat("rx_bytes"), p.stat("drop_no_peer")
    write_all_fd(p.master, data)
    wait_for(lambda: p.stat("rx_bytes") - rx == len(data) and
             p.stat("drop_no_peer") - drop >= len(data) - KEEP, 20,
             "the oldest bytes dropped")
    assert p.stat("drop_no_peer") - drop == len(data) - KEEP, \
        p.stat("drop_no_peer") - drop
    peer, recv = connect()
    got = recv(KEEP)
    assert got == data[-KEEP:], f"{len(got)} bytes, not the newest {KEEP}"
    os.write(p.master, b"next")
    assert recv(4) == b"next"
    assert p.stat("drop_no_peer") - drop == len(data) - KEEP
    return peer


def test_kept_while_no_client():
    p = Port(2307)
    try:
        base = p.stat("rx_packets")
        os.write(p.master, b"early bytes")
        wait_for(lambda: p.stat("rx_packets") == base + 1, 5, "a packet")
        c = p.connect()
        assert recv_n(c, 11, 5) == b"early bytes"
        c.close()
        wait_for(lambda: p.state() == "LISTEN", 5, "LISTEN")

        def connect():
            c = p.connect()
            return c, lambda n: recv_n(c, n, 10)
        kept_newest_32k(p, connect, 4).close()
    finally:
        p.close()


def test_uartclbuf_on_discards_while_no_client():
    p = Port(2315)
    try:
        p.set("uartclbuf", "ON")
        os.write(p.master, b"lost")
        wait_for(lambda: p.stat("drop_no_peer") == 4, 5, "discarded")
        c = p.connect()
        wait_for(lambda: p.state() == "CONNECTED(1)", 5, "client")
        os.write(p.master, b"kept")
        assert recv_n(c, 4, 5) == b"kept"
        c.close()
    finally:
        p.close()


def test_slow_client_dropped_others_continue():
    mon = Monitor()
    p = Port(2308)
    try:
        slow = p.connect(rcvbuf=4096)
        fast = p.connect()
        wait_for(lambda: p.state() == "CONNECTED(2)", 5, "2 clients")
        data = stream(4 * 1024 * 1024, 5)
        t = threading.Thread(target=write_all_fd, args=(p.master, data))
        t.start()
        got = recv_n(fast, len(data), 120)
        t.join()
        assert digest(got) == digest(data), f"fast got {len(got)} bytes"
        wait_for(lambda: p.stat("drop_slow_client") == 1, 10, "slow drop")
        assert p.state() == "CONNECTED(1)"
        mon.expect([f"sernet{p.idx} ({p.tty}): disconnected "
                    f"127.0.0.1:{slow.getsockname()[1]} (too slow, "])
        slow.close()
    finally:
        p.close()
        mon.close()


def read_stalling(read, n, take=None):
    """
    n bytes from read(max), stalling 0.3 s after every 1 to 7 MiB; each
    piece goes to take() if given (and is not kept), else all are returned
    """
    got = bytearray()
    done = stall = 0
    while done < n:
        chunk = read(min(1 << 20, n - done))
        if not chunk:
            break
        done += len(chunk)
        if take:
            take(chunk)
        else:
            got += chunk
        if done >= stall:
            time.sleep(0.3)
            stall += random.randrange(1, 8) * 1024 * 1024
    return bytes(got)


def slow_reader_loses_nothing(lport, n, seed):
    """Back-pressure: the serial side waits for the only client."""
    p = Port(lport, flow="FC")
    try:
        c = p.connect(rcvbuf=8192)
        wait_for(lambda: p.state() == "CONNECTED(1)", 5, "client")
        data = stream(n, seed)
        t = threading.Thread(target=write_all_fd, args=(p.master, data))
        t.start()
        c.settimeout(60)
        got = read_stalling(c.recv, len(data))
        t.join()
        assert digest(got) == digest(data), f"{len(got)} bytes"
        assert p.stat("drop_slow_client") == 0
        assert p.stat("drop_no_peer") == 0
    finally:
        p.close()


def test_one_slow_reader_loses_nothing():
    slow_reader_loses_nothing(2309, BACKPRESSURE, 6)


def test_cannot_listen_is_an_error_that_retries():
    blocker = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    blocker.bind(("::", 2310))
    blocker.listen()
    p = Port(2311)
    try:
        p.set("port", 2310)
        # the seed's word, then the reason
        wait_for(lambda: p.state().startswith("ERROR: "), 5, "ERROR")
        blocker.close()
        wait_for(lambda: p.state() == "LISTEN", 10, "LISTEN after retry")
        c = socket.create_connection(("127.0.0.1", 2310), 5)
        os.write(p.master, b"x")
        assert recv_n(c, 1, 5) == b"x"
    finally:
        p.close()


def test_detach_during_traffic():
    p = Port(2312)
    c = p.connect()
    c.settimeout(10)
    stop = threading.Event()

    def pump():
        try:
            while not stop.is_set():
                c.sendall(b"y" * 4096)
        except OSError:
            pass
    t = threading.Thread(target=pump)
    t.start()
    try:
        os.write(p.master, b"z" * 100000)
        # traffic both ways is in flight
        wait_for(lambda: p.stat("net_tx_bytes") > 0 and
                 p.stat("tx_bytes") > 0, 10, "traffic both ways")
        fcntl.ioctl(p.slave, TIOCSETD, struct.pack("i", N_TTY))
        assert not os.path.exists(p.path("state"))
        # no socket of ours may call into the module once it is gone
        ko = os.environ["SERNET_KO"]
        assert not os.listdir(CLASS), f"ports left: {os.listdir(CLASS)}"
        assert os.system("rmmod sernet") == 0, "rmmod failed"
        assert os.system(f"insmod {ko}") == 0, "insmod failed"
        # the server went: the client reads to its end or is reset
        expect_closed(c, 10, "the client of a detached port")
    finally:
        stop.set()
        c.close()
        t.join()
        p.close()


def test_client_churn_while_data_flows():
    p = Port(2313)
    try:
        steady = p.connect()
        wait_for(lambda: p.state() == "CONNECTED(1)", 5, "client")
        data = stream(1024 * 1024, 7)
        t = threading.Thread(target=write_all_fd, args=(p.master, data))
        t.start()
        got = bytearray()
        steady.setblocking(False)
        for i in range(1000):
            c = p.connect()
            if i % 2:
                # abortive close: RST
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             struct.pack("ii", 1, 0))
            c.close()
            try:
                got += steady.recv(1 << 20)
            except BlockingIOError:
                pass
        t.join()
        steady.setblocking(True)
        got += recv_n(steady, len(data) - len(got), 60)
        assert digest(bytes(got)) == digest(data), f"{len(got)} bytes"
        wait_for(lambda: p.state() == "CONNECTED(1)", 10, "churn settles")
        # every one accepted has been closed again but the steady one
        assert p.stat("connects") == p.stat("disconnects") + 1, \
            (p.stat("connects"), p.stat("disconnects"))
        # each of the 1,000 was accepted as a client, or refused while the
        # server was full of closed ones not yet reaped: exactly once, the
        # reset ones too (Linux's accept() hands out a child reset while
        # it waited in the queue)
        churned = p.stat("connects") - 1 + p.stat("refused")
        assert churned == 1000, (p.stat("connects"), p.stat("refused"))
    finally:
        p.close()


def test_namespace_deletion_tears_down():
    """A port attached in a namespace loses its sockets with it."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    master, slave = os.openpty()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            if libc.unshare(0x40000000) != 0:          # CLONE_NEWNET
                os._exit(10)
            os.system("ip link set lo up")
            fcntl.ioctl(slave, TIOCSETD, struct.pack("i", LDISC))
            tty = "pts" + os.ttyname(slave).rsplit("/", 1)[1]
            idx = [d for d in os.listdir(CLASS)
                   if read(f"{CLASS}/{d}/tty_name") == tty][0]
            wait_for(lambda: read(f"{CLASS}/{idx}/state") == "LISTEN", 5,
                     "LISTEN in the namespace")
            c = socket.create_connection(("127.0.0.1", 23), 5)
            wait_for(lambda: read(f"{CLASS}/{idx}/state") == "CONNECTED(1)",
                     5, "client in the namespace")
            os.write(w, idx.encode())
            os._exit(0)          # the namespace dies with its last process
        except Exception:
            traceback.print_exc()
            os._exit(11)
    try:
        _, status = os.waitpid(pid, 0)
        assert os.WEXITSTATUS(status) == 0, os.WEXITSTATUS(status)
        idx = os.read(r, 64).decode()
        wait_for(lambda: read(f"{CLASS}/{idx}/state") == "IDLE", 20,
                 "IDLE after the namespace went")
        assert int(read(f"{CLASS}/{idx}/statistics/disconnects")) == 1
    finally:
        os.close(slave)
        os.close(master)


def test_monitor_prints_events():
    mon = Monitor()
    p = Port(2314)
    name = f"sernet{p.idx} ({p.tty})"
    try:
        c = p.connect()
        cport = c.getsockname()[1]
        wait_for(lambda: p.state() == "CONNECTED(1)", 5, "client")
        c.close()
        wait_for(lambda: p.state() == "LISTEN", 5, "LISTEN")
    finally:
        p.close()
    try:
        mon.expect([f"{name}: added",
                    f"{name}: status LISTEN",
                    f"{name}: connected 127.0.0.1:{cport}",
                    f"{name}: status CONNECTED(1)",
                    f"{name}: disconnected 127.0.0.1:{cport} (closed by peer;"
                    " sent 0 B, received 0 B)",
                    f"{name}: status LISTEN",
                    f"{name}: removed"])
    finally:
        mon.close()


def test_per_client_counters_and_why_each_ended():
    mon = Monitor()
    p = Port(2316, max_clients=2)
    name = f"sernet{p.idx} ({p.tty}): disconnected 127.0.0.1"
    try:
        a, b = p.connect(), p.connect()
        aport, bport = a.getsockname()[1], b.getsockname()[1]
        wait_for(lambda: p.state() == "CONNECTED(2)", 5, "2 clients")
        a.sendall(stream(1000, 20))
        assert len(read_fd(p.master, 1000, 10)) == 1000
        data = stream(3000, 21)
        os.write(p.master, data)
        assert recv_n(a, 3000, 10) == data
        assert recv_n(b, 3000, 10) == data
        clients = {int(c["peer"].rsplit(":", 1)[1]): c
                   for c in show_json(p.idx)["clients"]}
        assert set(clients) == {aport, bport}, clients
        ca, cb = clients[aport], clients[bport]
        assert (ca["net_rx_bytes"], cb["net_rx_bytes"]) == (1000, 0), clients
        assert ca["net_rx_packets"] >= 1 and cb["net_rx_packets"] == 0
        assert ca["net_tx_bytes"] == cb["net_tx_bytes"] == 3000, clients
        pkts = p.stat("rx_packets")
        assert ca["net_tx_packets"] == cb["net_tx_packets"] == pkts, clients
        assert ca["queued"] == cb["queued"] == 0, clients

        p.set("full", "drop-oldest")
        c = p.connect()
        cport = c.getsockname()[1]
        mon.expect([f"{name}:{aport} (dropped for a newer client; "
                    "sent 3000 B, received 1000 B)"])
        b.close()
        mon.expect([f"{name}:{bport} (closed by peer; sent 3000 B, "
                    "received 0 B)"])
        wait_for(lambda: p.state() == "CONNECTED(1)", 5, "1 client")
        assert [x["peer"] for x in show_json(p.idx)["clients"]] == \
            [f"127.0.0.1:{cport}"]
        p.set("port", 2317)          # a new socket: the transport restarts
        mon.expect([f"{name}:{cport} (transport stopped; sent 0 B, "
                    "received 0 B)"])
        assert show_json(p.idx)["clients"] == []
        a.close()
        c.close()
    finally:
        p.close()
        mon.close()


def run_tests(tests):
    """Run the test_* functions of a dict, in its order, printing KTAP"""
    tests = list(tests.values())
    # SERNET_TESTS=name,name runs only those (names without "test_")
    only = os.environ.get("SERNET_TESTS")
    if only:
        names = only.split(",")
        unknown = set(names) - {t.__name__[5:] for t in tests}
        assert not unknown, f"no such tests: {sorted(unknown)}"
        tests = [t for t in tests if t.__name__[5:] in names]
    print("TAP version 13")
    print(f"1..{len(tests)}")
    failed = 0
    for i, t in enumerate(tests, 1):
        name = t.__name__[5:]
        start = time.monotonic()
        try:
            t()
            print(f"ok {i} {name}")
        except Exception:
            failed += 1
            for line in traceback.format_exc().splitlines():
                print("# " + line)
            print(f"not ok {i} {name}")
        print(f"# {name}: {time.monotonic() - start:.1f} s")
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(run_tests({k: v for k, v in globals().items()
                        if k.startswith("test_")}))
