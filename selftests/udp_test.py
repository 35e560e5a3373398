#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
sernet: the UDP modes (AT+SOCKA=UDPS, UDPC, AT+UDPON), with python UDP
sockets on loopback and pty pairs as serial lines. Here packet
boundaries are what the peer sees: one serial packet, one datagram.
Each mode also carries a checksummed 10 MB stream both ways, paced by
the test (UDP does not hold a sender back). Runs inside tools/vm/run; KTAP.
"""
import os
import select
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tcp_server_test import (BIG, Port, digest, read_fd, run_tests,  # noqa
                             stream, wait_for)

SO_RCVBUFFORCE = 33


def udp_port(mode, remote_port, *extra):
    p = Port(None)
    subprocess.run(["sernetctl", "set", f"sernet{p.idx}", "socka",
                    f"{mode},127.0.0.1,{remote_port}", *extra], check=True)
    return p


def udp_sock(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    s.settimeout(5)
    return s


def datagrams(s, n):
    out = []
    for _ in range(n):
        out.append(s.recvfrom(65536)[0])
    return out


def test_udp_client_packets_are_datagrams():
    peer = udp_sock(2501)
    p = udp_port("UDPC", 2501, "localport", "2502", "packtime", "50",
                 "packlen", "10")
    try:
        wait_for(lambda: p.state() == "CONNECTED", 5, "CONNECTED")
        # the length splits at 10; the rest goes when the line is idle
        os.write(p.master, b"x" * 25)
        assert datagrams(peer, 3) == [b"x" * 10, b"x" * 10, b"x" * 5]
        # a gap longer than the packing time splits, a shorter does not
        p.set("pack_len", 0)
        os.write(p.master, b"aaaa")
        time.sleep(0.3)
        os.write(p.master, b"bbbb")
        assert datagrams(peer, 2) == [b"aaaa", b"bbbb"]
        for _ in range(4):
            os.write(p.master, b"cc")
            time.sleep(0.005)
        assert datagrams(peer, 1) == [b"cc" * 4]
        # and back: the remote's datagrams go to the serial line whole
        peer.sendto(b"reply", ("127.0.0.1", 2502))
        assert read_fd(p.master, 5, 5) == b"reply"
    finally:
        p.close()
        peer.close()


def test_udp_client_filters_sources_unless_udpon():
    peer = udp_sock(2503)
    stranger = udp_sock(2504)
    p = udp_port("UDPC", 2503, "localport", "2505")
    try:
        wait_for(lambda: p.state() == "CONNECTED", 5, "CONNECTED")
        stranger.sendto(b"not you", ("127.0.0.1", 2505))
        wait_for(lambda: p.stat("drop_udp") == 1, 5, "drop counted")
        peer.sendto(b"you", ("127.0.0.1", 2505))
        assert read_fd(p.master, 3, 5) == b"you"
        p.set("udpon", "ON")
        stranger.sendto(b"anyone", ("127.0.0.1", 2505))
        assert read_fd(p.master, 6, 5) == b"anyone"
        assert p.stat("drop_udp") == 1
    finally:
        p.close()
        peer.close()
        stranger.close()


def test_udp_server_answers_the_last_sender():
    p = udp_port("UDPS", 2506)
    a, b = udp_sock(2507), udp_sock(2508)
    try:
        wait_for(lambda: p.state() == "LISTEN", 5, "LISTEN")
        os.write(p.master, b"nobody yet")     # kept until someone speaks
        time.sleep(0.2)
        a.sendto(b"from a", ("127.0.0.1", 2506))
        assert read_fd(p.master, 6, 5) == b"from a"
        assert datagrams(a, 1) == [b"nobody yet"]
        wait_for(lambda: p.state() == "CONNECTED", 5, "CONNECTED")
        b.sendto(b"from b", ("127.0.0.1", 2506))
        assert read_fd(p.master, 6, 5) == b"from b"
        os.write(p.master, b"to b")
        assert datagrams(b, 1) == [b"to b"]
    finally:
        p.close()
        a.close()
        b.close()


def pump(src_ready, send, dst, n, seed, window, timeout=30):
    """
    Move n reproducible bytes: send(data, off) puts some of them in at
    the source (returns how many), dst is read until all came out. UDP
    does not hold a sender back, so the test does: never more than window
    bytes in flight, which the socket buffers hold. Returns what came out.
    """
    data = stream(n, seed)
    got = bytearray()
    sent = 0
    last = time.monotonic()
    while len(got) < n and time.monotonic() - last < timeout:
        want_w = [src_ready] if sent < n and sent - len(got) < window else []
        r, w, _ = select.select([dst], want_w, [], 0.5)
        if w:
            sent += send(data, sent)
        if r:
            chunk = (dst.recv(65536) if isinstance(dst, socket.socket)
                     else os.read(dst, 65536))
            got += chunk
            last = time.monotonic()
    assert len(got) == n, f"{len(got)} of {n} bytes"
    assert digest(got) == digest(data), "stream differs"
    return got


def stream_both_ways(p, peer, module_addr):
    """10 MB serial -> peer, then 10 MB peer -> serial, checksummed"""
    def grew(name):
        return p.stat(name) - before[name]
    before = {k: p.stat(k) for k in ("net_tx_bytes", "net_rx_bytes",
                                     "tx_bytes")}
    peer.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 32 << 20)
    peer.setblocking(False)
    os.set_blocking(p.master, False)
    pump(p.master, lambda d, o: os.write(p.master, d[o:o + 16384]),
         peer, BIG, 30, 256 * 1024)
    assert grew("net_tx_bytes") == BIG and p.stat("drop_udp") == 0
    pump(peer, lambda d, o: peer.sendto(d[o:o + 1400], module_addr),
         p.master, BIG, 31, 64 * 1024)
    wait_for(lambda: grew("tx_bytes") == BIG, 5, "tx_bytes")
    assert grew("net_rx_bytes") == BIG and p.stat("drop_udp") == 0


def test_udp_client_10mb_both_ways():
    peer = udp_sock(2509)
    p = udp_port("UDPC", 2509, "localport", "2510")
    try:
        wait_for(lambda: p.state() == "CONNECTED", 5, "CONNECTED")
        stream_both_ways(p, peer, ("127.0.0.1", 2510))
    finally:
        p.close()
        peer.close()


def test_udp_server_10mb_both_ways():
    p = udp_port("UDPS", 2511)
    peer = udp_sock(2512)
    try:
        wait_for(lambda: p.state() == "LISTEN", 5, "LISTEN")
        peer.sendto(b"hi", ("127.0.0.1", 2511))     # now it is the peer
        assert read_fd(p.master, 2, 5) == b"hi"
        stream_both_ways(p, peer, ("127.0.0.1", 2511))
    finally:
        p.close()
        peer.close()


if __name__ == "__main__":
    sys.exit(run_tests({k: v for k, v in globals().items()
                        if k.startswith("test_")}))
