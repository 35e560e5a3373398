#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
sernet: the kernel's own ynl CLI (build/ynl/cli.py, from linux-source-6.12:
make ynl) against the module, driven by Documentation/netlink/specs/
sernet.yaml alone: a dump and a GET show a port attached on a pty, a SET
(enum values by name) is seen in sysfs and in `sernetctl show --json`, a
value past the spec's range is refused, and the events group's
notifications decode. Runs inside tools/vm/run; KTAP. The tooling missing
fails: it is built with the selftests.
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sernet_helpers import Port, read, run_tests, show_json  # noqa

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = os.path.join(TOP, "build/ynl/cli.py")
SPEC = os.path.join(TOP, "Documentation/netlink/specs/sernet.yaml")
SCHEMA = os.path.join(TOP, "build/ynl/Documentation/netlink/genetlink.yaml")


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


if __name__ == "__main__":
    sys.exit(run_tests({k: v for k, v in globals().items()
                        if k.startswith("test_")}))
