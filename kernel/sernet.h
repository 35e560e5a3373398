/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sernet: serial device server line discipline - internal definitions.
 */
#ifndef _SERNET_H
#define _SERNET_H

#include <linux/atomic.h>
#include <linux/hrtimer.h>
#include <linux/kref.h>
#include <linux/workqueue.h>
#include <linux/device.h>
#include <linux/mutex.h>
#include <linux/tty.h>
#include <linux/xarray.h>
#include <linux/netlink.h>
#include <linux/skbuff.h>
#include <net/net_namespace.h>
#include <uapi/linux/sernet.h>

#include "at_step.h"
#include "hooks.h"
#include "pack_step.h"
#include "settings.h"

struct sernet_xport;
struct sk_buff;

/**
 * struct sernet_tty_src - bytes on their way to the tty (tty_out.c)
 * @node: in the writer's list while it waits for room
 * @buf: the bytes
 * @len: how many there are
 * @off: how many the tty has taken
 * @waiting: in the list
 * @resume: called on the port's workqueue once all of it went
 */
struct sernet_tty_src {
	struct list_head node;
	u8 *buf;
	unsigned int len;
	unsigned int off;
	bool waiting;
	void (*resume)(struct sernet_tty_src *src);
};

/* The writer: sources that wait for room, in turn */
struct sernet_tty_out {
	spinlock_t lock;	/* @wait: the workqueue and a stopping transport */
	struct list_head wait;
	struct work_struct work;
};

/* Bytes for the tty from AT mode (at.c): the agent's reply, "a", "+ok" */
struct sernet_at_msg {
	struct list_head node;
	const u8 *data;
	unsigned int len;
	bool leave;
	bool owned;
	u8 buf[];
};

/**
 * struct sernet_at - the port's mode (at.c); under pack_lock but @cur
 * @mode: &enum sernet_port_mode; read without the lock by xport.c
 * @net_now: the network's bytes may go to the tty from data_ready (conn.c):
 *	WORK, and what the mode wrote before went first; read without the lock
 * @quiet: the last packet closed by time, or none came yet (pack.c)
 * @dead: the tty went: nothing runs any more
 * @held: HANDSHAKE: the "+++" packet, out of port->pkts
 * @agent: the portid the lines go to (the agent at the handshake)
 * @until: jiffies when the handshake times out
 * @line: the command line being collected, its bytes in @buf
 * @lines: complete lines, ready to send (skbs)
 * @out: &struct sernet_at_msg to write, in order
 * @cur: the one being written (work only)
 * @a: the "a" of the handshake; @ok: its "+ok"
 * @src: at.c's source for the tty
 * @ev: mode changes not yet announced, @ev_n of them from @ev_head
 * @work: announces, sends lines, writes
 * @timeout: the handshake's
 */
struct sernet_at {
	u8 mode;
	bool net_now;
	bool quiet;
	bool dead;
	struct sernet_pkt *held;
	u32 agent;
	unsigned long until;
	struct sernet_at_line line;
	u8 buf[SERNET_AT_LINE_MAX];
	struct sk_buff_head lines;
	struct list_head out;
	struct sernet_at_msg *cur;
	struct sernet_at_msg a;
	struct sernet_at_msg ok;
	struct sernet_tty_src src;
	u8 ev[8];
	unsigned int ev_head;
	unsigned int ev_n;
	struct work_struct work;
	struct delayed_work timeout;
};

/* Serial data kept while no connection is up (UARTCLBUF OFF), see pack.c */
#define SERNET_KEEP_BYTES	(32 * 1024)
#define SERNET_KEEP_COST	(96 * 1024)
/* An atomic allocation of serial input failed: try again this much later */
#define SERNET_NOMEM_RETRY_MS	10

/**
 * struct sernet_pkt - a packet of serial bytes on its way to the network
 * @ref: one for the queue it waits in, one for each client that has it
 * @page: holds a reference to the page the bytes are in
 * @off: where they start in @page
 * @len: how many
 * @node: in the port's list of packets waiting for the transport
 * @port: the port it came from
 * @delivered: a client's socket took all of it (its cost left the backlog)
 */
struct sernet_pkt {
	struct kref ref;
	struct sernet_port *port;
	bool delivered;
	struct page *page;
	unsigned int off;
	unsigned int len;
	struct list_head node;
};

/**
 * struct sernet_port - one serial port attached to the line discipline
 * @dev: class device /sys/class/sernet/sernetN; its release frees the port
 * @net: network namespace the port belongs to (its attacher's); not
 *	refcounted: when that namespace dies the port moves to &init_net
 * @index: N of sernetN, the key in sernet_ports
 * @tty_name: name of the tty, kept so it can be reported after detach
 * @has_tty_link: the "tty" link to the tty's device was created
 * @state: &enum sernet_port_state
 * @lock: serialises configuration changes; protects @tty and @cfg
 * @tty: the attached tty, NULL once the port is being removed
 * @cfg: the packing configuration (see &struct sernet_config)
 * @auto_pack_ns: the automatic packing time for the current line settings
 * @stats: counters, indexed by &enum sernet_stats_attr
 * @wq: ordered: every piece of network work of the port runs here, one at
 *	a time, so the transport needs no lock of its own
 * @xport: the running transport, NULL when IDLE; changed under @lock
 * @status: the status string (AT+SOCKLKA); under @status_lock
 * @status_lock: protects @status and @state
 * @pack_lock: protects the packetiser state and @pkts
 * @pack_page: the page packets are being written into
 * @pack_off: where the open packet starts in @pack_page
 * @pack_used: bytes in the open packet
 * @pack_timer: closes the open packet after the packing time
 * @pkts: closed packets waiting for the transport
 * @pkts_bytes: bytes in @pkts
 * @pkts_cost: @pkts_bytes plus %SERNET_PKT_COST for each packet
 * @backlog: bytes the network has not taken yet (see pack.c)
 * @rx_stalled: receive_buf2() refused bytes; resume when @backlog drains
 * @nomem_work: resumes serial input stalled by a failed allocation
 * @tx_work: hands closed packets to the transport (xport.c)
 * @out: the one writer to the tty (tty_out.c)
 * @at: the mode (at.c)
 *
 * Membership of sernet_ports is protected by sernet_ports_lock; @net is
 * written holding both it and @lock, so either keeps it stable (a
 * transport, started under @lock, makes its sockets in the @net it read).
 * Lock order: sernet_ports_lock, then @lock, then the tty's termios_rwsem.
 */
struct sernet_port {
	struct device dev;
	struct mutex lock;	/* changes of config; @tty, @cfg */
	struct tty_struct *tty;
	struct sernet_config cfg;
	u64 auto_pack_ns;
	atomic64_t stats[__SERNET_STATS_MAX];
	struct workqueue_struct *wq;
	struct sernet_xport *xport;
	char status[SERNET_STATUS_MAX];
	spinlock_t status_lock;	/* see above */
	spinlock_t pack_lock;	/* see above */
	struct page *pack_page;
	unsigned int pack_off;
	unsigned int pack_used;
	struct hrtimer pack_timer;
	struct list_head pkts;
	unsigned int pkts_bytes;
	unsigned int pkts_cost;
	atomic_t backlog;
	bool rx_stalled;
	struct delayed_work nomem_work;
	struct work_struct tx_work;
	struct sernet_tty_out out;
	struct sernet_at at;
	possible_net_t net;
	u32 index;
	char tty_name[SERNET_TTY_NAME_MAX];
	bool has_tty_link;
	enum sernet_port_state state;
};

/* All ports by index; lookups and changes hold sernet_ports_lock */
extern struct xarray sernet_ports;
extern struct mutex sernet_ports_lock;

static inline struct sernet_port *to_sernet_port(struct device *dev)
{
	return container_of(dev, struct sernet_port, dev);
}

/* ldisc.c */
int sernet_ldisc_register(int num);
void sernet_ldisc_unregister(void);

/* port.c: the ports, their lifetime and their namespace */
struct sernet_port *sernet_port_create(struct tty_struct *tty);
void sernet_port_destroy(struct sernet_port *port);
struct sernet_port *sernet_port_find(struct net *net, u32 index);
void sernet_ports_net_exit(struct net *net);

/* tty_out.c: the one writer to the tty */
void sernet_tty_out_init(struct sernet_port *port);
bool sernet_tty_out_write(struct sernet_port *port,
			  struct sernet_tty_src *src);
void sernet_tty_out_cancel(struct sernet_port *port,
			   struct sernet_tty_src *src);
void sernet_tty_out_wakeup(struct sernet_port *port);
size_t sernet_tty_out_skb(struct sernet_port *port, struct sk_buff *skb,
			  unsigned int off, size_t len);

/* config.c */
void sernet_config_defaults(struct sernet_config *cfg);
void sernet_config_init(struct sernet_port *port);
void sernet_config_get(struct sernet_port *port, struct sernet_config *cfg);
int sernet_config_set(struct sernet_port *port, const struct sernet_config *cfg,
		      u64 mask, struct netlink_ext_ack *extack);

/* pack.c: serial bytes into packets */
size_t sernet_receive(struct tty_struct *tty, const u8 *cp, const u8 *fp,
		      size_t count);
void sernet_pack_termios_changed(struct sernet_port *port,
				 const struct ktermios *t);
u64 sernet_pack_time_ns(struct sernet_port *port);
unsigned int sernet_pack_len(struct sernet_port *port);
void sernet_pack_init(struct sernet_port *port);
void sernet_pack_exit(struct sernet_port *port);
struct sernet_pkt *sernet_pkt_next(struct sernet_port *port);
bool sernet_pkts_pending(struct sernet_port *port);
void sernet_pkt_put(struct sernet_pkt *pkt);
void sernet_pkt_delivered(struct sernet_pkt *pkt);
void sernet_backlog_sub(struct sernet_port *port, unsigned int bytes);
void sernet_pack_no_peer(struct sernet_port *port, bool trigger);

static inline void sernet_count(struct sernet_port *port, int stat, u64 n)
{
	atomic64_add(n, &port->stats[stat]);
}

/* at.c: the port's mode (AT mode) */
void sernet_at_init(struct sernet_port *port);
struct sernet_pkt *sernet_at_stop(struct sernet_port *port);
bool sernet_at_hold(struct sernet_port *port, struct sernet_pkt *pkt,
		    u32 agent);
size_t sernet_at_receive(struct sernet_port *port, const u8 *cp, size_t count,
			 struct sernet_pkt **drop);
void sernet_at_leave(struct sernet_port *port);
int sernet_at_reply(struct sernet_port *port, const void *data,
		    unsigned int len, bool leave);

/* Serial input is forwarded (not AT mode); any context */
static inline bool sernet_at_working(struct sernet_port *port)
{
	return READ_ONCE(port->at.mode) == SERNET_PORT_MODE_WORK;
}

static inline bool sernet_at_net_now(struct sernet_port *port)
{
	return READ_ONCE(port->at.net_now);
}

/* xport.c: the transport of a port; caller holds port->lock */
void sernet_xport_init(struct sernet_port *port);
int sernet_xport_start(struct sernet_port *port);
void sernet_xport_stop(struct sernet_port *port);

/* sysfs.c */
extern struct class sernet_class;

/* netlink.c: the family (its requests, and the events of ports) */
struct genl_family;
extern struct genl_family sernet_nl_family;
enum sernet_mcgrp {
	SERNET_MCGRP_EVENTS_ID,
};

int sernet_netlink_init(void);
void sernet_netlink_exit(void);
void sernet_nl_notify(struct sernet_port *port, u8 cmd);

/* chan.c: the channel to the agent */
int sernet_chan_init(void);
void sernet_chan_exit(void);
u32 sernet_chan_agent(struct net *net);
struct genl_info;
int sernet_nl_agent_register_doit(struct sk_buff *skb, struct genl_info *info);
int sernet_nl_at_reply_doit(struct sk_buff *skb, struct genl_info *info);

/* event.c: the status and the events a running port sends */
void sernet_set_state(struct sernet_port *port, enum sernet_port_state state,
		      const char *status);
void sernet_status_copy(struct sernet_port *port, char buf[SERNET_STATUS_MAX]);
void sernet_nl_status(struct sernet_port *port);
void sernet_nl_mode(struct sernet_port *port, u8 mode);

#endif /* _SERNET_H */
