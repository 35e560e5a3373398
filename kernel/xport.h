/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sernet: what the transports (tcp.c, udp.c) share. Everything here is
 * used on the port's ordered workqueue only, unless it says otherwise.
 */
#ifndef _SERNET_XPORT_H
#define _SERNET_XPORT_H

#include <linux/net.h>
#include <linux/socket.h>
#include <net/sock.h>

#include "sernet.h"

/* One read from the network, written whole to the tty before the next */
#define SERNET_NET_RX_BUF	4096

struct sernet_qent {
	struct list_head node;
	struct sernet_pkt *pkt;
};

/* A socket's own callbacks, put back when we let go of it */
struct sernet_sockcb {
	void (*data_ready)(struct sock *sk);
	void (*write_space)(struct sock *sk);
	void (*state_change)(struct sock *sk);
};

struct sernet_client {
	struct list_head node;
	struct socket *sock;
	char peer[SERNET_PEER_MAX];
	struct sernet_sockcb saved;
	struct sernet_port *port;
	struct list_head queue;
	unsigned int queued;	/* cost of what is in queue */
	unsigned int qbytes;	/* bytes in queue not sent yet */
	unsigned int sent;	/* bytes of the first packet already sent */
	bool rx_ready;		/* set by data_ready, cleared before a read */
	bool dead;
	u8 end;			/* &enum sernet_client_end, once dead */
	unsigned long since;	/* jiffies when it was established */
	/* by &enum sernet_client_stats_attr; read by netlink at any time */
	atomic64_t stats[__SERNET_CLIENT_STATS_MAX];
};

struct sernet_xport {
	struct sernet_port *port;
	struct socket *lsock;
	struct sernet_sockcb lsaved;
	struct list_head clients;	/* changes under clients_lock */
	spinlock_t clients_lock;	/* for readers off the workqueue */
	unsigned int nclients;
	struct sernet_client *rr;	/* read from this one next */
	u8 *wbuf;			/* network bytes on their way to the tty */
	unsigned int wlen, woff;
	bool stopping;
	u8 proto;			/* as started */
	struct sernet_client *conn;	/* TCPC: the connection being made */
	unsigned int backoff_ms;	/* TCPC: before the next attempt */
	bool attempted;			/* TCPC: a first attempt was made */
	bool waiting;			/* TCPC short: no connection, no data */
	unsigned long last_rx;		/* TCPC: jiffies of the last receive */
	unsigned long last_io;		/* TCPC: ... of any traffic */
	struct socket *usock;		/* UDP: the socket */
	struct sernet_sockcb usaved;
	struct sockaddr_storage peer;	/* UDP: where packets go */
	int peer_len;			/* 0: nowhere yet */
};

static inline bool sernet_proto_udp(u8 proto)
{
	return proto == SERNET_PROTO_UDPS || proto == SERNET_PROTO_UDPC;
}

/* tcp.c */
void sernet_sock_hook(struct socket *sock, void *data,
		      struct sernet_sockcb *saved,
		      void (*data_ready)(struct sock *),
		      void (*write_space)(struct sock *));
void sernet_sock_unhook(struct socket *sock,
			const struct sernet_sockcb *saved);
bool sernet_tty_drain(struct sernet_xport *xp);

static inline void sernet_client_count(struct sernet_client *c, int stat,
				       u64 n)
{
	atomic64_add(n, &c->stats[stat]);
}

/* netlink.c: caller holds port->lock, so the transport stays */
int sernet_nl_fill_clients(struct sk_buff *skb, struct sernet_xport *xp,
			   u32 portid, u32 seq, unsigned long *skip);

/* event.c */
int sernet_nl_put_client(struct sk_buff *skb, struct sernet_client *c);
void sernet_nl_client_event(struct sernet_client *c, u8 cmd);

/* udp.c */
int sernet_udp_open(struct sernet_xport *xp);
void sernet_udp_close(struct sernet_xport *xp);
void sernet_udp_tx(struct sernet_xport *xp);
void sernet_udp_rx(struct sernet_xport *xp);

#endif /* _SERNET_XPORT_H */
