#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
sernet: the TCP server data path, with real peers (python sockets) on
loopback and pty pairs as serial lines. Runs inside tools/vm/run; KTAP.
"""
import fcntl
import os
import random
import re
import socket
import struct
import sys
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sernet_helpers import (BACKPRESSURE, BIG, CLASS, LDISC, N_TTY,  # noqa
                            TIOCSETD, digest, expect_closed, kept_newest_32k,
                            Monitor, Port, read, read_fd, read_stalling,
                            recv_n, run_tests, show_json, stream, wait_for,
                            write_all_fd)


# --- tests -------------------------------------------------------------------

def test_status_follows_clients():
    p = Port(2301)
    try:
        a = p.connect()
        wait_for(lambda: p.state() == "CONNECTED(1)", 5, "CONNECTED(1)")
        b = p.connect()
        wait_for(lambda: p.state() == "CONNECTED(2)", 5, "CONNECTED(2)")
        a.close()
        b.close()
        wait_for(lambda: p.state() == "LISTEN", 5, "LISTEN again")
        assert p.stat("connects") == 2 and p.stat("disconnects") == 2
    finally:
        p.close()


def test_serial_to_network_stream():
    p = Port(2302)
    try:
        c = p.connect()
        wait_for(lambda: p.state() == "CONNECTED(1)", 5, "client")
        data = stream(BIG, 1)
        t = threading.Thread(target=write_all_fd, args=(p.master, data))
        t.start()
        got = recv_n(c, len(data), 120)
        t.join()
        assert len(got) == len(data), f"{len(got)} of {len(data)} bytes"
        assert digest(got) == digest(data), "stream differs"
        assert p.stat("rx_bytes") == len(data)
        assert p.stat("drop_no_peer") == 0
        c.close()
    finally:
        p.close()


def test_network_to_serial_stream():
    p = Port(2303)
    try:
        c = p.connect()
        data = stream(BIG, 2)
        t = threading.Thread(target=c.sendall, args=(data,))
        t.start()
        got = read_fd(p.master, len(data), 120)
        t.join()
        assert len(got) == len(data), f"{len(got)} of {len(data)} bytes"
        assert digest(got) == digest(data), "stream differs"
        wait_for(lambda: p.stat("tx_bytes") == len(data), 5, "tx_bytes")
        assert p.stat("net_rx_bytes") == len(data)
        c.close()
    finally:
        p.close()


def test_fan_out_to_8_clients():
    p = Port(2304)
    try:
        clients = [p.connect() for _ in range(8)]
        wait_for(lambda: p.state() == "CONNECTED(8)", 5, "8 clients")
        data = stream(BIG // 8, 3)
        results = [None] * 8

        def reader(i):
            results[i] = recv_n(clients[i], len(data), 120)
        ts = [threading.Thread(target=reader, args=(i,)) for i in range(8)]
        for t in ts:
            t.start()
        write_all_fd(p.master, data)
        for t in ts:
            t.join()
        for i, r in enumerate(results):
            assert digest(r) == digest(data), f"client {i}: {len(r)} bytes"
        assert p.stat("net_tx_bytes") == 8 * len(data)
    finally:
        p.close()


def test_clients_sending_at_once_stay_whole():
    """
    Four clients send at once, each a run of 512-byte segments (one send()
    each, of eight 64-byte records naming the client and a sequence
    number): on the serial line every segment arrives whole and in its
    client's order, never cut by another client's bytes. (The module
    reads 4 KiB from a client at a time and writes it whole before the
    next client's turn; 512 divides 4096, so no read ends inside one.)
    """
    n, rec, per, segs = 4, 64, 8, 200
    p = Port(2318, max_clients=n)
    try:
        clients = [p.connect() for _ in range(n)]
        wait_for(lambda: p.state() == f"CONNECTED({n})", 5, f"{n} clients")
        total = n * segs * per * rec

        def sender(i):
            r = random.Random(i)
            for k in range(segs):
                clients[i].sendall(b"".join(
                    f"<{i}:{k * per + j:06d}".encode().ljust(rec, b".")
                    for j in range(per)))
                time.sleep(r.random() / 500)
        ts = [threading.Thread(target=sender, args=(i,)) for i in range(n)]
        for t in ts:
            t.start()
        got = read_fd(p.master, total, 60)
        for t in ts:
            t.join()
        assert len(got) == total, f"{len(got)} of {total} bytes"
        nxt = [0] * n
        run = None
        for off in range(0, total, rec):
            m = re.fullmatch(rb"<(\d):(\d{6})\.+", got[off:off + rec])
            assert m, f"a record cut at byte {off}: {got[off:off + rec]!r}"
            i, seq = int(m[1]), int(m[2])
            assert seq == nxt[i], f"client {i}: record {seq}, not {nxt[i]}"
            if i != run:
                # another client's turn starts only between segments
                assert seq % per == 0 and all(x % per == 0 for x in nxt), \
                    f"a segment of client {run} cut at byte {off}"
                run = i
            nxt[i] += 1
        assert nxt == [segs * per] * n, nxt
        assert p.stat("net_rx_bytes") == total
    finally:
        p.close()


def test_packing_time_and_length():
    p = Port(2305, pack_time=200)
    try:
        c = p.connect()
        wait_for(lambda: p.state() == "CONNECTED(1)", 5, "client")
        base = p.stat("rx_packets")
        # a gap longer than the packing time splits ...
        os.write(p.master, b"a" * 10)
        wait_for(lambda: p.stat("rx_packets") == base + 1, 5, "a packet")
        os.write(p.master, b"b" * 10)
        wait_for(lambda: p.stat("rx_packets") == base + 2, 5, "b packet")
        assert recv_n(c, 20, 5) == b"a" * 10 + b"b" * 10
        # ... a shorter one does not: the time counts from the last byte
        base = p.stat("rx_packets")
        for _ in range(5):
            os.write(p.master, b"c" * 10)
            time.sleep(0.005)
        assert recv_n(c, 50, 5) == b"c" * 50
        assert p.stat("rx_packets") - base == 1, p.stat("rx_packets") - base
        # the length closes a packet at once
        p.set("pack_len", 10)
        base = p.stat("rx_packets")
        os.write(p.master, b"d" * 95)
        assert recv_n(c, 95, 5) == b"d" * 95
        assert p.stat("rx_packets") - base == 10, p.stat("rx_packets") - base
    finally:
        p.close()


def test_full_server_refuses_or_drops_oldest():
    p = Port(2306, max_clients=2)
    try:
        a, b = p.connect(), p.connect()
        wait_for(lambda: p.state() == "CONNECTED(2)", 5, "2 clients")
        c = p.connect()
        wait_for(lambda: p.stat("refused") == 1, 5, "refused")
        assert expect_closed(c, 5, "the refused client") == b""
        assert p.state() == "CONNECTED(2)"
        p.set("full", "drop-oldest")
        d = p.connect()
        assert expect_closed(a, 5, "the oldest client") == b""
        os.write(p.master, b"hello")
        assert recv_n(b, 5, 5) == b"hello"
        assert recv_n(d, 5, 5) == b"hello"
        assert p.state() == "CONNECTED(2)"
    finally:
        p.close()


def test_kept_while_no_client():
    p = Port(2307)
    try:
        base = p.stat("rx_packets")
        os.write(p.master, b"early bytes")
        wait_for(lambda: p.stat("rx_packets") == base + 1, 5, "a packet")
        c = p.connect()
        assert recv_n(c, 11, 5) == b"early bytes"
        c.close()
        wait_for(lambda: p.state() == "LISTEN", 5, "LISTEN")

        def connect():
            c = p.connect()
            return c, lambda n: recv_n(c, n, 10)
        kept_newest_32k(p, connect, 4).close()
    finally:
        p.close()


def test_uartclbuf_on_discards_while_no_client():
    p = Port(2315)
    try:
        p.set("uartclbuf", "ON")
        os.write(p.master, b"lost")
        wait_for(lambda: p.stat("drop_no_peer") == 4, 5, "discarded")
        c = p.connect()
        wait_for(lambda: p.state() == "CONNECTED(1)", 5, "client")
        os.write(p.master, b"kept")
        assert recv_n(c, 4, 5) == b"kept"
        c.close()
    finally:
        p.close()


def test_slow_client_dropped_others_continue():
    mon = Monitor()
    p = Port(2308)
    try:
        slow = p.connect(rcvbuf=4096)
        fast = p.connect()
        wait_for(lambda: p.state() == "CONNECTED(2)", 5, "2 clients")
        data = stream(4 * 1024 * 1024, 5)
        t = threading.Thread(target=write_all_fd, args=(p.master, data))
        t.start()
        got = recv_n(fast, len(data), 120)
        t.join()
        assert digest(got) == digest(data), f"fast got {len(got)} bytes"
        wait_for(lambda: p.stat("drop_slow_client") == 1, 10, "slow drop")
        assert p.state() == "CONNECTED(1)"
        mon.expect([f"sernet{p.idx} ({p.tty}): disconnected "
                    f"127.0.0.1:{slow.getsockname()[1]} (too slow, "])
        slow.close()
    finally:
        p.close()
        mon.close()


def slow_reader_loses_nothing(lport, n, seed):
    """Back-pressure: the serial side waits for the only client."""
    p = Port(lport, flow="FC")
    try:
        c = p.connect(rcvbuf=8192)
        wait_for(lambda: p.state() == "CONNECTED(1)", 5, "client")
        data = stream(n, seed)
        t = threading.Thread(target=write_all_fd, args=(p.master, data))
        t.start()
        c.settimeout(60)
        got = read_stalling(c.recv, len(data))
        t.join()
        assert digest(got) == digest(data), f"{len(got)} bytes"
        assert p.stat("drop_slow_client") == 0
        assert p.stat("drop_no_peer") == 0
    finally:
        p.close()


def test_one_slow_reader_loses_nothing():
    slow_reader_loses_nothing(2309, BACKPRESSURE, 6)


def test_cannot_listen_is_an_error_that_retries():
    blocker = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    blocker.bind(("::", 2310))
    blocker.listen()
    p = Port(2311)
    try:
        p.set("port", 2310)
        # the seed's word, then the reason
        wait_for(lambda: p.state().startswith("ERROR: "), 5, "ERROR")
        blocker.close()
        wait_for(lambda: p.state() == "LISTEN", 10, "LISTEN after retry")
        c = socket.create_connection(("127.0.0.1", 2310), 5)
        os.write(p.master, b"x")
        assert recv_n(c, 1, 5) == b"x"
    finally:
        p.close()


def test_detach_during_traffic():
    p = Port(2312)
    c = p.connect()
    c.settimeout(10)
    stop = threading.Event()

    def pump():
        try:
            while not stop.is_set():
                c.sendall(b"y" * 4096)
        except OSError:
            pass
    t = threading.Thread(target=pump)
    t.start()
    try:
        os.write(p.master, b"z" * 100000)
        # traffic both ways is in flight
        wait_for(lambda: p.stat("net_tx_bytes") > 0 and
                 p.stat("tx_bytes") > 0, 10, "traffic both ways")
        fcntl.ioctl(p.slave, TIOCSETD, struct.pack("i", N_TTY))
        assert not os.path.exists(p.path("state"))
        # no socket of ours may call into the module once it is gone
        ko = os.environ["SERNET_KO"]
        assert not os.listdir(CLASS), f"ports left: {os.listdir(CLASS)}"
        assert os.system("rmmod sernet") == 0, "rmmod failed"
        assert os.system(f"insmod {ko}") == 0, "insmod failed"
        # the server went: the client reads to its end or is reset
        expect_closed(c, 10, "the client of a detached port")
    finally:
        stop.set()
        c.close()
        t.join()
        p.close()


def test_client_churn_while_data_flows():
    p = Port(2313)
    try:
        steady = p.connect()
        wait_for(lambda: p.state() == "CONNECTED(1)", 5, "client")
        data = stream(1024 * 1024, 7)
        t = threading.Thread(target=write_all_fd, args=(p.master, data))
        t.start()
        got = bytearray()
        steady.setblocking(False)
        for i in range(1000):
            c = p.connect()
            if i % 2:
                # abortive close: RST
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             struct.pack("ii", 1, 0))
            c.close()
            try:
                got += steady.recv(1 << 20)
            except BlockingIOError:
                pass
        t.join()
        steady.setblocking(True)
        got += recv_n(steady, len(data) - len(got), 60)
        assert digest(bytes(got)) == digest(data), f"{len(got)} bytes"
        wait_for(lambda: p.state() == "CONNECTED(1)", 10, "churn settles")
        # every one accepted has been closed again but the steady one
        assert p.stat("connects") == p.stat("disconnects") + 1, \
            (p.stat("connects"), p.stat("disconnects"))
        # each of the 1,000 was accepted as a client, or refused while the
        # server was full of closed ones not yet reaped: exactly once, the
        # reset ones too (Linux's accept() hands out a child reset while
        # it waited in the queue)
        churned = p.stat("connects") - 1 + p.stat("refused")
        assert churned == 1000, (p.stat("connects"), p.stat("refused"))
    finally:
        p.close()


def test_namespace_deletion_tears_down():
    """A port attached in a namespace loses its sockets with it."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    master, slave = os.openpty()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            if libc.unshare(0x40000000) != 0:          # CLONE_NEWNET
                os._exit(10)
            os.system("ip link set lo up")
            fcntl.ioctl(slave, TIOCSETD, struct.pack("i", LDISC))
            tty = "pts" + os.ttyname(slave).rsplit("/", 1)[1]
            idx = [d for d in os.listdir(CLASS)
                   if read(f"{CLASS}/{d}/tty_name") == tty][0]
            wait_for(lambda: read(f"{CLASS}/{idx}/state") == "LISTEN", 5,
                     "LISTEN in the namespace")
            c = socket.create_connection(("127.0.0.1", 23), 5)
            wait_for(lambda: read(f"{CLASS}/{idx}/state") == "CONNECTED(1)",
                     5, "client in the namespace")
            os.write(w, idx.encode())
            os._exit(0)          # the namespace dies with its last process
        except Exception:
            traceback.print_exc()
            os._exit(11)
    try:
        _, status = os.waitpid(pid, 0)
        assert os.WEXITSTATUS(status) == 0, os.WEXITSTATUS(status)
        idx = os.read(r, 64).decode()
        wait_for(lambda: read(f"{CLASS}/{idx}/state") == "IDLE", 20,
                 "IDLE after the namespace went")
        assert int(read(f"{CLASS}/{idx}/statistics/disconnects")) == 1
    finally:
        os.close(slave)
        os.close(master)


def test_monitor_prints_events():
    mon = Monitor()
    p = Port(2314)
    name = f"sernet{p.idx} ({p.tty})"
    try:
        c = p.connect()
        cport = c.getsockname()[1]
        wait_for(lambda: p.state() == "CONNECTED(1)", 5, "client")
        c.close()
        wait_for(lambda: p.state() == "LISTEN", 5, "LISTEN")
    finally:
        p.close()
    try:
        mon.expect([f"{name}: added",
                    f"{name}: status LISTEN",
                    f"{name}: connected 127.0.0.1:{cport}",
                    f"{name}: status CONNECTED(1)",
                    f"{name}: disconnected 127.0.0.1:{cport} (closed by peer;"
                    " sent 0 B, received 0 B)",
                    f"{name}: status LISTEN",
                    f"{name}: removed"])
    finally:
        mon.close()


def test_per_client_counters_and_why_each_ended():
    mon = Monitor()
    p = Port(2316, max_clients=2)
    name = f"sernet{p.idx} ({p.tty}): disconnected 127.0.0.1"
    try:
        a, b = p.connect(), p.connect()
        aport, bport = a.getsockname()[1], b.getsockname()[1]
        wait_for(lambda: p.state() == "CONNECTED(2)", 5, "2 clients")
        a.sendall(stream(1000, 20))
        assert len(read_fd(p.master, 1000, 10)) == 1000
        data = stream(3000, 21)
        os.write(p.master, data)
        assert recv_n(a, 3000, 10) == data
        assert recv_n(b, 3000, 10) == data
        clients = {int(c["peer"].rsplit(":", 1)[1]): c
                   for c in show_json(p.idx)["clients"]}
        assert set(clients) == {aport, bport}, clients
        ca, cb = clients[aport], clients[bport]
        assert (ca["net_rx_bytes"], cb["net_rx_bytes"]) == (1000, 0), clients
        assert ca["net_rx_packets"] >= 1 and cb["net_rx_packets"] == 0
        assert ca["net_tx_bytes"] == cb["net_tx_bytes"] == 3000, clients
        pkts = p.stat("rx_packets")
        assert ca["net_tx_packets"] == cb["net_tx_packets"] == pkts, clients
        assert ca["queued"] == cb["queued"] == 0, clients

        p.set("full", "drop-oldest")
        c = p.connect()
        cport = c.getsockname()[1]
        mon.expect([f"{name}:{aport} (dropped for a newer client; "
                    "sent 3000 B, received 1000 B)"])
        b.close()
        mon.expect([f"{name}:{bport} (closed by peer; sent 3000 B, "
                    "received 0 B)"])
        wait_for(lambda: p.state() == "CONNECTED(1)", 5, "1 client")
        assert [x["peer"] for x in show_json(p.idx)["clients"]] == \
            [f"127.0.0.1:{cport}"]
        p.set("port", 2317)          # a new socket: the transport restarts
        mon.expect([f"{name}:{cport} (transport stopped; sent 0 B, "
                    "received 0 B)"])
        assert show_json(p.idx)["clients"] == []
        a.close()
        c.close()
    finally:
        p.close()
        mon.close()


if __name__ == "__main__":
    sys.exit(run_tests({k: v for k, v in globals().items()
                        if k.startswith("test_")}))
