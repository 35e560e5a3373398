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
	put_stats(msg, 1234567890123ULL);
	assert_int_equal(sernet_port_parse(nlmsg_hdr(msg), &p, &why), 0);
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

static void test_parse_bad_stats(void **state)
{
	struct nl_msg *msg = new_msg();
	struct sernet_port_info p;
	struct nlattr *nest;
	const char *why = NULL;

	(void)state;
	nla_put_u32(msg, SERNET_A_PORT_INDEX, 1);
	nla_put_string(msg, SERNET_A_PORT_TTY, "ttyS1");
	nest = nla_nest_start(msg, SERNET_A_PORT_STATS);
	nla_put_u32(msg, SERNET_STATS_RX_BYTES, 5);	/* u32, not u64 */
	nla_nest_end(msg, nest);
	assert_int_equal(sernet_port_parse(nlmsg_hdr(msg), &p, &why), -EINVAL);
	assert_non_null(strstr(why, "statistics"));
	nlmsg_free(msg);
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
		assert_int_equal(sernet_port_print_json(f, list), 0);
	else
		sernet_port_print_table(f, list);
	fclose(f);
	return buf;
}

static void make_list(struct sernet_port_list *list)
{
	struct sernet_port_info a = { .index = 0, .tty = "ttyS1",
				      .rx_bytes = 42 };
	struct sernet_port_info b = { .index = 12, .tty = "pts/\"3\\",
				      .state = 77 };

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
		"PORT       TTY              STATE        RX_BYTES\n"
		"sernet0    ttyS1            IDLE         42\n"
		"sernet12   pts/\"3\\          UNKNOWN(77)  0\n");
	free(out);
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
		"[{\"port\":\"sernet0\",\"index\":0,\"tty\":\"ttyS1\","
		"\"state\":\"IDLE\",\"statistics\":{\"rx_bytes\":42}},"
		"{\"port\":\"sernet12\",\"index\":12,\"tty\":\"pts/\\\"3\\\\\","
		"\"state\":\"UNKNOWN(77)\",\"statistics\":{\"rx_bytes\":0}}]\n");
	free(out);
	sernet_port_list_free(&list);
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
		cmocka_unit_test(test_parse_unknown_attr),
		cmocka_unit_test(test_parse_missing_index),
		cmocka_unit_test(test_parse_missing_tty),
		cmocka_unit_test(test_parse_bad_tty),
		cmocka_unit_test(test_parse_wrong_type),
		cmocka_unit_test(test_parse_bad_stats),
		cmocka_unit_test(test_state_str),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_empty),
		cmocka_unit_test(test_list_grows),
	};

	return cmocka_run_group_tests_name("port", tests, NULL, NULL);
}
