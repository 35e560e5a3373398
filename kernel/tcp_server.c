// SPDX-License-Identifier: GPL-2.0
/*
 * sernet: the TCP server (AT+SOCKA=TCPS).
 *
 * A listening kernel socket in the port's network namespace; every client
 * gets every serial packet, and every client's data goes to the serial
 * line (conn.c). At most AT+SOCKA's max_clients at once; one more is
 * refused, or the oldest makes room for it (full). A port that cannot
 * listen says why in its status and tries again every SERNET_RETRY_MS.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/net.h>
#include <linux/tcp.h>
#include <net/sock.h>

#include "conn.h"

struct sernet_tcps {
	struct sernet_xport xp;
	struct socket *lsock;
	struct sernet_sockcb lsaved;
	struct work_struct accept_work;
	struct delayed_work listen_work;
};

static struct sernet_tcps *to_tcps(struct sernet_xport *xp)
{
	return container_of(xp, struct sernet_tcps, xp);
}

static void sernet_tcps_state(struct sernet_xport *xp)
{
	char buf[24];

	if (!xp->nconns) {
		sernet_set_state(xp->port, SERNET_PORT_STATE_LISTEN, "LISTEN");
		return;
	}
	snprintf(buf, sizeof(buf), "CONNECTED(%u)", xp->nconns);
	sernet_set_state(xp->port, SERNET_PORT_STATE_CONNECTED, buf);
}

/* The listener's data_ready: BH, socket locked; only queues work */
static void sernet_tcps_data_ready(struct sock *sk)
{
	struct sernet_tcps *s;

	/*
	 * A child inherits the listener's callbacks and sk_user_data; until
	 * it is accepted (or if it never is) they must do nothing for it.
	 */
	if (sk->sk_state != TCP_LISTEN)
		return;
	read_lock_bh(&sk->sk_callback_lock);
	s = sernet_sock_data(sk);
	if (s)
		queue_work(s->xp.port->wq, &s->accept_work);
	read_unlock_bh(&sk->sk_callback_lock);
}

static const struct sernet_sock_ops sernet_tcps_sock_ops = {
	.data_ready	= sernet_tcps_data_ready,
	.state_change	= sernet_tcps_data_ready,
};

/* accept_work: new clients */
static void sernet_tcps_accept_work(struct work_struct *work)
{
	struct sernet_tcps *s = container_of(work, struct sernet_tcps,
					     accept_work);
	struct sernet_xport *xp = &s->xp;
	struct sernet_port *port = xp->port;
	struct sernet_conn *c;
	struct socket *sock;

	if (READ_ONCE(xp->stopping) || !s->lsock)
		return;
	while (!kernel_accept(s->lsock, &sock, O_NONBLOCK)) {
		/*
		 * It has the listener's callbacks and sk_user_data: give it
		 * the socket's own, so that it never calls into us once we
		 * let go of it, even after rmmod.
		 */
		sernet_sock_reset(sock, &s->lsaved);
		if (xp->nconns >= READ_ONCE(port->cfg.max_clients)) {
			if (READ_ONCE(port->cfg.full) == SERNET_FULL_REFUSE) {
				sernet_count(port, SERNET_STATS_REFUSED, 1);
				sock_release(sock);
				continue;
			}
			sernet_conn_close(list_first_entry(&xp->conns,
							   struct sernet_conn,
							   node),
					  SERNET_CLIENT_END_EVICTED);
		}
		c = sernet_conn_new(xp, sock);
		if (!c) {
			sock_release(sock);
			continue;
		}
		/*
		 * A client's state changing (its end) looks at the accept
		 * queue again, as tcp.c did: a child whose wake-up was missed
		 * is taken then, not only with the next connection.
		 */
		c->connected = &s->accept_work;
		sernet_conn_up(c);
		sernet_tcps_state(xp);
	}
}

/* listen_work: listen, or try again later */
static void sernet_tcps_listen_work(struct work_struct *work)
{
	struct sernet_tcps *s = container_of(to_delayed_work(work),
					     struct sernet_tcps, listen_work);
	struct sernet_port *port = s->xp.port;
	struct socket *sock;
	int err;

	if (READ_ONCE(s->xp.stopping) || s->lsock)
		return;
	err = sernet_sock_open_any(read_pnet(&port->net), SOCK_STREAM,
				   port->cfg.port, true, &sock);
	if (!err) {
		err = kernel_listen(sock, SOMAXCONN);
		if (err)
			sock_release(sock);
	}
	if (err) {
		sernet_sock_error(port, err, "cannot listen");
		queue_delayed_work(port->wq, &s->listen_work,
				   msecs_to_jiffies(SERNET_RETRY_MS));
		return;
	}
	s->lsock = sock;
	sernet_sock_hook(sock, s, &sernet_tcps_sock_ops, &s->lsaved);
	sernet_tcps_state(&s->xp);
	pr_debug("%s: listening on port %u\n", port->tty_name, port->cfg.port);
}

static void sernet_tcps_start(struct sernet_xport *xp)
{
	struct sernet_tcps *s = to_tcps(xp);

	INIT_WORK(&s->accept_work, sernet_tcps_accept_work);
	INIT_DELAYED_WORK(&s->listen_work, sernet_tcps_listen_work);
	queue_delayed_work(xp->port->wq, &s->listen_work, 0);
}

static void sernet_tcps_tx(struct sernet_xport *xp)
{
	if (xp->nconns)
		sernet_conns_tx(xp);
	else
		sernet_pack_no_peer(xp->port, false);
}

static void sernet_tcps_cancel(struct sernet_xport *xp)
{
	cancel_delayed_work_sync(&to_tcps(xp)->listen_work);
}

static void sernet_tcps_unhook(struct sernet_xport *xp)
{
	sernet_sock_unhook(to_tcps(xp)->lsock, &to_tcps(xp)->lsaved);
}

static void sernet_tcps_release(struct sernet_xport *xp)
{
	sernet_sock_close(to_tcps(xp)->lsock);
}

const struct sernet_xport_ops sernet_tcp_server_ops = {
	.size		= sizeof(struct sernet_tcps),
	.start		= sernet_tcps_start,
	.tx		= sernet_tcps_tx,
	.rx		= sernet_conns_rx,
	.conn_closed	= sernet_tcps_state,
	.cancel		= sernet_tcps_cancel,
	.unhook		= sernet_tcps_unhook,
	.release	= sernet_tcps_release,
};
