// SPDX-License-Identifier: GPL-2.0
/*
 * sernet: the ports: the registry (sernetN), a port's creation when the
 * discipline is attached and its removal, and its network namespace.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/nsproxy.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/tty.h>

#include "sernet.h"

/* Every port by index; changes and lookups hold sernet_ports_lock */
DEFINE_XARRAY_ALLOC(sernet_ports);
/* Serialises port creation, removal and namespace moves with readers */
DEFINE_MUTEX(sernet_ports_lock);

static void sernet_port_release(struct device *dev)
{
	struct sernet_port *port = to_sernet_port(dev);

	if (port->wq)
		destroy_workqueue(port->wq);
	kfree(port);
}

struct sernet_port *sernet_port_create(struct tty_struct *tty)
{
	struct net *net = current->nsproxy ? current->nsproxy->net_ns :
					     &init_net;
	struct sernet_port *port;
	u32 index;
	int err;

	port = kzalloc(sizeof(*port), GFP_KERNEL);
	if (!port)
		return ERR_PTR(-ENOMEM);

	write_pnet(&port->net, net);
	strscpy(port->tty_name, tty_name(tty), sizeof(port->tty_name));
	mutex_init(&port->lock);
	spin_lock_init(&port->status_lock);
	sernet_set_state(port, SERNET_PORT_STATE_IDLE, "IDLE");
	sernet_pack_init(port);
	sernet_tty_out_init(port);
	sernet_xport_init(port);
	port->tty = tty;
	sernet_config_init(port);

	device_initialize(&port->dev);
	port->dev.class = &sernet_class;
	port->dev.release = sernet_port_release;
	port->wq = alloc_ordered_workqueue("sernet/%s", 0, port->tty_name);
	if (!port->wq) {
		put_device(&port->dev);
		return ERR_PTR(-ENOMEM);
	}

	mutex_lock(&sernet_ports_lock);
	err = xa_alloc(&sernet_ports, &index, port, xa_limit_31b, GFP_KERNEL);
	if (err)
		goto err_put;
	port->index = index;

	err = dev_set_name(&port->dev, "sernet%u", index);
	if (err)
		goto err_erase;
	err = device_add(&port->dev);
	if (err)
		goto err_erase;

	/* Ptys have no device to link to; real ports (ttyS1...) do. */
	if (tty->dev) {
		err = sysfs_create_link(&port->dev.kobj, &tty->dev->kobj,
					"tty");
		if (err)
			goto err_del;
		port->has_tty_link = true;
	}

	sernet_nl_notify(port, SERNET_CMD_PORT_ADDED);
	mutex_unlock(&sernet_ports_lock);
	sernet_hook_delay(SERNET_HOOK_PORT_ADDED);

	/*
	 * A new port runs the factory defaults: a TCP server on port 23,
	 * unless a SET or a sysfs write since it could be found (device_add)
	 * started the transport it asked for: never a second one beside it.
	 */
	mutex_lock(&port->lock);
	err = port->xport ? 0 : sernet_xport_start(port);
	mutex_unlock(&port->lock);
	if (err)
		pr_warn("%s: cannot start the transport (%d)\n",
			port->tty_name, err);
	return port;

err_del:
	device_del(&port->dev);
err_erase:
	xa_erase(&sernet_ports, index);
err_put:
	mutex_unlock(&sernet_ports_lock);
	put_device(&port->dev);
	return ERR_PTR(err);
}

void sernet_port_destroy(struct sernet_port *port)
{
	/*
	 * No more bytes come from the tty (it is closing the discipline).
	 * The transport stops, configuration changes in flight end and later
	 * ones see no tty; then what is left of the packets goes.
	 */
	hrtimer_cancel(&port->pack_timer);
	mutex_lock(&port->lock);
	sernet_xport_stop(port);
	spin_lock_bh(&port->pack_lock);
	port->rx_stalled = false;
	spin_unlock_bh(&port->pack_lock);
	port->tty = NULL;
	mutex_unlock(&port->lock);
	flush_workqueue(port->wq);
	sernet_pack_exit(port);

	mutex_lock(&sernet_ports_lock);
	sernet_nl_notify(port, SERNET_CMD_PORT_REMOVED);
	if (port->has_tty_link)
		sysfs_remove_link(&port->dev.kobj, "tty");
	/*
	 * The index and the name sernetN are given back together, after
	 * device_del(), so that a new port cannot collide with this one.
	 */
	device_del(&port->dev);
	xa_erase(&sernet_ports, port->index);
	mutex_unlock(&sernet_ports_lock);
	put_device(&port->dev);
}

/* Caller holds sernet_ports_lock. */
struct sernet_port *sernet_port_find(struct net *net, u32 index)
{
	struct sernet_port *port = xa_load(&sernet_ports, index);

	if (port && net_eq(read_pnet(&port->net), net))
		return port;
	return NULL;
}

/*
 * A serial port is hardware: like a physical network device, a port whose
 * network namespace goes away returns to the initial namespace.
 */
void sernet_ports_net_exit(struct net *net)
{
	struct sernet_port *port;
	unsigned long index;

	mutex_lock(&sernet_ports_lock);
	xa_for_each(&sernet_ports, index, port) {
		if (!net_eq(read_pnet(&port->net), net))
			continue;
		/* its sockets die with the namespace; it comes back IDLE */
		mutex_lock(&port->lock);
		sernet_xport_stop(port);
		/* before a change waiting for the lock restarts it, here */
		write_pnet(&port->net, &init_net);
		mutex_unlock(&port->lock);
		sernet_hook_delay(SERNET_HOOK_NET_EXIT);
		sernet_nl_notify(port, SERNET_CMD_PORT_ADDED);
	}
	mutex_unlock(&sernet_ports_lock);
}

