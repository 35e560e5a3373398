# SPDX-License-Identifier: GPL-2.0
"""
The test build of sernet.ko (build/<krel>/hooks/sernet.ko, made by make
modules with kernel/hooks.h's hooks): HookedModule swaps it in for the
tests of a block and the normal module back at the end, so that the
rest of the run tests what users run. Its hooks are debugfs files:

  delay_NAME_ms   a delay hook sleeps that long each time it is reached
  fail_NAME       a failure hook fails that many of the next allocations
  NAME_hits       how often each hook was reached (wait for it to move)

No port may be attached across the swap (rmmod is refused then).
"""
import os
import subprocess

DEBUGFS = "/sys/kernel/debug/sernet"


def _run(*cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, f"{' '.join(cmd)}: {r.stderr.strip()}"


class HookedModule:
    def __init__(self):
        self.normal = os.environ["SERNET_KO"]
        self.hooked = os.path.join(os.path.dirname(self.normal), "hooks",
                                   "sernet.ko")

    def __enter__(self):
        assert os.path.isfile(self.hooked), \
            f"{self.hooked} not built (make modules builds it)"
        _run("rmmod", "sernet")
        try:
            _run("insmod", self.hooked)
        except AssertionError:
            _run("insmod", self.normal)
            raise
        return self

    def __exit__(self, *exc):
        _run("rmmod", "sernet")
        _run("insmod", self.normal)
        return False


def hook_set(name, value):
    with open(f"{DEBUGFS}/{name}", "w") as f:
        f.write(str(value))


def hook_get(name):
    with open(f"{DEBUGFS}/{name}") as f:
        return int(f.read())


def hook_hits(name):
    return hook_get(name + "_hits")


def run_on_test_build(names):
    """
    Run the test_* functions of a module's globals() on the test build,
    printing KTAP (sernet_helpers.run_tests); the exit status
    """
    from sernet_helpers import run_tests
    with HookedModule():
        return run_tests({k: v for k, v in names.items()
                          if k.startswith("test_")})
