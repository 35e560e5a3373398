#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
sernet: serial packing (AT+UARTTL, PROTOCOLS.md §2) as a UDP peer sees it,
one packet one datagram, on a UDP client port with a pty as its serial
line. A packet closes when the line has been idle for the packing time,
counted from the last byte, or at the packing length; time 0 is 4
character times at the line's settings, length 0 is 1460 bytes.

Timing under QEMU TCG on a loaded machine: a timer never fires early, so a
datagram never arrives sooner than the packing time after its last byte
(checked on every sample); how much later varies by tens of ms, so upper
bounds are on the fastest of several samples, and a burst that must stay
one datagram is tried up to 3 times (a stall of the writer between two
bytes longer than the packing time splits it; a wrong timer splits every
try). Runs inside tools/vm/run; KTAP.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sernet_helpers import (read, run_tests, stream, udp_port,  # noqa
                            udp_sock, wait_for, write_all_fd)

BITS_8N1 = 10           # start, 8 data, stop
MARGIN = 0.025          # the fastest sample's delay past the packing time
TRIES = 3


class Line:
    """A UDPC port to a peer socket: serial bytes in, datagrams out"""

    def __init__(self, rport, lport, *extra):
        self.peer = udp_sock(rport)
        self.p = udp_port("UDPC", rport, "localport", str(lport), *extra)
        try:
            wait_for(lambda: self.p.state() == "CONNECTED", 5, "CONNECTED")
        except AssertionError:
            self.close()
            raise

    def sizes(self, n, timeout=5):
        """Datagrams until n bytes came: their sizes; the bytes"""
        got, sizes = bytearray(), []
        self.peer.settimeout(timeout)
        while len(got) < n:
            d = self.peer.recv(65536)
            got += d
            sizes.append(len(d))
        return sizes, bytes(got)

    def burst(self, n, gap):
        """n bytes, one at a time, gap s apart: the sizes of the datagrams"""
        data = stream(n, n)
        for i in range(n):
            if i:
                time.sleep(gap)
            os.write(self.p.master, data[i:i + 1])
        sizes, got = self.sizes(n)
        assert got == data, "bytes differ"
        return sizes

    def close(self):
        self.p.close()
        self.peer.close()


def one_datagram(line, n, gap):
    """n bytes gap s apart are one datagram, in one of TRIES tries"""
    tries = []
    for _ in range(TRIES):
        tries.append(line.burst(n, gap))
        if tries[-1] == [n]:
            print(f"#   {n} bytes {gap * 1000:.1f} ms apart: one datagram "
                  f"(tries: {tries})")
            return
    raise AssertionError(f"{n} bytes {gap * 1000:.1f} ms apart, "
                         f"datagram sizes in each try: {tries}")


def automatic_time(baud, rport, lport):
    """
    Packing time 0 at baud, 8N1: 4 character times. One byte's datagram
    never comes sooner, the fastest of 5 to 20 comes within MARGIN of it;
    bytes a quarter of it apart stay one datagram, a byte after a gap of
    the time plus 150 ms is a datagram of its own; pack_time_us agrees.
    """
    t = 4 * BITS_8N1 / baud
    line = Line(rport, lport)
    p = line.p
    try:
        p.set("baud", baud)
        delays = []
        while len(delays) < 5 or (min(delays) > t + MARGIN and
                                  len(delays) < 20):
            t0 = time.monotonic()
            os.write(p.master, b"x")
            assert line.peer.recv(65536) == b"x"
            d = time.monotonic() - t0
            # the kernel rounds the time down to the ns
            assert d >= t - 1e-6, \
                f"a datagram {d * 1e3:.2f} ms after its byte, the time " \
                f"is {t * 1e3:.2f} ms"
            delays.append(d)
        print(f"# {baud} baud: packing time {t * 1e3:.1f} ms, a byte's "
              f"datagram after {min(delays) * 1e3:.1f} to "
              f"{max(delays) * 1e3:.1f} ms ({len(delays)} samples)")
        assert min(delays) <= t + MARGIN, \
            f"the fastest of {len(delays)} datagrams came " \
            f"{min(delays) * 1e3:.1f} ms after its byte"
        # shorter gaps keep one packet, 8 bytes over 1.75 times the time
        one_datagram(line, 8, t / 4)
        # a longer one splits
        base = p.stat("rx_bytes")
        os.write(p.master, b"a")
        wait_for(lambda: p.stat("rx_bytes") == base + 1, 5, "a taken")
        time.sleep(t + 0.15)
        os.write(p.master, b"b")
        assert line.sizes(2) == ([1, 1], b"ab")
        # and the port reports the same time
        assert int(read(p.path("pack_time_us"))) == int(t * 1e6), \
            read(p.path("pack_time_us"))
    finally:
        line.close()


def test_automatic_time_at_1200_baud():
    automatic_time(1200, 2601, 2602)


def test_automatic_time_at_600_baud():
    automatic_time(600, 2603, 2604)


def test_length_0_is_1460():
    """5000 bytes at once, time 255 ms: 1460, 1460, 1460, 620"""
    line = Line(2605, 2606, "packtime", "255", "packlen", "0")
    try:
        data = stream(5000, 60)
        tries = []
        for _ in range(TRIES):
            write_all_fd(line.p.master, data)
            sizes, got = line.sizes(len(data))
            assert got == data, "bytes differ"
            tries.append(sizes)
            if sizes == [1460, 1460, 1460, 620]:
                return
        raise AssertionError(f"datagram sizes in each try: {tries}")
    finally:
        line.close()


def test_time_counted_from_the_last_byte():
    """
    Time 200 ms: a byte every 20 ms for 1.5 s (75 bytes, a burst far
    longer than the time) is one datagram.
    """
    line = Line(2607, 2608, "packtime", "200")
    try:
        one_datagram(line, 75, 0.02)
    finally:
        line.close()


if __name__ == "__main__":
    sys.exit(run_tests({k: v for k, v in globals().items()
                        if k.startswith("test_")}))
