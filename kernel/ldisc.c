// SPDX-License-Identifier: GPL-2.0
/*
 * sernet: the line discipline: it routes what the tty core calls.
 *
 * Attaching the discipline to a tty (ldattach, TIOCSETD) creates a port
 * (port.c); detaching it, a hangup of the tty or its last close removes
 * the port. Serial input goes to the packetiser (pack.c), the driver's
 * room to the one writer (tty_out.c), line changes to the packing time.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/module.h>
#include <linux/tty.h>
#include <linux/tty_driver.h>
#include <linux/tty_ldisc.h>

#include "compat.h"
#include "sernet.h"

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
	struct sernet_pkt *pkt;

	tty->disc_data = NULL;
	if (port) {
		pkt = sernet_at_stop(port);
		if (pkt)
			sernet_pkt_put(pkt);
		sernet_port_destroy(port);
	}
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
		sernet_tty_out_wakeup(port);
}

/* Serial bytes from the flip buffer, to AT mode (at.c), the packetiser */
static SERNET_RECEIVE_BUF2(sernet_ldisc_receive_buf2)
{
	struct sernet_pkt *drop;
	size_t done;

	done = sernet_at_receive(tty->disc_data, cp, count, &drop);
	if (drop)
		sernet_pkt_put(drop);
	if (done == count)
		return done;
	return done + sernet_receive(tty, cp + done,
				     fp ? (const u8 *)fp + done : NULL,
				     count - done);
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
	.receive_buf2	= sernet_ldisc_receive_buf2,
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
