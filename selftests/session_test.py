#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
sernet: a whole AT session as a K3 user types it at the serial port, with
the agent sernetd: +++, a, then the serial settings, the packing and a UDP
client socket, AT+Z, and the traffic flows the new way (the new packing
seen at a UDP peer on loopback); AT+CFGTF keeps those as the user's
defaults, AT+RELD brings them back after other sets; with no user defaults
AT+RELD brings the factory's (stored, shown; the factory socket is never
applied here). Runs inside tools/vm/run; KTAP.
"""
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sernet_helpers import Agent, agent_port, answer, expect_closed, \
    free_port, read, read_fd, run_tests, udp_sock, wait_for  # noqa


def typed(p, line):
    """One command line typed at the port: its echo (the line without its
    CR LF) and the answer (between CR LFs)"""
    os.write(p.master, line + b"\r\n")
    got = b""
    while got.count(b"\r\n") < 2:
        b = read_fd(p.master, 1, 5)
        assert b, f"no answer to {line!r} after {got!r}"
        got += b
    return got


def test_typed_session_udp_packing_cfgtf_reld():
    lp, up = free_port(), free_port(socket.SOCK_DGRAM)
    peer = udp_sock(up)
    a = Agent(f"AT+SOCKA1=TCPS,127.0.0.1,{lp}\n")
    p = None
    try:
        p = agent_port(lp)
        c = p.connect()
        os.write(p.master, b"+++")
        assert read_fd(p.master, 1, 5) == b"a"
        os.write(p.master, b"a")
        assert read_fd(p.master, 3, 5) == b"+ok"
        # the manual's answers, echo on (the factory AT+E)
        for line in (b"AT+UART=9600,8,1,NONE,NFC", b"AT+UARTTL=50,4",
                     b"AT+SOCKA=UDPC,127.0.0.1,%d" % up):
            assert typed(p, line) == line + b"\r\n+OK\r\n", line
        assert typed(p, b"AT+UARTTL?") == b"AT+UARTTL?\r\n+OK=50,4\r\n"
        # stored, not in effect before AT+Z
        assert read(p.path("pack_len")) == "0"
        assert typed(p, b"AT+Z") == b"AT+Z\r\n+OK\r\n"
        expect_closed(c, 5, "the TCP server's client at AT+Z")
        # +OK first, then the restart: the agent answers the control
        # socket once it is made
        assert "\r\n+OK\r\n" in a.at("AT").stdout
        wait_for(lambda: [read(p.path(n)) for n in
                          ("baud", "pack_time", "pack_len", "port")] ==
                 ["9600", "50", "4", str(up)], 5, "AT+Z's push")
        # work mode again: 10 bytes are packets of 4, 4 and 2 at the peer
        os.write(p.master, b"abcdefghij")
        got = [peer.recvfrom(64) for _ in range(3)]
        assert [d for d, _ in got] == [b"abcd", b"efgh", b"ij"], got
        peer.sendto(b"to-tty", got[0][1])
        assert read_fd(p.master, 6, 5) == b"to-tty"
        # the user's defaults: saved, changed, restored
        assert answer(a.at("AT+CFGTF")) == "SAVED"
        assert "\r\n+OK\r\n" in a.at("AT+UARTTL=7,9").stdout
        assert "\r\n+OK\r\n" in a.at(f"AT+SOCKA=TCPS,127.0.0.1,{lp}").stdout
        assert "\r\n+OK\r\n" in a.at("AT+RELD").stdout
        assert answer(a.at("AT+UARTTL")) == "50,4"
        assert answer(a.at("AT+SOCKA")) == f"UDPC,127.0.0.1,{up}"
        assert answer(a.at("AT+UART")) == "9600,8,1,NONE,NFC"
        assert [ln for ln in a.conf_lines() if ln.startswith("AT+UARTTL")] \
            == ["AT+UARTTL1=50,4"], a.conf_lines()
    finally:
        if p:
            p.close()
        a.stop()
        peer.close()


def test_reld_without_user_defaults_is_factory():
    a = Agent("AT+UARTTL=7,9\nAT+SOCKA1=UDPC,127.0.0.1,9\nAT+MID=BOARD1\n")
    try:
        assert answer(a.at("AT+UARTTL")) == "7,9"
        assert "\r\n+OK\r\n" in a.at("AT+RELD").stdout
        # the seed's defaults, stored and shown; no AT+Z here
        assert answer(a.at("AT+UARTTL")) == "0,0"
        assert answer(a.at("AT+SOCKA")) == "TCPS,192.168.0.7,23"
        assert answer(a.at("AT+MID")) == "USR-K3"
        assert answer(a.at("AT+UART")) == "115200,8,1,NONE,NFC"
        # and so after a restart of the agent: it was saved
        a.stop()
        a.start()
        assert answer(a.at("AT+UARTTL")) == "0,0"
    finally:
        a.stop()


if __name__ == "__main__":
    sys.exit(run_tests({k: v for k, v in globals().items()
                        if k.startswith("test_")}))
