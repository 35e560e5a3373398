// SPDX-License-Identifier: MIT
/* Unit tests: parsing port messages and printing ports (cmocka). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "port.h"

#define FAKE_FAMILY 0x20

static struct nl_msg *new_msg(void)
{
	struct nl_msg *msg = nlmsg_alloc();

	assert_non_null(msg);
	assert_non_null(genlmsg_put(msg, 0, 0, FAKE_FAMILY, 0, 0,
				    SERNET_CMD_PORT_GET, SERNET_GENL_VERSION));
	return msg;
}

static void put_stats(struct nl_msg *msg, uint64_t rx)
{
	struct nlattr *nest = nla_nest_start(msg, SERNET_A_PORT_STATS);

	assert_non_null(nest);
	assert_int_equal(nla_put_u64(msg, SERNET_STATS_RX_BYTES, rx), 0);
	nla_nest_end(msg, nest);
}

static void test_parse_full(void **state)
{
	struct nl_msg *msg = new_msg();
	struct sernet_port_info p;
	const char *why = NULL;

	(void)state;
	nla_put_u32(msg, SERNET_A_PORT_INDEX, 7);
	nla_put_string(msg, SERNET_A_PORT_TTY, "ttyS1");
	nla_put_u32(msg, SERNET_A_PORT_STATE, SERNET_PORT_STATE_IDLE);
	nla_put_u32(msg, SERNET_A_UART_BAUD, 1024000);
	nla_put_u8(msg, SERNET_A_UART_DATABITS, 5);
	nla_put_u8(msg, SERNET_A_UART_STOPBITS, 2);
	nla_put_u8(msg, SERNET_A_UART_PARITY, SERNET_PARITY_SPACE);
	nla_put_u8(msg, SERNET_A_UART_FLOW, SERNET_FLOW_FC);
	nla_put_u16(msg, SERNET_A_PACK_TIME, 255);
	nla_put_u16(msg, SERNET_A_PACK_LEN, 1460);
	nla_put_u32(msg, SERNET_A_PACK_TIME_US, 255000);
	nla_put_u8(msg, SERNET_A_SOCK_PROTO, SERNET_PROTO_TCPC);
	nla_put_u16(msg, SERNET_A_SOCK_PORT, 65535);
	nla_put_u16(msg, SERNET_A_SOCK_MAX_CLIENTS, 16);
	nla_put_u8(msg, SERNET_A_SOCK_FULL, SERNET_FULL_DROP_OLDEST);
	nla_put(msg, SERNET_A_SOCK_ADDR, 4, "\x7f\0\0\x01");
	nla_put_u16(msg, SERNET_A_SOCK_LOCAL_PORT, 4000);
	nla_put_u8(msg, SERNET_A_SOCKSL, 1);
	nla_put_u16(msg, SERNET_A_SHORTO, 255);
	nla_put_u32(msg, SERNET_A_SOCKTON, 99999);
	nla_put_u8(msg, SERNET_A_UDPON, 1);
	nla_put_u8(msg, SERNET_A_UARTCLBUF, 1);
	put_stats(msg, 1234567890123ULL);
	assert_int_equal(sernet_port_parse(nlmsg_hdr(msg), &p, &why), 0);
	assert_int_equal(p.cfg.proto, SERNET_PROTO_TCPC);
	assert_int_equal(p.cfg.port, 65535);
	assert_int_equal(p.cfg.max_clients, 16);
	assert_int_equal(p.cfg.full, SERNET_FULL_DROP_OLDEST);
	assert_int_equal(p.cfg.addr_len, 4);
	assert_memory_equal(p.cfg.addr, "\x7f\0\0\x01", 4);
	assert_int_equal(p.cfg.local_port, 4000);
	assert_int_equal(p.cfg.socksl, 1);
	assert_int_equal(p.cfg.shorto, 255);
	assert_int_equal(p.cfg.sockton, 99999);
	assert_int_equal(p.cfg.udpon, 1);
	assert_int_equal(p.cfg.clbuf, 1);
	assert_int_equal(p.cfg.baud, 1024000);
	assert_int_equal(p.cfg.databits, 5);
	assert_int_equal(p.cfg.stopbits, 2);
	assert_int_equal(p.cfg.parity, SERNET_PARITY_SPACE);
	assert_int_equal(p.cfg.flow, SERNET_FLOW_FC);
	assert_int_equal(p.cfg.pack_time, 255);
	assert_int_equal(p.cfg.pack_len, 1460);
	assert_int_equal(p.pack_time_us, 255000);
	assert_int_equal(p.index, 7);
	assert_string_equal(p.tty, "ttyS1");
	assert_int_equal(p.state, SERNET_PORT_STATE_IDLE);
	assert_true(p.rx_bytes == 1234567890123ULL);
	nlmsg_free(msg);
}

/* Attributes a newer kernel may add are ignored, not an error. */
static void test_parse_unknown_attr(void **state)
{
	struct nl_msg *msg = new_msg();
	struct sernet_port_info p;
	const char *why = NULL;

	(void)state;
	nla_put_u32(msg, SERNET_A_PORT_INDEX, 1);
	nla_put_string(msg, SERNET_A_PORT_TTY, "pts/3");
	nla_put_u32(msg, SERNET_A_MAX + 5, 99);
	assert_int_equal(sernet_port_parse(nlmsg_hdr(msg), &p, &why), 0);
	assert_int_equal(p.index, 1);
	assert_string_equal(p.tty, "pts/3");
	assert_true(p.rx_bytes == 0);
	nlmsg_free(msg);
}

static void test_parse_missing_index(void **state)
{
	struct nl_msg *msg = new_msg();
	struct sernet_port_info p;
	const char *why = NULL;

	(void)state;
	nla_put_string(msg, SERNET_A_PORT_TTY, "ttyS1");
	assert_int_equal(sernet_port_parse(nlmsg_hdr(msg), &p, &why), -EINVAL);
	assert_non_null(why);
	assert_non_null(strstr(why, "index"));
	nlmsg_free(msg);
}

static void test_parse_missing_tty(void **state)
{
	struct nl_msg *msg = new_msg();
	struct sernet_port_info p;
	const char *why = NULL;

	(void)state;
	nla_put_u32(msg, SERNET_A_PORT_INDEX, 1);
	assert_int_equal(sernet_port_parse(nlmsg_hdr(msg), &p, &why), -EINVAL);
	assert_non_null(why);
	nlmsg_free(msg);
}

/* A tty name without its NUL, or longer than the uapi limit, is refused. */
static void test_parse_bad_tty(void **state)
{
	char longname[SERNET_TTY_NAME_MAX + 8];
	struct nl_msg *msg = new_msg();
	struct sernet_port_info p;
	const char *why = NULL;

	(void)state;
	nla_put_u32(msg, SERNET_A_PORT_INDEX, 1);
	nla_put(msg, SERNET_A_PORT_TTY, 5, "ttyS1");
	assert_int_equal(sernet_port_parse(nlmsg_hdr(msg), &p, &why), -EINVAL);
	nlmsg_free(msg);

	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	msg = new_msg();
	nla_put_u32(msg, SERNET_A_PORT_INDEX, 1);
	nla_put_string(msg, SERNET_A_PORT_TTY, longname);
	assert_int_equal(sernet_port_parse(nlmsg_hdr(msg), &p, &why), -EINVAL);
	nlmsg_free(msg);
}

static void test_parse_wrong_type(void **state)
{
	struct nl_msg *msg = new_msg();
	struct sernet_port_info p;
	const char *why = NULL;
	uint8_t b = 1;

	(void)state;
	nla_put(msg, SERNET_A_PORT_INDEX, 1, &b);	/* u8, not u32 */
	nla_put_string(msg, SERNET_A_PORT_TTY, "ttyS1");
	assert_int_equal(sernet_port_parse(nlmsg_hdr(msg), &p, &why), -EINVAL);
	nlmsg_free(msg);
}

/*
 * Every setting in the field table is parsed at its field's size, and one
 * byte short is refused: the table and the parser's policy agree.
 */
static void test_parse_setting_sizes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sernet_setting_field_count; i++) {
		const struct sernet_setting_field *f = &sernet_setting_fields[i];
		const uint8_t val[4] = { 0x81, 0x82, 0x83, 0x84 };
		struct sernet_port_info p;
		const char *why = NULL;
		struct nl_msg *msg;
		uint32_t want = 0;

		if (!f->size)
			continue;	/* the address: test_parse_full */
		memcpy(&want, val, f->size);	/* host order, as netlink */
		for (int short_by = 0; short_by <= 1; short_by++) {
			msg = new_msg();
			nla_put_u32(msg, SERNET_A_PORT_INDEX, 1);
			nla_put_string(msg, SERNET_A_PORT_TTY, "ttyS1");
			nla_put(msg, f->attr, f->size - short_by, val);
			if (short_by) {
				assert_int_equal(sernet_port_parse(nlmsg_hdr(msg),
								   &p, &why),
						 -EINVAL);
			} else {
				assert_int_equal(sernet_port_parse(nlmsg_hdr(msg),
								   &p, &why), 0);
				assert_int_equal(sernet_setting_get(&p.cfg, f),
						 want);
			}
			nlmsg_free(msg);
		}
		assert_ptr_equal(sernet_setting_find(f->attr), f);
	}
	assert_null(sernet_setting_find(SERNET_A_SOCK_ADDR));
	assert_null(sernet_setting_find(SERNET_A_PORT_INDEX));
}

/* A counter of the wrong size in a nest of counters is refused */
static void bad_counter(int nest_attr, int counter, const char *want)
{
	struct nl_msg *msg = new_msg();
	struct sernet_port_info p;
	struct nlattr *nest;
	const char *why = NULL;

	nla_put_u32(msg, SERNET_A_PORT_INDEX, 1);
	nla_put_string(msg, SERNET_A_PORT_TTY, "ttyS1");
	nest = nla_nest_start(msg, nest_attr);
	nla_put_u32(msg, counter, 5);	/* u32, not u64 */
	nla_nest_end(msg, nest);
	assert_int_equal(sernet_port_parse(nlmsg_hdr(msg), &p, &why), -EINVAL);
	assert_string_equal(why, want);
	nlmsg_free(msg);
}

static void test_parse_bad_stats(void **state)
{
	(void)state;
	bad_counter(SERNET_A_PORT_STATS, SERNET_STATS_RX_BYTES,
		    "malformed port statistics");
	bad_counter(SERNET_A_CLIENT_STATS, SERNET_CLIENT_STATS_NET_RX_BYTES,
		    "malformed connection statistics");
}

static void test_state_str(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(sernet_state_str(SERNET_PORT_STATE_IDLE, buf,
					     sizeof(buf)), "IDLE");
	assert_string_equal(sernet_state_str(1000, buf, sizeof(buf)),
			    "UNKNOWN(1000)");
}

/* Print into memory and return it; the caller frees. */
static char *print(int json, const struct sernet_port_list *list)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (json)
		assert_int_equal(sernet_port_print_json(f, list, NULL), 0);
	else
		sernet_port_print_table(f, list);
	fclose(f);
	return buf;
}

static void make_list(struct sernet_port_list *list)
{
	struct sernet_port_info a = {
		.index = 0, .tty = "ttyS1", .rx_bytes = 42, .pack_time_us = 347,
		.status = "CONNECTED(2)",
		.cfg = {
			.baud = 115200, .databits = 8, .stopbits = 1,
			.port = 23, .max_clients = 8,
			.addr_len = 4, .addr = { 192, 168, 0, 7 },
		},
		.stats = { [SERNET_STATS_RX_BYTES] = 42,
			   [SERNET_STATS_NET_TX_BYTES] = 84,
			   [SERNET_STATS_REFUSED] = 3 },
	};
	struct sernet_port_info b = {
		.index = 12, .tty = "pts/\"3\\", .state = 77,
		.pack_time_us = 10000,
		.cfg = {
			.baud = 9600, .databits = 7, .stopbits = 2,
			.parity = SERNET_PARITY_MARK, .flow = SERNET_FLOW_FC,
			.pack_time = 10, .pack_len = 512, .port = 2323,
			.max_clients = 1, .full = SERNET_FULL_DROP_OLDEST,
			.proto = SERNET_PROTO_TCPC, .addr_len = 16,
			.addr = { [15] = 1 }, .local_port = 4000, .socksl = 1,
			.shorto = 3, .sockton = 86400, .clbuf = 1,
		},
	};

	memset(list, 0, sizeof(*list));
	assert_int_equal(sernet_port_list_add(list, &a), 0);
	assert_int_equal(sernet_port_list_add(list, &b), 0);
}

static void test_table(void **state)
{
	struct sernet_port_list list;
	char *out;

	(void)state;
	make_list(&list);
	out = print(0, &list);
	assert_string_equal(out,
		"PORT       TTY        STATE            UART                     UARTTL   RX_BYTES\n"
		"sernet0    ttyS1      CONNECTED(2)     115200,8,1,NONE,NFC      0,0      42\n"
		"sernet12   pts/\"3\\    UNKNOWN(77)      9600,7,2,MARK,FC         10,512   0\n");
	free(out);
	sernet_port_list_free(&list);
}

static void test_detail(void **state)
{
	struct sernet_port_list list;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	make_list(&list);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	sernet_port_print_detail(f, &list.ports[0], NULL);
	fclose(f);
	assert_string_equal(buf,
		"sernet0 on ttyS1: CONNECTED(2)\n"
		"  uart      115200,8,1,NONE,NFC\n"
		"  uarttl    0,0 (packing time 347 us, length 1460)\n"
		"  uartclbuf OFF\n"
		"  socket    TCPS, port 23, up to 8 clients, when full refuse\n"
		"  rx_bytes          42\n"
		"  rx_packets        0\n"
		"  net_tx_bytes      84\n"
		"  net_rx_bytes      0\n"
		"  tx_bytes          0\n"
		"  connects          0\n"
		"  disconnects       0\n"
		"  drop_no_peer      0\n"
		"  drop_slow_client  0\n"
		"  refused           3\n"
		"  reconnects        0\n"
		"  drop_udp          0\n");
	free(buf);
	sernet_port_list_free(&list);
}

static void test_json(void **state)
{
	struct sernet_port_list list;
	char *out;

	(void)state;
	make_list(&list);
	out = print(1, &list);
	assert_string_equal(out,
		"[{\"port\":\"sernet0\",\"index\":0,\"tty\":\"ttyS1\",\"state\":\"CONNECTED(2)\","
		"\"uart\":{\"baud\":115200,\"databits\":8,\"stopbits\":1,\"parity\":\"NONE\","
		"\"flow\":\"NFC\"},\"uarttl\":{\"time\":0,\"length\":0,\"time_us\":347,\"uartclbuf\":false},"
		"\"socket\":{\"protocol\":\"TCPS\",\"ip\":\"192.168.0.7\",\"port\":23,\"local_port\":0,"
		"\"socksl\":false,\"shorto\":0,\"sockton\":0,\"udpon\":false,\"max_clients\":8,"
		"\"full\":\"refuse\"},\"statistics\":{\"rx_bytes\":42,\"rx_packets\":0,"
		"\"net_tx_bytes\":84,\"net_rx_bytes\":0,\"tx_bytes\":0,\"connects\":0,"
		"\"disconnects\":0,\"drop_no_peer\":0,\"drop_slow_client\":0,\"refused\":3,"
		"\"reconnects\":0,\"drop_udp\":0},\"clients\":[]},{\"port\":\"sernet12\",\"index\":12,"
		"\"tty\":\"pts/\\\"3\\\\\",\"state\":\"UNKNOWN(77)\",\"uart\":{\"baud\":9600,"
		"\"databits\":7,\"stopbits\":2,\"parity\":\"MARK\",\"flow\":\"FC\"},\"uarttl\":{\"time\":10,"
		"\"length\":512,\"time_us\":10000,\"uartclbuf\":true},\"socket\":{\"protocol\":\"TCPC\","
		"\"ip\":\"::1\",\"port\":2323,\"local_port\":4000,\"socksl\":true,\"shorto\":3,"
		"\"sockton\":86400,\"udpon\":false,\"max_clients\":1,\"full\":\"drop-oldest\"},"
		"\"statistics\":{\"rx_bytes\":0,\"rx_packets\":0,\"net_tx_bytes\":0,\"net_rx_bytes\":0,"
		"\"tx_bytes\":0,\"connects\":0,\"disconnects\":0,\"drop_no_peer\":0,\"drop_slow_client\":0,"
		"\"refused\":0,\"reconnects\":0,\"drop_udp\":0},\"clients\":[]}]\n");
	free(out);
	sernet_port_list_free(&list);
}

static int parse(struct sernet_set *set, char *err, const char *line)
{
	char copy[256], *argv[32], *save = NULL;
	int argc = 0;

	snprintf(copy, sizeof(copy), "%s", line);
	for (char *t = strtok_r(copy, " ", &save); t && argc < 32;
	     t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	err[0] = '\0';
	return sernet_set_parse(argc, argv, set, err, 160);
}

#define BIT(a) (1ULL << (a))

static void test_set_parse(void **state)
{
	struct sernet_set set;
	char err[160];

	(void)state;
	assert_int_equal(parse(&set, err, "baud 9600 PARITY odd flow fc"), 0);
	assert_true(set.mask == (BIT(SERNET_A_UART_BAUD) |
				 BIT(SERNET_A_UART_PARITY) |
				 BIT(SERNET_A_UART_FLOW)));
	assert_int_equal(set.cfg.baud, 9600);
	assert_int_equal(set.cfg.parity, SERNET_PARITY_ODD);
	assert_int_equal(set.cfg.flow, SERNET_FLOW_FC);

	assert_int_equal(parse(&set, err, "uart 57600,7,2,MASK,NFC uarttl 10,512"), 0);
	assert_true(set.mask == (BIT(SERNET_A_UART_BAUD) |
				 BIT(SERNET_A_UART_DATABITS) |
				 BIT(SERNET_A_UART_STOPBITS) |
				 BIT(SERNET_A_UART_PARITY) |
				 BIT(SERNET_A_UART_FLOW) |
				 BIT(SERNET_A_PACK_TIME) |
				 BIT(SERNET_A_PACK_LEN)));
	assert_int_equal(set.cfg.baud, 57600);
	assert_int_equal(set.cfg.databits, 7);
	assert_int_equal(set.cfg.stopbits, 2);
	assert_int_equal(set.cfg.parity, SERNET_PARITY_MARK);
	assert_int_equal(set.cfg.pack_time, 10);
	assert_int_equal(set.cfg.pack_len, 512);

	assert_int_equal(parse(&set, err, "socka tcpc,::1,2323 localport 4000"), 0);
	assert_true(set.mask == (BIT(SERNET_A_SOCK_PROTO) |
				 BIT(SERNET_A_SOCK_ADDR) |
				 BIT(SERNET_A_SOCK_PORT) |
				 BIT(SERNET_A_SOCK_LOCAL_PORT)));
	assert_int_equal(set.cfg.proto, SERNET_PROTO_TCPC);
	assert_int_equal(set.cfg.addr_len, 16);
	assert_int_equal(set.cfg.addr[15], 1);
	assert_int_equal(set.cfg.port, 2323);
	assert_int_equal(set.cfg.local_port, 4000);
	assert_int_equal(parse(&set, err, "socksl on shorto 255 sockton 99999"), 0);
	assert_true(set.mask == (BIT(SERNET_A_SOCKSL) | BIT(SERNET_A_SHORTO) |
				 BIT(SERNET_A_SOCKTON)));
	assert_int_equal(set.cfg.socksl, 1);
	assert_int_equal(set.cfg.shorto, 255);
	assert_int_equal(set.cfg.sockton, 99999);
	assert_int_equal(parse(&set, err, "SOCKSL OFF"), 0);
	assert_int_equal(set.cfg.socksl, 0);
	assert_int_equal(parse(&set, err, "uartclbuf ON"), 0);
	assert_int_equal(set.cfg.clbuf, 1);
	assert_true(set.mask == BIT(SERNET_A_UARTCLBUF));
	assert_int_equal(parse(&set, err, "udpon on protocol udpc"), 0);
	assert_int_equal(set.cfg.udpon, 1);
	assert_int_equal(set.cfg.proto, SERNET_PROTO_UDPC);
	assert_int_equal(parse(&set, err, "ip 127.0.0.1"), 0);
	assert_int_equal(set.cfg.addr_len, 4);
	assert_memory_equal(set.cfg.addr, "\x7f\0\0\x01", 4);

	/* ranges are the kernel's to check: these pass through */
	assert_int_equal(parse(&set, err, "packtime 256 databits 9"), 0);
	assert_int_equal(set.cfg.pack_time, 256);
	assert_int_equal(set.cfg.databits, 9);
}

static void test_set_parse_errors(void **state)
{
	static const struct {
		const char *line, *err;
	} bad[] = {
		{ "", "settings come as KEY VALUE pairs" },
		{ "baud", "settings come as KEY VALUE pairs" },
		{ "speed 9600", "unknown setting \"speed\"" },
		{ "baud fast", "baud: invalid value \"fast\"" },
		{ "baud -1", "baud: invalid value \"-1\"" },
		{ "baud 99999999999", "baud: invalid value \"99999999999\"" },
		{ "databits 256", "databits: invalid value \"256\"" },
		{ "packlen 65536", "packlen: invalid value \"65536\"" },
		{ "parity maybe", "parity: invalid value \"maybe\"" },
		{ "flow xon", "flow: invalid value \"xon\"" },
		{ "uart 9600,8,1,NONE", "uart takes 5 values separated by commas" },
		{ "uart 9600,8,1,NONE,NFC,X", "uart takes 5 values separated by commas" },
		{ "uarttl 10", "uarttl takes 2 values separated by commas" },
		{ "uart 9600,8,x,NONE,NFC", "stopbits: invalid value \"x\"" },
		{ "portx 3", "unknown setting \"portx\"" },
		{ "socka TCPS,1.2.3.4", "socka takes 3 values separated by commas" },
		{ "ip 300.1.2.3", "ip: invalid value \"300.1.2.3\"" },
		{ "protocol UDPX", "protocol: invalid value \"UDPX\"" },
		{ "socksl maybe", "socksl: invalid value \"maybe\"" },
		{ "sockton 4294967296", "sockton: invalid value \"4294967296\"" },
		/* 16-bit settings: refused, not truncated (65559 was port 23) */
		{ "port 65559", "port: invalid value \"65559\"" },
		{ "localport 65536", "localport: invalid value \"65536\"" },
		{ "maxclients 65537", "maxclients: invalid value \"65537\"" },
		{ "socka TCPS,127.0.0.1,65559", "port: invalid value \"65559\"" },
	};
	struct sernet_set set;
	char err[160];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(&set, err, bad[i].line), -EINVAL);
		assert_string_equal(err, bad[i].err);
	}
}

static void test_event_format(void **state)
{
	struct sernet_port_info p = { .index = 3, .tty = "ttyS1",
				      .status = "CONNECTED(1)",
				      .client = { .peer = "127.0.0.1:4242",
						  .end = -1 } };
	char buf[128];

	(void)state;
	assert_int_equal(sernet_event_format(SERNET_CMD_CONNECTED, &p, buf,
					     sizeof(buf)), 0);
	assert_string_equal(buf, "sernet3 (ttyS1): connected 127.0.0.1:4242");
	p.mode = SERNET_PORT_MODE_COMMAND;
	assert_int_equal(sernet_event_format(SERNET_CMD_MODE, &p, buf,
					     sizeof(buf)), 0);
	assert_string_equal(buf, "sernet3 (ttyS1): command mode");
	p.mode = SERNET_PORT_MODE_WORK;
	assert_int_equal(sernet_event_format(SERNET_CMD_MODE, &p, buf,
					     sizeof(buf)), 0);
	assert_string_equal(buf, "sernet3 (ttyS1): work mode");
	p.mode = 7;	/* a newer module's */
	assert_int_equal(sernet_event_format(SERNET_CMD_MODE, &p, buf,
					     sizeof(buf)), 0);
	assert_string_equal(buf, "sernet3 (ttyS1): mode 7");
	assert_int_equal(sernet_event_format(SERNET_CMD_DISCONNECTED, &p, buf,
					     sizeof(buf)), 0);
	assert_string_equal(buf, "sernet3 (ttyS1): disconnected 127.0.0.1:4242");
	p.client.end = SERNET_CLIENT_END_SLOW;
	p.client.stats[SERNET_CLIENT_STATS_NET_TX_BYTES] = 1048576;
	p.client.stats[SERNET_CLIENT_STATS_NET_RX_BYTES] = 7;
	p.client.queued = 962600;
	assert_int_equal(sernet_event_format(SERNET_CMD_DISCONNECTED, &p, buf,
					     sizeof(buf)), 0);
	assert_string_equal(buf, "sernet3 (ttyS1): disconnected 127.0.0.1:4242 "
			    "(too slow, 962600 B behind; sent 1048576 B, "
			    "received 7 B)");
	/* only a slow client's end says how far behind it was */
	p.client.end = SERNET_CLIENT_END_PEER;
	assert_int_equal(sernet_event_format(SERNET_CMD_DISCONNECTED, &p, buf,
					     sizeof(buf)), 0);
	assert_string_equal(buf, "sernet3 (ttyS1): disconnected 127.0.0.1:4242 "
			    "(closed by peer; sent 1048576 B, received 7 B)");
	assert_int_equal(sernet_event_format(SERNET_CMD_STATUS, &p, buf,
					     sizeof(buf)), 0);
	assert_string_equal(buf, "sernet3 (ttyS1): status CONNECTED(1)");
	p.client.peer[0] = '\0';
	assert_int_equal(sernet_event_format(SERNET_CMD_PORT_ADDED, &p, buf,
					     sizeof(buf)), 0);
	assert_string_equal(buf, "sernet3 (ttyS1): added");
	assert_int_equal(sernet_event_format(SERNET_CMD_PORT_REMOVED, &p, buf,
					     sizeof(buf)), 0);
	assert_string_equal(buf, "sernet3 (ttyS1): removed");
	assert_int_equal(sernet_event_format(SERNET_CMD_PORT_GET, &p, buf,
					     sizeof(buf)), -EINVAL);
}

/* A CLIENT_GET message: the connection's fields and counters */
static struct nl_msg *client_msg(uint32_t index, const char *peer,
				 uint64_t tx)
{
	struct nl_msg *msg = new_msg();
	struct nlattr *nest;

	nla_put_u32(msg, SERNET_A_PORT_INDEX, index);
	nla_put_string(msg, SERNET_A_PORT_TTY, "ttyS1");
	nla_put_string(msg, SERNET_A_PEER, peer);
	nla_put_u32(msg, SERNET_A_CLIENT_SECONDS, 12);
	nla_put_u32(msg, SERNET_A_CLIENT_QUEUED, 300);
	nest = nla_nest_start(msg, SERNET_A_CLIENT_STATS);
	assert_non_null(nest);
	nla_put_u64(msg, SERNET_CLIENT_STATS_NET_TX_BYTES, tx);
	nla_put_u64(msg, SERNET_CLIENT_STATS_NET_TX_PACKETS, 4);
	nla_put_u64(msg, SERNET_CLIENT_STATS_NET_RX_BYTES, 5);
	nla_put_u64(msg, SERNET_CLIENT_STATS_NET_RX_PACKETS, 1);
	nla_nest_end(msg, nest);
	return msg;
}

static void test_parse_client(void **state)
{
	struct nl_msg *msg = client_msg(3, "[::1]:4000", 1ULL << 40);
	struct sernet_port_info p;
	const char *why = NULL;

	(void)state;
	nla_put_u8(msg, SERNET_A_CLIENT_END, SERNET_CLIENT_END_IDLE);
	assert_int_equal(sernet_port_parse(nlmsg_hdr(msg), &p, &why), 0);
	assert_int_equal(p.index, 3);
	assert_string_equal(p.client.peer, "[::1]:4000");
	assert_int_equal(p.client.seconds, 12);
	assert_int_equal(p.client.queued, 300);
	assert_int_equal(p.client.end, SERNET_CLIENT_END_IDLE);
	assert_true(p.client.stats[SERNET_CLIENT_STATS_NET_TX_BYTES] ==
		    1ULL << 40);
	assert_int_equal(p.client.stats[SERNET_CLIENT_STATS_NET_TX_PACKETS], 4);
	assert_int_equal(p.client.stats[SERNET_CLIENT_STATS_NET_RX_BYTES], 5);
	assert_int_equal(p.client.stats[SERNET_CLIENT_STATS_NET_RX_PACKETS], 1);
	nlmsg_free(msg);
}

/* Connections print under their own port only */
static void test_clients_print(void **state)
{
	struct sernet_port_list list, clients = { 0 };
	struct sernet_port_info c;
	const char *why;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	make_list(&list);
	for (int i = 0; i < 3; i++) {
		struct nl_msg *msg = client_msg(i ? 0 : 12,
						i == 2 ? "127.0.0.1:2" :
						"127.0.0.1:1", 100 + i);

		assert_int_equal(sernet_port_parse(nlmsg_hdr(msg), &c, &why), 0);
		assert_int_equal(sernet_port_list_add(&clients, &c), 0);
		nlmsg_free(msg);
	}
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	sernet_port_print_detail(f, &list.ports[0], &clients);
	fclose(f);
	assert_non_null(strstr(buf, "  drop_udp          0\n"
		"  client    127.0.0.1:1 up 12 s, queued 300, net_tx_bytes 101, "
		"net_tx_packets 4, net_rx_bytes 5, net_rx_packets 1\n"
		"  client    127.0.0.1:2 up 12 s, queued 300, net_tx_bytes 102, "
		"net_tx_packets 4, net_rx_bytes 5, net_rx_packets 1\n"));
	assert_null(strstr(buf, "net_tx_bytes 100,"));
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(sernet_port_print_json(f, &list, &clients), 0);
	fclose(f);
	assert_non_null(strstr(buf, "\"clients\":[{\"peer\":\"127.0.0.1:1\","
		"\"seconds\":12,\"queued\":300,\"net_tx_bytes\":101,"
		"\"net_tx_packets\":4,\"net_rx_bytes\":5,\"net_rx_packets\":1},"
		"{\"peer\":\"127.0.0.1:2\","));
	assert_non_null(strstr(buf, "\"clients\":[{\"peer\":\"127.0.0.1:1\","
		"\"seconds\":12,\"queued\":300,\"net_tx_bytes\":100,"));
	free(buf);
	sernet_port_list_free(&clients);
	sernet_port_list_free(&list);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(sernet_parity_str(SERNET_PARITY_SPACE), "SPACE");
	assert_null(sernet_parity_str(5));
	assert_string_equal(sernet_flow_str(SERNET_FLOW_FC), "FC");
	assert_null(sernet_flow_str(2));
	assert_string_equal(sernet_attr_name(SERNET_A_PACK_LEN), "packlen");
	assert_null(sernet_attr_name(SERNET_A_PORT_STATS));
	assert_null(sernet_attr_name(-1));
	assert_null(sernet_attr_name(10000));
	assert_string_equal(sernet_client_end_str(SERNET_CLIENT_END_STOP),
			    "transport stopped");
	assert_null(sernet_client_end_str(-1));
	assert_null(sernet_client_end_str(SERNET_CLIENT_END_MAX + 1));
	assert_string_equal(sernet_client_stat_name(
		SERNET_CLIENT_STATS_NET_RX_PACKETS), "net_rx_packets");
	assert_null(sernet_client_stat_name(SERNET_CLIENT_STATS_PAD));
}

static void test_json_empty(void **state)
{
	struct sernet_port_list list = { 0 };
	char *out;

	(void)state;
	out = print(1, &list);
	assert_string_equal(out, "[]\n");
	free(out);
}

/* The list grows past its first allocation and keeps every entry. */
static void test_list_grows(void **state)
{
	struct sernet_port_list list = { 0 };
	struct sernet_port_info p = { .tty = "x" };

	(void)state;
	for (uint32_t i = 0; i < 100; i++) {
		p.index = i;
		assert_int_equal(sernet_port_list_add(&list, &p), 0);
	}
	assert_int_equal(list.count, 100);
	for (uint32_t i = 0; i < 100; i++)
		assert_int_equal(list.ports[i].index, i);
	sernet_port_list_free(&list);
	assert_null(list.ports);
	assert_int_equal(list.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_full),
		cmocka_unit_test(test_parse_setting_sizes),
		cmocka_unit_test(test_parse_unknown_attr),
		cmocka_unit_test(test_parse_missing_index),
		cmocka_unit_test(test_parse_missing_tty),
		cmocka_unit_test(test_parse_bad_tty),
		cmocka_unit_test(test_parse_wrong_type),
		cmocka_unit_test(test_parse_bad_stats),
		cmocka_unit_test(test_state_str),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_detail),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_set_parse),
		cmocka_unit_test(test_set_parse_errors),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_event_format),
		cmocka_unit_test(test_json_empty),
		cmocka_unit_test(test_list_grows),
		cmocka_unit_test(test_parse_client),
		cmocka_unit_test(test_clients_print),
	};

	return cmocka_run_group_tests_name("port", tests, NULL, NULL);
}
