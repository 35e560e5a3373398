/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sernet: test-only hooks. In the test build (make's build/<krel>/hooks/,
 * SERNET_TEST_HOOKS) a hook can widen a race window by sleeping or make an
 * allocation fail, set through debugfs (kernel/hooks.c); selftests use
 * them to reach, every time, an interleaving or a failure that a normal
 * run meets once in a while. In the module users run they are no-ops.
 */
#ifndef _SERNET_HOOKS_H
#define _SERNET_HOOKS_H

#include <linux/types.h>

enum sernet_hook {
	/* delays: process context only */
	SERNET_HOOK_PORT_ADDED,		/* a new port has been announced */
	SERNET_HOOK_THROTTLE,		/* serial input stalled, tty not held yet */
	SERNET_HOOK_CONNECT_DONE,	/* a TCPC connection's state is read next */
	SERNET_HOOK_NET_EXIT,		/* a port of a dying netns, lock dropped */
	/* counts only: any context */
	SERNET_HOOK_TX_WAKE,		/* a client's write space woke tx_work */
	SERNET_HOOK_LAYER_DOWN,		/* the test layer saw a connection end */
	SERNET_HOOK_RX_NOW,		/* data_ready wrote a segment to the tty */
	/* switches: read when a transport starts */
	SERNET_HOOK_TEST_LAYER,		/* the test layer (test_layer.c) is on */
	/* failures */
	SERNET_HOOK_PKT_ALLOC,		/* a packet's allocation */
	SERNET_HOOK_PAGE_ALLOC,		/* a page for serial bytes */
	SERNET_HOOK_XPORT_ALLOC,	/* a transport's allocation */
	SERNET_HOOK_MAX,
};

#ifdef SERNET_TEST_HOOKS
void sernet_hook_delay(enum sernet_hook h);
void sernet_hook_count(enum sernet_hook h);
bool sernet_hook_fail(enum sernet_hook h);
bool sernet_hook_on(enum sernet_hook h);
int sernet_hooks_init(void);
void sernet_hooks_exit(void);
#else
static inline void sernet_hook_delay(enum sernet_hook h) { }
static inline void sernet_hook_count(enum sernet_hook h) { }
static inline bool sernet_hook_fail(enum sernet_hook h) { return false; }
static inline bool sernet_hook_on(enum sernet_hook h) { return false; }
static inline int sernet_hooks_init(void) { return 0; }
static inline void sernet_hooks_exit(void) { }
#endif

#endif /* _SERNET_HOOKS_H */
