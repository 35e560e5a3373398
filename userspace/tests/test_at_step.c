// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: the decisions of AT mode, kernel/at_step.h, the code
 * kernel/at.c runs (cmocka). Expected values are PROTOCOLS.md section 1's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../kernel/at_step.h"

#define MAX	8	/* a short maximum: the cut is reached quickly */

static const unsigned char plus[] = "+++";

static void test_escape(void **state)
{
	(void)state;
	assert_true(sernet_at_escape(plus, 3, true, true, true));
	/* no agent, no T1 silence before or after: data */
	assert_false(sernet_at_escape(plus, 3, true, true, false));
	assert_false(sernet_at_escape(plus, 3, true, false, true));
	assert_false(sernet_at_escape(plus, 3, false, true, true));
	/* inside a longer packet, or shorter, or other bytes: data */
	assert_false(sernet_at_escape((const unsigned char *)"++++", 4, true, true, true));
	assert_false(sernet_at_escape((const unsigned char *)"x+++", 4, true, true, true));
	assert_false(sernet_at_escape(plus, 2, true, true, true));
	assert_false(sernet_at_escape((const unsigned char *)"+a+", 3, true, true, true));
	assert_false(sernet_at_escape((const unsigned char *)"++a", 3, true, true, true));
	assert_false(sernet_at_escape((const unsigned char *)"a++", 3, true, true, true));
}

static void test_answer(void **state)
{
	(void)state;
	assert_true(sernet_at_answer('a'));
	assert_false(sernet_at_answer('A'));	/* lower case only */
	assert_false(sernet_at_answer('+'));
	assert_false(sernet_at_answer('\r'));
}

/* @line is not NUL-terminated: strncat() would read past it */
static void append(char *out, const char *line, size_t len, char mark)
{
	size_t o = strlen(out);

	memcpy(out + o, line, len);
	out[o + len] = mark;
	out[o + len + 1] = 0;
}

/* Feed @in to the collector as the kernel does; the lines sent, "|" after
 * each, "!" after an overlong one */
static void collect(const char *in, size_t chunk, char *out)
{
	struct sernet_at_line l = { 0 };
	char line[MAX];
	size_t len = strlen(in), done = 0, steps = 0;

	*out = 0;
	while (done < len) {
		size_t left = len - done < chunk ? len - done : chunk;
		const unsigned char *p = (const unsigned char *)in + done;
		unsigned int n = 99;

		assert_true(++steps < 4 * len + 4);
		switch (sernet_at_collect(&l, p, left, MAX, &n)) {
		case SERNET_AT_TAKE:
			assert_true(n >= 1 && n <= left && l.len + n <= MAX);
			assert_null(memchr(p, '\r', n));
			assert_null(memchr(p, '\n', n));
			memcpy(line + l.len, p, n);
			l.len += n;
			break;
		case SERNET_AT_DROP:
			assert_true(n >= 1 && n <= left && l.skip);
			break;
		case SERNET_AT_SEND:
			assert_int_equal(n, 1);
			assert_true(l.len > 0 && !l.skip);
			append(out, line, l.len, '|');
			l.len = 0;
			break;
		case SERNET_AT_END:
			assert_int_equal(n, 1);
			l.len = 0;
			l.skip = false;
			break;
		case SERNET_AT_CUT:
			assert_int_equal(n, 0);
			assert_int_equal(l.len, MAX);
			append(out, line, l.len, '!');
			l.len = 0;
			l.skip = true;
			break;
		}
		done += n;
	}
}

static void test_lines(void **state)
{
	static const struct { const char *in, *out; } t[] = {
		{ "AT\r", "AT|" },
		{ "AT\n", "AT|" },
		{ "AT\r\nAT+E?\r\n", "AT|AT+E?|" },	/* no empty line */
		{ "\r\n\r\r\n", "" },
		{ "AT", "" },				/* not ended yet */
		{ "12345678\r", "12345678|" },		/* exactly the maximum */
		{ "123456789\r", "12345678!" },		/* one more: cut */
		{ "123456789abcdefghijk\rAT\r", "12345678!AT|" },
		{ "1234567890\r\nAT\n", "12345678!AT|" },
	};
	char out[128];

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		for (size_t chunk = 1; chunk <= 32; chunk++) {
			collect(t[i].in, chunk, out);
			assert_string_equal(out, t[i].out);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_answer),
		cmocka_unit_test(test_lines),
	};

	return cmocka_run_group_tests_name("at_step", tests, NULL, NULL);
}
