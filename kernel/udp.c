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
#include <linux/in6.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "sernet.h"
#include "xport.h"

static void sernet_udp_data_ready(struct sock *sk)
{
	struct sernet_port *port;

	read_lock_bh(&sk->sk_callback_lock);
	port = sk->sk_user_data;
	if (port)
		queue_work(port->wq, &port->rx_work);
	read_unlock_bh(&sk->sk_callback_lock);
}

static void sernet_udp_write_space(struct sock *sk)
{
	struct sernet_port *port;

	read_lock_bh(&sk->sk_callback_lock);
	port = sk->sk_user_data;
	if (port)
		queue_work(port->wq, &port->tx_work);
	read_unlock_bh(&sk->sk_callback_lock);
}

/* The remote of the client mode as a socket address; its length */
static int sernet_udp_remote(struct sernet_port *port,
			     struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (port->cfg.addr_len == 16) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		memcpy(&a->sin6_addr, port->cfg.addr, 16);
		a->sin6_port = htons(port->cfg.port);
		return sizeof(*a);
	}
	((struct sockaddr_in *)ss)->sin_family = AF_INET;
	memcpy(&((struct sockaddr_in *)ss)->sin_addr, port->cfg.addr, 4);
	((struct sockaddr_in *)ss)->sin_port = htons(port->cfg.port);
	return sizeof(struct sockaddr_in);
}

int sernet_udp_open(struct sernet_xport *xp)
{
	struct sernet_port *port = xp->port;
	struct net *net = read_pnet(&port->net);
	bool client = xp->proto == SERNET_PROTO_UDPC;
	struct sockaddr_storage local = {};
	struct socket *sock;
	int family, len, err;

	if (client) {
		xp->peer_len = sernet_udp_remote(port, &xp->peer);
		family = xp->peer.ss_family;
	} else {
		family = AF_INET6;
	}
	err = sock_create_kern(net, family, SOCK_DGRAM, IPPROTO_UDP, &sock);
	if (err && family == AF_INET6 && !client) {
		family = AF_INET;	/* no IPv6 here */
		err = sock_create_kern(net, family, SOCK_DGRAM, IPPROTO_UDP,
				       &sock);
	}
	if (err)
		return err;
	local.ss_family = family;
	if (family == AF_INET6) {
		((struct sockaddr_in6 *)&local)->sin6_port =
			htons(client ? port->cfg.local_port : port->cfg.port);
		len = sizeof(struct sockaddr_in6);
	} else {
		((struct sockaddr_in *)&local)->sin_port =
			htons(client ? port->cfg.local_port : port->cfg.port);
		len = sizeof(struct sockaddr_in);
	}
	err = kernel_bind(sock, (struct sockaddr *)&local, len);
	if (err) {
		sock_release(sock);
		return err;
	}
	xp->usock = sock;
	sernet_sock_hook(sock, port, &xp->usaved, sernet_udp_data_ready,
			 sernet_udp_write_space);
	if (client)
		sernet_set_state(port, SERNET_PORT_STATE_CONNECTED, "CONNECTED");
	else
		sernet_set_state(port, SERNET_PORT_STATE_LISTEN, "LISTEN");
	queue_work(port->wq, &port->rx_work);
	queue_work(port->wq, &port->tx_work);
	return 0;
}

/* After sernet_sock_unhook() and the work flushed (sernet_xport_stop) */
void sernet_udp_close(struct sernet_xport *xp)
{
	if (xp->usock)
		sock_release(xp->usock);
	xp->usock = NULL;
}

/* port->tx_work: each packet one datagram to the peer */
void sernet_udp_tx(struct sernet_xport *xp)
{
	struct sernet_port *port = xp->port;
	struct sernet_pkt *pkt;

	if (!xp->usock || !xp->peer_len) {
		sernet_pack_no_peer(port, false);
		return;
	}
	while ((pkt = sernet_pkt_next(port))) {
		struct kvec iov = {
			.iov_base = page_address(pkt->page) + pkt->off,
			.iov_len = pkt->len,
		};
		struct msghdr msg = {
			.msg_name = &xp->peer,
			.msg_namelen = xp->peer_len,
			.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL,
		};
		int n = kernel_sendmsg(xp->usock, &msg, &iov, 1, pkt->len);

		if (n == pkt->len) {
			sernet_count(port, SERNET_STATS_NET_TX_BYTES, n);
			sernet_pkt_delivered(pkt);
		} else {
			sernet_count(port, SERNET_STATS_DROP_UDP, 1);
		}
		sernet_pkt_put(pkt);
	}
}

/* Is ss the client's remote? */
static bool sernet_udp_from_remote(struct sernet_xport *xp,
				   const struct sockaddr_storage *ss)
{
	if (ss->ss_family != xp->peer.ss_family)
		return false;
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)ss;
		const struct sockaddr_in6 *b = (const void *)&xp->peer;

		return a->sin6_port == b->sin6_port &&
		       ipv6_addr_equal(&a->sin6_addr, &b->sin6_addr);
	}
	return ((const struct sockaddr_in *)ss)->sin_port ==
	       ((const struct sockaddr_in *)&xp->peer)->sin_port &&
	       ((const struct sockaddr_in *)ss)->sin_addr.s_addr ==
	       ((const struct sockaddr_in *)&xp->peer)->sin_addr.s_addr;
}

/* port->rx_work: each datagram whole to the serial line */
void sernet_udp_rx(struct sernet_xport *xp)
{
	struct sernet_port *port = xp->port;
	int budget = 64;

	if (!xp->usock)
		return;
	while (sernet_tty_drain(xp) && budget--) {
		struct kvec iov = { xp->wbuf, SERNET_NET_RX_BUF };
		struct sockaddr_storage from;
		struct msghdr msg = {
			.msg_name = &from,
			.msg_namelen = sizeof(from),
		};
		int n;

		n = kernel_recvmsg(xp->usock, &msg, &iov, 1, iov.iov_len,
				   MSG_DONTWAIT);
		if (n < 0)
			return;		/* -EAGAIN: data_ready calls again */
		if ((msg.msg_flags & MSG_TRUNC) ||
		    (xp->proto == SERNET_PROTO_UDPC &&
		     !READ_ONCE(port->cfg.udpon) &&
		     !sernet_udp_from_remote(xp, &from))) {
			sernet_count(port, SERNET_STATS_DROP_UDP, 1);
			continue;
		}
		if (xp->proto == SERNET_PROTO_UDPS) {
			/* answer whoever spoke last */
			bool first = !xp->peer_len;

			memcpy(&xp->peer, &from, msg.msg_namelen);
			xp->peer_len = msg.msg_namelen;
			if (first) {
				sernet_set_state(port,
						 SERNET_PORT_STATE_CONNECTED,
						 "CONNECTED");
				queue_work(port->wq, &port->tx_work);
			}
		}
		sernet_count(port, SERNET_STATS_NET_RX_BYTES, n);
		xp->wlen = n;
	}
	if (budget < 0)
		queue_work(port->wq, &port->rx_work);
}
