// SPDX-License-Identifier: GPL-2.0
/*
 * sernet: what a port reports as it runs: its status (AT+SOCKLKA) and the
 * events of the "events" group (status changes, connections coming and
 * going). Called from the transports, on the port's workqueue or under
 * port->lock; takes no lock but the status one.
 */
#include <net/genetlink.h>
#include <net/netlink.h>

#include "sernet.h"
#include "conn.h"

/* Set the status; a change is announced on the events group. */
void sernet_set_state(struct sernet_port *port, enum sernet_port_state state,
		      const char *status)
{
	bool changed;

	spin_lock_bh(&port->status_lock);
	changed = strcmp(port->status, status);
	port->state = state;
	strscpy(port->status, status, sizeof(port->status));
	spin_unlock_bh(&port->status_lock);
	if (changed && port->dev.kobj.state_in_sysfs)
		sernet_nl_status(port);
}

/* The status string, read whole */
void sernet_status_copy(struct sernet_port *port, char buf[SERNET_STATUS_MAX])
{
	spin_lock_bh(&port->status_lock);
	strscpy(buf, port->status, SERNET_STATUS_MAX);
	spin_unlock_bh(&port->status_lock);
}

/* A new message for the events group, or NULL if nobody listens */
static struct sk_buff *sernet_nl_event_new(struct sernet_port *port, u8 cmd,
					   void **hdr)
{
	struct sk_buff *msg;

	if (!genl_has_listeners(&sernet_nl_family, read_pnet(&port->net),
				SERNET_MCGRP_EVENTS_ID))
		return NULL;
	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return NULL;
	*hdr = genlmsg_put(msg, 0, 0, &sernet_nl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* Status and tty name: what every event says; then send it */
static void sernet_nl_event_send(struct sernet_port *port, struct sk_buff *msg,
				 void *hdr)
{
	char status[SERNET_STATUS_MAX];

	sernet_status_copy(port, status);
	if (nla_put_string(msg, SERNET_A_SOCK_STATUS, status)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&sernet_nl_family, read_pnet(&port->net), msg,
				0, SERNET_MCGRP_EVENTS_ID, GFP_KERNEL);
}

/*
 * A status event, from any process context: it takes no lock but the
 * status one, so the transport's work can send it. Best effort.
 */
void sernet_nl_status(struct sernet_port *port)
{
	struct sk_buff *msg;
	void *hdr;

	msg = sernet_nl_event_new(port, SERNET_CMD_STATUS, &hdr);
	if (!msg)
		return;
	if (nla_put_u32(msg, SERNET_A_PORT_INDEX, port->index) ||
	    nla_put_string(msg, SERNET_A_PORT_TTY, port->tty_name)) {
		nlmsg_free(msg);
		return;
	}
	sernet_nl_event_send(port, msg, hdr);
}

/* One connection's attributes; the caller can see c is not freed */
int sernet_nl_put_conn(struct sk_buff *skb, struct sernet_conn *c)
{
	struct sernet_port *port = c->xp->port;
	struct nlattr *stats;
	int i;

	if (nla_put_u32(skb, SERNET_A_PORT_INDEX, port->index) ||
	    nla_put_string(skb, SERNET_A_PORT_TTY, port->tty_name) ||
	    nla_put_string(skb, SERNET_A_PEER, c->peer) ||
	    nla_put_u32(skb, SERNET_A_CLIENT_SECONDS,
			(jiffies - READ_ONCE(c->since)) / HZ) ||
	    nla_put_u32(skb, SERNET_A_CLIENT_QUEUED, READ_ONCE(c->qbytes)))
		return -EMSGSIZE;
	stats = nla_nest_start(skb, SERNET_A_CLIENT_STATS);
	if (!stats)
		return -EMSGSIZE;
	for (i = SERNET_CLIENT_STATS_NET_TX_BYTES;
	     i <= SERNET_CLIENT_STATS_MAX; i++) {
		if (nla_put_u64_64bit(skb, i, atomic64_read(&c->stats[i]),
				      SERNET_CLIENT_STATS_PAD)) {
			nla_nest_cancel(skb, stats);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, stats);
	return 0;
}

/* A connection came or went; from the port's workqueue. Best effort. */
void sernet_nl_conn_event(struct sernet_conn *c, u8 cmd)
{
	struct sk_buff *msg;
	void *hdr;

	msg = sernet_nl_event_new(c->xp->port, cmd, &hdr);
	if (!msg)
		return;
	if (sernet_nl_put_conn(msg, c) ||
	    (cmd == SERNET_CMD_DISCONNECTED &&
	     nla_put_u8(msg, SERNET_A_CLIENT_END, c->end))) {
		nlmsg_free(msg);
		return;
	}
	sernet_nl_event_send(c->xp->port, msg, hdr);
}

/* The port's mode changed; from the port's workqueue. Best effort. */
void sernet_nl_mode(struct sernet_port *port, u8 mode)
{
	struct sk_buff *msg;
	void *hdr;

	msg = sernet_nl_event_new(port, SERNET_CMD_MODE, &hdr);
	if (!msg)
		return;
	if (nla_put_u32(msg, SERNET_A_PORT_INDEX, port->index) ||
	    nla_put_string(msg, SERNET_A_PORT_TTY, port->tty_name) ||
	    nla_put_u8(msg, SERNET_A_PORT_MODE, mode)) {
		nlmsg_free(msg);
		return;
	}
	sernet_nl_event_send(port, msg, hdr);
}
