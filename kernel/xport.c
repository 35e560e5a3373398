// SPDX-License-Identifier: GPL-2.0
/*
 * sernet: the transport of a port: the mode's ops picked by AT+SOCKA's
 * protocol, started and stopped under port->lock; the work that hands
 * closed packets to it and network data to the tty.
 *
 * Everything of a transport runs on the port's ordered workqueue, one step
 * at a time, so a transport needs no lock of its own. Stopping sets
 * xp->stopping, flushes the queue, unhooks every socket, flushes again:
 * after that nothing but the stopper touches it.
 */
#include <linux/slab.h>

#include "conn.h"
#include "layer.h"

static const struct sernet_xport_ops *const sernet_xport_table[] = {
	[SERNET_PROTO_TCPS] = &sernet_tcp_server_ops,
	[SERNET_PROTO_TCPC] = &sernet_tcp_client_ops,
	[SERNET_PROTO_UDPS] = &sernet_udp_server_ops,
	[SERNET_PROTO_UDPC] = &sernet_udp_client_ops,
};

/* port->tx_work: closed packets are waiting (pack.c), or room came back */
static void sernet_xport_tx_work(struct work_struct *work)
{
	struct sernet_port *port = container_of(work, struct sernet_port,
						tx_work);
	struct sernet_xport *xp = READ_ONCE(port->xport);

	if (sernet_xport_running(xp))
		xp->ops->tx(xp);
	else
		sernet_pack_no_peer(port, false);
}

/* xp->rx_work: the network has data, or the tty took what waited */
static void sernet_xport_rx_work(struct work_struct *work)
{
	struct sernet_xport *xp = container_of(work, struct sernet_xport,
					       rx_work);

	/* in AT mode what the network sends waits (at.c kicks it after) */
	if (!READ_ONCE(xp->stopping) && sernet_at_working(xp->port))
		xp->ops->rx(xp);
}

/* tty_out.c: what was read from the network went to the tty */
static void sernet_xport_resume(struct sernet_tty_src *src)
{
	struct sernet_xport *xp = container_of(src, struct sernet_xport, out);

	if (!READ_ONCE(xp->stopping) && sernet_at_working(xp->port))
		xp->ops->rx(xp);
}

void sernet_xport_init(struct sernet_port *port)
{
	INIT_WORK(&port->tx_work, sernet_xport_tx_work);
}

static void sernet_xport_free(struct sernet_xport *xp)
{
	sernet_layers_stop(xp);
	kfree(xp->out.buf);
	kfree(xp);
}

/* Start the transport port->cfg.proto names. */
int sernet_xport_start(struct sernet_port *port)
{
	const struct sernet_xport_ops *ops;
	struct sernet_xport *xp;
	int err;

	if (WARN_ON_ONCE(port->xport))
		return -EBUSY;
	if (port->cfg.proto >= ARRAY_SIZE(sernet_xport_table))
		return -EINVAL;	/* the policy and sysfs refuse it before */
	ops = sernet_xport_table[port->cfg.proto];
	xp = sernet_hook_fail(SERNET_HOOK_XPORT_ALLOC) ? NULL :
	     kzalloc(ops->size, GFP_KERNEL);
	if (!xp)
		return -ENOMEM;
	xp->ops = ops;
	xp->port = port;
	INIT_WORK(&xp->rx_work, sernet_xport_rx_work);
	xp->out.resume = sernet_xport_resume;
	INIT_LIST_HEAD(&xp->layers);
	INIT_LIST_HEAD(&xp->conns);
	spin_lock_init(&xp->conns_lock);
	xp->out.buf = kmalloc(SERNET_NET_RX_BUF, GFP_KERNEL);
	err = xp->out.buf ? sernet_layers_start(xp) : -ENOMEM;
	if (err) {
		sernet_xport_free(xp);
		return err;
	}
	WRITE_ONCE(port->xport, xp);
	/* LISTEN (or CONNECTING) once the mode's work opened its socket */
	ops->start(xp);
	return 0;
}

void sernet_xport_stop(struct sernet_port *port)
{
	struct sernet_xport *xp = port->xport;

	if (!xp)
		return;
	/*
	 * Work in flight finishes, and work queued later returns at once:
	 * after this nothing but us touches the connections and sockets.
	 */
	WRITE_ONCE(xp->stopping, true);
	flush_workqueue(port->wq);
	/* after the flush: work that was running may have armed these */
	xp->ops->cancel(xp);

	/* No callback of ours runs after this, so no new work is queued. */
	xp->ops->unhook(xp);
	sernet_conns_unhook(xp);
	sernet_tty_out_cancel(port, &xp->out);
	WRITE_ONCE(port->xport, NULL);
	flush_workqueue(port->wq);

	xp->ops->release(xp);
	sernet_conns_close(xp, SERNET_CLIENT_END_STOP);
	sernet_xport_free(xp);
	sernet_set_state(port, SERNET_PORT_STATE_IDLE, "IDLE");
}
