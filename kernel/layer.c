// SPDX-License-Identifier: GPL-2.0
/*
 * sernet: the chain of protocol layers of a transport (see layer.h).
 *
 * Serial to network a packet meets the layers in the table's order, network
 * to serial in the reverse one. Adding a layer is its file and a line in
 * sernet_layer_table.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>

#include "layer.h"

static const struct sernet_layer_ops *const sernet_layer_table[] = {
#ifdef SERNET_TEST_HOOKS
	&sernet_test_layer_ops,
#endif
	NULL,
};

/* The chain for a starting transport, from its port's settings */
int sernet_layers_start(struct sernet_xport *xp)
{
	const struct sernet_layer_ops *const *ops;
	struct sernet_layer *l;

	for (ops = sernet_layer_table; *ops; ops++) {
		if (!(*ops)->wanted(xp->port))
			continue;
		l = kzalloc(sizeof(*l), GFP_KERNEL);
		if (!l) {
			sernet_layers_stop(xp);
			return -ENOMEM;
		}
		l->ops = *ops;
		l->xp = xp;
		list_add_tail(&l->node, &xp->layers);
		pr_debug("%s: layer %s\n", xp->port->tty_name, l->ops->name);
	}
	return 0;
}

/* After the transport's work stopped */
void sernet_layers_stop(struct sernet_xport *xp)
{
	struct sernet_layer *l, *tmp;

	list_for_each_entry_safe(l, tmp, &xp->layers, node) {
		list_del(&l->node);
		kfree(l);
	}
}

struct sernet_pkt *__sernet_layers_to_net(struct sernet_xport *xp,
					  struct sernet_pkt *pkt)
{
	struct sernet_layer *l;

	list_for_each_entry(l, &xp->layers, node) {
		if (!l->ops->to_net)
			continue;
		pkt = l->ops->to_net(l, pkt);
		if (!pkt)
			break;
	}
	return pkt;
}

unsigned int __sernet_layers_to_serial(struct sernet_xport *xp, u8 *buf,
				       unsigned int len)
{
	struct sernet_layer *l;

	list_for_each_entry_reverse(l, &xp->layers, node) {
		if (l->ops->to_serial && len)
			len = l->ops->to_serial(l, buf, len);
	}
	return len;
}

void __sernet_layers_conn(struct sernet_xport *xp, struct sernet_conn *c,
			  bool up)
{
	struct sernet_layer *l;

	list_for_each_entry(l, &xp->layers, node) {
		if (up && l->ops->conn_up)
			l->ops->conn_up(l, c);
		if (!up && l->ops->conn_down)
			l->ops->conn_down(l, c);
	}
}
