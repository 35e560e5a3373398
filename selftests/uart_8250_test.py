#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
sernet on the real 8250 driver: /dev/ttyS1 wired to /dev/ttyS2 by
tools/vm/run --serial-loop. With flow control on (AT+UART ...,FC), a
network side that stops taking data makes the port hold the line with
RTS, and gives it back once the network catches up; nothing written is
lost. QEMU's socket chardev carries no modem lines, so the test reads RTS
where the driver keeps it (TIOCMGET on ttyS1) rather than as CTS on
ttyS2, and its writer on ttyS2 honours it as a device's CTS would. The
automatic packing time on the 8250 is 4 character times at the line's
rate (PROTOCOLS.md section 2). The test runs in a network namespace of
its own with small TCP buffers, so that the slow emulated UART fills them
in seconds.
Runs inside tools/vm/run; KTAP. Without an 8250 at ttyS1 and ttyS2 (no
--serial-loop) it skips; any other error fails.
"""
import ctypes
import fcntl
import hashlib
import os
import random
import select
import socket
import struct
import subprocess
import sys
import termios
import threading
import time
import tty

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hooks import HookedModule, hook_hits, hook_set  # noqa: E402
from sernet_helpers import (CLASS, LDISC, read, run_tests, wait_for)  # noqa

TIOCMGET = 0x5415
TIOCGETD = 0x5424
TIOCVHANGUP = 0x5437
TIOCM_RTS = 0x004
TIOCSETD = 0x5423
N_TTY = 0
CLONE_NEWNET = 0x40000000
# bytes written after RTS came back: the backlog must pass SERNET_BACKLOG_LOW
# (128 KiB) on the way down, and these must flow on top of it
AFTER = 128 * 1024


def own_netns_small_buffers():
    """This process (single threaded yet) into a new netns, lo up"""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET):
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNET)")
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    for name in ("tcp_wmem", "tcp_rmem"):
        with open(f"/proc/sys/net/ipv4/{name}", "w") as f:
            f.write("4096 16384 16384")


def open_raw(path):
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    tty.setraw(fd)
    return fd


def no_uarts():
    """Why the loop cannot be there (tools/vm/run without --serial-loop
    makes no UART at ttyS1 and ttyS2), or None. Anything else, a UART
    that is there but does not work included, is for the tests to fail."""
    for name in ("ttyS1", "ttyS2"):
        try:
            kind = read(f"/sys/class/tty/{name}/type")
        except FileNotFoundError:
            return f"no {name}: use tools/vm/run --serial-loop"
        if kind == "0":        # PORT_UNKNOWN: no UART at its address
            return f"no UART at {name}: use tools/vm/run --serial-loop"
    return None


def rts(fd):
    bits = struct.unpack("i", fcntl.ioctl(fd, TIOCMGET, bytes(4)))[0]
    return bool(bits & TIOCM_RTS)


def set_speed(fd, baud):
    """stty BAUD on a tty that is not the port's"""
    speed = getattr(termios, f"B{baud}")
    attrs = termios.tcgetattr(fd)
    attrs[4] = attrs[5] = speed
    termios.tcsetattr(fd, termios.TCSANOW, attrs)


class Port8250:
    """sernet attached to ttyS1, ttyS2 its far end, both raw"""

    def __init__(self):
        self.s1, self.s2 = open_raw("/dev/ttyS1"), open_raw("/dev/ttyS2")
        termios.tcflush(self.s1, termios.TCIOFLUSH)
        termios.tcflush(self.s2, termios.TCIOFLUSH)
        fcntl.ioctl(self.s1, TIOCSETD, struct.pack("i", LDISC))
        self.idx = next(int(d[6:]) for d in os.listdir(CLASS)
                        if read(f"{CLASS}/{d}/tty_name") == "ttyS1")

    def path(self, attr):
        return f"{CLASS}/sernet{self.idx}/{attr}"

    def set(self, attr, value):
        with open(self.path(attr), "w") as f:
            f.write(str(value))

    def get(self, attr):
        return read(self.path(attr))

    def close(self):
        set_speed(self.s2, 115200)
        fcntl.ioctl(self.s1, TIOCSETD, struct.pack("i", N_TTY))
        os.close(self.s1)
        os.close(self.s2)


def test_the_loop_carries_a_byte():
    s1, s2 = open_raw("/dev/ttyS1"), open_raw("/dev/ttyS2")
    try:
        termios.tcflush(s1, termios.TCIOFLUSH)
        assert os.write(s2, b"?") == 1
        r, _, _ = select.select([s1], [], [], 5)
        assert r, "a byte written to ttyS2 did not come out of ttyS1 in 5 s"
        got = os.read(s1, 16)
        assert got == b"?", f"ttyS1 read {got!r}, not b'?'"
    finally:
        os.close(s1)
        os.close(s2)


class Writer(threading.Thread):
    """Writes data to fd from where it left off while go is set and RTS
    (the far end's CTS) is up, up to limit bytes; sent counts what
    os.write took, partial writes included."""

    def __init__(self, fd, rts_fd, data):
        super().__init__(daemon=True)
        self.fd, self.rts_fd, self.data = fd, rts_fd, data
        self.sent = 0
        self.limit = len(data)
        self.go = threading.Event()
        self.stop = threading.Event()
        self.error = None

    def run(self):
        try:
            while not self.stop.is_set():
                if (not self.go.is_set() or self.sent >= self.limit or
                        not rts(self.rts_fd)):
                    time.sleep(0.005)
                    continue
                end = min(self.limit, self.sent + 4096)
                try:
                    self.sent += os.write(self.fd, self.data[self.sent:end])
                except BlockingIOError:
                    select.select([], [self.fd], [], 0.2)
        except Exception as e:    # noqa: BLE001 (reported by the test)
            self.error = e


def fc_client(p, port):
    """FC on, a TCP server on port, and its client with a 4 KiB buffer"""
    p.set("flow", "FC")
    p.set("port", port)
    wait_for(lambda: p.get("state") == "LISTEN", 5, "LISTEN")
    c = socket.socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    c.connect(("127.0.0.1", port))
    wait_for(lambda: p.get("state") == "CONNECTED(1)", 5, "client")
    return c


def recv_upto(c, got, n, quiet):
    """Read from c into got until it holds n bytes or nothing came for
    quiet seconds; the end of the connection fails"""
    c.settimeout(quiet)
    while len(got) < n:
        try:
            chunk = c.recv(65536)
        except socket.timeout:
            return
        assert chunk, f"connection closed after {len(got)} bytes"
        got += chunk


def end_fc(w, c, p):
    """The writer stopped, the client closed, the port detached"""
    w.stop.set()
    if w.is_alive():
        w.join()
    if c:
        c.close()
    p.close()


def test_fc_holds_rts_and_loses_nothing():
    p = Port8250()
    c = None
    data = random.Random(8250).randbytes(4 << 20)
    w = Writer(p.s2, p.s1, data)
    try:
        c = fc_client(p, 2320)
        assert rts(p.s1), "RTS not raised with FC on"
        w.start()
        w.go.set()
        # the client reads nothing: the backlog grows until RTS drops
        wait_for(lambda: not rts(p.s1) or w.error, 120, "RTS to drop")
        assert w.error is None, w.error
        held = w.sent
        # the writer goes on once RTS is back, for AFTER bytes more
        w.limit = held + AFTER
        # read until every byte came, or nothing came for 30 s
        got = bytearray()
        recv_upto(c, got, w.limit, 30)
        assert w.error is None, w.error
        want = data[:w.limit]
        if got != want:
            at = next((i for i, (a, b) in enumerate(zip(got, want))
                       if a != b), min(len(got), len(want)))
            raise AssertionError(
                f"{len(got)} bytes arrived, {w.limit} written ({held} "
                f"before RTS dropped), first difference at byte {at}; "
                f"sha256 {hashlib.sha256(got).hexdigest()[:16]}, "
                f"written {hashlib.sha256(want).hexdigest()[:16]}")
        wait_for(lambda: rts(p.s1), 10, "RTS back, the network caught up")
        wait_for(lambda: int(p.get("statistics/rx_bytes")) == w.limit, 10,
                 "rx_bytes to count every byte")
        print(f"# {held} bytes before RTS dropped, {w.limit} in all, "
              "each arrived once, in order")
    finally:
        end_fc(w, c, p)


def test_auto_packing_waits_4_character_times():
    """At each rate the port reports 4 character times (8N1: 10 bits), and
    a lone byte written to ttyS2 reaches the client no earlier than that
    after the write: it reaches ttyS1 after it was written (the emulated
    UART is not paced at the baud rate) and its packet closes a packing
    time after that. A timer never fires early: the bound is safe."""
    p = Port8250()
    c = None
    trig = "/sys/class/tty/ttyS1/rx_trig_bytes"
    old_trig = read(trig)
    try:
        # an interrupt for each byte, not a FIFO timeout of 4 character
        # times first: the byte is at ttyS1 right after the write
        with open(trig, "w") as f:
            f.write("1")
        p.set("port", 2321)
        wait_for(lambda: p.get("state") == "LISTEN", 5, "LISTEN")
        c = socket.create_connection(("127.0.0.1", 2321), timeout=10)
        wait_for(lambda: p.get("state") == "CONNECTED(1)", 5, "client")
        for baud in (600, 9600, 115200):
            p.set("baud", baud)             # ttyS1, through sysfs
            set_speed(p.s2, baud)           # its far end, as stty does
            spec = 4 * 10 / baud            # seconds
            # whole microseconds, truncated
            assert int(p.get("pack_time_us")) == max(100, 40_000_000 // baud)
            delays = []
            for _ in range(5):
                t0 = time.monotonic()
                assert os.write(p.s2, b"x") == 1
                assert c.recv(16) == b"x"
                delays.append(time.monotonic() - t0)
            print(f"# {baud} baud: packing time {spec * 1e6:.1f} us, "
                  f"write to client {min(delays) * 1e6:.0f} us at least")
            assert min(delays) >= spec, (baud, delays)
    finally:
        if c:
            c.close()
        with open(trig, "w") as f:
            f.write(old_trig)
        p.close()


def test_drained_before_the_throttle_is_unthrottled():
    """
    With FC on, the network drains the backlog after serial input
    stalled but before the tty is held (the test build's hook sleeps
    there): RTS comes back and every byte arrives, in order (before the
    fix the hold came last, after the release, and RTS stayed low).
    """
    hook = "delay_throttle_ms"
    with HookedModule():
        p = Port8250()
        c = None
        data = random.Random(8251).randbytes(4 << 20)
        w = Writer(p.s2, p.s1, data)
        try:
            c = fc_client(p, 2322)
            before = hook_hits(hook)
            hook_set(hook, 3000)
            w.start()
            w.go.set()
            # the client reads nothing: serial input stalls, and sleeps
            wait_for(lambda: hook_hits(hook) > before or w.error, 120,
                     "serial input to stall")
            w.go.clear()
            hook_set(hook, 0)
            assert w.error is None, w.error
            # while it sleeps, the network takes every packet
            got = bytearray()
            recv_upto(c, got, len(data), 0.5)
            w.limit = w.sent + AFTER
            w.go.set()
            recv_upto(c, got, w.limit, 30)
            assert w.error is None, w.error
            assert got == data[:w.limit], \
                f"{len(got)} bytes arrived of {w.limit} (RTS {rts(p.s1)})"
            wait_for(lambda: rts(p.s1), 10, "RTS up")
        finally:
            hook_set(hook, 0)
            end_fc(w, c, p)


def test_hangup_ends_the_port_for_good():
    """
    A hangup (vhangup(), or DCD lost without CLOCAL) ends the port, and
    the tty's next open gets N_TTY: no new port with the factory defaults
    (a TCP server on port 23 on every address), made behind the user's
    back (before the fix the reopen made one, or failed with EPERM for a
    user without CAP_NET_ADMIN).
    """
    s1, s2 = open_raw("/dev/ttyS1"), open_raw("/dev/ttyS2")
    fd = None
    try:
        fcntl.ioctl(s1, TIOCSETD, struct.pack("i", LDISC))

        def ports():
            return [d for d in os.listdir(CLASS)
                    if read(f"{CLASS}/{d}/tty_name") == "ttyS1"]
        assert len(ports()) == 1, ports()
        fcntl.ioctl(s1, TIOCVHANGUP)
        wait_for(lambda: not ports(), 5, "the port to go")
        # reopened while the hung-up file is still open
        fd = os.open("/dev/ttyS1", os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        ld = struct.unpack("i", fcntl.ioctl(fd, TIOCGETD, bytes(4)))[0]
        assert ld == N_TTY, f"line discipline {ld} after the reopen"
        assert not ports(), f"a port again: {ports()}"
    finally:
        for f in (fd, s1, s2):
            if f is not None:
                os.close(f)


if __name__ == "__main__":
    why = no_uarts()
    if why:
        print(f"TAP version 13\n1..0 # SKIP {why}")
        sys.exit(0)
    own_netns_small_buffers()
    sys.exit(run_tests({k: v for k, v in globals().items()
                        if k.startswith("test_")}))
