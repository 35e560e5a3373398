// SPDX-License-Identifier: GPL-2.0
/*
 * sernet: hostile netlink requests, and the callers that may not change a
 * port.
 *
 * Requests are built by hand on a plain NETLINK_GENERIC socket, so that
 * they can be anything libnl would never build: wrong sizes, unknown and
 * read-only attributes, values beyond every range, broken headers, lying
 * lengths, commands only the kernel sends, 64 KiB messages, many requests
 * in one datagram. Each refusal is checked for its errno and extended ack
 * (message, offending attribute, allowed range), and the port for an
 * unchanged configuration (every attribute of a GET, every sysfs file)
 * and a listener that still carries data. Then the callers: without
 * CAP_NET_ADMIN, as nobody, as root of a user namespace, from another
 * network namespace (Documentation/security.md).
 *
 * Runs inside the test VM (tools/vm/run) with the module loaded, as root.
 * The port is a TCP server on a free port; tests dial 127.0.0.1 only.
 */
#include <arpa/inet.h>
#include <grp.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "kselftest_harness.h"
#include "sernet_test.h"

#define RBUF_SIZE	(256 * 1024)
#define QBUF_SIZE	(80 * 1024)
#define ANSWER_MS	2000
/* how long a request the kernel drops is given to be answered anyway */
#define SILENCE_MS	300

#define N(x) (sizeof(x) / sizeof((x)[0]))

/* A NETLINK_GENERIC socket that speaks bytes, not libnl */
struct raw {
	int fd;
	uint16_t family;	/* the "sernet" family's id */
	uint32_t events;	/* its "events" group */
	uint32_t seq;
	uint8_t *rbuf;
	bool unaddressed;	/* send(2), not sendto(2) with the kernel's address */
};

/* Requests being built: whole messages, then the one at msg */
struct req {
	uint8_t *buf;
	size_t len;
	size_t msg;
};

/* What came back for one request */
struct answer {
	bool done;		/* its NLMSG_ERROR or NLMSG_DONE came */
	int err;		/* that message's error: 0 or -errno */
	char msg[256];		/* NLMSGERR_ATTR_MSG, or "" */
	long offs;		/* NLMSGERR_ATTR_OFFS, or -1 */
	long miss;		/* NLMSGERR_ATTR_MISS_TYPE, or -1 */
	long long lo, hi;	/* the range in NLMSGERR_ATTR_POLICY, or -1 */
	int ndata;		/* data messages before the end */
	int nidx;
	uint32_t idx[64];	/* their SERNET_A_PORT_INDEX */
	char peer[64];		/* the last SERNET_A_PEER among them */
	uint8_t first[8192];	/* the attributes of the first one */
	size_t first_len;
	int stray;		/* messages of another sequence number */
};

#define RATTR_DATA(a)	((uint8_t *)(a) + NLA_HDRLEN)
#define RATTR_LEN(a)	((size_t)(a)->nla_len - NLA_HDRLEN)

/* The attribute of type (flags ignored) among len bytes, or NULL */
static const struct nlattr *rattr_find(const void *head, size_t len,
				       uint16_t type)
{
	size_t off = 0;

	while (off + NLA_HDRLEN <= len) {
		const struct nlattr *a = (const void *)((uint8_t *)head + off);

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > len)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		off += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}

static uint64_t rattr_uint(const struct nlattr *a)
{
	uint64_t v = 0;

	memcpy(&v, RATTR_DATA(a), RATTR_LEN(a) < 8 ? RATTR_LEN(a) : 8);
	return v;
}

static int req_init(struct req *q)
{
	q->buf = calloc(1, QBUF_SIZE);
	q->len = q->msg = 0;
	return q->buf ? 0 : -1;
}

static struct nlmsghdr *req_nlh(struct req *q)
{
	return (struct nlmsghdr *)(q->buf + q->msg);
}

/* Start a message: nlmsg type, more flags, generic netlink command */
static uint32_t req_start(struct req *q, struct raw *r, uint16_t type,
			  uint16_t flags, uint8_t cmd)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	q->msg = NLMSG_ALIGN(q->len);
	nlh = req_nlh(q);
	memset(nlh, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++r->seq;
	g = NLMSG_DATA(nlh);
	g->cmd = cmd;
	g->version = SERNET_GENL_VERSION;
	q->len = q->msg + NLMSG_HDRLEN + GENL_HDRLEN;
	nlh->nlmsg_len = q->len - q->msg;
	return nlh->nlmsg_seq;
}

/* Append bytes as they are; returns their offset in the message */
static size_t req_bytes(struct req *q, const void *data, size_t len)
{
	size_t off = q->len - q->msg;

	memcpy(q->buf + q->len, data, len);
	q->len += len;
	req_nlh(q)->nlmsg_len = q->len - q->msg;
	return off;
}

/* Append an attribute; returns its offset in the message */
static size_t req_put(struct req *q, uint16_t type, size_t len,
		      const void *data)
{
	struct nlattr a = { .nla_len = NLA_HDRLEN + len, .nla_type = type };
	size_t off = req_bytes(q, &a, sizeof(a));
	static const uint8_t pad[NLA_ALIGNTO];

	req_bytes(q, data, len);
	req_bytes(q, pad, NLA_ALIGN(len) - len);
	return off;
}

static size_t req_u32(struct req *q, uint16_t type, uint32_t v)
{
	return req_put(q, type, sizeof(v), &v);
}

static size_t req_u16(struct req *q, uint16_t type, uint16_t v)
{
	return req_put(q, type, sizeof(v), &v);
}

static int raw_send(struct raw *r, struct req *q)
{
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	ssize_t n = r->unaddressed ? send(r->fd, q->buf, q->len, 0) :
		    sendto(r->fd, q->buf, q->len, 0, (struct sockaddr *)&k,
			   sizeof(k));

	q->len = q->msg = 0;
	return n < 0 ? -errno : 0;
}

/* An unsigned value of the policy nest: a limit of value, else of length */
static long long policy_limit(const struct nlattr *pol, uint16_t value,
			      uint16_t length)
{
	const struct nlattr *t = rattr_find(RATTR_DATA(pol), RATTR_LEN(pol),
					    value) ?:
				 rattr_find(RATTR_DATA(pol), RATTR_LEN(pol),
					    length);

	return t ? (long long)rattr_uint(t) : -1;
}

static void answer_error(struct nlmsghdr *nlh, struct answer *a)
{
	struct nlmsgerr *e = NLMSG_DATA(nlh);
	size_t off = NLMSG_HDRLEN + sizeof(*e);
	const struct nlattr *t, *pol;
	uint8_t *tlv;
	size_t len;

	a->err = e->error;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off >= nlh->nlmsg_len)
		return;
	tlv = (uint8_t *)nlh + off;
	len = nlh->nlmsg_len - off;
	t = rattr_find(tlv, len, NLMSGERR_ATTR_MSG);
	if (t)
		snprintf(a->msg, sizeof(a->msg), "%.*s", (int)RATTR_LEN(t),
			 (char *)RATTR_DATA(t));
	t = rattr_find(tlv, len, NLMSGERR_ATTR_OFFS);
	if (t)
		a->offs = rattr_uint(t);
	t = rattr_find(tlv, len, NLMSGERR_ATTR_MISS_TYPE);
	if (t)
		a->miss = rattr_uint(t);
	pol = rattr_find(tlv, len, NLMSGERR_ATTR_POLICY);
	if (!pol)
		return;
	a->lo = policy_limit(pol, NL_POLICY_TYPE_ATTR_MIN_VALUE_U,
			     NL_POLICY_TYPE_ATTR_MIN_LENGTH);
	a->hi = policy_limit(pol, NL_POLICY_TYPE_ATTR_MAX_VALUE_U,
			     NL_POLICY_TYPE_ATTR_MAX_LENGTH);
}

static void answer_data(struct nlmsghdr *nlh, struct answer *a)
{
	uint8_t *attrs = (uint8_t *)NLMSG_DATA(nlh) + GENL_HDRLEN;
	size_t len = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	const struct nlattr *t;

	if (!a->ndata++ && len <= sizeof(a->first)) {
		memcpy(a->first, attrs, len);
		a->first_len = len;
	}
	t = rattr_find(attrs, len, SERNET_A_PORT_INDEX);
	if (t && a->nidx < (int)N(a->idx))
		a->idx[a->nidx++] = rattr_uint(t);
	t = rattr_find(attrs, len, SERNET_A_PEER);
	if (t)
		snprintf(a->peer, sizeof(a->peer), "%.*s", (int)RATTR_LEN(t),
			 (char *)RATTR_DATA(t));
}

static void answer_clear(struct answer *a)
{
	memset(a, 0, sizeof(*a));
	a->offs = a->miss = a->lo = a->hi = -1;
}

/* Add the messages about seq of one datagram to a; false if none came */
static bool raw_read(struct raw *r, uint32_t seq, struct answer *a, int ms)
{
	struct pollfd p = { .fd = r->fd, .events = POLLIN };
	struct nlmsghdr *nlh = (struct nlmsghdr *)r->rbuf;
	int n;

	if (poll(&p, 1, ms) <= 0)
		return false;
	n = recv(r->fd, r->rbuf, RBUF_SIZE, 0);
	if (n <= 0)
		return false;
	for (; NLMSG_OK(nlh, n); nlh = NLMSG_NEXT(nlh, n)) {
		if (nlh->nlmsg_seq != seq) {
			a->stray++;
		} else if (nlh->nlmsg_type == NLMSG_ERROR) {
			answer_error(nlh, a);
			a->done = true;
		} else if (nlh->nlmsg_type == NLMSG_DONE) {
			memcpy(&a->err, NLMSG_DATA(nlh), sizeof(int));
			a->done = true;
		} else {
			answer_data(nlh, a);
		}
	}
	return true;
}

/*
 * Read what the kernel says to request seq until its end (NLMSG_ERROR or
 * NLMSG_DONE), or until nothing came for ms; a->done tells which.
 */
static void raw_answer(struct raw *r, uint32_t seq, struct answer *a, int ms)
{
	answer_clear(a);
	while (!a->done && raw_read(r, seq, a, ms))
		;
}

/* Send the requests of q and read the answer to the last one */
static int transact(struct raw *r, struct req *q, struct answer *a)
{
	uint32_t seq = req_nlh(q)->nlmsg_seq;
	int err = raw_send(r, q);

	if (err)
		return err;
	raw_answer(r, seq, a, ANSWER_MS);
	return a->done ? 0 : -ETIMEDOUT;
}

/* The ids of the "sernet" family and of its "events" group */
static int resolve(struct raw *r)
{
	static struct answer a;
	const struct nlattr *t, *grps, *g;
	struct req q;
	size_t off;
	int err;

	if (req_init(&q))
		return -ENOMEM;
	req_start(&q, r, GENL_ID_CTRL, NLM_F_ACK, CTRL_CMD_GETFAMILY);
	req_put(&q, CTRL_ATTR_FAMILY_NAME, sizeof(SERNET_GENL_NAME),
		SERNET_GENL_NAME);
	err = transact(r, &q, &a);
	free(q.buf);
	if (err || a.err || !a.ndata)
		return err ?: a.err ?: -ENOENT;
	t = rattr_find(a.first, a.first_len, CTRL_ATTR_FAMILY_ID);
	grps = rattr_find(a.first, a.first_len, CTRL_ATTR_MCAST_GROUPS);
	if (!t || !grps)
		return -ENOENT;
	r->family = rattr_uint(t);
	for (off = 0; off + NLA_HDRLEN <= RATTR_LEN(grps);
	     off += NLA_ALIGN(g->nla_len)) {
		const struct nlattr *name, *id;

		g = (const void *)(RATTR_DATA(grps) + off);
		if (g->nla_len < NLA_HDRLEN)
			break;
		name = rattr_find(RATTR_DATA(g), RATTR_LEN(g),
				  CTRL_ATTR_MCAST_GRP_NAME);
		id = rattr_find(RATTR_DATA(g), RATTR_LEN(g),
				CTRL_ATTR_MCAST_GRP_ID);
		if (name && id &&
		    !strcmp((char *)RATTR_DATA(name), SERNET_MCGRP_EVENTS))
			r->events = rattr_uint(id);
	}
	return r->events ? 0 : -ENOENT;
}

/* Extended acks, acks without the request echoed, the family resolved */
static int raw_open(struct raw *r)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1;

	memset(r, 0, sizeof(*r));
	r->rbuf = malloc(RBUF_SIZE);
	r->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (!r->rbuf || r->fd < 0 ||
	    setsockopt(r->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one,
		       sizeof(one)) ||
	    setsockopt(r->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one,
		       sizeof(one)) ||
	    bind(r->fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -errno;
	return resolve(r);
}

static void raw_close(struct raw *r)
{
	if (r->fd >= 0)
		close(r->fd);
	free(r->rbuf);
	r->rbuf = NULL;
	r->fd = -1;
}

/* A request of one command to one port, index first */
static uint32_t req_port(struct req *q, struct raw *r, uint8_t cmd,
			 uint32_t idx)
{
	uint32_t seq = req_start(q, r, r->family, NLM_F_ACK, cmd);

	req_u32(q, SERNET_A_PORT_INDEX, idx);
	return seq;
}

/*
 * The files of a port's directory and of its statistics/, as listed: the
 * port's own attributes. The driver core's uevent file is not ours (it is
 * documented with every device, in sysfs-uevent), nor are subdirectories
 * other than statistics/ (power/ on a kernel with CONFIG_PM).
 */
#define MAX_FILES 64

struct port_files {
	int n;
	char name[MAX_FILES][48];	/* "baud", "statistics/rx_bytes" */
	bool writable[MAX_FILES];	/* a write bit in its mode */
};

static int list_dir(struct port_files *f, int idx, const char *sub)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;

	snprintf(path, sizeof(path), SYSFS_CLASS "/sernet%d/%s", idx, sub);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode) ||
		    !strcmp(de->d_name, "uevent"))
			continue;
		if (f->n == MAX_FILES ||
		    snprintf(f->name[f->n], sizeof(f->name[0]), "%s%s", sub,
			     de->d_name) >= (int)sizeof(f->name[0])) {
			closedir(d);
			return -1;
		}
		f->writable[f->n++] = st.st_mode & 0222;
	}
	closedir(d);
	return 0;
}

static int list_port_files(struct port_files *f, int idx)
{
	f->n = 0;
	return list_dir(f, idx, "") || list_dir(f, idx, "statistics/") ? -1 : 0;
}

/* A port as GET and sysfs show it: every file but the counters */
struct snap {
	uint8_t attrs[8192];
	size_t len;
	char sysfs[MAX_FILES][64];
};

FIXTURE(port) {
	int master, slave, idx;
	char name[32];
	uint16_t tcp_port;
	struct raw nl;
	struct req q;
	struct answer a;
	struct port_files files;
	struct snap before;
};

static int snap_take(FIXTURE_DATA(port) *self, struct snap *s)
{
	struct answer *a = &self->a;

	req_port(&self->q, &self->nl, SERNET_CMD_PORT_GET, self->idx);
	if (transact(&self->nl, &self->q, a) || a->err || a->ndata != 1)
		return -1;
	memcpy(s->attrs, a->first, a->first_len);
	s->len = a->first_len;
	for (int i = 0; i < self->files.n; i++)
		if (strncmp(self->files.name[i], "statistics/", 11) &&
		    port_attr(self->idx, self->files.name[i], s->sysfs[i],
			      sizeof(s->sysfs[i])))
			return -1;
	return 0;
}

/* A free TCP port of 127.0.0.1, as the kernel picks one */
static uint16_t free_tcp_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	uint16_t port = 0;

	if (fd >= 0 && !bind(fd, (struct sockaddr *)&sin, len) &&
	    !getsockname(fd, (struct sockaddr *)&sin, &len))
		port = ntohs(sin.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* A TCP client of 127.0.0.1:port, connected within 2 s, or -1 */
static int dial(uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct timeval tv = { .tv_sec = 2 };

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool port_state_is(int idx, const char *state)
{
	char buf[64];

	return !port_attr(idx, "state", buf, sizeof(buf)) &&
	       !strcmp(buf, state);
}

FIXTURE_SETUP(port)
{
	struct answer *a = &self->a;

	self->nl.fd = -1;
	ASSERT_EQ(0, open_pty(&self->master, &self->slave, self->name,
			      sizeof(self->name)));
	ASSERT_EQ(0, attach(self->slave));
	self->idx = sysfs_port_of(self->name);
	ASSERT_GE(self->idx, 0);
	ASSERT_EQ(0, raw_open(&self->nl));
	ASSERT_EQ(0, req_init(&self->q));

	/* a TCP server of the test's own, not the K3's port 23 */
	self->tcp_port = free_tcp_port();
	ASSERT_NE(0, self->tcp_port);
	req_port(&self->q, &self->nl, SERNET_CMD_PORT_SET, self->idx);
	req_u16(&self->q, SERNET_A_SOCK_PORT, self->tcp_port);
	ASSERT_EQ(0, transact(&self->nl, &self->q, a));
	ASSERT_EQ(0, a->err);
	ASSERT_TRUE(WAIT_FOR(port_state_is(self->idx, "LISTEN"), 5000));
	ASSERT_EQ(0, list_port_files(&self->files, self->idx));
	ASSERT_EQ(0, snap_take(self, &self->before));
}

FIXTURE_TEARDOWN(port)
{
	raw_close(&self->nl);
	free(self->q.buf);
	close(self->slave);
	close(self->master);
}

/*
 * The port is as it was: every attribute of a GET but the counters (the
 * settings, the state and status), every sysfs file; and it still serves:
 * a byte sent to its TCP server comes out of the serial line.
 */
static void expect_unchanged(struct __test_metadata *_metadata,
			     FIXTURE_DATA(port) *self)
{
	static struct snap now;
	struct pollfd p = { .fd = self->master, .events = POLLIN };
	char c = 0;
	int fd;

	ASSERT_EQ(0, snap_take(self, &now));
	for (int t = SERNET_A_PORT_INDEX; t <= SERNET_A_MAX; t++) {
		const struct nlattr *x, *y;

		if (t == SERNET_A_PORT_STATS)
			continue;
		x = rattr_find(self->before.attrs, self->before.len, t);
		y = rattr_find(now.attrs, now.len, t);
		if (!x != !y || (x && (x->nla_len != y->nla_len ||
				       memcmp(x, y, x->nla_len)))) {
			TH_LOG("attribute %d (%s) changed", t,
			       sernet_attr_name(t) ?: "?");
			_metadata->passed = 0;
		}
	}
	for (int i = 0; i < self->files.n; i++)
		if (strcmp(self->before.sysfs[i], now.sysfs[i])) {
			TH_LOG("sysfs %s: \"%s\", was \"%s\"",
			       self->files.name[i], now.sysfs[i],
			       self->before.sysfs[i]);
			_metadata->passed = 0;
		}

	fd = dial(self->tcp_port);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, write(fd, "x", 1));
	EXPECT_EQ(1, poll(&p, 1, 5000));
	EXPECT_EQ(1, read(self->master, &c, 1));
	EXPECT_EQ('x', c);
	close(fd);
	/* the connection is gone before the next comparison */
	EXPECT_TRUE(WAIT_FOR(port_state_is(self->idx, "LISTEN"), 5000));
}

/* Where a refused request puts what it refuses */
enum shape {
	ATTR,		/* an attribute after the index: ack points at it */
	ATTR_NOWHERE,	/* an attribute after the index, ack points nowhere */
	BYTES,		/* bytes after the index, no attribute header */
	NOINDEX,	/* an attribute alone, no index before it */
};

/* One hostile request and what the kernel answers it */
struct bad {
	const char *what;
	uint8_t cmd;		/* 0: SERNET_CMD_PORT_SET */
	uint16_t flags;		/* more nlmsg_flags: NLM_F_DUMP */
	enum shape shape;
	uint16_t type;		/* nla_type, flag bits and all */
	uint16_t len;		/* payload bytes */
	uint64_t value;		/* the payload up to 8 bytes, little endian */
	const void *data;	/* or this payload; else longer ones are 'A's */
	int err;		/* errno */
	const char *msg;	/* extended ack message, "" for none */
	long long lo, hi;	/* the range in its policy; hi 0: unchecked */
};

/*
 * Send each request, check the answer (errno, message, offset of the
 * attribute, policy range), then that the port is unchanged.
 */
static void expect_refused(struct __test_metadata *_metadata,
			   FIXTURE_DATA(port) *self, const struct bad *b,
			   size_t n)
{
	static uint8_t payload[4096];

	for (size_t i = 0; i < n; i++, b++) {
		struct answer *a = &self->a;
		uint8_t cmd = b->cmd ?: SERNET_CMD_PORT_SET;
		long at = -1;
		size_t off;

		if (b->data)
			memcpy(payload, b->data, b->len);
		else if (b->len <= sizeof(b->value))
			memcpy(payload, &b->value, b->len);
		else
			memset(payload, 'A', b->len);
		if (b->shape == NOINDEX)
			req_start(&self->q, &self->nl, self->nl.family,
				  NLM_F_ACK | b->flags, cmd);
		else
			req_port(&self->q, &self->nl, cmd, self->idx);
		req_nlh(&self->q)->nlmsg_flags |= b->flags;
		if (b->shape == BYTES)
			off = req_bytes(&self->q, payload, b->len);
		else
			off = req_put(&self->q, b->type, b->len, payload);
		if (b->shape == ATTR || b->shape == NOINDEX)
			at = off;
		ASSERT_EQ(0, transact(&self->nl, &self->q, a)) {
			TH_LOG("%s: no answer", b->what);
		}
		if (a->err != -b->err || strcmp(a->msg, b->msg) ||
		    a->offs != at ||
		    (b->hi && (a->lo != b->lo || a->hi != b->hi))) {
			TH_LOG("%s: got %d \"%s\" at %ld (%lld..%lld); want %d \"%s\" at %ld",
			       b->what, a->err, a->msg, a->offs, a->lo, a->hi,
			       -b->err, b->msg, at);
			_metadata->passed = 0;
		}
	}
	expect_unchanged(_metadata, self);
}

#define LEN(t, l, v) { #t " in " #l " bytes", .type = t, .len = l,	\
	.value = v, .err = EINVAL, .msg = "invalid attribute length" }

/* u8, u16 and u32 attributes of every other size */
TEST_F(port, wrong_length_for_each_type_class)
{
	static const struct bad bad[] = {
		LEN(SERNET_A_UART_DATABITS, 0, 0),
		LEN(SERNET_A_UART_DATABITS, 2, 7),
		LEN(SERNET_A_UART_DATABITS, 4, 7),
		LEN(SERNET_A_SOCK_FULL, 8, 1),
		LEN(SERNET_A_PACK_LEN, 0, 0),
		LEN(SERNET_A_PACK_LEN, 1, 100),
		LEN(SERNET_A_PACK_LEN, 4, 100),
		LEN(SERNET_A_SOCK_PORT, 3, 2323),
		LEN(SERNET_A_UART_BAUD, 0, 0),
		LEN(SERNET_A_UART_BAUD, 1, 200),
		LEN(SERNET_A_UART_BAUD, 2, 9600),
		LEN(SERNET_A_UART_BAUD, 8, 9600),
		LEN(SERNET_A_SOCKTON, 3, 60),
		LEN(SERNET_A_PORT_INDEX, 2, 0),
		LEN(SERNET_A_PORT_INDEX, 8, 0),
	};

	expect_refused(_metadata, self, bad, N(bad));
}

/* SOCK_ADDR is 4 or 16 bytes: the policy says 4..16, the command the rest */
TEST_F(port, sock_addr_of_0_5_17_bytes)
{
	static const struct bad bad[] = {
		{ "address of 0 bytes", .type = SERNET_A_SOCK_ADDR, .len = 0,
		  .err = ERANGE, .msg = "binary attribute size out of range",
		  .lo = 4, .hi = 16 },
		{ "address of 17 bytes", .type = SERNET_A_SOCK_ADDR, .len = 17,
		  .err = ERANGE, .msg = "binary attribute size out of range",
		  .lo = 4, .hi = 16 },
		{ "address of 5 bytes", .type = SERNET_A_SOCK_ADDR, .len = 5,
		  .data = "\x7f\0\0\x01\0", .err = EINVAL,
		  .msg = "an address is 4 (IPv4) or 16 (IPv6) bytes" },
		{ "address of 15 bytes", .type = SERNET_A_SOCK_ADDR, .len = 15,
		  .err = EINVAL,
		  .msg = "an address is 4 (IPv4) or 16 (IPv6) bytes" },
	};

	expect_refused(_metadata, self, bad, N(bad));
}

#define RANGE(t, l, v, min, max) { #t " = " #v, .type = t, .len = l,	\
	.value = v, .err = ERANGE, .msg = "integer out of range",	\
	.lo = min, .hi = max }

/* Every ranged setting, one past each edge; the ack names the range */
TEST_F(port, out_of_range_at_both_edges)
{
	static const struct bad bad[] = {
		RANGE(SERNET_A_UART_BAUD, 4, 599, 600, 1024000),
		RANGE(SERNET_A_UART_BAUD, 4, 1024001, 600, 1024000),
		RANGE(SERNET_A_UART_BAUD, 4, 0xffffffff, 600, 1024000),
		RANGE(SERNET_A_UART_DATABITS, 1, 4, 5, 8),
		RANGE(SERNET_A_UART_DATABITS, 1, 9, 5, 8),
		RANGE(SERNET_A_UART_STOPBITS, 1, 0, 1, 2),
		RANGE(SERNET_A_UART_STOPBITS, 1, 3, 1, 2),
		RANGE(SERNET_A_UART_PARITY, 1, SERNET_PARITY_MAX + 1, 0,
		      SERNET_PARITY_MAX),
		RANGE(SERNET_A_UART_FLOW, 1, SERNET_FLOW_MAX + 1, 0,
		      SERNET_FLOW_MAX),
		RANGE(SERNET_A_SOCK_PROTO, 1, SERNET_PROTO_MAX + 1, 0,
		      SERNET_PROTO_MAX),
		RANGE(SERNET_A_SOCK_FULL, 1, SERNET_FULL_MAX + 1, 0,
		      SERNET_FULL_MAX),
		RANGE(SERNET_A_PACK_TIME, 2, 256, 0, 255),
		RANGE(SERNET_A_PACK_LEN, 2, 1461, 0, 1460),
		RANGE(SERNET_A_SOCK_MAX_CLIENTS, 2, 0, 1, 64),
		RANGE(SERNET_A_SOCK_MAX_CLIENTS, 2, 65, 1, 64),
		RANGE(SERNET_A_SHORTO, 2, 1, 2, 255),
		RANGE(SERNET_A_SHORTO, 2, 256, 2, 255),
		RANGE(SERNET_A_SOCKTON, 4, 0, 1, 99999),
		RANGE(SERNET_A_SOCKTON, 4, 100000, 1, 99999),
		RANGE(SERNET_A_SOCK_PORT, 2, 0, 1, 65535),
		RANGE(SERNET_A_SOCKSL, 1, 2, 0, 1),
		RANGE(SERNET_A_UDPON, 1, 2, 0, 1),
		RANGE(SERNET_A_UARTCLBUF, 1, 2, 0, 1),
	};

	expect_refused(_metadata, self, bad, N(bad));
}

#define UNKNOWN(c, t) { #c " with attribute " #t, .cmd = c, .type = t,	\
	.len = 4, .value = 1, .err = EINVAL,				\
	.msg = "Unknown attribute type" }

/* Types beyond the command's policy, and type 0 */
TEST_F(port, unknown_attribute_types)
{
	static const struct bad bad[] = {
		UNKNOWN(SERNET_CMD_PORT_SET, SERNET_A_MAX + 1),
		UNKNOWN(SERNET_CMD_PORT_SET, 200),
		UNKNOWN(SERNET_CMD_PORT_SET, 0x3fff),
		UNKNOWN(SERNET_CMD_PORT_SET, SERNET_A_UNSPEC),
		UNKNOWN(SERNET_CMD_PORT_GET, SERNET_A_PORT_TTY),
		UNKNOWN(SERNET_CMD_PORT_GET, SERNET_A_UART_BAUD),
		UNKNOWN(SERNET_CMD_PORT_GET, SERNET_A_MAX + 1),
	};

	expect_refused(_metadata, self, bad, N(bad));
}

#define READONLY(t, l, m) { #t " in a SET", .type = t, .len = l,	\
	.value = 1, .err = EINVAL, .msg = m }
#define FAILED "Attribute failed policy validation"
#define UNSUPPORTED "Unsupported attribute"

/* What GET reports and SET does not take */
TEST_F(port, read_only_attributes_in_set)
{
	static const struct bad bad[] = {
		READONLY(SERNET_A_PORT_STATS, 12, FAILED),
		READONLY(SERNET_A_SOCK_STATUS, 7, FAILED),
		READONLY(SERNET_A_PACK_TIME_US, 4, FAILED),
		READONLY(SERNET_A_PORT_TTY, 5, FAILED),
		READONLY(SERNET_A_PORT_STATE, 4, FAILED),
		READONLY(SERNET_A_PEER, 15, FAILED),
		READONLY(SERNET_A_CLIENT_SECONDS, 4, UNSUPPORTED),
		READONLY(SERNET_A_CLIENT_QUEUED, 4, UNSUPPORTED),
		READONLY(SERNET_A_CLIENT_STATS, 12, UNSUPPORTED),
		READONLY(SERNET_A_CLIENT_END, 1, UNSUPPORTED),
		READONLY(SERNET_A_PAD, 0, UNSUPPORTED),
	};

	expect_refused(_metadata, self, bad, N(bad));
}

/* No index: EINVAL, and the ack names the missing attribute */
TEST_F(port, missing_port_index)
{
	static const uint8_t cmds[] = { SERNET_CMD_PORT_SET,
					SERNET_CMD_PORT_GET };
	struct answer *a = &self->a;

	for (size_t i = 0; i < N(cmds); i++) {
		req_start(&self->q, &self->nl, self->nl.family, NLM_F_ACK,
			  cmds[i]);
		if (cmds[i] == SERNET_CMD_PORT_SET)
			req_u32(&self->q, SERNET_A_UART_BAUD, 9600);
		ASSERT_EQ(0, transact(&self->nl, &self->q, a));
		EXPECT_EQ(-EINVAL, a->err);
		EXPECT_EQ(SERNET_A_PORT_INDEX, a->miss);
		EXPECT_EQ(-1, a->offs);
		/* GENL_REQ_ATTR_CHECK sets no message, only the type */
		EXPECT_STREQ("", a->msg);
		EXPECT_EQ(0, a->ndata);
	}
	expect_unchanged(_metadata, self);
}

/* An index that is no port: ENODEV, "no such port", at the index */
TEST_F(port, nonexistent_index)
{
	static const uint32_t idx[] = { 0x7fffffff, 0xffffffff, 1000000 };
	static const uint8_t cmds[] = { SERNET_CMD_PORT_SET,
					SERNET_CMD_PORT_GET };
	struct answer *a = &self->a;

	for (size_t i = 0; i < N(idx) * N(cmds); i++) {
		size_t at = NLMSG_HDRLEN + GENL_HDRLEN;

		req_port(&self->q, &self->nl, cmds[i % N(cmds)],
			 idx[i / N(cmds)]);
		if (cmds[i % N(cmds)] == SERNET_CMD_PORT_SET)
			req_u32(&self->q, SERNET_A_UART_BAUD, 9600);
		ASSERT_EQ(0, transact(&self->nl, &self->q, a));
		EXPECT_EQ(-ENODEV, a->err);
		EXPECT_STREQ("no such port", a->msg);
		EXPECT_EQ(at, a->offs);
		EXPECT_EQ(0, a->ndata);
	}
	expect_unchanged(_metadata, self);
}

/* Nests where none is taken, nest flags on plain values, byte order flag */
TEST_F(port, nested_garbage)
{
	/* a nest in a nest, the inner one's length past its parent's end */
	static const uint8_t garbage[] = {
		12, 0, 0x01, 0x80, 8, 0, 1, 0, 0xff, 0xff, 0xff, 0xff,
		200, 0, 0x02, 0x80, 0xde, 0xad, 0xbe, 0xef,
	};
	static const struct bad bad[] = {
		{ "PORT_STATS nest of garbage", .type = SERNET_A_PORT_STATS |
		  NLA_F_NESTED, .len = sizeof(garbage), .data = garbage,
		  .err = EINVAL, .msg = "NLA_F_NESTED not expected" },
		{ "PORT_STATS of garbage, no nest flag",
		  .type = SERNET_A_PORT_STATS, .len = sizeof(garbage),
		  .data = garbage, .err = EINVAL, .msg = FAILED },
		{ "CLIENT_STATS nest of garbage", .type =
		  SERNET_A_CLIENT_STATS | NLA_F_NESTED, .len = sizeof(garbage),
		  .data = garbage, .err = EINVAL, .msg = UNSUPPORTED },
		{ "BAUD with the nest flag", .type = SERNET_A_UART_BAUD |
		  NLA_F_NESTED, .len = 4, .value = 9600, .err = EINVAL,
		  .msg = "NLA_F_NESTED not expected" },
		{ "PACK_LEN as a nest of garbage", .type = SERNET_A_PACK_LEN |
		  NLA_F_NESTED, .len = sizeof(garbage), .data = garbage,
		  .err = EINVAL, .msg = "invalid attribute length" },
		/* the flag is not validated: 9600 read as 0x80250000 */
		{ "BAUD with the byte order flag", .type = SERNET_A_UART_BAUD |
		  NLA_F_NET_BYTEORDER, .len = 4, .value = 0x80250000,
		  .err = ERANGE, .msg = "integer out of range",
		  .lo = 600, .hi = 1024000 },
	};

	expect_refused(_metadata, self, bad, N(bad));
}

#define LEFTOVER "bytes leftover after parsing attributes"

/* Attribute headers cut short or pointing past the end of the message */
TEST_F(port, truncated_attribute_header)
{
	static const uint8_t past_end[] = { 200, 0, SERNET_A_UART_BAUD, 0,
					    0x80, 0x25, 0, 0 };
	static const uint8_t too_short[] = { 2, 0, SERNET_A_UART_BAUD, 0,
					     0x80, 0x25, 0, 0 };
	static const uint8_t zero[] = { 0, 0, SERNET_A_UART_BAUD, 0,
					0x80, 0x25, 0, 0 };
	static const struct bad bad[] = {
		{ "half an attribute header", .shape = BYTES, .len = 2,
		  .value = 8, .err = EINVAL, .msg = LEFTOVER },
		{ "nla_len past the message end", .shape = BYTES,
		  .len = sizeof(past_end), .data = past_end, .err = EINVAL,
		  .msg = LEFTOVER },
		{ "nla_len 2, below the header", .shape = BYTES,
		  .len = sizeof(too_short), .data = too_short, .err = EINVAL,
		  .msg = LEFTOVER },
		{ "nla_len 0", .shape = BYTES, .len = sizeof(zero),
		  .data = zero, .err = EINVAL, .msg = LEFTOVER },
		{ "dump with nla_len past the end", .cmd = SERNET_CMD_PORT_GET,
		  .flags = NLM_F_DUMP, .shape = BYTES, .len = sizeof(past_end),
		  .data = past_end, .err = EINVAL, .msg = LEFTOVER },
	};

	expect_refused(_metadata, self, bad, N(bad));
}

/* The socket is still in step: a GET is answered with the port */
static void expect_get_answered(struct __test_metadata *_metadata,
				FIXTURE_DATA(port) *self)
{
	req_port(&self->q, &self->nl, SERNET_CMD_PORT_GET, self->idx);
	ASSERT_EQ(0, transact(&self->nl, &self->q, &self->a));
	EXPECT_EQ(0, self->a.err);
	EXPECT_EQ(1, self->a.ndata);
	EXPECT_EQ(0, self->a.stray);
}

/*
 * nlmsg_len that is not the size sent. Longer than the datagram or
 * shorter than a netlink header: the kernel drops the message without a
 * word. Shorter than the generic netlink header: EINVAL. Shorter than the
 * attributes: what it leaves out is not read, let alone applied.
 */
TEST_F(port, nlmsg_len_lies)
{
	static const struct {
		const char *what;
		int delta;	/* to nlmsg_len; 0: set to len below */
		uint32_t len;
		bool answered;
		int err;
	} lie[] = {
		{ "64 bytes more than sent", 64, 0, false, 0 },
		{ "1 byte more than sent", 1, 0, false, 0 },
		{ "0xffffffff", 0, 0xffffffff, false, 0 },
		{ "8, half a netlink header", 0, 8, false, 0 },
		{ "0", 0, 0, false, 0 },
		{ "a netlink header, half a genl one", 0, NLMSG_HDRLEN + 2,
		  true, -EINVAL },
		/* index and header: the baud rate after them is left out */
		{ "the baud rate left out", 0,
		  NLMSG_HDRLEN + GENL_HDRLEN + NLA_HDRLEN + 4, true, 0 },
	};
	struct answer *a = &self->a;

	for (size_t i = 0; i < N(lie); i++) {
		uint32_t seq = req_port(&self->q, &self->nl,
					SERNET_CMD_PORT_SET, self->idx);
		struct nlmsghdr *nlh = req_nlh(&self->q);

		req_u32(&self->q, SERNET_A_UART_BAUD, 9600);
		nlh->nlmsg_len = lie[i].delta ? nlh->nlmsg_len + lie[i].delta :
						lie[i].len;
		ASSERT_EQ(0, raw_send(&self->nl, &self->q));
		raw_answer(&self->nl, seq, a,
			   lie[i].answered ? ANSWER_MS : SILENCE_MS);
		if (a->done != lie[i].answered ||
		    (a->done && a->err != lie[i].err)) {
			TH_LOG("nlmsg_len %s: answered %d with %d", lie[i].what,
			       a->done, a->err);
			_metadata->passed = 0;
		}
		expect_get_answered(_metadata, self);
	}
	expect_unchanged(_metadata, self);
}

/* Command numbers that are no command, as requests and as dumps */
TEST_F(port, unknown_command_numbers)
{
	static const uint8_t cmds[] = { SERNET_CMD_MAX + 1, 100, 255 };
	static struct bad bad[2 * N(cmds)];

	for (size_t i = 0; i < N(bad); i++)
		bad[i] = (struct bad){ "unknown command", .cmd = cmds[i / 2],
			.flags = i % 2 ? NLM_F_DUMP : 0, .shape = ATTR_NOWHERE,
			.type = SERNET_A_UART_BAUD, .len = 4, .value = 9600,
			.err = EOPNOTSUPP, .msg = "" };
	expect_refused(_metadata, self, bad, N(bad));
	/* SERNET_CMD_UNSPEC (0), which the table reads as PORT_SET */
	for (int dump = 0; dump < 2; dump++) {
		req_port(&self->q, &self->nl, SERNET_CMD_UNSPEC, self->idx);
		req_nlh(&self->q)->nlmsg_flags |= dump ? NLM_F_DUMP : 0;
		ASSERT_EQ(0, transact(&self->nl, &self->q, &self->a));
		EXPECT_EQ(-EOPNOTSUPP, self->a.err);
	}
}

/*
 * The notifications are the kernel's to send; as requests they are no
 * command. Nor is a GET of connections by doit, or a SET by dump.
 */
TEST_F(port, kernel_only_commands_as_requests)
{
	static const uint8_t cmds[] = {
		SERNET_CMD_PORT_ADDED, SERNET_CMD_PORT_REMOVED,
		SERNET_CMD_STATUS, SERNET_CMD_CONNECTED,
		SERNET_CMD_DISCONNECTED,
	};
	static struct bad bad[2 * N(cmds) + 2];
	size_t n = 0;

	for (size_t i = 0; i < 2 * N(cmds); i++)
		bad[n++] = (struct bad){ "notification as a request",
			.cmd = cmds[i / 2], .flags = i % 2 ? NLM_F_DUMP : 0,
			.shape = ATTR_NOWHERE, .type = SERNET_A_SOCK_STATUS,
			.len = 7, .data = "LISTEN", .err = EOPNOTSUPP,
			.msg = "" };
	bad[n++] = (struct bad){ "CLIENT_GET as a doit",
		.cmd = SERNET_CMD_CLIENT_GET, .shape = ATTR_NOWHERE,
		.type = SERNET_A_PORT_INDEX, .len = 4, .err = EOPNOTSUPP,
		.msg = "" };
	bad[n++] = (struct bad){ "PORT_SET as a dump", .flags = NLM_F_DUMP,
		.shape = ATTR_NOWHERE, .type = SERNET_A_UART_BAUD, .len = 4,
		.value = 9600, .err = EOPNOTSUPP, .msg = "" };
	expect_refused(_metadata, self, bad, n);
}

/*
 * A dump takes the command's policy: an index is taken (and does not
 * filter), anything else is refused.
 */
TEST_F(port, dump_with_attributes)
{
	static const uint8_t cmds[] = { SERNET_CMD_PORT_GET,
					SERNET_CMD_CLIENT_GET };
	static const struct bad bad[] = {
		{ "PORT_GET dump with BAUD", .cmd = SERNET_CMD_PORT_GET,
		  .flags = NLM_F_DUMP, .type = SERNET_A_UART_BAUD, .len = 4,
		  .value = 9600, .err = EINVAL,
		  .msg = "Unknown attribute type" },
		{ "CLIENT_GET dump with PEER", .cmd = SERNET_CMD_CLIENT_GET,
		  .flags = NLM_F_DUMP, .type = SERNET_A_PEER, .len = 10,
		  .err = EINVAL, .msg = "Unknown attribute type" },
		{ "PORT_GET dump with a 2-byte index", .shape = NOINDEX,
		  .cmd = SERNET_CMD_PORT_GET, .flags = NLM_F_DUMP,
		  .type = SERNET_A_PORT_INDEX, .len = 2, .err = EINVAL,
		  .msg = "invalid attribute length" },
	};
	struct answer *a = &self->a;
	int client = dial(self->tcp_port);

	ASSERT_LE(0, client);
	ASSERT_TRUE(WAIT_FOR(port_state_is(self->idx, "CONNECTED(1)"), 5000));
	for (size_t i = 0; i < N(cmds); i++) {
		bool mine = false;

		/* an index that is no port: still the whole dump */
		req_start(&self->q, &self->nl, self->nl.family, NLM_F_DUMP,
			  cmds[i]);
		req_u32(&self->q, SERNET_A_PORT_INDEX, 0x7fffffff);
		ASSERT_EQ(0, transact(&self->nl, &self->q, a));
		EXPECT_EQ(0, a->err);
		for (int j = 0; j < a->nidx; j++)
			mine |= a->idx[j] == (uint32_t)self->idx;
		EXPECT_TRUE(mine);
	}
	close(client);
	ASSERT_TRUE(WAIT_FOR(port_state_is(self->idx, "LISTEN"), 5000));
	expect_refused(_metadata, self, bad, N(bad));
}

/*
 * No request takes a string: the tty name, status and peer are reported,
 * never set. Long ones (4000 bytes, no NUL) are refused like short ones.
 */
TEST_F(port, overlong_strings)
{
	static const struct bad bad[] = {
		READONLY(SERNET_A_PORT_TTY, 4000, FAILED),
		READONLY(SERNET_A_SOCK_STATUS, 4000, FAILED),
		READONLY(SERNET_A_PEER, 4000, FAILED),
		UNKNOWN(SERNET_CMD_PORT_GET, SERNET_A_PORT_TTY),
		{ "PORT_GET with a long tty name", .cmd = SERNET_CMD_PORT_GET,
		  .type = SERNET_A_PORT_TTY, .len = 4000, .err = EINVAL,
		  .msg = "Unknown attribute type" },
	};

	expect_refused(_metadata, self, bad, N(bad));
}

/*
 * 64 KiB requests: of padding attributes (refused at the first), of one
 * setting repeated at its current value (taken, nothing changes), and of
 * those with a bad value at the very end (the offset passes 16 bits).
 */
TEST_F(port, huge_messages)
{
	struct answer *a = &self->a;
	size_t at = 0, first = 0;

	/* SERNET_A_PAD: a header alone, 16000 times */
	req_port(&self->q, &self->nl, SERNET_CMD_PORT_SET, self->idx);
	for (int i = 0; i < 16000; i++) {
		at = req_put(&self->q, SERNET_A_PAD, 0, NULL);
		first = first ?: at;
	}
	ASSERT_LT(64000, self->q.len);
	ASSERT_EQ(0, transact(&self->nl, &self->q, a));
	EXPECT_EQ(-EINVAL, a->err);
	EXPECT_STREQ(UNSUPPORTED, a->msg);
	EXPECT_EQ(first, a->offs);

	for (int bad = 0; bad < 2; bad++) {
		req_port(&self->q, &self->nl, SERNET_CMD_PORT_SET, self->idx);
		for (int i = 0; i < 8200; i++)
			req_u16(&self->q, SERNET_A_PACK_LEN, 0);
		if (bad)
			at = req_u32(&self->q, SERNET_A_UART_BAUD, 599);
		ASSERT_LT(65536, self->q.len);
		ASSERT_EQ(0, transact(&self->nl, &self->q, a));
		EXPECT_EQ(bad ? -ERANGE : 0, a->err);
		EXPECT_EQ(bad ? (long)at : -1, a->offs);
		if (bad)
			EXPECT_LT(65536, a->offs);
	}
	expect_unchanged(_metadata, self);
}

/* Requests whose header says what it must not */
TEST_F(port, bad_headers)
{
	struct answer *a = &self->a;
	struct nlmsghdr *nlh;
	static const uint16_t flags[] = { NLM_F_REPLACE, NLM_F_EXCL,
					  NLM_F_CREATE, NLM_F_APPEND,
					  NLM_F_ECHO << 1 };

	/* genlmsghdr.reserved */
	req_port(&self->q, &self->nl, SERNET_CMD_PORT_SET, self->idx);
	((struct genlmsghdr *)NLMSG_DATA(req_nlh(&self->q)))->reserved = 1;
	ASSERT_EQ(0, transact(&self->nl, &self->q, a));
	EXPECT_EQ(-EINVAL, a->err);
	EXPECT_STREQ("genlmsghdr.reserved field is not 0", a->msg);

	/* flags of other families' commands (NEW, DEL), and unknown ones */
	for (size_t i = 0; i < N(flags); i++) {
		req_port(&self->q, &self->nl, SERNET_CMD_PORT_SET, self->idx);
		req_nlh(&self->q)->nlmsg_flags |= flags[i];
		req_u32(&self->q, SERNET_A_UART_BAUD, 9600);
		ASSERT_EQ(0, transact(&self->nl, &self->q, a));
		EXPECT_EQ(-EINVAL, a->err);
		EXPECT_STREQ("ambiguous or reserved bits set in nlmsg_flags",
			     a->msg);
	}

	/* a family id that is no family */
	req_start(&self->q, &self->nl, 0xfffe, NLM_F_ACK, SERNET_CMD_PORT_SET);
	req_u32(&self->q, SERNET_A_PORT_INDEX, self->idx);
	ASSERT_EQ(0, transact(&self->nl, &self->q, a));
	EXPECT_EQ(-ENOENT, a->err);

	/* not a request: acknowledged, not carried out */
	req_port(&self->q, &self->nl, SERNET_CMD_PORT_SET, self->idx);
	req_u32(&self->q, SERNET_A_UART_BAUD, 9600);
	nlh = req_nlh(&self->q);
	nlh->nlmsg_flags &= ~NLM_F_REQUEST;
	ASSERT_EQ(0, transact(&self->nl, &self->q, a));
	EXPECT_EQ(0, a->err);
	expect_unchanged(_metadata, self);
}

/* One datagram of 48 requests, good and bad: each answered, in order */
TEST_F(port, many_requests_in_one_sendmsg)
{
	enum { GET, SET_RANGE, GET_NODEV, SET_UNKNOWN, SET_SAME, BAD_CMD };
	static const int want[] = {
		[GET] = 0, [SET_RANGE] = -ERANGE, [GET_NODEV] = -ENODEV,
		[SET_UNKNOWN] = -EINVAL, [SET_SAME] = 0,
		[BAD_CMD] = -EOPNOTSUPP,
	};
	uint32_t seq[48];
	struct answer *a = &self->a;

	for (size_t i = 0; i < N(seq); i++) {
		int kind = i % N(want);

		seq[i] = req_port(&self->q, &self->nl,
				  kind == GET || kind == GET_NODEV ?
				  SERNET_CMD_PORT_GET : kind == BAD_CMD ?
				  SERNET_CMD_MAX + 1 : SERNET_CMD_PORT_SET,
				  kind == GET_NODEV ? 0x7fffffff : self->idx);
		if (kind == SET_RANGE)
			req_u32(&self->q, SERNET_A_UART_BAUD, 1024001);
		else if (kind == SET_UNKNOWN)
			req_u32(&self->q, SERNET_A_MAX + 1, 0);
		else if (kind == SET_SAME)
			req_u16(&self->q, SERNET_A_SOCK_PORT, self->tcp_port);
	}
	ASSERT_EQ(0, raw_send(&self->nl, &self->q));
	for (size_t i = 0; i < N(seq); i++) {
		int kind = i % N(want);

		raw_answer(&self->nl, seq[i], a, ANSWER_MS);
		ASSERT_TRUE(a->done) {
			TH_LOG("request %zu: no answer", i);
		}
		EXPECT_EQ(want[kind], a->err) {
			TH_LOG("request %zu (kind %d)", i, kind);
		}
		EXPECT_EQ(kind == GET, a->ndata);
		EXPECT_EQ(0, a->stray);
	}
	expect_unchanged(_metadata, self);
}

/* --- callers who may not change a port ----------------------------------- */

enum who {
	NO_NET_ADMIN,	/* root without CAP_NET_ADMIN (nor in permitted) */
	NOBODY,		/* uid and gid 65534 */
	USERNS_ROOT,	/* root of a new user namespace, same network one */
	OTHER_NETNS,	/* root in a new network namespace */
};

static const char *const who_name[] = {
	"root without CAP_NET_ADMIN", "nobody", "root of a user namespace",
	"root of another network namespace",
};

/* Set or clear cap in the effective (and, to clear, permitted) set */
static int cap_set(int cap, bool on, bool permitted_too)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	uint32_t bit = CAP_TO_MASK(cap);

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	if (on)
		data[CAP_TO_INDEX(cap)].effective |= bit;
	else
		data[CAP_TO_INDEX(cap)].effective &= ~bit;
	if (!on && permitted_too)
		data[CAP_TO_INDEX(cap)].permitted &= ~bit;
	return syscall(SYS_capset, &hdr, data);
}

static int become(enum who w)
{
	switch (w) {
	case NO_NET_ADMIN:
		return cap_set(CAP_NET_ADMIN, false, true);
	case NOBODY:
		return setgroups(0, NULL) || setgid(65534) || setuid(65534);
	case USERNS_ROOT:
		return unshare(CLONE_NEWUSER);
	case OTHER_NETNS:
		return unshare(CLONE_NEWNET);
	}
	return -1;
}

/* In a child: fail with the line and what was checked */
#define CHILD_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "# %s:%d: %s: %s\n", __FILE__, __LINE__,	\
			who_name[w], #cond);				\
		_exit(1);						\
	}								\
} while (0)

typedef void (*child_fn)(FIXTURE_DATA(port) *self, enum who w);

/* Run fn as w in a child; true when it passed */
static bool run_as(FIXTURE_DATA(port) *self, enum who w, child_fn fn)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return false;
	if (!pid) {
		CHILD_CHECK(!become(w));
		fn(self, w);
		_exit(0);
	}
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       !WEXITSTATUS(status);
}

/* The child's own socket, on which one request is sent and answered */
static void child_ask(FIXTURE_DATA(port) *self, enum who w, struct raw *r)
{
	CHILD_CHECK(!transact(r, &self->q, &self->a));
}

/*
 * PORT_SET is refused with EPERM before anything else is looked at: a
 * good change, and requests the policy or the lookup would refuse (so
 * the answer tells nothing about ports or ranges).
 */
static void set_refused(FIXTURE_DATA(port) *self, enum who w)
{
	struct answer *a = &self->a;
	struct raw r;

	CHILD_CHECK(!raw_open(&r));
	for (int i = 0; i < 4; i++) {
		req_port(&self->q, &r, SERNET_CMD_PORT_SET,
			 i == 3 ? 0x7fffffff : self->idx);
		if (i == 0)
			req_u32(&self->q, SERNET_A_UART_BAUD, 9600);
		else if (i == 1)
			req_u32(&self->q, SERNET_A_UART_BAUD, 599);
		else if (i == 2)
			req_u32(&self->q, SERNET_A_MAX + 1, 0);
		else
			req_u16(&self->q, SERNET_A_SOCK_PORT, 2323);
		child_ask(self, w, &r);
		CHILD_CHECK(a->err == -EPERM);
		CHILD_CHECK(!a->msg[0] && a->offs == -1);
	}
	raw_close(&r);
}

/* GET, the dump, CLIENT_GET (peers' addresses) and events are open */
static void reads_allowed(FIXTURE_DATA(port) *self, enum who w)
{
	struct answer *a = &self->a;
	const struct nlattr *tty;
	bool mine = false;
	struct raw r;

	CHILD_CHECK(!raw_open(&r));
	req_port(&self->q, &r, SERNET_CMD_PORT_GET, self->idx);
	child_ask(self, w, &r);
	tty = rattr_find(a->first, a->first_len, SERNET_A_PORT_TTY);
	CHILD_CHECK(a->err == 0 && a->ndata == 1 && tty);
	CHILD_CHECK(!strcmp((char *)RATTR_DATA(tty), self->name));

	req_start(&self->q, &r, r.family, NLM_F_DUMP, SERNET_CMD_PORT_GET);
	child_ask(self, w, &r);
	for (int j = 0; j < a->nidx; j++)
		mine |= a->idx[j] == (uint32_t)self->idx;
	CHILD_CHECK(a->err == 0 && mine);

	/* the parent's client, with its address and port */
	req_start(&self->q, &r, r.family, NLM_F_DUMP, SERNET_CMD_CLIENT_GET);
	child_ask(self, w, &r);
	CHILD_CHECK(a->err == 0 && a->ndata >= 1);
	CHILD_CHECK(!strncmp(a->peer, "127.0.0.1:", 10));
	raw_close(&r);
}

/* Refused for root without CAP_NET_ADMIN and for nobody */
TEST_F(port, unprivileged_set_refused)
{
	EXPECT_TRUE(run_as(self, NO_NET_ADMIN, set_refused));
	EXPECT_TRUE(run_as(self, NOBODY, set_refused));
	expect_unchanged(_metadata, self);
}

/* Reading needs nothing: it shows the peers of a port's connections */
TEST_F(port, unprivileged_reads_allowed)
{
	int client = dial(self->tcp_port);

	ASSERT_LE(0, client);
	ASSERT_TRUE(WAIT_FOR(port_state_is(self->idx, "CONNECTED(1)"), 5000));
	EXPECT_TRUE(run_as(self, NO_NET_ADMIN, reads_allowed));
	EXPECT_TRUE(run_as(self, NOBODY, reads_allowed));
	close(client);
	ASSERT_TRUE(WAIT_FOR(port_state_is(self->idx, "LISTEN"), 5000));
	expect_unchanged(_metadata, self);
}

/* nobody joins the events group and hears who connects, from where */
TEST_F(port, unprivileged_events_show_peers)
{
	int ready[2], status, client;
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		enum who w = NOBODY;
		struct raw r;
		uint32_t grp;

		CHILD_CHECK(!become(w));
		CHILD_CHECK(!raw_open(&r));
		grp = r.events;
		CHILD_CHECK(!setsockopt(r.fd, SOL_NETLINK,
					NETLINK_ADD_MEMBERSHIP, &grp,
					sizeof(grp)));
		CHILD_CHECK(write(ready[1], "r", 1) == 1);
		/* events have sequence number 0 and no end */
		answer_clear(&self->a);
		while (!self->a.peer[0] && raw_read(&r, 0, &self->a, 5000))
			;
		CHILD_CHECK(!strncmp(self->a.peer, "127.0.0.1:", 10));
		_exit(0);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	client = dial(self->tcp_port);
	ASSERT_LE(0, client);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(client);
	ASSERT_TRUE(WAIT_FOR(port_state_is(self->idx, "LISTEN"), 5000));
	expect_unchanged(_metadata, self);
}

/* A SET on r, sent with send(2) or sendto(2): its error */
static int set_on(FIXTURE_DATA(port) *self, struct raw *r, bool addressed,
		  uint16_t type, uint32_t value)
{
	r->unaddressed = !addressed;
	req_port(&self->q, r, SERNET_CMD_PORT_SET, self->idx);
	if (type == SERNET_A_SOCK_PORT)
		req_u16(&self->q, type, value);
	else
		req_u32(&self->q, type, value);
	if (transact(r, &self->q, &self->a))
		return 1;
	return self->a.err;
}

/*
 * GENL_ADMIN_PERM wants CAP_NET_ADMIN of the initial user namespace in
 * the sender; and in whoever opened the socket too, unless the message
 * names its destination (sendto(2)): netlink's guard against a socket
 * handed to a privileged program as its stdout.
 */
static void opener_and_sender(FIXTURE_DATA(port) *self, enum who w)
{
	uint16_t same = self->tcp_port;	/* a SET that changes nothing */
	struct raw r;

	/* opened without, sent with */
	CHILD_CHECK(!cap_set(CAP_NET_ADMIN, false, false));
	CHILD_CHECK(!raw_open(&r));
	CHILD_CHECK(!cap_set(CAP_NET_ADMIN, true, false));
	CHILD_CHECK(set_on(self, &r, false, SERNET_A_UART_BAUD, 9600) ==
		    -EPERM);
	CHILD_CHECK(set_on(self, &r, true, SERNET_A_SOCK_PORT, same) == 0);
	raw_close(&r);

	/* opened with, sent without */
	CHILD_CHECK(!raw_open(&r));
	CHILD_CHECK(!cap_set(CAP_NET_ADMIN, false, false));
	CHILD_CHECK(set_on(self, &r, false, SERNET_A_UART_BAUD, 9600) ==
		    -EPERM);
	CHILD_CHECK(set_on(self, &r, true, SERNET_A_UART_BAUD, 9600) ==
		    -EPERM);

	/* both */
	CHILD_CHECK(!cap_set(CAP_NET_ADMIN, true, false));
	CHILD_CHECK(set_on(self, &r, false, SERNET_A_SOCK_PORT, same) == 0);
	raw_close(&r);
}

TEST_F(port, capability_of_socket_opener_and_sender)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		opener_and_sender(self, NO_NET_ADMIN);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	expect_unchanged(_metadata, self);
}

/* Root of a user namespace has CAP_NET_ADMIN there only: not enough */
static void userns_root(FIXTURE_DATA(port) *self, enum who w)
{
	char name[32];
	int m, s;

	set_refused(self, w);
	/* nor can it attach a tty of its own */
	CHILD_CHECK(!open_pty(&m, &s, name, sizeof(name)));
	CHILD_CHECK(attach(s) == -1 && errno == EPERM);
	CHILD_CHECK(sysfs_port_of(name) == -1);
	close(s);
	close(m);
}

TEST_F(port, user_namespace_root_refused)
{
	EXPECT_TRUE(run_as(self, USERNS_ROOT, userns_root));
	expect_unchanged(_metadata, self);
}

/*
 * Not a refusal, but who can remove a port: anyone who has its tty open,
 * since going back to N_TTY needs no capability.
 */
static void detach_as(FIXTURE_DATA(port) *self, enum who w)
{
	CHILD_CHECK(!detach(self->slave));
}

TEST_F(port, unprivileged_holder_of_the_tty_can_detach)
{
	EXPECT_TRUE(run_as(self, NOBODY, detach_as));
	EXPECT_TRUE(WAIT_FOR(sysfs_port_of(self->name) < 0, 2000));
}

/* From another network namespace the port is not there: ENODEV */
static void other_netns(FIXTURE_DATA(port) *self, enum who w)
{
	struct answer *a = &self->a;
	struct raw r;

	CHILD_CHECK(!raw_open(&r));
	for (int i = 0; i < 2; i++) {
		req_port(&self->q, &r, i ? SERNET_CMD_PORT_SET :
			 SERNET_CMD_PORT_GET, self->idx);
		if (i)
			req_u32(&self->q, SERNET_A_UART_BAUD, 9600);
		child_ask(self, w, &r);
		CHILD_CHECK(a->err == -ENODEV);
		CHILD_CHECK(!strcmp(a->msg, "no such port"));
	}
	for (int i = 0; i < 2; i++) {
		req_start(&self->q, &r, r.family, NLM_F_DUMP,
			  i ? SERNET_CMD_CLIENT_GET : SERNET_CMD_PORT_GET);
		child_ask(self, w, &r);
		CHILD_CHECK(a->err == 0);
		for (int j = 0; j < a->nidx; j++)
			CHILD_CHECK(a->idx[j] != (uint32_t)self->idx);
	}
	raw_close(&r);
}

TEST_F(port, other_netns_cannot_see_or_change)
{
	int client = dial(self->tcp_port);

	ASSERT_LE(0, client);
	ASSERT_TRUE(WAIT_FOR(port_state_is(self->idx, "CONNECTED(1)"), 5000));
	EXPECT_TRUE(run_as(self, OTHER_NETNS, other_netns));
	close(client);
	ASSERT_TRUE(WAIT_FOR(port_state_is(self->idx, "LISTEN"), 5000));
	expect_unchanged(_metadata, self);
}

/*
 * A change for every writable file: a value it does not have. None
 * chooses a client mode, so nothing is dialled if a write gets through.
 * On a pty databits 7 and parity EVEN are refused (EINVAL) once past the
 * permission check; that is an answer other than the one wanted too.
 */
static const struct {
	const char *file, *value;
} sysfs_change[] = {
	{ "baud", "9600" }, { "databits", "7" }, { "stopbits", "2" },
	{ "parity", "EVEN" }, { "flow", "FC" }, { "pack_time", "20" },
	{ "pack_len", "100" }, { "uartclbuf", "ON" }, { "protocol", "UDPS" },
	{ "ip", "127.0.0.1" }, { "port", "1" }, { "local_port", "4000" },
	{ "udpon", "ON" }, { "socksl", "ON" }, { "shorto", "10" },
	{ "sockton", "60" }, { "max_clients", "4" }, { "full", "drop-oldest" },
};

static const char *change_for(const char *file)
{
	for (size_t i = 0; i < N(sysfs_change); i++)
		if (!strcmp(sysfs_change[i].file, file))
			return sysfs_change[i].value;
	return NULL;
}

/* 0, or the -errno of opening or writing the file */
static int sysfs_write(int idx, const char *file, const char *value)
{
	char path[PATH_MAX];
	int fd, err = 0;

	snprintf(path, sizeof(path), SYSFS_CLASS "/sernet%d/%s", idx, file);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) < 0)
		err = -errno;
	close(fd);
	return err;
}

/*
 * Every file reads; a write to every file with a write bit is refused:
 * EACCES for a user who is not root (file mode), EPERM for root without
 * CAP_NET_ADMIN.
 */
static void sysfs_refused(FIXTURE_DATA(port) *self, enum who w)
{
	int want = w == NOBODY ? -EACCES : -EPERM, wrong = 0, tried = 0;
	char path[PATH_MAX], buf[64];

	for (int i = 0; i < self->files.n; i++) {
		const char *file = self->files.name[i];
		const char *value = change_for(file) ?: "1";
		int err;

		snprintf(path, sizeof(path), SYSFS_CLASS "/sernet%d/%s",
			 self->idx, file);
		CHILD_CHECK(!read_file(path, buf, sizeof(buf)));
		if (!self->files.writable[i])
			continue;
		tried++;
		err = sysfs_write(self->idx, file, value);
		if (err != want) {
			fprintf(stderr, "# %s: %s %s: %s\n", who_name[w], file,
				value, err ? strerror(-err) : "written");
			wrong++;
		}
	}
	CHILD_CHECK(!wrong);
	CHILD_CHECK(tried == (int)N(sysfs_change));
}

/* The files Documentation/ABI/testing/sysfs-class-sernet says are (RW) */
static int documented_rw(char names[][48], int max)
{
	static const char prefix[] = "/sys/class/sernet/sernetN/";
	char path[PATH_MAX], line[512], what[MAX_FILES][48];
	int n = 0, nwhat = 0;
	bool desc = false;
	ssize_t len;
	FILE *f;

	/* the repository of this program: build/selftests/hostile_test */
	len = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (len <= 0)
		return -1;
	path[len] = '\0';
	for (int up = 0; up < 3; up++)
		*strrchr(path, '/') = '\0';
	strcat(path, "/Documentation/ABI/testing/sysfs-class-sernet");
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *t = line + strspn(line, " \t");

		if (!strncmp(line, "What:", 5)) {
			t = line + 5 + strspn(line + 5, " \t");
			t[strcspn(t, "\n")] = '\0';
			if (nwhat < MAX_FILES && !strncmp(t, prefix, strlen(prefix)))
				snprintf(what[nwhat++], sizeof(what[0]), "%s",
					 t + strlen(prefix));
		} else if (!strncmp(line, "Description:", 12)) {
			desc = true;
		} else if (desc && *t && *t != '\n') {
			/* the first line of a description says RO or RW */
			for (int i = 0; i < nwhat && n < max; i++)
				if (!strncmp(t, "(RW)", 4))
					snprintf(names[n++], 48, "%.47s", what[i]);
			desc = false;
			nwhat = 0;
		}
	}
	fclose(f);
	return n;
}

/*
 * The writable files are exactly those the ABI document lists as (RW),
 * and each has a change in sysfs_change: a new writable file fails here
 * until it is documented and tested by the two tests below.
 */
TEST_F(port, sysfs_writable_files_are_documented_and_tested)
{
	static char doc[MAX_FILES][48];
	int ndoc = documented_rw(doc, MAX_FILES), writable = 0;

	ASSERT_LT(0, ndoc);
	for (int i = 0; i < self->files.n; i++) {
		bool documented = false;

		if (!self->files.writable[i])
			continue;
		writable++;
		for (int j = 0; j < ndoc; j++)
			documented |= !strcmp(doc[j], self->files.name[i]);
		if (!documented || !change_for(self->files.name[i])) {
			TH_LOG("%s is writable, %s", self->files.name[i],
			       documented ? "but has no change in sysfs_change" :
					    "but not documented as (RW)");
			_metadata->passed = 0;
		}
	}
	for (int j = 0; j < ndoc; j++) {
		bool found = false;

		for (int i = 0; i < self->files.n; i++)
			found |= self->files.writable[i] &&
				 !strcmp(doc[j], self->files.name[i]);
		if (!found) {
			TH_LOG("%s is documented as (RW) but is not a writable file",
			       doc[j]);
			_metadata->passed = 0;
		}
	}
	TH_LOG("%d files, %d writable, %d documented (RW)", self->files.n,
	       writable, ndoc);
	EXPECT_EQ(ndoc, writable);
	EXPECT_EQ((int)N(sysfs_change), writable);
}

/* sysfs writes are root's: nobody reads every file and changes none */
TEST_F(port, sysfs_writes_refused_for_non_root)
{
	EXPECT_TRUE(run_as(self, NOBODY, sysfs_refused));
	expect_unchanged(_metadata, self);
}

/*
 * Changing a port needs CAP_NET_ADMIN over netlink: over sysfs too. Root
 * without it, and root of a user namespace (still uid 0 to the file
 * system), are refused.
 */
TEST_F(port, sysfs_writes_need_cap_net_admin)
{
	EXPECT_TRUE(run_as(self, NO_NET_ADMIN, sysfs_refused));
	EXPECT_TRUE(run_as(self, USERNS_ROOT, sysfs_refused));
	expect_unchanged(_metadata, self);
}

TEST_HARNESS_MAIN
