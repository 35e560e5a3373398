/* SPDX-License-Identifier: MIT */
/* sernet userspace: talking to the sernet module over generic netlink. */
#ifndef SERNET_NL_H
#define SERNET_NL_H

#include <stdint.h>

#include "port.h"

struct nl_sock;

struct sernet_nl {
	struct nl_sock *sk;
	int family;
	/* Set from the kernel's extended ack when a request fails */
	char errmsg[256];
};

/*
 * Connect and resolve the "sernet" family. Returns 0 or a negative errno;
 * nl->errmsg then says why (module not loaded, ...).
 */
int sernet_nl_open(struct sernet_nl *nl);
void sernet_nl_close(struct sernet_nl *nl);

/* Every port of this network namespace, in index order */
int sernet_nl_dump_ports(struct sernet_nl *nl, struct sernet_port_list *list);
/*
 * Every connection of every port of this network namespace, a
 * sernet_port_info each (index, tty and client filled in)
 */
int sernet_nl_dump_clients(struct sernet_nl *nl,
			   struct sernet_port_list *clients);
/* One port; -ENODEV when there is none with that index */
int sernet_nl_get_port(struct sernet_nl *nl, uint32_t index,
		       struct sernet_port_info *port);

/*
 * Change the settings in set->mask, all or nothing. On error nl->errmsg
 * names the setting and its allowed range when the kernel said so.
 */
int sernet_nl_set_port(struct sernet_nl *nl, uint32_t index,
		       const struct sernet_set *set);

#endif
