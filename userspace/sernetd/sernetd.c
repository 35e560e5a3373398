// SPDX-License-Identifier: MIT
/*
 * sernetd: the sernet agent. One poll loop: the module's command lines
 * (SERNET_CMD_AT_LINE) and the local control socket's lines both go
 * through the AT engine; answers go back the way the line came.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <linux/sernet.h>

#include "sernetd.h"

#define CTL_MAX 8

static int foreground;
static volatile sig_atomic_t stop;

void logf_(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (foreground) {
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	} else {
		vsyslog(prio, fmt, ap);
	}
	va_end(ap);
}

static void report(void *priv, const char *path, unsigned int line,
		   const char *reason)
{
	(void)priv;
	logf_(LOG_WARNING, "%s:%u: %s", path, line, reason);
}

void save(struct agent *a)
{
	if (at_store_save(a->e, a->conf))
		logf_(LOG_ERR, "%s: cannot save: %s", a->conf, strerror(errno));
}

/* After an answer was written: a RELOAD is a store change like a SAVE */
static void after(struct agent *a, unsigned int flags)
{
	if (flags & (AT_F_SAVE | AT_F_RELOAD))
		save(a);
	if (flags & AT_F_RESTART) {
		wan_apply(a);
		ports_restart(a);
		search_open(a);
	}
}

static int on_msg(struct nl_msg *msg, void *arg)
{
	struct agent *a = arg;
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[SERNET_A_MAX + 1];
	static char line[SERNET_AT_LINE_MAX + 1], out[SERNET_AT_REPLY_MAX];
	unsigned int flags = 0;
	struct nl_msg *r;
	uint32_t idx;
	size_t len, n;

	if (g->cmd != SERNET_CMD_AT_LINE ||
	    genlmsg_parse(nlmsg_hdr(msg), 0, tb, SERNET_A_MAX, NULL) ||
	    !tb[SERNET_A_PORT_INDEX] || !tb[SERNET_A_AT_DATA])
		return NL_OK;
	idx = nla_get_u32(tb[SERNET_A_PORT_INDEX]);
	len = nla_len(tb[SERNET_A_AT_DATA]);
	if (len > SERNET_AT_LINE_MAX)
		len = SERNET_AT_LINE_MAX;
	memcpy(line, nla_data(tb[SERNET_A_AT_DATA]), len);
	line[len] = 0;
	n = at_engine_line(a->e, line, len, out, sizeof(out), &flags);
	r = nlmsg_alloc();
	if (!r)
		return NL_OK;
	if (!genlmsg_put(r, NL_AUTO_PORT, NL_AUTO_SEQ, a->family, 0, 0,
			 SERNET_CMD_AT_REPLY, SERNET_GENL_VERSION) ||
	    nla_put_u32(r, SERNET_A_PORT_INDEX, idx) ||
	    nla_put(r, SERNET_A_AT_DATA, n, out) ||
	    ((flags & (AT_F_LEAVE | AT_F_RESTART)) &&
	     nla_put_u8(r, SERNET_A_PORT_MODE, SERNET_PORT_MODE_WORK)) ||
	    nl_send_auto(a->sk, r) < 0)
		logf_(LOG_ERR, "port %u: cannot send the reply", idx);
	nlmsg_free(r);
	after(a, flags);
	return NL_OK;
}

static int nl_setup(struct agent *a)
{
	struct nl_msg *m;
	int err;

	a->sk = nl_socket_alloc();
	if (!a->sk || genl_connect(a->sk))
		return -1;
	a->family = genl_ctrl_resolve(a->sk, SERNET_GENL_NAME);
	if (a->family < 0) {
		logf_(LOG_ERR, "sernet module not loaded");
		return -1;
	}
	nl_socket_disable_seq_check(a->sk);
	nl_socket_modify_cb(a->sk, NL_CB_VALID, NL_CB_CUSTOM, on_msg, a);
	m = nlmsg_alloc();
	if (!m)
		return -1;
	genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, a->family, 0, 0,
		    SERNET_CMD_AGENT_REGISTER, SERNET_GENL_VERSION);
	err = nl_send_sync(a->sk, m);
	if (err) {
		logf_(LOG_ERR, "cannot register as the agent: %s",
		      nl_geterror(err));
		return -1;
	}
	nl_socket_set_nonblocking(a->sk);
	return 0;
}

/*
 * Bound under a temp name and renamed once it listens: a client that sees
 * the path can connect (bound but not yet listening, it would be refused)
 */
static int ctl_listen(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s.new", path) >=
	    (int)sizeof(sa.sun_path))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	unlink(sa.sun_path);
	umask(077);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    chmod(sa.sun_path, 0600) || listen(fd, 4) ||
	    rename(sa.sun_path, path)) {
		unlink(sa.sun_path);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * A client's bytes: each complete line is answered at once (the engine's
 * answer, then "\n"); a line longer than the buffer closes the client.
 */
struct ctl {
	int fd;
	size_t len;
	char buf[SERNET_AT_LINE_MAX + 2];
};

static void ctl_accept(int lfd, struct ctl *ctl)
{
	struct ucred cr;
	socklen_t l = sizeof(cr);
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC), i;
	static const char deny[] = "ERROR: permission denied (root only)\n";

	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &l) || cr.uid) {
		if (write(fd, deny, sizeof(deny) - 1) < 0)
			(void)0;
		close(fd);
		return;
	}
	for (i = 0; i < CTL_MAX; i++)
		if (ctl[i].fd < 0) {
			ctl[i].fd = fd;
			ctl[i].len = 0;
			return;
		}
	close(fd);
}

static int ctl_read(struct agent *a, struct ctl *c)
{
	static char out[SERNET_AT_REPLY_MAX];
	unsigned int flags;
	ssize_t n = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
	size_t len, o;
	char *p, *s = c->buf;

	if (n <= 0)
		return -1;
	c->len += n;
	c->buf[c->len] = 0;
	while ((p = memchr(s, '\n', c->buf + c->len - s))) {
		*p = 0;
		len = p - s;
		if (len && s[len - 1] == '\r')
			s[--len] = 0;
		flags = 0;
		o = at_engine_line(a->e, s, len, out, sizeof(out), &flags);
		/* answered once done: saved, and AT+Z's restart made */
		after(a, flags);
		if (write(c->fd, out, o) != (ssize_t)o ||
		    write(c->fd, "\n", 1) != 1)
			return -1;
		s = p + 1;
	}
	c->len -= s - c->buf;
	memmove(c->buf, s, c->len);
	return c->len == sizeof(c->buf) - 1 ? -1 : 0;
}

/* The monotonic clock in RSTIM's milliseconds (second_ms real ones each) */
static int64_t rstim_now(const struct agent *a)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return ((int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000) * 1000 /
	       a->second_ms;
}

static void on_sig(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fputs("usage: sernetd [-f] [-c FILE] [--wan IFNAME] [--dhcp-cmd CMD]\n"
	      "               [--resolv FILE] [--control PATH]\n"
	      "The sernet agent: answers the AT command lines of ports in\n"
	      "command mode and of `sernetctl at`, keeps the config file.\n"
	      "  -c, --config FILE   config file (default /etc/sernet/sernet.conf)\n"
	      "  -f, --foreground    stay in the foreground, log to stderr\n"
	      "                      (default: daemonise, log to syslog)\n"
	      "  --wan IFNAME        the network interface the agent may change:\n"
	      "                      WANN, DNS, USERMAC applied to it at the start\n"
	      "                      and on AT+Z (without: their sets answer -5)\n"
	      "  --dhcp-cmd CMD      with --wan, WANN=DHCP runs sh -c CMD, each %s\n"
	      "                      the interface (default 'dhclient -1 %s')\n"
	      "  --resolv FILE       with --wan, DNS is its first nameserver line\n"
	      "                      (default /etc/resolv.conf)\n"
	      "  --control PATH      control socket (default /run/sernet/control)\n"
	      "  -h, --help          this text\n", f);
}

static void notify_ready(void)
{
	const char *p = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (!p || (*p != '/' && *p != '@') || strlen(p) >= sizeof(sa.sun_path))
		return;
	strcpy(sa.sun_path, p);
	if (*p == '@')
		sa.sun_path[0] = 0;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, "READY=1", 7, 0, (struct sockaddr *)&sa,
		   offsetof(struct sockaddr_un, sun_path) + strlen(p)) < 0)
		logf_(LOG_WARNING, "NOTIFY_SOCKET: %s", strerror(errno));
	close(fd);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "wan", required_argument, NULL, 'w' },
		{ "control", required_argument, NULL, 'C' },
		{ "dhcp-cmd", required_argument, NULL, 'D' },
		{ "resolv", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static const struct at_ops ops = { sys_query, sys_action };
	struct agent a = { .conf = "/etc/sernet/sernet.conf", .search_fd = -1,
			   .dhcp_cmd = "dhclient -1 %s",
			   .resolv = "/etc/resolv.conf" };
	const char *control = "/run/sernet/control";
	const char *sec = getenv("SERNETD_SECOND_MS");
	int64_t tick = 0, now;
	static struct ctl ctl[CTL_MAX];
	int lfd, c, i, rc = 1;
	struct pollfd pf[CTL_MAX + 4];

	while ((c = getopt_long(argc, argv, "c:fh", lo, NULL)) != -1) {
		switch (c) {
		case 'c': a.conf = optarg; break;
		case 'f': foreground = 1; break;
		case 'w': a.wan = optarg; break;
		case 'C': control = optarg; break;
		case 'D': a.dhcp_cmd = optarg; break;
		case 'R': a.resolv = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (!foreground)
		openlog("sernetd", LOG_PID, LOG_DAEMON);
	a.e = at_engine_new(&ops, &a);
	if (!a.e)
		return 1;
	at_engine_set_path(a.e, a.conf);
	if (at_store_load(a.e, a.conf, report, &a))
		logf_(LOG_ERR, "%s: %s", a.conf, strerror(errno));
	if (nl_setup(&a) || ports_start(&a))
		goto out;
	wan_apply(&a);
	search_open(&a);
	lfd = ctl_listen(control);
	if (lfd < 0) {
		logf_(LOG_ERR, "%s: %s", control, strerror(errno));
		goto out;
	}
	if (!foreground && daemon(0, 0)) {
		logf_(LOG_ERR, "daemon: %s", strerror(errno));
		goto out;
	}
	signal(SIGTERM, on_sig);
	signal(SIGINT, on_sig);
	signal(SIGPIPE, SIG_IGN);
	notify_ready();
	for (i = 0; i < CTL_MAX; i++)
		ctl[i].fd = -1;
	/* for tests only: RSTIM's 60 s in less time */
	a.second_ms = sec && atoi(sec) > 0 ? (unsigned int)atoi(sec) : 1000;
	while (!stop) {
		now = rstim_now(&a);
		if (now >= tick) {
			ports_tick(&a, now);
			tick = now + 1000;
		}
		pf[0] = (struct pollfd){ nl_socket_get_fd(a.sk), POLLIN, 0 };
		pf[1] = (struct pollfd){ lfd, POLLIN, 0 };
		for (i = 0; i < CTL_MAX; i++)
			pf[i + 2] = (struct pollfd){ ctl[i].fd, POLLIN, 0 };
		pf[CTL_MAX + 2] = (struct pollfd){ nl_socket_get_fd(a.ev),
						   POLLIN, 0 };
		pf[CTL_MAX + 3] = (struct pollfd){ a.search_fd, POLLIN, 0 };
		if (poll(pf, CTL_MAX + 4,
			 (int)((tick - now) * a.second_ms / 1000) + 1) < 0)
			continue;
		if (pf[CTL_MAX + 3].revents)
			search_read(&a);
		if (pf[CTL_MAX + 2].revents)
			nl_recvmsgs_default(a.ev);
		if (pf[0].revents)
			nl_recvmsgs_default(a.sk);
		if (pf[1].revents)
			ctl_accept(lfd, ctl);
		for (i = 0; i < CTL_MAX; i++)
			if (ctl[i].fd >= 0 && pf[i + 2].revents &&
			    ctl_read(&a, &ctl[i])) {
				close(ctl[i].fd);
				ctl[i].fd = -1;
			}
	}
	for (i = 0; i < CTL_MAX; i++)
		if (ctl[i].fd >= 0)
			close(ctl[i].fd);
	close(lfd);
	unlink(control);
	rc = 0;
out:
	if (a.sk)
		nl_socket_free(a.sk);
	if (a.ev)
		nl_socket_free(a.ev);
	sernet_nl_close(&a.req);
	if (a.search_fd >= 0)
		close(a.search_fd);
	at_engine_free(a.e);
	return rc;
}
