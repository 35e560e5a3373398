/* SPDX-License-Identifier: MIT */
/*
 * AT+RSTIM (PROTOCOLS.md section 8): a port that received nothing from the
 * network for RSTIM seconds is restarted (its settings pushed afresh, every
 * connection re-established). The decision, apart from the clock and the
 * module, so host tests drive it.
 */
#ifndef SERNETD_RSTIM_H
#define SERNETD_RSTIM_H

#include <stdint.h>

/* One port, as the agent last looked at it */
struct rstim {
	int known;		/* rx and since are set */
	uint64_t rx;		/* its network receive counter then */
	int64_t since_ms;	/* when that counter last moved, or the restart */
};

/*
 * A look at the port at now_ms: rx is its counter of bytes received from
 * the network, working is 0 while it is in AT command mode (or its
 * handshake), rstim_s the setting (0 = off). Returns 1 when the port is to
 * be restarted now; the idle time then counts again from now.
 */
int rstim_step(struct rstim *r, uint64_t rx, int working, int64_t now_ms,
	       unsigned int rstim_s);

#endif
