// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: one AT command line as a user types it, through the
 * engine (userspace/sernetd/at.c). Whatever it is, the answer stays in its
 * buffer, is a sequence of "\r\n+OK..\r\n" / "\r\n+ERR=n\r\n" after the
 * echo, and every stored value the line left reads back as a valid set.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "at.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "MID", "WEBU", "SOCKA", "UART", "REGUSER",
					     "HTPHEAD", "REGCLOUD", "SEARCH" };
	struct at_engine *e = at_engine_new(NULL, NULL);
	char out[8192], val[2048];
	unsigned int flags = 0;
	size_t n;

	assert(e);
	at_engine_set(e, "E", 0, (size & 1) ? "ON" : "OFF");
	n = at_engine_line(e, (const char *)data, size, out, sizeof(out), &flags);
	assert(n <= sizeof(out));
	assert(!(flags & ~15u));
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int port = !strcmp(names[i], "MID") || !strcmp(names[i], "WEBU") ||
			   !strcmp(names[i], "SEARCH") ? 0 : 1;
		const char *v = at_engine_get(e, names[i], port);

		assert(v);
		snprintf(val, sizeof(val), "%s", v);
		/* REGCLOUD's empty factory value is not a valid set */
		if (val[0])
			assert(at_engine_set(e, names[i], port, val) == AT_OK);
		assert(!strcmp(at_engine_get(e, names[i], port), val));
	}
	at_engine_free(e);
	return 0;
}
