/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sernet: the settings of a port, a row each in settings_table.h.
 *
 * Netlink (PORT_SET's policy, what GET reports, what SET gathers), sysfs
 * (a file each, show and store) and config.c (the defaults, what a SET
 * copies, what restarts the transport) all read the table. A new setting
 * is a field below, a row there, and its attribute, range and names in
 * the uapi header (and in the netlink spec).
 */
#ifndef _SERNET_SETTINGS_H
#define _SERNET_SETTINGS_H

#include <linux/limits.h>
#include <linux/types.h>
#include <net/netlink.h>
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
 * @proto: &enum sernet_proto
 * @port: local port of a server
 * @max_clients: TCP server clients at once
 * @full: &enum sernet_full
 * @addr_len: 4 or 16: the length of @addr
 * @addr: the remote server of the client modes, network order
 * @local_port: local port of the client modes, 0 = any
 * @socksl: TCP client short connections
 * @shorto: seconds a short connection may be idle
 * @sockton: seconds a TCP client may receive nothing before reconnecting
 * @udpon: a UDP client takes datagrams from anyone
 * @clbuf: discard serial data while no peer is there (UARTCLBUF ON)
 *
 * Each setting is a u32 here, whatever its attribute's type (the table of
 * settings, settings_table.h, says). In a port, only the packing fields are
 * kept here: the serial ones live in the tty's termios and are read from
 * there.
 */
struct sernet_config {
	u32 baud;
	u32 databits;
	u32 stopbits;
	u32 parity;
	u32 flow;
	u32 pack_time;
	u32 pack_len;
	u32 proto;
	u32 port;
	u32 max_clients;
	u32 full;
	u8 addr_len;
	u8 addr[16];
	u32 local_port;
	u32 socksl;
	u32 shorto;
	u32 sockton;
	u32 udpon;
	u32 clbuf;
};

/* The row of each setting: SERNET_S_UART_BAUD, ... */
enum sernet_setting_id {
#define SERNET_SETTING(a, ...) SERNET_S_##a,
#include "settings_table.h"
#undef SERNET_SETTING
	SERNET_S_COUNT,
};

/* How a change of a setting is applied (see sernet_config_set()) */
enum sernet_apply {
	SERNET_APPLY_SERIAL,
	SERNET_APPLY_RESTART,
	SERNET_APPLY_LIVE,
};

/**
 * struct sernet_setting - one row of the table
 * @range: the values allowed (for the address, its lengths)
 * @names: the values' names, 0..@range.max, or NULL for a number
 * @def: the K3's default (the address's is sernet_config_defaults()')
 * @attr: SERNET_A_...
 * @offset: of the field in &struct sernet_config
 * @type: the attribute's, NLA_U8, NLA_U16, NLA_U32, or NLA_BINARY
 * @apply: &enum sernet_apply
 */
struct sernet_setting {
	struct netlink_range_validation range;
	const char * const *names;
	u32 def;
	u16 attr;
	u8 offset;
	u8 type;
	u8 apply;
};

/* Not const only because the policy's range pointer is not on 6.1 */
extern struct sernet_setting sernet_settings[SERNET_S_COUNT];

/* for (s = sernet_settings; s < SERNET_SETTINGS_END; s++): every row */
#define SERNET_SETTINGS_END (sernet_settings + SERNET_S_COUNT)

/* The settings applied that way, as BIT_ULL(SERNET_A_...) */
u64 sernet_settings_mask(enum sernet_apply apply);

/* A number's field in @cfg: read it, or WRITE_ONCE() (the transport reads) */
static inline u32 *sernet_setting_at(const struct sernet_setting *s,
				     struct sernet_config *cfg)
{
	return (u32 *)((u8 *)cfg + s->offset);
}

static inline u32 sernet_setting_get(const struct sernet_setting *s,
				     const struct sernet_config *cfg)
{
	return *(const u32 *)((const u8 *)cfg + s->offset);
}

/* The settings of @mask from @src into @dst; whether any of them differs */
void sernet_settings_copy(struct sernet_config *dst,
			  const struct sernet_config *src, u64 mask);
bool sernet_settings_differ(const struct sernet_config *a,
			    const struct sernet_config *b, u64 mask);

#endif /* _SERNET_SETTINGS_H */
