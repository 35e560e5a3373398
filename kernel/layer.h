/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sernet: the protocol layers between the tty and the sockets (layer.c).
 *
 * A layer is a struct sernet_layer_ops: it sees each closed serial packet
 * on its way to the network, each read from the network on its way to the
 * tty, and the connections coming and going (the anchors: tcp_ulp_ops,
 * ppp's struct compressor, strparser's parse_msg). Its decisions are a pure
 * step function in a header of its own (like pack_step.h), which its fuzz
 * target and host tests drive. xport.c builds a transport's chain when it
 * starts, from the port's settings; the empty chain, raw forwarding, costs
 * a list_empty() per packet and per read, and keeps zero copy.
 */
#ifndef _SERNET_LAYER_H
#define _SERNET_LAYER_H

#include "xport.h"

struct sernet_layer;

/**
 * struct sernet_layer_ops - one protocol layer
 * @name: for the log
 * @wanted: whether a transport of @port has this layer (its settings)
 * @to_net: a closed serial packet (the layer's reference); return the
 *	packet to send on (this one, changed in place, or a new one) or NULL
 *	when the layer keeps or drops it
 * @to_serial: bytes read from the network, changed in place in a buffer of
 *	SERNET_NET_RX_BUF bytes; returns how many go on to the tty
 * @conn_up: a connection is established (TCP modes)
 * @conn_down: a connection ends
 */
struct sernet_layer_ops {
	const char *name;
	bool (*wanted)(struct sernet_port *port);
	struct sernet_pkt *(*to_net)(struct sernet_layer *l,
				     struct sernet_pkt *pkt);
	unsigned int (*to_serial)(struct sernet_layer *l, u8 *buf,
				  unsigned int len);
	void (*conn_up)(struct sernet_layer *l, struct sernet_conn *c);
	void (*conn_down)(struct sernet_layer *l, struct sernet_conn *c);
};

/* A layer in a transport's chain; a layer's own state may follow it */
struct sernet_layer {
	struct list_head node;
	const struct sernet_layer_ops *ops;
	struct sernet_xport *xp;
};

int sernet_layers_start(struct sernet_xport *xp);
void sernet_layers_stop(struct sernet_xport *xp);
struct sernet_pkt *__sernet_layers_to_net(struct sernet_xport *xp,
					  struct sernet_pkt *pkt);
unsigned int __sernet_layers_to_serial(struct sernet_xport *xp, u8 *buf,
				       unsigned int len);
void __sernet_layers_conn(struct sernet_xport *xp, struct sernet_conn *c,
			  bool up);

/* The next closed packet to send, through the chain */
static inline struct sernet_pkt *sernet_layers_next_pkt(struct sernet_xport *xp)
{
	struct sernet_pkt *pkt;

	while ((pkt = sernet_pkt_next(xp->port))) {
		if (likely(list_empty(&xp->layers)))
			return pkt;
		pkt = __sernet_layers_to_net(xp, pkt);
		if (pkt)
			return pkt;
	}
	return NULL;
}

static inline unsigned int sernet_layers_to_serial(struct sernet_xport *xp,
						   u8 *buf, unsigned int len)
{
	if (likely(list_empty(&xp->layers)))
		return len;
	return __sernet_layers_to_serial(xp, buf, len);
}

static inline void sernet_layers_conn_up(struct sernet_xport *xp,
					 struct sernet_conn *c)
{
	if (unlikely(!list_empty(&xp->layers)))
		__sernet_layers_conn(xp, c, true);
}

static inline void sernet_layers_conn_down(struct sernet_xport *xp,
					   struct sernet_conn *c)
{
	if (unlikely(!list_empty(&xp->layers)))
		__sernet_layers_conn(xp, c, false);
}

/* The layers, in the order a serial packet meets them (layer.c's table) */
#ifdef SERNET_TEST_HOOKS
extern const struct sernet_layer_ops sernet_test_layer_ops;
#endif

#endif /* _SERNET_LAYER_H */
