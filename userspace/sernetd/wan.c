// SPDX-License-Identifier: MIT
/*
 * sernetd with --wan IFNAME: the stored WANN, DNS and USERMAC applied to
 * that interface, at the agent's start and on AT+Z. Addresses, link and
 * routes through rtnetlink (libnl-route); DHCP by the --dhcp-cmd command;
 * DNS as the first nameserver line of the --resolv file. A step that fails
 * is logged and the others still run. Only values the user gave are
 * applied (the factory's too when given, never when merely the default).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include "at_int.h"
#include "sernetd.h"

/*
 * The stored value of a global command the user gave (a set, the config
 * file), or NULL: the factory's, never applied unless given
 */
static const char *set_value(struct agent *a, const char *name)
{
	return at_engine_given(a->e, name, 0) ?
	       at_engine_get(a->e, name, 0) : NULL;
}

static void fail(struct agent *a, const char *what, int err)
{
	logf_(LOG_ERR, "--wan %s: %s: %s", a->wan, what, nl_geterror(err));
}

/* Down, the new address, up again if it was; nothing if it has it */
static void apply_mac(struct agent *a, struct nl_sock *sk,
		      struct rtnl_link *link, const char *usermac)
{
	unsigned char mac[6];
	struct rtnl_link *ch = rtnl_link_alloc();
	struct nl_addr *ad, *now = rtnl_link_get_addr(link);
	int up = rtnl_link_get_flags(link) & IFF_UP, err = -NLE_NOMEM;

	for (int i = 0; i < 6; i++)
		sscanf(usermac + 2 * i, "%2hhx", &mac[i]);
	ad = nl_addr_build(AF_LLC, mac, sizeof(mac));
	if (ad && now && nl_addr_get_len(now) == sizeof(mac) &&
	    !memcmp(nl_addr_get_binary_addr(now), mac, sizeof(mac))) {
		err = 0;
	} else if (ch && ad) {
		rtnl_link_unset_flags(ch, IFF_UP);
		err = up ? rtnl_link_change(sk, link, ch, 0) : 0;
		rtnl_link_set_addr(ch, ad);
		if (!err)
			err = rtnl_link_change(sk, link, ch, 0);
		if (up) {
			rtnl_link_set_flags(ch, IFF_UP);
			if (rtnl_link_change(sk, link, ch, 0) && !err)
				err = -NLE_FAILURE;
		}
	}
	if (err)
		fail(a, "USERMAC", err);
	nl_addr_put(ad);
	rtnl_link_put(ch);
}

/*
 * Every IPv4 address of the interface but keep (NULL: every one) removed;
 * with only_static, only the permanent ones (a DHCP client's have a
 * lifetime). Returns whether keep is there.
 */
static int remove_addrs(struct agent *a, struct nl_sock *sk, int ifindex,
			struct nl_addr *keep, int only_static)
{
	struct nl_cache *cache;
	struct nl_object *o;
	int found = 0, err;

	err = rtnl_addr_alloc_cache(sk, &cache);
	if (err) {
		fail(a, "addresses", err);
		return 0;
	}
	for (o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *ad = (struct rtnl_addr *)o;

		if (rtnl_addr_get_ifindex(ad) != ifindex ||
		    rtnl_addr_get_family(ad) != AF_INET ||
		    (only_static && !(rtnl_addr_get_flags(ad) & IFA_F_PERMANENT)))
			continue;
		if (keep && !nl_addr_cmp(rtnl_addr_get_local(ad), keep)) {
			found = 1;
			continue;
		}
		err = rtnl_addr_delete(sk, ad, 0);
		if (err && err != -NLE_NOADDR)	/* a secondary goes with its primary */
			fail(a, "remove an address", err);
	}
	nl_cache_free(cache);
	return found;
}

static int prefix_of(struct in_addr mask)
{
	uint32_t m = ntohl(mask.s_addr);
	int n = 0;

	while (m & 0x80000000u) {
		m <<= 1;
		n++;
	}
	return m ? -1 : n;
}

/* ip/mask the only IPv4 address, the link up, the default route via gw */
static void apply_static(struct agent *a, struct nl_sock *sk,
			 struct rtnl_link *link, const char *ip,
			 const char *mask, const char *gw)
{
	int ifindex = rtnl_link_get_ifindex(link), plen, err;
	struct in_addr in, m, g;
	struct nl_addr *local = NULL, *dst = NULL, *via = NULL;
	struct rtnl_addr *ad = rtnl_addr_alloc();
	struct rtnl_link *ch = rtnl_link_alloc();
	struct rtnl_route *rt = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();

	if (!ad || !ch || !rt || !nh)
		goto out;
	inet_pton(AF_INET, ip, &in);
	inet_pton(AF_INET, mask, &m);
	inet_pton(AF_INET, gw, &g);
	plen = prefix_of(m);
	if (plen < 0) {
		logf_(LOG_ERR, "--wan %s: WANN: mask %s is not a prefix",
		      a->wan, mask);
	} else {
		local = nl_addr_build(AF_INET, &in, sizeof(in));
		if (local) {
			nl_addr_set_prefixlen(local, plen);
			if (!remove_addrs(a, sk, ifindex, local, 0)) {
				rtnl_addr_set_ifindex(ad, ifindex);
				rtnl_addr_set_local(ad, local);
				err = rtnl_addr_add(sk, ad, 0);
				if (err)
					fail(a, "WANN address", err);
			}
		}
	}
	rtnl_link_set_flags(ch, IFF_UP);
	err = rtnl_link_change(sk, link, ch, 0);
	if (err)
		fail(a, "set up", err);
	if (!g.s_addr)
		goto out;	/* 0.0.0.0: no default route */
	dst = nl_addr_build(AF_INET, &(struct in_addr){ 0 }, 4);
	via = nl_addr_build(AF_INET, &g, sizeof(g));
	if (!dst || !via)
		goto out;
	nl_addr_set_prefixlen(dst, 0);
	rtnl_route_set_family(rt, AF_INET);
	rtnl_route_set_dst(rt, dst);
	rtnl_route_set_table(rt, RT_TABLE_MAIN);
	rtnl_route_set_protocol(rt, RTPROT_STATIC);
	rtnl_route_nh_set_gateway(nh, via);
	rtnl_route_nh_set_ifindex(nh, ifindex);
	rtnl_route_add_nexthop(rt, nh);
	nh = NULL;	/* the route's now */
	err = rtnl_route_add(sk, rt, NLM_F_REPLACE);
	if (err)
		fail(a, "WANN default route", err);
out:
	if (nh)
		rtnl_route_nh_free(nh);
	rtnl_route_put(rt);
	rtnl_link_put(ch);
	rtnl_addr_put(ad);
	nl_addr_put(local);
	nl_addr_put(dst);
	nl_addr_put(via);
}

/* --dhcp-cmd with each %s the interface, by sh -c; not waited for */
static void run_dhcp(struct agent *a)
{
	char cmd[1024];
	size_t n = 0;
	pid_t pid;

	for (const char *p = a->dhcp_cmd; *p && n + IF_NAMESIZE < sizeof(cmd); p++) {
		if (p[0] == '%' && p[1] == 's') {
			n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, "%s", a->wan);
			p++;
		} else {
			cmd[n++] = *p;
		}
	}
	cmd[n] = 0;
	/* a grandchild runs it: the child is reaped at once, no zombie */
	pid = fork();
	if (!pid) {
		if (!fork()) {
			signal(SIGPIPE, SIG_DFL);	/* ignored here, not there */
			execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
			_exit(127);
		}
		_exit(0);
	}
	if (pid < 0)
		logf_(LOG_ERR, "--wan %s: DHCP: fork: %s", a->wan, strerror(errno));
	else
		waitpid(pid, NULL, 0);
	logf_(LOG_INFO, "--wan %s: DHCP: started '%s'", a->wan, cmd);
}

static int write_all(int fd, const char *s, size_t n)
{
	ssize_t w;

	for (; n; s += w, n -= (size_t)w) {
		w = write(fd, s, n);
		if (w < 0)
			return -1;
	}
	return 0;
}

/*
 * The first nameserver line of --resolv replaced by ns (added at the end
 * when there is none); the other lines kept. Atomic: temp, fsync, rename.
 */
static int write_resolv(const char *file, const char *ns)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8], line[512], first[64];
	FILE *in;
	int fd, done = 0, err = 0;

	if (!realpath(file, path))	/* a link: its target */
		snprintf(path, sizeof(path), "%s", file);
	snprintf(first, sizeof(first), "nameserver %s\n", ns);
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return -1;
	in = fopen(path, "r");
	while (in && !err && fgets(line, sizeof(line), in)) {
		char w[16];

		if (!done && sscanf(line, " %15s", w) == 1 &&
		    !strcmp(w, "nameserver")) {
			done = 1;
			err = write_all(fd, first, strlen(first));
		} else {
			err = write_all(fd, line, strlen(line));
		}
	}
	if (in)
		fclose(in);
	if (!err && !done)
		err = write_all(fd, first, strlen(first));
	if (!err)
		err = fchmod(fd, 0644) || fsync(fd);
	if (close(fd) && !err)
		err = -1;
	if (!err)
		err = rename(tmp, path);
	if (err)
		unlink(tmp);
	return err;
}

void wan_apply(struct agent *a)
{
	const char *wann = set_value(a, "WANN"), *dns = set_value(a, "DNS");
	const char *usermac = set_value(a, "USERMAC");
	char mode[8], ip[16], mask[16], gw[16];
	struct rtnl_link *link = NULL;
	struct nl_sock *sk;
	int err;

	if (!a->wan)
		return;
	if (dns && write_resolv(a->resolv, dns))
		logf_(LOG_ERR, "--wan %s: DNS: %s: %s", a->wan, a->resolv,
		      strerror(errno));
	sk = nl_socket_alloc();
	if (!sk || nl_connect(sk, NETLINK_ROUTE)) {
		logf_(LOG_ERR, "--wan %s: rtnetlink: cannot connect", a->wan);
		goto out;
	}
	err = rtnl_link_get_kernel(sk, 0, a->wan, &link);
	if (err) {
		fail(a, "the interface", err);
		goto out;
	}
	if (usermac)
		apply_mac(a, sk, link, usermac);
	if (!wann || sscanf(wann, "%7[^,],%15[^,],%15[^,],%15s", mode, ip, mask,
			    gw) != 4)
		goto out;
	if (!strcmp(mode, "DHCP")) {
		remove_addrs(a, sk, rtnl_link_get_ifindex(link), NULL, 1);
		run_dhcp(a);
	} else {
		apply_static(a, sk, link, ip, mask, gw);
	}
out:
	if (link)
		rtnl_link_put(link);
	nl_socket_free(sk);
}
