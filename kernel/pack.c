// SPDX-License-Identifier: GPL-2.0
/*
 * sernet: the packetiser (AT+UARTTL).
 *
 * Serial bytes are copied once, from the flip buffer into pages; a packet
 * closes when it holds the packing length or when the line has been idle
 * for the packing time (an hrtimer restarted by every chunk of bytes).
 * Closed packets wait in port->pkts for the transport, which sends them by
 * page reference.
 *
 * Back-pressure: port->backlog counts what the network has not taken yet
 * (each packet costs its length plus SERNET_PKT_COST, so that many tiny
 * packets are bounded too). Above SERNET_BACKLOG_HIGH receive_buf2() takes
 * nothing more and throttles the tty: the bytes stay in the flip buffer
 * and the driver holds the line (RTS with flow control, a waiting writer
 * on a pty). Below SERNET_BACKLOG_LOW the tty is unthrottled and
 * tty_flip_buffer_push() makes the tty core offer the bytes again.
 */
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/tty.h>
#include <linux/tty_driver.h>
#include <linux/tty_flip.h>

#include "sernet.h"

/* Below this the automatic packing time never goes (PROTOCOLS.md §2) */
#define SERNET_PACK_AUTO_MIN_NS		(100 * NSEC_PER_USEC)

/*
 * Recompute what depends on the line settings: the automatic packing time
 * is 4 character times, at least 100 us. Caller holds termios_rwsem.
 */
void sernet_pack_termios_changed(struct sernet_port *port,
				 const struct ktermios *t)
{
	speed_t baud = tty_termios_baud_rate(t) ?: 9600;
	u64 char_ns = div_u64((u64)tty_get_frame_size(t->c_cflag) *
			      NSEC_PER_SEC, baud);

	WRITE_ONCE(port->auto_pack_ns,
		   max_t(u64, 4 * char_ns, SERNET_PACK_AUTO_MIN_NS));
}

/* The packing time in effect, in ns */
u64 sernet_pack_time_ns(struct sernet_port *port)
{
	u16 ms = READ_ONCE(port->cfg.pack_time);

	return ms ? (u64)ms * NSEC_PER_MSEC : READ_ONCE(port->auto_pack_ns);
}

/* The packing length in effect, in bytes */
unsigned int sernet_pack_len(struct sernet_port *port)
{
	return READ_ONCE(port->cfg.pack_len) ?: SERNET_PACK_LEN_MAX;
}

static void sernet_pkt_release(struct kref *ref)
{
	struct sernet_pkt *pkt = container_of(ref, struct sernet_pkt, ref);

	/* never taken by the network: dropped, or its clients went away */
	if (!pkt->delivered)
		sernet_backlog_sub(pkt->port, pkt->len + SERNET_PKT_COST);
	put_page(pkt->page);
	kfree(pkt);
}

/* The network has taken this packet (for the first time). */
void sernet_pkt_delivered(struct sernet_pkt *pkt)
{
	if (!pkt->delivered) {
		pkt->delivered = true;
		sernet_backlog_sub(pkt->port, pkt->len + SERNET_PKT_COST);
	}
}

void sernet_pkt_put(struct sernet_pkt *pkt)
{
	kref_put(&pkt->ref, sernet_pkt_release);
}

/* Caller holds pack_lock. False if no packet could be made. */
static bool sernet_pack_close(struct sernet_port *port)
{
	struct sernet_pkt *pkt;

	pkt = sernet_hook_fail(SERNET_HOOK_PKT_ALLOC) ? NULL :
	      kmalloc(sizeof(*pkt), GFP_ATOMIC);
	if (!pkt)
		return false;
	kref_init(&pkt->ref);
	pkt->port = port;
	pkt->delivered = false;
	get_page(port->pack_page);
	pkt->page = port->pack_page;
	pkt->off = port->pack_off;
	pkt->len = port->pack_used;
	list_add_tail(&pkt->node, &port->pkts);
	port->pkts_bytes += pkt->len;
	port->pkts_cost += pkt->len + SERNET_PKT_COST;
	atomic_add(SERNET_PKT_COST, &port->backlog);
	port->pack_off += port->pack_used;
	port->pack_used = 0;
	sernet_count(port, SERNET_STATS_RX_PACKETS, 1);
	return true;
}

static enum hrtimer_restart sernet_pack_timer(struct hrtimer *t)
{
	struct sernet_port *port = container_of(t, struct sernet_port,
						pack_timer);
	bool closed = false, left = false;
	struct sernet_pkt *pkt;
	u32 agent = 0;

	spin_lock(&port->pack_lock);
	if (port->pack_used) {
		closed = sernet_pack_close(port);
		left = !closed;
	}
	if (closed) {
		/* AT mode's escape, "+++" between silences (at.c) */
		pkt = list_last_entry(&port->pkts, struct sernet_pkt, node);
		/* the agent (a global lock) only for what could be "+++" */
		if (pkt->len == 3)
			agent = sernet_chan_agent(read_pnet(&port->net));
		if (sernet_at_escape(page_address(pkt->page) + pkt->off,
				     pkt->len, true, port->at.quiet, agent) &&
		    sernet_at_hold(port, pkt, agent))
			closed = false;
		port->at.quiet = true;
	}
	spin_unlock(&port->pack_lock);
	if (closed)
		queue_work(port->wq, &port->tx_work);
	/* no memory for the packet: nothing else would close it */
	if (left) {
		hrtimer_forward_now(t, ms_to_ktime(SERNET_NOMEM_RETRY_MS));
		return HRTIMER_RESTART;
	}
	return HRTIMER_NORESTART;
}

/* Caller holds pack_lock; the open packet is empty: a new page for it */
static bool sernet_pack_page(struct sernet_port *port)
{
	struct page *page;

	page = sernet_hook_fail(SERNET_HOOK_PAGE_ALLOC) ? NULL :
	       alloc_page(GFP_ATOMIC);
	if (!page)
		return false;
	if (port->pack_page)
		put_page(port->pack_page);
	port->pack_page = page;
	port->pack_off = 0;
	return true;
}

/*
 * Hold the line: the converse of tty_unthrottle() (which is exported;
 * tty_throttle_safe() is not), under the same termios_rwsem. The driver
 * drops RTS with flow control; a pty's writer waits until
 * tty_unthrottle() wakes it. receive_buf2() runs in process context.
 */
static void sernet_throttle(struct tty_struct *tty)
{
	down_write(&tty->termios_rwsem);
	if (!test_and_set_bit(TTY_THROTTLED, &tty->flags) &&
	    tty->ops->throttle)
		tty->ops->throttle(tty);
	up_write(&tty->termios_rwsem);
}

/*
 * Runs from flush_to_ldisc() on a workqueue, serialised per tty by the tty
 * core. Returns how many bytes it took; the rest stay with the tty.
 */
size_t sernet_receive(struct tty_struct *tty, const u8 *cp, const u8 *fp,
		      size_t count)
{
	struct sernet_port *port = tty->disc_data;
	unsigned int len = sernet_pack_len(port);
	bool closed = false, stalled = false, nomem = false;
	size_t done = 0;

	spin_lock_bh(&port->pack_lock);
	while (done < count) {
		struct sernet_pack_state s = {
			.page = !!port->pack_page,
			.off = port->pack_off,
			.used = port->pack_used,
			.backlog = atomic_read(&port->backlog),
		};
		unsigned int n;

		switch (sernet_pack_step(&s, PAGE_SIZE, len, count - done, &n)) {
		case SERNET_PACK_STALL:
			goto stall;
		case SERNET_PACK_CLOSE:
			if (!sernet_pack_close(port))
				goto nomem;
			closed = true;
			port->at.quiet = false;
			break;
		case SERNET_PACK_PAGE:
			if (!sernet_pack_page(port))
				goto nomem;
			break;
		case SERNET_PACK_COPY:
			memcpy(page_address(port->pack_page) + port->pack_off +
			       port->pack_used, cp + done, n);
			port->pack_used += n;
			done += n;
			atomic_add(n, &port->backlog);
			break;
		}
	}
	if (port->pack_used >= len && sernet_pack_close(port)) {
		closed = true;
		port->at.quiet = false;
	}
	goto out;
nomem:
	/* the backlog may be empty: nomem_work resumes, a while later */
	nomem = true;
stall:
	/* the transport's next round calls sernet_backlog_sub() */
	port->rx_stalled = true;
	stalled = true;
	closed = true;
out:
	if (port->pack_used)
		hrtimer_start(&port->pack_timer,
			      ns_to_ktime(sernet_pack_time_ns(port)),
			      HRTIMER_MODE_REL_SOFT);
	spin_unlock_bh(&port->pack_lock);

	sernet_count(port, SERNET_STATS_RX_BYTES, done);
	if (closed)
		queue_work(port->wq, &port->tx_work);
	if (stalled) {
		sernet_hook_delay(SERNET_HOOK_THROTTLE);
		sernet_throttle(tty);
		/*
		 * The backlog may have drained since the unlock: then its
		 * sernet_resume() ran before the throttle and did nothing.
		 */
		spin_lock_bh(&port->pack_lock);
		stalled = port->rx_stalled;
		spin_unlock_bh(&port->pack_lock);
		if (!stalled) {
			tty_unthrottle(tty);
			tty_flip_buffer_push(tty->port);
		}
		if (nomem)
			queue_delayed_work(port->wq, &port->nomem_work,
					   msecs_to_jiffies(SERNET_NOMEM_RETRY_MS));
	}
	/*
	 * A pty's writer sleeps while our flip buffer is full and N_TTY is
	 * what would wake it (n_tty_check_unthrottle()); do the same.
	 */
	else if (done && tty->driver->type == TTY_DRIVER_TYPE_PTY &&
		 tty->link)
		tty_wakeup(tty->link);
	return done;
}

/* Packets wait for the transport */
bool sernet_pkts_pending(struct sernet_port *port)
{
	bool pending;

	spin_lock_bh(&port->pack_lock);
	pending = !list_empty(&port->pkts);
	spin_unlock_bh(&port->pack_lock);
	return pending;
}

/* The next packet waiting for the transport, or NULL */
struct sernet_pkt *sernet_pkt_next(struct sernet_port *port)
{
	struct sernet_pkt *pkt;

	spin_lock_bh(&port->pack_lock);
	pkt = list_first_entry_or_null(&port->pkts, struct sernet_pkt, node);
	if (pkt) {
		list_del(&pkt->node);
		port->pkts_bytes -= pkt->len;
		port->pkts_cost -= pkt->len + SERNET_PKT_COST;
	}
	spin_unlock_bh(&port->pack_lock);
	return pkt;
}

/* Serial input was stalled: take it again (it stalls again if need be) */
static void sernet_resume(struct sernet_port *port)
{
	bool resume = false;

	spin_lock_bh(&port->pack_lock);
	if (port->rx_stalled) {
		port->rx_stalled = false;
		resume = true;
	}
	spin_unlock_bh(&port->pack_lock);
	/* port->tty stays until the transport has stopped (ldisc.c) */
	if (resume) {
		tty_unthrottle(port->tty);
		tty_flip_buffer_push(port->tty->port);
	}
}

/* The network took (or will never take) bytes of the backlog. */
void sernet_backlog_sub(struct sernet_port *port, unsigned int cost)
{
	if (atomic_sub_return(cost, &port->backlog) < SERNET_BACKLOG_LOW)
		sernet_resume(port);
}

/* port->nomem_work: an allocation failed and stalled serial input */
static void sernet_nomem_work(struct work_struct *work)
{
	sernet_resume(container_of(to_delayed_work(work), struct sernet_port,
				   nomem_work));
}

/*
 * No connection is up (PROTOCOLS.md §8, AT+UARTCLBUF): with UARTCLBUF ON the
 * waiting packets are discarded; OFF keeps the newest SERNET_KEEP_BYTES of
 * data for the next connection, dropping the oldest bytes (the oldest kept
 * packet may lose its head) while there are more, or while their packets
 * cost more than SERNET_KEEP_COST (many tiny packets keep fewer bytes).
 * Every byte dropped is counted as dropped for no peer. The bounds stay
 * below SERNET_BACKLOG_LOW, so a stalled tty is always resumed.
 *
 * @trigger: the packets are what a short connection (SOCKSL) is being made
 * for, and are kept as with OFF: the data that triggers it is sent.
 */
void sernet_pack_no_peer(struct sernet_port *port, bool trigger)
{
	unsigned int keep = READ_ONCE(port->cfg.clbuf) ? 0 : SERNET_KEEP_BYTES;
	unsigned int cut = 0;
	struct sernet_pkt *pkt;
	LIST_HEAD(drop);

	if (trigger)
		keep = SERNET_KEEP_BYTES;
	spin_lock_bh(&port->pack_lock);
	while (port->pkts_bytes > keep || port->pkts_cost > SERNET_KEEP_COST) {
		pkt = list_first_entry(&port->pkts, struct sernet_pkt, node);
		if (port->pkts_cost <= SERNET_KEEP_COST &&
		    port->pkts_bytes - keep < pkt->len) {
			/* the head of the oldest packet only */
			cut = port->pkts_bytes - keep;
			pkt->off += cut;
			pkt->len -= cut;
			port->pkts_bytes -= cut;
			port->pkts_cost -= cut;
			break;
		}
		list_move_tail(&pkt->node, &drop);
		port->pkts_bytes -= pkt->len;
		port->pkts_cost -= pkt->len + SERNET_PKT_COST;
	}
	spin_unlock_bh(&port->pack_lock);

	if (cut) {
		sernet_count(port, SERNET_STATS_DROP_NO_PEER, cut);
		sernet_backlog_sub(port, cut);
	}
	while ((pkt = list_first_entry_or_null(&drop, struct sernet_pkt,
					       node))) {
		list_del(&pkt->node);
		sernet_count(port, SERNET_STATS_DROP_NO_PEER, pkt->len);
		sernet_pkt_put(pkt);
	}
}

void sernet_pack_init(struct sernet_port *port)
{
	spin_lock_init(&port->pack_lock);
	INIT_LIST_HEAD(&port->pkts);
	hrtimer_init(&port->pack_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	port->pack_timer.function = sernet_pack_timer;
	INIT_DELAYED_WORK(&port->nomem_work, sernet_nomem_work);
	sernet_at_init(port);
}

/* After the transport stopped and the tty went: free what is left. */
void sernet_pack_exit(struct sernet_port *port)
{
	struct sernet_pkt *pkt;

	hrtimer_cancel(&port->pack_timer);
	cancel_delayed_work_sync(&port->nomem_work);
	port->rx_stalled = false;	/* nothing to resume any more */
	while ((pkt = list_first_entry_or_null(&port->pkts, struct sernet_pkt,
					       node))) {
		list_del(&pkt->node);
		sernet_pkt_put(pkt);
	}
	if (port->pack_page)
		put_page(port->pack_page);
	port->pack_page = NULL;
}
