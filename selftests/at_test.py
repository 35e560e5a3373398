#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
sernet: the channel to the AT agent (kernel/chan.c), with a fake agent on
raw generic netlink sockets: AGENT_REGISTER needs CAP_NET_ADMIN (a child
that dropped every capability is refused), a second live socket cannot
take the registration (EBUSY) while the same one may register again, a
released socket frees it, and AT_REPLY is refused from any socket but the
agent's (EPERM) and for a port not in command mode (EINVAL). Runs inside
tools/vm/run; KTAP.
"""
import ctypes
import errno
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sernet_helpers import Port, run_tests  # noqa

NETLINK_GENERIC = 16
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
# include/uapi/linux/sernet.h, by position
CMD_AGENT_REGISTER, CMD_AT_REPLY = 9, 11
A_PORT_INDEX, A_AT_DATA = 1, 32


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


def family_id():
    with agent_sock() as s:
        body = struct.pack("BBH", CTRL_CMD_GETFAMILY, 1, 0) + \
            nla(CTRL_ATTR_FAMILY_NAME, b"sernet\0")
        s.send(struct.pack("IHHII", 16 + len(body), GENL_ID_CTRL,
                           NLM_F_REQUEST, 1, 0) + body)
        buf = s.recv(1 << 16)
        raw = buf[20:struct.unpack_from("I", buf)[0]]
        while raw:
            n, t = struct.unpack_from("HH", raw)
            if t == CTRL_ATTR_FAMILY_ID:
                return struct.unpack_from("H", raw, 4)[0]
            raw = raw[(n + 3) & ~3:]
    raise AssertionError("no sernet family")


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


if __name__ == "__main__":
    sys.exit(run_tests({k: v for k, v in globals().items()
                        if k.startswith("test_")}))
