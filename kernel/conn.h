/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sernet: one TCP connection of a transport (conn.c): its queue of
 * packets, the zero-copy flush, what it receives, why it ended. Used by
 * tcp_server.c and tcp_client.c, on the port's workqueue.
 */
#ifndef _SERNET_CONN_H
#define _SERNET_CONN_H

#include "xport.h"

/**
 * struct sernet_conn - one TCP connection
 * @node: in the transport's @conns once it is up
 * @sock: its socket
 * @peer: "addr:port" of the other end, for events
 * @saved: the socket's own callbacks
 * @xp: the transport it belongs to
 * @queue: references to the packets it has not sent yet
 * @queued: what they cost (bounded: a connection too far behind ends)
 * @qbytes: bytes in @queue not sent yet
 * @sent: bytes of the first packet already sent
 * @rx_ready: set by data_ready, cleared before a read
 * @dead: ends at the next chance, for @end
 * @end: &enum sernet_client_end, once dead
 * @since: jiffies when it was established
 * @connected: work queued when its state changes (a connect finishing,
 *	the accept queue looked at again)
 * @stats: by &enum sernet_client_stats_attr; netlink reads them any time
 */
struct sernet_conn {
	struct list_head node;
	struct socket *sock;
	char peer[SERNET_PEER_MAX];
	struct sernet_sockcb saved;
	struct sernet_xport *xp;
	struct list_head queue;
	unsigned int queued;
	unsigned int qbytes;
	unsigned int sent;
	bool rx_ready;
	bool up;
	bool dead;
	u8 end;
	unsigned long since;
	struct work_struct *connected;
	atomic64_t stats[__SERNET_CLIENT_STATS_MAX];
};

static inline void sernet_conn_count(struct sernet_conn *c, int stat, u64 n)
{
	atomic64_add(n, &c->stats[stat]);
}

struct sernet_conn *sernet_conn_new(struct sernet_xport *xp,
				    struct socket *sock);
void sernet_conn_free(struct sernet_conn *c);
void sernet_conn_up(struct sernet_conn *c);
void sernet_conn_close(struct sernet_conn *c, u8 end);
int sernet_conn_send(struct sernet_conn *c, const void *buf, size_t len);
void sernet_conns_tx(struct sernet_xport *xp);
void sernet_conns_rx(struct sernet_xport *xp);
void sernet_conns_unhook(struct sernet_xport *xp);
void sernet_conns_close(struct sernet_xport *xp, u8 end);
int sernet_conns_for_each(struct sernet_port *port,
			  int (*fn)(struct sernet_conn *c, void *arg),
			  void *arg);

/* event.c */
int sernet_nl_put_conn(struct sk_buff *skb, struct sernet_conn *c);
void sernet_nl_conn_event(struct sernet_conn *c, u8 cmd);

#endif /* _SERNET_CONN_H */
