/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sernet: what the packetiser does next, as a pure function of its state.
 * pack.c runs it on every chunk of serial bytes; fuzz/fuzz_pack.c runs the
 * same code in userspace under libFuzzer and checks what it decides.
 */
#ifndef _SERNET_PACK_STEP_H
#define _SERNET_PACK_STEP_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#endif

/*
 * What a packet costs beyond its bytes, in the backlog and in a client's
 * send queue: its bookkeeping, so that tiny packets are bounded too.
 */
#define SERNET_PKT_COST		128

/* Back-pressure: no more serial bytes above HIGH, resume below LOW */
#define SERNET_BACKLOG_HIGH	(256 * 1024)
#define SERNET_BACKLOG_LOW	(128 * 1024)

enum sernet_pack_op {
	SERNET_PACK_COPY,	/* copy *n bytes into the open packet */
	SERNET_PACK_CLOSE,	/* close the open packet */
	SERNET_PACK_PAGE,	/* start a new page; the open packet is empty */
	SERNET_PACK_STALL,	/* take nothing more until the backlog drains */
};

/**
 * struct sernet_pack_state - what the next step depends on
 * @page: there is a page to write into
 * @off: where the open packet starts in it
 * @used: bytes in the open packet
 * @backlog: bytes (and packet costs) the network has not taken yet
 */
struct sernet_pack_state {
	bool page;
	unsigned int off;
	unsigned int used;
	unsigned int backlog;
};

/**
 * sernet_pack_step - the packetiser's next step
 * @s: its state
 * @page_size: size of a page
 * @len: the packing length in effect, 1..page_size
 * @left: serial bytes still to take, more than 0
 * @n: for %SERNET_PACK_COPY, how many (1..@left)
 *
 * A packet never crosses a page: an empty one starts on a new page when
 * the rest of the current one cannot hold @len bytes; a partial one is
 * closed when its page is full or it holds @len (which may have been
 * lowered under it).
 */
static inline enum sernet_pack_op
sernet_pack_step(const struct sernet_pack_state *s, unsigned int page_size,
		 unsigned int len, size_t left, unsigned int *n)
{
	unsigned int room;

	if (s->backlog >= SERNET_BACKLOG_HIGH)
		return SERNET_PACK_STALL;
	room = s->page ? page_size - s->off - s->used : 0;
	if (s->used && (s->used >= len || !room))
		return SERNET_PACK_CLOSE;
	if (!s->used && (!s->page || room < len))
		return SERNET_PACK_PAGE;
	*n = len - s->used < room ? len - s->used : room;
	if (left < *n)
		*n = left;
	return SERNET_PACK_COPY;
}

#endif /* _SERNET_PACK_STEP_H */
