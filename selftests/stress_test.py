#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
sernet under stress and faults: attach / full-rate traffic / teardown
cycles ending every way a port can end; TCP client churn with data both
ways; a peer that stops reading; back-pressure end to end with a consumer
that stalls; kernel memory per port and per client. Runs inside
tools/vm/run; KTAP.

SERNET_STRESS=full (make stress) runs the sizes of the hardening issue:
1 GiB each way, a 3-minute zero-window peer. The default, in make check,
keeps the counts (1,000 cycles, 10,000 connections) and uses 100 MB and
30 s, so that check stays inside its time.
"""
import ctypes
import fcntl
import os
import random
import select
import socket
import struct
import subprocess
import sys
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sernet_helpers import (CLASS, LDISC, N_TTY, TIOCSETD, digest,  # noqa
                            Monitor, Port, read, read_fd, read_stalling,
                            recv_n, run_tests, stream, wait_for, write_all_fd)

FULL = os.environ.get("SERNET_STRESS") == "full"
CYCLES = 1000
CHURN = 10000
STALL_S = 180 if FULL else 30
BIG = (1 << 30) if FULL else 100 * 1024 * 1024
CLONE_NEWNET = 0x40000000
ENDINGS = ("detach", "hangup", "close", "netns", "mode")


# --- kernel memory -------------------------------------------------------------

# What a leaked socket or file would grow, besides the kmalloc and kernfs
# caches: each by its name in /sys/kernel/slab, the same on 6.1, 6.12 and
# the debug kernel. On 6.1 and 6.12 UDP is merged with another cache of its
# size and is missing from /proc/slabinfo; /sys/kernel/slab/UDP links to the
# merged one, so these are read there.
NAMED = ("TCP", "TCPv6", "UDP", "UDPv6", "sock_inode_cache", "dentry")


def slab_shrink():
    """SLUB counts per-cpu free objects as active: flush them first"""
    for c in os.listdir("/sys/kernel/slab"):
        if c.startswith(("kmalloc-", "kernfs_")) or c in NAMED:
            try:
                with open(f"/sys/kernel/slab/{c}/shrink", "w") as f:
                    f.write("1")
            except OSError:
                pass


def slabs():
    """{cache: (active objects, object size)} after a shrink: every cache
    of /proc/slabinfo, and the NAMED ones as "=NAME" from sysfs"""
    slab_shrink()
    out = {}
    with open("/proc/slabinfo") as f:
        for line in f:
            w = line.split()
            if len(w) > 3 and w[1].isdigit():
                out[w[0]] = (int(w[1]), int(w[3]))
    named = {}
    for c in NAMED:
        with open(f"/sys/kernel/slab/{c}/objects") as f:
            named["=" + c] = (int(f.read().split()[0]), 0)
    return out, named


def slab_growth(a, b):
    """{cache: objects} grown from a to b: the kmalloc/kernfs cache that
    grew most, as "kmalloc/kernfs", and each NAMED one"""
    best = max([(n - a[0][name][0], name) for name, (n, _) in b[0].items()
                if name.startswith(("kmalloc-", "kernfs_")) and name in a[0]],
               default=(0, "none"))
    out = {"kmalloc/kernfs": best}
    for name, (n, _) in b[1].items():
        out[name[1:]] = (n - a[1][name][0], name[1:])
    return out


def drain():
    """Let go of what the kernel keeps without any leak: the dentries of
    python's sysfs reads (they pin removed ports' kernfs nodes), and the
    skbs each CPU defers freeing until it next receives from the network
    (up to 23 in kmalloc-1k on 6.1 after 32 clients came and went): drop
    the one, and send a loopback datagram from each CPU for the other"""
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("2")
    cpus = os.sched_getaffinity(0)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as r:
        r.bind(("127.0.0.1", 0))
        try:
            for cpu in cpus:
                os.sched_setaffinity(0, {cpu})
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                    s.sendto(b"x", r.getsockname())
                    r.recv(1)
        finally:
            os.sched_setaffinity(0, cpus)


def slab_bytes(s):
    return sum(n * size for n, size in s[0].values())


def kernel_mem():
    """Bytes the kernel holds for objects, stacks and socket buffers"""
    info = {}
    with open("/proc/meminfo") as f:
        for line in f:
            k, v = line.split(":")
            info[k] = int(v.split()[0]) * 1024
    total = info["Slab"] + info["KernelStack"]
    with open("/proc/net/sockstat") as f:
        for line in f:
            w = line.split()
            if w[0] in ("TCP:", "UDP:") and "mem" in w:
                total += int(w[w.index("mem") + 1]) * os.sysconf("SC_PAGESIZE")
    return total


def port_count():
    return len(os.listdir(CLASS))


# --- attach, traffic, end: 1,000 times ----------------------------------------

def attach(fd):
    fcntl.ioctl(fd, TIOCSETD, struct.pack("i", LDISC))
    tty = "pts" + os.ttyname(fd).rsplit("/", 1)[1]
    for d in os.listdir(CLASS):
        if read(f"{CLASS}/{d}/tty_name") == tty:
            return d
    raise AssertionError("no port for " + tty)


def serve(idx, lport):
    with open(f"{CLASS}/{idx}/port", "w") as f:
        f.write(str(lport))
    wait_for(lambda: read(f"{CLASS}/{idx}/state") == "LISTEN", 5, "LISTEN")


def flood_client(lport, n=32768):
    """A client with bytes in flight to the port; returns it"""
    c = socket.create_connection(("127.0.0.1", lport), 5)
    c.setblocking(False)
    try:
        c.send(os.urandom(n))
    except BlockingIOError:
        pass
    return c


def flood(master, lport, n=32768):
    """A client, and bytes in flight both ways; returns the client"""
    c = flood_client(lport, n)
    try:
        os.write(master, os.urandom(n))
    except BlockingIOError:
        pass
    return c


def netns_child(slave, master, lport, w):
    """Attach in a new namespace, flood, and die with the namespace"""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(CLONE_NEWNET):
            os._exit(10)
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        idx = attach(slave)
        serve(idx, lport)
        flood(master, lport)
        os.write(w, idx.encode())
        os._exit(0)
    except Exception:
        traceback.print_exc()
        os._exit(11)


def close_child(r, w, slave, master, lport):
    """Attach, serve, say the port's name, then write the serial side at
    full rate until killed. Never returns: an exception here must not
    unwind into the parent's code and run its tests again in this child."""
    try:
        os.close(r)
        idx = attach(slave)
        serve(idx, lport)
        os.write(w, idx.encode())
        os.set_blocking(master, True)
        block = os.urandom(4096)
        while True:
            os.write(master, block)
    except BaseException:
        # stderr: stdout's buffer may hold the parent's lines
        sys.stderr.write("".join(f"# child: {line}\n" for line in
                                 traceback.format_exc().splitlines()))
        sys.stderr.flush()
    finally:
        os._exit(11)


def one_cycle(i):
    ending = ENDINGS[i % len(ENDINGS)]
    lport = 30000 + i
    master, slave = os.openpty()
    os.set_blocking(master, False)
    c = None
    try:
        if ending == "netns":
            r, w = os.pipe()
            pid = os.fork()
            if pid == 0:
                netns_child(slave, master, lport, w)
            os.close(w)
            _, st = os.waitpid(pid, 0)
            idx = os.read(r, 64).decode()
            os.close(r)
            assert os.WEXITSTATUS(st) == 0 and idx, st
            # the port is back in the initial namespace, transport stopped
            wait_for(lambda: read(f"{CLASS}/{idx}/state") == "IDLE", 20,
                     "IDLE after the namespace went")
            fcntl.ioctl(slave, TIOCSETD, struct.pack("i", N_TTY))
            return
        if ending == "close":
            # the attaching process holds both ends, writes the serial
            # side at full rate, and is killed: the tty's last close
            r, w = os.pipe()
            pid = os.fork()
            if pid == 0:
                close_child(r, w, slave, master, lport)
            os.close(w)
            os.close(slave)
            os.close(master)
            slave = master = None
            idx = os.read(r, 64).decode()
            os.close(r)
            if not idx:
                _, st = os.waitpid(pid, 0)
                raise AssertionError(f"the attaching child failed ({st:#x})")
            c = flood_client(lport)
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            wait_for(lambda: not os.path.exists(f"{CLASS}/{idx}"), 10,
                     "port gone with its process")
            return
        idx = attach(slave)
        serve(idx, lport)
        c = flood(master, lport)
        if ending == "hangup":
            os.close(master)
            master = None
            wait_for(lambda: not os.path.exists(f"{CLASS}/{idx}"), 10,
                     "port gone with the hangup")
            return
        if ending == "mode":
            with open(f"{CLASS}/{idx}/protocol", "w") as f:
                f.write("UDPS")
            wait_for(lambda: read(f"{CLASS}/{idx}/state") == "LISTEN", 5,
                     "UDP server")
        fcntl.ioctl(slave, TIOCSETD, struct.pack("i", N_TTY))
    finally:
        if c:
            c.close()
        for fd in (slave, master):
            if fd is not None:
                os.close(fd)


# Growth over the 1,000 cycles that is not a leak, after the drain below.
# A port or socket leaked in one ending of the five is 200 objects. The
# largest kmalloc cache moved by up to 333 (6.12); the sockets' caches and
# dentry grew by 1 at most on 6.1, 6.12 and the debug kernel (dentry often
# shrank): 50 fails a leak in one cycle of 20 (2026-12-02).
LEAK_BOUND = {"kmalloc/kernfs": CYCLES // 2, "TCP": CYCLES // 20,
              "TCPv6": CYCLES // 20, "UDP": CYCLES // 20,
              "UDPv6": CYCLES // 20, "sock_inode_cache": CYCLES // 20,
              "dentry": CYCLES // 20}


def test_cycles_of_attach_traffic_and_every_ending():
    ports = port_count()
    for i in range(20):                 # warm the caches
        one_cycle(CYCLES + i)
    before = slabs()
    t0 = time.monotonic()
    for i in range(CYCLES):
        one_cycle(i)
    print(f"# {CYCLES} cycles in {time.monotonic() - t0:.0f} s")
    assert port_count() == ports, (port_count(), ports)
    # deferred frees (RCU, TIME_WAIT sockets) drain within seconds
    for _ in range(30):
        growth = slab_growth(before, slabs())
        over = {c: g for c, g in growth.items() if g[0] >= LEAK_BOUND[c]}
        if not over:
            break
        time.sleep(1)
    print(f"# slab growth over {CYCLES} cycles: " + ", ".join(
        f"{c} {n:+d}" + (f" ({name})" if name != c else "")
        for c, (n, name) in growth.items()))
    assert not over, over


# --- churn -----------------------------------------------------------------------

def test_10000_connections_half_reset_while_data_flows_both_ways():
    p = Port(2601, max_clients=64)
    try:
        steady = p.connect()
        wait_for(lambda: p.state() == "CONNECTED(1)", 5, "client")
        down, up = stream(4 << 20, 40), stream(4 << 20, 41)
        got_down, got_up = bytearray(), bytearray()
        sent_down = sent_up = 0
        steady.setblocking(False)
        os.set_blocking(p.master, False)

        def pump():
            nonlocal sent_down, sent_up
            try:
                sent_down += os.write(p.master, down[sent_down:
                                                     sent_down + 16384])
            except BlockingIOError:
                pass
            try:
                sent_up += steady.send(up[sent_up:sent_up + 16384])
            except BlockingIOError:
                pass
            try:
                got_down.extend(steady.recv(1 << 20))
            except BlockingIOError:
                pass
            try:
                got_up.extend(os.read(p.master, 1 << 20))
            except BlockingIOError:
                pass
        t0 = time.monotonic()
        for i in range(CHURN):
            c = socket.socket()
            c.connect(("127.0.0.1", 2601))
            if i % 2:
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             struct.pack("ii", 1, 0))
            c.close()
            pump()
        print(f"# {CHURN} connections in {time.monotonic() - t0:.0f} s")
        end = time.monotonic() + 120
        while (len(got_down) < len(down) or len(got_up) < len(up)) and \
                time.monotonic() < end:
            select.select([steady, p.master], [], [], 0.1)
            pump()
        assert digest(bytes(got_down)) == digest(down), len(got_down)
        assert digest(bytes(got_up)) == digest(up), len(got_up)
        wait_for(lambda: p.state() == "CONNECTED(1)", 20, "churn settles")
        assert p.stat("connects") == p.stat("disconnects") + 1
        # every connection was accepted or refused, exactly once: the
        # graceful ones and the reset ones (Linux's accept() hands out a
        # child reset while it waited in the queue)
        print(f"# connects {p.stat('connects')}, refused {p.stat('refused')}")
        assert p.stat("connects") - 1 + p.stat("refused") == CHURN, \
            (p.stat("connects"), p.stat("refused"))
    finally:
        p.close()


# --- a peer that stops reading ---------------------------------------------------

def test_zero_window_peer_is_bounded_and_hurts_no_one():
    mon = Monitor()
    p = Port(2602)
    try:
        stuck = p.connect(rcvbuf=4096)          # never reads
        good = p.connect()
        wait_for(lambda: p.state() == "CONNECTED(2)", 5, "2 clients")
        base = kernel_mem()
        peak = 0
        sent = bytearray()
        got = bytearray()
        good.setblocking(False)
        end = time.monotonic() + STALL_S
        r = random.Random(42)
        while time.monotonic() < end:
            # a steady line: 256 KiB/s, below what the path can do
            block = r.randbytes(26214)
            write_all_fd(p.master, block)
            sent += block
            t = time.monotonic() + 0.1
            while time.monotonic() < t:
                select.select([good], [], [], max(0, t - time.monotonic()))
                try:
                    got += good.recv(1 << 20)
                except BlockingIOError:
                    pass
            peak = max(peak, kernel_mem() - base)
        good.setblocking(True)
        got += recv_n(good, len(sent) - len(got), 30)
        assert digest(bytes(got)) == digest(bytes(sent)), len(got)
        # the stuck peer was let go at its bound: 1 MiB behind, counting
        # 128 bytes a packet of bookkeeping (1460-byte packets here: 92 %
        # of it bytes); the event says how many bytes it was behind
        assert p.stat("drop_slow_client") == 1, p.stat("drop_slow_client")
        gone = f"sernet{p.idx} ({p.tty}): disconnected " \
            f"127.0.0.1:{stuck.getsockname()[1]} (too slow, "
        mon.expect([gone])
        behind = int(mon.lines[-1][len(gone):].split()[0])
        print(f"# the stuck peer was let go {behind} B behind")
        assert 0.85 * (1 << 20) < behind <= 1 << 20, behind
        print(f"# {len(sent) >> 10} KiB over {STALL_S} s, peak kernel "
              f"memory growth {peak >> 10} KiB (slab, stacks, socket "
              "buffers)")
        # the stuck peer's socket buffer (tcp_wmem: 4 MiB at most) and
        # its queue (1 MiB), plus the good peer's: far below this
        assert peak < 16 << 20, peak
        stuck.close()
    finally:
        p.close()
        mon.close()


# --- back-pressure end to end -----------------------------------------------------

CHUNK = 1 << 20


class Stream:
    """n reproducible bytes made and checked a MiB at a time: 1 GiB does
    not fit twice in the VM's memory"""

    def __init__(self, n, seed):
        self.n, self.seed = n, seed
        self.checked = 0
        self.pending = b""
        self.last = (None, b"")

    def make(self, i):
        return random.Random(self.seed * 1000003 + i).randbytes(
            min(CHUNK, self.n - i * CHUNK))

    def chunk(self, i):
        """make(i), kept: the checker asks for the same one many times"""
        if self.last[0] != i:
            self.last = (i, self.make(i))
        return self.last[1]

    def write_to(self, write_all):
        for i in range((self.n + CHUNK - 1) // CHUNK):
            write_all(self.make(i))

    def check(self, data):
        """Compare what arrived with what was sent, in order"""
        self.pending += data
        while self.pending and self.checked < self.n:
            want = self.chunk(self.checked // CHUNK)[self.checked % CHUNK:]
            k = min(len(want), len(self.pending))
            assert self.pending[:k] == want[:k], \
                f"stream differs within bytes {self.checked}..{self.checked + k}"
            self.checked += k
            self.pending = self.pending[k:]
        assert not self.pending, "more bytes than were sent"


def back_pressure(lport, n, seed, to_network):
    """n bytes one way with FC on, the receiver stalling now and then:
    all of them arrive, in order, and nothing is counted dropped"""
    p = Port(lport, flow="FC")
    try:
        c = p.connect(rcvbuf=8192 if to_network else None)
        wait_for(lambda: p.state() == "CONNECTED(1)", 5, "client")
        st = Stream(n, seed)
        if to_network:
            writer, read = (lambda b: write_all_fd(p.master, b)), c.recv
            c.settimeout(60)
        else:
            writer, read = c.sendall, (lambda k: read_fd(p.master, k, 60))
        t = threading.Thread(target=st.write_to, args=(writer,))
        t.start()
        read_stalling(read, n, st.check)
        t.join()
        assert st.checked == n, f"{st.checked} of {n} bytes"
        for name in ("drop_slow_client", "drop_no_peer"):
            assert p.stat(name) == 0, name
        c.close()
    finally:
        p.close()


def test_back_pressure_network_to_serial_with_a_stalling_consumer():
    back_pressure(2603, BIG, 42, to_network=False)


def full_back_pressure_serial_to_network():
    """1 GiB; make check runs this at 100 MB in tcp_server_test.py"""
    back_pressure(2604, BIG, 43, to_network=True)


# --- memory per port and per client ------------------------------------------------

def ports_and_clients(n, base):
    """n ports serving TCP, n clients on the first, all gone again: the
    slab figures per port and per client, and what stayed behind"""
    ptys, a = [], slabs()
    m0 = kernel_mem()
    for i in range(n):
        master, slave = os.openpty()
        idx = attach(slave)
        serve(idx, base + i)
        ptys.append((master, slave, idx))
    b = slabs()
    m1 = kernel_mem()
    master, slave, idx = ptys[0]
    with open(f"{CLASS}/{idx}/max_clients", "w") as f:
        f.write("64")
    clients = [socket.create_connection(("127.0.0.1", base), 5)
               for _ in range(n)]
    wait_for(lambda: read(f"{CLASS}/{idx}/state") == f"CONNECTED({n})", 10,
             f"{n} clients")
    c = slabs()
    m2 = kernel_mem()
    port_slab = (slab_bytes(b) - slab_bytes(a)) // n
    client_slab = (slab_bytes(c) - slab_bytes(b)) // n
    print(f"# per port: {port_slab} B slab, {(m1 - m0) // n} B with "
          "stacks and socket buffers (an idle TCP server, listening)")
    print(f"# per client: {client_slab} B slab (both ends' sockets), "
          f"{(m2 - m1) // n} B with socket buffers, before any data")
    for cl in clients:
        cl.close()
    for master, slave, idx in ptys:
        fcntl.ioctl(slave, TIOCSETD, struct.pack("i", N_TTY))
        os.close(slave)
        os.close(master)
    # Detached and disconnected, every object goes back: counted by cache
    # (the debug kernel's total moves by a megabyte between two readings)
    # after a drain(); RCU and closing sockets take seconds. A port or a
    # client leaked is n objects in some cache.
    for _ in range(30):
        drain()
        growth = slab_growth(a, slabs())
        left = {k: g for k, g in growth.items() if g[0] >= n // 2}
        if not left:
            break
        time.sleep(1)
    print(f"# after detaching {n} ports and closing {n} clients: " +
          ", ".join(f"{k} {g:+d}" + (f" ({name})" if name != k else "")
                    for k, (g, name) in growth.items()))
    return port_slab, client_slab, left


def test_kernel_memory_per_port_and_per_client():
    n = 32
    port_slab, client_slab, left = ports_and_clients(n, 31000)
    # Something else in the guest grows a small kmalloc cache now and then
    # (kmalloc-8 by 404 objects for 30 s on 6.12 in CI, 2026-12-02, after
    # the rest of this file; nothing in 4 runs alone nor in 2 with an agent
    # running): what sernet leaks, it leaks again in a second round, in
    # the same cache.
    if left:
        again = ports_and_clients(n, 31100)[2]
        left = {k: g for k, g in left.items()
                if k in again and again[k][1] == g[1]}
    assert not left, left
    # The debug kernel's slabs also hold kmemleak's and debugobjects'
    # records of every object, KASAN's redzones and lockdep's maps: a port
    # took 7.1 times its slab on 6.12 there (212 KiB, 2026-12-02), and a
    # client's figure is lost in the churn of those records. Its bounds
    # are 8 times those of the kernels sernet ships on.
    scale = 8 if os.environ.get("SERNET_DEBUG_KERNEL") == "1" else 1
    assert port_slab < (64 << 10) * scale, port_slab
    assert client_slab < (32 << 10) * scale, client_slab


def test_module_unloads_at_the_end():
    assert port_count() == 0, os.listdir(CLASS)
    subprocess.run(["rmmod", "sernet"], check=True)
    subprocess.run(["insmod", os.environ["SERNET_KO"]], check=True)


if __name__ == "__main__":
    tests = {k: v for k, v in globals().items() if k.startswith("test_")}
    unload = tests.pop("test_module_unloads_at_the_end")
    if FULL:
        tests["full"] = full_back_pressure_serial_to_network
    tests["unload"] = unload
    only = os.environ.get("SERNET_STRESS_ONLY")
    if only:
        tests = {k: v for k, v in tests.items() if only in v.__name__}
    sys.exit(run_tests(tests))
