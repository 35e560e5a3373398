#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
sernet: the channel to the AT agent (kernel/chan.c), with a fake agent on
raw generic netlink sockets: AGENT_REGISTER needs CAP_NET_ADMIN (a child
that dropped every capability is refused), a second live socket cannot
take the registration (EBUSY) while the same one may register again, a
released socket frees it, and AT_REPLY is refused from any socket but the
agent's (EPERM) and for a port not in command mode (EINVAL). Then AT mode
(kernel/at.c) on a pty port serving TCP on loopback: the "+++" / "a" /
"+ok" handshake, command lines to the agent and its replies to the tty,
and every failure (wrong byte, late, "+++" inside a packet, no agent,
agent killed) keeping every byte, checked at a TCP client; the longest
line and reply and one byte more. The success, wrong byte and late cases
run on the 8250 UART too (tools/vm/run --serial-loop: ttyS1 wired to
ttyS2; without it they skip). Mode changes are waited for as MODE
events. Runs inside tools/vm/run; KTAP.
"""
import ctypes
import errno
import fcntl
import os
import select
import signal
import socket
import struct
import sys
import termios
import time
import tty

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sernet_helpers import nl_attrs, Port, expect_closed, read_fd, recv_n, \
    run_tests, wait_for, read, CLASS, LDISC, TIOCSETD, N_TTY, Skip  # noqa

NETLINK_GENERIC = 16
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
# include/uapi/linux/sernet.h, by position
CMD_PORT_GET, CMD_PORT_SET = 1, 4
CMD_AGENT_REGISTER, CMD_AT_LINE, CMD_AT_REPLY, CMD_MODE = 9, 10, 11, 12
A_PORT_INDEX, A_PORT_MODE, A_AT_DATA, A_AT_OVERLONG = 1, 31, 32, 33
A_PORT_RESTART = 34
MODE_WORK, MODE_HANDSHAKE, MODE_COMMAND = 0, 1, 2
CTRL_ATTR_MCAST_GROUPS, CTRL_ATTR_MCAST_GRP_ID = 7, 2
SOL_NETLINK, NETLINK_ADD_MEMBERSHIP = 270, 1


def nla(atype, payload):
    return struct.pack("HH", 4 + len(payload), atype) + payload + \
        b"\0" * (-len(payload) % 4)


def request(sock, family, cmd, attrs=()):
    """send one request; its error (0 is the ack), skipping other replies"""
    body = struct.pack("BBH", cmd, 1, 0) + b"".join(attrs)
    sock.send(struct.pack("IHHII", 16 + len(body), family,
                          NLM_F_REQUEST | NLM_F_ACK, 1, 0) + body)
    while True:
        buf = sock.recv(1 << 16)
        while buf:
            n, t = struct.unpack_from("IH", buf)
            if t == NLMSG_ERROR:
                return struct.unpack_from("i", buf, 16)[0]
            buf = buf[(n + 3) & ~3:]


def family_attrs():
    """the sernet family's CTRL attributes: {type: payload}"""
    with agent_sock() as s:
        body = struct.pack("BBH", CTRL_CMD_GETFAMILY, 1, 0) + \
            nla(CTRL_ATTR_FAMILY_NAME, b"sernet\0")
        s.send(struct.pack("IHHII", 16 + len(body), GENL_ID_CTRL,
                           NLM_F_REQUEST, 1, 0) + body)
        buf = s.recv(1 << 16)
        return nl_attrs(buf[20:struct.unpack_from("I", buf)[0]])


def family_id():
    return struct.unpack_from("H", family_attrs()[CTRL_ATTR_FAMILY_ID])[0]


def events_sock():
    """a socket in the events group (there is one group)"""
    grps = nl_attrs(family_attrs()[CTRL_ATTR_MCAST_GROUPS])
    grp = nl_attrs(next(iter(grps.values())))
    s = agent_sock()
    s.bind((0, 0))      # portid 0 is the sender's: skipped by a multicast
    s.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
                 struct.unpack("I", grp[CTRL_ATTR_MCAST_GRP_ID])[0])
    return s


def next_msg(sock, cmd, timeout=5, idx=None):
    """the attributes of the next genl message cmd (of port idx)"""
    end = time.monotonic() + timeout
    while True:
        left = end - time.monotonic()
        r, _, _ = select.select([sock], [], [], max(0, left))
        assert r, f"no message {cmd} in {timeout} s"
        buf = sock.recv(1 << 16)
        while buf:
            n, _ = struct.unpack_from("IH", buf)
            a = nl_attrs(buf[20:n])
            if buf[16] == cmd and (idx is None or struct.unpack(
                    "I", a[A_PORT_INDEX])[0] == idx):
                return a
            buf = buf[(n + 3) & ~3:]


def expect_mode(ev, p, mode, timeout=5):
    a = next_msg(ev, CMD_MODE, timeout, p.idx)
    assert a[A_PORT_MODE][0] == mode, f"mode {a[A_PORT_MODE][0]}, not {mode}"


def agent_sock():
    return socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)


def register(sock):
    return request(sock, family_id(), CMD_AGENT_REGISTER)


def drop_all_caps():
    """capset(2): no capability left, effective or permitted"""
    libc = ctypes.CDLL(None, use_errno=True)
    hdr = struct.pack("Ii", 0x20080522, 0)      # _LINUX_CAPABILITY_VERSION_3
    data = ctypes.create_string_buffer(24)      # 2 x {eff, perm, inh}
    if libc.capset(ctypes.c_char_p(hdr), data) != 0:
        raise OSError(ctypes.get_errno(), "capset")


def test_register_needs_cap_net_admin():
    pid = os.fork()
    if pid == 0:
        code = 99
        try:
            drop_all_caps()
            with agent_sock() as s:
                code = -register(s)
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == errno.EPERM, \
        f"a process without CAP_NET_ADMIN registered: {os.WEXITSTATUS(status)}"


def test_second_agent_busy_until_release():
    with agent_sock() as a:
        assert register(a) == 0
        assert register(a) == 0, "the agent registering again"
        with agent_sock() as b:
            assert register(b) == -errno.EBUSY, "a second agent stole it"
    # an agent in a process that exits (its own port id, never reused
    # here): the release notifier frees the registration
    pid = os.fork()
    if pid == 0:
        code = 99
        try:
            with agent_sock() as a:
                code = -register(a)
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0, "the child could not register"
    with agent_sock() as c:
        assert register(c) == 0, "a released agent still holds it"


def test_reply_only_from_agent_in_command_mode():
    p = Port(None)
    try:
        attrs = [nla(A_PORT_INDEX, struct.pack("I", p.idx)),
                 nla(A_AT_DATA, b"\r\n+OK\r\n")]
        fam = family_id()
        with agent_sock() as a, agent_sock() as b:
            assert register(a) == 0
            assert request(b, fam, CMD_AT_REPLY, attrs) == -errno.EPERM
            # the port is in work mode: nothing is written
            assert request(a, fam, CMD_AT_REPLY, attrs) == -errno.EINVAL
    finally:
        p.close()


# the 8250 UART's rate in these tests: its automatic packing time is 4
# character times (8N1: 10 bits, PROTOCOLS.md section 2)
BAUD = 9600


class Uart(Port):
    """
    sernet on the 8250 UART ttyS1, wired to ttyS2 by tools/vm/run
    --serial-loop: master is ttyS2, where the host types. Both raw at
    BAUD, the packing time automatic: the UART's 4 character times. QEMU
    does not pace the line at the rate: bytes written to ttyS2 come out
    of ttyS1 at once. Without the loop the test skips (CI fails a skip).
    """

    def __init__(self, lport):
        for name in ("ttyS1", "ttyS2"):
            p = f"/sys/class/tty/{name}/type"
            if not os.path.exists(p) or read(p) == "0":
                raise Skip(f"no UART at {name}: tools/vm/run --serial-loop")
        self.slave, self.master = (
            os.open(f"/dev/{name}", os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
            for name in ("ttyS1", "ttyS2"))
        self.saved = [termios.tcgetattr(fd) for fd in (self.slave,
                                                        self.master)]
        try:
            for fd in (self.slave, self.master):
                tty.setraw(fd)
                attrs = termios.tcgetattr(fd)
                attrs[4] = attrs[5] = getattr(termios, f"B{BAUD}")
                termios.tcsetattr(fd, termios.TCSANOW, attrs)
                termios.tcflush(fd, termios.TCIOFLUSH)
            fcntl.ioctl(self.slave, TIOCSETD, struct.pack("i", LDISC))
            self.idx = next(int(d[6:]) for d in os.listdir(CLASS)
                            if read(f"{CLASS}/{d}/tty_name") == "ttyS1")
            self.lport = lport
            for k, v in (("baud", BAUD), ("pack_time", 0), ("port", lport)):
                self.set(k, v)
            wait_for(lambda: self.state() == "LISTEN", 5, "LISTEN")
            us = int(read(self.path("pack_time_us")))
            assert us == 40_000_000 // BAUD, f"packing time {us} us"
        except BaseException:
            self.close()
            raise

    def close(self):
        fcntl.ioctl(self.slave, TIOCSETD, struct.pack("i", N_TTY))
        for fd, attrs in zip((self.slave, self.master), self.saved):
            termios.tcsetattr(fd, termios.TCSANOW, attrs)
        super().close()


class AtPort:
    """a port serving TCP with a connected client, an events socket: on a
    pty pair (packing time 20 ms) or with uart, on the 8250 (Uart)"""

    def __init__(self, lport, uart=False):
        self.p = Uart(lport) if uart else Port(lport, pack_time=20)
        self.ev = events_sock()
        self.c = self.p.connect()
        wait_for(lambda: self.p.state() == "CONNECTED(1)", 5, "client")

    def handshake(self):
        """'+++' after silence: 'a' comes one packing time after the last
        '+' at the soonest, HANDSHAKE"""
        pack = int(read(self.p.path("pack_time_us"))) / 1e6
        start = time.monotonic()
        os.write(self.p.master, b"+++")
        assert read_fd(self.p.master, 1, 5) == b"a"
        took = time.monotonic() - start
        assert took >= pack, f"'a' after {took * 1e3:.2f} ms, not {pack}"
        expect_mode(self.ev, self.p, MODE_HANDSHAKE)

    def enter(self):
        """the handshake answered: '+ok', COMMAND"""
        self.handshake()
        os.write(self.p.master, b"a")
        assert read_fd(self.p.master, 3, 5) == b"+ok"
        expect_mode(self.ev, self.p, MODE_COMMAND)

    def close(self):
        self.c.close()
        self.ev.close()
        self.p.close()


def reply(sock, p, data, leave):
    attrs = [nla(A_PORT_INDEX, struct.pack("I", p.idx)), nla(A_AT_DATA, data)]
    if leave:
        attrs.append(nla(A_PORT_MODE, bytes([MODE_WORK])))
    return request(sock, family_id(), CMD_AT_REPLY, attrs)


def test_command_mode_lines_and_replies():
    command_mode_lines_and_replies(4601, False)


def test_command_mode_lines_and_replies_8250():
    command_mode_lines_and_replies(4621, True)


def command_mode_lines_and_replies(lport, uart):
    t = AtPort(lport, uart)
    try:
        with agent_sock() as a:
            assert register(a) == 0
            t.enter()
            # the network's bytes wait while in command mode
            t.c.sendall(b"held by the port")
            os.write(t.p.master, b"AT+X\r\n")
            line = next_msg(a, CMD_AT_LINE)
            assert line[A_AT_DATA] == b"AT+X", line
            assert A_AT_OVERLONG not in line
            assert reply(a, t.p, b"\r\n+OK\r\n", False) == 0
            assert read_fd(t.p.master, 6, 5) == b"\r\n+OK\r\n"
            # an overlong line is cut at 1024 bytes and flagged; the next
            # line says the rest came (a UART takes its time) and went
            assert os.write(t.p.master, b"A" * 1500 + b"\rAT+W\r") == 1506
            line = next_msg(a, CMD_AT_LINE)
            assert line[A_AT_DATA] == b"A" * 1024 and A_AT_OVERLONG in line
            assert next_msg(a, CMD_AT_LINE)[A_AT_DATA] == b"AT+W"
            assert reply(a, t.p, b"bye", True) == 0
            # the reply, then what the network sent meanwhile
            assert read_fd(t.p.master, 19, 5) == b"byeheld by the port"
            expect_mode(t.ev, t.p, MODE_WORK)
            assert reply(a, t.p, b"late", False) == -errno.EINVAL
            os.write(t.p.master, b"data again")
            assert recv_n(t.c, 10, 5) == b"data again"
    finally:
        t.close()


def test_line_and_reply_length_limits():
    """a line of SERNET_AT_LINE_MAX (1024) bytes is whole, one more byte
    cuts it there (OVERLONG, the rest dropped); a reply of
    SERNET_AT_REPLY_MAX (4096) bytes is written, one more byte is refused
    by the policy: nothing written, still in command mode"""
    t = AtPort(4611)
    try:
        with agent_sock() as a:
            assert register(a) == 0
            t.enter()
            os.write(t.p.master, b"L" * 1024 + b"\r")
            line = next_msg(a, CMD_AT_LINE)
            assert line[A_AT_DATA] == b"L" * 1024, len(line[A_AT_DATA])
            assert A_AT_OVERLONG not in line, "1024 bytes flagged overlong"
            os.write(t.p.master, b"M" * 1024 + b"N\rAT+NEXT\r")
            line = next_msg(a, CMD_AT_LINE)
            assert line[A_AT_DATA] == b"M" * 1024 and A_AT_OVERLONG in line
            assert next_msg(a, CMD_AT_LINE)[A_AT_DATA] == b"AT+NEXT", \
                "the cut line's rest was sent"
            assert reply(a, t.p, b"r" * 4097, False) == -errno.ERANGE
            assert read_fd(t.p.master, 1, 0.5) == b"", "a refused reply"
            assert port_mode(t.p) == MODE_COMMAND
            assert reply(a, t.p, b"R" * 4096, False) == 0
            assert read_fd(t.p.master, 4096, 5) == b"R" * 4096
            assert reply(a, t.p, b"\r\n+OK\r\n", True) == 0
            assert read_fd(t.p.master, 6, 5) == b"\r\n+OK\r\n"
            expect_mode(t.ev, t.p, MODE_WORK)
    finally:
        t.close()

def test_wrong_byte_forwards_everything():
    wrong_byte_forwards_everything(4602, False)


def test_wrong_byte_forwards_everything_8250():
    wrong_byte_forwards_everything(4622, True)


def wrong_byte_forwards_everything(lport, uart):
    t = AtPort(lport, uart)
    try:
        with agent_sock() as a:
            assert register(a) == 0
            t.handshake()
            os.write(t.p.master, b"b+c")
            expect_mode(t.ev, t.p, MODE_WORK)
            assert recv_n(t.c, 6, 5) == b"+++b+c"
    finally:
        t.close()


def test_late_answer_forwards():
    late_answer_forwards(4603, False)


def test_late_answer_forwards_8250():
    late_answer_forwards(4623, True)


def late_answer_forwards(lport, uart):
    """the host has 3 s from the 'a' to answer"""
    t = AtPort(lport, uart)
    try:
        with agent_sock() as a:
            assert register(a) == 0
            t.handshake()
            start = time.monotonic()
            expect_mode(t.ev, t.p, MODE_WORK, 10)
            took = time.monotonic() - start
            assert 2.9 <= took < 4.5, f"{took:.2f} s, not 3 s"
            assert recv_n(t.c, 3, 5) == b"+++"
            os.write(t.p.master, b"a")
            assert recv_n(t.c, 1, 5) == b"a", "the late 'a' is data"
    finally:
        t.close()


def test_escape_inside_packet_is_data():
    t = AtPort(4604)
    try:
        with agent_sock() as a:
            assert register(a) == 0
            os.write(t.p.master, b"x+++y")
            assert recv_n(t.c, 5, 5) == b"x+++y"
            assert read_fd(t.p.master, 1, 0.5) == b"", "'a' for data"
    finally:
        t.close()


def test_no_agent_no_handshake():
    t = AtPort(4605)
    try:
        os.write(t.p.master, b"+++")
        assert recv_n(t.c, 3, 5) == b"+++"
        assert read_fd(t.p.master, 1, 0.5) == b"", "'a' with no agent"
    finally:
        t.close()


def test_agent_killed_in_command_mode():
    t = AtPort(4606)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            s = agent_sock()
            os.write(w, bytes([-register(s)]))
            time.sleep(60)
        finally:
            os._exit(0)
    try:
        assert os.read(r, 1) == b"\0", "the child could not register"
        t.enter()
        t.c.sendall(b"waiting")
        os.kill(pid, signal.SIGKILL)
        expect_mode(t.ev, t.p, MODE_WORK)
        assert read_fd(t.p.master, 7, 5) == b"waiting"
        os.write(t.p.master, b"forwarded")
        assert recv_n(t.c, 9, 5) == b"forwarded"
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(r)
        os.close(w)
        t.close()


def port_mode(p):
    """PORT_GET's port-mode"""
    with agent_sock() as s:
        body = struct.pack("BBH", CMD_PORT_GET, 1, 0) + \
            nla(A_PORT_INDEX, struct.pack("I", p.idx))
        s.send(struct.pack("IHHII", 16 + len(body), family_id(),
                           NLM_F_REQUEST, 1, 0) + body)
        buf = s.recv(1 << 16)
        return nl_attrs(buf[20:struct.unpack_from("I", buf)[0]])[
            A_PORT_MODE][0]


def test_port_get_says_the_mode():
    t = AtPort(4607)
    try:
        assert port_mode(t.p) == MODE_WORK
        with agent_sock() as a:
            assert register(a) == 0
            t.handshake()
            assert port_mode(t.p) == MODE_HANDSHAKE
            os.write(t.p.master, b"a")
            expect_mode(t.ev, t.p, MODE_COMMAND)
            assert port_mode(t.p) == MODE_COMMAND
        expect_mode(t.ev, t.p, MODE_WORK)
        assert port_mode(t.p) == MODE_WORK
    finally:
        t.close()


def test_port_restart_reconnects():
    """PORT_SET with port-restart alone: every connection made again"""
    t = AtPort(4608)
    try:
        with agent_sock() as s:
            assert request(s, family_id(), CMD_PORT_SET, [
                nla(A_PORT_INDEX, struct.pack("I", t.p.idx)),
                nla(A_PORT_RESTART, b"")]) == 0
        expect_closed(t.c, 5, "the client of the old transport")
        wait_for(lambda: t.p.state() == "LISTEN", 5, "LISTEN again")
        t.c.close()
        t.c = t.p.connect()
        wait_for(lambda: t.p.state() == "CONNECTED(1)", 5, "a new client")
        os.write(t.p.master, b"after")
        assert recv_n(t.c, 5, 5) == b"after"
    finally:
        t.close()


def test_detach_in_each_mode():
    """detached in HANDSHAKE (a held packet) and in COMMAND (a line, a
    reply pending): the port goes; the end's kmemleak check sees no leak"""
    with agent_sock() as a:
        assert register(a) == 0
        t = AtPort(4609)
        t.handshake()
        idx = t.p.idx
        t.close()
        wait_for(lambda: not os.path.exists(f"/sys/class/sernet/sernet{idx}"),
                 5, "the port in HANDSHAKE gone")
        t = AtPort(4610)
        t.handshake()
        os.write(t.p.master, b"a")
        expect_mode(t.ev, t.p, MODE_COMMAND)
        os.write(t.p.master, b"AT+Y\rAT+Z")
        assert next_msg(a, CMD_AT_LINE)[A_AT_DATA] == b"AT+Y"
        assert reply(a, t.p, b"x" * 4096, True) == 0
        idx = t.p.idx
        t.close()
        wait_for(lambda: not os.path.exists(f"/sys/class/sernet/sernet{idx}"),
                 5, "the port in COMMAND gone")
        assert reply(a, t.p, b"x", False) == -errno.ENODEV


if __name__ == "__main__":
    sys.exit(run_tests({k: v for k, v in globals().items()
                        if k.startswith("test_")}))
