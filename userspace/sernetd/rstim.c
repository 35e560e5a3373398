// SPDX-License-Identifier: MIT
/* sernetd: the RSTIM decision (rstim.h) */
#include "rstim.h"

int rstim_step(struct rstim *r, uint64_t rx, int working, int64_t now_ms,
	       unsigned int rstim_s)
{
	/*
	 * Off, a first look, bytes came, or a user at the port in command
	 * mode: the idle time starts again
	 */
	if (!rstim_s || !working || !r->known || rx != r->rx) {
		r->known = 1;
		r->rx = rx;
		r->since_ms = now_ms;
		return 0;
	}
	if (now_ms - r->since_ms < (int64_t)rstim_s * 1000)
		return 0;
	r->since_ms = now_ms;
	return 1;
}
