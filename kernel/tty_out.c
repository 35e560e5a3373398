// SPDX-License-Identifier: GPL-2.0
/*
 * sernet: the one writer to the tty.
 *
 * Whatever goes to the serial line (the network's bytes now; AT replies,
 * heartbeats, Modbus requests, print jobs later) is a source: a buffer
 * written whole before its owner gives the next. A source the tty cannot
 * take all of waits, and so does every source after it, in turn; the
 * tty's write_wakeup queues the work that writes the rest and resumes the
 * owner. While a source waits its owner reads nothing more, so the network
 * is held back (TCP's window closes).
 *
 * Writes run on the port's ordered workqueue only, one at a time; the
 * lock guards the list against a transport that stops and cancels.
 */
#include <linux/tty.h>

#include "sernet.h"

/* Write what the tty takes of @src; true once all of it went */
static bool sernet_tty_out_push(struct sernet_port *port,
				struct sernet_tty_src *src)
{
	struct tty_struct *tty = port->tty;

	while (src->off < src->len) {
		int n;

		set_bit(TTY_DO_WRITE_WAKEUP, &tty->flags);
		n = tty->ops->write(tty, src->buf + src->off,
				    src->len - src->off);
		if (n <= 0)
			return false;
		src->off += n;
		sernet_count(port, SERNET_STATS_TX_BYTES, n);
	}
	src->off = 0;
	src->len = 0;
	return true;
}

static void sernet_tty_out_wait(struct sernet_port *port,
				struct sernet_tty_src *src)
{
	spin_lock_bh(&port->out.lock);
	if (!src->waiting) {
		src->waiting = true;
		list_add_tail(&src->node, &port->out.wait);
	}
	spin_unlock_bh(&port->out.lock);
}

/* @src's owner goes away: it is no longer written or resumed. */
void sernet_tty_out_cancel(struct sernet_port *port, struct sernet_tty_src *src)
{
	spin_lock_bh(&port->out.lock);
	if (src->waiting) {
		list_del(&src->node);
		src->waiting = false;
	}
	spin_unlock_bh(&port->out.lock);
}

/*
 * Write @src's bytes; on the port's workqueue. True when all of them went;
 * false when they wait (behind others, or for room): @src->resume is called
 * once they went.
 */
bool sernet_tty_out_write(struct sernet_port *port, struct sernet_tty_src *src)
{
	struct sernet_tty_src *first;

	spin_lock_bh(&port->out.lock);
	first = list_first_entry_or_null(&port->out.wait,
					 struct sernet_tty_src, node);
	spin_unlock_bh(&port->out.lock);
	if (first && first != src) {	/* others wait before it */
		sernet_tty_out_wait(port, src);
		return false;
	}
	if (!sernet_tty_out_push(port, src)) {
		sernet_tty_out_wait(port, src);
		return false;
	}
	/* it was waiting, and went before the wake-up came */
	sernet_tty_out_cancel(port, src);
	return true;
}

/* port->out.work: the tty has room; the waiting sources, in turn */
static void sernet_tty_out_work(struct work_struct *work)
{
	struct sernet_port *port = container_of(work, struct sernet_port,
						out.work);
	struct sernet_tty_src *src;

	for (;;) {
		spin_lock_bh(&port->out.lock);
		src = list_first_entry_or_null(&port->out.wait,
					       struct sernet_tty_src, node);
		spin_unlock_bh(&port->out.lock);
		if (!src || !sernet_tty_out_push(port, src))
			return;
		sernet_tty_out_cancel(port, src);
		src->resume(src);
	}
}

/* The tty's write_wakeup: may run in IRQ context, so only queue work. */
void sernet_tty_out_wakeup(struct sernet_port *port)
{
	queue_work(port->wq, &port->out.work);
}

void sernet_tty_out_init(struct sernet_port *port)
{
	spin_lock_init(&port->out.lock);
	INIT_LIST_HEAD(&port->out.wait);
	INIT_WORK(&port->out.work, sernet_tty_out_work);
}
