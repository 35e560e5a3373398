/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the sernet kselftests: ptys, the line discipline, sysfs and
 * netlink. Tests include this after kselftest_harness.h.
 */
#ifndef SERNET_TEST_H
#define SERNET_TEST_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <linux/sernet.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "port.h"
#include "sernet_nl.h"

#define SYSFS_CLASS "/sys/class/sernet"

static inline int sernet_ldisc_num(void)
{
	const char *s = getenv("SERNET_LDISC");

	return s ? atoi(s) : SERNET_LDISC_DEFAULT;
}

static inline int attach(int fd)
{
	int ld = sernet_ldisc_num();

	return ioctl(fd, TIOCSETD, &ld);
}

static inline int detach(int fd)
{
	int ld = N_TTY;

	return ioctl(fd, TIOCSETD, &ld);
}

/* A pty pair; *name is the kernel's name of the slave ("pts3"). */
static inline int open_pty(int *master, int *slave, char *name, size_t len)
{
	char path[64];
	int n;

	*master = posix_openpt(O_RDWR | O_NOCTTY);
	if (*master < 0 || grantpt(*master) || unlockpt(*master) ||
	    ptsname_r(*master, path, sizeof(path)))
		return -1;
	*slave = open(path, O_RDWR | O_NOCTTY);
	if (*slave < 0)
		return -1;
	if (sscanf(path, "/dev/pts/%d", &n) != 1)
		return -1;
	snprintf(name, len, "pts%d", n);
	return 0;
}

static inline int read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

static inline int port_attr(int index, const char *attr, char *buf,
			    size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), SYSFS_CLASS "/sernet%d/%s", index, attr);
	return read_file(path, buf, len);
}

static inline long long port_attr_ll(int index, const char *attr)
{
	char buf[64];

	if (port_attr(index, attr, buf, sizeof(buf)))
		return -1;
	return atoll(buf);
}

/* Index of the port attached to tty "name" per sysfs, or -1 */
static inline int sysfs_port_of(const char *name)
{
	struct dirent *de;
	int found = -1;
	DIR *d = opendir(SYSFS_CLASS);

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char buf[SERNET_TTY_NAME_MAX];
		int idx;

		if (sscanf(de->d_name, "sernet%d", &idx) != 1)
			continue;
		if (!port_attr(idx, "tty_name", buf, sizeof(buf)) &&
		    !strcmp(buf, name)) {
			found = idx;
			break;
		}
	}
	closedir(d);
	return found;
}

static inline int sysfs_port_count(void)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(SYSFS_CLASS);

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "sernet", 6))
			n++;
	closedir(d);
	return n;
}

static inline void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Poll cond every 10 ms for up to ms milliseconds. */
#define WAIT_FOR(cond, ms) ({						\
	int __left = (ms);						\
	bool __ok;							\
	while (!(__ok = (cond)) && __left > 0) {			\
		msleep(10);						\
		__left -= 10;						\
	}								\
	__ok;								\
})

/* Netlink: the port with tty "name" in this namespace's dump, or -1 */
static inline int nl_port_of(const char *name, struct sernet_port_info *out)
{
	struct sernet_port_list list = { 0 };
	struct sernet_nl nl;
	int found = -1;

	if (sernet_nl_open(&nl))
		return -1;
	if (!sernet_nl_dump_ports(&nl, &list)) {
		for (size_t i = 0; i < list.count; i++) {
			if (!strcmp(list.ports[i].tty, name)) {
				found = list.ports[i].index;
				if (out)
					*out = list.ports[i];
			}
		}
	}
	sernet_port_list_free(&list);
	sernet_nl_close(&nl);
	return found;
}

/* A socket on the events group, and the events read from it */
struct events {
	struct nl_sock *sk;
	uint8_t cmd;
	struct sernet_port_info port;
	bool got;
};

static int events_cb(struct nl_msg *msg, void *arg)
{
	struct events *ev = arg;
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	const char *why;

	if (!sernet_port_parse(nlmsg_hdr(msg), &ev->port, &why)) {
		ev->cmd = gh->cmd;
		ev->got = true;
	}
	return NL_OK;
}

static inline int events_open(struct events *ev)
{
	int grp;

	memset(ev, 0, sizeof(*ev));
	ev->sk = nl_socket_alloc();
	if (!ev->sk || genl_connect(ev->sk))
		return -1;
	grp = genl_ctrl_resolve_grp(ev->sk, SERNET_GENL_NAME,
				    SERNET_MCGRP_EVENTS);
	if (grp < 0 || nl_socket_add_membership(ev->sk, grp))
		return -1;
	nl_socket_disable_seq_check(ev->sk);
	nl_socket_modify_cb(ev->sk, NL_CB_VALID, NL_CB_CUSTOM, events_cb, ev);
	return 0;
}

static inline void events_close(struct events *ev)
{
	nl_socket_free(ev->sk);
	ev->sk = NULL;
}

/* Wait up to ms for an event cmd about tty "name"; true when it came. */
static inline bool events_wait(struct events *ev, uint8_t cmd,
			       const char *name, int ms)
{
	struct pollfd pfd = { .fd = nl_socket_get_fd(ev->sk),
			      .events = POLLIN };

	while (poll(&pfd, 1, ms) > 0) {
		ev->got = false;
		nl_recvmsgs_default(ev->sk);
		if (ev->got && ev->cmd == cmd && !strcmp(ev->port.tty, name))
			return true;
	}
	return false;
}

#endif
