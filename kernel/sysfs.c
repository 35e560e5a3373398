// SPDX-License-Identifier: GPL-2.0
/*
 * sernet: the class "sernet" and the read-only attributes of a port.
 *
 * /sys/class/sernet/sernetN/: tty_name, state, tty, the configuration, and
 * statistics/.
 */
#include <linux/capability.h>
#include <linux/device.h>
#include <linux/inet.h>
#include <linux/math64.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "sernet.h"

static ssize_t tty_name_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", to_sernet_port(dev)->tty_name);
}
static DEVICE_ATTR_RO(tty_name);

static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct sernet_port *port = to_sernet_port(dev);
	ssize_t n;

	spin_lock_bh(&port->status_lock);
	n = sysfs_emit(buf, "%s\n", port->status);
	spin_unlock_bh(&port->status_lock);
	return n;
}
static DEVICE_ATTR_RO(state);

/*
 * Configuration, one value a file. Writes are checked against the same
 * ranges as netlink and applied at once; a bad one changes nothing.
 */
struct sernet_cfg_attr {
	struct device_attribute attr;
	int nla;		/* SERNET_A_... */
	u32 min, max;
	const char * const *names;	/* for enums: the values' names */
};

#define to_cfg_attr(a) container_of(a, struct sernet_cfg_attr, attr)

static const char * const sernet_parity_names[] = {
	[SERNET_PARITY_NONE] = "NONE",
	[SERNET_PARITY_EVEN] = "EVEN",
	[SERNET_PARITY_ODD] = "ODD",
	[SERNET_PARITY_MARK] = "MARK",
	[SERNET_PARITY_SPACE] = "SPACE",
	NULL,
};

static const char * const sernet_proto_names[] = {
	[SERNET_PROTO_TCPS] = "TCPS",
	[SERNET_PROTO_TCPC] = "TCPC",
	[SERNET_PROTO_UDPS] = "UDPS",
	[SERNET_PROTO_UDPC] = "UDPC",
	NULL,
};

static const char * const sernet_full_names[] = {
	[SERNET_FULL_REFUSE] = "refuse",
	[SERNET_FULL_DROP_OLDEST] = "drop-oldest",
	NULL,
};

static const char * const sernet_onoff_names[] = {
	"OFF",
	"ON",
	NULL,
};

static const char * const sernet_flow_names[] = {
	[SERNET_FLOW_NFC] = "NFC",
	[SERNET_FLOW_FC] = "FC",
	NULL,
};

static u32 sernet_cfg_field(const struct sernet_config *cfg, int nla)
{
	switch (nla) {
	case SERNET_A_UART_BAUD:
		return cfg->baud;
	case SERNET_A_UART_DATABITS:
		return cfg->databits;
	case SERNET_A_UART_STOPBITS:
		return cfg->stopbits;
	case SERNET_A_UART_PARITY:
		return cfg->parity;
	case SERNET_A_UART_FLOW:
		return cfg->flow;
	case SERNET_A_PACK_TIME:
		return cfg->pack_time;
	case SERNET_A_PACK_LEN:
		return cfg->pack_len;
	case SERNET_A_SOCK_PROTO:
		return cfg->proto;
	case SERNET_A_SOCK_PORT:
		return cfg->port;
	case SERNET_A_SOCK_MAX_CLIENTS:
		return cfg->max_clients;
	case SERNET_A_SOCK_FULL:
		return cfg->full;
	case SERNET_A_SOCK_LOCAL_PORT:
		return cfg->local_port;
	case SERNET_A_SOCKSL:
		return cfg->socksl;
	case SERNET_A_SHORTO:
		return cfg->shorto;
	case SERNET_A_SOCKTON:
		return cfg->sockton;
	case SERNET_A_UDPON:
		return cfg->udpon;
	case SERNET_A_UARTCLBUF:
		return cfg->clbuf;
	}
	return 0;
}

static void sernet_cfg_field_set(struct sernet_config *cfg, int nla, u32 v)
{
	switch (nla) {
	case SERNET_A_UART_BAUD:
		cfg->baud = v;
		break;
	case SERNET_A_UART_DATABITS:
		cfg->databits = v;
		break;
	case SERNET_A_UART_STOPBITS:
		cfg->stopbits = v;
		break;
	case SERNET_A_UART_PARITY:
		cfg->parity = v;
		break;
	case SERNET_A_UART_FLOW:
		cfg->flow = v;
		break;
	case SERNET_A_PACK_TIME:
		cfg->pack_time = v;
		break;
	case SERNET_A_PACK_LEN:
		cfg->pack_len = v;
		break;
	case SERNET_A_SOCK_PROTO:
		cfg->proto = v;
		break;
	case SERNET_A_SOCK_PORT:
		cfg->port = v;
		break;
	case SERNET_A_SOCK_MAX_CLIENTS:
		cfg->max_clients = v;
		break;
	case SERNET_A_SOCK_FULL:
		cfg->full = v;
		break;
	case SERNET_A_SOCK_LOCAL_PORT:
		cfg->local_port = v;
		break;
	case SERNET_A_SOCKSL:
		cfg->socksl = v;
		break;
	case SERNET_A_SHORTO:
		cfg->shorto = v;
		break;
	case SERNET_A_SOCKTON:
		cfg->sockton = v;
		break;
	case SERNET_A_UDPON:
		cfg->udpon = v;
		break;
	case SERNET_A_UARTCLBUF:
		cfg->clbuf = v;
		break;
	}
}

static ssize_t sernet_cfg_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct sernet_cfg_attr *ca = to_cfg_attr(attr);
	struct sernet_port *port = to_sernet_port(dev);
	struct sernet_config cfg;
	u32 v;

	mutex_lock(&port->lock);
	sernet_config_get(port, &cfg);
	mutex_unlock(&port->lock);
	v = sernet_cfg_field(&cfg, ca->nla);
	if (ca->names)
		return sysfs_emit(buf, "%s\n", ca->names[v]);
	return sysfs_emit(buf, "%u\n", v);
}

/*
 * A change through sysfs needs what the same change over netlink needs
 * (GENL_ADMIN_PERM): the file mode alone would let any uid 0 through, a
 * process that dropped the capability or the root of a user namespace.
 */
static bool sernet_sysfs_may_change(void)
{
	return capable(CAP_NET_ADMIN);
}

static ssize_t sernet_cfg_store(struct device *dev,
				struct device_attribute *attr,
				const char *buf, size_t len)
{
	struct sernet_cfg_attr *ca = to_cfg_attr(attr);
	struct sernet_port *port = to_sernet_port(dev);
	struct sernet_config cfg = {};
	u32 v;
	int err;

	if (!sernet_sysfs_may_change())
		return -EPERM;
	if (ca->names) {
		err = __sysfs_match_string(ca->names, -1, buf);
		if (err < 0)
			return err;
		v = err;
	} else {
		err = kstrtou32(buf, 10, &v);
		if (err)
			return err;
		if (v < ca->min || v > ca->max)
			return -ERANGE;
	}
	sernet_cfg_field_set(&cfg, ca->nla, v);
	err = sernet_config_set(port, &cfg, BIT_ULL(ca->nla), NULL);
	return err ?: len;
}

#define SERNET_CFG_ATTR(_name, _nla, _min, _max, _names)		\
	static struct sernet_cfg_attr dev_attr_##_name = {		\
		.attr = __ATTR(_name, 0644, sernet_cfg_show,		\
			       sernet_cfg_store),			\
		.nla = _nla, .min = _min, .max = _max, .names = _names,	\
	}

SERNET_CFG_ATTR(baud, SERNET_A_UART_BAUD, SERNET_BAUD_MIN, SERNET_BAUD_MAX,
		NULL);
SERNET_CFG_ATTR(databits, SERNET_A_UART_DATABITS, 5, 8, NULL);
SERNET_CFG_ATTR(stopbits, SERNET_A_UART_STOPBITS, 1, 2, NULL);
SERNET_CFG_ATTR(parity, SERNET_A_UART_PARITY, 0, SERNET_PARITY_MAX,
		sernet_parity_names);
SERNET_CFG_ATTR(flow, SERNET_A_UART_FLOW, 0, SERNET_FLOW_MAX,
		sernet_flow_names);
SERNET_CFG_ATTR(pack_time, SERNET_A_PACK_TIME, 0, SERNET_PACK_TIME_MAX, NULL);
SERNET_CFG_ATTR(pack_len, SERNET_A_PACK_LEN, 0, SERNET_PACK_LEN_MAX, NULL);
SERNET_CFG_ATTR(protocol, SERNET_A_SOCK_PROTO, 0, SERNET_PROTO_MAX,
		sernet_proto_names);
SERNET_CFG_ATTR(port, SERNET_A_SOCK_PORT, 1, 65535, NULL);
SERNET_CFG_ATTR(local_port, SERNET_A_SOCK_LOCAL_PORT, 0, 65535, NULL);
SERNET_CFG_ATTR(socksl, SERNET_A_SOCKSL, 0, 1, sernet_onoff_names);
SERNET_CFG_ATTR(shorto, SERNET_A_SHORTO, 2, 255, NULL);
SERNET_CFG_ATTR(sockton, SERNET_A_SOCKTON, 1, 99999, NULL);
SERNET_CFG_ATTR(udpon, SERNET_A_UDPON, 0, 1, sernet_onoff_names);
SERNET_CFG_ATTR(uartclbuf, SERNET_A_UARTCLBUF, 0, 1, sernet_onoff_names);
SERNET_CFG_ATTR(max_clients, SERNET_A_SOCK_MAX_CLIENTS, 1,
		SERNET_MAX_CLIENTS_MAX, NULL);
SERNET_CFG_ATTR(full, SERNET_A_SOCK_FULL, 0, SERNET_FULL_MAX,
		sernet_full_names);

/* The remote server of the client modes: "192.0.2.1" or "2001:db8::1" */
static ssize_t ip_show(struct device *dev, struct device_attribute *attr,
		       char *buf)
{
	struct sernet_port *port = to_sernet_port(dev);
	struct sernet_config cfg;

	mutex_lock(&port->lock);
	sernet_config_get(port, &cfg);
	mutex_unlock(&port->lock);
	if (cfg.addr_len == 16)
		return sysfs_emit(buf, "%pI6c\n", cfg.addr);
	return sysfs_emit(buf, "%pI4\n", cfg.addr);
}

static ssize_t ip_store(struct device *dev, struct device_attribute *attr,
			const char *buf, size_t len)
{
	struct sernet_port *port = to_sernet_port(dev);
	struct sernet_config cfg = {};
	size_t n = strcspn(buf, "\n");
	const char *end;
	int err;

	if (!sernet_sysfs_may_change())
		return -EPERM;
	/* the whole value must be the address: in*_pton stop at a bad byte */
	if (in4_pton(buf, n, cfg.addr, -1, &end) && end == buf + n)
		cfg.addr_len = 4;
	else if (in6_pton(buf, n, cfg.addr, -1, &end) && end == buf + n)
		cfg.addr_len = 16;
	else
		return -EINVAL;
	err = sernet_config_set(port, &cfg, BIT_ULL(SERNET_A_SOCK_ADDR), NULL);
	return err ?: len;
}
static DEVICE_ATTR_RW(ip);

static ssize_t pack_time_us_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  div_u64(sernet_pack_time_ns(to_sernet_port(dev)),
				  NSEC_PER_USEC));
}
static DEVICE_ATTR_RO(pack_time_us);

static struct attribute *sernet_port_attrs[] = {
	&dev_attr_tty_name.attr,
	&dev_attr_state.attr,
	&dev_attr_baud.attr.attr,
	&dev_attr_databits.attr.attr,
	&dev_attr_stopbits.attr.attr,
	&dev_attr_parity.attr.attr,
	&dev_attr_flow.attr.attr,
	&dev_attr_pack_time.attr.attr,
	&dev_attr_pack_len.attr.attr,
	&dev_attr_pack_time_us.attr,
	&dev_attr_protocol.attr.attr,
	&dev_attr_port.attr.attr,
	&dev_attr_local_port.attr.attr,
	&dev_attr_ip.attr,
	&dev_attr_socksl.attr.attr,
	&dev_attr_shorto.attr.attr,
	&dev_attr_sockton.attr.attr,
	&dev_attr_udpon.attr.attr,
	&dev_attr_uartclbuf.attr.attr,
	&dev_attr_max_clients.attr.attr,
	&dev_attr_full.attr.attr,
	NULL,
};

static const struct attribute_group sernet_port_group = {
	.attrs = sernet_port_attrs,
};

struct sernet_stat_attr {
	struct device_attribute attr;
	int stat;	/* SERNET_STATS_... */
};

static ssize_t sernet_stat_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	int stat = container_of(attr, struct sernet_stat_attr, attr)->stat;

	return sysfs_emit(buf, "%lld\n",
			  atomic64_read(&to_sernet_port(dev)->stats[stat]));
}

#define SERNET_STAT_ATTR(_name, _stat)					\
	static struct sernet_stat_attr dev_attr_##_name = {		\
		.attr = __ATTR(_name, 0444, sernet_stat_show, NULL),	\
		.stat = _stat,						\
	}

SERNET_STAT_ATTR(rx_bytes, SERNET_STATS_RX_BYTES);
SERNET_STAT_ATTR(rx_packets, SERNET_STATS_RX_PACKETS);
SERNET_STAT_ATTR(net_tx_bytes, SERNET_STATS_NET_TX_BYTES);
SERNET_STAT_ATTR(net_rx_bytes, SERNET_STATS_NET_RX_BYTES);
SERNET_STAT_ATTR(tx_bytes, SERNET_STATS_TX_BYTES);
SERNET_STAT_ATTR(connects, SERNET_STATS_CONNECTS);
SERNET_STAT_ATTR(disconnects, SERNET_STATS_DISCONNECTS);
SERNET_STAT_ATTR(drop_no_peer, SERNET_STATS_DROP_NO_PEER);
SERNET_STAT_ATTR(drop_slow_client, SERNET_STATS_DROP_SLOW_CLIENT);
SERNET_STAT_ATTR(refused, SERNET_STATS_REFUSED);
SERNET_STAT_ATTR(reconnects, SERNET_STATS_RECONNECTS);
SERNET_STAT_ATTR(drop_udp, SERNET_STATS_DROP_UDP);

static struct attribute *sernet_stats_attrs[] = {
	&dev_attr_rx_bytes.attr.attr,
	&dev_attr_rx_packets.attr.attr,
	&dev_attr_net_tx_bytes.attr.attr,
	&dev_attr_net_rx_bytes.attr.attr,
	&dev_attr_tx_bytes.attr.attr,
	&dev_attr_connects.attr.attr,
	&dev_attr_disconnects.attr.attr,
	&dev_attr_drop_no_peer.attr.attr,
	&dev_attr_drop_slow_client.attr.attr,
	&dev_attr_refused.attr.attr,
	&dev_attr_reconnects.attr.attr,
	&dev_attr_drop_udp.attr.attr,
	NULL,
};

static const struct attribute_group sernet_stats_group = {
	.name = "statistics",
	.attrs = sernet_stats_attrs,
};

static const struct attribute_group *sernet_port_groups[] = {
	&sernet_port_group,
	&sernet_stats_group,
	NULL,
};

struct class sernet_class = {
	.name		= "sernet",
	.dev_groups	= sernet_port_groups,
};
