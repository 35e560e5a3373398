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
 * @SERNET_CMD_PORT_SET: change any subset of a port's configuration
 *	(needs %SERNET_A_PORT_INDEX and CAP_NET_ADMIN); all or nothing
 * @SERNET_CMD_STATUS: notification: the port's status changed
 *	(%SERNET_A_SOCK_STATUS)
 * @SERNET_CMD_CONNECTED: notification: a connection was established
 *	(%SERNET_A_PEER and the client's attributes, as %SERNET_CMD_CLIENT_GET)
 * @SERNET_CMD_DISCONNECTED: notification: a connection was lost
 *	(as %SERNET_CMD_CONNECTED, with the client's final counters and
 *	%SERNET_A_CLIENT_END)
 * @SERNET_CMD_CLIENT_GET: dump the connections of every port of the
 *	caller's network namespace, a message each: %SERNET_A_PORT_INDEX,
 *	%SERNET_A_PORT_TTY, %SERNET_A_PEER, %SERNET_A_CLIENT_SECONDS,
 *	%SERNET_A_CLIENT_QUEUED and %SERNET_A_CLIENT_STATS
 * @SERNET_CMD_AGENT_REGISTER: the sending socket becomes the agent of its
 *	network namespace (CAP_NET_ADMIN in the namespace's user namespace);
 *	-EBUSY while another live socket is; forgotten when it is released
 * @SERNET_CMD_AT_LINE: kernel to agent, unicast to the agent only, never
 *	multicast: %SERNET_A_PORT_INDEX, %SERNET_A_AT_DATA = one command line
 *	received in command mode, without its CR/LF (at most
 *	%SERNET_AT_LINE_MAX bytes: a longer line is cut there and carries
 *	%SERNET_A_AT_OVERLONG); empty lines are not sent
 * @SERNET_CMD_AT_REPLY: agent to kernel (its registered socket only, else
 *	-EPERM; CAP_NET_ADMIN): %SERNET_A_PORT_INDEX, %SERNET_A_AT_DATA (bytes
 *	to write to the tty, at most %SERNET_AT_REPLY_MAX), optional
 *	%SERNET_A_PORT_MODE = %SERNET_PORT_MODE_WORK: leave command mode after
 *	them; -EINVAL when the port is not in command mode
 * @SERNET_CMD_MODE: notification on the events group: the port's mode
 *	changed (%SERNET_A_PORT_INDEX, %SERNET_A_PORT_TTY, %SERNET_A_PORT_MODE)
 */
enum sernet_cmd {
	SERNET_CMD_UNSPEC,
	SERNET_CMD_PORT_GET,
	SERNET_CMD_PORT_ADDED,
	SERNET_CMD_PORT_REMOVED,
	SERNET_CMD_PORT_SET,
	SERNET_CMD_STATUS,
	SERNET_CMD_CONNECTED,
	SERNET_CMD_DISCONNECTED,
	SERNET_CMD_CLIENT_GET,
	SERNET_CMD_AGENT_REGISTER,
	SERNET_CMD_AT_LINE,
	SERNET_CMD_AT_REPLY,
	SERNET_CMD_MODE,

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
 * @SERNET_A_UART_BAUD: u32, 600..1024000 (AT+UART: baud rate)
 * @SERNET_A_UART_DATABITS: u8, 5..8
 * @SERNET_A_UART_STOPBITS: u8, 1..2
 * @SERNET_A_UART_PARITY: u8, &enum sernet_parity
 * @SERNET_A_UART_FLOW: u8, &enum sernet_flow
 * @SERNET_A_PACK_TIME: u16, 0..255 ms, 0 = automatic (AT+UARTTL)
 * @SERNET_A_PACK_LEN: u16, 0..1460 bytes, 0 = 1460
 * @SERNET_A_PACK_TIME_US: u32, read only: the packing time in effect, in us
 * @SERNET_A_SOCK_PROTO: u8, &enum sernet_proto (AT+SOCKA: protocol)
 * @SERNET_A_SOCK_PORT: u16, 1..65535: the local port in server modes, the
 *	remote port in client modes (AT+SOCKA port)
 * @SERNET_A_SOCK_MAX_CLIENTS: u16, 1..%SERNET_MAX_CLIENTS_MAX: TCP server
 *	clients at once (default 8)
 * @SERNET_A_SOCK_FULL: u8, &enum sernet_full: what a full TCP server does
 *	with one more client
 * @SERNET_A_SOCK_STATUS: string, read only: the K3's SOCKLKA status,
 *	"LISTEN", "CONNECTED(2)", "ERROR: ..." (with the reason)
 * @SERNET_A_PEER: string, in connection events: the peer, "addr:port"
 *	("[addr]:port" for IPv6)
 * @SERNET_A_SOCK_ADDR: binary, 4 (IPv4) or 16 (IPv6) bytes in network
 *	order: the remote server of the client modes (AT+SOCKA address;
 *	default 192.168.0.7)
 * @SERNET_A_SOCK_LOCAL_PORT: u16, 0..65535: the local port of the client
 *	modes, 0 = any
 * @SERNET_A_SOCKSL: u8, 0..1: TCP client short connections (AT+SOCKSL):
 *	connect when serial data comes, close after %SERNET_A_SHORTO
 * @SERNET_A_SHORTO: u16, 2..255 s: a short connection closes after this
 *	long without traffic either way (default 3)
 * @SERNET_A_SOCKTON: u32, 1..99999 s: a TCP client reconnects when it has
 *	received nothing for this long (default 86400)
 * @SERNET_A_UDPON: u8, 0..1: a UDP client takes datagrams from any
 *	address and port, not only its remote's (AT+UDPON, default 0)
 * @SERNET_A_UARTCLBUF: u8, 0..1: serial data that arrives while no peer
 *	is there is discarded (1) or kept, up to 32 KiB, for the next (0,
 *	default) (AT+UARTCLBUF)
 * @SERNET_A_CLIENT_SECONDS: u32, read only: how long a connection has been
 *	up, in seconds
 * @SERNET_A_CLIENT_QUEUED: u32, read only: serial bytes waiting to be
 *	sent to a client
 * @SERNET_A_CLIENT_STATS: nested, &enum sernet_client_stats_attr
 * @SERNET_A_CLIENT_END: u8, &enum sernet_client_end: why a connection
 *	ended, in %SERNET_CMD_DISCONNECTED
 * @SERNET_A_PORT_MODE: u8, &enum sernet_port_mode (in PORT_GET replies, the
 *	MODE event, and AT_REPLY)
 * @SERNET_A_AT_DATA: binary, a command line (AT_LINE) or reply bytes
 *	(AT_REPLY)
 * @SERNET_A_AT_OVERLONG: flag, in AT_LINE: the line was cut at
 *	%SERNET_AT_LINE_MAX
 * @SERNET_A_PORT_RESTART: flag, in PORT_SET: restart the transport (every
 *	connection re-established) even if no setting that restarts changed
 */
enum sernet_attr {
	SERNET_A_UNSPEC,
	SERNET_A_PORT_INDEX,
	SERNET_A_PORT_TTY,
	SERNET_A_PORT_STATE,
	SERNET_A_PORT_STATS,
	SERNET_A_PAD,
	SERNET_A_UART_BAUD,
	SERNET_A_UART_DATABITS,
	SERNET_A_UART_STOPBITS,
	SERNET_A_UART_PARITY,
	SERNET_A_UART_FLOW,
	SERNET_A_PACK_TIME,
	SERNET_A_PACK_LEN,
	SERNET_A_PACK_TIME_US,
	SERNET_A_SOCK_PROTO,
	SERNET_A_SOCK_PORT,
	SERNET_A_SOCK_MAX_CLIENTS,
	SERNET_A_SOCK_FULL,
	SERNET_A_SOCK_STATUS,
	SERNET_A_PEER,
	SERNET_A_SOCK_ADDR,
	SERNET_A_SOCK_LOCAL_PORT,
	SERNET_A_SOCKSL,
	SERNET_A_SHORTO,
	SERNET_A_SOCKTON,
	SERNET_A_UDPON,
	SERNET_A_UARTCLBUF,
	SERNET_A_CLIENT_SECONDS,
	SERNET_A_CLIENT_QUEUED,
	SERNET_A_CLIENT_STATS,
	SERNET_A_CLIENT_END,
	SERNET_A_PORT_MODE,
	SERNET_A_AT_DATA,
	SERNET_A_AT_OVERLONG,
	SERNET_A_PORT_RESTART,

	__SERNET_A_MAX,
};

#define SERNET_A_MAX (__SERNET_A_MAX - 1)

/**
 * enum sernet_stats_attr - counters of a port, nested in %SERNET_A_PORT_STATS
 * @SERNET_STATS_RX_BYTES: u64, bytes received from the serial line
 * @SERNET_STATS_PAD: padding for 64-bit attributes
 * @SERNET_STATS_RX_PACKETS: u64, packets the serial bytes were packed into
 * @SERNET_STATS_NET_TX_BYTES: u64, bytes sent to the network (each client
 *	counts)
 * @SERNET_STATS_NET_RX_BYTES: u64, bytes received from the network
 * @SERNET_STATS_TX_BYTES: u64, bytes written to the serial line
 * @SERNET_STATS_CONNECTS: u64, connections established
 * @SERNET_STATS_DISCONNECTS: u64, connections ended
 * @SERNET_STATS_DROP_NO_PEER: u64, serial bytes dropped while no
 *	connection was up and the kept data was at its bound
 * @SERNET_STATS_DROP_SLOW_CLIENT: u64, clients disconnected because their
 *	send queue passed its bound
 * @SERNET_STATS_REFUSED: u64, clients refused because the server was full
 * @SERNET_STATS_RECONNECTS: u64, connection attempts of a client mode
 *	after the first
 * @SERNET_STATS_DROP_UDP: u64, datagrams dropped: from a source a UDP
 *	client does not take, too long, or refused by the socket
 * @SERNET_STATS_DROP_AT_LINE: u64, command lines the agent's socket did not
 *	take (full, or gone)
 */
enum sernet_stats_attr {
	SERNET_STATS_UNSPEC,
	SERNET_STATS_RX_BYTES,
	SERNET_STATS_PAD,
	SERNET_STATS_RX_PACKETS,
	SERNET_STATS_NET_TX_BYTES,
	SERNET_STATS_NET_RX_BYTES,
	SERNET_STATS_TX_BYTES,
	SERNET_STATS_CONNECTS,
	SERNET_STATS_DISCONNECTS,
	SERNET_STATS_DROP_NO_PEER,
	SERNET_STATS_DROP_SLOW_CLIENT,
	SERNET_STATS_REFUSED,
	SERNET_STATS_RECONNECTS,
	SERNET_STATS_DROP_UDP,
	SERNET_STATS_DROP_AT_LINE,

	__SERNET_STATS_MAX,
};

#define SERNET_STATS_MAX (__SERNET_STATS_MAX - 1)

/**
 * enum sernet_client_stats_attr - counters of one connection, nested in
 *	%SERNET_A_CLIENT_STATS
 * @SERNET_CLIENT_STATS_PAD: padding for 64-bit attributes
 * @SERNET_CLIENT_STATS_NET_TX_BYTES: u64, serial bytes sent to the peer
 * @SERNET_CLIENT_STATS_NET_TX_PACKETS: u64, serial packets sent whole
 * @SERNET_CLIENT_STATS_NET_RX_BYTES: u64, bytes received from the peer
 * @SERNET_CLIENT_STATS_NET_RX_PACKETS: u64, reads that returned data
 */
enum sernet_client_stats_attr {
	SERNET_CLIENT_STATS_UNSPEC,
	SERNET_CLIENT_STATS_PAD,
	SERNET_CLIENT_STATS_NET_TX_BYTES,
	SERNET_CLIENT_STATS_NET_TX_PACKETS,
	SERNET_CLIENT_STATS_NET_RX_BYTES,
	SERNET_CLIENT_STATS_NET_RX_PACKETS,

	__SERNET_CLIENT_STATS_MAX,
};

#define SERNET_CLIENT_STATS_MAX (__SERNET_CLIENT_STATS_MAX - 1)

/**
 * enum sernet_client_end - why a connection ended
 * @SERNET_CLIENT_END_PEER: the peer closed it, or it failed
 * @SERNET_CLIENT_END_SLOW: the peer fell too far behind (counted in
 *	%SERNET_STATS_DROP_SLOW_CLIENT)
 * @SERNET_CLIENT_END_EVICTED: a full server dropped it, the oldest, for a
 *	newcomer
 * @SERNET_CLIENT_END_IDLE: a TCP client connection idle too long (SOCKTON,
 *	SHORTO)
 * @SERNET_CLIENT_END_STOP: the transport stopped (configuration change,
 *	detach, namespace deletion)
 */
enum sernet_client_end {
	SERNET_CLIENT_END_PEER,
	SERNET_CLIENT_END_SLOW,
	SERNET_CLIENT_END_EVICTED,
	SERNET_CLIENT_END_IDLE,
	SERNET_CLIENT_END_STOP,

	__SERNET_CLIENT_END_MAX,
};

#define SERNET_CLIENT_END_MAX (__SERNET_CLIENT_END_MAX - 1)

/**
 * enum sernet_port_state - state of a port's network side (AT+SOCKLKA)
 * @SERNET_PORT_STATE_IDLE: no transport is running
 * @SERNET_PORT_STATE_LISTEN: a server waits for its first client
 * @SERNET_PORT_STATE_CONNECTED: connected; a server has clients
 * @SERNET_PORT_STATE_ERROR: the transport failed and retries; the status
 *	string says why
 * @SERNET_PORT_STATE_CONNECTING: a client mode is (re)connecting
 */
enum sernet_port_state {
	SERNET_PORT_STATE_IDLE,
	SERNET_PORT_STATE_LISTEN,
	SERNET_PORT_STATE_CONNECTED,
	SERNET_PORT_STATE_ERROR,
	SERNET_PORT_STATE_CONNECTING,

	__SERNET_PORT_STATE_MAX,
};

#define SERNET_PORT_STATE_MAX (__SERNET_PORT_STATE_MAX - 1)

/**
 * enum sernet_port_mode - what a port does with its serial input (AT mode,
 *	PROTOCOLS.md section 1)
 * @SERNET_PORT_MODE_WORK: it is forwarded to the network
 * @SERNET_PORT_MODE_HANDSHAKE: "+++" came and "a" was written: waiting
 *	(3 s) for the host's "a"
 * @SERNET_PORT_MODE_COMMAND: command mode: lines go to the agent
 */
enum sernet_port_mode {
	SERNET_PORT_MODE_WORK,
	SERNET_PORT_MODE_HANDSHAKE,
	SERNET_PORT_MODE_COMMAND,

	__SERNET_PORT_MODE_MAX,
};

#define SERNET_PORT_MODE_MAX (__SERNET_PORT_MODE_MAX - 1)

/* AT+UART parity, in the K3's order of names */
enum sernet_parity {
	SERNET_PARITY_NONE,
	SERNET_PARITY_EVEN,
	SERNET_PARITY_ODD,
	SERNET_PARITY_MARK,
	SERNET_PARITY_SPACE,

	__SERNET_PARITY_MAX,
};

#define SERNET_PARITY_MAX (__SERNET_PARITY_MAX - 1)

/* AT+UART flow control: NFC, or FC (RTS/CTS) */
enum sernet_flow {
	SERNET_FLOW_NFC,
	SERNET_FLOW_FC,

	__SERNET_FLOW_MAX,
};

#define SERNET_FLOW_MAX (__SERNET_FLOW_MAX - 1)

/* AT+SOCKA protocols; HTPC (HTTP client) is the agent's */
enum sernet_proto {
	SERNET_PROTO_TCPS,
	SERNET_PROTO_TCPC,
	SERNET_PROTO_UDPS,
	SERNET_PROTO_UDPC,

	__SERNET_PROTO_MAX,
};

#define SERNET_PROTO_MAX (__SERNET_PROTO_MAX - 1)

/* A full TCP server: refuse the newcomer, or drop the oldest client */
enum sernet_full {
	SERNET_FULL_REFUSE,
	SERNET_FULL_DROP_OLDEST,

	__SERNET_FULL_MAX,
};

#define SERNET_FULL_MAX (__SERNET_FULL_MAX - 1)

/*
 * The ranges of the settings (the K3's: AT+UART, AT+UARTTL, AT+SHORTO,
 * AT+SOCKTON), as PORT_SET's policy and sysfs check them; a range without
 * a constant is its attribute's type's, or its enum's 0.._MAX.
 */
#define SERNET_BAUD_MIN		600
#define SERNET_BAUD_MAX		1024000
#define SERNET_DATABITS_MIN	5
#define SERNET_DATABITS_MAX	8
#define SERNET_STOPBITS_MIN	1
#define SERNET_STOPBITS_MAX	2
#define SERNET_PACK_TIME_MAX	255	/* ms */
#define SERNET_PACK_LEN_MAX	1460	/* bytes; also the default */
#define SERNET_PORT_MIN		1	/* ..65535 */
#define SERNET_MAX_CLIENTS_MIN	1
#define SERNET_MAX_CLIENTS_MAX	64
#define SERNET_SHORTO_MIN	2	/* s */
#define SERNET_SHORTO_MAX	255
#define SERNET_SOCKTON_MIN	1	/* s */
#define SERNET_SOCKTON_MAX	99999

/*
 * The names of the values, in the enums' order: sysfs shows and takes
 * them, and so do sernetctl and the AT commands (ON/OFF: the 0..1 ones).
 */
#define SERNET_PARITY_NAMES	{ "NONE", "EVEN", "ODD", "MARK", "SPACE" }
#define SERNET_FLOW_NAMES	{ "NFC", "FC" }
#define SERNET_PROTO_NAMES	{ "TCPS", "TCPC", "UDPS", "UDPC" }
#define SERNET_FULL_NAMES	{ "refuse", "drop-oldest" }
#define SERNET_ONOFF_NAMES	{ "OFF", "ON" }

/* Longest tty name, including the terminating NUL (TTY_NAME_LEN = 64) */
#define SERNET_TTY_NAME_MAX	64
/* Longest %SERNET_A_SOCK_STATUS, with its NUL: "ERROR: address in use" */
#define SERNET_STATUS_MAX	48
/* Longest %SERNET_A_PEER, with its NUL: "[v6 address]:port" */
#define SERNET_PEER_MAX		64
/* Longest %SERNET_A_AT_DATA of an AT_LINE, and of an AT_REPLY */
#define SERNET_AT_LINE_MAX	1024
#define SERNET_AT_REPLY_MAX	4096

#endif /* _UAPI_LINUX_SERNET_H */
