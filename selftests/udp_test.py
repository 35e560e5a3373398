#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
sernet: the UDP modes (AT+SOCKA=UDPS, UDPC, AT+UDPON, AT+UARTCLBUF and the
AT+SOCKLKA status), with python UDP sockets on loopback and pty pairs as
serial lines. Here packet boundaries are what the peer sees: one serial
packet, one datagram; one datagram, whole, to the serial line. Each mode
also carries a checksummed 10 MB stream both ways, paced by the test (UDP
does not hold a sender back). Runs inside tools/vm/run; KTAP.
"""
import os
import select
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sernet_helpers import (BIG, digest, read_fd, run_tests, stream,  # noqa
                            udp_port, udp_sock, wait_for)

SO_RCVBUFFORCE = 33


def datagrams(s, n):
    out = []
    for _ in range(n):
        out.append(s.recvfrom(65536)[0])
    return out


def nothing_queued(s, who):
    """
    s holds no datagram now. Only meaningful once something sent after
    what s must not get has been seen to arrive elsewhere.
    """
    r, _, _ = select.select([s], [], [], 0)
    assert not r, f"{who} got {s.recv(65536)!r}"


def test_udp_client_packets_are_datagrams():
    peer = udp_sock(2501)
    p = udp_port("UDPC", 2501, "localport", "2502", "packtime", "50",
                 "packlen", "10")
    try:
        wait_for(lambda: p.state() == "CONNECTED", 5, "CONNECTED")
        # the length splits at 10; the rest goes when the line is idle
        os.write(p.master, b"x" * 25)
        assert datagrams(peer, 3) == [b"x" * 10, b"x" * 10, b"x" * 5]
        assert p.stat("rx_packets") == 3
        # and back: the remote's datagrams go to the serial line whole
        peer.sendto(b"reply", ("127.0.0.1", 2502))
        assert read_fd(p.master, 5, 5) == b"reply"
    finally:
        p.close()
        peer.close()


def test_udp_client_filters_sources_unless_udpon():
    """
    UDPON OFF: only datagrams from the remote's address and port are taken;
    one from the remote's address on another port, and one from another
    address (127.0.0.2, local on lo) with the remote's port, are both
    dropped and counted. UDPON ON: from any address and port.
    """
    peer = udp_sock(2503)
    other_port = udp_sock(2504)
    other_addr = udp_sock(2503, "127.0.0.2")
    other_both = udp_sock(2504, "127.0.0.2")
    p = udp_port("UDPC", 2503, "localport", "2505")
    module = ("127.0.0.1", 2505)
    try:
        wait_for(lambda: p.state() == "CONNECTED", 5, "CONNECTED")
        other_port.sendto(b"not your port", module)
        other_addr.sendto(b"not your address", module)
        wait_for(lambda: p.stat("drop_udp") == 2, 5, "both dropped, counted")
        peer.sendto(b"you", module)
        assert read_fd(p.master, 3, 5) == b"you"
        p.set("udpon", "ON")
        for s in (other_port, other_addr, other_both):
            s.sendto(b"anyone", module)
            assert read_fd(p.master, 6, 5) == b"anyone"
        assert p.stat("drop_udp") == 2
    finally:
        p.close()
        for s in (peer, other_port, other_addr, other_both):
            s.close()


def test_udp_client_without_local_port():
    """
    localport 0: the module binds a port the kernel picks; the remote sees
    the datagrams come from it, and its replies to that port arrive.
    """
    peer = udp_sock(2513)
    p = udp_port("UDPC", 2513, "localport", "0")
    try:
        wait_for(lambda: p.state() == "CONNECTED", 5, "CONNECTED")
        os.write(p.master, b"ping")
        data, (addr, port) = peer.recvfrom(65536)
        assert (data, addr) == (b"ping", "127.0.0.1"), (data, addr)
        os.write(p.master, b"again")
        assert peer.recvfrom(65536) == (b"again", (addr, port))
        peer.sendto(b"pong", (addr, port))
        assert read_fd(p.master, 4, 5) == b"pong"
        assert p.stat("drop_udp") == 0
    finally:
        p.close()
        peer.close()


def test_udp_server_answers_the_last_sender():
    """
    UDPS: serial data packed while nobody has spoken is kept for the first
    sender; each datagram makes its sender the peer, and only the last is
    answered: once b has spoken, a gets nothing more.
    """
    p = udp_port("UDPS", 2506)
    a, b = udp_sock(2507), udp_sock(2508)
    srv = ("127.0.0.1", 2506)
    try:
        wait_for(lambda: p.state() == "LISTEN", 5, "LISTEN")
        os.write(p.master, b"nobody yet")
        wait_for(lambda: p.stat("rx_packets") == 1, 5, "the packet closed")
        a.sendto(b"from a", srv)
        assert read_fd(p.master, 6, 5) == b"from a"
        assert datagrams(a, 1) == [b"nobody yet"]
        assert p.stat("drop_no_peer") == 0
        wait_for(lambda: p.state() == "CONNECTED", 5, "CONNECTED")
        os.write(p.master, b"to a")
        assert datagrams(a, 1) == [b"to a"]
        b.sendto(b"from b", srv)
        assert read_fd(p.master, 6, 5) == b"from b"
        os.write(p.master, b"to b")
        assert datagrams(b, 1) == [b"to b"]
        # packets go out in order: once this one reached b, any copy of
        # "to b" for a was sent too
        os.write(p.master, b"marker")
        assert datagrams(b, 1) == [b"marker"]
        nothing_queued(a, "a, no longer the peer,")
    finally:
        p.close()
        a.close()
        b.close()


def test_udp_server_datagram_boundaries():
    """
    UDPS both ways: each serial packet is one datagram to the peer (the
    packing length splits, the rest goes when the line is idle); each
    datagram goes whole to the serial line: datagrams of distinct sizes,
    each complete before the next is sent; one of 5000 bytes arrives whole
    or, if the module cannot take it whole, not at all, counted.
    """
    p = udp_port("UDPS", 2514, "packtime", "50", "packlen", "10")
    peer = udp_sock(2515)
    srv = ("127.0.0.1", 2514)
    try:
        wait_for(lambda: p.state() == "LISTEN", 5, "LISTEN")
        peer.sendto(b"hi", srv)
        assert read_fd(p.master, 2, 5) == b"hi"
        wait_for(lambda: p.state() == "CONNECTED", 5, "CONNECTED")
        os.write(p.master, b"x" * 25)
        assert datagrams(peer, 3) == [b"x" * 10, b"x" * 10, b"x" * 5]
        assert p.stat("rx_packets") == 3
        sizes = (1, 7, 300, 1460, 1472, 2)
        for i, n in enumerate(sizes):
            d = stream(n, 40 + i)
            peer.sendto(d, srv)
            assert read_fd(p.master, n, 5) == d, f"the {n}-byte datagram"
        big = stream(5000, 50)
        peer.sendto(big, srv)
        peer.sendto(b"end", srv)
        got = bytearray()
        end = time.monotonic() + 5
        while not got.endswith(b"end") and time.monotonic() < end:
            got += read_fd(p.master, 1, end - time.monotonic())
        drops = p.stat("drop_udp")
        assert (got, drops) in ((big + b"end", 0), (b"end", 1)), \
            f"{len(got)} bytes came, {drops} dropped"
        total = 2 + sum(sizes) + len(got)
        wait_for(lambda: p.stat("tx_bytes") == total, 5, "tx_bytes")
    finally:
        p.close()
        peer.close()


def test_udp_bind_failure_is_an_error_that_retries():
    """
    SOCKLKA: a UDP server whose port a test socket holds is the seed's
    ERROR, with the reason; it tries again, and once the port is free it
    is LISTEN and carries data.
    """
    blocker = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    blocker.bind(("::", 2516))
    p = udp_port("UDPS", 2516)
    peer = udp_sock(2517)
    try:
        wait_for(lambda: p.state().startswith("ERROR"), 5, "ERROR")
        assert p.state() == "ERROR: address in use", p.state()
        blocker.close()
        wait_for(lambda: p.state() == "LISTEN", 10, "LISTEN after a retry")
        peer.sendto(b"up", ("127.0.0.1", 2516))
        assert read_fd(p.master, 2, 5) == b"up"
        os.write(p.master, b"back")
        assert datagrams(peer, 1) == [b"back"]
    finally:
        blocker.close()
        p.close()
        peer.close()


def test_udp_client_bind_failure_keeps_or_discards():
    """
    SOCKLKA and UARTCLBUF in UDPC: a client whose local port a test socket
    holds is ERROR, with the reason, and no connection is up: serial data
    is kept (UARTCLBUF OFF) and sent first once the port is free and the
    client CONNECTED; with UARTCLBUF ON it is discarded, counted, and
    never arrives, while data after the connection does.
    """
    peer = udp_sock(2518)
    blocker = udp_sock(2519)
    p = udp_port("UDPC", 2518, "localport", "2519")
    blocker2 = None
    try:
        wait_for(lambda: p.state().startswith("ERROR"), 5, "ERROR")
        assert p.state() == "ERROR: address in use", p.state()
        os.write(p.master, b"kept")
        wait_for(lambda: p.stat("rx_packets") == 1, 5, "the packet closed")
        blocker.close()
        wait_for(lambda: p.state() == "CONNECTED", 10, "CONNECTED")
        assert peer.recvfrom(65536) == (b"kept", ("127.0.0.1", 2519))
        assert p.stat("drop_no_peer") == 0
        # again with UARTCLBUF ON, on another local port that is held
        blocker2 = udp_sock(2520)
        p.set("uartclbuf", "ON")
        p.set("local_port", 2520)
        wait_for(lambda: p.state().startswith("ERROR"), 5, "ERROR")
        os.write(p.master, b"lost")
        wait_for(lambda: p.stat("drop_no_peer") == 4, 5, "discarded")
        blocker2.close()
        wait_for(lambda: p.state() == "CONNECTED", 10, "CONNECTED")
        os.write(p.master, b"late")
        assert peer.recvfrom(65536) == (b"late", ("127.0.0.1", 2520))
        assert p.stat("drop_no_peer") == 4
    finally:
        blocker.close()
        if blocker2:
            blocker2.close()
        p.close()
        peer.close()


def test_udp_server_uartclbuf_on_discards_until_a_peer():
    """
    UARTCLBUF ON in UDPS: serial data while nobody has spoken is discarded
    and counted; it never reaches the peer that speaks next, and what
    comes after that does.
    """
    p = udp_port("UDPS", 2521)
    peer = udp_sock(2522)
    srv = ("127.0.0.1", 2521)
    try:
        wait_for(lambda: p.state() == "LISTEN", 5, "LISTEN")
        p.set("uartclbuf", "ON")
        os.write(p.master, b"lost")
        wait_for(lambda: p.stat("drop_no_peer") == 4, 5, "discarded")
        peer.sendto(b"hi", srv)
        assert read_fd(p.master, 2, 5) == b"hi"
        wait_for(lambda: p.state() == "CONNECTED", 5, "CONNECTED")
        os.write(p.master, b"kept")
        assert datagrams(peer, 1) == [b"kept"]
        assert p.stat("drop_no_peer") == 4
    finally:
        p.close()
        peer.close()


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
