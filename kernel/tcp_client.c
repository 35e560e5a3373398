// SPDX-License-Identifier: GPL-2.0
/*
 * sernet: the TCP client (AT+SOCKA=TCPC).
 *
 * One connection (conn.c), made to AT+SOCKA's server: a non-blocking
 * connect, keepalive on, and after a failure or a loss a new attempt after
 * 1, 2, 4 ... 32 s. A connection that received nothing for AT+SOCKTON s is
 * made again. Short connections (AT+SOCKSL) are made when serial data
 * needs one and closed after AT+SHORTO s without traffic either way.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/net.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "conn.h"

#define SERNET_BACKOFF_MIN_MS	1000
#define SERNET_BACKOFF_MAX_MS	32000

struct sernet_tcpc {
	struct sernet_xport xp;
	struct sernet_conn *conn;	/* the connection being made */
	unsigned int backoff_ms;	/* before the next attempt */
	bool attempted;			/* a first attempt was made */
	bool waiting;			/* short: no connection, no data */
	struct work_struct connect_work;
	struct delayed_work retry_work;
	struct delayed_work idle_work;
};

static struct sernet_tcpc *to_tcpc(struct sernet_xport *xp)
{
	return container_of(xp, struct sernet_tcpc, xp);
}

/* Close the connection being made, if any */
static void sernet_tcpc_drop(struct sernet_tcpc *t)
{
	struct sernet_conn *c = t->conn;

	if (!c)
		return;
	t->conn = NULL;
	sernet_conn_free(c);
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
static void sernet_tcpc_retry(struct sernet_tcpc *t, int err)
{
	struct sernet_port *port = t->xp.port;
	char buf[SERNET_STATUS_MAX];

	if (err) {
		snprintf(buf, sizeof(buf), "ERROR: %s",
			 sernet_connect_error(err));
		sernet_set_state(port, SERNET_PORT_STATE_ERROR, buf);
	} else {
		sernet_set_state(port, SERNET_PORT_STATE_CONNECTING,
				 "CONNECTING");
	}
	queue_delayed_work(port->wq, &t->retry_work,
			   msecs_to_jiffies(t->backoff_ms));
	t->backoff_ms = min(2 * t->backoff_ms, SERNET_BACKOFF_MAX_MS);
}

static int sernet_tcpc_connect(struct sernet_tcpc *t)
{
	struct sernet_port *port = t->xp.port;
	struct sockaddr_storage ss;
	struct socket *sock;
	int alen, err;

	alen = sernet_sockaddr_remote(port, &ss);
	err = sernet_sock_open(read_pnet(&port->net), ss.ss_family,
			       SOCK_STREAM, port->cfg.local_port, true, &sock);
	if (err)
		return err;
	t->conn = sernet_conn_new(&t->xp, sock);
	if (!t->conn) {
		sock_release(sock);
		return -ENOMEM;
	}
	t->conn->connected = &t->connect_work;
	err = kernel_connect(sock, (struct sockaddr *)&ss, alen, O_NONBLOCK);
	if (err && err != -EINPROGRESS) {
		sernet_tcpc_drop(t);
		return err;
	}
	/* the state change callback (or this, if it was quick) finishes */
	queue_work(port->wq, &t->connect_work);
	return 0;
}

/* A short connection with nothing to send waits for serial data. */
static void sernet_tcpc_wait(struct sernet_tcpc *t)
{
	t->waiting = true;
	sernet_set_state(t->xp.port, SERNET_PORT_STATE_IDLE, "IDLE");
}

static void sernet_tcpc_attempt(struct sernet_tcpc *t)
{
	struct sernet_port *port = t->xp.port;
	int err;

	if (t->conn || t->xp.nconns)
		return;
	if (READ_ONCE(port->cfg.socksl) && !sernet_pkts_pending(port)) {
		sernet_tcpc_wait(t);
		return;
	}
	t->waiting = false;
	if (t->attempted)
		sernet_count(port, SERNET_STATS_RECONNECTS, 1);
	t->attempted = true;
	sernet_set_state(port, SERNET_PORT_STATE_CONNECTING, "CONNECTING");
	err = sernet_tcpc_connect(t);
	if (err)
		sernet_tcpc_retry(t, err);
}

/* How long a connection may go without traffic, in jiffies */
static unsigned long sernet_idle_limit(struct sernet_port *port)
{
	if (READ_ONCE(port->cfg.socksl))
		return READ_ONCE(port->cfg.shorto) * HZ;
	return (unsigned long)READ_ONCE(port->cfg.sockton) * HZ;
}

/* connect_work: the connection being made is up, failed, or on its way */
static void sernet_tcpc_connect_work(struct work_struct *work)
{
	struct sernet_tcpc *t = container_of(work, struct sernet_tcpc,
					     connect_work);
	struct sernet_port *port = t->xp.port;
	struct sernet_conn *c = t->conn;
	int state;

	if (READ_ONCE(t->xp.stopping) || !c)
		return;
	sernet_hook_delay(SERNET_HOOK_CONNECT_DONE);
	state = READ_ONCE(c->sock->sk->sk_state);
	if (state == TCP_SYN_SENT)
		return;
	if (state == TCP_CLOSE) {
		int err = -READ_ONCE(c->sock->sk->sk_err);

		sernet_tcpc_drop(t);
		sernet_tcpc_retry(t, err ?: -ECONNABORTED);
		return;
	}
	/*
	 * Up; or up and already closed by the server (CLOSE_WAIT: "busy, go
	 * away"), when no callback comes any more: what it sent is read,
	 * then its end, which makes the next attempt.
	 */
	t->conn = NULL;
	if (state == TCP_ESTABLISHED)
		t->backoff_ms = SERNET_BACKOFF_MIN_MS;
	WRITE_ONCE(c->rx_ready, true);
	sernet_conn_up(c);
	sernet_set_state(port, SERNET_PORT_STATE_CONNECTED, "CONNECTED");
	mod_delayed_work(port->wq, &t->idle_work, sernet_idle_limit(port));
}

/* retry_work: the next attempt */
static void sernet_tcpc_retry_work(struct work_struct *work)
{
	struct sernet_tcpc *t = container_of(to_delayed_work(work),
					     struct sernet_tcpc, retry_work);

	if (!READ_ONCE(t->xp.stopping))
		sernet_tcpc_attempt(t);
}

/*
 * idle_work: a connection that received nothing for SOCKTON s is made
 * again; a short connection (SOCKSL) without traffic either way for
 * SHORTO s is closed until serial data needs it.
 */
static void sernet_tcpc_idle_work(struct work_struct *work)
{
	struct sernet_tcpc *t = container_of(to_delayed_work(work),
					     struct sernet_tcpc, idle_work);
	struct sernet_xport *xp = &t->xp;
	struct sernet_port *port = xp->port;
	unsigned long since, limit;

	if (READ_ONCE(xp->stopping) || !xp->nconns)
		return;
	since = READ_ONCE(port->cfg.socksl) ? READ_ONCE(xp->last_io) :
					    READ_ONCE(xp->last_rx);
	limit = sernet_idle_limit(port);
	if (time_before(jiffies, since + limit)) {
		queue_delayed_work(port->wq, &t->idle_work,
				   since + limit - jiffies);
		return;
	}
	sernet_conn_close(list_first_entry(&xp->conns, struct sernet_conn,
					   node),
			  SERNET_CLIENT_END_IDLE);
}

static void sernet_tcpc_start(struct sernet_xport *xp)
{
	struct sernet_tcpc *t = to_tcpc(xp);

	t->backoff_ms = SERNET_BACKOFF_MIN_MS;
	INIT_WORK(&t->connect_work, sernet_tcpc_connect_work);
	INIT_DELAYED_WORK(&t->retry_work, sernet_tcpc_retry_work);
	INIT_DELAYED_WORK(&t->idle_work, sernet_tcpc_idle_work);
	queue_delayed_work(xp->port->wq, &t->retry_work, 0);
}

static void sernet_tcpc_tx(struct sernet_xport *xp)
{
	struct sernet_tcpc *t = to_tcpc(xp);
	struct sernet_port *port = xp->port;

	if (xp->nconns) {
		sernet_conns_tx(xp);
		return;
	}
	/* a short connection starts with the data that needs it */
	if (t->waiting && sernet_pkts_pending(port))
		sernet_tcpc_attempt(t);
	/*
	 * No peer: keep the newest bytes for the next, or not; with short
	 * connections, waiting data is what one is made for.
	 */
	sernet_pack_no_peer(port, READ_ONCE(port->cfg.socksl));
}

/* The connection ended: a new one, now or when serial data needs it */
static void sernet_tcpc_conn_closed(struct sernet_xport *xp)
{
	struct sernet_tcpc *t = to_tcpc(xp);

	if (READ_ONCE(xp->port->cfg.socksl) && !sernet_pkts_pending(xp->port))
		sernet_tcpc_wait(t);
	else
		sernet_tcpc_retry(t, 0);
}

static void sernet_tcpc_cancel(struct sernet_xport *xp)
{
	struct sernet_tcpc *t = to_tcpc(xp);

	cancel_delayed_work_sync(&t->retry_work);
	cancel_delayed_work_sync(&t->idle_work);
}

static void sernet_tcpc_unhook(struct sernet_xport *xp)
{
	struct sernet_conn *c = to_tcpc(xp)->conn;

	if (c)
		sernet_sock_unhook(c->sock, &c->saved);
}

static void sernet_tcpc_release(struct sernet_xport *xp)
{
	sernet_tcpc_drop(to_tcpc(xp));
}

const struct sernet_xport_ops sernet_tcp_client_ops = {
	.size		= sizeof(struct sernet_tcpc),
	.start		= sernet_tcpc_start,
	.tx		= sernet_tcpc_tx,
	.rx		= sernet_conns_rx,
	.conn_closed	= sernet_tcpc_conn_closed,
	.cancel		= sernet_tcpc_cancel,
	.unhook		= sernet_tcpc_unhook,
	.release	= sernet_tcpc_release,
};
