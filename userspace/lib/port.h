/* SPDX-License-Identifier: MIT */
/* sernet userspace: a port as reported by the kernel, parsed and printed. */
#ifndef SERNET_PORT_H
#define SERNET_PORT_H

#include <stdint.h>
#include <stdio.h>
#include <linux/sernet.h>

struct nlmsghdr;

/* What a port is set to; what PORT_SET can change */
struct sernet_settings {
	uint32_t baud;
	uint8_t databits, stopbits, parity, flow;
	uint16_t pack_time, pack_len;
	uint8_t proto, full;
	uint16_t port, max_clients;
	uint8_t addr_len, addr[16];		/* SERNET_A_SOCK_ADDR */
	uint16_t local_port;
	uint8_t socksl;
	uint16_t shorto;
	uint32_t sockton;
	uint8_t udpon, clbuf;
};

/*
 * The table of settings, a row each: its attribute, whose size (1, 2 or 4
 * bytes, NLA_U8/U16/U32) is that of its field at offset in struct
 * sernet_settings (size 0: the address, of addr_len bytes, typed as text);
 * sernetctl set's key; the names of its values (the uapi header's) if it
 * has names; and which parameter of which K3 AT command it is ("UART",
 * 0: the baud rate of AT+UART1=baud,...), where the K3 has one. Parsing,
 * SET requests, sernetctl set's keys and the fuzz targets all go through
 * this table.
 */
struct sernet_setting_field {
	uint8_t attr;
	uint8_t size;
	uint8_t offset;
	uint8_t n_names;
	const char *key;
	const char *const *names;
	const char *at;
	uint8_t at_pos;
};

extern const struct sernet_setting_field sernet_setting_fields[];
extern const size_t sernet_setting_field_count;

/* The numeric field of attr in the table (not the address's), or NULL */
const struct sernet_setting_field *sernet_setting_find(int attr);
/* A field's value, and storing one (cut to the field's size) */
uint32_t sernet_setting_get(const struct sernet_settings *cfg,
			    const struct sernet_setting_field *f);
void sernet_setting_put(struct sernet_settings *cfg,
			const struct sernet_setting_field *f, uint32_t v);

/* One connection: in CLIENT_GET replies and in connection events */
struct sernet_client_info {
	char peer[SERNET_PEER_MAX];	/* "addr:port" */
	uint32_t seconds;		/* up for */
	uint32_t queued;		/* serial bytes not sent yet */
	int end;			/* why it ended, or -1 */
	uint64_t stats[SERNET_CLIENT_STATS_MAX + 1];	/* SERNET_CLIENT_STATS_ */
};

struct sernet_port_info {
	uint32_t index;
	char tty[SERNET_TTY_NAME_MAX];
	uint32_t state;
	uint8_t mode;				/* enum sernet_port_mode */
	struct sernet_settings cfg;
	uint32_t pack_time_us;
	char status[SERNET_STATUS_MAX];
	struct sernet_client_info client;	/* in client messages */
	uint64_t stats[SERNET_STATS_MAX + 1];	/* by SERNET_STATS_... */
	uint64_t rx_bytes;			/* stats[SERNET_STATS_RX_BYTES] */
};

/* A change of configuration: the fields whose SERNET_A_* bit is in mask */
struct sernet_set {
	uint64_t mask;
	struct sernet_settings cfg;
};

struct sernet_port_list {
	struct sernet_port_info *ports;
	size_t count;
	size_t cap;
};

/* "IDLE", ... or "UNKNOWN(n)" written to buf for a state this build lacks */
const char *sernet_state_str(uint32_t state, char *buf, size_t len);

/*
 * Parse one PORT_GET / PORT_ADDED / PORT_REMOVED message, or one
 * CLIENT_GET / CONNECTED / DISCONNECTED message (port->client).
 * Returns 0, or -EINVAL with *err set to a reason when the message is
 * malformed or lacks the index or tty name.
 */
int sernet_port_parse(struct nlmsghdr *nlh, struct sernet_port_info *port,
		      const char **err);

/* Names as the K3 prints them: "NONE".."SPACE", "NFC"/"FC"; NULL if unknown */
const char *sernet_parity_str(uint8_t parity);
const char *sernet_flow_str(uint8_t flow);
/* The name of a counter ("rx_bytes"), or NULL */
const char *sernet_stat_name(int stat);
/* The name of a connection's counter ("net_tx_bytes"), or NULL */
const char *sernet_client_stat_name(int stat);
/* Why a connection ended ("closed by peer"), or NULL */
const char *sernet_client_end_str(int end);
/* The user's name of an attribute ("baud"), or NULL */
const char *sernet_attr_name(int attr);

/*
 * Parse "key value" pairs (sernetctl set): a key of the table, or an AT
 * command of it, lower case, with all of its parameters: "uart
 * BAUD,DATA,STOP,PARITY,FLOW", "uarttl TIME,LEN", "socka PROTO,IP,PORT".
 * Names are case-insensitive. Returns 0, or -EINVAL with a message in err.
 */
int sernet_set_parse(int argc, char **argv, struct sernet_set *set,
		     char *err, size_t errlen);

int sernet_port_list_add(struct sernet_port_list *list,
			 const struct sernet_port_info *port);
void sernet_port_list_free(struct sernet_port_list *list);

/*
 * One line for an event from the events group (cmd is the genl command):
 * "sernet0 (ttyS1): connected 127.0.0.1:4242". Returns 0, or -EINVAL for
 * a command that is no event.
 */
int sernet_event_format(uint8_t cmd, const struct sernet_port_info *port,
			char *buf, size_t len);

/* Human-readable table; a header line, then one line a port */
void sernet_port_print_table(FILE *out, const struct sernet_port_list *list);
/*
 * One port, every setting on its own line, then its connections: those
 * entries of clients (a CLIENT_GET dump, may be NULL) with its index.
 */
void sernet_port_print_detail(FILE *out, const struct sernet_port_info *port,
			      const struct sernet_port_list *clients);
/*
 * A JSON array of objects, followed by a newline; each port has its
 * connections from clients (may be NULL). Returns 0 or -ENOMEM.
 */
int sernet_port_print_json(FILE *out, const struct sernet_port_list *list,
			   const struct sernet_port_list *clients);

#endif
