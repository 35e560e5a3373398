// SPDX-License-Identifier: GPL-2.0
/*
 * sernet: the TCP transports (AT+SOCKA=TCPS and TCPC).
 *
 * A listening kernel socket in the port's network namespace; every client
 * gets every serial packet, and every client's data goes to the serial
 * line. Socket callbacks only queue work on the port's ordered workqueue,
 * where everything else happens one step at a time.
 *
 * The TCP client is the same with one connection, made instead of
 * accepted: non-blocking connect, keepalive on, and after a failure or a
 * loss a new attempt after 1, 2, 4 ... 32 s.
 *
 * Serial to network: each client has a queue of packet references; its
 * socket takes them by page reference (zero copy). A client whose queue
 * passes SERNET_CLIENT_QUEUE_MAX is disconnected and counted; the others
 * go on. The serial side is held back (pack.c) only while the fastest
 * client is behind, so one slow client never stalls the rest.
 *
 * Network to serial: one segment (one recvmsg) at a time is written whole
 * to the tty before the next is read, clients in turn. While the tty is
 * full nothing is read, so TCP's window closes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in6.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/tty.h>
#include <linux/tcp.h>
#include <net/sock.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "compat.h"
#include "sernet.h"
#include "xport.h"

#define SERNET_CLIENT_QUEUE_MAX	(1024 * 1024)	/* cost a client may lag */
#define SERNET_RETRY_MS		2000		/* a port that cannot listen */

/* "addr:port" of the peer, for events */
static void sernet_peer_name(struct socket *sock, char *buf, size_t len)
{
	struct sockaddr_storage ss;

	if (kernel_getpeername(sock, (struct sockaddr *)&ss) < 0)
		strscpy(buf, "?", len);
	else if (ss.ss_family == AF_INET6 &&
		 !ipv6_addr_v4mapped(&((struct sockaddr_in6 *)&ss)->sin6_addr))
		snprintf(buf, len, "[%pI6c]:%u",
			 &((struct sockaddr_in6 *)&ss)->sin6_addr,
			 ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
	else if (ss.ss_family == AF_INET6)
		snprintf(buf, len, "%pI4:%u",
			 &((struct sockaddr_in6 *)&ss)->sin6_addr.s6_addr32[3],
			 ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
	else
		snprintf(buf, len, "%pI4:%u",
			 &((struct sockaddr_in *)&ss)->sin_addr,
			 ntohs(((struct sockaddr_in *)&ss)->sin_port));
}

static void sernet_server_state(struct sernet_xport *xp)
{
	char buf[24];

	if (!xp->nclients) {
		sernet_set_state(xp->port, SERNET_PORT_STATE_LISTEN, "LISTEN");
		return;
	}
	snprintf(buf, sizeof(buf), "CONNECTED(%u)", xp->nclients);
	sernet_set_state(xp->port, SERNET_PORT_STATE_CONNECTED, buf);
}

/* --- socket callbacks: BH, socket locked; they only queue work ---------- */

static void sernet_listen_data_ready(struct sock *sk)
{
	struct sernet_port *port;

	/*
	 * A child inherits the listener's callbacks and sk_user_data; until
	 * it is accepted (or if it never is) they must do nothing for it.
	 */
	if (sk->sk_state != TCP_LISTEN)
		return;
	read_lock_bh(&sk->sk_callback_lock);
	port = sk->sk_user_data;
	if (port)
		queue_work(port->wq, &port->accept_work);
	read_unlock_bh(&sk->sk_callback_lock);
}

/* What the client callbacks share: queue the port's work for sk's client */
static void sernet_client_kick(struct sock *sk, bool rx, bool tx, bool conn)
{
	struct sernet_client *c;

	read_lock_bh(&sk->sk_callback_lock);
	c = sk->sk_user_data;
	if (c && rx) {
		WRITE_ONCE(c->rx_ready, true);
		queue_work(c->port->wq, &c->port->rx_work);
	}
	if (c && tx)
		queue_work(c->port->wq, &c->port->tx_work);
	if (c && conn)
		queue_work(c->port->wq, &c->port->accept_work);
	read_unlock_bh(&sk->sk_callback_lock);
}

static void sernet_client_data_ready(struct sock *sk)
{
	sernet_client_kick(sk, true, false, false);
}

/* A connection being made: established, or failed */
static void sernet_client_state_change(struct sock *sk)
{
	sernet_client_kick(sk, true, false, true);
}

/*
 * As sk_stream_write_space(): only once there is room again, clearing
 * SOCK_NOSPACE (set by the -EAGAIN that stopped the flush), or TCP calls
 * this for every ACK that follows.
 */
static void sernet_client_write_space(struct sock *sk)
{
	struct socket *sock = sk->sk_socket;

	if (!sock || !__sk_stream_is_writeable(sk, 1))
		return;
	clear_bit(SOCK_NOSPACE, &sock->flags);
	sernet_hook_count(SERNET_HOOK_TX_WAKE);
	sernet_client_kick(sk, false, true, false);
}

/* Ours replace the socket's callbacks; saved keeps its own. */
void sernet_sock_hook(struct socket *sock, void *data,
		      struct sernet_sockcb *saved,
		      void (*data_ready)(struct sock *),
		      void (*write_space)(struct sock *))
{
	struct sock *sk = sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	saved->data_ready = sk->sk_data_ready;
	saved->write_space = sk->sk_write_space;
	saved->state_change = sk->sk_state_change;
	sk->sk_user_data = data;
	sk->sk_data_ready = data_ready;
	if (write_space)
		sk->sk_write_space = write_space;
	/* a close is read as EOF; a connection made, in the accept work */
	sk->sk_state_change = data_ready == sernet_client_data_ready ?
			      sernet_client_state_change : data_ready;
	write_unlock_bh(&sk->sk_callback_lock);
}

/* After this no callback of ours runs for the socket. */
void sernet_sock_unhook(struct socket *sock,
			const struct sernet_sockcb *saved)
{
	struct sock *sk = sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	if (sk->sk_user_data) {
		sk->sk_user_data = NULL;
		sk->sk_data_ready = saved->data_ready;
		sk->sk_write_space = saved->write_space;
		sk->sk_state_change = saved->state_change;
	}
	write_unlock_bh(&sk->sk_callback_lock);
}

static void sernet_client_retry(struct sernet_xport *xp, int err);
static void sernet_client_wait(struct sernet_xport *xp);
static void sernet_client_attempt(struct sernet_xport *xp);

/* --- clients ------------------------------------------------------------- */

/* Let go of c; end says why (&enum sernet_client_end) */
static void sernet_client_close(struct sernet_xport *xp, struct sernet_client *c,
				u8 end)
{
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
	spin_lock(&xp->clients_lock);
	list_del(&c->node);
	spin_unlock(&xp->clients_lock);
	xp->nclients--;
	sernet_count(xp->port, SERNET_STATS_DISCONNECTS, 1);
	c->end = end;
	sernet_nl_client_event(c, SERNET_CMD_DISCONNECTED);
	kfree(c);
	if (xp->stopping)
		return;
	if (xp->proto == SERNET_PROTO_TCPC) {
		if (READ_ONCE(xp->port->cfg.socksl) &&
		    !sernet_pkts_pending(xp->port))
			sernet_client_wait(xp);
		else
			sernet_client_retry(xp, 0);
		return;
	}
	sernet_server_state(xp);
}

/* Give pkt to c; a client too far behind is marked for closing. */
static void sernet_client_enqueue(struct sernet_client *c,
				  struct sernet_pkt *pkt)
{
	struct sernet_qent *q;

	if (c->dead)
		return;
	q = kmalloc(sizeof(*q), GFP_KERNEL);
	if (!q || c->queued + pkt->len + SERNET_PKT_COST >
		  SERNET_CLIENT_QUEUE_MAX) {
		kfree(q);
		c->dead = true;
		c->end = SERNET_CLIENT_END_SLOW;
		sernet_count(c->port, SERNET_STATS_DROP_SLOW_CLIENT, 1);
		return;
	}
	kref_get(&pkt->ref);
	q->pkt = pkt;
	list_add_tail(&q->node, &c->queue);
	c->queued += pkt->len + SERNET_PKT_COST;
	c->qbytes += pkt->len;
}

/* Send what the socket takes now; the rest waits for write_space. */
static void sernet_client_flush(struct sernet_xport *xp,
				struct sernet_client *c)
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
		sernet_count(c->port, SERNET_STATS_NET_TX_BYTES, ret);
		sernet_client_count(c, SERNET_CLIENT_STATS_NET_TX_BYTES, ret);
		xp->last_io = jiffies;
		c->sent += ret;
		c->qbytes -= ret;
		if (c->sent < pkt->len)
			continue;
		sernet_client_count(c, SERNET_CLIENT_STATS_NET_TX_PACKETS, 1);
		c->sent = 0;
		c->queued -= pkt->len + SERNET_PKT_COST;
		list_del(&q->node);
		kfree(q);
		sernet_pkt_delivered(pkt);
		sernet_pkt_put(pkt);
	}
}

/* port->tx_work: serial packets to every client */
static void sernet_tx_work(struct work_struct *work)
{
	struct sernet_port *port = container_of(work, struct sernet_port,
						tx_work);
	struct sernet_xport *xp = READ_ONCE(port->xport);
	struct sernet_client *c, *tmp;
	struct sernet_pkt *pkt;

	if (xp && !READ_ONCE(xp->stopping) && sernet_proto_udp(xp->proto)) {
		sernet_udp_tx(xp);
		return;
	}
	if (!xp || READ_ONCE(xp->stopping) || !xp->nclients) {
		bool run = xp && !READ_ONCE(xp->stopping);

		/* a short connection starts with the data that needs it */
		if (run && xp->waiting && sernet_pkts_pending(port))
			sernet_client_attempt(xp);
		/*
		 * No peer: keep the newest bytes for the next, or not; with
		 * short connections, waiting data is what one is made for.
		 */
		sernet_pack_no_peer(port, run && xp->proto == SERNET_PROTO_TCPC &&
				    READ_ONCE(port->cfg.socksl));
		return;
	}
	while ((pkt = sernet_pkt_next(port))) {
		list_for_each_entry(c, &xp->clients, node)
			sernet_client_enqueue(c, pkt);
		sernet_pkt_put(pkt);
	}
	list_for_each_entry_safe(c, tmp, &xp->clients, node) {
		if (!c->dead)
			sernet_client_flush(xp, c);
		if (c->dead)
			sernet_client_close(xp, c, c->end);
	}
}

/*
 * An accepted socket has the listener's callbacks and sk_user_data: give
 * it the socket's own (saved when the listener was hooked), so that it
 * never calls into us again once we let go of it, even after rmmod.
 */
static void sernet_sock_reset(struct sernet_xport *xp, struct socket *sock)
{
	struct sock *sk = sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = NULL;
	sk->sk_data_ready = xp->lsaved.data_ready;
	sk->sk_write_space = xp->lsaved.write_space;
	sk->sk_state_change = xp->lsaved.state_change;
	write_unlock_bh(&sk->sk_callback_lock);
}

static struct sernet_client *sernet_client_new(struct sernet_xport *xp,
					       struct socket *sock)
{
	struct sernet_client *c;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return NULL;
	c->sock = sock;
	c->port = xp->port;
	INIT_LIST_HEAD(&c->queue);
	c->rx_ready = true;	/* data may have come with the handshake */
	sock_set_keepalive(sock->sk);
	tcp_sock_set_nodelay(sock->sk);
	sernet_sock_hook(sock, c, &c->saved, sernet_client_data_ready,
			 sernet_client_write_space);
	return c;
}

/* How long a TCP client connection may go without traffic, in jiffies */
static unsigned long sernet_idle_limit(struct sernet_port *port)
{
	if (READ_ONCE(port->cfg.socksl))
		return READ_ONCE(port->cfg.shorto) * HZ;
	return (unsigned long)READ_ONCE(port->cfg.sockton) * HZ;
}

/* An established connection joins the port's clients. */
static void sernet_client_up(struct sernet_xport *xp, struct sernet_client *c)
{
	sernet_peer_name(c->sock, c->peer, sizeof(c->peer));
	c->since = jiffies;
	spin_lock(&xp->clients_lock);
	list_add_tail(&c->node, &xp->clients);
	spin_unlock(&xp->clients_lock);
	xp->nclients++;
	sernet_count(xp->port, SERNET_STATS_CONNECTS, 1);
	sernet_nl_client_event(c, SERNET_CMD_CONNECTED);
	if (xp->proto == SERNET_PROTO_TCPC) {
		sernet_set_state(xp->port, SERNET_PORT_STATE_CONNECTED,
				 "CONNECTED");
		xp->last_rx = jiffies;
		xp->last_io = xp->last_rx;
		mod_delayed_work(xp->port->wq, &xp->port->idle_work,
				 sernet_idle_limit(xp->port));
	} else {
		sernet_server_state(xp);
	}
	queue_work(xp->port->wq, &xp->port->rx_work);
	queue_work(xp->port->wq, &xp->port->tx_work);
}

static int sernet_client_add(struct sernet_xport *xp, struct socket *sock)
{
	struct sernet_client *c = sernet_client_new(xp, sock);

	if (!c)
		return -ENOMEM;
	sernet_client_up(xp, c);
	return 0;
}

static void sernet_connect_done(struct sernet_xport *xp);

/* port->accept_work: new clients; in TCPC, a connection made or failed */
static void sernet_accept_work(struct work_struct *work)
{
	struct sernet_port *port = container_of(work, struct sernet_port,
						accept_work);
	struct sernet_xport *xp = READ_ONCE(port->xport);
	struct socket *sock;

	if (!xp || READ_ONCE(xp->stopping))
		return;
	if (xp->proto == SERNET_PROTO_TCPC) {
		sernet_connect_done(xp);
		return;
	}
	if (!xp->lsock)
		return;
	while (!kernel_accept(xp->lsock, &sock, O_NONBLOCK)) {
		sernet_sock_reset(xp, sock);
		if (xp->nclients >= READ_ONCE(port->cfg.max_clients)) {
			if (READ_ONCE(port->cfg.full) == SERNET_FULL_REFUSE) {
				sernet_count(port, SERNET_STATS_REFUSED, 1);
				sock_release(sock);
				continue;
			}
			sernet_client_close(xp,
					    list_first_entry(&xp->clients,
							     struct sernet_client,
							     node),
					    SERNET_CLIENT_END_EVICTED);
		}
		if (sernet_client_add(xp, sock)) {
			sock_release(sock);
			continue;
		}
	}
	queue_work(port->wq, &port->rx_work);
	queue_work(port->wq, &port->tx_work);
}

/* Write the pending network bytes to the tty; false while it is full */
bool sernet_tty_drain(struct sernet_xport *xp)
{
	struct tty_struct *tty = xp->port->tty;

	while (xp->woff < xp->wlen) {
		int n;

		set_bit(TTY_DO_WRITE_WAKEUP, &tty->flags);
		n = tty->ops->write(tty, xp->wbuf + xp->woff,
				    xp->wlen - xp->woff);
		if (n <= 0)
			return false;
		xp->woff += n;
		sernet_count(xp->port, SERNET_STATS_TX_BYTES, n);
	}
	xp->woff = 0;
	xp->wlen = 0;
	return true;
}

/* The next client with data, in turn after the last one read */
static struct sernet_client *sernet_next_reader(struct sernet_xport *xp)
{
	struct list_head *pos = xp->rr ? &xp->rr->node : &xp->clients;
	unsigned int i;

	for (i = 0; i < xp->nclients; i++) {
		struct sernet_client *c;

		pos = pos->next;
		if (pos == &xp->clients)
			pos = pos->next;
		c = list_entry(pos, struct sernet_client, node);
		if (READ_ONCE(c->rx_ready))
			return c;
	}
	return NULL;
}

/* port->rx_work: client data to the serial line */
static void sernet_rx_work(struct work_struct *work)
{
	struct sernet_port *port = container_of(work, struct sernet_port,
						rx_work);
	struct sernet_xport *xp = READ_ONCE(port->xport);
	struct sernet_client *c;
	int budget = 64;

	if (!xp || READ_ONCE(xp->stopping))
		return;
	if (sernet_proto_udp(xp->proto)) {
		sernet_udp_rx(xp);
		return;
	}
	while (sernet_tty_drain(xp) && budget--) {
		struct kvec iov = { xp->wbuf, SERNET_NET_RX_BUF };
		struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
		int n;

		c = sernet_next_reader(xp);
		if (!c)
			return;
		xp->rr = c;
		WRITE_ONCE(c->rx_ready, false);
		n = kernel_recvmsg(c->sock, &msg, &iov, 1, iov.iov_len,
				   MSG_DONTWAIT);
		if (n == -EAGAIN)
			continue;
		if (n <= 0) {
			sernet_client_close(xp, c, SERNET_CLIENT_END_PEER);
			continue;
		}
		WRITE_ONCE(c->rx_ready, true);	/* there may be more */
		sernet_count(port, SERNET_STATS_NET_RX_BYTES, n);
		sernet_client_count(c, SERNET_CLIENT_STATS_NET_RX_BYTES, n);
		sernet_client_count(c, SERNET_CLIENT_STATS_NET_RX_PACKETS, 1);
		xp->last_rx = jiffies;
		xp->last_io = xp->last_rx;
		xp->wlen = n;
	}
	/* out of budget with data left: come back after others had a turn */
	if (budget < 0)
		queue_work(port->wq, &port->rx_work);
}

void sernet_xport_write_wakeup(struct sernet_port *port)
{
	queue_work(port->wq, &port->rx_work);
}

/* --- listening ------------------------------------------------------------- */

static int sernet_listen(struct sernet_xport *xp)
{
	struct sernet_port *port = xp->port;
	struct sockaddr_in6 sin6 = {
		.sin6_family = AF_INET6,
		.sin6_addr = IN6ADDR_ANY_INIT,
		.sin6_port = htons(port->cfg.port),
	};
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_ANY),
		.sin_port = htons(port->cfg.port),
	};
	struct net *net = read_pnet(&port->net);
	struct socket *sock;
	int err;

	/* one IPv6 socket takes IPv4 too; without IPv6, IPv4 alone */
	err = sock_create_kern(net, AF_INET6, SOCK_STREAM, IPPROTO_TCP, &sock);
	if (!err) {
		sock_set_reuseaddr(sock->sk);
		err = kernel_bind(sock, (struct sockaddr *)&sin6, sizeof(sin6));
	} else {
		err = sock_create_kern(net, AF_INET, SOCK_STREAM, IPPROTO_TCP,
				       &sock);
		if (err)
			return err;
		sock_set_reuseaddr(sock->sk);
		err = kernel_bind(sock, (struct sockaddr *)&sin, sizeof(sin));
	}
	if (!err)
		err = kernel_listen(sock, SOMAXCONN);
	if (err) {
		sock_release(sock);
		return err;
	}
	xp->lsock = sock;
	sernet_sock_hook(sock, port, &xp->lsaved, sernet_listen_data_ready,
			 NULL);
	return 0;
}

static void sernet_listen_error(struct sernet_port *port, int err)
{
	char buf[SERNET_STATUS_MAX];

	snprintf(buf, sizeof(buf), "ERROR: %s",
		 err == -EADDRINUSE ? "address in use" : "cannot listen");
	sernet_set_state(port, SERNET_PORT_STATE_ERROR, buf);
	pr_warn_ratelimited("%s: cannot listen on port %u (%d), retrying\n",
			    port->tty_name, port->cfg.port, err);
}

/* --- TCP client (TCPC) ------------------------------------------------------ */

#define SERNET_BACKOFF_MIN_MS	1000
#define SERNET_BACKOFF_MAX_MS	32000

/* Close the connection being made, if any */
static void sernet_conn_drop(struct sernet_xport *xp)
{
	struct sernet_client *c = xp->conn;

	if (!c)
		return;
	xp->conn = NULL;
	sernet_sock_unhook(c->sock, &c->saved);
	sock_release(c->sock);
	kfree(c);
}

/* Why a connection could not be made, as the status says it */
static const char *sernet_connect_error(int err)
{
	switch (err) {
	case -ECONNREFUSED:
		return "connection refused";
	case -ETIMEDOUT:
		return "timed out";
	case -ENETUNREACH:
	case -EHOSTUNREACH:
		return "unreachable";
	case -EADDRINUSE:
		return "address in use";
	default:
		return "cannot connect";
	}
}

/*
 * Try again later, each time later up to SERNET_BACKOFF_MAX_MS. Until
 * then the status is CONNECTING after a connection was lost, or ERROR
 * and the reason after an attempt failed (err).
 */
static void sernet_client_retry(struct sernet_xport *xp, int err)
{
	struct sernet_port *port = xp->port;
	char buf[SERNET_STATUS_MAX];

	if (err) {
		snprintf(buf, sizeof(buf), "ERROR: %s",
			 sernet_connect_error(err));
		sernet_set_state(port, SERNET_PORT_STATE_ERROR, buf);
	} else {
		sernet_set_state(port, SERNET_PORT_STATE_CONNECTING,
				 "CONNECTING");
	}
	queue_delayed_work(port->wq, &port->retry_work,
			   msecs_to_jiffies(xp->backoff_ms));
	xp->backoff_ms = min(2 * xp->backoff_ms, SERNET_BACKOFF_MAX_MS);
}

static int sernet_connect(struct sernet_xport *xp)
{
	struct sernet_port *port = xp->port;
	struct net *net = read_pnet(&port->net);
	struct sockaddr_storage ss = {}, ls = {};
	bool v6 = port->cfg.addr_len == 16;
	int alen = v6 ? sizeof(struct sockaddr_in6) :
			sizeof(struct sockaddr_in);
	struct sernet_client *c;
	struct socket *sock;
	int err;

	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		memcpy(&a->sin6_addr, port->cfg.addr, 16);
		a->sin6_port = htons(port->cfg.port);
		((struct sockaddr_in6 *)&ls)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ls)->sin6_port =
			htons(port->cfg.local_port);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		memcpy(&a->sin_addr, port->cfg.addr, 4);
		a->sin_port = htons(port->cfg.port);
		((struct sockaddr_in *)&ls)->sin_family = AF_INET;
		((struct sockaddr_in *)&ls)->sin_port =
			htons(port->cfg.local_port);
	}
	err = sock_create_kern(net, v6 ? AF_INET6 : AF_INET, SOCK_STREAM,
			       IPPROTO_TCP, &sock);
	if (err)
		return err;
	if (port->cfg.local_port) {
		sock_set_reuseaddr(sock->sk);
		err = kernel_bind(sock, (struct sockaddr *)&ls, alen);
		if (err) {
			sock_release(sock);
			return err;
		}
	}
	c = sernet_client_new(xp, sock);
	if (!c) {
		sock_release(sock);
		return -ENOMEM;
	}
	xp->conn = c;
	err = kernel_connect(sock, (struct sockaddr *)&ss, alen, O_NONBLOCK);
	if (err && err != -EINPROGRESS) {
		sernet_conn_drop(xp);
		return err;
	}
	/* the state change callback (or this, if it was quick) finishes */
	queue_work(port->wq, &port->accept_work);
	return 0;
}

/* A connection being made: up, failed, or still on its way */
static void sernet_connect_done(struct sernet_xport *xp)
{
	struct sernet_client *c = xp->conn;
	int state;

	if (!c)
		return;
	sernet_hook_delay(SERNET_HOOK_CONNECT_DONE);
	state = READ_ONCE(c->sock->sk->sk_state);
	if (state == TCP_SYN_SENT)
		return;
	if (state == TCP_CLOSE) {
		int err = -READ_ONCE(c->sock->sk->sk_err);

		sernet_conn_drop(xp);
		sernet_client_retry(xp, err ?: -ECONNABORTED);
		return;
	}
	/*
	 * Up; or up and already closed by the server (CLOSE_WAIT: "busy, go
	 * away"), when no callback comes any more: what it sent is read,
	 * then its end, which makes the next attempt.
	 */
	xp->conn = NULL;
	if (state == TCP_ESTABLISHED)
		xp->backoff_ms = SERNET_BACKOFF_MIN_MS;
	WRITE_ONCE(c->rx_ready, true);
	sernet_client_up(xp, c);
}

/* A short connection with nothing to send waits for serial data. */
static void sernet_client_wait(struct sernet_xport *xp)
{
	xp->waiting = true;
	sernet_set_state(xp->port, SERNET_PORT_STATE_IDLE, "IDLE");
}

static void sernet_client_attempt(struct sernet_xport *xp)
{
	struct sernet_port *port = xp->port;
	int err;

	if (xp->conn || xp->nclients)
		return;
	if (READ_ONCE(port->cfg.socksl) && !sernet_pkts_pending(port)) {
		sernet_client_wait(xp);
		return;
	}
	xp->waiting = false;
	if (xp->attempted)
		sernet_count(port, SERNET_STATS_RECONNECTS, 1);
	xp->attempted = true;
	sernet_set_state(port, SERNET_PORT_STATE_CONNECTING, "CONNECTING");
	err = sernet_connect(xp);
	if (err)
		sernet_client_retry(xp, err);
}

/*
 * port->idle_work: a TCP client connection that received nothing for
 * SOCKTON s is made again; a short connection (SOCKSL) without traffic
 * either way for SHORTO s is closed until serial data needs it.
 */
static void sernet_idle_work(struct work_struct *work)
{
	struct sernet_port *port = container_of(to_delayed_work(work),
						struct sernet_port, idle_work);
	struct sernet_xport *xp = READ_ONCE(port->xport);
	unsigned long since, limit;

	if (!xp || READ_ONCE(xp->stopping) ||
	    xp->proto != SERNET_PROTO_TCPC || !xp->nclients)
		return;
	since = READ_ONCE(port->cfg.socksl) ? xp->last_io : xp->last_rx;
	limit = sernet_idle_limit(port);
	if (time_before(jiffies, since + limit)) {
		queue_delayed_work(port->wq, &port->idle_work,
				   since + limit - jiffies);
		return;
	}
	sernet_client_close(xp, list_first_entry(&xp->clients,
						 struct sernet_client, node),
			    SERNET_CLIENT_END_IDLE);
}

/* port->retry_work: try to listen (or connect) again */
static void sernet_retry_work(struct work_struct *work)
{
	struct sernet_port *port = container_of(to_delayed_work(work),
						struct sernet_port, retry_work);
	struct sernet_xport *xp = READ_ONCE(port->xport);
	int err;

	if (!xp || READ_ONCE(xp->stopping))
		return;
	if (xp->proto == SERNET_PROTO_TCPC) {
		sernet_client_attempt(xp);
		return;
	}
	if (sernet_proto_udp(xp->proto)) {
		err = sernet_udp_open(xp);
		if (err) {
			sernet_listen_error(port, err);
			queue_delayed_work(port->wq, &port->retry_work,
					   msecs_to_jiffies(SERNET_RETRY_MS));
		}
		return;
	}
	if (xp->lsock)
		return;
	err = sernet_listen(xp);
	if (err) {
		sernet_listen_error(port, err);
		queue_delayed_work(port->wq, &port->retry_work,
				   msecs_to_jiffies(SERNET_RETRY_MS));
		return;
	}
	sernet_server_state(xp);
	pr_debug("%s: listening on port %u\n", port->tty_name,
		 port->cfg.port);
}

/* --- start and stop: caller holds port->lock ------------------------------- */

void sernet_xport_init(struct sernet_port *port)
{
	INIT_WORK(&port->tx_work, sernet_tx_work);
	INIT_WORK(&port->rx_work, sernet_rx_work);
	INIT_WORK(&port->accept_work, sernet_accept_work);
	INIT_DELAYED_WORK(&port->retry_work, sernet_retry_work);
	INIT_DELAYED_WORK(&port->idle_work, sernet_idle_work);
}

int sernet_xport_start(struct sernet_port *port)
{
	struct sernet_xport *xp;

	if (WARN_ON_ONCE(port->xport))
		return -EBUSY;
	xp = sernet_hook_fail(SERNET_HOOK_XPORT_ALLOC) ? NULL :
	     kzalloc(sizeof(*xp), GFP_KERNEL);
	if (!xp)
		return -ENOMEM;
	xp->wbuf = kmalloc(SERNET_NET_RX_BUF, GFP_KERNEL);
	if (!xp->wbuf) {
		kfree(xp);
		return -ENOMEM;
	}
	xp->port = port;
	xp->proto = port->cfg.proto;
	xp->backoff_ms = SERNET_BACKOFF_MIN_MS;
	INIT_LIST_HEAD(&xp->clients);
	spin_lock_init(&xp->clients_lock);
	/* LISTEN once the socket listens (retry_work), not before */
	WRITE_ONCE(port->xport, xp);
	queue_delayed_work(port->wq, &port->retry_work, 0);
	return 0;
}

void sernet_xport_stop(struct sernet_port *port)
{
	struct sernet_xport *xp = port->xport;
	struct sernet_client *c, *tmp;

	if (!xp)
		return;
	/*
	 * Work in flight finishes, and work queued later returns at once:
	 * after this nothing but us touches the clients and sockets.
	 */
	WRITE_ONCE(xp->stopping, true);
	flush_workqueue(port->wq);
	/* after the flush: work that was running may have armed these */
	cancel_delayed_work_sync(&port->retry_work);
	cancel_delayed_work_sync(&port->idle_work);

	/* No callback of ours runs after this, so no new work is queued. */
	if (xp->lsock)
		sernet_sock_unhook(xp->lsock, &xp->lsaved);
	if (xp->usock)
		sernet_sock_unhook(xp->usock, &xp->usaved);
	list_for_each_entry(c, &xp->clients, node)
		sernet_sock_unhook(c->sock, &c->saved);
	WRITE_ONCE(port->xport, NULL);
	flush_workqueue(port->wq);

	sernet_conn_drop(xp);
	list_for_each_entry_safe(c, tmp, &xp->clients, node)
		sernet_client_close(xp, c, SERNET_CLIENT_END_STOP);
	if (xp->lsock)
		sock_release(xp->lsock);
	sernet_udp_close(xp);
	kfree(xp->wbuf);
	kfree(xp);
	sernet_set_state(port, SERNET_PORT_STATE_IDLE, "IDLE");
}
