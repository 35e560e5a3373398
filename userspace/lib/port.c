// SPDX-License-Identifier: MIT
/* sernet userspace: a port as reported by the kernel, parsed and printed. */
#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include <json-c/json.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "port.h"

static const char *const state_names[] = {
	[SERNET_PORT_STATE_IDLE] = "IDLE",
	[SERNET_PORT_STATE_LISTEN] = "LISTEN",
	[SERNET_PORT_STATE_CONNECTED] = "CONNECTED",
	[SERNET_PORT_STATE_ERROR] = "ERROR",
	[SERNET_PORT_STATE_CONNECTING] = "CONNECTING",
};

const char *sernet_state_str(uint32_t state, char *buf, size_t len)
{
	if (state < sizeof(state_names) / sizeof(state_names[0]) &&
	    state_names[state])
		return state_names[state];
	snprintf(buf, len, "UNKNOWN(%" PRIu32 ")", state);
	return buf;
}

/* The values' names, the uapi header's (as sysfs shows them) */
static const char *const parity_names[] = SERNET_PARITY_NAMES;
static const char *const flow_names[] = SERNET_FLOW_NAMES;
static const char *const proto_names[] = SERNET_PROTO_NAMES;
static const char *const full_names[] = SERNET_FULL_NAMES;
static const char *const onoff_names[] = SERNET_ONOFF_NAMES;

#define COUNT(table) (sizeof(table) / sizeof(table[0]))
#define NAME_OF(table, v) ((size_t)(v) < COUNT(table) ? table[v] : NULL)

const char *sernet_parity_str(uint8_t parity)
{
	return NAME_OF(parity_names, parity);
}

const char *sernet_flow_str(uint8_t flow)
{
	return NAME_OF(flow_names, flow);
}

#define FIELD(a, f, k) \
	.attr = (a), .key = (k), \
	.size = sizeof(((struct sernet_settings *)NULL)->f), \
	.offset = offsetof(struct sernet_settings, f)
#define NAMES(table) .names = (table), .n_names = COUNT(table)
#define AT(cmd, pos) .at = (cmd), .at_pos = (pos)

/* The AT commands as the K3's manual has them for its socket A: AT+UART1 */
const struct sernet_setting_field sernet_setting_fields[] = {
	{ FIELD(SERNET_A_UART_BAUD, baud, "baud"), AT("UART", 0) },
	{ FIELD(SERNET_A_UART_DATABITS, databits, "databits"), AT("UART", 1) },
	{ FIELD(SERNET_A_UART_STOPBITS, stopbits, "stopbits"), AT("UART", 2) },
	{ FIELD(SERNET_A_UART_PARITY, parity, "parity"), NAMES(parity_names),
	  AT("UART", 3) },
	{ FIELD(SERNET_A_UART_FLOW, flow, "flow"), NAMES(flow_names),
	  AT("UART", 4) },
	{ FIELD(SERNET_A_PACK_TIME, pack_time, "packtime"), AT("UARTTL", 0) },
	{ FIELD(SERNET_A_PACK_LEN, pack_len, "packlen"), AT("UARTTL", 1) },
	{ FIELD(SERNET_A_SOCK_PROTO, proto, "protocol"), NAMES(proto_names),
	  AT("SOCKA", 0) },
	{ .attr = SERNET_A_SOCK_ADDR, .key = "ip", .size = 0,
	  .offset = offsetof(struct sernet_settings, addr), AT("SOCKA", 1) },
	{ FIELD(SERNET_A_SOCK_PORT, port, "port"), AT("SOCKA", 2) },
	{ FIELD(SERNET_A_SOCK_LOCAL_PORT, local_port, "localport") },
	{ FIELD(SERNET_A_SOCKSL, socksl, "socksl"), NAMES(onoff_names),
	  AT("SOCKSL", 0) },
	{ FIELD(SERNET_A_SHORTO, shorto, "shorto"), AT("SHORTO", 0) },
	{ FIELD(SERNET_A_SOCKTON, sockton, "sockton"), AT("SOCKTON", 0) },
	{ FIELD(SERNET_A_UDPON, udpon, "udpon"), NAMES(onoff_names),
	  AT("UDPON", 0) },
	{ FIELD(SERNET_A_UARTCLBUF, clbuf, "uartclbuf"), NAMES(onoff_names),
	  AT("UARTCLBUF", 0) },
	{ FIELD(SERNET_A_SOCK_MAX_CLIENTS, max_clients, "maxclients") },
	{ FIELD(SERNET_A_SOCK_FULL, full, "full"), NAMES(full_names) },
};

const size_t sernet_setting_field_count = COUNT(sernet_setting_fields);

static const struct sernet_setting_field *row_of(int attr)
{
	for (size_t i = 0; i < sernet_setting_field_count; i++)
		if (sernet_setting_fields[i].attr == attr)
			return &sernet_setting_fields[i];
	return NULL;
}

const struct sernet_setting_field *sernet_setting_find(int attr)
{
	const struct sernet_setting_field *f = row_of(attr);

	return f && f->size ? f : NULL;
}

const char *sernet_attr_name(int attr)
{
	const struct sernet_setting_field *f = row_of(attr);

	if (attr == SERNET_A_PORT_INDEX)
		return "port";
	return f ? f->key : NULL;
}

uint32_t sernet_setting_get(const struct sernet_settings *cfg,
			    const struct sernet_setting_field *f)
{
	const uint8_t *at = (const uint8_t *)cfg + f->offset;
	uint16_t v16;
	uint32_t v32;

	switch (f->size) {
	case 1:
		return *at;
	case 2:
		memcpy(&v16, at, 2);
		return v16;
	default:
		memcpy(&v32, at, 4);
		return v32;
	}
}

void sernet_setting_put(struct sernet_settings *cfg,
			const struct sernet_setting_field *f, uint32_t v)
{
	uint8_t *at = (uint8_t *)cfg + f->offset;
	uint16_t v16 = (uint16_t)v;

	switch (f->size) {
	case 1:
		*at = (uint8_t)v;
		break;
	case 2:
		memcpy(at, &v16, 2);
		break;
	default:
		memcpy(at, &v, 4);
		break;
	}
}

/* The largest number a field holds */
static unsigned long field_max(const struct sernet_setting_field *f)
{
	return f->size >= 4 ? UINT32_MAX : (1UL << (8 * f->size)) - 1;
}

/* The settings' types are their rows' (sernet_port_parse() puts them) */
static struct nla_policy port_policy[SERNET_A_MAX + 1] = {
	[SERNET_A_PORT_INDEX] = { .type = NLA_U32 },
	[SERNET_A_PACK_TIME_US] = { .type = NLA_U32 },
	[SERNET_A_SOCK_STATUS] = { .type = NLA_STRING,
				   .maxlen = SERNET_STATUS_MAX },
	[SERNET_A_PEER] = { .type = NLA_STRING, .maxlen = SERNET_PEER_MAX },
	[SERNET_A_PORT_TTY] = { .type = NLA_STRING,
				.maxlen = SERNET_TTY_NAME_MAX },
	[SERNET_A_PORT_STATE] = { .type = NLA_U32 },
	[SERNET_A_PORT_MODE] = { .type = NLA_U8 },
	[SERNET_A_PORT_STATS] = { .type = NLA_NESTED },
	[SERNET_A_CLIENT_SECONDS] = { .type = NLA_U32 },
	[SERNET_A_CLIENT_QUEUED] = { .type = NLA_U32 },
	[SERNET_A_CLIENT_STATS] = { .type = NLA_NESTED },
	[SERNET_A_CLIENT_END] = { .type = NLA_U8 },
};

static struct nla_policy stats_policy[SERNET_STATS_MAX + 1];
static struct nla_policy client_stats_policy[SERNET_CLIENT_STATS_MAX + 1];

static const char *const client_stat_names[] = {
	[SERNET_CLIENT_STATS_NET_TX_BYTES] = "net_tx_bytes",
	[SERNET_CLIENT_STATS_NET_TX_PACKETS] = "net_tx_packets",
	[SERNET_CLIENT_STATS_NET_RX_BYTES] = "net_rx_bytes",
	[SERNET_CLIENT_STATS_NET_RX_PACKETS] = "net_rx_packets",
};

const char *sernet_client_stat_name(int stat)
{
	return stat >= 0 ? NAME_OF(client_stat_names, stat) : NULL;
}

static const char *const client_end_names[] = {
	[SERNET_CLIENT_END_PEER] = "closed by peer",
	[SERNET_CLIENT_END_SLOW] = "too slow",
	[SERNET_CLIENT_END_EVICTED] = "dropped for a newer client",
	[SERNET_CLIENT_END_IDLE] = "idle",
	[SERNET_CLIENT_END_STOP] = "transport stopped",
};

const char *sernet_client_end_str(int end)
{
	return end >= 0 ? NAME_OF(client_end_names, end) : NULL;
}

/* u64 counters nested in nest, into v[1..max]; pad is skipped */
static int parse_counters(struct nlattr *nest, int max, int pad,
			  struct nla_policy *pol, uint64_t *v)
{
	struct nlattr *tb[SERNET_STATS_MAX + 1];

	_Static_assert(SERNET_CLIENT_STATS_MAX <= SERNET_STATS_MAX,
		       "tb holds the longer list");
	if (max > SERNET_STATS_MAX)
		return -EINVAL;
	for (int i = 1; i <= max; i++)
		pol[i].type = i == pad ? NLA_UNSPEC : NLA_U64;
	if (nla_parse_nested(tb, max, nest, pol) < 0)
		return -EINVAL;
	for (int i = 1; i <= max; i++)
		if (tb[i] && i != pad)
			v[i] = nla_get_u64(tb[i]);
	return 0;
}

static const char *const stat_names[] = {
	[SERNET_STATS_RX_BYTES] = "rx_bytes",
	[SERNET_STATS_RX_PACKETS] = "rx_packets",
	[SERNET_STATS_NET_TX_BYTES] = "net_tx_bytes",
	[SERNET_STATS_NET_RX_BYTES] = "net_rx_bytes",
	[SERNET_STATS_TX_BYTES] = "tx_bytes",
	[SERNET_STATS_CONNECTS] = "connects",
	[SERNET_STATS_DISCONNECTS] = "disconnects",
	[SERNET_STATS_DROP_NO_PEER] = "drop_no_peer",
	[SERNET_STATS_DROP_SLOW_CLIENT] = "drop_slow_client",
	[SERNET_STATS_REFUSED] = "refused",
	[SERNET_STATS_RECONNECTS] = "reconnects",
	[SERNET_STATS_DROP_UDP] = "drop_udp",
};

const char *sernet_stat_name(int stat)
{
	return stat >= 0 ? NAME_OF(stat_names, stat) : NULL;
}

int sernet_port_parse(struct nlmsghdr *nlh, struct sernet_port_info *port,
		      const char **err)
{
	struct nlattr *tb[SERNET_A_MAX + 1];

	memset(port, 0, sizeof(*port));
	port->client.end = -1;
	for (size_t i = 0; i < sernet_setting_field_count; i++) {
		const struct sernet_setting_field *f = &sernet_setting_fields[i];
		struct nla_policy *pol = &port_policy[f->attr];

		pol->type = f->size == 1 ? NLA_U8 : f->size == 2 ? NLA_U16 :
			    f->size == 4 ? NLA_U32 : NLA_UNSPEC;
		pol->minlen = f->size ? 0 : 4;
		pol->maxlen = f->size ? 0 : 16;
	}
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
	if (tb[SERNET_A_PORT_MODE])
		port->mode = nla_get_u8(tb[SERNET_A_PORT_MODE]);
	for (size_t i = 0; i < sernet_setting_field_count; i++) {
		const struct sernet_setting_field *f = &sernet_setting_fields[i];
		int len = tb[f->attr] ? nla_len(tb[f->attr]) : 0;

		if (!tb[f->attr])
			continue;
		if (!f->size && len != 4 && len != 16) {
			*err = "address of a bad length";
			return -EINVAL;
		}
		if (!f->size)
			port->cfg.addr_len = (uint8_t)len;
		memcpy((uint8_t *)&port->cfg + f->offset, nla_data(tb[f->attr]),
		       f->size ? f->size : (size_t)len);
	}
	if (tb[SERNET_A_PACK_TIME_US])
		port->pack_time_us = nla_get_u32(tb[SERNET_A_PACK_TIME_US]);
	if (tb[SERNET_A_SOCK_STATUS])
		snprintf(port->status, sizeof(port->status), "%s",
			 nla_get_string(tb[SERNET_A_SOCK_STATUS]));
	if (tb[SERNET_A_PEER])
		snprintf(port->client.peer, sizeof(port->client.peer), "%s",
			 nla_get_string(tb[SERNET_A_PEER]));
	if (tb[SERNET_A_CLIENT_SECONDS])
		port->client.seconds = nla_get_u32(tb[SERNET_A_CLIENT_SECONDS]);
	if (tb[SERNET_A_CLIENT_QUEUED])
		port->client.queued = nla_get_u32(tb[SERNET_A_CLIENT_QUEUED]);
	if (tb[SERNET_A_CLIENT_END])
		port->client.end = nla_get_u8(tb[SERNET_A_CLIENT_END]);
	if (tb[SERNET_A_PORT_STATS] &&
	    parse_counters(tb[SERNET_A_PORT_STATS], SERNET_STATS_MAX,
			   SERNET_STATS_PAD, stats_policy, port->stats)) {
		*err = "malformed port statistics";
		return -EINVAL;
	}
	port->rx_bytes = port->stats[SERNET_STATS_RX_BYTES];
	if (tb[SERNET_A_CLIENT_STATS] &&
	    parse_counters(tb[SERNET_A_CLIENT_STATS], SERNET_CLIENT_STATS_MAX,
			   SERNET_CLIENT_STATS_PAD, client_stats_policy,
			   port->client.stats)) {
		*err = "malformed connection statistics";
		return -EINVAL;
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

/* The K3's status text if the kernel sent one, else the state's name */
static const char *status_str(const struct sernet_port_info *p, char *buf,
			      size_t len)
{
	return p->status[0] ? p->status : sernet_state_str(p->state, buf, len);
}

/* "115200,8,1,NONE,NFC", as AT+UART prints it */
static void uart_str(const struct sernet_port_info *p, char *buf, size_t len)
{
	const char *par = sernet_parity_str(p->cfg.parity);
	const char *flow = sernet_flow_str(p->cfg.flow);

	snprintf(buf, len, "%" PRIu32 ",%u,%u,%s,%s", p->cfg.baud, p->cfg.databits,
		 p->cfg.stopbits, par ? par : "?", flow ? flow : "?");
}

void sernet_port_print_table(FILE *out, const struct sernet_port_list *list)
{
	char buf[32], uart[64];

	fprintf(out, "%-10s %-10s %-16s %-24s %-8s %s\n", "PORT", "TTY",
		"STATE", "UART", "UARTTL", "RX_BYTES");
	for (size_t i = 0; i < list->count; i++) {
		const struct sernet_port_info *p = &list->ports[i];
		char name[24], tl[16];

		snprintf(name, sizeof(name), "sernet%" PRIu32, p->index);
		snprintf(tl, sizeof(tl), "%u,%u", p->cfg.pack_time, p->cfg.pack_len);
		uart_str(p, uart, sizeof(uart));
		fprintf(out, "%-10s %-10s %-16s %-24s %-8s %" PRIu64 "\n", name,
			p->tty, status_str(p, buf, sizeof(buf)), uart, tl,
			p->rx_bytes);
	}
}

/* The remote address as text */
static void addr_str(const struct sernet_port_info *p, char *buf, size_t len)
{
	if (!inet_ntop(p->cfg.addr_len == 16 ? AF_INET6 : AF_INET, p->cfg.addr, buf,
		       (socklen_t)len))
		snprintf(buf, len, "?");
}

/* "127.0.0.1:40000 up 12 s, queued 0, net_tx_bytes 10, ..." */
static void client_str(const struct sernet_client_info *c, char *buf,
		       size_t len)
{
	int n = snprintf(buf, len, "%s up %" PRIu32 " s, queued %" PRIu32,
			 c->peer, c->seconds, c->queued);

	for (int i = 1; i <= SERNET_CLIENT_STATS_MAX && n >= 0 &&
	     (size_t)n < len; i++)
		if (sernet_client_stat_name(i))
			n += snprintf(buf + n, len - n, ", %s %" PRIu64,
				      sernet_client_stat_name(i), c->stats[i]);
}

void sernet_port_print_detail(FILE *out, const struct sernet_port_info *p,
			      const struct sernet_port_list *clients)
{
	const char *proto = NAME_OF(proto_names, p->cfg.proto);
	const char *full = NAME_OF(full_names, p->cfg.full);
	char buf[32], uart[64], ip[64];

	uart_str(p, uart, sizeof(uart));
	fprintf(out, "sernet%" PRIu32 " on %s: %s\n", p->index, p->tty,
		status_str(p, buf, sizeof(buf)));
	fprintf(out, "  uart      %s\n", uart);
	fprintf(out, "  uarttl    %u,%u (packing time %" PRIu32 " us, length %u)\n",
		p->cfg.pack_time, p->cfg.pack_len, p->pack_time_us,
		p->cfg.pack_len ? p->cfg.pack_len : SERNET_PACK_LEN_MAX);
	fprintf(out, "  uartclbuf %s\n", p->cfg.clbuf ? "ON" : "OFF");
	addr_str(p, ip, sizeof(ip));
	if (p->cfg.proto == SERNET_PROTO_TCPC) {
		fprintf(out, "  socket    %s to %s port %u, local port %u\n",
			proto, ip, p->cfg.port, p->cfg.local_port);
		if (p->cfg.socksl)
			fprintf(out, "  socksl    ON, closes after %u s idle\n",
				p->cfg.shorto);
		else
			fprintf(out, "  sockton   %" PRIu32 " s without data reconnects\n",
				p->cfg.sockton);
	} else {
		fprintf(out, "  socket    %s, port %u, up to %u clients, when full %s\n",
			proto ? proto : "?", p->cfg.port, p->cfg.max_clients,
			full ? full : "?");
	}
	for (int i = 1; i <= SERNET_STATS_MAX; i++)
		if (sernet_stat_name(i))
			fprintf(out, "  %-17s %" PRIu64 "\n", sernet_stat_name(i),
				p->stats[i]);
	for (size_t i = 0; clients && i < clients->count; i++) {
		char line[320];

		if (clients->ports[i].index != p->index)
			continue;
		client_str(&clients->ports[i].client, line, sizeof(line));
		fprintf(out, "  client    %s\n", line);
	}
}

static struct json_object *client_json(const struct sernet_client_info *c)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "peer", json_object_new_string(c->peer));
	json_object_object_add(o, "seconds", json_object_new_int64(c->seconds));
	json_object_object_add(o, "queued", json_object_new_int64(c->queued));
	for (int i = 1; i <= SERNET_CLIENT_STATS_MAX; i++)
		if (sernet_client_stat_name(i))
			json_object_object_add(o, sernet_client_stat_name(i),
					       json_object_new_uint64(c->stats[i]));
	return o;
}

/* The connections of port index in clients, as a JSON array */
static struct json_object *clients_json(uint32_t index,
					const struct sernet_port_list *clients)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; arr && clients && i < clients->count; i++) {
		struct json_object *o;

		if (clients->ports[i].index != index)
			continue;
		o = client_json(&clients->ports[i].client);
		if (!o) {
			json_object_put(arr);
			return NULL;
		}
		json_object_array_add(arr, o);
	}
	return arr;
}

static struct json_object *port_json(const struct sernet_port_info *p,
				     const struct sernet_port_list *clients)
{
	struct json_object *conns;
	struct json_object *o = json_object_new_object();
	struct json_object *stats = json_object_new_object();
	struct json_object *uart, *pack, *sock;
	const char *par, *flow;
	char name[24], buf[32], ip[64];

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
		status_str(p, buf, sizeof(buf))));
	uart = json_object_new_object();
	pack = json_object_new_object();
	if (!uart || !pack) {
		json_object_put(o);
		json_object_put(stats);
		json_object_put(uart);
		json_object_put(pack);
		return NULL;
	}
	par = sernet_parity_str(p->cfg.parity);
	flow = sernet_flow_str(p->cfg.flow);
	json_object_object_add(uart, "baud", json_object_new_int64(p->cfg.baud));
	json_object_object_add(uart, "databits",
			       json_object_new_int(p->cfg.databits));
	json_object_object_add(uart, "stopbits",
			       json_object_new_int(p->cfg.stopbits));
	json_object_object_add(uart, "parity",
			       json_object_new_string(par ? par : "?"));
	json_object_object_add(uart, "flow",
			       json_object_new_string(flow ? flow : "?"));
	json_object_object_add(o, "uart", uart);
	json_object_object_add(pack, "time", json_object_new_int(p->cfg.pack_time));
	json_object_object_add(pack, "length",
			       json_object_new_int(p->cfg.pack_len));
	json_object_object_add(pack, "time_us",
			       json_object_new_int64(p->pack_time_us));
	json_object_object_add(pack, "uartclbuf",
			       json_object_new_boolean(p->cfg.clbuf));
	json_object_object_add(o, "uarttl", pack);
	sock = json_object_new_object();
	if (!sock) {
		json_object_put(o);
		json_object_put(stats);
		return NULL;
	}
	json_object_object_add(sock, "protocol", json_object_new_string(
		NAME_OF(proto_names, p->cfg.proto) ? NAME_OF(proto_names, p->cfg.proto) :
		"?"));
	addr_str(p, ip, sizeof(ip));
	json_object_object_add(sock, "ip", json_object_new_string(ip));
	json_object_object_add(sock, "port", json_object_new_int(p->cfg.port));
	json_object_object_add(sock, "local_port",
			       json_object_new_int(p->cfg.local_port));
	json_object_object_add(sock, "socksl",
			       json_object_new_boolean(p->cfg.socksl));
	json_object_object_add(sock, "shorto", json_object_new_int(p->cfg.shorto));
	json_object_object_add(sock, "sockton",
			       json_object_new_int64(p->cfg.sockton));
	json_object_object_add(sock, "udpon",
			       json_object_new_boolean(p->cfg.udpon));
	json_object_object_add(sock, "max_clients",
			       json_object_new_int(p->cfg.max_clients));
	json_object_object_add(sock, "full", json_object_new_string(
		NAME_OF(full_names, p->cfg.full) ? NAME_OF(full_names, p->cfg.full) :
		"?"));
	json_object_object_add(o, "socket", sock);
	for (int i = 1; i <= SERNET_STATS_MAX; i++)
		if (sernet_stat_name(i))
			json_object_object_add(stats, sernet_stat_name(i),
					       json_object_new_uint64(p->stats[i]));
	json_object_object_add(o, "statistics", stats);
	conns = clients_json(p->index, clients);
	if (!conns) {
		json_object_put(o);
		return NULL;
	}
	json_object_object_add(o, "clients", conns);
	return o;
}

int sernet_port_print_json(FILE *out, const struct sernet_port_list *list,
			   const struct sernet_port_list *clients)
{
	struct json_object *arr = json_object_new_array();

	if (!arr)
		return -ENOMEM;
	for (size_t i = 0; i < list->count; i++) {
		struct json_object *o = port_json(&list->ports[i], clients);

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

/* An unsigned decimal that fits in max */
static int parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return errno || *end || *v > max ? -1 : 0;
}

static int lookup(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && !strcasecmp(names[i], s))
			return (int)i;
	return -1;
}

/* Set one field from its text */
static int set_one(struct sernet_set *set, const struct sernet_setting_field *f,
		   const char *val, char *err, size_t errlen)
{
	unsigned long v = 0;
	int e;

	if (!f->size) {
		e = inet_pton(AF_INET, val, set->cfg.addr) == 1 ? 4 :
		    inet_pton(AF_INET6, val, set->cfg.addr) == 1 ? 16 : -1;
		set->cfg.addr_len = e < 0 ? 0 : (uint8_t)e;
	} else if (f->names) {
		/* the K3 manual spells MARK "MASK" */
		e = lookup(f->names, f->n_names,
			   f->attr == SERNET_A_UART_PARITY &&
			   !strcasecmp(val, "MASK") ? "MARK" : val);
		v = (unsigned long)e;
	} else {
		/* a number bigger than the field is refused, never cut */
		e = parse_uint(val, field_max(f), &v);
	}
	if (e < 0) {
		snprintf(err, errlen, "%s: invalid value \"%s\"", f->key, val);
		return -EINVAL;
	}
	if (f->size)
		sernet_setting_put(&set->cfg, f, (uint32_t)v);
	set->mask |= 1ULL << f->attr;
	return 0;
}

/* The row that is parameter pos of the AT command at, or NULL */
static const struct sernet_setting_field *at_param(const char *at, int pos)
{
	for (size_t i = 0; i < sernet_setting_field_count; i++) {
		const struct sernet_setting_field *f = &sernet_setting_fields[i];

		if (f->at && !strcasecmp(f->at, at) && f->at_pos == pos)
			return f;
	}
	return NULL;
}

/* "a,b,c": every parameter of the AT command key, in its order */
static int set_at(struct sernet_set *set, const char *key, const char *val,
		  char *err, size_t errlen)
{
	char copy[128], *save = NULL, *tok;
	int i = 0, n = 0;

	while (at_param(key, n))
		n++;
	snprintf(copy, sizeof(copy), "%s", val);
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (i == n)
			break;
		if (set_one(set, at_param(key, i++), tok, err, errlen))
			return -EINVAL;
	}
	if (i != n || tok) {
		snprintf(err, errlen, "%s takes %d values separated by commas",
			 key, n);
		return -EINVAL;
	}
	return 0;
}

int sernet_set_parse(int argc, char **argv, struct sernet_set *set,
		     char *err, size_t errlen)
{
	memset(set, 0, sizeof(*set));
	if (argc == 0 || argc % 2) {
		snprintf(err, errlen, "settings come as KEY VALUE pairs");
		return -EINVAL;
	}
	for (int i = 0; i < argc; i += 2) {
		const struct sernet_setting_field *f = NULL;
		const char *key = argv[i], *val = argv[i + 1];
		int r;

		for (size_t j = 0; j < sernet_setting_field_count; j++)
			if (!strcasecmp(sernet_setting_fields[j].key, key))
				f = &sernet_setting_fields[j];
		if (f)
			r = set_one(set, f, val, err, errlen);
		else if (at_param(key, 0))
			r = set_at(set, key, val, err, errlen);
		else {
			snprintf(err, errlen, "unknown setting \"%s\"", key);
			r = -EINVAL;
		}
		if (r)
			return r;
	}
	return 0;
}

int sernet_event_format(uint8_t cmd, const struct sernet_port_info *p,
			char *buf, size_t len)
{
	const char *what;

	switch (cmd) {
	case SERNET_CMD_PORT_ADDED:
		what = "added";
		break;
	case SERNET_CMD_PORT_REMOVED:
		what = "removed";
		break;
	case SERNET_CMD_STATUS:
		snprintf(buf, len, "sernet%" PRIu32 " (%s): status %s",
			 p->index, p->tty, p->status);
		return 0;
	case SERNET_CMD_MODE: {
		static const char *const names[] = { "work", "handshake",
						     "command" };

		if (p->mode < sizeof(names) / sizeof(names[0]))
			snprintf(buf, len, "sernet%" PRIu32 " (%s): %s mode",
				 p->index, p->tty, names[p->mode]);
		else
			snprintf(buf, len, "sernet%" PRIu32 " (%s): mode %u",
				 p->index, p->tty, p->mode);
		return 0;
	}
	case SERNET_CMD_CONNECTED:
		what = "connected";
		break;
	case SERNET_CMD_DISCONNECTED:
		what = "disconnected";
		break;
	default:
		return -EINVAL;
	}
	snprintf(buf, len, "sernet%" PRIu32 " (%s): %s%s%s", p->index, p->tty,
		 what, p->client.peer[0] ? " " : "", p->client.peer);
	if (cmd == SERNET_CMD_DISCONNECTED && sernet_client_end_str(p->client.end)) {
		size_t n = strlen(buf);
		const uint64_t *st = p->client.stats;

		n += snprintf(buf + n, len - n, " (%s",
			      sernet_client_end_str(p->client.end));
		/* how far behind it was when it was let go */
		if (p->client.end == SERNET_CLIENT_END_SLOW && n < len)
			n += snprintf(buf + n, len - n, ", %" PRIu32 " B behind",
				      p->client.queued);
		if (n < len)
			snprintf(buf + n, len - n, "; sent %" PRIu64
				 " B, received %" PRIu64 " B)",
				 st[SERNET_CLIENT_STATS_NET_TX_BYTES],
				 st[SERNET_CLIENT_STATS_NET_RX_BYTES]);
	}
	return 0;
}
