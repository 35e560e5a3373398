#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
sernet: the seam of the protocol-layer chain (kernel/layer.h), through the
test build's test layer (kernel/test_layer.c): with on_test_layer set, a
transport started after has it, and it changes the case of letters both
ways, greets each new TCP connection alone, and counts each connection that
ends. With the switch off the chain is empty: bytes pass as they are.
Runs inside tools/vm/run; KTAP.
"""
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hooks import hook_hits, hook_set, run_on_test_build  # noqa: E402
from sernet_helpers import (expect_closed, Port, read_fd, recv_n,  # noqa
                            udp_port, udp_sock, wait_for,
                            write_all_fd)

HELLO = b"sernet test layer\r\n"


def swapped(b):
    return bytes(c ^ 0x20 if chr(c).isascii() and chr(c).isalpha() else c
                 for c in b)


def layer(on):
    hook_set("on_test_layer", 1 if on else 0)


def test_tcp_server_through_the_layer():
    """
    Both directions go through the layer; conn_up answers one connection
    only (the second client's greeting never reaches the first); conn_down
    sees each end.
    """
    layer(True)
    p = Port(2950)
    try:
        a = p.connect()
        assert recv_n(a, len(HELLO), 5) == HELLO
        b = p.connect()
        assert recv_n(b, len(HELLO), 5) == HELLO
        wait_for(lambda: p.state() == "CONNECTED(2)", 5, "two clients")
        a.sendall(b"Hello, World 123\r\n")
        assert read_fd(p.master, 18, 5) == b"hELLO, wORLD 123\r\n"
        data = b"serial SIDE \x00\xff bytes"
        write_all_fd(p.master, data)
        for s in (a, b):
            assert recv_n(s, len(data), 5) == swapped(data)
        down = hook_hits("count_layer_down")
        b.close()
        wait_for(lambda: hook_hits("count_layer_down") == down + 1, 5,
                 "the layer seeing the end")
        a.close()
        wait_for(lambda: hook_hits("count_layer_down") == down + 2, 5,
                 "the layer seeing the second end")
    finally:
        p.close()
        layer(False)


def test_udp_server_through_the_layer():
    """Datagrams both ways through the layer"""
    layer(True)
    peer = udp_sock(2952)
    p = udp_port("UDPS", 2951)
    try:
        wait_for(lambda: p.state() == "LISTEN", 5, "LISTEN")
        peer.sendto(b"abc DEF", ("127.0.0.1", 2951))
        assert read_fd(p.master, 7, 5) == b"ABC def"
        wait_for(lambda: p.state() == "CONNECTED", 5, "a peer")
        write_all_fd(p.master, b"xyz")
        got, _ = peer.recvfrom(64)
        assert got == b"XYZ"
    finally:
        p.close()
        peer.close()
        layer(False)


def test_empty_chain_passes_bytes_as_they_are():
    """Switch off: no greeting, no change either way"""
    layer(False)
    p = Port(2953)
    try:
        a = p.connect()
        wait_for(lambda: p.state() == "CONNECTED(1)", 5, "the client")
        a.sendall(b"Hello")
        assert read_fd(p.master, 5, 5) == b"Hello"
        write_all_fd(p.master, b"World")
        assert recv_n(a, 5, 5) == b"World"
        p.close()
        expect_closed(a, 5, "the client of a detached port")
        a.close()
    finally:
        p.close()


if __name__ == "__main__":
    sys.exit(run_on_test_build(globals()))
