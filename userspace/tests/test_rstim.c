// SPDX-License-Identifier: MIT
/*
 * Unit tests: AT+RSTIM's decision, userspace/sernetd/rstim.h (cmocka).
 * PROTOCOLS.md section 8: nothing received from the network for RSTIM
 * seconds restarts the port; 0 is off. The range (0, 60..65535) is the
 * engine's, tested in test_at.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../sernetd/rstim.h"

#define S	1000	/* ms */

static void test_idle_for_rstim_restarts(void **state)
{
	struct rstim r = { 0 };

	(void)state;
	assert_int_equal(rstim_step(&r, 5, 1, 0, 60), 0);	/* first look */
	assert_int_equal(rstim_step(&r, 5, 1, 59 * S, 60), 0);
	assert_int_equal(rstim_step(&r, 5, 1, 60 * S - 1, 60), 0);
	assert_int_equal(rstim_step(&r, 5, 1, 60 * S, 60), 1);
	/* counted again from the restart, not once per look after it */
	assert_int_equal(rstim_step(&r, 5, 1, 61 * S, 60), 0);
	assert_int_equal(rstim_step(&r, 5, 1, 120 * S - 1, 60), 0);
	assert_int_equal(rstim_step(&r, 5, 1, 120 * S, 60), 1);
}

static void test_bytes_from_the_network_keep_it(void **state)
{
	struct rstim r = { 0 };

	(void)state;
	rstim_step(&r, 0, 1, 0, 60);
	assert_int_equal(rstim_step(&r, 1, 1, 59 * S, 60), 0);
	assert_int_equal(rstim_step(&r, 1, 1, 118 * S, 60), 0);
	assert_int_equal(rstim_step(&r, 1, 1, 119 * S, 60), 1);
	/* a counter that went back (the module reloaded) moved too */
	rstim_step(&r, 100, 1, 200 * S, 60);
	assert_int_equal(rstim_step(&r, 3, 1, 259 * S, 60), 0);
	assert_int_equal(rstim_step(&r, 3, 1, 319 * S, 60), 1);
}

static void test_zero_is_off(void **state)
{
	struct rstim r = { 0 };

	(void)state;
	rstim_step(&r, 0, 1, 0, 0);
	assert_int_equal(rstim_step(&r, 0, 1, 65535 * S, 0), 0);
	assert_int_equal(rstim_step(&r, 0, 1, 1000000 * (int64_t)S, 0), 0);
	/* turned on: counted from the first look with it on */
	assert_int_equal(rstim_step(&r, 0, 1, 1000001 * (int64_t)S, 60), 0);
	assert_int_equal(rstim_step(&r, 0, 1, 1000060 * (int64_t)S, 60), 1);
}

static void test_the_largest_value(void **state)
{
	struct rstim r = { 0 };

	(void)state;
	rstim_step(&r, 0, 1, 0, 65535);
	assert_int_equal(rstim_step(&r, 0, 1, 65535 * (int64_t)S - 1, 65535), 0);
	assert_int_equal(rstim_step(&r, 0, 1, 65535 * (int64_t)S, 65535), 1);
}

/* A user typing AT commands at the port is not restarted under them */
static void test_command_mode_is_not_idle(void **state)
{
	struct rstim r = { 0 };

	(void)state;
	rstim_step(&r, 0, 1, 0, 60);
	assert_int_equal(rstim_step(&r, 0, 0, 60 * S, 60), 0);
	assert_int_equal(rstim_step(&r, 0, 0, 200 * S, 60), 0);
	/* back at work: a whole RSTIM from the last look in command mode */
	assert_int_equal(rstim_step(&r, 0, 1, 259 * S, 60), 0);
	assert_int_equal(rstim_step(&r, 0, 1, 260 * S, 60), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idle_for_rstim_restarts),
		cmocka_unit_test(test_bytes_from_the_network_keep_it),
		cmocka_unit_test(test_zero_is_off),
		cmocka_unit_test(test_the_largest_value),
		cmocka_unit_test(test_command_mode_is_not_idle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
