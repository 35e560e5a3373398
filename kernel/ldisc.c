// SPDX-License-Identifier: GPL-2.0
/*
 * sernet: the line discipline and the lifetime of a port.
 *
 * Attaching the discipline to a tty (ldattach, TIOCSETD) creates a port;
 * detaching it, a hangup of the tty or its last close removes the port.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/module.h>
#include <linux/nsproxy.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/tty.h>
#include <linux/tty_driver.h>
#include <linux/tty_ldisc.h>

#include "compat.h"
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

static struct sernet_port *sernet_port_create(struct tty_struct *tty)
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

static void sernet_port_destroy(struct sernet_port *port)
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

static int sernet_ldisc_open(struct tty_struct *tty)
{
	struct sernet_port *port;

	/*
	 * With CONFIG_LDISC_AUTOLOAD anyone who can open a tty can ask for
	 * this discipline; only network administrators may attach it.
	 */
	if (!capable(CAP_NET_ADMIN))
		return -EPERM;

	if (!tty->ops->write)
		return -EOPNOTSUPP;
	/*
	 * A pty master has no line settings of its own (tty_set_termios()
	 * warns on one): the serial end of a pty pair is its slave.
	 */
	if (tty->driver->type == TTY_DRIVER_TYPE_PTY &&
	    tty->driver->subtype == PTY_TYPE_MASTER)
		return -EINVAL;

	port = sernet_port_create(tty);
	if (IS_ERR(port))
		return PTR_ERR(port);

	tty->disc_data = port;
	return 0;
}

/* Also called for a hangup: the tty core then kills the discipline. */
static void sernet_ldisc_close(struct tty_struct *tty)
{
	struct sernet_port *port = tty->disc_data;

	tty->disc_data = NULL;
	if (port)
		sernet_port_destroy(port);
}

/*
 * A hangup ends the port (the tty core closes the discipline next). The
 * tty's next open must not make it again, with the factory defaults (a
 * TCP server on port 23 on every address), or fail with EPERM for a user
 * without CAP_NET_ADMIN: it gets N_TTY, as a pty's does (its driver resets
 * the termios). Attaching again is for ldattach to do.
 */
static void sernet_ldisc_hangup(struct tty_struct *tty)
{
	down_write(&tty->termios_rwsem);
	tty->termios.c_line = N_TTY;
	up_write(&tty->termios_rwsem);
}

/* Called with termios_rwsem held, after any change of the line settings */
static void sernet_ldisc_set_termios(struct tty_struct *tty,
				     const struct ktermios *old)
{
	struct sernet_port *port = tty->disc_data;

	if (port)
		sernet_pack_termios_changed(port, &tty->termios);
}

/* termios ioctls (stty) keep working while attached */
static int sernet_ldisc_ioctl(struct tty_struct *tty, unsigned int cmd,
			      unsigned long arg)
{
	return tty_mode_ioctl(tty, cmd, arg);
}

/* The driver can take more: may run in IRQ context, so only queue work. */
static void sernet_ldisc_write_wakeup(struct tty_struct *tty)
{
	struct sernet_port *port = tty->disc_data;

	if (port)
		sernet_xport_write_wakeup(port);
}

static struct tty_ldisc_ops sernet_ldisc = {
	.owner		= THIS_MODULE,
	.name		= "sernet",
	.open		= sernet_ldisc_open,
	.close		= sernet_ldisc_close,
	.hangup		= sernet_ldisc_hangup,
	.ioctl		= sernet_ldisc_ioctl,
	.set_termios	= sernet_ldisc_set_termios,
	.write_wakeup	= sernet_ldisc_write_wakeup,
	.receive_buf2	= sernet_compat_receive_buf2,
};

int sernet_ldisc_register(int num)
{
	sernet_ldisc.num = num;
	return tty_register_ldisc(&sernet_ldisc);
}

void sernet_ldisc_unregister(void)
{
	tty_unregister_ldisc(&sernet_ldisc);
}
