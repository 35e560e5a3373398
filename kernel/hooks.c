// SPDX-License-Identifier: GPL-2.0
/*
 * sernet: test-only hooks (see hooks.h), built only into the test module.
 *
 * /sys/kernel/debug/sernet/NAME, for each hook:
 *   a delay hook: write the milliseconds to sleep each time it is reached
 *   (0, the default, is none);
 *   a failure hook: write how many of the next allocations fail;
 *   a count hook (count_NAME) has nothing to set;
 *   a switch (on_NAME): write 1 to turn it on.
 * /sys/kernel/debug/sernet/NAME_hits counts how often it was reached, so a
 * test can wait until the window is open instead of sleeping.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/kernel.h>

#include "hooks.h"

static const char * const sernet_hook_names[SERNET_HOOK_MAX] = {
	[SERNET_HOOK_PORT_ADDED]	= "delay_port_added_ms",
	[SERNET_HOOK_THROTTLE]		= "delay_throttle_ms",
	[SERNET_HOOK_CONNECT_DONE]	= "delay_connect_done_ms",
	[SERNET_HOOK_NET_EXIT]		= "delay_net_exit_ms",
	[SERNET_HOOK_TX_WAKE]		= "count_tx_wake",
	[SERNET_HOOK_LAYER_DOWN]	= "count_layer_down",
	[SERNET_HOOK_RX_NOW]		= "count_rx_now",
	[SERNET_HOOK_TEST_LAYER]	= "on_test_layer",
	[SERNET_HOOK_PKT_ALLOC]		= "fail_pkt_alloc",
	[SERNET_HOOK_PAGE_ALLOC]	= "fail_page_alloc",
	[SERNET_HOOK_XPORT_ALLOC]	= "fail_xport_alloc",
};

static atomic_t sernet_hook_value[SERNET_HOOK_MAX];
static atomic_t sernet_hook_hits[SERNET_HOOK_MAX];
static struct dentry *sernet_hooks_dir;

void sernet_hook_delay(enum sernet_hook h)
{
	unsigned int ms = atomic_read(&sernet_hook_value[h]);

	atomic_inc(&sernet_hook_hits[h]);
	if (ms)
		msleep(ms);
}

/* Any context */
void sernet_hook_count(enum sernet_hook h)
{
	atomic_inc(&sernet_hook_hits[h]);
}

/* Any context */
bool sernet_hook_fail(enum sernet_hook h)
{
	atomic_inc(&sernet_hook_hits[h]);
	return atomic_dec_if_positive(&sernet_hook_value[h]) >= 0;
}

/* Any context */
bool sernet_hook_on(enum sernet_hook h)
{
	atomic_inc(&sernet_hook_hits[h]);
	return atomic_read(&sernet_hook_value[h]) != 0;
}

int sernet_hooks_init(void)
{
	char name[40];
	int h;

	sernet_hooks_dir = debugfs_create_dir("sernet", NULL);
	for (h = 0; h < SERNET_HOOK_MAX; h++) {
		debugfs_create_atomic_t(sernet_hook_names[h], 0600,
					sernet_hooks_dir, &sernet_hook_value[h]);
		snprintf(name, sizeof(name), "%s_hits", sernet_hook_names[h]);
		debugfs_create_atomic_t(name, 0400, sernet_hooks_dir,
					&sernet_hook_hits[h]);
	}
	pr_info("test build: hooks in /sys/kernel/debug/sernet\n");
	return 0;
}

void sernet_hooks_exit(void)
{
	debugfs_remove_recursive(sernet_hooks_dir);
}
