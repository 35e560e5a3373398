/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sernet: a transport, the network side of a port (AT+SOCKA). Each mode
 * (tcp_server.c, tcp_client.c, udp.c) is a struct sernet_xport_ops and a
 * private state that embeds struct sernet_xport; xport.c picks the ops by
 * the protocol, starts and stops them. Everything here runs on the port's
 * ordered workqueue, unless it says otherwise.
 */
#ifndef _SERNET_XPORT_H
#define _SERNET_XPORT_H

#include <linux/net.h>
#include <linux/socket.h>
#include <net/sock.h>

#include "sernet.h"

/* One read from the network, written whole to the tty before the next */
#define SERNET_NET_RX_BUF	4096
/* A port that cannot listen or bind tries again this much later */
#define SERNET_RETRY_MS		2000

struct sernet_xport;
struct sernet_conn;

/**
 * struct sernet_xport_ops - what a transport does
 * @size: of its state, which starts with struct sernet_xport
 * @start: queue the work that opens its sockets; under port->lock
 * @tx: the packets waiting in the port to the network (port->tx_work)
 * @rx: from the network to the tty (the base's rx_work), while
 *	xp->out takes it
 * @conn_closed: one of its connections (conn.c) has ended (TCP modes)
 * @cancel: stop its own delayed work; no more is queued (xp->stopping)
 * @unhook: after this none of its socket callbacks runs
 * @release: close its sockets; nothing of it runs any more
 */
struct sernet_xport_ops {
	size_t size;
	void (*start)(struct sernet_xport *xp);
	void (*tx)(struct sernet_xport *xp);
	void (*rx)(struct sernet_xport *xp);
	void (*conn_closed)(struct sernet_xport *xp);
	void (*cancel)(struct sernet_xport *xp);
	void (*unhook)(struct sernet_xport *xp);
	void (*release)(struct sernet_xport *xp);
};

/**
 * struct sernet_xport - what every transport has
 * @ops: its mode
 * @port: the port it serves
 * @stopping: set first when it stops: work that runs later returns
 * @rx_busy: @ops->rx runs: data_ready leaves the sockets to it (conn.c)
 * @rx_work: network data to the tty (@ops->rx)
 * @out: what was read from the network, on its way to the tty
 * @layers: the protocol layers between the tty and the sockets (layer.c)
 * @conns: the TCP connections (conn.c); changes under @conns_lock
 * @conns_lock: for readers off the workqueue (netlink's dump)
 * @nconns: how many in @conns
 * @rr: the connection read last; the next reader is the one after it
 * @last_rx: jiffies when the network last sent something
 * @last_io: jiffies of the last traffic either way
 */
struct sernet_xport {
	const struct sernet_xport_ops *ops;
	struct sernet_port *port;
	bool stopping;
	bool rx_busy;
	struct work_struct rx_work;
	struct sernet_tty_src out;
	struct list_head layers;
	struct list_head conns;
	spinlock_t conns_lock;	/* see above */
	unsigned int nconns;
	struct sernet_conn *rr;
	unsigned long last_rx;
	unsigned long last_io;
};

static inline bool sernet_xport_running(struct sernet_xport *xp)
{
	return xp && !READ_ONCE(xp->stopping);
}

/* The network has data, or the tty has room: run @ops->rx on the queue */
static inline void sernet_xport_kick_rx(struct sernet_xport *xp)
{
	queue_work(xp->port->wq, &xp->rx_work);
}

static inline void sernet_xport_kick_tx(struct sernet_xport *xp)
{
	queue_work(xp->port->wq, &xp->port->tx_work);
}

/* The modes, in xport.c's table */
extern const struct sernet_xport_ops sernet_tcp_server_ops;
extern const struct sernet_xport_ops sernet_tcp_client_ops;
extern const struct sernet_xport_ops sernet_udp_server_ops;
extern const struct sernet_xport_ops sernet_udp_client_ops;

/* sock.c: what the modes do with sockets alike */

/* A socket's own callbacks, put back when we let go of it */
struct sernet_sockcb {
	void (*data_ready)(struct sock *sk);
	void (*write_space)(struct sock *sk);
	void (*state_change)(struct sock *sk);
};

/* Our callbacks for a socket; NULL keeps the socket's own */
struct sernet_sock_ops {
	void (*data_ready)(struct sock *sk);
	void (*write_space)(struct sock *sk);
	void (*state_change)(struct sock *sk);
};

/*
 * In a callback: what we hooked the socket with, or NULL once unhooked.
 * Caller holds sk_callback_lock for reading.
 */
static inline void *sernet_sock_data(struct sock *sk)
{
	return sk->sk_user_data;
}

void sernet_sock_hook(struct socket *sock, void *data,
		      const struct sernet_sock_ops *ops,
		      struct sernet_sockcb *saved);
void sernet_sock_unhook(struct socket *sock,
			const struct sernet_sockcb *saved);
void sernet_sock_reset(struct socket *sock, const struct sernet_sockcb *own);
void sernet_sock_close(struct socket *sock);
int sernet_sockaddr(struct sockaddr_storage *ss, int family, const u8 *addr,
		    u16 port);
int sernet_sockaddr_remote(struct sernet_port *port,
			   struct sockaddr_storage *ss);
bool sernet_sockaddr_equal(const struct sockaddr_storage *a,
			   const struct sockaddr_storage *b);
int sernet_sock_open(struct net *net, int family, int type, u16 port,
		     bool reuse, struct socket **res);
int sernet_sock_open_any(struct net *net, int type, u16 port, bool reuse,
			 struct socket **res);
void sernet_peer_name(struct socket *sock, char *buf, size_t len);
void sernet_sock_error(struct sernet_port *port, int err, const char *what);

#endif /* _SERNET_XPORT_H */
