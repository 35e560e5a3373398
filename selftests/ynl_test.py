#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
sernet: the kernel's own ynl CLI (build/ynl/cli.py, from linux-source-6.12:
make ynl) against the module, driven by Documentation/netlink/specs/
sernet.yaml alone: a dump and a GET show a port attached on a pty, a SET
(enum values by name) is seen in sysfs and in `sernetctl show --json`, a
value past the spec's range is refused, and the events group's
notifications decode. The kernel's own policy of PORT_SET (nlctrl's
CTRL_CMD_GETPOLICY, a raw request) has, for each attribute of the spec's
request, the spec's type and range (its checks' names resolved in
include/uapi/linux/sernet.h), and no other attribute: the others are
refused. Runs inside tools/vm/run; KTAP. The tooling missing fails: it is
built with the selftests.
"""
import functools
import json
import os
import re
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sernet_helpers import nl_attrs, Port, read, run_tests, show_json  # noqa

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = os.path.join(TOP, "build/ynl/cli.py")
SPEC = os.path.join(TOP, "Documentation/netlink/specs/sernet.yaml")
SCHEMA = os.path.join(TOP, "build/ynl/Documentation/netlink/genetlink.yaml")
UAPI = os.path.join(TOP, "include/uapi/linux/sernet.h")
sys.path.insert(0, os.path.join(TOP, "build/ynl"))


def ynl(*args, ok=True):
    """cli.py's exit status and output (JSON: its first line, decoded)"""
    r = subprocess.run(["/usr/bin/python3", CLI, "--spec", SPEC,
                        "--schema", SCHEMA, "--output-json", *args],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=120)
    if ok:
        assert r.returncode == 0, f"cli.py {args} exited {r.returncode}: " \
            f"{r.stdout}"
        line = r.stdout.splitlines()[0]
        return r.returncode, json.loads(line)
    return r.returncode, r.stdout


def test_cli_and_spec_present():
    assert os.path.exists(CLI), f"no {CLI}: make ynl"
    assert os.path.exists(SCHEMA), f"no {SCHEMA}: make ynl"
    _, out = ynl("--list-ops", ok=False)
    for op in ("port-get", "port-set", "client-get"):
        assert op in out, f"{op} not in --list-ops: {out}"


def test_dump_shows_the_port():
    p = Port(None)
    try:
        _, ports = ynl("--dump", "port-get")
        mine = [x for x in ports if x["port-index"] == p.idx]
        assert len(mine) == 1, f"sernet{p.idx} not once in {ports}"
        x = mine[0]
        assert x["port-tty"] == p.tty, x
        assert x["port-state"] in ("idle", "listen"), x
        assert x["sock-status"] == p.state(), x
        assert (x["uart-baud"], x["uart-parity"], x["uart-flow"]) == \
            (115200, "none", "nfc"), x
        assert (x["sock-proto"], x["sock-full"]) == ("tcps", "refuse"), x
        assert x["pack-len"] == int(read(p.path("pack_len"))), x
        assert x["port-stats"]["rx-bytes"] == p.stat("rx_bytes"), x
    finally:
        p.close()


def test_get_one_port():
    p = Port(None)
    try:
        _, x = ynl("--do", "port-get", "--json",
                   json.dumps({"port-index": p.idx}))
        assert (x["port-index"], x["port-tty"]) == (p.idx, p.tty), x
        assert x["sock-port"] == 23 and x["sock-max-clients"] == 8, x
    finally:
        p.close()


def test_set_reaches_sysfs_and_sernetctl():
    p = Port(None)
    try:
        ynl("--do", "port-set", "--json",
            json.dumps({"port-index": p.idx, "pack-len": 512,
                        "sock-max-clients": 4, "sock-full": "drop-oldest"}))
        assert read(p.path("pack_len")) == "512"
        assert read(p.path("max_clients")) == "4"
        j = show_json(p.idx)
        assert j["uarttl"]["length"] == 512, j
        assert j["socket"]["max_clients"] == 4, j
        assert j["socket"]["full"] == "drop-oldest", j
        _, x = ynl("--do", "port-get", "--json",
                   json.dumps({"port-index": p.idx}))
        assert (x["pack-len"], x["sock-full"]) == (512, "drop-oldest"), x
    finally:
        p.close()


def test_past_the_spec_range_is_refused():
    p = Port(None)
    try:
        # the spec's pack-len max is pack-len-max, 1460: so is the policy's
        rc, out = ynl("--do", "port-set", "--json",
                      json.dumps({"port-index": p.idx, "pack-len": 1461}),
                      ok=False)
        assert rc == 1 and "Numerical result out of range" in out, \
            f"exit {rc}: {out}"
        assert read(p.path("pack_len")) == "0"
        rc, out = ynl("--do", "port-set", "--json",
                      json.dumps({"port-index": p.idx, "pack-len": 1460}),
                      ok=False)
        assert rc == 0 and read(p.path("pack_len")) == "1460", out
    finally:
        p.close()


def test_events_decode():
    # cli.py subscribes, sleeps, then prints what came: probe ports are
    # attached and detached meanwhile (its start-up takes a while here)
    proc = subprocess.Popen(["/usr/bin/python3", CLI, "--spec", SPEC,
                             "--schema", SCHEMA, "--output-json",
                             "--subscribe", "events", "--sleep", "8"],
                            stdout=subprocess.PIPE, text=True)
    probes = set()
    try:
        while proc.poll() is None:
            probe = Port(None)
            probes.add((probe.idx, probe.tty))
            probe.close()
            time.sleep(0.3)
        out = proc.stdout.read()
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 0, f"exit {proc.returncode}: {out}"
    ntfs = json.loads(out.splitlines()[-1])
    seen = {}
    for n in ntfs:
        m = n["msg"]
        seen.setdefault((m.get("port-index"), m.get("port-tty")),
                        []).append(n["name"])
    both = [k for k in probes
            if {"port-added", "port-removed"} <= set(seen.get(k, []))]
    assert both, f"no probe added and removed among {seen}"


# nlctrl, as <linux/genetlink.h> and <linux/netlink.h> number it
NETLINK_GENERIC, GENL_ID_CTRL, CTRL_CMD_GETPOLICY = 16, 0x10, 10
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
CTRL_ATTR_POLICY, CTRL_ATTR_OP_POLICY, CTRL_ATTR_OP = 8, 9, 10
CTRL_ATTR_POLICY_DO = 1
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLA_F_NESTED = 0x8000
# enum netlink_attribute_type and enum netlink_policy_type_attr
NL_ATTR_TYPES = {1: "flag", 2: "u8", 3: "u16", 4: "u32", 10: "binary"}
NL_POLICY = {1: "type", 4: "min-value", 5: "max-value",
             6: "min-length", 7: "max-length"}
NL_POLICY_TYPE_ATTR_PAD = 11


@functools.cache
def uapi_consts():
    """the integer constants of the uapi header: #defines, enum values"""
    with open(UAPI) as f:
        text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
    c = {}
    for body in re.findall(r"enum \w+ \{(.*?)\};", text, re.S):
        v = -1
        for item in filter(None, (x.strip() for x in body.split(","))):
            name, _, val = (x.strip() for x in item.partition("="))
            v = int(val, 0) if val else v + 1
            c[name] = v
    for name, val in re.findall(r"^#define (\w+)[ \t]+(.+?)\s*$", text,
                                re.M):
        if re.fullmatch(r"\d+", val):
            c[name] = int(val)
        elif m := re.fullmatch(r"\((\w+) - 1\)", val):
            c[name] = c[m[1]] - 1
    return c


def nla(atype, payload):
    return struct.pack("HH", 4 + len(payload), atype) + payload + \
        b"\0" * (-len(payload) % 4)


def genl(sock, family, cmd, attrs, flags=0):
    """the replies' attributes, and the error (0 is an ack)"""
    body = struct.pack("BBH", cmd, 1, 0) + b"".join(attrs)
    sock.send(struct.pack("IHHII", 16 + len(body), family,
                          NLM_F_REQUEST | NLM_F_ACK | flags, 1, 0) + body)
    replies = []
    while True:
        buf = sock.recv(1 << 20)
        while buf:
            n, t = struct.unpack_from("IH", buf)
            if t == NLMSG_ERROR:
                return replies, struct.unpack_from("i", buf, 16)[0]
            if t == NLMSG_DONE:
                return replies, 0
            replies.append(nl_attrs(buf[20:n]))
            buf = buf[(n + 3) & ~3:]


def set_policy():
    """the family's id and its PORT_SET policy: {attribute: {key: value}}"""
    c = uapi_consts()
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                       NETLINK_GENERIC) as s:
        replies, err = genl(s, GENL_ID_CTRL, CTRL_CMD_GETPOLICY,
                            [nla(CTRL_ATTR_FAMILY_NAME, b"sernet\0"),
                             nla(CTRL_ATTR_OP, struct.pack(
                                 "I", c["SERNET_CMD_PORT_SET"]))],
                            NLM_F_DUMP)
    assert err == 0, f"CTRL_CMD_GETPOLICY: {os.strerror(-err)}"
    family, idx, policies = None, None, {}
    for r in replies:
        family = struct.unpack("H", r[CTRL_ATTR_FAMILY_ID])[0]
        if CTRL_ATTR_OP_POLICY in r:
            op = nl_attrs(r[CTRL_ATTR_OP_POLICY])[c["SERNET_CMD_PORT_SET"]]
            idx = struct.unpack("I", nl_attrs(op)[CTRL_ATTR_POLICY_DO])[0]
        if CTRL_ATTR_POLICY in r:
            for i, pol in nl_attrs(r[CTRL_ATTR_POLICY]).items():
                policies.setdefault(i, {}).update(nl_attrs(pol))
    assert idx is not None, f"no DO policy of PORT_SET in {replies}"
    pol = {}
    for a, raw in policies.get(idx, {}).items():
        kv = nl_attrs(raw)
        kv.pop(NL_POLICY_TYPE_ATTR_PAD, None)
        d = {NL_POLICY.get(k, k): int.from_bytes(v, sys.byteorder)
             for k, v in kv.items()}
        d["type"] = NL_ATTR_TYPES.get(d["type"], d["type"])
        pol[a] = d
    return family, pol


@functools.cache
def spec_set_policy():
    """what the spec says PORT_SET takes, {name: (attribute, policy)}, and
    the port set's other attributes, {name: (attribute, type)}"""
    from lib import SpecFamily
    c = uapi_consts()
    spec = SpecFamily(SPEC, "")     # as it is: tools/check/ynl-spec validates

    def const(v):
        return v if isinstance(v, int) else \
            c["SERNET_" + v.upper().replace("-", "_")]

    req = spec.ops["port-set"]["do"]["request"]["attributes"]
    want, other = {}, {}
    for name, a in spec.attr_sets["port"].attrs.items():
        num = c["SERNET_A_" + name.upper().replace("-", "_")]
        if name not in req:
            other[name] = (num, a.type)
            continue
        checks = a.get("checks", {})
        if a.type == "flag":
            p = {"type": "flag"}
        elif a.type == "binary":
            p = {"type": "binary"}
            for k in ("min-len", "max-len"):
                if k in checks:
                    p[k.replace("len", "length")] = const(checks[k])
        else:
            top = (1 << int(a.type[1:])) - 1
            if "enum" in a:
                top = max(e.value for e in
                          spec.consts[a["enum"]].entries.values())
            p = {"type": a.type, "min-value": const(checks.get("min", 0)),
                 "max-value": const(checks.get("max", top))}
        want[name] = (num, p)
    return want, other


def test_kernel_set_policy_is_the_specs():
    want, other = spec_set_policy()
    _, pol = set_policy()
    bad = [f"{name}: spec {p}, kernel {pol.get(num)}"
           for name, (num, p) in want.items() if pol.get(num) != p]
    assert not bad, "PORT_SET's policy is not the spec's:\n" + "\n".join(bad)
    extra = set(pol) - {num for num, _ in want.values()}
    assert not extra, f"the policy takes {extra}, not in the spec's request " \
        f"(of its port set, {sorted(other)})"


def test_not_settable_is_refused():
    family, _ = set_policy()
    _, other = spec_set_policy()
    c = uapi_consts()
    payload = {"u8": b"\0", "u16": b"\0\0", "u32": b"\0" * 4,
               "string": b"x\0", "pad": b"", "nest": b"", "binary": b"x",
               "flag": b""}
    p = Port(None)
    try:
        index = nla(c["SERNET_A_PORT_INDEX"], struct.pack("I", p.idx))
        with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                           NETLINK_GENERIC) as s:
            _, err = genl(s, family, c["SERNET_CMD_PORT_SET"], [index])
            assert err == 0, f"PORT_SET of the index alone: {err}"
            for name, (num, t) in other.items():
                nest = NLA_F_NESTED if t == "nest" else 0
                _, err = genl(s, family, c["SERNET_CMD_PORT_SET"],
                              [index, nla(num | nest, payload[t])])
                assert err == -22, f"PORT_SET with {name}: {err}, not EINVAL"
    finally:
        p.close()


if __name__ == "__main__":
    sys.exit(run_tests({k: v for k, v in globals().items()
                        if k.startswith("test_")}))
