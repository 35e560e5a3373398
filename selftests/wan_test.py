#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
sernet: the agent with --wan applies the stored WANN (static over
rtnetlink, DHCP by --dhcp-cmd), DNS (the first nameserver line of
--resolv) and USERMAC to that interface at its start and on AT+Z; a
missing interface is logged and the agent keeps answering; SEARCH
answered to a broadcast from another namespace; PING1 to a namespace
address. Each test makes its own two namespaces joined by a veth pair
(A: v0, the agent's; B: v1, the peer 10.98.0.1 and 10.98.0.3): no
address outside them is used. Runs inside tools/vm/run; KTAP.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sernet_helpers import run_tests, wait_for, Agent, answer  # noqa

OK = "\r\n+OK\r\n"
STATIC = "STATIC,10.98.0.2,255.255.255.0,10.98.0.1"

# One echo request from the namespace it runs in; exit 0 on the reply
PING = r"""
import select, socket, struct, sys
def csum(b):
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    t = (t >> 16) + (t & 0xffff)
    return ~(t + (t >> 16)) & 0xffff
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
h = struct.pack("!BBHHH", 8, 0, 0, 0x5e5e, 1)
s.sendto(struct.pack("!BBHHH", 8, 0, csum(h), 0x5e5e, 1), (sys.argv[1], 0))
while select.select([s], [], [], 3)[0]:
    d, a = s.recvfrom(1500)
    if a[0] == sys.argv[1] and d[(d[0] & 15) * 4] == 0:
        sys.exit(0)
sys.exit(1)
"""

# The keyword broadcast from the namespace it runs in; prints the reply
SEARCH = r"""
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"v1")
s.settimeout(5)
s.sendto(sys.argv[2].encode(), (sys.argv[1], int(sys.argv[3])))
print(s.recv(256).decode())
"""


def ip(ns, *args, check=True):
    return subprocess.run(["ip", "-n", ns] + list(args), check=check,
                          capture_output=True, text=True).stdout


def in_ns(ns, code, *args):
    return subprocess.run(["ip", "netns", "exec", ns, sys.executable, "-c",
                           code] + list(args), capture_output=True,
                          text=True, timeout=20)


class Pair:
    """Namespaces A (v0: 10.98.0.50/24, up) and B (v1: .1 and .3)"""

    def __init__(self):
        self.a, self.b = f"wanA{os.getpid()}", f"wanB{os.getpid()}"
        for ns in (self.a, self.b):
            subprocess.run(["ip", "netns", "add", ns], check=True)
        ip(self.a, "link", "add", "v0", "type", "veth", "peer", "name", "v1",
           "netns", self.b)
        ip(self.a, "addr", "add", "10.98.0.50/24", "dev", "v0")
        ip(self.a, "link", "set", "v0", "up")
        for a in ("10.98.0.1/24", "10.98.0.3/24"):
            ip(self.b, "addr", "add", a, "dev", "v1")
        ip(self.b, "link", "set", "v1", "up")
        self.dir = tempfile.mkdtemp()
        self.resolv = os.path.join(self.dir, "resolv.conf")
        with open(self.resolv, "w") as f:
            f.write("# kept\nsearch example.test\nnameserver 10.98.0.9\n"
                    "nameserver 10.98.0.10\noptions ndots:2\n")

    def agent(self, conf="", wan="v0", extra=()):
        return Agent(conf, pre=["ip", "netns", "exec", self.a],
                     args=["--wan", wan, "--resolv", self.resolv] +
                     list(extra))

    def addrs(self):
        """A's IPv4 addresses of v0 as ["ip/len", ...]"""
        j = json.loads(ip(self.a, "-j", "-4", "addr", "show", "dev", "v0"))
        return [f"{i['local']}/{i['prefixlen']}" for i in j[0]["addr_info"]]

    def default_route(self):
        j = json.loads(ip(self.a, "-j", "-4", "route", "show", "default"))
        return [(r.get("gateway"), r.get("dev")) for r in j]

    def link(self):
        return json.loads(ip(self.a, "-j", "link", "show", "v0"))[0]

    def resolv_lines(self):
        with open(self.resolv) as f:
            return f.read().splitlines()

    def close(self):
        for ns in (self.a, self.b):
            subprocess.run(["ip", "netns", "del", ns], check=True)


def test_static_applied_on_restart_and_at_start():
    p = Pair()
    try:
        a = p.agent()
        try:
            assert OK in a.at("AT+WANN=" + STATIC).stdout
            # stored at once, applied on restart
            assert answer(a.at("AT+WANN")) == STATIC
            assert p.addrs() == ["10.98.0.50/24"]
            assert OK in a.at("AT+Z").stdout
            assert p.addrs() == ["10.98.0.2/24"]
            assert p.default_route() == [("10.98.0.1", "v0")]
            assert in_ns(p.b, PING, "10.98.0.2").returncode == 0
            assert in_ns(p.b, PING, "10.98.0.50").returncode == 1
            assert answer(a.at("AT+WANN")) == STATIC
            # the same again changes nothing
            assert OK in a.at("AT+Z").stdout
            assert p.addrs() == ["10.98.0.2/24"]
        finally:
            log = a.stop()
        assert "--wan" not in log, log
        # the agent's start applies it too
        ip(p.a, "addr", "flush", "dev", "v0")
        ip(p.a, "addr", "add", "10.98.0.51/16", "dev", "v0")
        a.start()
        try:
            assert p.addrs() == ["10.98.0.2/24"]
            assert p.default_route() == [("10.98.0.1", "v0")]
            # gateway 0.0.0.0: no default route is set
            assert OK in a.at("AT+WANN=STATIC,10.98.0.4,255.255.255.0,"
                              "0.0.0.0").stdout
            ip(p.a, "route", "del", "default")
            assert OK in a.at("AT+Z").stdout
            assert p.addrs() == ["10.98.0.4/24"]
            assert p.default_route() == []
        finally:
            a.stop()
    finally:
        p.close()


def test_dns_first_nameserver_other_lines_kept():
    p = Pair()
    try:
        a = p.agent()
        try:
            before = p.resolv_lines()
            assert OK in a.at("AT+DNS=10.98.0.53").stdout
            assert answer(a.at("AT+DNS")) == "10.98.0.53"
            assert p.resolv_lines() == before
            assert OK in a.at("AT+Z").stdout
            assert p.resolv_lines() == [
                "# kept", "search example.test", "nameserver 10.98.0.53",
                "nameserver 10.98.0.10", "options ndots:2"]
            assert answer(a.at("AT+DNS")) == "10.98.0.53"
            # a file without a nameserver gets one, at its end
            with open(p.resolv, "w") as f:
                f.write("options edns0\n")
            assert OK in a.at("AT+Z").stdout
            assert p.resolv_lines() == ["options edns0",
                                        "nameserver 10.98.0.53"]
            assert os.stat(p.resolv).st_mode & 0o777 == 0o644
            assert os.listdir(p.dir) == ["resolv.conf"]  # no temp left
        finally:
            a.stop()
    finally:
        p.close()


def test_usermac_set_on_restart():
    p = Pair()
    try:
        a = p.agent()
        try:
            old = p.link()["address"]
            # multicast or zero is no board's address
            for bad in ("0300C0FFEE01", "000000000000"):
                assert "\r\n+ERR=-4\r\n" in a.at("AT+USERMAC=" + bad).stdout
            # any unicast address: not only USR's D8B04C range
            assert OK in a.at("AT+USERMAC=02aabbccdd01").stdout
            assert p.link()["address"] == old
            assert OK in a.at("AT+Z").stdout
            link = p.link()
            assert link["address"] == "02:aa:bb:cc:dd:01"
            assert "UP" in link["flags"]
            assert answer(a.at("AT+MAC")) == "02AABBCCDD01"
            # stored: set only (as on the K3), applied at every restart
            assert "\r\n+ERR=-3\r\n" in a.at("AT+USERMAC").stdout
            assert "AT+USERMAC=02AABBCCDD01" in a.conf_lines()
            ip(p.a, "link", "set", "v0", "address", "02:aa:bb:cc:dd:02")
            assert OK in a.at("AT+Z").stdout
            assert answer(a.at("AT+MAC")) == "02AABBCCDD01"
            # and at the agent's start (the board rebooted)
            a.stop()
            ip(p.a, "link", "set", "v0", "address", "02:aa:bb:cc:dd:03")
            a.start()
            assert answer(a.at("AT+MAC")) == "02AABBCCDD01"
            assert "UP" in p.link()["flags"]
        finally:
            a.stop()
    finally:
        p.close()


def read_text(path):
    with open(path) as f:
        return f.read()


def test_dhcp_runs_the_command_static_removed():
    p = Pair()
    try:
        out = os.path.join(p.dir, "dhcp.out")
        script = os.path.join(p.dir, "dhcp.sh")
        with open(script, "w") as f:
            f.write(f'#!/bin/sh\necho "$1" >>{out}\nsleep 5\n')
        os.chmod(script, 0o755)
        a = p.agent(f"AT+WANN={STATIC}\n", extra=["--dhcp-cmd",
                                                   script + " %s"])
        try:
            assert p.addrs() == ["10.98.0.2/24"]
            # a DHCP client's address has a lifetime: it stays
            ip(p.a, "addr", "add", "10.97.0.60/24", "dev", "v0",
               "valid_lft", "600", "preferred_lft", "600")
            assert OK in a.at("AT+WANN=DHCP,0.0.0.0,0.0.0.0,0.0.0.0").stdout
            assert not os.path.exists(out)
            t = time.monotonic()
            assert OK in a.at("AT+Z").stdout
            # the agent answers while the command runs
            assert answer(a.at("AT+WANN")) == "DHCP,0.0.0.0,0.0.0.0,0.0.0.0"
            assert time.monotonic() - t < 3
            # the file is there from the shell's open, its line after
            wait_for(lambda: os.path.exists(out) and
                     read_text(out).endswith("\n"), 5, "the DHCP command")
            assert read_text(out) == "v0\n"
            assert p.addrs() == ["10.97.0.60/24"]
        finally:
            a.stop()
    finally:
        p.close()


def test_missing_interface_logged_agent_answers():
    p = Pair()
    try:
        before = p.resolv_lines()
        a = p.agent(f"AT+WANN={STATIC}\n", wan="nosuch0")
        try:
            assert answer(a.at("AT+WANN")) == STATIC
            assert OK in a.at("AT+Z").stdout
            assert answer(a.at("AT+MID")) == "USR-K3"
            assert a.proc.poll() is None
        finally:
            log = a.stop()
        assert "--wan nosuch0: the interface: No such device" in log, log
        assert p.addrs() == ["10.98.0.50/24"]
        assert p.resolv_lines() == before  # the factory DNS is not applied
    finally:
        p.close()


def test_search_answers_a_broadcast_from_another_namespace():
    p = Pair()
    try:
        a = p.agent(f"AT+WANN={STATIC}\nAT+SEARCH=48899,K3FIND\n")
        try:
            mac = p.link()["address"].replace(":", "").upper()
            for dst in ("10.98.0.255", "255.255.255.255"):
                r = in_ns(p.b, SEARCH, dst, "k3find", "48899")
                assert r.returncode == 0, (dst, r.stderr)
                assert r.stdout == f"10.98.0.2,{mac},USR-K3\n", (dst, r)
        finally:
            a.stop()
    finally:
        p.close()


def test_ping1_to_a_namespace_address():
    p = Pair()
    try:
        a = p.agent(f"AT+WANN={STATIC}\n")
        try:
            assert answer(a.at("AT+PING1=10.98.0.3")) == "SUCCESS"
            assert answer(a.at("AT+PING1=10.98.0.77")) == "TIMEOUT"
        finally:
            a.stop()
    finally:
        p.close()


if __name__ == "__main__":
    sys.exit(run_tests({k: v for k, v in globals().items()
                        if k.startswith("test_")}))
