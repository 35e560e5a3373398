// SPDX-License-Identifier: MIT
/* sernet userspace: talking to the sernet module over generic netlink. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "sernet_nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct reply_ctx {
	struct sernet_nl *nl;
	struct sernet_port_list *list;	/* for dumps */
	struct sernet_port_info *port;	/* for a single get */
	int err;
	int done;	/* the ack, the error or the end of the dump came */
};

/* The range in an extack policy, as " (allowed MIN..MAX)" */
static void policy_range(struct nlattr *pol, char *buf, size_t len)
{
	struct nlattr *tb[NL_POLICY_TYPE_ATTR_MAX + 1];

	buf[0] = '\0';
	if (nla_parse_nested(tb, NL_POLICY_TYPE_ATTR_MAX, pol, NULL))
		return;
	if (tb[NL_POLICY_TYPE_ATTR_MIN_VALUE_U] &&
	    tb[NL_POLICY_TYPE_ATTR_MAX_VALUE_U])
		snprintf(buf, len, " (allowed %llu..%llu)",
			 (unsigned long long)nla_get_u64(tb[NL_POLICY_TYPE_ATTR_MIN_VALUE_U]),
			 (unsigned long long)nla_get_u64(tb[NL_POLICY_TYPE_ATTR_MAX_VALUE_U]));
}

/*
 * Keep the kernel's extack message for the caller to print, naming the
 * attribute it points at and the range its policy allows.
 */
static int error_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct reply_ctx *ctx = arg;
	struct nlmsghdr *nlh = (struct nlmsghdr *)e - 1;
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { 0 };
	const char *msg = NULL, *name = NULL;
	size_t hlen = sizeof(*e);
	char range[64] = "";

	(void)nla;
	ctx->err = e->error;
	ctx->done = 1;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		hlen += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if ((size_t)nlh->nlmsg_len <= sizeof(*nlh) + hlen)
		return NL_STOP;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)e + hlen),
		      nlh->nlmsg_len - sizeof(*nlh) - hlen, NULL))
		return NL_STOP;
	if (tb[NLMSGERR_ATTR_MSG])
		msg = nla_get_string(tb[NLMSGERR_ATTR_MSG]);
	/* The offset points into our request, echoed whole when not capped */
	if (tb[NLMSGERR_ATTR_OFFS] && !(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		uint32_t off = nla_get_u32(tb[NLMSGERR_ATTR_OFFS]);

		if (off + sizeof(struct nlattr) <= e->msg.nlmsg_len)
			name = sernet_attr_name(((struct nlattr *)
				((char *)&e->msg + off))->nla_type);
	}
	if (tb[NLMSGERR_ATTR_MISS_TYPE]) {
		name = sernet_attr_name(nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]));
		if (!msg)
			msg = "missing";
	}
	if (tb[NLMSGERR_ATTR_POLICY])
		policy_range(tb[NLMSGERR_ATTR_POLICY], range, sizeof(range));
	if (msg || name)
		snprintf(ctx->nl->errmsg, sizeof(ctx->nl->errmsg), "%s%s%s%s",
			 name ? name : "", name && msg ? ": " : "",
			 msg ? msg : "invalid", range);
	return NL_STOP;
}

static int port_cb(struct nl_msg *msg, void *arg)
{
	struct reply_ctx *ctx = arg;
	struct sernet_port_info port;
	const char *why;

	if (sernet_port_parse(nlmsg_hdr(msg), &port, &why)) {
		snprintf(ctx->nl->errmsg, sizeof(ctx->nl->errmsg), "%s", why);
		ctx->err = -EPROTO;
		return NL_STOP;
	}
	if (ctx->port)
		*ctx->port = port;
	else if (sernet_port_list_add(ctx->list, &port))
		ctx->err = -ENOMEM;
	return ctx->err ? NL_STOP : NL_OK;
}

static int done_cb(struct nl_msg *msg, void *arg)
{
	struct reply_ctx *ctx = arg;

	(void)msg;
	ctx->done = 1;
	return NL_STOP;
}

static int libnl_errno(int nlerr)
{
	switch (-nlerr) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_PERM:
		return -EPERM;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	default:
		return -EIO;
	}
}

int sernet_nl_open(struct sernet_nl *nl)
{
	int one = 1, err;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		snprintf(nl->errmsg, sizeof(nl->errmsg), "out of memory");
		return -ENOMEM;
	}
	err = genl_connect(nl->sk);
	if (err < 0) {
		snprintf(nl->errmsg, sizeof(nl->errmsg),
			 "cannot open a generic netlink socket: %s",
			 nl_geterror(err));
		goto fail;
	}
	/* Ask for error strings; older kernels simply ignore it. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	nl->family = genl_ctrl_resolve(nl->sk, SERNET_GENL_NAME);
	if (nl->family < 0) {
		err = nl->family;
		snprintf(nl->errmsg, sizeof(nl->errmsg),
			 "generic netlink family \"%s\" not found: is the sernet module loaded?",
			 SERNET_GENL_NAME);
		goto fail;
	}
	return 0;
fail:
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	return libnl_errno(err);
}

void sernet_nl_close(struct sernet_nl *nl)
{
	nl_socket_free(nl->sk);
	nl->sk = NULL;
}

static int request(struct sernet_nl *nl, struct nl_msg *msg,
		   struct reply_ctx *ctx)
{
	struct nl_cb *cb;
	int err;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, port_cb, ctx);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, done_cb, ctx);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, done_cb, ctx);
	nl_cb_err(cb, NL_CB_CUSTOM, error_cb, ctx);

	nl->errmsg[0] = '\0';
	err = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (err < 0) {
		nl_cb_put(cb);
		snprintf(nl->errmsg, sizeof(nl->errmsg), "send: %s",
			 nl_geterror(err));
		return libnl_errno(err);
	}
	/* Read up to the ack (or error, or end of dump) of this request. */
	do {
		err = nl_recvmsgs(nl->sk, cb);
	} while (err >= 0 && !ctx->done && !ctx->err);
	nl_cb_put(cb);
	if (ctx->err)
		return ctx->err;
	if (err < 0) {
		snprintf(nl->errmsg, sizeof(nl->errmsg), "receive: %s",
			 nl_geterror(err));
		return libnl_errno(err);
	}
	return 0;
}

static struct nl_msg *new_request(struct sernet_nl *nl, int flags, uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
			 flags, cmd, SERNET_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* A dump of cmd, a message each into list */
static int dump(struct sernet_nl *nl, uint8_t cmd, struct sernet_port_list *list)
{
	struct reply_ctx ctx = { .nl = nl, .list = list };
	struct nl_msg *msg = new_request(nl, NLM_F_DUMP, cmd);

	if (!msg)
		return -ENOMEM;
	return request(nl, msg, &ctx);
}

int sernet_nl_dump_ports(struct sernet_nl *nl, struct sernet_port_list *list)
{
	return dump(nl, SERNET_CMD_PORT_GET, list);
}

int sernet_nl_dump_clients(struct sernet_nl *nl,
			   struct sernet_port_list *clients)
{
	return dump(nl, SERNET_CMD_CLIENT_GET, clients);
}

int sernet_nl_get_port(struct sernet_nl *nl, uint32_t index,
		       struct sernet_port_info *port)
{
	struct reply_ctx ctx = { .nl = nl, .port = port };
	struct nl_msg *msg;

	msg = new_request(nl, 0, SERNET_CMD_PORT_GET);
	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, SERNET_A_PORT_INDEX, index) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return request(nl, msg, &ctx);
}

int sernet_nl_set_port(struct sernet_nl *nl, uint32_t index,
		       const struct sernet_set *set)
{
	struct reply_ctx ctx = { .nl = nl };
	struct nl_msg *msg;
	int err = 0;

	msg = new_request(nl, 0, SERNET_CMD_PORT_SET);
	if (!msg)
		return -ENOMEM;
	err |= nla_put_u32(msg, SERNET_A_PORT_INDEX, index);
	for (size_t i = 0; i < sernet_setting_field_count; i++) {
		const struct sernet_setting_field *f = &sernet_setting_fields[i];

		/* size 0: the address, of its own length */
		if (set->mask & (1ULL << f->attr))
			err |= nla_put(msg, f->attr,
				       f->size ? f->size : set->cfg.addr_len,
				       (const uint8_t *)&set->cfg + f->offset);
	}
	/* not a setting: restart the transport (AT+Z) */
	if (set->mask & (1ULL << SERNET_A_PORT_RESTART))
		err |= nla_put_flag(msg, SERNET_A_PORT_RESTART);
	if (err) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return request(nl, msg, &ctx);
}
