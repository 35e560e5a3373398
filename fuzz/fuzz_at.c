// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the decisions of AT mode (kernel/at_step.h, the code
 * at.c runs). The input's first byte picks the longest line (1..64, so
 * cuts are frequent), the second the chunk size; the rest is command-mode
 * input, collected as at.c does. Checked: every step progresses or cuts, a
 * line never holds CR/LF, is never empty and never passes the maximum, a
 * line is cut only when one more byte of it came, and the bytes of the
 * lines (sent and open) plus those dropped are the input's but its CR/LFs.
 * The escape test is compared against its definition on every window.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "at_step.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sernet_at_line l = { 0 };
	size_t done = 0, nkept = 0, ndrop = 0, steps = 0, chunk;
	unsigned int max;
	const unsigned char *in;

	if (size < 2)
		return 0;
	max = data[0] % 64 + 1;
	chunk = data[1] % 16 + 1;
	in = data + 2;
	size -= 2;
	for (size_t i = 0; i + 3 <= size; i++) {
		bool esc = in[i] == '+' && in[i + 1] == '+' && in[i + 2] == '+';

		if (sernet_at_escape(in + i, 3, true, true, true) != esc ||
		    sernet_at_escape(in + i, 3, true, true, false) ||
		    (i + 4 <= size && sernet_at_escape(in + i, 4, true, true,
						       true)))
			abort();
	}
	while (done < size) {
		size_t left = size - done < chunk ? size - done : chunk;
		const unsigned char *p = in + done;
		unsigned int n = ~0u;

		if (++steps > 2 * size + 2)
			abort();	/* no progress */
		switch (sernet_at_collect(&l, p, left, max, &n)) {
		case SERNET_AT_TAKE:
			if (!n || n > left || l.skip || l.len + n > max ||
			    memchr(p, '\r', n) || memchr(p, '\n', n))
				abort();
			l.len += n;
			break;
		case SERNET_AT_DROP:
			if (!n || n > left || !l.skip ||
			    memchr(p, '\r', n) || memchr(p, '\n', n))
				abort();
			ndrop += n;
			break;
		case SERNET_AT_SEND:
			if (!l.len || l.skip)
				abort();	/* an empty line is never sent */
			/* fall through */
		case SERNET_AT_END:
			if (n != 1 || !sernet_at_eol(p[0]))
				abort();
			if (!l.skip)
				nkept += l.len;
			l.len = 0;
			l.skip = false;
			break;
		case SERNET_AT_CUT:
			if (n || l.len != max || l.skip || sernet_at_eol(p[0]))
				abort();
			nkept += l.len;
			l.len = 0;
			l.skip = true;
			break;
		}
		done += n;
	}
	nkept += l.len;
	{
		size_t plain = 0;

		for (size_t i = 0; i < size; i++)
			if (!sernet_at_eol(in[i]))
				plain++;
		if (nkept + ndrop != plain)
			abort();
	}
	return 0;
}
