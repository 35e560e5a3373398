/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sernet: the decisions of AT mode (PROTOCOLS.md section 1) as pure
 * functions: is a packet the escape "+++", what a byte from the host does
 * to the handshake, and how command-mode input is cut into lines. at.c
 * runs them; fuzz/fuzz_at.c runs the same code in userspace.
 */
#ifndef _SERNET_AT_STEP_H
#define _SERNET_AT_STEP_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#endif

/* How long the host has to answer the module's "a" */
#define SERNET_AT_HANDSHAKE_MS	3000

/**
 * sernet_at_escape - is a packet the escape sequence?
 * @p: its bytes
 * @len: how many
 * @by_time: it closed because the line was idle for the packing time
 * @prev_by_time: so did the packet before it (T1 silence), or there was
 *	no byte before it
 * @agent: an agent is registered in the port's namespace
 *
 * Exactly "+++", with T1 silence before and after; anything else, a
 * "+++" inside a longer packet, or no agent to serve command mode, is data.
 */
static inline bool sernet_at_escape(const unsigned char *p, unsigned int len,
				    bool by_time, bool prev_by_time,
				    bool agent)
{
	return agent && by_time && prev_by_time && len == 3 &&
	       p[0] == '+' && p[1] == '+' && p[2] == '+';
}

/**
 * sernet_at_answer - in HANDSHAKE, the first byte from the host
 * @c: that byte
 *
 * True: it is the host's "a", the port enters command mode and the held
 * "+++" is dropped; false: the handshake failed and every byte is data.
 */
static inline bool sernet_at_answer(unsigned char c)
{
	return c == 'a';
}

/**
 * struct sernet_at_line - the command line being collected
 * @len: bytes in it
 * @skip: it was cut at the maximum; the rest up to CR/LF is discarded
 */
struct sernet_at_line {
	unsigned int len;
	bool skip;
};

/*
 * What the caller does, then. TAKE: append the *n bytes (no CR/LF),
 * len += *n. DROP: discard the *n bytes of a cut line. SEND: *n = 1, a
 * CR/LF: send the line, len = 0. END: *n = 1, a CR/LF that ends nothing to
 * send: len = 0, skip = false. CUT: *n = 0: send the line as overlong,
 * len = 0, skip = true.
 */
enum sernet_at_op {
	SERNET_AT_TAKE,
	SERNET_AT_DROP,
	SERNET_AT_SEND,
	SERNET_AT_END,
	SERNET_AT_CUT,
};

static inline bool sernet_at_eol(unsigned char c)
{
	return c == '\r' || c == '\n';
}

/**
 * sernet_at_collect - the line collector's next step
 * @l: its state
 * @p: command-mode bytes
 * @left: how many, more than 0
 * @max: the longest line, more than 0
 * @n: how many bytes of @p the step consumes
 *
 * CR and LF end a line; an empty line (the LF of CR LF) is dropped. A line
 * reaching @max bytes is sent when one more byte that is not CR/LF comes,
 * with the rest of it discarded.
 */
static inline enum sernet_at_op
sernet_at_collect(const struct sernet_at_line *l, const unsigned char *p, size_t left,
		  unsigned int max, unsigned int *n)
{
	unsigned int i;

	if (sernet_at_eol(p[0])) {
		*n = 1;
		return l->len && !l->skip ? SERNET_AT_SEND : SERNET_AT_END;
	}
	if (!l->skip && l->len >= max) {
		*n = 0;
		return SERNET_AT_CUT;
	}
	for (i = 1; i < left && !sernet_at_eol(p[i]); i++)
		;
	if (l->skip) {
		*n = i;
		return SERNET_AT_DROP;
	}
	*n = i < max - l->len ? i : max - l->len;
	return SERNET_AT_TAKE;
}

#endif /* _SERNET_AT_STEP_H */
