// SPDX-License-Identifier: GPL-2.0
/*
 * sernet: the class "sernet" and the attributes of a port.
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
 * Configuration, one value a file, a file a row of the table of settings.
 * Writes are checked against the same ranges as netlink and applied at
 * once; a bad one changes nothing.
 */
struct sernet_cfg_attr {
	struct device_attribute attr;
	const struct sernet_setting *s;
};

#define to_cfg_attr(a) container_of(a, struct sernet_cfg_attr, attr)

static ssize_t sernet_cfg_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	const struct sernet_setting *s = to_cfg_attr(attr)->s;
	struct sernet_port *port = to_sernet_port(dev);
	struct sernet_config cfg;
	u32 v;

	mutex_lock(&port->lock);
	sernet_config_get(port, &cfg);
	mutex_unlock(&port->lock);
	/* the address: "192.0.2.1" or "2001:db8::1" */
	if (s->type == NLA_BINARY && cfg.addr_len == 16)
		return sysfs_emit(buf, "%pI6c\n", cfg.addr);
	if (s->type == NLA_BINARY)
		return sysfs_emit(buf, "%pI4\n", cfg.addr);
	v = sernet_setting_get(s, &cfg);
	if (s->names)
		return sysfs_emit(buf, "%s\n", s->names[v]);
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

/* The whole value must be the address: in*_pton stop at a bad byte */
static int sernet_parse_addr(const char *buf, struct sernet_config *cfg)
{
	size_t n = strcspn(buf, "\n");
	const char *end;

	if (in4_pton(buf, n, cfg->addr, -1, &end) && end == buf + n)
		cfg->addr_len = 4;
	else if (in6_pton(buf, n, cfg->addr, -1, &end) && end == buf + n)
		cfg->addr_len = 16;
	else
		return -EINVAL;
	return 0;
}

static ssize_t sernet_cfg_store(struct device *dev,
				struct device_attribute *attr,
				const char *buf, size_t len)
{
	const struct sernet_setting *s = to_cfg_attr(attr)->s;
	struct sernet_port *port = to_sernet_port(dev);
	struct sernet_config cfg = {};
	u32 v = 0;
	int err;

	if (!sernet_sysfs_may_change())
		return -EPERM;
	if (s->type == NLA_BINARY) {
		err = sernet_parse_addr(buf, &cfg);
	} else if (s->names) {
		err = __sysfs_match_string(s->names, s->range.max + 1, buf);
		v = err;
	} else {
		err = kstrtou32(buf, 10, &v);
		if (!err && (v < s->range.min || v > s->range.max))
			err = -ERANGE;
	}
	if (err < 0)
		return err;
	if (s->type != NLA_BINARY)
		*sernet_setting_at(s, &cfg) = v;
	err = sernet_config_set(port, &cfg, BIT_ULL(s->attr), NULL);
	return err ?: len;
}

static struct sernet_cfg_attr sernet_cfg_attrs[SERNET_S_COUNT] = {
#define SERNET_SETTING(a, t, f, file, ...)				\
	[SERNET_S_##a] = {						\
		.attr = __ATTR(file, 0644, sernet_cfg_show,		\
			       sernet_cfg_store),			\
		.s = &sernet_settings[SERNET_S_##a],			\
	},
#include "settings_table.h"
#undef SERNET_SETTING
};

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
	&dev_attr_pack_time_us.attr,
#define SERNET_SETTING(a, ...) (&sernet_cfg_attrs[SERNET_S_##a].attr.attr),
#include "settings_table.h"
#undef SERNET_SETTING
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
