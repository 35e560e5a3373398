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
    host: list = field(default_factory=list)
    kernel: str = "6.12"
    timeout: int = 300


SRV = "tcp_server_test.py::"
CLI = "tcp_client_test.py::"
FA = "faults_test.py::"

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
        orig="sernet_pack_termios_changed(port, &tty->termios);",
        repl="(void)tty;",
        breaks="stty on the attached tty is not seen by the port",
        vm=["config_test"],
    ),
    # --- main.c ---------------------------------------------------------------
    Mutant(
        name="main-exit-keeps-netlink",
        file="kernel/main.c",
        orig="\tsernet_hooks_exit();\n\tsernet_netlink_exit();\n",
        repl="\tsernet_hooks_exit();\n",
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
    # --- settings_table.h: the netlink policy and sysfs read its rows --------
    Mutant(
        name="settings-shorto-min-1",
        file="kernel/settings_table.h",
        orig="SERNET_SHORTO_MIN, SERNET_SHORTO_MAX",
        repl="SERNET_SHORTO_MIN - 1, SERNET_SHORTO_MAX",
        breaks="SHORTO 1 is accepted (the K3's range is 2..255)",
        vm=["hostile_test", "ynl_test.py::kernel_set_policy_is_the_specs"],
    ),
    Mutant(
        name="settings-sockton-max-plus-1",
        file="kernel/settings_table.h",
        orig="SERNET_SOCKTON_MIN, SERNET_SOCKTON_MAX",
        repl="SERNET_SOCKTON_MIN, SERNET_SOCKTON_MAX + 1",
        breaks="a sysfs write of SOCKTON 100000 is taken (the K3's is 1..99999)",
        vm=["config_test"],
    ),
    Mutant(
        name="settings-port-change-live",
        file="kernel/settings_table.h",
        orig="SERNET_SETTING(SOCK_PORT, U16, port, port, RESTART, 23,",
        repl="SERNET_SETTING(SOCK_PORT, U16, port, port, LIVE, 23,",
        breaks="a new port is stored but the server keeps listening on the old",
        vm=[SRV + "status_follows_clients"],
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
    Mutant(
        name="pack-step-backlog-bound-x16",
        file="kernel/pack_step.h",
        orig="if (s->backlog >= SERNET_BACKLOG_HIGH)",
        repl="if (s->backlog >= 16 * SERNET_BACKLOG_HIGH)",
        breaks="serial bytes are taken far past the backlog bound",
        fuzz={"fuzz_pack": 10},
    ),
    # --- at_step.h ------------------------------------------------------------
    Mutant(
        name="at-step-line-past-max",
        file="kernel/at_step.h",
        orig="*n = i < max - l->len ? i : max - l->len;",
        repl="*n = i;",
        breaks="a command line grows past SERNET_AT_LINE_MAX",
        fuzz={"fuzz_at": 10},
    ),
    Mutant(
        name="at-step-cut-late",
        file="kernel/at_step.h",
        orig="if (!l->skip && l->len >= max) {",
        repl="if (!l->skip && l->len > max) {",
        breaks="a full line is never cut: the collector stops progressing",
        fuzz={"fuzz_at": 10},
    ),
    Mutant(
        name="at-step-send-empty",
        file="kernel/at_step.h",
        orig="return l->len && !l->skip ? SERNET_AT_SEND : SERNET_AT_END;",
        repl="return SERNET_AT_SEND;",
        breaks="empty lines (the LF of CR LF) go to the agent",
        fuzz={"fuzz_at": 10},
    ),
    Mutant(
        name="at-step-escape-longer",
        file="kernel/at_step.h",
        orig="prev_by_time && len == 3 &&",
        repl="prev_by_time && len >= 3 &&",
        breaks="a packet starting with +++ is taken for the escape",
        fuzz={"fuzz_at": 10},
    ),
    Mutant(
        name="at-step-escape-no-agent",
        file="kernel/at_step.h",
        orig="return agent && by_time",
        repl="return (agent || !agent) && by_time",
        breaks="+++ is held and answered with no agent to serve command mode",
        fuzz={"fuzz_at": 10},
    ),
    # --- chan.c ---------------------------------------------------------------
    Mutant(
        name="chan-register-without-cap",
        file="kernel/netlink.c",
        orig="\t\t.doit\t\t= sernet_nl_agent_register_doit,\n"
             "\t\t.policy\t\t= sernet_port_get_policy,\n"
             "\t\t.maxattr\t= ARRAY_SIZE(sernet_port_get_policy) - 1,\n"
             "\t\t.flags\t\t= GENL_UNS_ADMIN_PERM,\n",
        repl="\t\t.doit\t\t= sernet_nl_agent_register_doit,\n"
             "\t\t.policy\t\t= sernet_port_get_policy,\n"
             "\t\t.maxattr\t= ARRAY_SIZE(sernet_port_get_policy) - 1,\n",
        breaks="a process without CAP_NET_ADMIN becomes the agent and reads command lines",
        vm=["at_test.py::register_needs_cap_net_admin"],
    ),
    Mutant(
        name="chan-second-agent-steals",
        file="kernel/chan.c",
        orig="if (cn->agent && cn->agent != info->snd_portid)",
        repl="if (0)",
        breaks="a second socket takes the channel from a live agent",
        vm=["at_test.py::second_agent_busy_until_release"],
    ),
    Mutant(
        name="chan-release-unseen",
        file="kernel/chan.c",
        orig="\t\tcn->agent = 0;\n\t\tgone = true;\n",
        repl="\t\tgone = true;\n",
        breaks="a dead agent's registration stays: no agent can ever come back",
        vm=["at_test.py::second_agent_busy_until_release"],
    ),
    Mutant(
        name="chan-reply-from-anyone",
        file="kernel/chan.c",
        orig="if (sernet_chan_agent(genl_info_net(info)) != info->snd_portid) {",
        repl="if (0) {",
        breaks="any CAP_NET_ADMIN socket writes replies to a port in command mode",
        vm=["at_test.py::reply_only_from_agent_in_command_mode"],
    ),
    # --- pack.c ---------------------------------------------------------------
    Mutant(
        name="pack-timer-no-tx-work",
        file="kernel/pack.c",
        orig="\tif (closed)\n\t\tqueue_work(port->wq, &port->tx_work);\n"
             "\t/* no memory for the packet",
        repl="\t/* no memory for the packet",
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
        file="kernel/tcp_server.c",
        orig="if (xp->nconns >= READ_ONCE(port->cfg.max_clients)) {",
        repl="if (xp->nconns > READ_ONCE(port->cfg.max_clients)) {",
        breaks="a full TCP server takes one client more than max_clients",
        vm=[SRV + "full_server_refuses_or_drops_oldest"],
    ),
    Mutant(
        name="tcp-refused-left-open",
        file="kernel/tcp_server.c",
        orig="\t\t\t\tsernet_count(port, SERNET_STATS_REFUSED, 1);\n"
             "\t\t\t\tsock_release(sock);\n",
        repl="\t\t\t\tsernet_count(port, SERNET_STATS_REFUSED, 1);\n",
        breaks="a refused client's connection is never closed",
        vm=[SRV + "full_server_refuses_or_drops_oldest"],
    ),
    Mutant(
        name="tcp-evicts-newest",
        file="kernel/tcp_server.c",
        orig="\t\t\tsernet_conn_close(list_first_entry(&xp->conns,",
        repl="\t\t\tsernet_conn_close(list_last_entry(&xp->conns,",
        breaks="drop-oldest drops the newest client instead",
        vm=[SRV + "full_server_refuses_or_drops_oldest"],
    ),
    Mutant(
        name="tcp-fan-out-to-first-only",
        file="kernel/conn.c",
        orig=('\t\tlist_for_each_entry(c, &xp->conns, node)\n'
              '\t\t\tsernet_conn_enqueue(c, pkt);'),
        repl=('\t\tsernet_conn_enqueue(list_first_entry(&xp->conns,\n'
              '\t\t\t\t\t\t     struct sernet_conn, node), pkt);'),
        breaks="serial data goes to the first client only",
        vm=[SRV + "full_server_refuses_or_drops_oldest"],
    ),
    Mutant(
        name="tcp-slow-bound-doubled",
        file="kernel/conn.c",
        orig="#define SERNET_CONN_QUEUE_MAX\t(1024 * 1024)",
        repl="#define SERNET_CONN_QUEUE_MAX\t(2 * 1024 * 1024)",
        breaks="a slow client may lag 2 MiB, not 1 MiB",
        vm=["stress_test.py::zero_window_peer_is_bounded_and_hurts_no_one"],
    ),
    Mutant(
        name="tcp-eof-not-closed",
        file="kernel/conn.c",
        orig=('\t\tif (n <= 0) {\n'
              '\t\t\tsernet_conn_close(c, SERNET_CLIENT_END_PEER);'),
        repl=('\t\tif (n < 0) {\n'
              '\t\t\tsernet_conn_close(c, SERNET_CLIENT_END_PEER);'),
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
        orig="if (!err && (v < s->range.min || v > s->range.max))",
        repl="if (!err && v < s->range.min)",
        breaks="a sysfs write above the setting's range is applied",
        vm=["config_test"],
    ),
    # --- kept and closed (issue 10: the checks that could not fail) --------
    Mutant(
        name="pack-keeps-whole-packets",
        file="kernel/pack.c",
        orig="\t\tif (port->pkts_cost <= SERNET_KEEP_COST &&\n"
             "\t\t    port->pkts_bytes - keep < pkt->len) {",
        repl="\t\tif (0) {",
        breaks="UARTCLBUF OFF keeps less than the newest 32 KiB (whole packets)",
        vm=[SRV + "kept_while_no_client"],
    ),
    Mutant(
        name="tcp-close-leaves-socket-open",
        file="kernel/conn.c",
        orig="\tkernel_sock_shutdown(c->sock, SHUT_RDWR);\n"
             "\tsock_release(c->sock);\n\tlist_for_each_entry_safe",
        repl="\tlist_for_each_entry_safe",
        breaks="a connection let go of is never closed (the peer sees nothing)",
        vm=[CLI + "back_to_server_mode"],
    ),
    Mutant(
        name="tcp-listen-status-word",
        file="kernel/sock.c",
        orig="\tsnprintf(buf, sizeof(buf), \"ERROR: %s\",\n"
             "\t\t err == -EADDRINUSE",
        repl="\tsnprintf(buf, sizeof(buf), \"ERROR %s\",\n"
             "\t\t err == -EADDRINUSE",
        breaks="the status of a port that cannot listen is not 'ERROR: ...'",
        vm=[SRV + "cannot_listen_is_an_error_that_retries"],
    ),
    Mutant(
        name="tcpc-failed-attempt-not-error",
        file="kernel/tcp_client.c",
        orig="sernet_tcpc_retry(t, err ?: -ECONNABORTED);",
        repl="sernet_tcpc_retry(t, 0);",
        breaks="a TCPC port whose attempts fail says CONNECTING, not why",
        vm=[CLI + "no_server_keeps_trying"],
    ),
    Mutant(
        name="tcpc-sockton-counts-sent-data",
        file="kernel/tcp_client.c",
        orig=("READ_ONCE(xp->last_io) :\n"
              "\t\t\t\t\t    READ_ONCE(xp->last_rx);"),
        repl=("READ_ONCE(xp->last_io) :\n"
              "\t\t\t\t\t    READ_ONCE(xp->last_io);"),
        breaks="SOCKTON: data sent to the server keeps a silent one connected",
        vm=[CLI + "sockton_reconnects_when_nothing_comes"],
    ),
    Mutant(
        name="tcpc-shorto-ignores-received-data",
        file="kernel/conn.c",
        orig=('\tWRITE_ONCE(xp->last_rx, jiffies);\n'
              '\tWRITE_ONCE(xp->last_io, xp->last_rx);\n'),
        repl='\tWRITE_ONCE(xp->last_rx, jiffies);\n',
        breaks="SHORTO closes a short connection the server is still using",
        vm=[CLI + "short_connection_kept_by_network_traffic"],
    ),
    Mutant(
        name="udp-filter-port-only",
        file="kernel/sock.c",
        orig=('\treturn ((const struct sockaddr_in *)a)->sin_port ==\n'
              '\t       ((const struct sockaddr_in *)b)->sin_port &&\n'
              '\t       ((const struct sockaddr_in *)a)->sin_addr.s_addr ==\n'
              '\t       ((const struct sockaddr_in *)b)->sin_addr.s_addr;\n'),
        repl=('\treturn ((const struct sockaddr_in *)a)->sin_port ==\n'
              '\t       ((const struct sockaddr_in *)b)->sin_port;\n'),
        breaks="UDPC takes a stranger at another address with the remote's port",
        vm=['udp_test.py::udp_client_filters_sources_unless_udpon'],
    ),
    Mutant(
        name="udp-server-old-peer-copied",
        file="kernel/udp.c",
        orig=('\t\tint n = kernel_sendmsg(u->sock, &msg, &iov, 1, pkt->len);\n'
              '\n'
              '\t\tif (n == pkt->len) {\n'),
        repl=('\t\tstatic struct sockaddr_storage last;\n'
              '\t\tint n = kernel_sendmsg(u->sock, &msg, &iov, 1, pkt->len);\n'
              '\n'
              '\t\tif (last.ss_family && memcmp(&last, &u->peer, sizeof(last))) {\n'
              '\t\t\tmsg.msg_name = &last;\n'
              '\t\t\tkernel_sendmsg(u->sock, &msg, &iov, 1, pkt->len);\n'
              '\t\t}\n'
              '\t\tlast = u->peer;\n'
              '\t\tif (n == pkt->len) {\n'),
        breaks="UDPS keeps sending to the previous sender too",
        vm=['udp_test.py::udp_server_answers_the_last_sender'],
    ),
    Mutant(
        name="pack-timer-not-restarted",
        file="kernel/pack.c",
        orig=('\tif (port->pack_used)\n'
             '\t\thrtimer_start(&port->pack_timer,\n'),
        repl=('\tif (port->pack_used && !hrtimer_active(&port->pack_timer))\n'
             '\t\thrtimer_start(&port->pack_timer,\n'),
        breaks="the packing time counts from the first byte, not the last",
        vm=["packing_test.py::time_counted_from_the_last_byte"],
    ),
    Mutant(
        name="config-auto-8-chars",
        file="kernel/pack.c",
        orig='\t\t   max_t(u64, 4 * char_ns, SERNET_PACK_AUTO_MIN_NS));\n',
        repl='\t\t   max_t(u64, 8 * char_ns, SERNET_PACK_AUTO_MIN_NS));\n',
        breaks="the automatic packing time is 8 character times",
        vm=['packing_test.py::automatic_time_at_1200_baud', 'packing_test.py::automatic_time_at_600_baud'],
    ),
    # --- issue 11: each undoes a fix; the test build's hooks reach it ----
    Mutant(
        name="ldisc-start-beside-running",
        file="kernel/port.c",
        orig="\terr = port->xport ? 0 : sernet_xport_start(port);",
        repl="\terr = sernet_xport_start(port);",
        breaks="a SET right after the attach and the attach both start one",
        vm=[FA + "set_while_a_new_port_is_announced"],
    ),
    Mutant(
        name="tcpc-close-wait-ignored",
        file="kernel/tcp_client.c",
        orig="\tif (state == TCP_SYN_SENT)\n\t\treturn;\n",
        repl="\tif (state != TCP_ESTABLISHED && state != TCP_CLOSE)\n"
             "\t\treturn;\n",
        breaks="TCPC stays CONNECTING when the server closed at once",
        vm=[FA + "tcp_client_of_a_server_that_closes_at_once"],
    ),
    Mutant(
        name="pack-throttle-after-release",
        file="kernel/pack.c",
        orig="\t\tif (!stalled) {\n\t\t\ttty_unthrottle(tty);",
        repl="\t\tif (0) {\n\t\t\ttty_unthrottle(tty);",
        breaks="a drain before the throttle leaves RTS low for good",
        vm=["uart_8250_test.py::drained_before_the_throttle_is_unthrottled"],
    ),
    Mutant(
        name="pack-nomem-not-resumed",
        file="kernel/pack.c",
        orig="\t\tif (nomem)\n\t\t\tqueue_delayed_work",
        repl="\t\tif (0)\n\t\t\tqueue_delayed_work",
        breaks="serial input stalled by a failed allocation never resumes",
        vm=[FA + "no_page_for_serial_bytes_resumes"],
    ),
    Mutant(
        name="pack-timer-gives-up",
        file="kernel/pack.c",
        orig="\tif (left) {\n\t\thrtimer_forward_now",
        repl="\tif (0) {\n\t\thrtimer_forward_now",
        breaks="a packet the timer could not close waits for more bytes",
        vm=[FA + "no_memory_for_a_packet_resumes"],
    ),
    Mutant(
        name="netlink-net-moved-after-unlock",
        file="kernel/port.c",
        orig="\t\twrite_pnet(&port->net, &init_net);\n"
             "\t\tmutex_unlock(&port->lock);\n"
             "\t\tsernet_hook_delay(SERNET_HOOK_NET_EXIT);\n",
        repl="\t\tmutex_unlock(&port->lock);\n"
             "\t\tsernet_hook_delay(SERNET_HOOK_NET_EXIT);\n"
             "\t\twrite_pnet(&port->net, &init_net);\n",
        breaks="a restart makes its socket in the dying namespace",
        vm=[FA + "port_of_a_dying_netns_restarts_in_init_net"],
    ),
    Mutant(
        name="tcpc-short-trigger-discarded",
        file="kernel/tcp_client.c",
        orig="\tsernet_pack_no_peer(port, READ_ONCE(port->cfg.socksl));",
        repl="\tsernet_pack_no_peer(port, false);",
        breaks="SOCKSL with UARTCLBUF ON discards the data it connects for",
        vm=[CLI + "short_connection_sends_its_trigger_with_uartclbuf_on"],
    ),
    Mutant(
        name="ldisc-pty-master-attached",
        file="kernel/ldisc.c",
        orig="\t    tty->driver->subtype == PTY_TYPE_MASTER)\n\t\treturn -EINVAL;",
        repl="\t    tty->driver->subtype == PTY_TYPE_MASTER)\n\t\t(void)0;",
        breaks="attaching to a pty master warns (a panic on panic_on_warn)",
        vm=[FA + "pty_master_is_refused"],
    ),
    Mutant(
        name="config-failed-start-keeps-new",
        file="kernel/config.c",
        orig="\t\t\tsernet_settings_copy(&port->cfg, &old, restart);\n",
        repl="",
        breaks="a SET that cannot start keeps its new socket settings",
        vm=[FA + "set_whose_socket_cannot_start_changes_nothing"],
    ),
    Mutant(
        name="tcp-wake-on-every-ack",
        file="kernel/conn.c",
        orig="\tif (!sock || !__sk_stream_is_writeable(sk, 1))\n\t\treturn;\n"
             "\tclear_bit(SOCK_NOSPACE, &sock->flags);\n",
        repl="\t(void)sock;\n",
        breaks="every ACK to a slow reader wakes tx_work",
        vm=[FA + "slow_reader_wakes_tx_work_only_when_there_is_room"],
    ),
    Mutant(
        name="ldisc-hangup-keeps-ldisc",
        file="kernel/ldisc.c",
        orig="\ttty->termios.c_line = N_TTY;\n",
        repl="\t(void)tty;\n",
        breaks="a hung-up tty's next open makes a port with the defaults",
        vm=["uart_8250_test.py::hangup_ends_the_port_for_good"],
    ),
    Mutant(
        name="layer-to-serial-skipped",
        file="kernel/conn.c",
        orig="\t\txp->out.len = sernet_layers_to_serial(xp, xp->out.buf, n);",
        repl="\t\txp->out.len = n;",
        breaks="TCP data to the tty bypasses the protocol layers",
        vm=["layer_test.py::tcp_server_through_the_layer"],
    ),
    Mutant(
        name="layer-conn-down-unseen",
        file="kernel/conn.c",
        orig="\tsernet_layers_conn_down(xp, c);\n",
        repl="",
        breaks="a layer never hears that a connection ended",
        vm=["layer_test.py::tcp_server_through_the_layer"],
    ),
    Mutant(
        name="layer-chain-always-empty",
        file="kernel/layer.c",
        orig="\t\tif (!(*ops)->wanted(xp->port))\n",
        repl="\t\tif (true)\n",
        breaks="a layer the settings ask for is never in the chain",
        vm=["layer_test.py::udp_server_through_the_layer"],
    ),
    Mutant(
        name="rx-now-never",
        file="kernel/conn.c",
        orig="\ttcp_read_sock(sk, &desc, sernet_conn_rx_actor);\n\treturn desc.count;",
        repl="\treturn false;",
        breaks="network data always waits for rx_work (a hand-off a segment)",
        vm=[FA + "network_data_goes_to_the_tty_from_data_ready"],
    ),
    Mutant(
        name="tty-out-never-asks-wakeup",
        file="kernel/tty_out.c",
        orig="\t\tset_bit(TTY_DO_WRITE_WAKEUP, &tty->flags);\n",
        repl="",
        breaks="a full tty never wakes its writer: network data stalls",
        vm=[FA + "network_data_goes_to_the_tty_from_data_ready"],
    ),
    Mutant(
        name="tty-out-rest-dropped",
        file="kernel/tty_out.c",
        orig="\tif (src->off < src->len)\n\t\treturn false;\n",
        repl="",
        breaks="what a full tty did not take of network data is lost",
        vm=[SRV + "network_to_serial_stream"],
    ),
    Mutant(
        name="at-any-byte-answers",
        file="kernel/at.c",
        orig="\t\tif (!sernet_at_answer(cp[0])) {",
        repl="\t\tif (0) {",
        breaks="a wrong byte after 'a' enters command mode: '+++' and it are lost",
        vm=["at_test.py::wrong_byte_forwards_everything"],
    ),
    Mutant(
        name="at-held-network-data-stays",
        file="kernel/at.c",
        orig="if (mode == SERNET_PORT_MODE_WORK && sernet_xport_running(xp))",
        repl="if (mode == SERNET_PORT_MODE_COMMAND && sernet_xport_running(xp))",
        breaks="what the network sent in command mode is not delivered after",
        vm=["at_test.py::command_mode_lines_and_replies"],
    ),
    Mutant(
        name="at-agent-gone-command-stays",
        file="kernel/at.c",
        orig="else if (!at->dead && at->mode == SERNET_PORT_MODE_COMMAND)",
        repl="else if (!at->dead && at->mode == SERNET_PORT_MODE_WORK)",
        breaks="a port in command mode whose agent died stays in it",
        vm=["at_test.py::agent_killed_in_command_mode"],
    ),
    Mutant(
        name="xport-buf-leaks",
        file="kernel/xport.c",
        orig="\tkfree(xp->out.buf);\n\tkfree(xp);\n",
        repl="\tkfree(xp);\n",
        breaks="each transport's network receive buffer is leaked when it closes",
        vm=["stress_test.py::kernel_memory_per_port_and_per_client"],
    ),
    # --- sernetd ---------------------------------------------------------------
    Mutant(
        name="rstim-bytes-ignored",
        file="userspace/sernetd/rstim.c",
        orig="!r->known || rx != r->rx) {",
        repl="!r->known) {",
        breaks="a port restarts every RSTIM seconds however much the network sends",
        host=["test_rstim"],
    ),
    Mutant(
        name="rstim-off-ignored",
        file="userspace/sernetd/rstim.c",
        orig="if (!rstim_s || !working",
        repl="if (!working",
        breaks="AT+RSTIM=0 restarts a port at once instead of never",
        host=["test_rstim"],
    ),
    Mutant(
        name="rstim-not-applied",
        file="userspace/sernetd/ports.c",
        orig="\t\tpush(a, p, 1);\n",
        repl="\t\tpush(a, p, 0);\n",
        breaks="a port idle for RSTIM seconds is told so in the log but not restarted",
        vm=["rstim_test.py::idle_port_restarted_busy_port_kept"],
    ),
    Mutant(
        name="rstim-set-live",
        file="userspace/sernetd/ports.c",
        orig="\tunsigned int s = a->rstim_s;\n",
        repl="\tunsigned int s = (unsigned int)strtoul(at_engine_get(a->e, \"RSTIM\", 0), NULL, 10);\n",
        breaks="AT+RSTIM takes effect at once, not at AT+Z",
        vm=["rstim_test.py::a_set_takes_effect_at_z"],
    ),
    Mutant(
        name="at-reld-ignores-user-defaults",
        file="userspace/sernetd/at.c",
        orig="\tr = at_store_read(e, dpath, NULL, NULL, 0);\n",
        repl="\tr = 0;\n",
        breaks="AT+RELD after AT+CFGTF restores the factory's defaults, not the user's",
        vm=["session_test.py::typed_session_udp_packing_cfgtf_reld"],
    ),
    Mutant(
        name="store-given-factory-dropped",
        file="userspace/sernetd/store.c",
        orig="if (!AT_SET(e, c, p) && !strcmp(AT_VAL(e, c, p), def))",
        repl="if (!strcmp(AT_VAL(e, c, p), def))",
        breaks="a factory value the user set is not saved: after a restart --wan no longer applies it",
        host=["test_store"],
    ),
    Mutant(
        name="store-temps-kept",
        file="userspace/sernetd/store.c",
        orig="\t\t\t\tunlink(g.gl_pathv[i]);\n",
        repl="\t\t\t\t(void)g.gl_pathv[i];\n",
        breaks="the temp files of saves cut short by a kill pile up beside the config",
        host=["test_store"],
        vm=["agent_test.py::kill_9_during_saves_leaves_a_readable_config"],
    ),
    Mutant(
        name="sys-wann-always-static",
        file="userspace/sernetd/sys.c",
        orig="\t\t\tmode = \"DHCP\";\n",
        repl="\t\t\tmode = \"STATIC\";\n",
        breaks="AT+WANN answers STATIC for an address a DHCP client set",
        vm=["agent_test.py::mac_wann_dns_of_the_route_interface"],
    ),
    # --- the longest AT line and reply (at.c, netlink.c) ----------------------
    Mutant(
        name="at-line-max-off-by-one",
        file="kernel/at.c",
        orig="SERNET_AT_LINE_MAX, &n)",
        repl="SERNET_AT_LINE_MAX - 1, &n)",
        breaks="a command line of exactly 1024 bytes is cut as overlong",
        vm=["at_test.py::line_and_reply_length_limits"],
    ),
    Mutant(
        name="netlink-at-reply-past-max",
        file="kernel/netlink.c",
        orig=".len = SERNET_AT_REPLY_MAX },",
        repl=".len = 2 * SERNET_AT_REPLY_MAX },",
        breaks="an AT_REPLY longer than SERNET_AT_REPLY_MAX is written to the tty",
        vm=["at_test.py::line_and_reply_length_limits"],
    ),
    # --- store.c: kill -9 during saves ----------------------------------------
    Mutant(
        name="store-save-in-place",
        file="userspace/sernetd/store.c",
        orig="\tfd = mkstemp(tmp);\n",
        repl="\tfd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);\n",
        breaks="the config is rewritten in place: a kill mid-save leaves it cut",
        vm=["agent_test.py::kill_9_during_saves_leaves_a_readable_config"],
    ),
    # --- wan.c: sernetd --wan applies WANN, DNS, USERMAC ----------------------
    Mutant(
        name="wan-old-address-kept",
        file="userspace/sernetd/wan.c",
        orig="\t\terr = rtnl_addr_delete(sk, ad, 0);\n",
        repl="\t\terr = 0;\n",
        breaks="AT+WANN=STATIC adds its address, the interface keeps its others",
        vm=["wan_test.py::static_applied_on_restart_and_at_start"],
    ),
    Mutant(
        name="wan-default-route-not-set",
        file="userspace/sernetd/wan.c",
        orig="err = rtnl_route_add(sk, rt, NLM_F_REPLACE);",
        repl="err = 0;",
        breaks="AT+WANN=STATIC's gateway is not the default route",
        vm=["wan_test.py::static_applied_on_restart_and_at_start"],
    ),
    Mutant(
        name="wan-dns-not-first",
        file="userspace/sernetd/wan.c",
        orig='!strcmp(w, "nameserver")',
        repl='!strcmp(w, "nameserver:")',
        breaks="AT+DNS is appended after the file's nameservers, not the first",
        vm=["wan_test.py::dns_first_nameserver_other_lines_kept"],
    ),
    Mutant(
        name="wan-usermac-not-set",
        file="userspace/sernetd/wan.c",
        orig="\t\trtnl_link_set_addr(ch, ad);\n",
        repl="",
        breaks="AT+USERMAC then AT+Z leaves the link address as it was",
        vm=["wan_test.py::usermac_set_on_restart"],
    ),
    Mutant(
        name="wan-dhcp-static-kept",
        file="userspace/sernetd/wan.c",
        orig="\t\tremove_addrs(a, sk, rtnl_link_get_ifindex(link), NULL, 1);\n",
        repl="",
        breaks="AT+WANN=DHCP keeps the static address beside the DHCP client's",
        vm=["wan_test.py::dhcp_runs_the_command_static_removed"],
    ),
    Mutant(
        name="wan-factory-applied",
        file="userspace/sernetd/wan.c",
        orig="return at_engine_given(a->e, name, 0) ?",
        repl="return 1 ?",
        breaks="installing sernet with --wan applies the seed's 192.168.0.x WANN and DNS",
        vm=["wan_test.py::missing_interface_logged_agent_answers"],
    ),
]

# Killed too, but slower or like one above: run by name.
EXTRA = [
    Mutant(
        name="tcp-slow-client-kept",
        file="kernel/conn.c",
        orig=('if (!q || c->queued + pkt->len + SERNET_PKT_COST >\n'
              '\t\t  SERNET_CONN_QUEUE_MAX) {'),
        repl="if (!q) {",
        breaks="a client that lags is never dropped: its queue grows",
        vm=[SRV + "slow_client_dropped_others_continue"],
    ),
    Mutant(
        name="ldisc-no-write-wakeup",
        file="kernel/ldisc.c",
        orig="\t\tsernet_tty_out_wakeup(port);",
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
    Mutant(
        name="tcp-rx-buf-100",
        file="kernel/xport.h",
        orig="#define SERNET_NET_RX_BUF\t4096",
        repl="#define SERNET_NET_RX_BUF\t100",
        breaks="network to serial in 100-byte reads: clients' writes interleave",
        vm=[SRV + "clients_sending_at_once_stay_whole"],
    ),
    Mutant(
        name="tcp-accepts-one-per-round",
        file="kernel/tcp_server.c",
        orig="\twhile (!kernel_accept(s->lsock, &sock, O_NONBLOCK)) {",
        repl="\tfor (int once = 1; once-- && !kernel_accept(s->lsock, &sock, O_NONBLOCK);) {",
        breaks="a burst of connections: all but one wait in the backlog",
        vm=["stress_test.py::10000_connections_half_reset_while_data_flows_both_ways"],
        timeout=900,
    ),
    Mutant(
        name="udp-udpon-port-only",
        file="kernel/udp.c",
        orig="\t\t    (u->client && !READ_ONCE(port->cfg.udpon) &&\n",
        repl=('\t\t    (u->client &&\n'
              '\t\t     ((struct sockaddr_in *)&from)->sin_addr.s_addr !=\n'
              '\t\t     ((struct sockaddr_in *)&u->peer)->sin_addr.s_addr) ||\n'
              '\t\t    (u->client && !READ_ONCE(port->cfg.udpon) &&\n'),
        breaks="UDPON ON still refuses other addresses",
        vm=['udp_test.py::udp_client_filters_sources_unless_udpon'],
    ),
    Mutant(
        name="udp-server-first-peer-only",
        file="kernel/udp.c",
        orig=('\t\t\tmemcpy(&u->peer, &from, msg.msg_namelen);\n'
              '\t\t\tu->peer_len = msg.msg_namelen;\n'),
        repl=('\t\t\tif (first) {\n'
              '\t\t\t\tmemcpy(&u->peer, &from, msg.msg_namelen);\n'
              '\t\t\t\tu->peer_len = msg.msg_namelen;\n'
              '\t\t\t}\n'),
        breaks="UDPS answers the first sender for ever",
        vm=['udp_test.py::udp_server_answers_the_last_sender'],
    ),
    Mutant(
        name="udp-localport0-remote-port",
        file="kernel/udp.c",
        orig="\t\t\t\t       port->cfg.local_port, false, &u->sock);",
        repl=('\t\t\t\t       port->cfg.local_port ?: port->cfg.port,\n'
              '\t\t\t\t       false, &u->sock);'),
        breaks="UDPC with no local port binds the remote's port number",
        vm=['udp_test.py::udp_client_without_local_port'],
    ),
    Mutant(
        name="udp-bind-in-use-ignored",
        file="kernel/sock.c",
        orig=('\t\terr = kernel_bind(sock, (struct sockaddr *)&ss, len);\n'
              '\t\tif (err) {\n'),
        repl=('\t\terr = kernel_bind(sock, (struct sockaddr *)&ss, len);\n'
              '\t\tif (err && err != -EADDRINUSE) {\n'),
        breaks="a UDP port held by another socket is shown as up, never ERROR",
        vm=['udp_test.py::udp_bind_failure_is_an_error_that_retries', 'udp_test.py::udp_client_bind_failure_keeps_or_discards'],
    ),
    Mutant(
        name="udp-no-peer-discards",
        file="kernel/udp.c",
        orig=('\t\tsernet_pack_no_peer(port, false);\n'
             '\t\treturn;\n'),
        repl=('\t\twhile ((pkt = sernet_pkt_next(port))) {\n'
             '\t\t\tsernet_count(port, SERNET_STATS_DROP_NO_PEER, pkt->len);\n'
             '\t\t\tsernet_pkt_put(pkt);\n'
             '\t\t}\n'
             '\t\treturn;\n'),
        breaks="UDP discards what comes while no peer or socket, UARTCLBUF OFF too",
        vm=['udp_test.py::udp_server_answers_the_last_sender', 'udp_test.py::udp_client_bind_failure_keeps_or_discards'],
    ),
    Mutant(
        name="udp-server-merges-packets",
        file="kernel/udp.c",
        orig='\t\t\t.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL,\n',
        repl=('\t\t\t.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL |\n'
             '\t\t\t\t     (xp->proto == SERNET_PROTO_UDPS &&\n'
             '\t\t\t\t      sernet_pkts_pending(port) ? MSG_MORE : 0),\n'),
        breaks="UDPS sends waiting packets as one datagram",
        vm=['udp_test.py::udp_server_datagram_boundaries'],
    ),
    Mutant(
        name="udp-rx-truncates",
        file="kernel/udp.c",
        orig='\t\tif ((msg.msg_flags & MSG_TRUNC) ||\n',
        repl='\t\tif ((msg.msg_flags & 0) ||\n',
        breaks="a datagram longer than the buffer goes in part",
        vm=['udp_test.py::udp_server_datagram_boundaries'],
    ),
    Mutant(
        name="pack-clbuf-ignored",
        file="kernel/pack.c",
        orig='\tunsigned int keep = READ_ONCE(port->cfg.clbuf) ? 0 : SERNET_KEEP_BYTES;\n',
        repl='\tunsigned int keep = SERNET_KEEP_BYTES;\n',
        breaks="UARTCLBUF ON keeps data like OFF",
        vm=['udp_test.py::udp_server_uartclbuf_on_discards_until_a_peer', 'udp_test.py::udp_client_bind_failure_keeps_or_discards'],
    ),
    Mutant(
        name="pack-timer-quarter",
        file="kernel/pack.c",
        orig='\t\t\t      ns_to_ktime(sernet_pack_time_ns(port)),\n',
        repl='\t\t\t      ns_to_ktime(sernet_pack_time_ns(port) / 4),\n',
        breaks="the timer runs a quarter of the packing time",
        vm=['packing_test.py'],
    ),
    Mutant(
        name="config-auto-1-char",
        file="kernel/pack.c",
        orig='\t\t   max_t(u64, 4 * char_ns, SERNET_PACK_AUTO_MIN_NS));\n',
        repl='\t\t   max_t(u64, char_ns, SERNET_PACK_AUTO_MIN_NS));\n',
        breaks="the automatic packing time is 1 character time",
        vm=['packing_test.py::automatic_time_at_1200_baud', 'packing_test.py::automatic_time_at_600_baud'],
    ),
    Mutant(
        name="config-auto-data-bits",
        file="kernel/pack.c",
        orig='\tu64 char_ns = div_u64((u64)tty_get_frame_size(t->c_cflag) *\n',
        repl='\tu64 char_ns = div_u64((u64)tty_get_char_size(t->c_cflag) *\n',
        breaks="a character time counts data bits only",
        vm=['packing_test.py::automatic_time_at_1200_baud', 'packing_test.py::automatic_time_at_600_baud'],
    ),
    Mutant(
        name="config-len0-1024",
        file="kernel/pack.c",
        orig='\treturn READ_ONCE(port->cfg.pack_len) ?: SERNET_PACK_LEN_MAX;\n',
        repl='\treturn READ_ONCE(port->cfg.pack_len) ?: 1024;\n',
        breaks="packing length 0 means 1024",
        vm=['packing_test.py::length_0_is_1460'],
    ),
    Mutant(
        name="udp-close-leaks-socket",
        file="kernel/udp.c",
        orig="\tsernet_sock_close(to_udp(xp)->sock);",
        repl="\t(void)xp;",
        breaks="each UDP port's socket is leaked when it closes",
        vm=["stress_test.py::cycles_of_attach_traffic_and_every_ending"],
        timeout=900,
    ),
    Mutant(
        name="config-auto-no-floor",
        file="kernel/pack.c",
        orig="max_t(u64, 4 * char_ns, SERNET_PACK_AUTO_MIN_NS)",
        repl="4 * char_ns",
        breaks="the automatic packing time has no 100 us floor",
        vm=["config_test"],
    ),
    Mutant(
        name="pack-stall-drops-a-byte",
        file="kernel/pack.c",
        orig="\tstalled = true;\n\tclosed = true;\nout:",
        repl="\tstalled = true;\n\tclosed = true;\n\tdone += done < count;\nout:",
        breaks="a byte is lost each time the serial side is throttled",
        vm=["uart_8250_test.py::fc_holds_rts_and_loses_nothing"],
    ),
]

PENDING = [
    Mutant(
        name="rx-now-claims-whole-segment",
        file="kernel/conn.c",
        orig="\tsernet_hook_count(SERNET_HOOK_RX_NOW);\n\treturn n;",
        repl="\tsernet_hook_count(SERNET_HOOK_RX_NOW);\n\treturn len;",
        breaks="what a full tty did not take of a segment from data_ready is lost",
        # finding: network_data_goes_to_the_tty_from_data_ready fills the
        # pty with 64-byte segments, but the short write it needs (the tty
        # full inside data_ready, at most 4 KiB waiting) did not happen in
        # its run: a test must make the tty full exactly then (a delay hook
        # before the write, or a tty whose room the test sets)
        vm=[FA + "network_data_goes_to_the_tty_from_data_ready"],
    ),
    # Needs: a way to hold the agent's PORT_SET (a delay hook on the
    # module's SET) so that an answer before the push is seen every time;
    # the push takes less than sernetctl's exit, so it is seen done anyway.
    Mutant(
        name="ctl-answer-before-done",
        file="userspace/sernetd/sernetd.c",
        orig="\t\tafter(a, flags);\n\t\tif (write(c->fd, out, o) != (ssize_t)o ||\n\t\t    write(c->fd, \"\\n\", 1) != 1)\n\t\t\treturn -1;\n",
        repl="\t\tif (write(c->fd, out, o) != (ssize_t)o ||\n\t\t    write(c->fd, \"\\n\", 1) != 1)\n\t\t\treturn -1;\n\t\tafter(a, flags);\n",
        breaks="sernetctl at answers AT+Z before its pushes, a set before it is saved",
        vm=["agent_test.py::set_takes_effect_at_z"],
    ),
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
    # Needs: clients served in turn: while one client sends without a pause,
    # another's short message reaches the serial line within a bound (a few
    # of the first client's 4 KiB reads), not after the first one is done.
    Mutant(
        name="tcp-rx-always-first-client",
        file="kernel/conn.c",
        orig="struct list_head *pos = xp->rr ? &xp->rr->node : &xp->conns;",
        repl="struct list_head *pos = &xp->conns;",
        breaks="network to serial: the first client with data starves the rest",
        vm=[SRV + "clients_sending_at_once_stay_whole"],
    ),
]
