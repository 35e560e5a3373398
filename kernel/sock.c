// SPDX-License-Identifier: GPL-2.0
/*
 * sernet: what the transports do with kernel sockets alike: hook our
 * callbacks in and out, make socket addresses, open and bind, name peers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in6.h>
#include <linux/net.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "xport.h"

/* Ours replace the socket's callbacks; saved keeps its own. */
void sernet_sock_hook(struct socket *sock, void *data,
		      const struct sernet_sock_ops *ops,
		      struct sernet_sockcb *saved)
{
	struct sock *sk = sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	saved->data_ready = sk->sk_data_ready;
	saved->write_space = sk->sk_write_space;
	saved->state_change = sk->sk_state_change;
	sk->sk_user_data = data;
	if (ops->data_ready)
		sk->sk_data_ready = ops->data_ready;
	if (ops->write_space)
		sk->sk_write_space = ops->write_space;
	if (ops->state_change)
		sk->sk_state_change = ops->state_change;
	write_unlock_bh(&sk->sk_callback_lock);
}

/* The socket's own callbacks back, and no data of ours */
void sernet_sock_reset(struct socket *sock, const struct sernet_sockcb *own)
{
	struct sock *sk = sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = NULL;
	sk->sk_data_ready = own->data_ready;
	sk->sk_write_space = own->write_space;
	sk->sk_state_change = own->state_change;
	write_unlock_bh(&sk->sk_callback_lock);
}

/* After this no callback of ours runs for the socket (if there is one). */
void sernet_sock_unhook(struct socket *sock, const struct sernet_sockcb *saved)
{
	if (sock && READ_ONCE(sock->sk->sk_user_data))
		sernet_sock_reset(sock, saved);
}

/* Let go of a socket, if there is one */
void sernet_sock_close(struct socket *sock)
{
	if (sock)
		sock_release(sock);
}

/* An address of @family (addr NULL: any) and @port; its length */
int sernet_sockaddr(struct sockaddr_storage *ss, int family, const u8 *addr,
		    u16 port)
{
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = family;
	if (family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		if (addr)
			memcpy(&a->sin6_addr, addr, sizeof(a->sin6_addr));
		a->sin6_port = htons(port);
		return sizeof(*a);
	}
	if (addr)
		memcpy(&((struct sockaddr_in *)ss)->sin_addr, addr, 4);
	((struct sockaddr_in *)ss)->sin_port = htons(port);
	return sizeof(struct sockaddr_in);
}

/* The remote server of the client modes (AT+SOCKA's address and port) */
int sernet_sockaddr_remote(struct sernet_port *port,
			   struct sockaddr_storage *ss)
{
	return sernet_sockaddr(ss, port->cfg.addr_len == 16 ? AF_INET6 :
			       AF_INET, port->cfg.addr, port->cfg.port);
}

bool sernet_sockaddr_equal(const struct sockaddr_storage *a,
			   const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a;
		const struct sockaddr_in6 *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		       ipv6_addr_equal(&x->sin6_addr, &y->sin6_addr);
	}
	return ((const struct sockaddr_in *)a)->sin_port ==
	       ((const struct sockaddr_in *)b)->sin_port &&
	       ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
	       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
}

/*
 * A socket of @family and @type bound to the local @port on any address
 * (port 0 with SOCK_STREAM: not bound, the connect picks one).
 */
int sernet_sock_open(struct net *net, int family, int type, u16 port,
		     bool reuse, struct socket **res)
{
	int proto = type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
	struct sockaddr_storage ss;
	struct socket *sock;
	int len, err;

	err = sock_create_kern(net, family, type, proto, &sock);
	if (err)
		return err;
	if (port || type != SOCK_STREAM) {
		if (reuse)
			sock_set_reuseaddr(sock->sk);
		len = sernet_sockaddr(&ss, family, NULL, port);
		err = kernel_bind(sock, (struct sockaddr *)&ss, len);
		if (err) {
			sock_release(sock);
			return err;
		}
	}
	*res = sock;
	return 0;
}

/* As above on every address: one IPv6 socket takes IPv4 too; else IPv4 */
int sernet_sock_open_any(struct net *net, int type, u16 port, bool reuse,
			 struct socket **res)
{
	int err = sernet_sock_open(net, AF_INET6, type, port, reuse, res);

	if (err == -EAFNOSUPPORT)	/* no IPv6 here */
		err = sernet_sock_open(net, AF_INET, type, port, reuse, res);
	return err;
}

/* "addr:port" of the peer, for events */
void sernet_peer_name(struct socket *sock, char *buf, size_t len)
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

/* A server socket could not be opened: the status says so; it retries */
void sernet_sock_error(struct sernet_port *port, int err, const char *what)
{
	char buf[SERNET_STATUS_MAX];

	snprintf(buf, sizeof(buf), "ERROR: %s",
		 err == -EADDRINUSE ? "address in use" : what);
	sernet_set_state(port, SERNET_PORT_STATE_ERROR, buf);
	pr_warn_ratelimited("%s: %s on port %u (%d), retrying\n",
			    port->tty_name, what, port->cfg.port, err);
}
