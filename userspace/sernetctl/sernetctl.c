// SPDX-License-Identifier: MIT
/* sernetctl: show and configure sernet ports from the shell. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "port.h"
#include "sernet_nl.h"

#ifndef SERNET_VERSION
#define SERNET_VERSION "unknown"
#endif

/* A range of the uapi header as text: R(SHORTO) is "2..255" */
#define STR(x) #x
#define XSTR(x) STR(x)
#define R(name) XSTR(SERNET_##name##_MIN) ".." XSTR(SERNET_##name##_MAX)

static const char usage[] =
	"Usage: sernetctl [--help] [--version] COMMAND [ARGS]\n"
	"\n"
	"Commands:\n"
	"  show [--json] [PORT]        list the ports of this network namespace,\n"
	"                              or every setting, counter and connection\n"
	"                              of one port\n"
	"  set PORT KEY VALUE ...      change settings at once, all or nothing\n"
	"  monitor                     print port, connection and mode (work,\n"
	"                              handshake, command) events as they\n"
	"                              happen, one line each, until killed\n"
	"  at [--control PATH] [LINE]  run an AT command line (or each line of\n"
	"                              stdin) through sernetd, print the answers\n"
	"                              (root only; default /run/sernet/control)\n"
	"\n"
	"PORT is sernetN, N or a tty name (ttyS1, /dev/ttyS1).\n"
	"\n"
	"Settings (names of the USR-K3 AT command parameters):\n"
	"  baud " R(BAUD) "    databits " R(DATABITS) "    stopbits "
	R(STOPBITS) "\n"
	"  parity NONE|EVEN|ODD|MARK|SPACE       flow NFC|FC (RTS/CTS)\n"
	"  packtime 0.." XSTR(SERNET_PACK_TIME_MAX) " (ms, 0 = 4 character times)\n"
	"  packlen 0.." XSTR(SERNET_PACK_LEN_MAX) " (bytes, 0 = "
	XSTR(SERNET_PACK_LEN_MAX) ")\n"
	"  uart BAUD,DATABITS,STOPBITS,PARITY,FLOW   as AT+UART\n"
	"  uarttl TIME,LENGTH                        as AT+UARTTL\n"
	"  uartclbuf ON|OFF     ON: discard serial data while no peer is there\n"
	"  protocol TCPS|TCPC|UDPS|UDPC   ip ADDRESS (IPv4 or IPv6, the remote\n"
	"                       of TCPC and UDPC)\n"
	"  port " XSTR(SERNET_PORT_MIN) "..65535 (local in servers, remote in clients; default 23)\n"
	"  localport 0..65535 (clients, 0 = any)   udpon ON|OFF (UDPC)\n"
	"  maxclients " R(MAX_CLIENTS) " (default 8)   full refuse|drop-oldest (TCPS)\n"
	"  socka PROTOCOL,IP,PORT                    as AT+SOCKA\n"
	"  socksl ON|OFF  shorto " R(SHORTO) " (s)  sockton " R(SOCKTON) " (s)   TCPC\n"
	"\n"
	"A port appears when the sernet line discipline is attached to a tty:\n"
	"  ldattach 29 /dev/ttyS1\n"
	"\n"
	"Exit status: 0 on success, 1 on an error, 2 on a usage error.\n";

/* "sernet3" or "3" gives 3; anything else is a tty name. */
static int parse_index(const char *s, uint32_t *index)
{
	char *end;
	unsigned long v;

	if (!strncmp(s, "sernet", 6))
		s += 6;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > UINT32_MAX)
		return -1;
	*index = (uint32_t)v;
	return 0;
}

static int find_port(struct sernet_nl *nl, const char *name,
		     struct sernet_port_info *port)
{
	struct sernet_port_list list = { 0 };
	char want[SERNET_TTY_NAME_MAX];
	uint32_t index;
	int err;

	if (!parse_index(name, &index)) {
		err = sernet_nl_get_port(nl, index, port);
		if (err == -ENODEV)
			fprintf(stderr, "sernetctl: %s: no such port\n", name);
		else if (err)
			fprintf(stderr, "sernetctl: %s: %s\n", name,
				nl->errmsg[0] ? nl->errmsg : strerror(-err));
		return err;
	}

	/* The kernel names /dev/pts/3 "pts3" and /dev/tty/x "ttyx". */
	if (!strncmp(name, "/dev/", 5))
		name += 5;
	snprintf(want, sizeof(want), "%s", name);
	for (char *r = want, *w = want;; r++) {
		if (*r != '/')
			*w++ = *r;
		if (!*r)
			break;
	}
	err = sernet_nl_dump_ports(nl, &list);
	if (err) {
		fprintf(stderr, "sernetctl: %s\n",
			nl->errmsg[0] ? nl->errmsg : strerror(-err));
		return err;
	}
	err = -ENODEV;
	for (size_t i = 0; i < list.count; i++) {
		if (!strcmp(list.ports[i].tty, want)) {
			*port = list.ports[i];
			err = 0;
			break;
		}
	}
	sernet_port_list_free(&list);
	if (err)
		fprintf(stderr, "sernetctl: %s: no such port\n", name);
	return err;
}

static int cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sernet_port_list list = { 0 }, clients = { 0 };
	struct sernet_port_info port;
	struct sernet_nl nlsock, *nl = &nlsock;
	int json = 0, c, err;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return 2;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "sernetctl: show takes at most one PORT\n");
		return 2;
	}

	if (sernet_nl_open(nl)) {
		fprintf(stderr, "sernetctl: %s\n", nl->errmsg);
		return 1;
	}
	err = sernet_nl_dump_clients(nl, &clients);
	if (err) {
		fprintf(stderr, "sernetctl: %s\n",
			nl->errmsg[0] ? nl->errmsg : strerror(-err));
		goto out;
	}
	if (optind < argc) {
		err = find_port(nl, argv[optind], &port);
		if (!err && !json)
			sernet_port_print_detail(stdout, &port, &clients);
		else if (!err)
			err = sernet_port_list_add(&list, &port);
		if (!err && !json)
			goto out;
	} else {
		err = sernet_nl_dump_ports(nl, &list);
		if (err)
			fprintf(stderr, "sernetctl: %s\n",
				nl->errmsg[0] ? nl->errmsg : strerror(-err));
	}
	if (!err) {
		if (json)
			err = sernet_port_print_json(stdout, &list, &clients);
		else
			sernet_port_print_table(stdout, &list);
	}
out:
	sernet_port_list_free(&list);
	sernet_port_list_free(&clients);
	sernet_nl_close(nl);
	if (fflush(stdout) == EOF)
		err = -errno;
	return err ? 1 : 0;
}

static int cmd_set(int argc, char **argv)
{
	struct sernet_port_info port;
	struct sernet_nl nl;
	struct sernet_set set;
	char err[160];
	int ret;

	if (argc < 2) {
		fprintf(stderr, "sernetctl: set PORT KEY VALUE ...\n");
		return 2;
	}
	if (sernet_set_parse(argc - 2, argv + 2, &set, err, sizeof(err))) {
		fprintf(stderr, "sernetctl: %s\n", err);
		return 2;
	}
	if (sernet_nl_open(&nl)) {
		fprintf(stderr, "sernetctl: %s\n", nl.errmsg);
		return 1;
	}
	ret = find_port(&nl, argv[1], &port);
	if (!ret) {
		ret = sernet_nl_set_port(&nl, port.index, &set);
		if (ret)
			fprintf(stderr, "sernetctl: %s: %s\n", argv[1],
				nl.errmsg[0] ? nl.errmsg : strerror(-ret));
	}
	sernet_nl_close(&nl);
	return ret ? 1 : 0;
}

static int monitor_cb(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct sernet_port_info port;
	const char *why;
	char line[256];

	(void)arg;
	if (sernet_port_parse(nlmsg_hdr(msg), &port, &why) ||
	    sernet_event_format(gh->cmd, &port, line, sizeof(line)))
		return NL_OK;	/* not ours to print */
	printf("%s\n", line);
	fflush(stdout);
	return NL_OK;
}

static int cmd_monitor(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int grp, err;

	if (!sk || genl_connect(sk)) {
		fprintf(stderr, "sernetctl: cannot open a netlink socket\n");
		nl_socket_free(sk);
		return 1;
	}
	grp = genl_ctrl_resolve_grp(sk, SERNET_GENL_NAME, SERNET_MCGRP_EVENTS);
	if (grp < 0 || nl_socket_add_membership(sk, grp)) {
		fprintf(stderr, "sernetctl: no sernet events group: is the sernet module loaded?\n");
		nl_socket_free(sk);
		return 1;
	}
	nl_socket_disable_seq_check(sk);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, monitor_cb, NULL);
	for (;;) {
		err = nl_recvmsgs_default(sk);
		if (err < 0 && err != -NLE_INTR && err != -NLE_AGAIN) {
			fprintf(stderr, "sernetctl: %s\n", nl_geterror(err));
			break;
		}
	}
	nl_socket_free(sk);
	return 1;
}

/* Send the line(s) to sernetd's control socket, print what it answers */
/* The agent may close first (a refused client): no SIGPIPE, the answer
 * it sent is still read */
static int send_line(int fd, const char *s, size_t len)
{
	return send(fd, s, len, MSG_NOSIGNAL) != (ssize_t)len;
}

static int cmd_at(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "control", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = "/run/sernet/control";
	char buf[4096];
	int c, fd, err = 0;
	ssize_t n;
	size_t len = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'C':
			path = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return 2;
		}
	}
	if (argc - optind > 1 || strlen(path) >= sizeof(sa.sun_path)) {
		fputs(usage, stderr);
		return 2;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "sernetctl: %s: %s (is sernetd running?)\n",
			path, strerror(errno));
		return 1;
	}
	if (optind < argc) {
		len = strlen(argv[optind]);
		err = send_line(fd, argv[optind], len) ||
		      send_line(fd, "\n", 1);
	} else {
		while (!err && fgets(buf, sizeof(buf), stdin)) {
			len = strlen(buf);
			err = send_line(fd, buf, len);
		}
		if (!err && len && buf[len - 1] != '\n')
			err = send_line(fd, "\n", 1);
	}
	shutdown(fd, SHUT_WR);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (!strncmp(buf, "ERROR:", 6))
			err = 1;
		fwrite(buf, 1, n, stdout);
	}
	close(fd);
	return err || n < 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'V':
			printf("sernetctl %s\n", SERNET_VERSION);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fputs(usage, stderr);
		return 2;
	}
	if (!strcmp(argv[optind], "show"))
		return cmd_show(argc - optind, argv + optind);
	if (!strcmp(argv[optind], "set"))
		return cmd_set(argc - optind, argv + optind);
	if (!strcmp(argv[optind], "monitor"))
		return cmd_monitor();
	if (!strcmp(argv[optind], "at"))
		return cmd_at(argc - optind, argv + optind);
	fprintf(stderr, "sernetctl: unknown command \"%s\"\n\n%s",
		argv[optind], usage);
	return 2;
}
