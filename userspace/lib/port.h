/* SPDX-License-Identifier: MIT */
/* sernet userspace: a port as reported by the kernel, parsed and printed. */
#ifndef SERNET_PORT_H
#define SERNET_PORT_H

#include <stdint.h>
#include <stdio.h>
#include <linux/sernet.h>

struct nlmsghdr;

struct sernet_port_info {
	uint32_t index;
	char tty[SERNET_TTY_NAME_MAX];
	uint32_t state;
	uint64_t rx_bytes;
};

struct sernet_port_list {
	struct sernet_port_info *ports;
	size_t count;
	size_t cap;
};

/* "IDLE", ... or "UNKNOWN(n)" written to buf for a state this build lacks */
const char *sernet_state_str(uint32_t state, char *buf, size_t len);

/*
 * Parse one PORT_GET / PORT_ADDED / PORT_REMOVED message.
 * Returns 0, or -EINVAL with *err set to a reason when the message is
 * malformed or lacks the index or tty name.
 */
int sernet_port_parse(struct nlmsghdr *nlh, struct sernet_port_info *port,
		      const char **err);

int sernet_port_list_add(struct sernet_port_list *list,
			 const struct sernet_port_info *port);
void sernet_port_list_free(struct sernet_port_list *list);

/* Human-readable table; a header line, then one line a port */
void sernet_port_print_table(FILE *out, const struct sernet_port_list *list);
/* A JSON array of objects, followed by a newline. Returns 0 or -ENOMEM. */
int sernet_port_print_json(FILE *out, const struct sernet_port_list *list);

#endif
