// SPDX-License-Identifier: GPL-2.0
/*
 * sernet: the class "sernet" and the read-only attributes of a port.
 *
 * /sys/class/sernet/sernetN/{tty_name,state,tty,statistics/}
 */
#include <linux/device.h>
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
	return sysfs_emit(buf, "%s\n",
			  sernet_state_name(to_sernet_port(dev)->state));
}
static DEVICE_ATTR_RO(state);

static struct attribute *sernet_port_attrs[] = {
	&dev_attr_tty_name.attr,
	&dev_attr_state.attr,
	NULL,
};

static const struct attribute_group sernet_port_group = {
	.attrs = sernet_port_attrs,
};

static ssize_t rx_bytes_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  atomic64_read(&to_sernet_port(dev)->rx_bytes));
}
static DEVICE_ATTR_RO(rx_bytes);

static struct attribute *sernet_stats_attrs[] = {
	&dev_attr_rx_bytes.attr,
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
