# SPDX-License-Identifier: GPL-2.0
"""
sernet: what the python selftests share: a port on a pty pair (Port), the
event monitor, the peers' set-up (a TCP listener, a UDP socket, a port as
a TCP or UDP client of one), reading and waiting helpers, and run_tests,
which prints KTAP. Tests import from here, never from another test.
"""
import fcntl
import hashlib
import json
import os
import random
import re
import select
import socket
import struct
import subprocess
import tempfile
import sys
import time
import traceback

TIOCSETD = 0x5423
N_TTY = 0
LDISC = int(os.environ.get("SERNET_LDISC", "29"))
CLASS = "/sys/class/sernet"
BIG = int(os.environ.get("SERNET_TEST_BYTES", str(10 * 1024 * 1024)))
BACKPRESSURE = int(os.environ.get("SERNET_TEST_BACKPRESSURE",
                                  str(100 * 1024 * 1024)))
# AT+SOCKLKA's statuses, as the seed lists them; ERROR may give a reason
SEED_STATUS = re.compile(r"(IDLE|LISTEN|CONNECTING|CONNECTED|CONNECTED\(\d+\)"
                         r"|ERROR(: .+)?)")
# UARTCLBUF OFF: serial data kept while no connection is up (PROTOCOLS.md §8)
KEEP = 32 * 1024


class Port:
    """A pty pair with sernet attached to the slave, serving TCP on lport."""

    def __init__(self, lport, **cfg):
        self.master, self.slave = os.openpty()
        name = os.ttyname(self.slave)               # /dev/pts/N
        self.tty = "pts" + name.rsplit("/", 1)[1]
        fcntl.ioctl(self.slave, TIOCSETD, struct.pack("i", LDISC))
        self.idx = None
        for d in os.listdir(CLASS):
            if read(f"{CLASS}/{d}/tty_name") == self.tty:
                self.idx = int(d[6:])
        assert self.idx is not None, "no port for " + self.tty
        self.lport = lport
        if lport is None:          # the caller sets the transport up
            return
        self.set("port", lport)
        for k, v in cfg.items():
            self.set(k, v)
        wait_for(lambda: self.state() == "LISTEN", 5, "LISTEN")

    def path(self, attr):
        return f"{CLASS}/sernet{self.idx}/{attr}"

    def set(self, attr, value):
        with open(self.path(attr), "w") as f:
            f.write(str(value))

    def state(self):
        s = read(self.path("state"))
        assert SEED_STATUS.fullmatch(s), f"status {s!r} is not the seed's"
        return s

    def stat(self, name):
        return int(read(self.path("statistics/" + name)))

    def connect(self, rcvbuf=None):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        s.connect(("127.0.0.1", self.lport))
        return s

    def close(self):
        for fd in (self.slave, self.master):
            try:
                os.close(fd)
            except OSError:
                pass


class Monitor:
    """`sernetctl monitor`, its lines as they come"""

    def __init__(self):
        self.proc = subprocess.Popen(["sernetctl", "monitor"],
                                     stdout=subprocess.PIPE)
        self.buf = b""
        self.lines = []
        # subscribed once it prints the event of a port made for the purpose
        for _ in range(20):
            probe = Port(None)
            probe.close()
            try:
                self.expect([f"sernet{probe.idx} ({probe.tty}): removed"],
                            1)
                break
            except AssertionError:
                pass
        else:
            raise AssertionError("sernetctl monitor prints no event")
        self.lines = []

    def expect(self, want, timeout=10):
        """Wait for lines starting with each of want, in that order"""
        want = list(want)
        end = time.monotonic() + timeout
        while want and time.monotonic() < end:
            while b"\n" in self.buf and want:
                line, self.buf = self.buf.split(b"\n", 1)
                self.lines.append(line.decode())
                if self.lines[-1].startswith(want[0]):
                    want.pop(0)
            if not want:
                break
            r, _, _ = select.select([self.proc.stdout], [], [], 0.5)
            if r:
                self.buf += os.read(self.proc.stdout.fileno(), 4096)
        assert not want, f"missing {want} in {self.lines}"

    def close(self):
        self.proc.kill()
        self.proc.wait()


def nl_attrs(raw):
    """{type: payload} of a run of netlink attributes"""
    out = {}
    while len(raw) >= 4:
        n, t = struct.unpack_from("HH", raw)
        out[t & 0x3fff] = raw[4:n]
        raw = raw[(n + 3) & ~3:]
    return out


def show_json(idx):
    """The port as `sernetctl show --json` prints it"""
    out = subprocess.run(["sernetctl", "show", "--json", f"sernet{idx}"],
                         check=True, stdout=subprocess.PIPE).stdout
    return json.loads(out)[0]


def read(path):
    with open(path) as f:
        return f.read().strip()


def wait_for(cond, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


def stream(n, seed):
    """n reproducible pseudo-random bytes"""
    r = random.Random(seed)
    return r.randbytes(n)


def write_all_fd(fd, data):
    view = memoryview(data)
    while view:
        n = os.write(fd, view[:65536])
        view = view[n:]


def read_fd(fd, n, timeout):
    """n bytes from a pty master"""
    out = bytearray()
    end = time.monotonic() + timeout
    while len(out) < n:
        r, _, _ = select.select([fd], [], [], max(0, end - time.monotonic()))
        if not r:
            break
        out += os.read(fd, 65536)
    return bytes(out)


def expect_closed(sock, timeout, what):
    """
    The other end closed sock: EOF or RST within timeout, else fail (silence
    is not a close). Returns the bytes that came before the end.
    """
    got = bytearray()
    end = time.monotonic() + timeout
    while True:
        left = end - time.monotonic()
        if left <= 0:
            raise AssertionError(f"{what}: no EOF or RST in {timeout} s "
                                 f"({len(got)} bytes came)")
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return bytes(got)
        except socket.timeout:
            continue
        if not chunk:
            return bytes(got)
        got += chunk


def recv_n(sock, n, timeout):
    out = bytearray()
    sock.settimeout(timeout)
    try:
        while len(out) < n:
            chunk = sock.recv(min(1 << 20, n - len(out)))
            if not chunk:
                break
            out += chunk
    except socket.timeout:
        pass
    return bytes(out)


def digest(b):
    return hashlib.sha256(b).hexdigest()


def kept_newest_32k(p, connect, seed):
    """
    UARTCLBUF OFF, no peer: of 200 KiB the newest 32 KiB are kept and the
    rest counted as dropped; connect() then gets exactly those, and what
    comes next. Returns the connected peer.
    """
    data = stream(200 * 1024, seed)
    rx, drop = p.stat("rx_bytes"), p.stat("drop_no_peer")
    write_all_fd(p.master, data)
    wait_for(lambda: p.stat("rx_bytes") - rx == len(data) and
             p.stat("drop_no_peer") - drop >= len(data) - KEEP, 20,
             "the oldest bytes dropped")
    assert p.stat("drop_no_peer") - drop == len(data) - KEEP, \
        p.stat("drop_no_peer") - drop
    peer, recv = connect()
    got = recv(KEEP)
    assert got == data[-KEEP:], f"{len(got)} bytes, not the newest {KEEP}"
    os.write(p.master, b"next")
    assert recv(4) == b"next"
    assert p.stat("drop_no_peer") - drop == len(data) - KEEP
    return peer


def read_stalling(read, n, take=None):
    """
    n bytes from read(max), stalling 0.3 s after every 1 to 7 MiB; each
    piece goes to take() if given (and is not kept), else all are returned
    """
    got = bytearray()
    done = stall = 0
    while done < n:
        chunk = read(min(1 << 20, n - done))
        if not chunk:
            break
        done += len(chunk)
        if take:
            take(chunk)
        else:
            got += chunk
        if done >= stall:
            time.sleep(0.3)
            stall += random.randrange(1, 8) * 1024 * 1024
    return bytes(got)


class Skip(Exception):
    """A test that cannot run here: "ok N NAME # SKIP why" (CI fails it)"""


def run_tests(tests):
    """Run the test_* functions of a dict, in its order, printing KTAP"""
    tests = list(tests.values())
    # SERNET_TESTS=name,name runs only those (names without "test_")
    only = os.environ.get("SERNET_TESTS")
    if only:
        names = only.split(",")
        unknown = set(names) - {t.__name__[5:] for t in tests}
        assert not unknown, f"no such tests: {sorted(unknown)}"
        tests = [t for t in tests if t.__name__[5:] in names]
    print("TAP version 13")
    print(f"1..{len(tests)}")
    failed = 0
    for i, t in enumerate(tests, 1):
        name = t.__name__[5:]
        start = time.monotonic()
        try:
            t()
            print(f"ok {i} {name}")
        except Skip as e:
            print(f"ok {i} {name} # SKIP {e}")
        except Exception:
            failed += 1
            for line in traceback.format_exc().splitlines():
                print("# " + line)
            print(f"not ok {i} {name}")
        print(f"# {name}: {time.monotonic() - start:.1f} s")
        sys.stdout.flush()
    return 1 if failed else 0


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


def udp_port(mode, remote_port, *extra):
    """A port whose transport is mode (UDPS, UDPC), 127.0.0.1:remote_port"""
    p = Port(None)
    subprocess.run(["sernetctl", "set", f"sernet{p.idx}", "socka",
                    f"{mode},127.0.0.1,{remote_port}", *extra], check=True)
    return p


def udp_sock(port, addr="127.0.0.1"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    s.settimeout(5)
    return s


# --- the agent sernetd ----------------------------------------------------------

class Agent:
    """sernetd -f with its own config file and control socket"""

    def __init__(self, conf_text="", pre=(), args=(), env=None):
        self.pre, self.args = list(pre), list(args)
        self.env = dict(os.environ, **env) if env else None
        self.dir = tempfile.mkdtemp()
        os.chmod(self.dir, 0o755)
        self.conf = os.path.join(self.dir, "sernet.conf")
        self.ctl = os.path.join(self.dir, "control")
        with open(self.conf, "w") as f:
            f.write(conf_text)
        self.start()

    def start(self):
        self.proc = subprocess.Popen(
            self.pre + ["sernetd", "-f", "-c", self.conf, "--control",
                        self.ctl] + self.args,
            stderr=subprocess.PIPE, text=True, env=self.env)
        wait_for(lambda: os.path.exists(self.ctl) or
                 self.proc.poll() is not None, 5, "the control socket")
        assert self.proc.poll() is None, self.proc.stderr.read()

    def at(self, line, user=None):
        cmd = ["sernetctl", "at", "--control", self.ctl, line]
        if user:
            cmd = ["setpriv", "--reuid", str(user), "--regid", str(user),
                   "--clear-groups"] + cmd
        r = subprocess.run(cmd, capture_output=True)
        r.stdout = r.stdout.decode()      # keeps the answer's CR LF
        return r

    def conf_lines(self):
        with open(self.conf) as f:
            return f.read().splitlines()

    def kill(self):
        """kill -9: the control socket stays behind, removed here"""
        self.proc.kill()
        self.proc.wait(5)
        os.unlink(self.ctl)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(5)
        return self.proc.stderr.read()


def answer(r):
    """The params of the one +OK=... of an answer"""
    m = re.fullmatch(r"AT[^\r]*\r\n\+OK=([^\r]*)\r\n\n", r.stdout)
    assert m, r
    return m.group(1)


def free_port(kind=socket.SOCK_STREAM):
    """a loopback port no one is bound to now"""
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def agent_port(lp):
    """a new pty port the agent serves as TCPS on lp (its stored
    AT+SOCKA1): pushed and listening"""
    p = Port(None)
    p.lport = lp
    try:
        wait_for(lambda: read(p.path("port")) == str(lp), 5, "the push")
        wait_for(lambda: p.state() == "LISTEN", 5, "LISTEN")
    except AssertionError:
        p.close()
        raise
    return p
