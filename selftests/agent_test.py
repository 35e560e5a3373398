#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
sernet: the agent sernetd and `sernetctl at` over its control socket: a
line gets the engine's answer, a bad config line is reported as
file:line and the others still apply, a non-root client is refused; ports
are mapped by tty (PORTn= lines) and get their stored settings when they
appear, at the agent's start and on AT+Z (which restarts even with nothing
changed); a session typed at the port (+++, a, AT+SOCKA, AT+Z); an agent
killed and restarted keeps the connections; the system commands (VER,
PDTIME, SOCKLKA, MAC/WANN/DNS of a namespace's route interface, PING1) and
the SEARCH responder. Runs inside tools/vm/run; KTAP.
"""
import fcntl
import json
import os
import random
import re
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sernet_helpers import (Port, TIOCSETD, LDISC, read, read_fd,  # noqa
                            run_tests, wait_for, write_all_fd, recv_n,
                            expect_closed, Agent, answer, free_port,
                            agent_port)


def test_at_answers_ok():
    a = Agent()
    try:
        r = a.at("AT")
        assert r.returncode == 0 and "\r\n+OK\r\n" in r.stdout, r
        r = a.at("AT+NOSUCH")
        assert "\r\n+ERR=-2\r\n" in r.stdout, r
    finally:
        a.stop()


def test_bad_config_line_reported_rest_applied():
    a = Agent("AT+UART1=9600,8,1,NONE,NFC\n"
              "AT+UART2=12,8,1,NONE,NFC\n"
              "AT+SOCKA1=TCPS,127.0.0.1,8899\n")
    try:
        r = a.at("AT+SOCKA1?")
        assert "+OK=TCPS,127.0.0.1,8899" in r.stdout, r
        r = a.at("AT+UART1?")
        assert "+OK=9600,8,1,NONE,NFC" in r.stdout, r
    finally:
        err = a.stop()
    assert a.conf + ":2: " in err, err


def test_non_root_refused():
    a = Agent()
    try:
        assert os.stat(a.ctl).st_mode & 0o777 == 0o600
        r = a.at("AT", user=65534)
        assert r.returncode == 1 and "+OK" not in r.stdout, r
        # past the file mode, SO_PEERCRED still refuses
        os.chmod(a.ctl, 0o666)
        r = a.at("AT", user=65534)
        assert r.returncode == 1 and r.stdout.startswith("ERROR:"), r
        assert "+OK" not in r.stdout, r
    finally:
        a.stop()


def sysfs(p, *names):
    return [read(p.path(n)) for n in names]


def test_attached_port_mapped_and_pushed():
    lp = free_port()
    a = Agent("AT+UART1=9600,8,1,NONE,NFC\nAT+UARTTL=20,100\n"
              f"AT+SOCKA1=TCPS,127.0.0.1,{lp}\n")
    p = None
    try:
        p = Port(None)
        p.lport = lp
        wait_for(lambda: read(p.path("port")) == str(lp), 5, "the push")
        assert sysfs(p, "baud", "pack_time", "pack_len") == \
            ["9600", "20", "100"]
        wait_for(lambda: p.state() == "LISTEN", 5, "LISTEN")
        p.connect().close()
        assert f"PORT1={os.ttyname(p.slave)}" in a.conf_lines()
        # a second port takes the next number
        q = Port(None)
        wait_for(lambda: f"PORT2={os.ttyname(q.slave)}" in a.conf_lines(),
                 5, "PORT2")
        q.close()
    finally:
        if p:
            p.close()
        a.stop()


def test_mapped_port_pushed_at_start():
    master, slave = os.openpty()
    try:
        fcntl.ioctl(slave, TIOCSETD, struct.pack("i", LDISC))
        p = Port.__new__(Port)
        tty = "pts" + os.ttyname(slave).rsplit("/", 1)[1]
        # the newest, if an earlier port of that tty is still going
        p.idx = max(int(d[6:]) for d in os.listdir("/sys/class/sernet")
                    if read(f"/sys/class/sernet/{d}/tty_name") == tty)
        a = Agent(f"PORT3={os.ttyname(slave)}\n"
                  "AT+UART3=4800,8,1,ODD,NFC\nAT+UARTTL3=7,9\n")
        try:
            try:
                wait_for(lambda: read(p.path("pack_len")) == "9", 5,
                         "the push")
            except AssertionError:
                raise AssertionError(f"no push: {a.stop()} "
                                     f"{a.conf_lines()}")
            assert read(p.path("pack_time")) == "7"
            # a pty has no parity: AT+UART3 is refused (all or nothing),
            # logged, and keeps AT+UARTTL3 out
            assert read(p.path("baud")) != "4800"
            assert a.conf_lines().count(f"PORT3={os.ttyname(slave)}") == 1
        finally:
            err = a.stop()
        assert "AT+UART not applied: parity" in err, err
    finally:
        os.close(slave)
        os.close(master)


def test_set_takes_effect_at_z():
    lp1, lp2 = free_port(), free_port()
    a = Agent(f"AT+SOCKA1=TCPS,127.0.0.1,{lp1}\n")
    p = None
    try:
        p = Port(None)
        wait_for(lambda: read(p.path("port")) == str(lp1), 5, "the push")
        for line in (f"AT+SOCKA1=TCPS,127.0.0.1,{lp2}", "AT+UARTTL=20,100"):
            assert "\r\n+OK\r\n" in a.at(line).stdout
        # stored, not in effect yet
        assert sysfs(p, "port", "pack_time") == [str(lp1), "0"]
        assert "\r\n+OK\r\n" in a.at("AT+Z").stdout
        # answered once pushed
        assert sysfs(p, "port", "pack_time", "pack_len") == \
            [str(lp2), "20", "100"]
        p.lport = lp2
        wait_for(lambda: p.state() == "LISTEN", 5, "LISTEN")
        p.connect().close()
    finally:
        if p:
            p.close()
        a.stop()


def test_agent_killed_and_restarted_keeps_connection():
    lp = free_port()
    a = Agent(f"AT+SOCKA1=TCPS,127.0.0.1,{lp}\n")
    p = None
    try:
        p = agent_port(lp)
        c = p.connect()
        wait_for(lambda: p.state() == "CONNECTED(1)", 5, "CONNECTED(1)")
        a.kill()
        a.start()
        for n in range(3):
            msg = b"to-net %d" % n
            write_all_fd(p.master, msg)
            assert recv_n(c, len(msg), 5) == msg
            msg = b"to-tty %d" % n
            c.sendall(msg)
            assert read_fd(p.master, len(msg), 5) == msg
            if n == 0:          # data flowed through the new agent's start
                assert "\r\n+OK\r\n" in a.at("AT").stdout
        assert p.state() == "CONNECTED(1)"
        c.close()
    finally:
        if p:
            p.close()
        a.stop()


def read_until(fd, end, timeout):
    got = b""
    while not got.endswith(end):
        b = read_fd(fd, 1, timeout)
        assert b, f"no {end!r} after {got!r}"
        got += b
    return got


def test_serial_session_and_z_restart():
    """+++, a, AT+SOCKA, AT+Z typed at the port: the new socket serves"""
    lp1, lp2 = free_port(), free_port()
    a = Agent(f"AT+SOCKA1=TCPS,127.0.0.1,{lp1}\nAT+UARTTL=20,0\n")
    p = None
    try:
        p = Port(None)
        p.lport = lp1
        wait_for(lambda: sysfs(p, "port", "pack_time") == [str(lp1), "20"],
                 5, "the push")
        wait_for(lambda: p.state() == "LISTEN", 5, "LISTEN")
        c = p.connect()
        wait_for(lambda: p.state() == "CONNECTED(1)", 5, "CONNECTED(1)")
        # AT+Z with nothing changed still restarts: the client goes
        assert "\r\n+OK\r\n" in a.at("AT+Z").stdout
        expect_closed(c, 5, "AT+Z's restart")
        wait_for(lambda: p.state() == "LISTEN", 5, "LISTEN again")
        c = p.connect()
        os.write(p.master, b"+++")
        assert read_fd(p.master, 1, 5) == b"a"
        os.write(p.master, b"a")
        assert read_fd(p.master, 3, 5) == b"+ok"
        line = b"AT+SOCKA=TCPS,127.0.0.1,%d" % lp2
        os.write(p.master, line + b"\r\n")
        assert read_until(p.master, b"\r\n+OK\r\n", 5) == \
            line + b"\r\n+OK\r\n"
        os.write(p.master, b"AT+Z\r\n")
        assert read_until(p.master, b"\r\n+OK\r\n", 5) == \
            b"AT+Z\r\n+OK\r\n"
        expect_closed(c, 5, "the old socket")
        # the serial line's +OK comes before the restart (as on a K3): a
        # line of the control socket is answered after it, one loop later
        assert "\r\n+OK\r\n" in a.at("AT").stdout
        p.lport = lp2
        wait_for(lambda: read(p.path("port")) == str(lp2), 5, "AT+Z's push")
        wait_for(lambda: p.state() == "LISTEN", 5, "LISTEN")
        c = p.connect()
        c.sendall(b"net")
        assert read_fd(p.master, 3, 5) == b"net"
        os.write(p.master, b"tty")
        assert recv_n(c, 3, 5) == b"tty"
        c.close()
    finally:
        if p:
            p.close()
        a.stop()


def test_ver_pdtime_socklka():
    lp = free_port()
    a = Agent(f"AT+SOCKA1=TCPS,127.0.0.1,{lp}\n")
    p = None
    try:
        # the build's version (git describe; each binary has its build's)
        mod = "/sys/module/sernet/version"
        mod = read(mod) if os.path.exists(mod) else "unknown"
        ver = answer(a.at("AT+VER"))
        assert re.fullmatch(r"sernetd [\w.+-]+, module " + re.escape(mod),
                            ver), ver
        assert re.fullmatch(r"20\d\d-[01]\d-[0-3]\d",
                            answer(a.at("AT+PDTIME")))
        assert answer(a.at("AT+SOCKLKA")) == "IDLE"     # no port 1 yet
        p = Port(None)
        p.lport = lp
        wait_for(lambda: answer(a.at("AT+SOCKLKA")) == "LISTEN", 5,
                 "SOCKLKA LISTEN")
        c = p.connect()
        wait_for(lambda: answer(a.at("AT+SOCKLKA1")) == "CONNECTED(1)", 5,
                 "SOCKLKA CONNECTED(1)")
        c.close()
    finally:
        if p:
            p.close()
        a.stop()


class Netns:
    """A namespace whose default route goes to a dummy (a black hole)"""

    def __init__(self):
        self.name = f"agent{os.getpid()}"
        subprocess.run(["ip", "netns", "add", self.name], check=True)
        for cmd in ("link add d0 type dummy", "link set d0 up",
                    "addr add 10.99.0.2/24 dev d0",
                    "route add default via 10.99.0.1"):
            subprocess.run(["ip", "-n", self.name] + cmd.split(), check=True)
        link = json.loads(subprocess.run(
            ["ip", "-n", self.name, "-j", "link", "show", "d0"], check=True,
            capture_output=True).stdout)[0]
        self.mac = link["address"].replace(":", "").upper()

    def close(self):
        subprocess.run(["ip", "netns", "del", self.name], check=True)


def first_nameserver():
    try:
        with open("/etc/resolv.conf") as f:
            for line in f:
                w = line.split()
                if len(w) > 1 and w[0] == "nameserver" and \
                        re.fullmatch(r"[\d.]+", w[1]):
                    return w[1]
    except FileNotFoundError:
        pass
    return "0.0.0.0"


def test_mac_wann_dns_of_the_route_interface():
    ns = Netns()
    try:
        a = Agent(pre=["ip", "netns", "exec", ns.name])
        try:
            assert answer(a.at("AT+MAC")) == ns.mac
            assert answer(a.at("AT+WANN")) == \
                "STATIC,10.99.0.2,255.255.255.0,10.99.0.1"
            assert answer(a.at("AT+DNS")) == first_nameserver()
            # an address with a lifetime is a DHCP client's
            subprocess.run(["ip", "-n", ns.name, "addr", "change",
                            "10.99.0.2/24", "dev", "d0", "valid_lft", "600",
                            "preferred_lft", "600"], check=True)
            assert answer(a.at("AT+WANN")) == \
                "DHCP,10.99.0.2,255.255.255.0,10.99.0.1"
            # without --wan the board's network is not the agent's
            for line in ("AT+WANN=STATIC,10.99.0.9,255.255.255.0,10.99.0.1",
                         "AT+DNS=10.99.0.53", "AT+USERMAC=0A0B0C0D0E0F"):
                assert "\r\n+ERR=-5\r\n" in a.at(line).stdout, line
            assert answer(a.at("AT+WANN")).startswith("DHCP,10.99.0.2,")
            # a dummy drops it: nothing leaves the VM
            assert answer(a.at("AT+PING1=192.0.2.1")) == "TIMEOUT"
        finally:
            a.stop()
        a = Agent(pre=["ip", "netns", "exec", ns.name], args=["--wan", "d0"])
        try:
            assert answer(a.at("AT+MAC")) == ns.mac
            line = "AT+WANN=STATIC,10.99.0.9,255.255.255.0,10.99.0.1"
            assert "\r\n+OK\r\n" in a.at(line).stdout
            # stored and shown (d0 is not changed before AT+Z: wan_test)
            assert answer(a.at("AT+WANN")) == \
                "STATIC,10.99.0.9,255.255.255.0,10.99.0.1"
            assert "AT+WANN=STATIC,10.99.0.9,255.255.255.0,10.99.0.1" in \
                a.conf_lines()
        finally:
            a.stop()
    finally:
        ns.close()


def test_ping_loopback():
    a = Agent()
    try:
        assert answer(a.at("AT+PING1=127.0.0.1")) == "SUCCESS"
        assert answer(a.at("AT+PING1=localhost")) == "SUCCESS"
    finally:
        a.stop()


def probe(s, port, payload):
    s.sendto(payload, ("127.0.0.1", port))


def test_search_answers_its_keyword_only():
    sp = free_port()
    a = Agent(f"AT+SEARCH={sp},WWW.USR.CN\n")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(5)
    try:
        probe(s, sp, b"www.usr.cn")
        assert s.recv(256) == b"127.0.0.1,000000000000,USR-K3"
        # a wrong keyword gets nothing: the next reply is the next right
        # probe's and nothing follows it (loopback keeps the order)
        for wrong in (b"www.usr.c", b"www.usr.cnx", b"www.usr.cn\n", b""):
            probe(s, sp, wrong)
        assert "\r\n+OK\r\n" in a.at("AT+MID=K3TEST").stdout
        probe(s, sp, b"WWW.usr.CN")
        assert s.recv(256) == b"127.0.0.1,000000000000,K3TEST"
        s.setblocking(False)
        try:
            extra = s.recv(256)
        except BlockingIOError:
            extra = None
        assert extra is None, extra
        s.settimeout(5)
        # a new port takes effect at AT+Z
        sp2 = free_port()
        assert "\r\n+OK\r\n" in a.at(f"AT+SEARCH={sp2},K3FIND").stdout
        assert "\r\n+OK\r\n" in a.at("AT+Z").stdout
        probe(s, sp2, b"k3find")
        assert s.recv(256) == b"127.0.0.1,000000000000,K3TEST"
    finally:
        s.close()
        a.stop()


# kill -9 during saves: AT sets alternate between AT+MID (unique values)
# and AT+UARTTL; unknown lines after them, which the agent keeps and
# rewrites last, make each save long enough (several write()s) that a
# file written in place is seen cut
SAVES = 1000
PAD = [f"AT+ZZPAD{i:03d}=" + "p" * 60 for i in range(300)]
REPORTED = re.compile(r":\d+: ")


def save_line(i):
    if i % 2 == 0:
        return f"AT+MID=M{i:07d}"
    return f"AT+UARTTL={1 + i % 255},{i % 1461}"


def states(cur, lines):
    """(MID, UARTTL) from cur on, after each of lines: len(lines) + 1"""
    out = [cur]
    for line in lines:
        if line.startswith("AT+MID="):
            cur = (line[7:], cur[1])
        else:
            cur = (cur[0], line[10:])
        out.append(cur)
    return out


def conf_state(a):
    """The file as the agent rewrote it: its (MID, UARTTL); every line a
    set the agent loads, every kept line there, in order"""
    mid, tl, kept = "USR-K3", "0,0", []
    for line in a.conf_lines():
        if line.startswith("AT+MID="):
            mid = line[7:]
        elif line.startswith("AT+UARTTL1="):
            tl = line[11:]
        elif line.startswith("AT+ZZPAD"):
            kept.append(line)
        else:
            assert re.fullmatch(r"PORT\d+=/dev/\S+", line), line
    assert kept == PAD, f"{len(kept)} of the {len(PAD)} kept lines"
    return mid, tl


def ctl_answers(a, lines, n=None):
    """lines sent at once to the agent's control socket (as `sernetctl
    at` does); the answers of the first n (all): [str]"""
    n = len(lines) if n is None else n
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        # the path appears once the socket listens (renamed to it)
        s.connect(a.ctl)
        s.sendall("".join(x + "\n" for x in lines).encode())
        got = b""
        while got.count(b"\r\n\n") < n:
            chunk = s.recv(65536)
            assert chunk, f"the agent closed after {got!r}"
            got += chunk
    return got.decode().split("\r\n\n")[:-1]


def test_kill_9_during_saves_leaves_a_readable_config():
    a = Agent("\n".join(PAD) + "\n")
    rnd = random.Random(9)
    cur = ("USR-K3", "0,0")
    sent = done = kills = 0
    try:
        while done < SAVES:
            lines = [save_line(sent + i) for i in range(rnd.randrange(2, 99))]
            # killed after a random number of answers, at once or a bit
            # later: inside a save, mostly (each answer is followed by one)
            got = ctl_answers(a, lines, rnd.randrange(1, len(lines) + 1))
            end = time.monotonic() + rnd.random() * 0.002
            while time.monotonic() < end:
                pass
            a.kill()
            a.proc.stderr.close()
            kills += 1
            assert all(x.endswith("\r\n+OK") for x in got), got
            # never cut, and every answered set in it (the control socket
            # answers once saved): the state after the last answered set
            # or one sent after it
            st = conf_state(a)
            ok = states(cur, lines)[len(got):]
            assert st in ok, (st, ok, len(got))
            # the agent's temp files (mkstemp: NAME.XXXXXX) stay beside
            # it, never read, until the next start removes them
            for f in os.listdir(a.dir):
                assert f == "sernet.conf" or \
                    re.fullmatch(r"sernet\.conf\.\w{6}", f), f
            a.start()
            assert ctl_answers(a, ["AT+MID", "AT+UARTTL"]) == \
                [f"AT+MID\r\n+OK={st[0]}", f"AT+UARTTL\r\n+OK={st[1]}"]
            assert sorted(os.listdir(a.dir)) == ["control", "sernet.conf"]
            os.set_blocking(a.proc.stderr.fileno(), False)
            try:
                err = os.read(a.proc.stderr.fileno(), 65536).decode()
            except BlockingIOError:
                err = ""
            assert not REPORTED.search(err), err
            cur = st
            sent += len(lines)
            done += len(got)
    finally:
        err = a.stop() if a.proc.poll() is None else ""    # not killed
    assert not REPORTED.search(err), err
    print(f"# {done} saves answered, {kills} kills")

if __name__ == "__main__":
    sys.exit(run_tests({k: v for k, v in globals().items()
                        if k.startswith("test_")}))
