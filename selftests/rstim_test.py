#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
sernet: AT+RSTIM (PROTOCOLS.md section 8) through the agent sernetd: a
port that received nothing from the network for RSTIM seconds is
restarted (its clients see the connection end, it listens again), and one
whose client keeps sending is not; a set takes effect at AT+Z. RSTIM's
smallest setting is 60 s; the agent runs with SERNETD_SECOND_MS=50, so 60
of its seconds take 3 s. The decision itself (0 = off, command mode, the
bounds) is test_rstim.c's.
Runs inside tools/vm/run; KTAP.
"""
import contextlib
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sernet_helpers import Agent, agent_port, expect_closed, free_port, \
    read_fd, run_tests, wait_for  # noqa

SECOND_MS = 50
RSTIM = 60
IDLE = RSTIM * SECOND_MS / 1000     # 3 s


@contextlib.contextmanager
def served():
    """an agent with AT+RSTIM=60 serving a new pty port as a TCP server on
    loopback: (agent, port); the agent's log must tell of a restart"""
    lp = free_port()
    a = Agent(f"AT+RSTIM={RSTIM}\nAT+SOCKA1=TCPS,127.0.0.1,{lp}\n",
              env={"SERNETD_SECOND_MS": str(SECOND_MS)})
    p = None
    try:
        p = agent_port(lp)
        yield a, p
    finally:
        if p:
            p.close()
        err = a.stop()
    assert "(AT+RSTIM): restarted" in err, err


def test_idle_port_restarted_busy_port_kept():
    t0 = time.monotonic()
    with served() as (a, p):
        c = p.connect()
        wait_for(lambda: p.state() == "CONNECTED(1)", 5, "CONNECTED(1)")
        # nothing from the network: the restart ends the connection, not
        # before RSTIM seconds since the agent first saw the port
        expect_closed(c, IDLE * 5, "the connection at RSTIM's restart")
        assert time.monotonic() - t0 >= IDLE, time.monotonic() - t0
        c.close()
        wait_for(lambda: p.state() == "LISTEN", 5, "LISTEN again")
        # a client sending every sixth of RSTIM for twice RSTIM is kept
        c = p.connect()
        wait_for(lambda: p.state() == "CONNECTED(1)", 5, "CONNECTED(1)")
        connects = p.stat("connects")
        t1 = time.monotonic()
        n = 0
        while time.monotonic() - t1 < 2 * IDLE:
            c.sendall(b"%d," % n)
            assert read_fd(p.master, len(b"%d," % n), 5) == b"%d," % n
            n += 1
            time.sleep(IDLE / 6)
        assert p.state() == "CONNECTED(1)"
        assert p.stat("connects") == connects
        c.sendall(b"still here")
        assert read_fd(p.master, 10, 5) == b"still here"
        # then quiet: restarted again
        expect_closed(c, IDLE * 5, "the connection after it went quiet")
        c.close()


def test_a_set_takes_effect_at_z():
    """AT+RSTIM=0 is stored at once and in effect from AT+Z on, as every
    set: until then the idle port is still restarted"""
    with served() as (a, p):
        c = p.connect()
        assert "\r\n+OK\r\n" in a.at("AT+RSTIM=0").stdout
        assert "AT+RSTIM=0" in a.conf_lines()
        expect_closed(c, IDLE * 5, "the restart of the RSTIM in effect")
        c.close()


if __name__ == "__main__":
    sys.exit(run_tests({k: v for k, v in globals().items()
                        if k.startswith("test_")}))
