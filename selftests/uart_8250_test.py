#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
sernet on the real 8250 driver: /dev/ttyS1 wired to /dev/ttyS2 by
tools/vm/run --serial-loop. With flow control on (AT+UART ...,FC), a
network side that stops taking data makes the port hold the line with
RTS, and gives it back once the network catches up. QEMU's socket
chardev carries no modem lines, so the test reads RTS where the driver
keeps it (TIOCMGET on ttyS1) rather than as CTS on ttyS2. The test runs
in a network namespace of its own with small TCP buffers, so that the
slow emulated UART fills them in seconds.
Runs inside tools/vm/run; KTAP.
"""
import ctypes
import fcntl
import os
import select
import socket
import struct
import subprocess
import sys
import termios
import threading
import tty

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tcp_server_test import (CLASS, LDISC, read, run_tests,  # noqa
                             wait_for)

TIOCMGET = 0x5415
TIOCM_RTS = 0x004
TIOCSETD = 0x5423
N_TTY = 0
CLONE_NEWNET = 0x40000000


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


def wired():
    """Do bytes written to ttyS2 come out of ttyS1?"""
    try:
        s1, s2 = open_raw("/dev/ttyS1"), open_raw("/dev/ttyS2")
    except OSError:
        return False
    try:
        termios.tcflush(s1, termios.TCIOFLUSH)
        os.write(s2, b"?")
        r, _, _ = select.select([s1], [], [], 2)
        return bool(r) and os.read(s1, 16) == b"?"
    finally:
        os.close(s1)
        os.close(s2)


def rts(fd):
    bits = struct.unpack("i", fcntl.ioctl(fd, TIOCMGET, bytes(4)))[0]
    return bool(bits & TIOCM_RTS)


def test_fc_holds_rts_while_the_network_is_behind():
    s1, s2 = open_raw("/dev/ttyS1"), open_raw("/dev/ttyS2")
    fcntl.ioctl(s1, TIOCSETD, struct.pack("i", LDISC))
    stop = threading.Event()
    writer = None
    try:
        idx = next(int(d[6:]) for d in os.listdir(CLASS)
                   if read(f"{CLASS}/{d}/tty_name") == "ttyS1")

        def path(attr):
            return f"{CLASS}/sernet{idx}/{attr}"

        for attr, value in (("flow", "FC"), ("port", "2320")):
            with open(path(attr), "w") as f:
                f.write(value)
        wait_for(lambda: read(path("state")) == "LISTEN", 5, "LISTEN")
        assert rts(s1), "RTS not raised with FC on"
        c = socket.socket()
        c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        c.connect(("127.0.0.1", 2320))

        def write_forever():
            chunk = bytes(range(256)) * 16
            while not stop.is_set():
                try:
                    os.write(s2, chunk)
                except BlockingIOError:
                    select.select([], [s2], [], 0.2)
        writer = threading.Thread(target=write_forever)
        writer.start()
        # the client reads nothing: the backlog grows until RTS drops
        wait_for(lambda: not rts(s1), 120, "RTS to drop")
        held = int(read(path("statistics/rx_bytes")))
        stop.set()
        writer.join()
        # the client catches up: RTS comes back and data flows again
        c.setblocking(False)

        def drained():
            try:
                while c.recv(65536):
                    pass
            except BlockingIOError:
                pass
            return rts(s1)
        wait_for(drained, 60, "RTS to come back")
        assert int(read(path("statistics/rx_bytes"))) >= held
        c.close()
    finally:
        stop.set()
        if writer:
            writer.join()
        fcntl.ioctl(s1, TIOCSETD, struct.pack("i", N_TTY))
        os.close(s1)
        os.close(s2)


if __name__ == "__main__":
    if not wired():
        print("TAP version 13\n1..0 # SKIP ttyS1 and ttyS2 are not wired: "
              "use tools/vm/run --serial-loop")
        sys.exit(0)
    own_netns_small_buffers()
    sys.exit(run_tests({k: v for k, v in globals().items()
                        if k.startswith("test_")}))
