// SPDX-License-Identifier: MIT
/* sernet userspace: a port as reported by the kernel, parsed and printed. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "port.h"

static const char *const state_names[] = {
	[SERNET_PORT_STATE_IDLE] = "IDLE",
};

const char *sernet_state_str(uint32_t state, char *buf, size_t len)
{
	if (state < sizeof(state_names) / sizeof(state_names[0]) &&
	    state_names[state])
		return state_names[state];
	snprintf(buf, len, "UNKNOWN(%" PRIu32 ")", state);
	return buf;
}

static struct nla_policy port_policy[SERNET_A_MAX + 1] = {
	[SERNET_A_PORT_INDEX] = { .type = NLA_U32 },
	[SERNET_A_PORT_TTY] = { .type = NLA_STRING,
				.maxlen = SERNET_TTY_NAME_MAX },
	[SERNET_A_PORT_STATE] = { .type = NLA_U32 },
	[SERNET_A_PORT_STATS] = { .type = NLA_NESTED },
};

static struct nla_policy stats_policy[SERNET_STATS_MAX + 1] = {
	[SERNET_STATS_RX_BYTES] = { .type = NLA_U64 },
};

int sernet_port_parse(struct nlmsghdr *nlh, struct sernet_port_info *port,
		      const char **err)
{
	struct nlattr *tb[SERNET_A_MAX + 1];
	struct nlattr *st[SERNET_STATS_MAX + 1];

	memset(port, 0, sizeof(*port));
	if (genlmsg_parse(nlh, 0, tb, SERNET_A_MAX, port_policy) < 0) {
		*err = "malformed port message";
		return -EINVAL;
	}
	if (!tb[SERNET_A_PORT_INDEX] || !tb[SERNET_A_PORT_TTY]) {
		*err = "port message without index or tty";
		return -EINVAL;
	}
	port->index = nla_get_u32(tb[SERNET_A_PORT_INDEX]);
	snprintf(port->tty, sizeof(port->tty), "%s",
		 nla_get_string(tb[SERNET_A_PORT_TTY]));
	if (tb[SERNET_A_PORT_STATE])
		port->state = nla_get_u32(tb[SERNET_A_PORT_STATE]);
	if (tb[SERNET_A_PORT_STATS]) {
		if (nla_parse_nested(st, SERNET_STATS_MAX,
				     tb[SERNET_A_PORT_STATS],
				     stats_policy) < 0) {
			*err = "malformed port statistics";
			return -EINVAL;
		}
		if (st[SERNET_STATS_RX_BYTES])
			port->rx_bytes = nla_get_u64(st[SERNET_STATS_RX_BYTES]);
	}
	return 0;
}

int sernet_port_list_add(struct sernet_port_list *list,
			 const struct sernet_port_info *port)
{
	if (list->count == list->cap) {
		size_t cap = list->cap ? 2 * list->cap : 8;
		struct sernet_port_info *p;

		p = realloc(list->ports, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		list->ports = p;
		list->cap = cap;
	}
	list->ports[list->count++] = *port;
	return 0;
}

void sernet_port_list_free(struct sernet_port_list *list)
{
	free(list->ports);
	memset(list, 0, sizeof(*list));
}

void sernet_port_print_table(FILE *out, const struct sernet_port_list *list)
{
	char buf[32];

	fprintf(out, "%-10s %-16s %-12s %s\n", "PORT", "TTY", "STATE",
		"RX_BYTES");
	for (size_t i = 0; i < list->count; i++) {
		const struct sernet_port_info *p = &list->ports[i];
		char name[24];

		snprintf(name, sizeof(name), "sernet%" PRIu32, p->index);
		fprintf(out, "%-10s %-16s %-12s %" PRIu64 "\n", name, p->tty,
			sernet_state_str(p->state, buf, sizeof(buf)),
			p->rx_bytes);
	}
}

static struct json_object *port_json(const struct sernet_port_info *p)
{
	struct json_object *o = json_object_new_object();
	struct json_object *stats = json_object_new_object();
	char name[24], buf[32];

	if (!o || !stats) {
		json_object_put(o);
		json_object_put(stats);
		return NULL;
	}
	snprintf(name, sizeof(name), "sernet%" PRIu32, p->index);
	json_object_object_add(o, "port", json_object_new_string(name));
	json_object_object_add(o, "index", json_object_new_int64(p->index));
	json_object_object_add(o, "tty", json_object_new_string(p->tty));
	json_object_object_add(o, "state", json_object_new_string(
		sernet_state_str(p->state, buf, sizeof(buf))));
	json_object_object_add(stats, "rx_bytes",
			       json_object_new_uint64(p->rx_bytes));
	json_object_object_add(o, "statistics", stats);
	return o;
}

int sernet_port_print_json(FILE *out, const struct sernet_port_list *list)
{
	struct json_object *arr = json_object_new_array();

	if (!arr)
		return -ENOMEM;
	for (size_t i = 0; i < list->count; i++) {
		struct json_object *o = port_json(&list->ports[i]);

		if (!o) {
			json_object_put(arr);
			return -ENOMEM;
		}
		json_object_array_add(arr, o);
	}
	fprintf(out, "%s\n", json_object_to_json_string_ext(arr,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
	return 0;
}
