// SPDX-License-Identifier: GPL-2.0
/*
 * sernet: the TCP connections of a transport (TCP server clients, the TCP
 * client's one connection).
 *
 * Serial to network: each connection has a queue of packet references; its
 * socket takes them by page reference (zero copy). A connection whose queue
 * passes SERNET_CONN_QUEUE_MAX is ended and counted; the others go on. The
 * serial side is held back (pack.c) only while the fastest connection is
 * behind, so one slow client never stalls the rest.
 *
 * Network to serial: a few bytes (a request, a line) go straight to the
 * tty from data_ready (BH, the socket locked; tcp_read_sock(), as
 * strparser does) while the tty has room and nothing else waits for it:
 * no work hand-off. Otherwise the work reads: one segment (one recvmsg)
 * at a time is written whole to the tty (tty_out.c) before the next is
 * read, connections in turn. While the tty is full nothing is read, so
 * TCP's window closes.
 *
 * The other socket callbacks only queue work.
 */
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "compat.h"
#include "conn.h"
#include "layer.h"

#define SERNET_CONN_QUEUE_MAX	(1024 * 1024)	/* cost a client may lag */
/*
 * data_ready writes to the tty only this much waiting in the socket: a
 * request, an interactive line. More is a stream, which the work writes
 * on its own CPU while the sender goes on (on the sender's, it would wait).
 */
#define SERNET_RX_NOW_MAX	SERNET_NET_RX_BUF

struct sernet_qent {
	struct list_head node;
	struct sernet_pkt *pkt;
};

/* What the callbacks share: queue the work for sk's connection */
static void sernet_conn_kick(struct sock *sk, bool rx, bool tx, bool state)
{
	struct sernet_conn *c;

	read_lock_bh(&sk->sk_callback_lock);
	c = sernet_sock_data(sk);
	if (c && rx) {
		WRITE_ONCE(c->rx_ready, true);
		sernet_xport_kick_rx(c->xp);
	}
	if (c && tx)
		sernet_xport_kick_tx(c->xp);
	if (c && state && c->connected)
		queue_work(c->xp->port->wq, c->connected);
	read_unlock_bh(&sk->sk_callback_lock);
}

/* @n bytes came from the network on @c (from data_ready or the work) */
static void sernet_conn_rx_count(struct sernet_conn *c, size_t n)
{
	struct sernet_xport *xp = c->xp;

	sernet_count(xp->port, SERNET_STATS_NET_RX_BYTES, n);
	sernet_conn_count(c, SERNET_CLIENT_STATS_NET_RX_BYTES, n);
	sernet_conn_count(c, SERNET_CLIENT_STATS_NET_RX_PACKETS, 1);
	WRITE_ONCE(xp->last_rx, jiffies);
	WRITE_ONCE(xp->last_io, xp->last_rx);
}

/* tcp_read_sock()'s actor: what the tty takes of the segment */
static int sernet_conn_rx_actor(read_descriptor_t *desc, struct sk_buff *skb,
				unsigned int off, size_t len)
{
	struct sernet_conn *c = desc->arg.data;
	struct sernet_xport *xp = c->xp;
	size_t n;

	n = sernet_tty_out_skb(xp->port, skb, off, len);
	if (n < len)
		desc->count = 0;	/* the tty is full: the work goes on */
	if (!n)
		return 0;
	sernet_conn_rx_count(c, n);
	sernet_hook_count(SERNET_HOOK_RX_NOW);
	return n;
}

/*
 * The socket's data to the tty now, from data_ready; false when the work
 * must read it: more than SERNET_RX_NOW_MAX waits, the work is reading
 * (its segment goes first), a source waits or the tty is full, AT mode
 * holds the network back (or has just let it go, and its own bytes are
 * not written yet), a layer is to change the bytes, or a reader owns the
 * socket (the backlog's data_ready).
 */
static bool sernet_conn_rx_now(struct sernet_conn *c, struct sock *sk)
{
	struct sernet_xport *xp = c->xp;
	read_descriptor_t desc = { .arg.data = c, .count = 1 };

	if (!READ_ONCE(c->up) || READ_ONCE(xp->rx_busy) ||
	    READ_ONCE(xp->stopping) || !list_empty(&xp->layers) ||
	    !sernet_at_net_now(xp->port) || sock_owned_by_user_nocheck(sk) ||
	    tcp_inq(sk) > SERNET_RX_NOW_MAX)
		return false;
	tcp_read_sock(sk, &desc, sernet_conn_rx_actor);
	return desc.count;
}

static void sernet_conn_data_ready(struct sock *sk)
{
	struct sernet_conn *c;

	read_lock_bh(&sk->sk_callback_lock);
	c = sernet_sock_data(sk);
	if (c && !sernet_conn_rx_now(c, sk)) {
		WRITE_ONCE(c->rx_ready, true);
		sernet_xport_kick_rx(c->xp);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

/* Established or failed (a connect), or closed: read as EOF */
static void sernet_conn_state_change(struct sock *sk)
{
	sernet_conn_kick(sk, true, false, true);
}

/*
 * As sk_stream_write_space(): only once there is room again, clearing
 * SOCK_NOSPACE (set by the -EAGAIN that stopped the flush), or TCP calls
 * this for every ACK that follows.
 */
static void sernet_conn_write_space(struct sock *sk)
{
	struct socket *sock = sk->sk_socket;

	if (!sock || !__sk_stream_is_writeable(sk, 1))
		return;
	clear_bit(SOCK_NOSPACE, &sock->flags);
	sernet_hook_count(SERNET_HOOK_TX_WAKE);
	sernet_conn_kick(sk, false, true, false);
}

static const struct sernet_sock_ops sernet_conn_sock_ops = {
	.data_ready	= sernet_conn_data_ready,
	.write_space	= sernet_conn_write_space,
	.state_change	= sernet_conn_state_change,
};

/* A connection for @sock (accepted, or being made); not up yet */
struct sernet_conn *sernet_conn_new(struct sernet_xport *xp,
				    struct socket *sock)
{
	struct sernet_conn *c;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return NULL;
	c->sock = sock;
	c->xp = xp;
	INIT_LIST_HEAD(&c->queue);
	c->rx_ready = true;	/* data may have come with the handshake */
	sock_set_keepalive(sock->sk);
	tcp_sock_set_nodelay(sock->sk);
	sernet_sock_hook(sock, c, &sernet_conn_sock_ops, &c->saved);
	return c;
}

/* Let go of a connection that never was up */
void sernet_conn_free(struct sernet_conn *c)
{
	sernet_sock_unhook(c->sock, &c->saved);
	sock_release(c->sock);
	kfree(c);
}

/* An established connection joins the transport's. */
void sernet_conn_up(struct sernet_conn *c)
{
	struct sernet_xport *xp = c->xp;

	sernet_peer_name(c->sock, c->peer, sizeof(c->peer));
	c->since = jiffies;
	xp->last_rx = c->since;
	xp->last_io = c->since;
	spin_lock(&xp->conns_lock);
	list_add_tail(&c->node, &xp->conns);
	spin_unlock(&xp->conns_lock);
	xp->nconns++;
	WRITE_ONCE(c->up, true);
	sernet_count(xp->port, SERNET_STATS_CONNECTS, 1);
	sernet_nl_conn_event(c, SERNET_CMD_CONNECTED);
	sernet_layers_conn_up(xp, c);
	sernet_xport_kick_rx(xp);
	sernet_xport_kick_tx(xp);
}

/* Let go of c; end says why (&enum sernet_client_end) */
void sernet_conn_close(struct sernet_conn *c, u8 end)
{
	struct sernet_xport *xp = c->xp;
	struct sernet_qent *q, *tmp;

	sernet_sock_unhook(c->sock, &c->saved);
	kernel_sock_shutdown(c->sock, SHUT_RDWR);
	sock_release(c->sock);
	list_for_each_entry_safe(q, tmp, &c->queue, node) {
		sernet_pkt_put(q->pkt);
		kfree(q);
	}
	if (xp->rr == c)
		xp->rr = NULL;
	spin_lock(&xp->conns_lock);
	list_del(&c->node);
	spin_unlock(&xp->conns_lock);
	xp->nconns--;
	sernet_count(xp->port, SERNET_STATS_DISCONNECTS, 1);
	c->end = end;
	sernet_layers_conn_down(xp, c);
	sernet_nl_conn_event(c, SERNET_CMD_DISCONNECTED);
	kfree(c);
	if (!xp->stopping && xp->ops->conn_closed)
		xp->ops->conn_closed(xp);
}

/* Bytes for this connection alone, as the socket takes them now */
int sernet_conn_send(struct sernet_conn *c, const void *buf, size_t len)
{
	struct kvec iov = { (void *)buf, len };
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };

	return kernel_sendmsg(c->sock, &msg, &iov, 1, len);
}

/* Give pkt to c; a connection too far behind is marked for closing. */
static void sernet_conn_enqueue(struct sernet_conn *c, struct sernet_pkt *pkt)
{
	struct sernet_qent *q;

	if (c->dead)
		return;
	q = kmalloc(sizeof(*q), GFP_KERNEL);
	if (!q || c->queued + pkt->len + SERNET_PKT_COST >
		  SERNET_CONN_QUEUE_MAX) {
		kfree(q);
		c->dead = true;
		c->end = SERNET_CLIENT_END_SLOW;
		sernet_count(c->xp->port, SERNET_STATS_DROP_SLOW_CLIENT, 1);
		return;
	}
	kref_get(&pkt->ref);
	q->pkt = pkt;
	list_add_tail(&q->node, &c->queue);
	c->queued += pkt->len + SERNET_PKT_COST;
	c->qbytes += pkt->len;
}

/* Send what the socket takes now; the rest waits for write_space. */
static void sernet_conn_flush(struct sernet_conn *c)
{
	struct sernet_qent *q;

	while ((q = list_first_entry_or_null(&c->queue, struct sernet_qent,
					     node))) {
		struct sernet_pkt *pkt = q->pkt;
		int ret;

		ret = sernet_sendpage(c->sock, pkt->page, pkt->off + c->sent,
				      pkt->len - c->sent,
				      MSG_DONTWAIT | MSG_NOSIGNAL);
		if (ret == -EAGAIN)
			return;
		if (ret < 0) {
			c->dead = true;
			c->end = SERNET_CLIENT_END_PEER;
			return;
		}
		sernet_count(c->xp->port, SERNET_STATS_NET_TX_BYTES, ret);
		sernet_conn_count(c, SERNET_CLIENT_STATS_NET_TX_BYTES, ret);
		WRITE_ONCE(c->xp->last_io, jiffies);
		c->sent += ret;
		c->qbytes -= ret;
		if (c->sent < pkt->len)
			continue;
		sernet_conn_count(c, SERNET_CLIENT_STATS_NET_TX_PACKETS, 1);
		c->sent = 0;
		c->queued -= pkt->len + SERNET_PKT_COST;
		list_del(&q->node);
		kfree(q);
		sernet_pkt_delivered(pkt);
		sernet_pkt_put(pkt);
	}
}

/* The waiting packets to every connection (there is at least one) */
void sernet_conns_tx(struct sernet_xport *xp)
{
	struct sernet_conn *c, *tmp;
	struct sernet_pkt *pkt;

	while ((pkt = sernet_layers_next_pkt(xp))) {
		list_for_each_entry(c, &xp->conns, node)
			sernet_conn_enqueue(c, pkt);
		sernet_pkt_put(pkt);
	}
	list_for_each_entry_safe(c, tmp, &xp->conns, node) {
		if (!c->dead)
			sernet_conn_flush(c);
		if (c->dead)
			sernet_conn_close(c, c->end);
	}
}

/* The next connection with data, in turn after the last one read */
static struct sernet_conn *sernet_next_reader(struct sernet_xport *xp)
{
	struct list_head *pos = xp->rr ? &xp->rr->node : &xp->conns;
	unsigned int i;

	for (i = 0; i < xp->nconns; i++) {
		struct sernet_conn *c;

		pos = pos->next;
		if (pos == &xp->conns)
			pos = pos->next;
		c = list_entry(pos, struct sernet_conn, node);
		if (READ_ONCE(c->rx_ready))
			return c;
	}
	return NULL;
}

/* The connections' data to the tty, in turn */
void sernet_conns_rx(struct sernet_xport *xp)
{
	struct sernet_port *port = xp->port;
	struct sernet_conn *c;
	int budget = 64;

	/* before the first recvmsg takes the socket lock: see rx_now */
	WRITE_ONCE(xp->rx_busy, true);
	while (sernet_tty_out_write(port, &xp->out) && budget--) {
		struct kvec iov = { xp->out.buf, SERNET_NET_RX_BUF };
		struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
		int n;

		c = sernet_next_reader(xp);
		if (!c)
			break;
		xp->rr = c;
		WRITE_ONCE(c->rx_ready, false);
		n = kernel_recvmsg(c->sock, &msg, &iov, 1, iov.iov_len,
				   MSG_DONTWAIT);
		if (n == -EAGAIN)
			continue;
		if (n <= 0) {
			sernet_conn_close(c, SERNET_CLIENT_END_PEER);
			continue;
		}
		WRITE_ONCE(c->rx_ready, true);	/* there may be more */
		sernet_conn_rx_count(c, n);
		xp->out.len = sernet_layers_to_serial(xp, xp->out.buf, n);
	}
	/* what came meanwhile set rx_ready and kicked this work again */
	WRITE_ONCE(xp->rx_busy, false);
	/* out of budget with data left: come back after others had a turn */
	if (budget < 0)
		sernet_xport_kick_rx(xp);
}

void sernet_conns_unhook(struct sernet_xport *xp)
{
	struct sernet_conn *c;

	list_for_each_entry(c, &xp->conns, node)
		sernet_sock_unhook(c->sock, &c->saved);
}

void sernet_conns_close(struct sernet_xport *xp, u8 end)
{
	struct sernet_conn *c, *tmp;

	list_for_each_entry_safe(c, tmp, &xp->conns, node)
		sernet_conn_close(c, end);
}

/*
 * fn for each connection of the port's transport, until it fails; from
 * any process context. Caller holds port->lock, so the transport stays.
 */
int sernet_conns_for_each(struct sernet_port *port,
			  int (*fn)(struct sernet_conn *c, void *arg),
			  void *arg)
{
	struct sernet_xport *xp = port->xport;
	struct sernet_conn *c;
	int err = 0;

	if (!xp)
		return 0;
	spin_lock(&xp->conns_lock);
	list_for_each_entry(c, &xp->conns, node) {
		err = fn(c, arg);
		if (err)
			break;
	}
	spin_unlock(&xp->conns_lock);
	return err;
}
