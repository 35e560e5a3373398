// SPDX-License-Identifier: GPL-2.0
/*
 * sernet: AT mode (PROTOCOLS.md section 1), the port's mode.
 *
 * WORK: serial bytes go to the packetiser. A packet closed by time that
 * is "+++", after silence, with an agent registered (pack.c asks
 * at_step.h) is held, not sent: HANDSHAKE, "a" is written, and the host
 * has SERNET_AT_HANDSHAKE_MS to answer "a". Then "+ok" is written, the
 * held packet is dropped and the port is in COMMAND mode: the bytes are
 * cut into lines, each sent to the agent alone (AT_LINE), and what the
 * agent replies (AT_REPLY) is written to the tty. Any other byte, the
 * timeout or the agent's release puts the held packet back with the
 * others (nothing lost, order kept), WORK again. While the mode is not
 * WORK the transport reads nothing from the network (xport.c): what comes
 * waits in the sockets and is delivered on the return to WORK.
 *
 * The mode, the held packet and the queues are under port->pack_lock:
 * decisions are taken in receive_buf and the packing timer. Writes to the
 * tty (through at.c's own source), netlink sends and the events run from
 * port->at.work on the port's workqueue, which takes no other lock.
 */
#include <linux/slab.h>
#include <net/genetlink.h>

#include "at_step.h"
#include "sernet.h"
#include "xport.h"

static const u8 sernet_at_a[] = "a";
static const u8 sernet_at_ok[] = "+ok";

/* Caller holds pack_lock: the mode changes, the event goes from work */
static void sernet_at_set_mode(struct sernet_port *port, u8 mode)
{
	struct sernet_at *at = &port->at;

	WRITE_ONCE(at->mode, mode);
	/* back to WORK: at.work lets the network's bytes go, after its own */
	if (mode != SERNET_PORT_MODE_WORK)
		WRITE_ONCE(at->net_now, false);
	if (at->ev_n < ARRAY_SIZE(at->ev))
		at->ev[(at->ev_head + at->ev_n++) % ARRAY_SIZE(at->ev)] = mode;
	queue_work(port->wq, &at->work);
}

/* Caller holds pack_lock: write @m after what waits */
static void sernet_at_queue(struct sernet_port *port, struct sernet_at_msg *m)
{
	if (list_empty(&m->node) && port->at.cur != m)
		list_add_tail(&m->node, &port->at.out);
	queue_work(port->wq, &port->at.work);
}

/* Caller holds pack_lock: HANDSHAKE failed, the "+++" is data again */
static void sernet_at_forward(struct sernet_port *port)
{
	struct sernet_pkt *pkt = port->at.held;

	port->at.held = NULL;
	list_add_tail(&pkt->node, &port->pkts);
	port->pkts_bytes += pkt->len;
	port->pkts_cost += pkt->len + SERNET_PKT_COST;
	queue_work(port->wq, &port->tx_work);
	sernet_at_set_mode(port, SERNET_PORT_MODE_WORK);
}

/*
 * The packing timer closed @pkt, the last of port->pkts, and it is the
 * escape: hold it and start the handshake. Caller holds pack_lock. False
 * if the port cannot (it is going): @pkt stays data.
 */
bool sernet_at_hold(struct sernet_port *port, struct sernet_pkt *pkt,
		    u32 agent)
{
	struct sernet_at *at = &port->at;

	if (at->dead || at->mode != SERNET_PORT_MODE_WORK)
		return false;
	list_del(&pkt->node);
	port->pkts_bytes -= pkt->len;
	port->pkts_cost -= pkt->len + SERNET_PKT_COST;
	at->held = pkt;
	at->agent = agent;
	at->until = jiffies + msecs_to_jiffies(SERNET_AT_HANDSHAKE_MS);
	sernet_at_set_mode(port, SERNET_PORT_MODE_HANDSHAKE);
	sernet_at_queue(port, &at->a);
	queue_delayed_work(port->wq, &at->timeout,
			   msecs_to_jiffies(SERNET_AT_HANDSHAKE_MS));
	return true;
}

/* Caller holds pack_lock: one line for the agent, sent from work */
static void sernet_at_line(struct sernet_port *port, bool overlong)
{
	struct sernet_at *at = &port->at;
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(nla_total_size(sizeof(u32)) +
			  nla_total_size(at->line.len) + nla_total_size(0),
			  GFP_ATOMIC);
	if (!skb)
		goto drop;
	hdr = genlmsg_put(skb, 0, 0, &sernet_nl_family, 0, SERNET_CMD_AT_LINE);
	if (!hdr ||
	    nla_put_u32(skb, SERNET_A_PORT_INDEX, port->index) ||
	    nla_put(skb, SERNET_A_AT_DATA, at->line.len, at->buf) ||
	    (overlong && nla_put_flag(skb, SERNET_A_AT_OVERLONG))) {
		nlmsg_free(skb);
		goto drop;
	}
	genlmsg_end(skb, hdr);
	skb_queue_tail(&at->lines, skb);
	queue_work(port->wq, &at->work);
	return;
drop:
	sernet_count(port, SERNET_STATS_DROP_AT_LINE, 1);
}

/* Caller holds pack_lock: command-mode input */
static void sernet_at_collect_bytes(struct sernet_port *port, const u8 *p,
				    size_t left)
{
	struct sernet_at_line *l = &port->at.line;
	unsigned int n;

	while (left) {
		switch (sernet_at_collect(l, p, left, SERNET_AT_LINE_MAX, &n)) {
		case SERNET_AT_TAKE:
			memcpy(port->at.buf + l->len, p, n);
			l->len += n;
			break;
		case SERNET_AT_DROP:
			break;
		case SERNET_AT_SEND:
			sernet_at_line(port, false);
			l->len = 0;
			break;
		case SERNET_AT_END:
			l->len = 0;
			l->skip = false;
			break;
		case SERNET_AT_CUT:
			sernet_at_line(port, true);
			l->len = 0;
			l->skip = true;
			break;
		}
		p += n;
		left -= n;
	}
}

/*
 * Serial bytes, before the packetiser: how many of @cp the mode takes (all
 * but in WORK); the rest are data. *@drop: a packet for the caller to put
 * (the escape of a handshake that succeeded).
 */
size_t sernet_at_receive(struct sernet_port *port, const u8 *cp, size_t count,
			 struct sernet_pkt **drop)
{
	struct sernet_at *at = &port->at;
	size_t done = 0;

	*drop = NULL;
	if (!count)
		return 0;
	spin_lock_bh(&port->pack_lock);
	if (at->mode == SERNET_PORT_MODE_HANDSHAKE) {
		if (!sernet_at_answer(cp[0])) {
			sernet_at_forward(port);
			goto out;
		}
		*drop = at->held;
		at->held = NULL;
		at->line.len = 0;
		at->line.skip = false;
		sernet_at_set_mode(port, SERNET_PORT_MODE_COMMAND);
		sernet_at_queue(port, &at->ok);
		done = 1;
	}
	if (at->mode == SERNET_PORT_MODE_COMMAND) {
		sernet_at_collect_bytes(port, cp + done, count - done);
		done = count;
	}
out:
	spin_unlock_bh(&port->pack_lock);
	return done;
}

/* port->at.timeout: the host did not answer "a" in time */
static void sernet_at_timeout(struct work_struct *work)
{
	struct sernet_port *port = container_of(to_delayed_work(work),
						struct sernet_port,
						at.timeout);
	struct sernet_at *at = &port->at;

	spin_lock_bh(&port->pack_lock);
	if (at->mode == SERNET_PORT_MODE_HANDSHAKE && !at->dead) {
		if (time_before(jiffies, at->until))	/* a later handshake */
			queue_delayed_work(port->wq, &at->timeout,
					   at->until - jiffies);
		else
			sernet_at_forward(port);
	}
	spin_unlock_bh(&port->pack_lock);
}

/* The agent of the port is gone: back to WORK, the "+++" forwarded */
void sernet_at_leave(struct sernet_port *port)
{
	struct sernet_at *at = &port->at;

	spin_lock_bh(&port->pack_lock);
	if (!at->dead && at->mode == SERNET_PORT_MODE_HANDSHAKE)
		sernet_at_forward(port);
	else if (!at->dead && at->mode == SERNET_PORT_MODE_COMMAND)
		sernet_at_set_mode(port, SERNET_PORT_MODE_WORK);
	spin_unlock_bh(&port->pack_lock);
}

/* The agent's reply: written to the tty, then WORK again if @leave */
int sernet_at_reply(struct sernet_port *port, const void *data,
		    unsigned int len, bool leave)
{
	struct sernet_at_msg *m;
	int err = 0;

	m = kmalloc(struct_size(m, buf, len), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	memcpy(m->buf, data, len);
	m->data = m->buf;
	m->len = len;
	m->leave = leave;
	m->owned = true;
	INIT_LIST_HEAD(&m->node);
	spin_lock_bh(&port->pack_lock);
	if (port->at.dead || port->at.mode != SERNET_PORT_MODE_COMMAND)
		err = -EINVAL;
	else
		sernet_at_queue(port, m);
	spin_unlock_bh(&port->pack_lock);
	if (err)
		kfree(m);
	return err;
}

/* What was being written went whole; on the port's workqueue */
static void sernet_at_sent(struct sernet_port *port)
{
	struct sernet_at_msg *m = port->at.cur;

	port->at.cur = NULL;
	if (m->leave) {
		spin_lock_bh(&port->pack_lock);
		if (port->at.mode == SERNET_PORT_MODE_COMMAND)
			sernet_at_set_mode(port, SERNET_PORT_MODE_WORK);
		spin_unlock_bh(&port->pack_lock);
	}
	if (m->owned)
		kfree(m);
}

/* tty_out.c: the source's bytes went */
static void sernet_at_resume(struct sernet_tty_src *src)
{
	struct sernet_port *port = container_of(src, struct sernet_port,
						at.src);

	if (READ_ONCE(port->at.dead))
		return;
	sernet_at_sent(port);
	queue_work(port->wq, &port->at.work);
}

/* Write the queued messages, one at a time */
static void sernet_at_write(struct sernet_port *port)
{
	struct sernet_at *at = &port->at;
	struct sernet_at_msg *m;

	while (!at->cur) {
		spin_lock_bh(&port->pack_lock);
		m = list_first_entry_or_null(&at->out, struct sernet_at_msg,
					     node);
		if (m)
			list_del_init(&m->node);
		at->cur = m;
		spin_unlock_bh(&port->pack_lock);
		if (!m)
			return;
		at->src.buf = (u8 *)m->data;
		at->src.len = m->len;
		at->src.off = 0;
		if (!sernet_tty_out_write(port, &at->src))
			return;	/* sernet_at_resume() goes on */
		sernet_at_sent(port);
	}
}

/* port->at.work: the events, the lines for the agent, the writes */
static void sernet_at_work(struct work_struct *work)
{
	struct sernet_port *port = container_of(work, struct sernet_port,
						at.work);
	struct sernet_at *at = &port->at;
	struct sernet_xport *xp;
	struct sk_buff *skb;
	int mode;
	u32 agent;

	for (;;) {
		mode = -1;
		spin_lock_bh(&port->pack_lock);
		if (at->dead) {
			spin_unlock_bh(&port->pack_lock);
			return;
		}
		if (at->ev_n) {
			mode = at->ev[at->ev_head];
			at->ev_head = (at->ev_head + 1) % ARRAY_SIZE(at->ev);
			at->ev_n--;
		}
		agent = at->agent;
		spin_unlock_bh(&port->pack_lock);
		if (mode < 0)
			break;
		sernet_nl_mode(port, mode);
		xp = READ_ONCE(port->xport);
		/* what the network sent meanwhile waited: now it goes */
		if (mode == SERNET_PORT_MODE_WORK && sernet_xport_running(xp))
			sernet_xport_kick_rx(xp);
	}
	while ((skb = skb_dequeue(&at->lines)))
		if (genlmsg_unicast(read_pnet(&port->net), skb, agent))
			sernet_count(port, SERNET_STATS_DROP_AT_LINE, 1);
	sernet_at_write(port);
	/* the mode's bytes went or wait in tty_out: none can overtake them */
	spin_lock_bh(&port->pack_lock);
	WRITE_ONCE(at->net_now, !at->dead && at->mode == SERNET_PORT_MODE_WORK);
	spin_unlock_bh(&port->pack_lock);
}

static void sernet_at_msg_init(struct sernet_at_msg *m, const u8 *data,
			       unsigned int len)
{
	INIT_LIST_HEAD(&m->node);
	m->data = data;
	m->len = len;
}

void sernet_at_init(struct sernet_port *port)
{
	struct sernet_at *at = &port->at;

	INIT_LIST_HEAD(&at->out);
	at->net_now = true;
	skb_queue_head_init(&at->lines);
	sernet_at_msg_init(&at->a, sernet_at_a, sizeof(sernet_at_a) - 1);
	sernet_at_msg_init(&at->ok, sernet_at_ok, sizeof(sernet_at_ok) - 1);
	INIT_WORK(&at->work, sernet_at_work);
	INIT_DELAYED_WORK(&at->timeout, sernet_at_timeout);
	at->src.resume = sernet_at_resume;
	at->quiet = true;
}

/*
 * The tty goes (detach, hangup): nothing of the mode runs any more.
 * Returns the held packet, for the caller to put.
 */
struct sernet_pkt *sernet_at_stop(struct sernet_port *port)
{
	struct sernet_at *at = &port->at;
	struct sernet_at_msg *m, *next;
	struct sernet_pkt *pkt;
	LIST_HEAD(out);

	spin_lock_bh(&port->pack_lock);
	at->dead = true;
	WRITE_ONCE(at->net_now, false);
	pkt = at->held;
	at->held = NULL;
	WRITE_ONCE(at->mode, SERNET_PORT_MODE_WORK);
	list_splice_init(&at->out, &out);
	spin_unlock_bh(&port->pack_lock);
	cancel_delayed_work_sync(&at->timeout);
	cancel_work_sync(&at->work);
	sernet_tty_out_cancel(port, &at->src);
	/* a write of the source in flight ends; its resume does nothing */
	flush_workqueue(port->wq);
	if (at->cur)
		list_add(&at->cur->node, &out);
	at->cur = NULL;
	list_for_each_entry_safe(m, next, &out, node)
		if (m->owned)
			kfree(m);
	skb_queue_purge(&at->lines);
	return pkt;
}
