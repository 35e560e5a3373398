#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
sernet: the TCP client mode (AT+SOCKA=TCPC) against python servers on
loopback, with pty pairs as serial lines. Runs inside tools/vm/run; KTAP.
Every server address here is 127.0.0.1 or ::1; the K3's default remote
(192.168.0.7) is never dialled: protocol, ip and port change in one SET.
"""
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sernet_helpers import (BIG, client_port, digest, expect_closed,  # noqa
                            kept_newest_32k, listener, Monitor, Port, read_fd,
                            recv_n, run_tests, stream, wait_for, write_all_fd)


# The idle timers count jiffies: one tick (10 ms at HZ=100) early at most
TICK = 0.01


def test_connects_and_streams_both_ways():
    srv = listener(2401)
    p = client_port(2401)
    try:
        conn, _ = srv.accept()
        wait_for(lambda: p.state() == "CONNECTED", 5, "CONNECTED")
        data = stream(BIG, 11)
        t = threading.Thread(target=write_all_fd, args=(p.master, data))
        t.start()
        got = recv_n(conn, len(data), 60)
        t.join()
        assert digest(got) == digest(data), f"{len(got)} bytes to network"
        back = stream(BIG, 12)
        t = threading.Thread(target=conn.sendall, args=(back,))
        t.start()
        got = read_fd(p.master, len(back), 60)
        t.join()
        assert digest(got) == digest(back), f"{len(got)} bytes to serial"
        conn.close()
    finally:
        p.close()
        srv.close()


def test_reconnects_after_server_restart():
    srv = listener(2402)
    p = client_port(2402)
    try:
        conn, _ = srv.accept()
        wait_for(lambda: p.state() == "CONNECTED", 5, "CONNECTED")
        conn.close()
        srv.close()
        wait_for(lambda: p.stat("disconnects") == 1, 5, "the loss seen")
        # serial data while the server is away is kept, not lost
        os.write(p.master, b"while away")
        # a refused attempt: the status is the seed's ERROR, with why
        wait_for(lambda: p.state() == "ERROR: connection refused", 10,
                 "a refused attempt")
        srv = listener(2402)
        conn, _ = srv.accept()
        wait_for(lambda: p.state() == "CONNECTED", 10, "CONNECTED again")
        assert recv_n(conn, 10, 5) == b"while away"
        assert p.stat("reconnects") >= 1, p.stat("reconnects")
        assert p.stat("connects") == 2 and p.stat("disconnects") == 1
        conn.close()
    finally:
        p.close()
        srv.close()


def test_no_server_keeps_trying():
    """SOCKLKA: ERROR while the server refuses; it keeps trying"""
    p = client_port(2403)
    try:
        wait_for(lambda: p.state().startswith("ERROR"), 10, "ERROR")
        assert p.state() == "ERROR: connection refused", p.state()
        wait_for(lambda: p.stat("reconnects") >= 1, 10, "a second attempt")
        assert p.stat("connects") == 0
        srv = listener(2403)
        try:
            conn, _ = srv.accept()       # backoff: 1, 2, 4 ... s
            wait_for(lambda: p.state() == "CONNECTED", 10, "CONNECTED")
            conn.close()
        finally:
            srv.close()
    finally:
        p.close()


def test_local_port_and_ipv6():
    srv = listener(2404, socket.AF_INET6, "::1")
    p = client_port(2404, "::1", ("localport", "2405"))
    try:
        conn, peer = srv.accept()
        assert peer[1] == 2405, peer
        wait_for(lambda: p.state() == "CONNECTED", 5, "CONNECTED")
        out = subprocess.run(["sernetctl", "show", f"sernet{p.idx}"],
                             capture_output=True, text=True).stdout
        assert "socket    TCPC to ::1 port 2404, local port 2405" in out, out
        conn.close()
    finally:
        p.close()
        srv.close()


def test_back_to_server_mode():
    srv = listener(2406)
    p = client_port(2406)
    try:
        conn, _ = srv.accept()
        wait_for(lambda: p.state() == "CONNECTED", 5, "CONNECTED")
        subprocess.run(["sernetctl", "set", f"sernet{p.idx}", "protocol",
                        "TCPS", "port", "2407"], check=True)
        assert expect_closed(conn, 5, "the client connection") == b""
        wait_for(lambda: p.state() == "LISTEN", 5, "LISTEN")
        c = socket.create_connection(("127.0.0.1", 2407), 5)
        os.write(p.master, b"server again")
        assert recv_n(c, 12, 5) == b"server again"
        c.close()
    finally:
        p.close()
        srv.close()


def test_sockton_reconnects_when_nothing_comes():
    """
    SOCKTON (PROTOCOLS.md §8): a TCP client that received nothing for
    SOCKTON s connects again; data it sends does not count, data it
    receives does.
    """
    srv = listener(2408)
    t0 = time.monotonic()           # before the connection: a lower bound
    p = client_port(2408, extra=("sockton", "2"))
    try:
        first, _ = srv.accept()
        wait_for(lambda: p.state() == "CONNECTED", 5, "CONNECTED")
        # the server sends nothing; the serial side sends all the time
        first.settimeout(0.3)
        got = b""
        while time.monotonic() - t0 < 10:
            os.write(p.master, b"s")
            try:
                chunk = first.recv(100)
            except socket.timeout:
                continue
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                break
            got += chunk
            time.sleep(0.2)
        took = time.monotonic() - t0
        assert took < 10, "SOCKTON: open though the server sent nothing"
        assert 2 - TICK <= took < 6, f"closed after {took:.1f} s"
        assert got and set(got) == {ord("s")}, got
        second, _ = srv.accept()
        wait_for(lambda: p.state() == "CONNECTED", 10, "CONNECTED again")
        # what the server sends keeps it open, for 2 s after the last byte
        for i in range(5):
            if i:
                time.sleep(0.7)
            last = time.monotonic()
            second.sendall(b"k")
            assert read_fd(p.master, 1, 5) == b"k"
        assert p.stat("connects") == 2, p.stat("connects")
        # (the "s" written as the first one closed came on this one)
        rest = expect_closed(second, 10, "the quiet connection")
        assert set(rest) <= {ord("s")}, rest
        took = time.monotonic() - last
        assert 2 - TICK <= took < 6, f"{took:.1f} s after the last byte"
        third, _ = srv.accept()
        third.close()
        second.close()
        first.close()
    finally:
        p.close()
        srv.close()


def test_sockton_only_in_tcp_client_mode():
    """A TCP server's client may be silent longer than SOCKTON"""
    p = Port(2411)
    try:
        subprocess.run(["sernetctl", "set", f"sernet{p.idx}", "sockton", "1"],
                       check=True)
        c = p.connect()
        wait_for(lambda: p.state() == "CONNECTED(1)", 5, "a client")
        c.settimeout(3.5)        # three SOCKTONs of silence: nothing ends
        try:
            raise AssertionError(f"the server ended it: {c.recv(1)!r}")
        except socket.timeout:
            pass
        c.sendall(b"still")
        assert read_fd(p.master, 5, 5) == b"still"
        os.write(p.master, b"here")
        assert recv_n(c, 4, 5) == b"here"
        assert (p.stat("connects"), p.stat("disconnects")) == (1, 0)
        c.close()
    finally:
        p.close()


def test_short_connection_opens_on_data_and_closes():
    srv = listener(2409)
    srv.settimeout(1)
    mon = Monitor()
    p = client_port(2409, extra=("socksl", "ON", "shorto", "2"))
    try:
        wait_for(lambda: p.state() == "IDLE", 5, "IDLE without data")
        try:
            srv.accept()
            raise AssertionError("connected without data")
        except socket.timeout:
            pass
        t0 = time.monotonic()       # before any traffic: a lower bound
        os.write(p.master, b"first data")
        srv.settimeout(10)
        conn, _ = srv.accept()
        # the data that opened the connection is sent, not lost
        assert recv_n(conn, 10, 5) == b"first data"
        assert expect_closed(conn, 10, "after SHORTO") == b""
        took = time.monotonic() - t0
        assert 2 - TICK <= took < 6, f"closed after {took:.1f} s"
        mon.expect([f"sernet{p.idx} ({p.tty}): disconnected 127.0.0.1:2409 "
                    "(idle; sent 10 B, received 0 B)"])
        wait_for(lambda: p.state() == "IDLE", 5, "IDLE again")
        os.write(p.master, b"more")
        conn2, _ = srv.accept()
        assert recv_n(conn2, 4, 5) == b"more"
        conn2.close()
        conn.close()
    finally:
        p.close()
        srv.close()
        mon.close()


def test_short_connection_kept_by_network_traffic():
    """SHORTO counts traffic either way: the server's keeps it open"""
    srv = listener(2412)
    p = client_port(2412, extra=("socksl", "ON", "shorto", "2"))
    try:
        wait_for(lambda: p.state() == "IDLE", 5, "IDLE without data")
        os.write(p.master, b"open")
        conn, _ = srv.accept()
        assert recv_n(conn, 4, 5) == b"open"
        for _ in range(5):
            time.sleep(0.7)
            last = time.monotonic()
            conn.sendall(b"n")
            assert read_fd(p.master, 1, 5) == b"n"
        assert (p.stat("connects"), p.stat("disconnects")) == (1, 0)
        assert expect_closed(conn, 10, "after SHORTO") == b""
        took = time.monotonic() - last
        assert 2 - TICK <= took < 6, f"{took:.1f} s after the last byte"
        conn.close()
    finally:
        p.close()
        srv.close()


def test_shorto_default_is_3_s():
    srv = listener(2413)
    p = client_port(2413, extra=("socksl", "ON"))
    try:
        wait_for(lambda: p.state() == "IDLE", 5, "IDLE without data")
        t0 = time.monotonic()
        os.write(p.master, b"x")
        conn, _ = srv.accept()
        assert recv_n(conn, 1, 5) == b"x"
        assert expect_closed(conn, 10, "after the default SHORTO") == b""
        took = time.monotonic() - t0
        assert 3 - TICK <= took < 7, f"closed after {took:.1f} s, not 3"
        conn.close()
    finally:
        p.close()
        srv.close()


def test_short_connections_only_in_tcp_client_mode():
    """SOCKSL ON in TCP server mode: it listens, and clients stay"""
    p = Port(2414)
    try:
        subprocess.run(["sernetctl", "set", f"sernet{p.idx}", "socksl", "ON",
                        "shorto", "2"], check=True)
        wait_for(lambda: p.state() == "LISTEN", 5, "LISTEN")
        c = p.connect()
        wait_for(lambda: p.state() == "CONNECTED(1)", 5, "a client")
        c.settimeout(4.5)        # two SHORTOs of silence: nothing ends
        try:
            raise AssertionError(f"the server ended it: {c.recv(1)!r}")
        except socket.timeout:
            pass
        os.write(p.master, b"here")
        assert recv_n(c, 4, 5) == b"here"
        assert (p.stat("connects"), p.stat("disconnects")) == (1, 0)
        c.close()
    finally:
        p.close()


def test_uartclbuf_in_tcp_client_mode():
    """
    No connection yet: UARTCLBUF OFF keeps the newest 32 KiB for it,
    ON discards what comes meanwhile (counted); then data flows.
    """
    p = client_port(2415)
    srv = None
    try:
        wait_for(lambda: p.state().startswith("ERROR"), 10, "refused")

        def connect():
            nonlocal srv
            srv = listener(2415)
            conn, _ = srv.accept()
            return conn, lambda n: recv_n(conn, n, 10)
        conn = kept_newest_32k(p, connect, 9)
        conn.close()
        srv.close()
        wait_for(lambda: p.state().startswith("ERROR"), 10, "refused")
        p.set("uartclbuf", "ON")
        drop = p.stat("drop_no_peer")
        os.write(p.master, b"lost")
        wait_for(lambda: p.stat("drop_no_peer") == drop + 4, 5, "discarded")
        srv = listener(2415)
        conn, _ = srv.accept()
        wait_for(lambda: p.state() == "CONNECTED", 5, "CONNECTED")
        os.write(p.master, b"kept")
        assert recv_n(conn, 4, 5) == b"kept"
        conn.close()
    finally:
        p.close()
        if srv:
            srv.close()


def test_short_connection_sends_its_trigger_with_uartclbuf_on():
    """
    SOCKSL with UARTCLBUF ON: the data that opens a short connection is
    what the connection is for, and is sent (PROTOCOLS.md section 8), not
    discarded as data that came while no connection was up.
    """
    srv = listener(2416)
    p = client_port(2416, extra=("socksl", "ON", "uartclbuf", "ON"))
    try:
        wait_for(lambda: p.state() == "IDLE", 5, "IDLE without data")
        os.write(p.master, b"wake")
        conn, _ = srv.accept()
        assert recv_n(conn, 4, 5) == b"wake"
        assert p.stat("drop_no_peer") == 0, p.stat("drop_no_peer")
        conn.close()
    finally:
        p.close()
        srv.close()


def test_bad_socket_settings_are_refused():
    p = Port(2410)
    try:
        before = subprocess.run(["sernetctl", "show", f"sernet{p.idx}"],
                                capture_output=True, text=True).stdout
        for args, want in ((("shorto", "1"), "shorto: "),
                           (("shorto", "256"), "shorto: "),
                           (("sockton", "0"), "sockton: "),
                           (("sockton", "100000"), "sockton: "),
                           (("port", "0"), "port: "),
                           (("maxclients", "65"), "maxclients: ")):
            # a good value beside the bad one is not applied either
            r = subprocess.run(["sernetctl", "set", f"sernet{p.idx}", *args,
                                "full", "drop-oldest"],
                               capture_output=True, text=True)
            assert r.returncode == 1, (args, r)
            assert want in r.stderr and "allowed" in r.stderr, r.stderr
        r = subprocess.run(["sernetctl", "set", f"sernet{p.idx}", "ip",
                            "1.2.3"], capture_output=True, text=True)
        assert r.returncode == 2 and "ip: invalid value" in r.stderr, r
        after = subprocess.run(["sernetctl", "show", f"sernet{p.idx}"],
                               capture_output=True, text=True).stdout
        assert before == after, (before, after)
        assert p.state() == "LISTEN"
    finally:
        p.close()


if __name__ == "__main__":
    sys.exit(run_tests({k: v for k, v in globals().items()
                        if k.startswith("test_")}))
