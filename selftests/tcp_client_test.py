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
from tcp_server_test import (BIG, Monitor, Port, digest, read_fd,  # noqa
                             recv_n, stream, wait_for, write_all_fd,
                             run_tests)


def client_port(server_port, ip="127.0.0.1", extra=()):
    """A port whose transport is a TCP client of ip:server_port"""
    p = Port(None)
    subprocess.run(["sernetctl", "set", f"sernet{p.idx}", "socka",
                    f"TCPC,{ip},{server_port}", *extra], check=True)
    return p


def listener(port, family=socket.AF_INET, addr="127.0.0.1"):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen()
    s.settimeout(10)
    return s


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
        wait_for(lambda: p.state() == "CONNECTING", 5, "CONNECTING")
        # serial data while the server is away is kept, not lost
        os.write(p.master, b"while away")
        time.sleep(1.5)                 # a refused attempt or two
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
    p = client_port(2403)
    try:
        wait_for(lambda: p.stat("reconnects") >= 1, 10, "a second attempt")
        assert p.state() == "CONNECTING", p.state()
        assert p.stat("connects") == 0
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
        assert recv_n(conn, 1, 5) == b"", "the client connection stayed"
        wait_for(lambda: p.state() == "LISTEN", 5, "LISTEN")
        c = socket.create_connection(("127.0.0.1", 2407), 5)
        os.write(p.master, b"server again")
        assert recv_n(c, 12, 5) == b"server again"
        c.close()
    finally:
        p.close()
        srv.close()


def test_sockton_reconnects_when_nothing_comes():
    srv = listener(2408)
    p = client_port(2408, extra=("sockton", "2"))
    try:
        first, _ = srv.accept()
        wait_for(lambda: p.state() == "CONNECTED", 5, "CONNECTED")
        # the server sends nothing: after 2 s the client connects again
        assert recv_n(first, 1, 10) == b"", "first connection not closed"
        second, _ = srv.accept()
        wait_for(lambda: p.state() == "CONNECTED", 10, "CONNECTED again")
        second.sendall(b"k")            # traffic keeps it open
        time.sleep(1.2)
        second.sendall(b"k")
        time.sleep(1.2)
        assert p.stat("connects") == 2, p.stat("connects")
        second.close()
        first.close()
    finally:
        p.close()
        srv.close()


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
        os.write(p.master, b"first data")
        srv.settimeout(10)
        conn, _ = srv.accept()
        # the data that opened the connection is sent, not lost
        assert recv_n(conn, 10, 5) == b"first data"
        t0 = time.monotonic()
        assert recv_n(conn, 1, 10) == b"", "not closed after SHORTO"
        assert 1.5 < time.monotonic() - t0 < 6, time.monotonic() - t0
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
