// SPDX-License-Identifier: GPL-2.0
/*
 * sernet: generic netlink family "sernet".
 *
 * PORT_GET reads one port or dumps all ports of the caller's network
 * namespace; the "events" group carries PORT_ADDED and PORT_REMOVED.
 */
#include <linux/math64.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <net/netlink.h>

#include "sernet.h"
#include "conn.h"

static const struct genl_multicast_group sernet_mcgrps[] = {
	[SERNET_MCGRP_EVENTS_ID] = { .name = SERNET_MCGRP_EVENTS, },
};

static const struct nla_policy sernet_port_get_policy[SERNET_A_PORT_INDEX + 1] = {
	[SERNET_A_PORT_INDEX] = { .type = NLA_U32 },
};

/*
 * The policy of a setting of each type. An address's lengths are in the
 * policy itself: the policy a request's error reports says them so.
 */
#define SERNET_POLICY_U8(lo, hi, range) NLA_POLICY_FULL_RANGE(NLA_U8, range)
#define SERNET_POLICY_U16(lo, hi, range) NLA_POLICY_FULL_RANGE(NLA_U16, range)
#define SERNET_POLICY_U32(lo, hi, range) NLA_POLICY_FULL_RANGE(NLA_U32, range)
#define SERNET_POLICY_BINARY(lo, hi, range) NLA_POLICY_RANGE(NLA_BINARY, lo, hi)

static const struct nla_policy sernet_port_set_policy[SERNET_A_MAX + 1] = {
	[SERNET_A_PORT_INDEX]	= { .type = NLA_U32 },
	/* each setting: the range of its row, checked before a change */
#define SERNET_SETTING(a, t, f, file, how, dflt, lo, hi, ...)		\
	[SERNET_A_##a] = SERNET_POLICY_##t(lo, hi,			\
				&sernet_settings[SERNET_S_##a].range),
#include "settings_table.h"
#undef SERNET_SETTING
	/* reported by GET, not set */
	[SERNET_A_PACK_TIME_US]	= { .type = NLA_REJECT },
	[SERNET_A_SOCK_STATUS]	= { .type = NLA_REJECT },
	[SERNET_A_PEER]		= { .type = NLA_REJECT },
	[SERNET_A_PORT_TTY]	= { .type = NLA_REJECT },
	[SERNET_A_PORT_STATE]	= { .type = NLA_REJECT },
	[SERNET_A_PORT_STATS]	= { .type = NLA_REJECT },
	[SERNET_A_PORT_RESTART]	= { .type = NLA_FLAG },
};

static const struct nla_policy sernet_at_reply_policy[SERNET_A_MAX + 1] = {
	[SERNET_A_PORT_INDEX]	= { .type = NLA_U32 },
	[SERNET_A_AT_DATA]	= { .type = NLA_BINARY, .len = SERNET_AT_REPLY_MAX },
	[SERNET_A_PORT_MODE]	= NLA_POLICY_MAX(NLA_U8, SERNET_PORT_MODE_WORK),
};

static int sernet_nl_fill_port(struct sk_buff *skb, struct sernet_port *port,
			       u32 portid, u32 seq, int flags, u8 cmd)
{
	const struct sernet_setting *s;
	char status[SERNET_STATUS_MAX];
	struct sernet_config cfg;
	struct nlattr *stats;
	u32 pack_us;
	void *hdr;
	int i;

	hdr = genlmsg_put(skb, portid, seq, &sernet_nl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;

	if (nla_put_u32(skb, SERNET_A_PORT_INDEX, port->index) ||
	    nla_put_string(skb, SERNET_A_PORT_TTY, port->tty_name) ||
	    nla_put_u32(skb, SERNET_A_PORT_STATE, port->state) ||
	    nla_put_u8(skb, SERNET_A_PORT_MODE, READ_ONCE(port->at.mode)))
		goto cancel;

	mutex_lock(&port->lock);
	sernet_config_get(port, &cfg);
	pack_us = div_u64(sernet_pack_time_ns(port), NSEC_PER_USEC);
	mutex_unlock(&port->lock);
	sernet_status_copy(port, status);
	for (s = sernet_settings; s < SERNET_SETTINGS_END; s++) {
		u32 v = sernet_setting_get(s, &cfg);

		if (s->type == NLA_U8 ? nla_put_u8(skb, s->attr, v) :
		    s->type == NLA_U16 ? nla_put_u16(skb, s->attr, v) :
		    s->type == NLA_U32 ? nla_put_u32(skb, s->attr, v) :
		    nla_put(skb, s->attr, cfg.addr_len, cfg.addr))
			goto cancel;
	}
	if (nla_put_u32(skb, SERNET_A_PACK_TIME_US, pack_us) ||
	    nla_put_string(skb, SERNET_A_SOCK_STATUS, status))
		goto cancel;

	stats = nla_nest_start(skb, SERNET_A_PORT_STATS);
	if (!stats)
		goto cancel;
	for (i = SERNET_STATS_RX_BYTES; i <= SERNET_STATS_MAX; i++) {
		if (i == SERNET_STATS_PAD)
			continue;
		if (nla_put_u64_64bit(skb, i, atomic64_read(&port->stats[i]),
				      SERNET_STATS_PAD)) {
			nla_nest_cancel(skb, stats);
			goto cancel;
		}
	}
	nla_nest_end(skb, stats);

	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int sernet_nl_port_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sernet_port *port;
	struct sk_buff *msg;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SERNET_A_PORT_INDEX))
		return -EINVAL;

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	mutex_lock(&sernet_ports_lock);
	port = sernet_port_find(genl_info_net(info),
				nla_get_u32(info->attrs[SERNET_A_PORT_INDEX]));
	if (!port) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[SERNET_A_PORT_INDEX],
				    "no such port");
		err = -ENODEV;
	} else {
		err = sernet_nl_fill_port(msg, port, info->snd_portid,
					  info->snd_seq, 0,
					  SERNET_CMD_PORT_GET);
	}
	mutex_unlock(&sernet_ports_lock);

	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static int sernet_nl_port_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	const struct sernet_setting *s;
	struct sernet_config cfg = {};
	struct sernet_port *port;
	u64 mask = 0;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SERNET_A_PORT_INDEX))
		return -EINVAL;

	/* The policy checked every range; gather what is there. */
	for (s = sernet_settings; s < SERNET_SETTINGS_END; s++) {
		const struct nlattr *a = tb[s->attr];

		if (!a)
			continue;
		mask |= BIT_ULL(s->attr);
		if (s->type != NLA_BINARY) {
			*sernet_setting_at(s, &cfg) =
				s->type == NLA_U8 ? nla_get_u8(a) :
				s->type == NLA_U16 ? nla_get_u16(a) :
				nla_get_u32(a);
			continue;
		}
		if (nla_len(a) != 4 && nla_len(a) != 16) {
			NL_SET_ERR_MSG_ATTR(info->extack, a,
					    "an address is 4 (IPv4) or 16 (IPv6) bytes");
			return -EINVAL;
		}
		cfg.addr_len = nla_memcpy(cfg.addr, a, sizeof(cfg.addr));
	}

	if (tb[SERNET_A_PORT_RESTART])
		mask |= BIT_ULL(SERNET_A_PORT_RESTART);

	mutex_lock(&sernet_ports_lock);
	port = sernet_port_find(genl_info_net(info),
				nla_get_u32(tb[SERNET_A_PORT_INDEX]));
	if (port)
		get_device(&port->dev);
	mutex_unlock(&sernet_ports_lock);
	if (!port) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SERNET_A_PORT_INDEX],
				    "no such port");
		return -ENODEV;
	}

	err = sernet_config_set(port, &cfg, mask, info->extack);
	put_device(&port->dev);
	return err;
}

/* Where a dump of connections is: the next message, and how far it got */
struct sernet_nl_conns {
	struct sk_buff *skb;
	u32 portid;
	u32 seq;
	unsigned long seen;
	unsigned long *done;	/* sent in an earlier part of the dump */
};

static int sernet_nl_fill_conn(struct sernet_conn *c, void *arg)
{
	struct sernet_nl_conns *d = arg;
	void *hdr;

	if (d->seen++ < *d->done)
		return 0;
	hdr = genlmsg_put(d->skb, d->portid, d->seq, &sernet_nl_family,
			  NLM_F_MULTI, SERNET_CMD_CLIENT_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (sernet_nl_put_conn(d->skb, c)) {
		genlmsg_cancel(d->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(d->skb, hdr);
	(*d->done)++;
	return 0;
}

/* Caller holds sernet_ports_lock. Events are best effort. */
void sernet_nl_notify(struct sernet_port *port, u8 cmd)
{
	struct net *net = read_pnet(&port->net);
	struct sk_buff *msg;

	if (!genl_has_listeners(&sernet_nl_family, net,
				SERNET_MCGRP_EVENTS_ID))
		return;

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return;
	if (sernet_nl_fill_port(msg, port, 0, 0, 0, cmd)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_multicast_netns(&sernet_nl_family, net, msg, 0,
				SERNET_MCGRP_EVENTS_ID, GFP_KERNEL);
}

/*
 * A dump over the ports of the caller's namespace: fill() puts one port's
 * messages; cb->args[0] is the next port, cb->args[1] is fill()'s own.
 */
static int sernet_nl_dump(struct sk_buff *skb, struct netlink_callback *cb,
			  int (*fill)(struct sk_buff *skb,
				      struct sernet_port *port,
				      struct netlink_callback *cb))
{
	struct net *net = sock_net(skb->sk);
	struct sernet_port *port;
	unsigned long index;
	int err = 0;

	mutex_lock(&sernet_ports_lock);
	xa_for_each_start(&sernet_ports, index, port, cb->args[0]) {
		if (!net_eq(read_pnet(&port->net), net))
			continue;
		err = fill(skb, port, cb);
		if (err)
			break;
		cb->args[0] = index + 1;
		cb->args[1] = 0;
	}
	mutex_unlock(&sernet_ports_lock);

	/* A full skb ends this part of the dump; the next part resumes. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}

static int sernet_nl_dump_port(struct sk_buff *skb, struct sernet_port *port,
			       struct netlink_callback *cb)
{
	return sernet_nl_fill_port(skb, port, NETLINK_CB(cb->skb).portid,
				   cb->nlh->nlmsg_seq, NLM_F_MULTI,
				   SERNET_CMD_PORT_GET);
}

static int sernet_nl_port_get_dumpit(struct sk_buff *skb,
				     struct netlink_callback *cb)
{
	return sernet_nl_dump(skb, cb, sernet_nl_dump_port);
}

/* The connections of a port, a message each, after those sent before */
static int sernet_nl_dump_clients(struct sk_buff *skb,
				  struct sernet_port *port,
				  struct netlink_callback *cb)
{
	struct sernet_nl_conns d = {
		.skb = skb,
		.portid = NETLINK_CB(cb->skb).portid,
		.seq = cb->nlh->nlmsg_seq,
		.done = &cb->args[1],
	};
	int err;

	mutex_lock(&port->lock);
	err = sernet_conns_for_each(port, sernet_nl_fill_conn, &d);
	mutex_unlock(&port->lock);
	return err;
}

/* CLIENT_GET: every connection of the caller's namespace, port by port */
static int sernet_nl_client_get_dumpit(struct sk_buff *skb,
				       struct netlink_callback *cb)
{
	return sernet_nl_dump(skb, cb, sernet_nl_dump_clients);
}

static const struct genl_ops sernet_genl_ops[] = {
	{
		.cmd		= SERNET_CMD_PORT_GET,
		.doit		= sernet_nl_port_get_doit,
		.dumpit		= sernet_nl_port_get_dumpit,
		.policy		= sernet_port_get_policy,
		.maxattr	= ARRAY_SIZE(sernet_port_get_policy) - 1,
	},
	{
		.cmd		= SERNET_CMD_PORT_SET,
		.doit		= sernet_nl_port_set_doit,
		.policy		= sernet_port_set_policy,
		.maxattr	= ARRAY_SIZE(sernet_port_set_policy) - 1,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= SERNET_CMD_CLIENT_GET,
		.dumpit		= sernet_nl_client_get_dumpit,
		.policy		= sernet_port_get_policy,
		.maxattr	= ARRAY_SIZE(sernet_port_get_policy) - 1,
	},
	{
		.cmd		= SERNET_CMD_AGENT_REGISTER,
		.doit		= sernet_nl_agent_register_doit,
		.policy		= sernet_port_get_policy,
		.maxattr	= ARRAY_SIZE(sernet_port_get_policy) - 1,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= SERNET_CMD_AT_REPLY,
		.doit		= sernet_nl_at_reply_doit,
		.policy		= sernet_at_reply_policy,
		.maxattr	= ARRAY_SIZE(sernet_at_reply_policy) - 1,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
};

struct genl_family sernet_nl_family __ro_after_init = {
	.name		= SERNET_GENL_NAME,
	.version	= SERNET_GENL_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= sernet_genl_ops,
	.n_ops		= ARRAY_SIZE(sernet_genl_ops),
	.resv_start_op	= 0,
	.mcgrps		= sernet_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(sernet_mcgrps),
};

static void __net_exit sernet_net_pre_exit(struct net *net)
{
	sernet_ports_net_exit(net);
}

static struct pernet_operations sernet_net_ops = {
	.pre_exit = sernet_net_pre_exit,
};

int sernet_netlink_init(void)
{
	int err;

	err = sernet_chan_init();
	if (err)
		return err;
	err = register_pernet_subsys(&sernet_net_ops);
	if (err)
		goto err_chan;

	err = genl_register_family(&sernet_nl_family);
	if (err)
		goto err_pernet;
	return 0;

err_pernet:
	unregister_pernet_subsys(&sernet_net_ops);
err_chan:
	sernet_chan_exit();
	return err;
}

void sernet_netlink_exit(void)
{
	genl_unregister_family(&sernet_nl_family);
	unregister_pernet_subsys(&sernet_net_ops);
	sernet_chan_exit();
}

MODULE_ALIAS_GENL_FAMILY(SERNET_GENL_NAME);
