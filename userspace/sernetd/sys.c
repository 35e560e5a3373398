// SPDX-License-Identifier: MIT
/*
 * sernetd's system commands: the live values (VER, PDTIME, MAC, WANN, DNS,
 * SOCKLKA), the actions (USERMAC, WANN, DNS: only with --wan, applied by
 * wan.c; PING1) and the SEARCH responder of PROTOCOLS.md section 4.
 */
#include <errno.h>
#include <ctype.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <sys/socket.h>

#include <linux/if_addr.h>
#include <netlink/route/addr.h>

#include "sernetd.h"

#define PING_MS 3000

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -1;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	buf[strcspn(buf, "\r\n")] = 0;
	return 0;
}

/* The interface of the first default route and its gateway */
static int route_if(char *ifname, struct in_addr *gw)
{
	unsigned int dst, gwx, flags, mask;
	char line[256], name[IF_NAMESIZE];
	FILE *f = fopen("/proc/net/route", "r");
	int found = -1;

	if (!f)
		return -1;
	while (found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%15s %x %x %x %*d %*d %*d %x", name, &dst,
			   &gwx, &flags, &mask) == 5 &&
		    !dst && !mask && (flags & 1)) {	/* RTF_UP */
			snprintf(ifname, IF_NAMESIZE, "%s", name);
			gw->s_addr = gwx;	/* in network order already */
			found = 0;
		}
	fclose(f);
	return found;
}

/* The interface the agent reports: --wan, else the default route's */
static int wan_if(struct agent *a, char *ifname, struct in_addr *gw)
{
	gw->s_addr = 0;
	if (!a->wan)
		return route_if(ifname, gw);
	snprintf(ifname, IF_NAMESIZE, "%s", a->wan);
	return 0;
}

/* 12 upper-case hex digits, from /sys/class/net/IF/address */
static int mac_of(const char *ifname, char *out, size_t outsz)
{
	char path[64], buf[64];
	size_t n = 0;

	snprintf(path, sizeof(path), "/sys/class/net/%s/address", ifname);
	if (read_line(path, buf, sizeof(buf)))
		return AT_EPERM;
	for (const char *p = buf; *p && n + 1 < outsz; p++)
		if (isxdigit((unsigned char)*p))
			out[n++] = (char)toupper((unsigned char)*p);
	out[n] = 0;
	return n == 12 ? AT_OK : AT_EPERM;
}

/*
 * Mode, address, mask and gateway of the default-route interface, its
 * first IPv4 address over rtnetlink: DHCP when that address has a lifetime
 * (what DHCP clients give, IFA_F_PERMANENT unset), else STATIC.
 */
static int wann(char *out, size_t outsz)
{
	char ifname[IF_NAMESIZE], ip[16] = "0.0.0.0", mask[16] = "0.0.0.0";
	char gws[16] = "0.0.0.0";
	const char *mode = "STATIC";
	struct nl_sock *sk = NULL;
	struct nl_cache *cache;
	struct nl_object *o;
	struct in_addr gw, m;
	int ifindex;

	if (route_if(ifname, &gw))
		goto out;
	inet_ntop(AF_INET, &gw, gws, sizeof(gws));
	ifindex = (int)if_nametoindex(ifname);
	sk = nl_socket_alloc();
	if (!ifindex || !sk || nl_connect(sk, NETLINK_ROUTE) ||
	    rtnl_addr_alloc_cache(sk, &cache))
		goto out;
	for (o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *ad = (struct rtnl_addr *)o;
		struct nl_addr *l = rtnl_addr_get_local(ad);
		int len = rtnl_addr_get_prefixlen(ad);

		if (rtnl_addr_get_ifindex(ad) != ifindex ||
		    rtnl_addr_get_family(ad) != AF_INET || !l ||
		    nl_addr_get_len(l) != 4)
			continue;
		inet_ntop(AF_INET, nl_addr_get_binary_addr(l), ip, sizeof(ip));
		m.s_addr = htonl(len ? ~0u << (32 - len) : 0);
		inet_ntop(AF_INET, &m, mask, sizeof(mask));
		if (!(rtnl_addr_get_flags(ad) & IFA_F_PERMANENT))
			mode = "DHCP";
		break;
	}
	nl_cache_free(cache);
out:
	nl_socket_free(sk);
	snprintf(out, outsz, "%s,%s,%s,%s", mode, ip, mask, gws);
	return AT_OK;
}

/* The first IPv4 nameserver of /etc/resolv.conf */
static int dns(char *out, size_t outsz)
{
	FILE *f = fopen("/etc/resolv.conf", "r");
	char line[256], addr[64];
	struct in_addr in;

	snprintf(out, outsz, "0.0.0.0");
	if (!f)
		return AT_OK;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " nameserver %63s", addr) == 1 &&
		    inet_pton(AF_INET, addr, &in) == 1) {
			snprintf(out, outsz, "%s", addr);
			break;
		}
	fclose(f);
	return AT_OK;
}

/* The build's date, YYYY-MM-DD, from __DATE__ ("Dec  2 2026") */
static void build_date(char *out, size_t outsz)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char *m = strstr(months, (char[4]){ __DATE__[0], __DATE__[1],
						 __DATE__[2], 0 });

	snprintf(out, outsz, "%.4s-%02d-%02d", __DATE__ + 7,
		 m ? (int)(m - months) / 3 + 1 : 0, atoi(__DATE__ + 4));
}

int sys_query(void *priv, const char *name, int port, char *out, size_t outsz)
{
	struct agent *a = priv;
	char ifname[IF_NAMESIZE], mod[64];
	struct in_addr gw;

	if (!strcmp(name, "VER")) {
		if (read_line("/sys/module/sernet/version", mod, sizeof(mod)))
			snprintf(mod, sizeof(mod), "unknown");
		snprintf(out, outsz, "sernetd %s, module %s", SERNET_VERSION,
			 mod);
		return AT_OK;
	}
	if (!strcmp(name, "PDTIME")) {
		build_date(out, outsz);
		return AT_OK;
	}
	if (!strcmp(name, "MAC"))
		return wan_if(a, ifname, &gw) ? AT_EPERM :
		       mac_of(ifname, out, outsz);
	if (!strcmp(name, "SOCKLKA"))
		return ports_status(a, port, out, outsz);
	if (a->wan)	/* WANN, DNS: the stored values */
		return AT_EPERM;
	if (!strcmp(name, "WANN"))
		return wann(out, outsz);
	if (!strcmp(name, "DNS"))
		return dns(out, outsz);
	return AT_EPERM;
}

static uint16_t csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/*
 * One echo request to host, an answer within PING_MS: an unprivileged ping
 * socket, or a raw one (root, when ping_group_range leaves it out). Blocks
 * the loop for up to PING_MS.
 */
static int ping(const char *host)
{
	struct addrinfo hints = { .ai_family = AF_INET }, *ai;
	struct icmphdr req = { .type = ICMP_ECHO }, *rep;
	uint16_t id = (uint16_t)getpid();
	int fd, raw = 0, ok = 0, left = PING_MS;
	struct timespec t0, t1;
	uint8_t buf[1500];
	ssize_t n;

	if (getaddrinfo(host, NULL, &hints, &ai))
		return 0;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (fd < 0) {
		fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
		raw = 1;
	}
	req.un.echo.id = htons(id);
	req.un.echo.sequence = htons(1);
	req.checksum = csum(&req, sizeof(req));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (fd < 0 || sendto(fd, &req, sizeof(req), 0, ai->ai_addr,
			     ai->ai_addrlen) < 0)
		left = 0;
	while (!ok && left > 0 &&
	       poll(&(struct pollfd){ fd, POLLIN, 0 }, 1, left) > 0) {
		n = recv(fd, buf, sizeof(buf), 0);
		/* a raw socket gets the IP header and every ICMP message */
		rep = (struct icmphdr *)(raw && n > 0 ? buf + (buf[0] & 15) * 4 : buf);
		ok = n >= (ssize_t)sizeof(*rep) + ((uint8_t *)rep - buf) &&
		     rep->type == ICMP_ECHOREPLY &&
		     (!raw || rep->un.echo.id == htons(id));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		left = PING_MS - (int)((t1.tv_sec - t0.tv_sec) * 1000 +
				       (t1.tv_nsec - t0.tv_nsec) / 1000000);
	}
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return ok;
}

int sys_action(void *priv, const char *name, int port, const char *params,
	       char *out, size_t outsz)
{
	struct agent *a = priv;

	(void)port;
	if (!strcmp(name, "PING1")) {
		snprintf(out, outsz, "%s", ping(params) ? "SUCCESS" : "TIMEOUT");
		return AT_OK;
	}
	/* USERMAC, WANN, DNS change the board: only on --wan's interface */
	if (!a->wan)
		return AT_EPERM;
	/* USERMAC: stored by the engine, applied at the next restart */
	if (!strcmp(name, "USERMAC") &&
	    (strtol((char[3]){ params[0], params[1], 0 }, NULL, 16) & 1 ||
	     !strcmp(params, "000000000000")))
		return AT_EPARAM;	/* multicast or zero */
	out[0] = 0;
	return AT_OK;
}

/* The SEARCH responder: bound to the stored port, if that changed */
void search_open(struct agent *a)
{
	const char *v = at_engine_get(a->e, "SEARCH", 0);
	struct sockaddr_in sa = { .sin_family = AF_INET };
	unsigned int port;
	int one = 1, fd;
	char kw[64];

	if (!v || sscanf(v, "%u,%63s", &port, kw) != 2)
		return;
	snprintf(a->search_kw, sizeof(a->search_kw), "%s", kw);
	if (a->search_fd >= 0 && a->search_port == port)
		return;
	sa.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		logf_(LOG_ERR, "SEARCH: cannot bind UDP port %u: %s", port,
		      strerror(errno));
		if (fd >= 0)
			close(fd);
		return;	/* the old socket, if any, keeps answering */
	}
	if (a->search_fd >= 0)
		close(a->search_fd);
	a->search_fd = fd;
	a->search_port = port;
}

/* A datagram equal to the keyword gets "IP,MAC,MID" back */
void search_read(struct agent *a)
{
	char buf[256], cbuf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	char ifname[IF_NAMESIZE], ip[16], mac[16], reply[128];
	struct sockaddr_in from;
	struct iovec iov = { buf, sizeof(buf) - 1 };
	struct msghdr mh = {
		.msg_name = &from, .msg_namelen = sizeof(from),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct in_pktinfo *pi = NULL;
	struct cmsghdr *c;
	ssize_t n = recvmsg(a->search_fd, &mh, 0);

	if (n < 0)
		return;
	buf[n] = 0;
	if ((size_t)n != strlen(buf) || strcasecmp(buf, a->search_kw))
		return;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
			pi = (struct in_pktinfo *)CMSG_DATA(c);
	if (!pi || !if_indextoname((unsigned int)pi->ipi_ifindex, ifname) ||
	    mac_of(ifname, mac, sizeof(mac)))
		return;
	inet_ntop(AF_INET, &pi->ipi_spec_dst, ip, sizeof(ip));
	n = snprintf(reply, sizeof(reply), "%s,%s,%s", ip, mac,
		     at_engine_get(a->e, "MID", 0));
	if (sendto(a->search_fd, reply, (size_t)n, 0, (struct sockaddr *)&from,
		   sizeof(from)) < 0)
		logf_(LOG_WARNING, "SEARCH: reply: %s", strerror(errno));
}
