// SPDX-License-Identifier: GPL-2.0
/*
 * sernet: the channel to the agent (the user-space daemon that answers AT
 * commands). One netlink socket per network namespace registers itself as
 * the agent (AGENT_REGISTER, CAP_NET_ADMIN in the namespace's user
 * namespace); a second one cannot take it while the first lives. The
 * registration ends when that socket is released: the netlink notifier
 * says so (NETLINK_URELEASE). Only the registered socket may send
 * AT_REPLY; command lines go to it alone, never to a multicast group.
 *
 * The portids are under sernet_chan_lock, a leaf spinlock taken from the
 * requests and the notifier (process context), nothing else held.
 */
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <net/genetlink.h>
#include <net/netns/generic.h>

#include "sernet.h"

struct sernet_chan_net {
	u32 agent;	/* the agent's portid, 0 = none */
};

static unsigned int sernet_chan_net_id __read_mostly;
static DEFINE_SPINLOCK(sernet_chan_lock);

static struct sernet_chan_net *sernet_chan_net(struct net *net)
{
	return net_generic(net, sernet_chan_net_id);
}

/* The agent's portid in @net, 0 if none */
u32 sernet_chan_agent(struct net *net)
{
	u32 portid;

	spin_lock_bh(&sernet_chan_lock);
	portid = sernet_chan_net(net)->agent;
	spin_unlock_bh(&sernet_chan_lock);
	return portid;
}

int sernet_nl_agent_register_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sernet_chan_net *cn = sernet_chan_net(genl_info_net(info));
	int err = 0;

	spin_lock_bh(&sernet_chan_lock);
	if (cn->agent && cn->agent != info->snd_portid)
		err = -EBUSY;
	else
		cn->agent = info->snd_portid;
	spin_unlock_bh(&sernet_chan_lock);
	if (err)
		NL_SET_ERR_MSG(info->extack,
			       "another socket is the agent of this namespace");
	return err;
}

int sernet_nl_at_reply_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sernet_port *port;
	struct nlattr *data;
	int err = -ENODEV;

	if (sernet_chan_agent(genl_info_net(info)) != info->snd_portid) {
		NL_SET_ERR_MSG(info->extack,
			       "only the registered agent replies");
		return -EPERM;
	}
	if (GENL_REQ_ATTR_CHECK(info, SERNET_A_PORT_INDEX) ||
	    GENL_REQ_ATTR_CHECK(info, SERNET_A_AT_DATA))
		return -EINVAL;
	data = info->attrs[SERNET_A_AT_DATA];
	mutex_lock(&sernet_ports_lock);
	port = xa_load(&sernet_ports,
		       nla_get_u32(info->attrs[SERNET_A_PORT_INDEX]));
	if (port && net_eq(read_pnet(&port->net), genl_info_net(info)))
		err = sernet_at_reply(port, nla_data(data), nla_len(data),
				      !!info->attrs[SERNET_A_PORT_MODE]);
	mutex_unlock(&sernet_ports_lock);
	if (err == -ENODEV)
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[SERNET_A_PORT_INDEX],
				    "no such port");
	else if (err == -EINVAL)
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[SERNET_A_PORT_INDEX],
				    "the port is not in command mode");
	return err;
}

/* The agent of @net went: no port of it stays in a mode nobody serves */
static void sernet_chan_gone(struct net *net)
{
	struct sernet_port *port;
	unsigned long index;

	mutex_lock(&sernet_ports_lock);
	xa_for_each(&sernet_ports, index, port)
		if (net_eq(read_pnet(&port->net), net))
			sernet_at_leave(port);
	mutex_unlock(&sernet_ports_lock);
}

/* A netlink socket was released: if it was an agent, it is no more. */
static int sernet_chan_release(struct notifier_block *nb, unsigned long event,
			       void *ptr)
{
	struct netlink_notify *n = ptr;
	struct sernet_chan_net *cn;
	bool gone = false;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC ||
	    !n->portid)
		return NOTIFY_DONE;
	cn = sernet_chan_net(n->net);
	spin_lock_bh(&sernet_chan_lock);
	if (cn->agent == n->portid) {
		cn->agent = 0;
		gone = true;
	}
	spin_unlock_bh(&sernet_chan_lock);
	if (gone)
		sernet_chan_gone(n->net);
	return NOTIFY_DONE;
}

static struct notifier_block sernet_chan_nb = {
	.notifier_call = sernet_chan_release,
};

static struct pernet_operations sernet_chan_net_ops = {
	.id = &sernet_chan_net_id,
	.size = sizeof(struct sernet_chan_net),
};

int sernet_chan_init(void)
{
	int err;

	err = register_pernet_subsys(&sernet_chan_net_ops);
	if (err)
		return err;
	err = netlink_register_notifier(&sernet_chan_nb);
	if (err)
		unregister_pernet_subsys(&sernet_chan_net_ops);
	return err;
}

void sernet_chan_exit(void)
{
	netlink_unregister_notifier(&sernet_chan_nb);
	unregister_pernet_subsys(&sernet_chan_net_ops);
}
