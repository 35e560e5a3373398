#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
sernet: the agent sernetd and `sernetctl at` over its control socket: a
line gets the engine's answer, a bad config line is reported as
file:line and the others still apply, a non-root client is refused.
Runs inside tools/vm/run; KTAP.
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sernet_helpers import run_tests, wait_for  # noqa


class Agent:
    """sernetd -f with its own config file and control socket"""

    def __init__(self, conf_text=""):
        self.dir = tempfile.mkdtemp()
        os.chmod(self.dir, 0o755)
        self.conf = os.path.join(self.dir, "sernet.conf")
        self.ctl = os.path.join(self.dir, "control")
        with open(self.conf, "w") as f:
            f.write(conf_text)
        self.proc = subprocess.Popen(
            ["sernetd", "-f", "-c", self.conf, "--control", self.ctl],
            stderr=subprocess.PIPE, text=True)
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

    def stop(self):
        self.proc.terminate()
        self.proc.wait(5)
        return self.proc.stderr.read()


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


if __name__ == "__main__":
    sys.exit(run_tests({k: v for k, v in globals().items()
                        if k.startswith("test_")}))
