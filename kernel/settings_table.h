/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sernet: the table of settings, a row each (see settings.h), included
 * where it is expanded with SERNET_SETTING() defined:
 *
 * SERNET_SETTING(attribute, type, field, sysfs file, applied, default,
 *		  min, max, names)
 *
 * The attribute is SERNET_A_<attribute>, of type NLA_<type>; the field
 * (a u32, but the address) is in struct sernet_config. The address,
 * BINARY, is 4 or 16 bytes, its length in addr_len, its default
 * sernet_config_defaults()'s, and shown and stored as text. Names are an
 * enum's or ON/OFF (the uapi header's), what sysfs shows and takes.
 * Applied: SERIAL to the tty's termios, RESTART the transport when it
 * changes, LIVE read by the transport as it is.
 */
SERNET_SETTING(UART_BAUD, U32, baud, baud, SERIAL, 115200,
	       SERNET_BAUD_MIN, SERNET_BAUD_MAX, NULL)
SERNET_SETTING(UART_DATABITS, U8, databits, databits, SERIAL, 8,
	       SERNET_DATABITS_MIN, SERNET_DATABITS_MAX, NULL)
SERNET_SETTING(UART_STOPBITS, U8, stopbits, stopbits, SERIAL, 1,
	       SERNET_STOPBITS_MIN, SERNET_STOPBITS_MAX, NULL)
SERNET_SETTING(UART_PARITY, U8, parity, parity, SERIAL, SERNET_PARITY_NONE,
	       0, SERNET_PARITY_MAX, sernet_parity_names)
SERNET_SETTING(UART_FLOW, U8, flow, flow, SERIAL, SERNET_FLOW_NFC,
	       0, SERNET_FLOW_MAX, sernet_flow_names)
SERNET_SETTING(PACK_TIME, U16, pack_time, pack_time, LIVE, 0,
	       0, SERNET_PACK_TIME_MAX, NULL)
SERNET_SETTING(PACK_LEN, U16, pack_len, pack_len, LIVE, 0,
	       0, SERNET_PACK_LEN_MAX, NULL)
SERNET_SETTING(SOCK_PROTO, U8, proto, protocol, RESTART, SERNET_PROTO_TCPS,
	       0, SERNET_PROTO_MAX, sernet_proto_names)
SERNET_SETTING(SOCK_PORT, U16, port, port, RESTART, 23,
	       SERNET_PORT_MIN, U16_MAX, NULL)
SERNET_SETTING(SOCK_MAX_CLIENTS, U16, max_clients, max_clients, LIVE, 8,
	       SERNET_MAX_CLIENTS_MIN, SERNET_MAX_CLIENTS_MAX, NULL)
SERNET_SETTING(SOCK_FULL, U8, full, full, LIVE, SERNET_FULL_REFUSE,
	       0, SERNET_FULL_MAX, sernet_full_names)
SERNET_SETTING(SOCK_ADDR, BINARY, addr, ip, RESTART, 0,
	       4, 16, NULL)
SERNET_SETTING(SOCK_LOCAL_PORT, U16, local_port, local_port, RESTART, 0,
	       0, U16_MAX, NULL)
SERNET_SETTING(SOCKSL, U8, socksl, socksl, RESTART, 0,
	       0, 1, sernet_onoff_names)
SERNET_SETTING(SHORTO, U16, shorto, shorto, LIVE, 3,
	       SERNET_SHORTO_MIN, SERNET_SHORTO_MAX, NULL)
SERNET_SETTING(SOCKTON, U32, sockton, sockton, LIVE, 86400,
	       SERNET_SOCKTON_MIN, SERNET_SOCKTON_MAX, NULL)
SERNET_SETTING(UDPON, U8, udpon, udpon, LIVE, 0,
	       0, 1, sernet_onoff_names)
SERNET_SETTING(UARTCLBUF, U8, clbuf, uartclbuf, LIVE, 0,
	       0, 1, sernet_onoff_names)
