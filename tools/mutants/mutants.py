# SPDX-License-Identifier: GPL-2.0
"""
The mutants of make mutants (tools/mutants/run). Each one changes the exact
text orig of a file of kernel/, which must occur there exactly once, into
repl, says in one line what that breaks, and names the tests that must fail
with it:

  vm       selftests/run names (attach_test, tcp_server_test.py) or
           FILE.py::TEST (that file's test_TEST alone: SERNET_TESTS=TEST),
           all run in one VM
  fuzz     {"fuzz_pack": seconds}: a libFuzzer target of fuzz/ for so long
  kernel   the VM's: 6.1, 6.12 (the default) or debug
  timeout  seconds for the VM (tools/vm/run --timeout)

Choose the fewest, fastest tests that kill it. MUTANTS is what make mutants
runs; EXTRA and PENDING run only by name (make mutants MUTANTS=a,b).
EXTRA are killed too, but slower or much like one in MUTANTS; PENDING are
those no test kills yet (findings: each says what a test would need), to
move into MUTANTS once a test does.
"""
from dataclasses import dataclass, field


@dataclass
class Mutant:
    name: str
    file: str
    orig: str
    repl: str
    breaks: str
    vm: list = field(default_factory=list)
    fuzz: dict = field(default_factory=dict)
    kernel: str = "6.12"
    timeout: int = 300


SRV = "tcp_server_test.py::"

MUTANTS = [
    # --- ldisc.c --------------------------------------------------------------
    Mutant(
        name="ldisc-attach-without-cap",
        file="kernel/ldisc.c",
        orig="\tif (!capable(CAP_NET_ADMIN))\n\t\treturn -EPERM;\n",
        repl="",
        breaks="anyone who can open a tty attaches the discipline",
        vm=["attach_test"],
    ),
    Mutant(
        name="ldisc-termios-change-unseen",
        file="kernel/ldisc.c",
        orig="sernet_config_termios_changed(port, &tty->termios);",
        repl="(void)tty;",
        breaks="stty on the attached tty is not seen by the port",
        vm=["config_test"],
    ),
    # --- main.c ---------------------------------------------------------------
    Mutant(
        name="main-exit-keeps-netlink",
        file="kernel/main.c",
        orig="\tsernet_ldisc_unregister();\n\tsernet_netlink_exit();\n",
        repl="\tsernet_ldisc_unregister();\n",
        breaks="rmmod leaves the genetlink family and pernet ops registered",
        vm=["attach_test"],
    ),
    # --- netlink.c ------------------------------------------------------------
    Mutant(
        name="netlink-dump-every-netns",
        file="kernel/netlink.c",
        orig="\t\tif (!net_eq(read_pnet(&port->net), net))\n\t\t\tcontinue;\n"
             "\t\terr = fill(skb, port, cb);",
        repl="\t\terr = fill(skb, port, cb);",
        breaks="a dump lists the ports of other network namespaces",
        vm=["attach_test"],
    ),
    Mutant(
        name="netlink-shorto-min-1",
        file="kernel/netlink.c",
        orig="NLA_POLICY_RANGE(NLA_U16, 2, 255)",
        repl="NLA_POLICY_RANGE(NLA_U16, 1, 255)",
        breaks="SHORTO 1 is accepted (the K3's range is 2..255)",
        vm=["hostile_test"],
    ),
    # --- pack_step.h ----------------------------------------------------------
    Mutant(
        name="pack-step-copy-past-page",
        file="kernel/pack_step.h",
        orig="*n = len - s->used < room ? len - s->used : room;",
        repl="*n = len - s->used;",
        breaks="a copy may run past its page when the length was raised",
        fuzz={"fuzz_pack": 10},
    ),
    Mutant(
        name="pack-step-close-past-len",
        file="kernel/pack_step.h",
        orig="if (s->used && (s->used >= len || !room))",
        repl="if (s->used && (s->used > len || !room))",
        breaks="a packet holding the packing length is not closed",
        fuzz={"fuzz_pack": 10},
    ),
    # --- pack.c ---------------------------------------------------------------
    Mutant(
        name="pack-timer-no-tx-work",
        file="kernel/pack.c",
        orig="\tif (closed)\n\t\tqueue_work(port->wq, &port->tx_work);\n"
             "\treturn HRTIMER_NORESTART;",
        repl="\treturn HRTIMER_NORESTART;",
        breaks="a packet closed by the packing time waits for later bytes",
        vm=["udp_test.py::udp_client_packets_are_datagrams"],
    ),
    Mutant(
        name="pack-never-resumes",
        file="kernel/pack.c",
        orig="\t\tport->rx_stalled = false;\n\t\tresume = true;\n",
        repl="\t\tport->rx_stalled = false;\n",
        breaks="a throttled tty is never unthrottled once the backlog drains",
        vm=[SRV + "one_slow_reader_loses_nothing"],
    ),
    # --- tcp.c, the server ----------------------------------------------------
    Mutant(
        name="tcp-full-off-by-one",
        file="kernel/tcp.c",
        orig="if (xp->nclients >= READ_ONCE(port->cfg.max_clients)) {",
        repl="if (xp->nclients > READ_ONCE(port->cfg.max_clients)) {",
        breaks="a full TCP server takes one client more than max_clients",
        vm=[SRV + "full_server_refuses_or_drops_oldest"],
    ),
    Mutant(
        name="tcp-refused-left-open",
        file="kernel/tcp.c",
        orig="\t\t\t\tsernet_count(port, SERNET_STATS_REFUSED, 1);\n"
             "\t\t\t\tsock_release(sock);\n",
        repl="\t\t\t\tsernet_count(port, SERNET_STATS_REFUSED, 1);\n",
        breaks="a refused client's connection is never closed",
        vm=[SRV + "full_server_refuses_or_drops_oldest"],
    ),
    Mutant(
        name="tcp-evicts-newest",
        file="kernel/tcp.c",
        orig="\t\t\t\t\t    list_first_entry(&xp->clients,",
        repl="\t\t\t\t\t    list_last_entry(&xp->clients,",
        breaks="drop-oldest drops the newest client instead",
        vm=[SRV + "full_server_refuses_or_drops_oldest"],
    ),
    Mutant(
        name="tcp-fan-out-to-first-only",
        file="kernel/tcp.c",
        orig="\t\tlist_for_each_entry(c, &xp->clients, node)\n"
             "\t\t\tsernet_client_enqueue(c, pkt);",
        repl="\t\tsernet_client_enqueue(list_first_entry(&xp->clients,\n"
             "\t\t\t\t\t\t       struct sernet_client, node), pkt);",
        breaks="serial data goes to the first client only",
        vm=[SRV + "full_server_refuses_or_drops_oldest"],
    ),
    Mutant(
        name="tcp-slow-client-kept",
        file="kernel/tcp.c",
        orig="if (!q || c->queued + pkt->len + SERNET_PKT_COST >\n"
             "\t\t  SERNET_CLIENT_QUEUE_MAX) {",
        repl="if (!q) {",
        breaks="a client that lags is never dropped: its queue grows",
        vm=[SRV + "slow_client_dropped_others_continue"],
    ),
    Mutant(
        name="tcp-eof-not-closed",
        file="kernel/tcp.c",
        orig="\t\tif (n <= 0) {\n\t\t\tsernet_client_close(xp, c, "
             "SERNET_CLIENT_END_PEER);",
        repl="\t\tif (n < 0) {\n\t\t\tsernet_client_close(xp, c, "
             "SERNET_CLIENT_END_PEER);",
        breaks="a client that closed is kept (EOF read as no data)",
        vm=[SRV + "status_follows_clients"],
    ),
    # --- sysfs.c --------------------------------------------------------------
    Mutant(
        name="sysfs-refused-shows-disconnects",
        file="kernel/sysfs.c",
        orig="SERNET_STAT_ATTR(refused, SERNET_STATS_REFUSED);",
        repl="SERNET_STAT_ATTR(refused, SERNET_STATS_DISCONNECTS);",
        breaks="statistics/refused shows another counter",
        vm=[SRV + "full_server_refuses_or_drops_oldest"],
    ),
    Mutant(
        name="sysfs-no-max-check",
        file="kernel/sysfs.c",
        orig="if (v < ca->min || v > ca->max)",
        repl="if (v < ca->min)",
        breaks="a sysfs write above the setting's range is applied",
        vm=["config_test"],
    ),
]

# Killed too, but slower or like one above: run by name.
EXTRA = [
    Mutant(
        name="ldisc-no-write-wakeup",
        file="kernel/ldisc.c",
        orig="\t\tsernet_xport_write_wakeup(port);",
        repl="\t\t(void)port;",
        breaks="a full tty that drains never wakes network-to-serial up",
        # the test hangs (its sender thread blocks): the VM timeout kills
        vm=[SRV + "network_to_serial_stream"],
        timeout=90,
    ),
    Mutant(
        name="netlink-set-without-admin",
        file="kernel/netlink.c",
        orig="\t\t.flags\t\t= GENL_ADMIN_PERM,\n",
        repl="",
        breaks="PORT_SET needs no CAP_NET_ADMIN",
        vm=["config_test"],
    ),
    Mutant(
        name="pack-step-backlog-bound-x16",
        file="kernel/pack_step.h",
        orig="if (s->backlog >= SERNET_BACKLOG_HIGH)",
        repl="if (s->backlog >= 16 * SERNET_BACKLOG_HIGH)",
        breaks="serial bytes are taken far past the backlog bound",
        vm=[SRV + "one_slow_reader_loses_nothing"],
    ),
    Mutant(
        name="pack-no-pty-writer-wakeup",
        file="kernel/pack.c",
        orig="\t\ttty_wakeup(tty->link);",
        repl="\t\t(void)tty->link;",
        breaks="a pty writer blocked on a full flip buffer is not woken",
        # the test hangs (its writer thread blocks): the VM timeout kills
        vm=[SRV + "serial_to_network_stream"],
        timeout=90,
    ),
    Mutant(
        name="sysfs-write-without-cap",
        file="kernel/sysfs.c",
        orig="\treturn capable(CAP_NET_ADMIN);\n}",
        repl="\treturn true;\n}",
        breaks="root without CAP_NET_ADMIN changes a port through sysfs",
        vm=["hostile_test"],
    ),
]

PENDING = [
    # Needs: rmmod, then insmod sernet.ko ldisc=0 (and ldisc=NR_LDISCS) fails
    # with EINVAL and registers nothing; insmod without it works again.
    Mutant(
        name="main-ldisc-0-accepted",
        file="kernel/main.c",
        orig="if (ldisc < 1 || ldisc >= NR_LDISCS) {",
        repl="if (ldisc < 0 || ldisc >= NR_LDISCS) {",
        breaks="insmod ldisc=0 would replace N_TTY",
        vm=["attach_test"],
    ),
    # Needs: every counter read over netlink (sernetctl show --json) equal to
    # its sysfs file, after traffic that moves each one (drop_udp included).
    Mutant(
        name="netlink-last-stat-missing",
        file="kernel/netlink.c",
        orig="i <= SERNET_STATS_MAX; i++) {\n\t\tif (i == SERNET_STATS_PAD)",
        repl="i < SERNET_STATS_MAX; i++) {\n\t\tif (i == SERNET_STATS_PAD)",
        breaks="GET leaves out the last counter (drop_udp)",
        vm=["cli_test.sh", "hostile_test"],
    ),
    # Needs: the stuck client dropped at 1 MiB of queue, not later: e.g. its
    # "queued" (show --json) never above 1 MiB, and drop_slow_client = 1
    # before the serial bytes sent pass 1 MiB plus the socket buffers
    # (small ones, set in a namespace, as uart_8250_test.py does).
    Mutant(
        name="tcp-slow-bound-doubled",
        file="kernel/tcp.c",
        orig="#define SERNET_CLIENT_QUEUE_MAX\t(1024 * 1024)",
        repl="#define SERNET_CLIENT_QUEUE_MAX\t(2 * 1024 * 1024)",
        breaks="a slow client may lag 2 MiB, not 1 MiB",
        vm=["stress_test.py::zero_window_peer_is_bounded_and_hurts_no_one",
            SRV + "slow_client_dropped_others_continue"],
    ),
    # Needs: clients served in turn: while one client sends without a pause,
    # another's short message reaches the serial line within a bound (a few
    # of the first client's 4 KiB reads), not after the first one is done.
    Mutant(
        name="tcp-rx-always-first-client",
        file="kernel/tcp.c",
        orig="struct list_head *pos = xp->rr ? &xp->rr->node : &xp->clients;",
        repl="struct list_head *pos = &xp->clients;",
        breaks="network to serial: the first client with data starves the rest",
        vm=[SRV + "clients_sending_at_once_stay_whole"],
    ),
]
