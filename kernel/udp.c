// SPDX-License-Identifier: GPL-2.0
/*
 * sernet: the UDP transports (AT+SOCKA=UDPS and UDPC).
 *
 * One socket. Each serial packet is one datagram: a UDP server sends it
 * to the peer that last sent to it, a UDP client to its remote. Each
 * datagram received goes whole to the serial line; a UDP client takes
 * only its remote's unless UDPON. UDP cannot hold the serial line back:
 * what the socket refuses is dropped and counted.
 */
#include <linux/mm.h>
#include <linux/net.h>
#include <net/sock.h>

#include "layer.h"

struct sernet_udp {
	struct sernet_xport xp;
	bool client;			/* UDPC */
	struct socket *sock;
	struct sernet_sockcb saved;
	struct sockaddr_storage peer;	/* where packets go */
	int peer_len;			/* 0: nowhere yet */
	struct delayed_work open_work;
};

static struct sernet_udp *to_udp(struct sernet_xport *xp)
{
	return container_of(xp, struct sernet_udp, xp);
}

/* The socket's callbacks: BH; they only queue work */
static void sernet_udp_kick(struct sock *sk, bool rx)
{
	struct sernet_udp *u;

	read_lock_bh(&sk->sk_callback_lock);
	u = sernet_sock_data(sk);
	if (u && rx)
		sernet_xport_kick_rx(&u->xp);
	else if (u)
		sernet_xport_kick_tx(&u->xp);
	read_unlock_bh(&sk->sk_callback_lock);
}

static void sernet_udp_data_ready(struct sock *sk)
{
	sernet_udp_kick(sk, true);
}

static void sernet_udp_write_space(struct sock *sk)
{
	sernet_udp_kick(sk, false);
}

static const struct sernet_sock_ops sernet_udp_sock_ops = {
	.data_ready	= sernet_udp_data_ready,
	.write_space	= sernet_udp_write_space,
	.state_change	= sernet_udp_data_ready,
};

static int sernet_udp_open(struct sernet_udp *u)
{
	struct sernet_port *port = u->xp.port;
	struct net *net = read_pnet(&port->net);
	int err;

	if (u->client) {
		u->peer_len = sernet_sockaddr_remote(port, &u->peer);
		err = sernet_sock_open(net, u->peer.ss_family, SOCK_DGRAM,
				       port->cfg.local_port, false, &u->sock);
	} else {
		err = sernet_sock_open_any(net, SOCK_DGRAM, port->cfg.port,
					   false, &u->sock);
	}
	if (err) {
		u->sock = NULL;
		return err;
	}
	sernet_sock_hook(u->sock, u, &sernet_udp_sock_ops, &u->saved);
	if (u->client)
		sernet_set_state(port, SERNET_PORT_STATE_CONNECTED, "CONNECTED");
	else
		sernet_set_state(port, SERNET_PORT_STATE_LISTEN, "LISTEN");
	sernet_xport_kick_rx(&u->xp);
	sernet_xport_kick_tx(&u->xp);
	return 0;
}

/* open_work: bind, or try again later */
static void sernet_udp_open_work(struct work_struct *work)
{
	struct sernet_udp *u = container_of(to_delayed_work(work),
					    struct sernet_udp, open_work);
	struct sernet_port *port = u->xp.port;
	int err;

	if (READ_ONCE(u->xp.stopping) || u->sock)
		return;
	err = sernet_udp_open(u);
	if (err) {
		sernet_sock_error(port, err, "cannot listen");
		queue_delayed_work(port->wq, &u->open_work,
				   msecs_to_jiffies(SERNET_RETRY_MS));
	}
}

/* Each packet one datagram to the peer */
static void sernet_udp_tx(struct sernet_xport *xp)
{
	struct sernet_udp *u = to_udp(xp);
	struct sernet_port *port = xp->port;
	struct sernet_pkt *pkt;

	if (!u->sock || !u->peer_len) {
		sernet_pack_no_peer(port, false);
		return;
	}
	while ((pkt = sernet_layers_next_pkt(xp))) {
		struct kvec iov = {
			.iov_base = page_address(pkt->page) + pkt->off,
			.iov_len = pkt->len,
		};
		struct msghdr msg = {
			.msg_name = &u->peer,
			.msg_namelen = u->peer_len,
			.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL,
		};
		int n = kernel_sendmsg(u->sock, &msg, &iov, 1, pkt->len);

		if (n == pkt->len) {
			sernet_count(port, SERNET_STATS_NET_TX_BYTES, n);
			sernet_pkt_delivered(pkt);
		} else {
			sernet_count(port, SERNET_STATS_DROP_UDP, 1);
		}
		sernet_pkt_put(pkt);
	}
}

/* Each datagram whole to the serial line */
static void sernet_udp_rx(struct sernet_xport *xp)
{
	struct sernet_udp *u = to_udp(xp);
	struct sernet_port *port = xp->port;
	int budget = 64;

	if (!u->sock)
		return;
	while (sernet_tty_out_write(port, &xp->out) && budget--) {
		struct kvec iov = { xp->out.buf, SERNET_NET_RX_BUF };
		struct sockaddr_storage from;
		struct msghdr msg = {
			.msg_name = &from,
			.msg_namelen = sizeof(from),
		};
		int n;

		n = kernel_recvmsg(u->sock, &msg, &iov, 1, iov.iov_len,
				   MSG_DONTWAIT);
		if (n < 0)
			return;		/* -EAGAIN: data_ready calls again */
		if ((msg.msg_flags & MSG_TRUNC) ||
		    (u->client && !READ_ONCE(port->cfg.udpon) &&
		     !sernet_sockaddr_equal(&from, &u->peer))) {
			sernet_count(port, SERNET_STATS_DROP_UDP, 1);
			continue;
		}
		if (!u->client) {
			/* answer whoever spoke last */
			bool first = !u->peer_len;

			memcpy(&u->peer, &from, msg.msg_namelen);
			u->peer_len = msg.msg_namelen;
			if (first) {
				sernet_set_state(port,
						 SERNET_PORT_STATE_CONNECTED,
						 "CONNECTED");
				sernet_xport_kick_tx(xp);
			}
		}
		sernet_count(port, SERNET_STATS_NET_RX_BYTES, n);
		xp->out.len = sernet_layers_to_serial(xp, xp->out.buf, n);
	}
	if (budget < 0)
		sernet_xport_kick_rx(xp);
}

static void sernet_udp_start(struct sernet_xport *xp, bool client)
{
	struct sernet_udp *u = to_udp(xp);

	u->client = client;
	INIT_DELAYED_WORK(&u->open_work, sernet_udp_open_work);
	queue_delayed_work(xp->port->wq, &u->open_work, 0);
}

static void sernet_udps_start(struct sernet_xport *xp)
{
	sernet_udp_start(xp, false);
}

static void sernet_udpc_start(struct sernet_xport *xp)
{
	sernet_udp_start(xp, true);
}

static void sernet_udp_cancel(struct sernet_xport *xp)
{
	cancel_delayed_work_sync(&to_udp(xp)->open_work);
}

static void sernet_udp_unhook(struct sernet_xport *xp)
{
	sernet_sock_unhook(to_udp(xp)->sock, &to_udp(xp)->saved);
}

static void sernet_udp_release(struct sernet_xport *xp)
{
	sernet_sock_close(to_udp(xp)->sock);
}

const struct sernet_xport_ops sernet_udp_server_ops = {
	.size		= sizeof(struct sernet_udp),
	.start		= sernet_udps_start,
	.tx		= sernet_udp_tx,
	.rx		= sernet_udp_rx,
	.cancel		= sernet_udp_cancel,
	.unhook		= sernet_udp_unhook,
	.release	= sernet_udp_release,
};

const struct sernet_xport_ops sernet_udp_client_ops = {
	.size		= sizeof(struct sernet_udp),
	.start		= sernet_udpc_start,
	.tx		= sernet_udp_tx,
	.rx		= sernet_udp_rx,
	.cancel		= sernet_udp_cancel,
	.unhook		= sernet_udp_unhook,
	.release	= sernet_udp_release,
};
