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
 * Sources are written from the port's ordered workqueue. The network's
 * bytes may also go at once from a socket's data_ready (BH), while no
 * source waits (sernet_tty_out_skb()): a tty driver's write() may not
 * sleep, as ppp_async relies on. The lock is held around every write and
 * around the decision to wait, so bytes of two writers never mix inside
 * a source, and nothing overtakes a source that waits.
 */
#include <linux/skbuff.h>
#include <linux/tty.h>

#include "sernet.h"

/*
 * What the tty takes of @n bytes. Its write_wakeup is asked for only once
 * it is full (each wake-up queues the work), and what drained before the
 * ask is taken at once. Under lock.
 */
static size_t sernet_tty_write(struct tty_struct *tty, const u8 *buf,
			       size_t n)
{
	size_t done = max(tty->ops->write(tty, buf, n), 0);

	if (done < n) {
		set_bit(TTY_DO_WRITE_WAKEUP, &tty->flags);
		done += max(tty->ops->write(tty, buf + done, n - done), 0);
	}
	return done;
}

/* Write what the tty takes of @src; true once all of it went. Under lock */
static bool sernet_tty_out_push(struct sernet_port *port,
				struct sernet_tty_src *src)
{
	size_t n;

	n = sernet_tty_write(port->tty, src->buf + src->off,
			     src->len - src->off);
	sernet_count(port, SERNET_STATS_TX_BYTES, n);
	src->off += n;
	if (src->off < src->len)
		return false;
	src->off = 0;
	src->len = 0;
	return true;
}

/* Caller holds the lock */
static void sernet_tty_out_wait(struct sernet_port *port,
				struct sernet_tty_src *src)
{
	if (!src->waiting) {
		src->waiting = true;
		list_add_tail(&src->node, &port->out.wait);
	}
}

/* Caller holds the lock */
static void sernet_tty_out_unwait(struct sernet_tty_src *src)
{
	if (src->waiting) {
		list_del(&src->node);
		src->waiting = false;
	}
}

/* @src's owner goes away: it is no longer written or resumed. */
void sernet_tty_out_cancel(struct sernet_port *port, struct sernet_tty_src *src)
{
	spin_lock_bh(&port->out.lock);
	sernet_tty_out_unwait(src);
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
	bool done;

	spin_lock_bh(&port->out.lock);
	first = list_first_entry_or_null(&port->out.wait,
					 struct sernet_tty_src, node);
	/* others wait before it, or the tty is full */
	done = (!first || first == src) && sernet_tty_out_push(port, src);
	if (done)
		sernet_tty_out_unwait(src);	/* it went before the wake-up */
	else
		sernet_tty_out_wait(port, src);
	spin_unlock_bh(&port->out.lock);
	return done;
}

/*
 * @len bytes of @skb from @off, at once, from any context: how many the
 * tty took (fewer: it is full, and its write_wakeup will come), or 0 while
 * a source waits, whose turn it is.
 */
size_t sernet_tty_out_skb(struct sernet_port *port, struct sk_buff *skb,
			  unsigned int off, size_t len)
{
	struct skb_seq_state st;
	size_t done = 0;
	const u8 *data;
	unsigned int n;

	spin_lock_bh(&port->out.lock);
	if (!list_empty(&port->out.wait))
		goto out;
	skb_prepare_seq_read(skb, off, off + len, &st);
	while ((n = skb_seq_read(done, &data, &st))) {
		size_t w;

		n = min_t(size_t, n, len - done);	/* it may run past */
		w = sernet_tty_write(port->tty, data, n);
		done += w;
		if (w < n || done == len) {
			skb_abort_seq_read(&st);
			break;
		}
	}
	sernet_count(port, SERNET_STATS_TX_BYTES, done);
out:
	spin_unlock_bh(&port->out.lock);
	return done;
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
		/* none waits: no more wake-ups until the tty is full again */
		if (!src)
			clear_bit(TTY_DO_WRITE_WAKEUP, &port->tty->flags);
		if (!src || !sernet_tty_out_push(port, src)) {
			spin_unlock_bh(&port->out.lock);
			return;
		}
		sernet_tty_out_unwait(src);
		spin_unlock_bh(&port->out.lock);
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
