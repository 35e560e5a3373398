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
#include <linux/netlink.h>
#include <net/net_namespace.h>
#include <uapi/linux/sernet.h>

/**
 * struct sernet_config - what a port is asked to do
 * @baud: line rate, %SERNET_BAUD_MIN..%SERNET_BAUD_MAX
 * @databits: 5..8
 * @stopbits: 1..2
 * @parity: &enum sernet_parity
 * @flow: &enum sernet_flow
 * @pack_time: packing time in ms, 0 = automatic (4 character times)
 * @pack_len: packing length in bytes, 0 = %SERNET_PACK_LEN_MAX
 *
 * In a port, only the packing fields are kept here: the serial ones live in
 * the tty's termios and are read from there.
 */
struct sernet_config {
	u32 baud;
	u8 databits;
	u8 stopbits;
	u8 parity;
	u8 flow;
	u16 pack_time;
	u16 pack_len;
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
 * @rx_bytes: bytes received from the serial line
 * @lock: serialises configuration changes; protects @tty and @cfg
 * @tty: the attached tty, NULL once the port is being removed
 * @cfg: the packing configuration (see &struct sernet_config)
 * @auto_pack_ns: the automatic packing time for the current line settings
 *
 * @net and membership of sernet_ports are protected by sernet_ports_lock.
 * Lock order: sernet_ports_lock, then @lock, then the tty's termios_rwsem.
 */
struct sernet_port {
	struct device dev;
	struct mutex lock;	/* changes of config; @tty, @cfg */
	struct tty_struct *tty;
	struct sernet_config cfg;
	u64 auto_pack_ns;
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

/* config.c */
void sernet_config_defaults(struct sernet_config *cfg);
void sernet_config_init(struct sernet_port *port);
void sernet_config_get(struct sernet_port *port, struct sernet_config *cfg);
int sernet_config_set(struct sernet_port *port, const struct sernet_config *cfg,
		      u64 mask, struct netlink_ext_ack *extack);
void sernet_config_termios_changed(struct sernet_port *port,
				   const struct ktermios *t);
u64 sernet_pack_time_ns(struct sernet_port *port);
unsigned int sernet_pack_len(struct sernet_port *port);

/* sysfs.c */
extern struct class sernet_class;

/* netlink.c */
int sernet_netlink_init(void);
void sernet_netlink_exit(void);
void sernet_nl_notify(struct sernet_port *port, u8 cmd);
const char *sernet_state_name(enum sernet_port_state state);

#endif /* _SERNET_H */
