// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the packetiser's decisions (kernel/pack_step.h, the
 * code pack.c runs) driven by serial chunks, packing length changes,
 * timer expiries and the network taking packets, in any order. A model of
 * the pages checks what the kernel relies on: a copy never passes its
 * page or the packing length, a packet never crosses a page, the packets
 * hold exactly the bytes taken and in order, the loop always progresses,
 * and it stalls only above the backlog bound.
 *
 * The model copies into and compares one page at a time with memcpy() and
 * memcmp(): a packet is checked when it closes (nothing writes into it
 * after that: copies go past it or into a new page), and only the lengths
 * of the packets the network has not taken are kept. Copying, keeping and
 * comparing every byte of every page one at a time made it run 400 inputs
 * a second.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pack_step.h"

#define IN_MAX		(512 * 1024)	/* past the backlog bound */
#define CHUNK_MAX	8192		/* serial bytes in one receive */
/* Packets the network has not taken: at most the backlog over their cost */
#define QUEUE_MAX	4096

struct model {
	unsigned int page_size;
	unsigned char page[4096];	/* the page being filled */
	struct sernet_pack_state s;
	unsigned long long taken;	/* serial bytes taken so far */
	unsigned long long packed;	/* of them, in closed packets */
	unsigned int queue[QUEUE_MAX];	/* lengths the network has not taken */
	unsigned int head, tail;
};

/* The serial stream: byte i of it is stream[i] */
static unsigned char stream[IN_MAX + CHUNK_MAX];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	for (size_t i = 0; i < sizeof(stream); i++)
		stream[i] = (unsigned char)(i * 2654435761u >> 13);
	return 0;
}

static void close_pkt(struct model *m)
{
	unsigned int len = m->s.used;

	if (!len || m->s.off + len > m->page_size ||
	    m->taken - m->packed != len)
		abort();
	if (memcmp(m->page + m->s.off, stream + m->packed, len))
		abort();		/* overwritten or misplaced */
	if (m->tail - m->head == QUEUE_MAX)
		abort();		/* more queued than the bound allows */
	m->queue[m->tail++ % QUEUE_MAX] = len;
	m->packed += len;
	m->s.backlog += SERNET_PKT_COST;
	m->s.off += len;
	m->s.used = 0;
}

/* One receive_buf2() call of count bytes; returns how many were taken */
static size_t receive(struct model *m, unsigned int len, size_t count)
{
	size_t done = 0, steps = 0;

	while (done < count) {
		unsigned int n = 0;

		if (++steps > 3 * count + 8)
			abort();		/* no progress */
		switch (sernet_pack_step(&m->s, m->page_size, len, count - done,
					 &n)) {
		case SERNET_PACK_STALL:
			if (m->s.backlog < SERNET_BACKLOG_HIGH)
				abort();
			return done;
		case SERNET_PACK_CLOSE:
			if (!m->s.used)
				abort();	/* an empty packet */
			close_pkt(m);
			break;
		case SERNET_PACK_PAGE:
			if (m->s.used)
				abort();	/* would lose the open packet */
			m->s.page = true;
			m->s.off = 0;
			break;
		case SERNET_PACK_COPY:
			if (!m->s.page || !n || n > count - done ||
			    m->s.used + n > len ||
			    m->s.off + m->s.used + n > m->page_size)
				abort();
			memcpy(m->page + m->s.off + m->s.used,
			       stream + m->taken, n);
			m->s.used += n;
			m->taken += n;
			m->s.backlog += n;
			done += n;
			break;
		default:
			abort();
		}
	}
	if (m->s.used >= len)
		close_pkt(m);
	return done;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int page_sizes[] = { 4096, 1460, 1024, 100, 7 };
	struct model *m;
	unsigned int len;
	size_t i = 2, in = 0;

	if (size < 2)
		return 0;
	m = calloc(1, sizeof(*m));
	if (!m)
		abort();
	m->page_size = page_sizes[data[0] % 5];
	len = 1 + data[1] % m->page_size;
	if (len > 1460)
		len = 1460;
	while (i + 2 < size && in < IN_MAX) {
		unsigned int arg = data[i + 1] | data[i + 2] << 8;

		switch (data[i] % 4) {
		case 0:				/* serial bytes arrive */
			in += receive(m, len, 1 + arg % CHUNK_MAX);
			break;
		case 1:				/* the packing time ran out */
			if (m->s.used)
				close_pkt(m);
			break;
		case 2:				/* the network takes packets */
			for (unsigned int k = 0; k <= arg % 64 &&
			     m->head != m->tail; k++)
				m->s.backlog -= m->queue[m->head++ % QUEUE_MAX] +
						SERNET_PKT_COST;
			break;
		case 3:				/* AT+UARTTL changes the length */
			len = 1 + arg % (m->page_size < 1460 ?
					 m->page_size : 1460);
			break;
		}
		i += 3;
	}
	if (m->s.used)
		close_pkt(m);
	if (in != m->taken || m->packed != m->taken)
		abort();
	free(m);
	return 0;
}
