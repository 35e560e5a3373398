/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sernet: serial device server line discipline - internal definitions.
 */
#ifndef _SERNET_H
#define _SERNET_H

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/mutex.h>
#include <linux/tty.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>
#include <uapi/linux/sernet.h>

/**
 * struct sernet_port - one serial port attached to the line discipline
 * @dev: class device /sys/class/sernet/sernetN; its release frees the port
 * @net: network namespace the port belongs to (its attacher's); not
 *	refcounted: when that namespace dies the port moves to &init_net
 * @index: N of sernetN, the key in sernet_ports
 * @tty_name: name of the tty, kept so it can be reported after detach
 * @has_tty_link: the "tty" link to the tty's device was created
 * @state: &enum sernet_port_state
 * @rx_bytes: bytes received from the serial line
 *
 * @net and membership of sernet_ports are protected by sernet_ports_lock.
 */
struct sernet_port {
	struct device dev;
	possible_net_t net;
	u32 index;
	char tty_name[SERNET_TTY_NAME_MAX];
	bool has_tty_link;
	enum sernet_port_state state;
	atomic64_t rx_bytes;
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
size_t sernet_receive(struct tty_struct *tty, const u8 *cp, const u8 *fp,
		      size_t count);

/* sysfs.c */
extern struct class sernet_class;

/* netlink.c */
int sernet_netlink_init(void);
void sernet_netlink_exit(void);
void sernet_nl_notify(struct sernet_port *port, u8 cmd);
const char *sernet_state_name(enum sernet_port_state state);

#endif /* _SERNET_H */
