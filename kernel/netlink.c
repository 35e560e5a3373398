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

static struct netlink_range_validation sernet_baud_range = {
	.min = SERNET_BAUD_MIN,
	.max = SERNET_BAUD_MAX,
};

static struct netlink_range_validation sernet_sockton_range = {
	.min = 1,
	.max = 99999,
};

/* The K3's ranges; anything outside is refused before a change is made. */
static const struct nla_policy sernet_port_set_policy[SERNET_A_MAX + 1] = {
	[SERNET_A_PORT_INDEX]	= { .type = NLA_U32 },
	[SERNET_A_UART_BAUD]	= NLA_POLICY_FULL_RANGE(NLA_U32,
							&sernet_baud_range),
	[SERNET_A_UART_DATABITS] = NLA_POLICY_RANGE(NLA_U8, 5, 8),
	[SERNET_A_UART_STOPBITS] = NLA_POLICY_RANGE(NLA_U8, 1, 2),
	[SERNET_A_UART_PARITY]	= NLA_POLICY_MAX(NLA_U8, SERNET_PARITY_MAX),
	[SERNET_A_UART_FLOW]	= NLA_POLICY_MAX(NLA_U8, SERNET_FLOW_MAX),
	[SERNET_A_PACK_TIME]	= NLA_POLICY_MAX(NLA_U16, SERNET_PACK_TIME_MAX),
	[SERNET_A_PACK_LEN]	= NLA_POLICY_MAX(NLA_U16, SERNET_PACK_LEN_MAX),
	[SERNET_A_SOCK_PROTO]	= NLA_POLICY_MAX(NLA_U8, SERNET_PROTO_MAX),
	[SERNET_A_SOCK_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
	[SERNET_A_SOCK_MAX_CLIENTS] = NLA_POLICY_RANGE(NLA_U16, 1,
						       SERNET_MAX_CLIENTS_MAX),
	[SERNET_A_SOCK_FULL]	= NLA_POLICY_MAX(NLA_U8, SERNET_FULL_MAX),
	[SERNET_A_SOCK_ADDR]	= NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[SERNET_A_SOCK_LOCAL_PORT] = { .type = NLA_U16 },
	[SERNET_A_SOCKSL]	= NLA_POLICY_MAX(NLA_U8, 1),
	[SERNET_A_UDPON]	= NLA_POLICY_MAX(NLA_U8, 1),
	[SERNET_A_UARTCLBUF]	= NLA_POLICY_MAX(NLA_U8, 1),
	[SERNET_A_SHORTO]	= NLA_POLICY_RANGE(NLA_U16, 2, 255),
	[SERNET_A_SOCKTON]	= NLA_POLICY_FULL_RANGE(NLA_U32,
							&sernet_sockton_range),
	/* reported by GET, not set */
	[SERNET_A_PACK_TIME_US]	= { .type = NLA_REJECT },
	[SERNET_A_SOCK_STATUS]	= { .type = NLA_REJECT },
	[SERNET_A_PEER]		= { .type = NLA_REJECT },
	[SERNET_A_PORT_TTY]	= { .type = NLA_REJECT },
	[SERNET_A_PORT_STATE]	= { .type = NLA_REJECT },
	[SERNET_A_PORT_STATS]	= { .type = NLA_REJECT },
};

static int sernet_nl_fill_port(struct sk_buff *skb, struct sernet_port *port,
			       u32 portid, u32 seq, int flags, u8 cmd)
{
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
	    nla_put_u32(skb, SERNET_A_PORT_STATE, port->state))
		goto cancel;

	mutex_lock(&port->lock);
	sernet_config_get(port, &cfg);
	pack_us = div_u64(sernet_pack_time_ns(port), NSEC_PER_USEC);
	mutex_unlock(&port->lock);
	sernet_status_copy(port, status);
	if (nla_put_u32(skb, SERNET_A_UART_BAUD, cfg.baud) ||
	    nla_put_u8(skb, SERNET_A_UART_DATABITS, cfg.databits) ||
	    nla_put_u8(skb, SERNET_A_UART_STOPBITS, cfg.stopbits) ||
	    nla_put_u8(skb, SERNET_A_UART_PARITY, cfg.parity) ||
	    nla_put_u8(skb, SERNET_A_UART_FLOW, cfg.flow) ||
	    nla_put_u16(skb, SERNET_A_PACK_TIME, cfg.pack_time) ||
	    nla_put_u16(skb, SERNET_A_PACK_LEN, cfg.pack_len) ||
	    nla_put_u32(skb, SERNET_A_PACK_TIME_US, pack_us) ||
	    nla_put_u8(skb, SERNET_A_SOCK_PROTO, cfg.proto) ||
	    nla_put_u16(skb, SERNET_A_SOCK_PORT, cfg.port) ||
	    nla_put_u16(skb, SERNET_A_SOCK_MAX_CLIENTS, cfg.max_clients) ||
	    nla_put_u8(skb, SERNET_A_SOCK_FULL, cfg.full) ||
	    nla_put(skb, SERNET_A_SOCK_ADDR, cfg.addr_len, cfg.addr) ||
	    nla_put_u16(skb, SERNET_A_SOCK_LOCAL_PORT, cfg.local_port) ||
	    nla_put_u8(skb, SERNET_A_SOCKSL, cfg.socksl) ||
	    nla_put_u16(skb, SERNET_A_SHORTO, cfg.shorto) ||
	    nla_put_u32(skb, SERNET_A_SOCKTON, cfg.sockton) ||
	    nla_put_u8(skb, SERNET_A_UDPON, cfg.udpon) ||
	    nla_put_u8(skb, SERNET_A_UARTCLBUF, cfg.clbuf) ||
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
	struct sernet_config cfg = {};
	struct sernet_port *port;
	u64 mask = 0;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SERNET_A_PORT_INDEX))
		return -EINVAL;

	/* The policy checked every range; gather what is there. */
	if (tb[SERNET_A_UART_BAUD])
		cfg.baud = nla_get_u32(tb[SERNET_A_UART_BAUD]);
	if (tb[SERNET_A_UART_DATABITS])
		cfg.databits = nla_get_u8(tb[SERNET_A_UART_DATABITS]);
	if (tb[SERNET_A_UART_STOPBITS])
		cfg.stopbits = nla_get_u8(tb[SERNET_A_UART_STOPBITS]);
	if (tb[SERNET_A_UART_PARITY])
		cfg.parity = nla_get_u8(tb[SERNET_A_UART_PARITY]);
	if (tb[SERNET_A_UART_FLOW])
		cfg.flow = nla_get_u8(tb[SERNET_A_UART_FLOW]);
	if (tb[SERNET_A_PACK_TIME])
		cfg.pack_time = nla_get_u16(tb[SERNET_A_PACK_TIME]);
	if (tb[SERNET_A_PACK_LEN])
		cfg.pack_len = nla_get_u16(tb[SERNET_A_PACK_LEN]);
	if (tb[SERNET_A_SOCK_PROTO])
		cfg.proto = nla_get_u8(tb[SERNET_A_SOCK_PROTO]);
	if (tb[SERNET_A_SOCK_PORT])
		cfg.port = nla_get_u16(tb[SERNET_A_SOCK_PORT]);
	if (tb[SERNET_A_SOCK_MAX_CLIENTS])
		cfg.max_clients = nla_get_u16(tb[SERNET_A_SOCK_MAX_CLIENTS]);
	if (tb[SERNET_A_SOCK_FULL])
		cfg.full = nla_get_u8(tb[SERNET_A_SOCK_FULL]);
	if (tb[SERNET_A_SOCK_ADDR]) {
		cfg.addr_len = nla_len(tb[SERNET_A_SOCK_ADDR]);
		if (cfg.addr_len != 4 && cfg.addr_len != 16) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[SERNET_A_SOCK_ADDR],
					    "an address is 4 (IPv4) or 16 (IPv6) bytes");
			return -EINVAL;
		}
		nla_memcpy(cfg.addr, tb[SERNET_A_SOCK_ADDR], cfg.addr_len);
	}
	if (tb[SERNET_A_SOCK_LOCAL_PORT])
		cfg.local_port = nla_get_u16(tb[SERNET_A_SOCK_LOCAL_PORT]);
	if (tb[SERNET_A_SOCKSL])
		cfg.socksl = nla_get_u8(tb[SERNET_A_SOCKSL]);
	if (tb[SERNET_A_SHORTO])
		cfg.shorto = nla_get_u16(tb[SERNET_A_SHORTO]);
	if (tb[SERNET_A_SOCKTON])
		cfg.sockton = nla_get_u32(tb[SERNET_A_SOCKTON]);
	if (tb[SERNET_A_UDPON])
		cfg.udpon = nla_get_u8(tb[SERNET_A_UDPON]);
	if (tb[SERNET_A_UARTCLBUF])
		cfg.clbuf = nla_get_u8(tb[SERNET_A_UARTCLBUF]);
	for (int i = SERNET_A_UART_BAUD; i <= SERNET_A_MAX; i++)
		if (tb[i])
			mask |= BIT_ULL(i);

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

	err = register_pernet_subsys(&sernet_net_ops);
	if (err)
		return err;

	err = genl_register_family(&sernet_nl_family);
	if (err)
		unregister_pernet_subsys(&sernet_net_ops);
	return err;
}

void sernet_netlink_exit(void)
{
	genl_unregister_family(&sernet_nl_family);
	unregister_pernet_subsys(&sernet_net_ops);
}

MODULE_ALIAS_GENL_FAMILY(SERNET_GENL_NAME);
