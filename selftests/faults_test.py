#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
sernet: races and failures found in review (issue 11), each reached every
time: the test build's hooks (selftests/hooks.py, kernel/hooks.h) widen a
race window by sleeping in it, or fail an allocation, and each test waits
for the hook's hit counter before it acts. Every test here fails on the
code before its fix. Runs inside tools/vm/run; KTAP.
"""
import errno
import fcntl
import os
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hooks import hook_get, hook_hits, hook_set, run_on_test_build  # noqa
from sernet_helpers import (CLASS, LDISC, N_TTY, TIOCSETD, client_port,  # noqa
                            expect_closed, listener, Port, read, read_fd,
                            recv_n, stream, wait_for, write_all_fd)


def port_of(tty):
    """The index of the port attached to tty, or None"""
    for d in os.listdir(CLASS):
        try:
            if read(f"{CLASS}/{d}/tty_name") == tty:
                return int(d[6:])
        except FileNotFoundError:     # a port going away
            pass
    return None


def refused(port):
    """A connect to 127.0.0.1:port is refused (RST), not accepted"""
    s = socket.socket()
    s.settimeout(5)
    try:
        s.connect(("127.0.0.1", port))
    except ConnectionRefusedError:
        return True
    finally:
        s.close()
    return False


def test_set_while_a_new_port_is_announced():
    """
    A sysfs write to a port announced a moment ago, before its transport
    started: one transport runs, on the new port, and it goes with the
    port (before the fix a second one started beside the first, whose
    listener outlived the port: connecting to it reached freed memory).
    """
    hook = "delay_port_added_ms"
    before = hook_hits(hook)
    hook_set(hook, 1500)
    master, slave = os.openpty()
    tty = "pts" + os.ttyname(slave).rsplit("/", 1)[1]
    err = []

    def attach():
        try:
            fcntl.ioctl(slave, TIOCSETD, struct.pack("i", LDISC))
        except OSError as e:
            err.append(e)
    t = threading.Thread(target=attach)
    t.start()
    try:
        wait_for(lambda: hook_hits(hook) > before, 5, "the port announced")
        idx = port_of(tty)
        assert idx is not None, "announced, but not in sysfs"
        with open(f"{CLASS}/sernet{idx}/port", "w") as f:
            f.write("2901")
        t.join()
        assert not err, err
        hook_set(hook, 0)
        st = f"{CLASS}/sernet{idx}/state"
        wait_for(lambda: read(st) == "LISTEN", 5, f"LISTEN (is {read(st)})")
        c = socket.create_connection(("127.0.0.1", 2901), timeout=5)
        wait_for(lambda: read(st) == "CONNECTED(1)", 5, "the client")
        fcntl.ioctl(slave, TIOCSETD, struct.pack("i", N_TTY))
        assert expect_closed(c, 5, "the client at detach") == b""
        c.close()
        wait_for(lambda: port_of(tty) is None, 5, "the port gone")
        assert refused(2901), "a listener outlived its port"
    finally:
        hook_set(hook, 0)
        t.join()
        os.close(slave)
        os.close(master)


def test_tcp_client_of_a_server_that_closes_at_once():
    """
    A "busy, go away" server accepts, says so and closes before the port
    looks at its new connection (the hook delays that look): what it said
    reaches the serial side and the port tries again (before the fix the
    port stayed CONNECTING for good).
    """
    hook = "delay_connect_done_ms"
    srv = listener(2902)
    accepted = []

    def serve():
        while len(accepted) < 2:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            conn.sendall(b"busy\r\n")
            conn.close()
            accepted.append(time.monotonic())
    t = threading.Thread(target=serve)
    before = hook_hits(hook)
    hook_set(hook, 500)
    t.start()
    p = client_port(2902)
    try:
        wait_for(lambda: hook_hits(hook) > before, 5, "a connection made")
        assert read_fd(p.master, 12, 10) == b"busy\r\n" * 2
        wait_for(lambda: len(accepted) == 2, 10, "a second attempt")
        assert p.stat("connects") >= 2, p.stat("connects")
    finally:
        hook_set(hook, 0)
        srv.close()
        t.join()
        p.close()


def test_no_page_for_serial_bytes_resumes():
    """
    The first page for serial bytes cannot be had: the bytes wait in the
    tty, and come a moment later (before the fix nothing resumed the
    stalled port: the backlog was empty and no timer armed).
    """
    hook = "fail_page_alloc"
    p = Port(2903)
    try:
        c = p.connect()
        wait_for(lambda: p.state() == "CONNECTED(1)", 5, "the client")
        hook_set(hook, 1)
        os.write(p.master, b"hello")
        assert recv_n(c, 5, 5) == b"hello"
        assert hook_get(hook) == 0, "no page allocation failed"
        c.close()
    finally:
        hook_set(hook, 0)
        p.close()


def test_no_memory_for_a_packet_resumes():
    """
    Five bytes, packing length 10: only the packing timer closes their
    packet, and the packet cannot be had then; they still come a moment
    later (before the fix the timer gave up). Then, packing length 5, ten
    bytes: the packet of the first five cannot be made (serial input
    stalls), nor by the timer: every byte still comes, in order.
    """
    hook = "fail_pkt_alloc"
    p = Port(2904, pack_len=10)
    try:
        c = p.connect()
        wait_for(lambda: p.state() == "CONNECTED(1)", 5, "the client")
        hook_set(hook, 1)
        os.write(p.master, b"01234")
        assert recv_n(c, 5, 5) == b"01234"
        assert hook_get(hook) == 0, "no packet allocation failed"
        p.set("pack_len", 5)
        hook_set(hook, 2)
        os.write(p.master, b"0123456789")
        assert recv_n(c, 10, 5) == b"0123456789"
        assert hook_get(hook) == 0, "fewer than 2 allocations failed"
        assert p.stat("rx_packets") == 3, p.stat("rx_packets")
        c.close()
    finally:
        hook_set(hook, 0)
        p.close()

def test_port_of_a_dying_netns_restarts_in_init_net():
    """
    A port's namespace goes away; a sysfs write restarts its transport
    while the port is on its way back to the initial namespace: the new
    socket is made there (before the fix, in the dying namespace, which
    it outlived).
    """
    hook = "delay_net_exit_ms"
    ns = "sernet-dying"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    master, slave = os.openpty()
    try:
        # attached from inside the namespace: the port lives there
        subprocess.run(["ip", "netns", "exec", ns, "python3", "-c",
                        "import fcntl, struct; fcntl.ioctl("
                        f"{slave}, {TIOCSETD}, struct.pack('i', {LDISC}))"],
                       pass_fds=(slave,), check=True)
        tty = "pts" + os.ttyname(slave).rsplit("/", 1)[1]
        idx = port_of(tty)
        assert idx is not None, "no port"
        st = f"{CLASS}/sernet{idx}/state"
        with open(f"{CLASS}/sernet{idx}/port", "w") as f:
            f.write("2905")
        wait_for(lambda: read(st) == "LISTEN", 5, "LISTEN in the netns")
        assert refused(2905), "listening outside its namespace"
        before = hook_hits(hook)
        hook_set(hook, 2000)
        subprocess.run(["ip", "netns", "del", ns], check=True)
        # stopped by the namespace's exit: then, in the window, a restart
        wait_for(lambda: read(st) == "IDLE", 20, "the port stopped")
        with open(f"{CLASS}/sernet{idx}/port", "w") as f:
            f.write("2906")
        wait_for(lambda: hook_hits(hook) > before, 10, "the window")
        hook_set(hook, 0)
        wait_for(lambda: read(st) == "LISTEN", 10, "LISTEN again")
        c = socket.create_connection(("127.0.0.1", 2906), timeout=5)
        wait_for(lambda: read(st) == "CONNECTED(1)", 5, "the client")
        c.close()
    finally:
        hook_set(hook, 0)
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        os.close(slave)
        os.close(master)


def test_pty_master_is_refused():
    """
    The serial end of a pty pair is its slave: attaching to a master is
    refused (EINVAL), with no port made and no warning (tty_set_termios()
    warns on a master, which panics a kernel with panic_on_warn).
    """
    master, slave = os.openpty()
    try:
        ports = set(os.listdir(CLASS))
        try:
            fcntl.ioctl(master, TIOCSETD, struct.pack("i", LDISC))
            raise AssertionError("attached to a pty master")
        except OSError as e:
            assert e.errno == errno.EINVAL, e
        assert set(os.listdir(CLASS)) == ports, "a port was made"
    finally:
        os.close(slave)
        os.close(master)


def test_set_whose_socket_cannot_start_changes_nothing():
    """
    SET port and packing length, and the new transport cannot be had (no
    memory): an error that says nothing changed, every setting as it was,
    the old listener back; the same SET again then works (before the fix
    the new values were kept, the port idle, and a second SET found
    nothing to change).
    """
    hook = "fail_xport_alloc"
    p = Port(2907)
    try:
        hook_set(hook, 1)
        cmd = ["sernetctl", "set", f"sernet{p.idx}", "port", "2908",
               "packlen", "100"]
        r = subprocess.run(cmd, capture_output=True, text=True)
        assert r.returncode == 1 and "nothing changed" in r.stderr, r
        assert (read(p.path("port")), read(p.path("pack_len"))) == \
            ("2907", "0")
        wait_for(lambda: p.state() == "LISTEN", 5, "the old listener")
        p.connect().close()
        # sysfs: the same, with the errno
        hook_set(hook, 1)
        fd = os.open(p.path("port"), os.O_WRONLY)
        try:
            # one write(2): a Python file object writes again at close
            os.write(fd, b"2908")
            raise AssertionError("the sysfs write succeeded")
        except OSError as e:
            assert e.errno == errno.ENOMEM, e
        finally:
            os.close(fd)
        assert read(p.path("port")) == "2907"
        wait_for(lambda: p.state() == "LISTEN", 5, "the old listener")
        subprocess.run(cmd, check=True)
        assert (read(p.path("port")), read(p.path("pack_len"))) == \
            ("2908", "100")
        p.lport = 2908
        wait_for(lambda: p.state() == "LISTEN", 5, "the new listener")
        p.connect().close()
    finally:
        hook_set(hook, 0)
        p.close()


def test_last_close_while_the_network_sends():
    """
    Settled: the tty core closes the driver before the discipline on the
    last close, and network data may be written in between. On a pty the
    write goes to the pair's other end, still there; the 8250 drops it
    (its buffer is gone: uart_write() returns 0) and rx_work waits for a
    wake-up that the discipline's close makes moot. Closing both ends
    while a client sends must end the port, close the client and leave
    the kernel log clean (KASAN and lockdep on the debug kernel).
    """
    for i in range(20):
        p = Port(2909)
        c = p.connect()
        wait_for(lambda: p.state() == "CONNECTED(1)", 5, "the client")
        tty = p.tty
        stop = threading.Event()

        def send():
            try:
                while not stop.is_set():
                    c.sendall(b"x" * 4096)
            except OSError:
                pass
        t = threading.Thread(target=send)
        t.start()
        wait_for(lambda: p.stat("net_rx_bytes") > 0, 5, "network data")
        p.close()               # slave and master: the last close
        wait_for(lambda: port_of(tty) is None, 5, f"port {i} gone")
        stop.set()
        c.close()
        t.join()


def test_slow_reader_wakes_tx_work_only_when_there_is_room():
    """
    A client reading 4 KiB every 2 ms through a 4 KiB receive buffer:
    its socket fills, and each wake-up of tx_work by its write space
    should find room for a good part of the send buffer, not come with
    every ACK (settled: SOCK_NOSPACE, set by the -EAGAIN that stopped the
    flush, was never cleared, so every ACK woke tx_work).
    """
    hook = "count_tx_wake"
    p = Port(2910)
    try:
        c = p.connect(rcvbuf=4096)
        wait_for(lambda: p.state() == "CONNECTED(1)", 5, "the client")
        data = stream(2 << 20, 9)
        before = hook_hits(hook)
        t = threading.Thread(target=write_all_fd, args=(p.master, data))
        t.start()
        got = bytearray()
        c.settimeout(30)
        while len(got) < len(data):
            chunk = c.recv(4096)
            assert chunk, f"closed after {len(got)} bytes"
            got += chunk
            time.sleep(0.002)
        t.join()
        wakes = hook_hits(hook) - before
        print(f"# {wakes} wake-ups for {len(data) >> 20} MiB")
        assert got == data
        assert wakes <= 64 * (len(data) >> 20), f"{wakes} wake-ups"
        c.close()
    finally:
        p.close()


def test_network_data_goes_to_the_tty_from_data_ready():
    """
    While nothing waits for the tty, a client's short segments are written
    to it from the socket's data_ready, with no work hand-off
    (count_rx_now); once the tty is full the rest waits in the socket and
    the work writes it when the tty has room: every byte once, in order.
    """
    hook = "count_rx_now"
    p = Port(2911)
    try:
        c = p.connect()
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        wait_for(lambda: p.state() == "CONNECTED(1)", 5, "the client")
        before = hook_hits(hook)
        for i in range(50):
            msg = stream(64, i)
            c.sendall(msg)
            assert read_fd(p.master, 64, 5) == msg, f"message {i}"
        now = hook_hits(hook) - before
        print(f"# {now} of 50 segments written from data_ready")
        assert now >= 25, f"{now} of 50 from data_ready"
        # nobody reads the master while 128 KiB come in short segments:
        # more than the pty holds, less than the sockets do
        msgs = [stream(64, 100 + i) for i in range(2048)]

        def send():
            for m in msgs:
                c.sendall(m)
        t = threading.Thread(target=send)
        t.start()
        t.join(30)
        assert not t.is_alive(), "the sender is stuck"
        got = read_fd(p.master, 2048 * 64, 30)
        assert got == b"".join(msgs)
        assert p.stat("net_rx_bytes") == 50 * 64 + 2048 * 64
        c.close()
    finally:
        p.close()


if __name__ == "__main__":
    sys.exit(run_on_test_build(globals()))
