/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * sernet: serial device server line discipline - userspace API.
 *
 * Generic netlink family "sernet". This header is the only thing the kernel
 * module and the userspace programs share.
 */
#ifndef _UAPI_LINUX_SERNET_H
#define _UAPI_LINUX_SERNET_H

#define SERNET_GENL_NAME	"sernet"
#define SERNET_GENL_VERSION	1
#define SERNET_MCGRP_EVENTS	"events"

/* Line discipline number used unless the "ldisc" module parameter says else */
#define SERNET_LDISC_DEFAULT	29	/* N_DEVELOPMENT */

/**
 * enum sernet_cmd - generic netlink commands
 * @SERNET_CMD_PORT_GET: get one port (needs %SERNET_A_PORT_INDEX) or dump
 *	all ports of the caller's network namespace
 * @SERNET_CMD_PORT_ADDED: notification on the events group: a port appeared
 * @SERNET_CMD_PORT_REMOVED: notification on the events group: a port went
 */
enum sernet_cmd {
	SERNET_CMD_UNSPEC,
	SERNET_CMD_PORT_GET,
	SERNET_CMD_PORT_ADDED,
	SERNET_CMD_PORT_REMOVED,

	__SERNET_CMD_MAX,
};

#define SERNET_CMD_MAX (__SERNET_CMD_MAX - 1)

/**
 * enum sernet_attr - top level attributes
 * @SERNET_A_PORT_INDEX: u32, N of /sys/class/sernet/sernetN
 * @SERNET_A_PORT_TTY: NUL-terminated string, name of the tty (e.g. "ttyS1")
 * @SERNET_A_PORT_STATE: u32, &enum sernet_port_state
 * @SERNET_A_PORT_STATS: nested, &enum sernet_stats_attr
 * @SERNET_A_PAD: padding for 64-bit attributes
 */
enum sernet_attr {
	SERNET_A_UNSPEC,
	SERNET_A_PORT_INDEX,
	SERNET_A_PORT_TTY,
	SERNET_A_PORT_STATE,
	SERNET_A_PORT_STATS,
	SERNET_A_PAD,

	__SERNET_A_MAX,
};

#define SERNET_A_MAX (__SERNET_A_MAX - 1)

/**
 * enum sernet_stats_attr - counters of a port, nested in %SERNET_A_PORT_STATS
 * @SERNET_STATS_RX_BYTES: u64, bytes received from the serial line
 * @SERNET_STATS_PAD: padding for 64-bit attributes
 */
enum sernet_stats_attr {
	SERNET_STATS_UNSPEC,
	SERNET_STATS_RX_BYTES,
	SERNET_STATS_PAD,

	__SERNET_STATS_MAX,
};

#define SERNET_STATS_MAX (__SERNET_STATS_MAX - 1)

/**
 * enum sernet_port_state - state of a port's network side
 * @SERNET_PORT_STATE_IDLE: no transport is running
 */
enum sernet_port_state {
	SERNET_PORT_STATE_IDLE,

	__SERNET_PORT_STATE_MAX,
};

#define SERNET_PORT_STATE_MAX (__SERNET_PORT_STATE_MAX - 1)

/* Longest tty name, including the terminating NUL (TTY_NAME_LEN = 64) */
#define SERNET_TTY_NAME_MAX	64

#endif /* _UAPI_LINUX_SERNET_H */
