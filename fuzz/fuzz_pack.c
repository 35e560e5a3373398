// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the packetiser's decisions (kernel/pack_step.h, the
 * code pack.c runs) driven by serial chunks, packing length changes,
 * timer expiries and the network taking packets, in any order. A model of
 * the pages checks what the kernel relies on: a copy never passes its
 * page or the packing length, a packet never crosses a page, the packets
 * hold exactly the bytes taken and in order, the loop always progresses,
 * and it stalls only above the backlog bound.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pack_step.h"

#define IN_MAX		(512 * 1024)	/* past the backlog bound */

struct pkt {
	unsigned int page, off, len;
	unsigned long long start;	/* offset of its first byte in the input */
};

struct model {
	unsigned int page_size;
	unsigned char *pages;		/* every page ever used, one after another */
	unsigned int npages;
	struct sernet_pack_state s;
	unsigned long long taken;	/* serial bytes taken so far */
	struct pkt *pkts;
	unsigned int npkts, cap, sent;	/* made, room, taken by the network */
};

static unsigned char byte_at(unsigned long long i)
{
	return (unsigned char)(i * 2654435761u >> 13);
}

static void close_pkt(struct model *m)
{
	struct pkt *p;

	if (m->npkts == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 256;
		m->pkts = realloc(m->pkts, m->cap * sizeof(*m->pkts));
		if (!m->pkts)
			abort();
	}
	p = &m->pkts[m->npkts++];
	p->page = m->npages - 1;
	p->off = m->s.off;
	p->len = m->s.used;
	p->start = m->taken - m->s.used;
	m->s.backlog += SERNET_PKT_COST;
	m->s.off += m->s.used;
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
			m->pages = realloc(m->pages,
					   (size_t)(m->npages + 1) * m->page_size);
			if (!m->pages)
				abort();
			m->npages++;
			m->s.page = true;
			m->s.off = 0;
			break;
		case SERNET_PACK_COPY:
			if (!m->s.page || !n || n > count - done ||
			    m->s.used + n > len ||
			    m->s.off + m->s.used + n > m->page_size)
				abort();
			for (unsigned int i = 0; i < n; i++)
				m->pages[(size_t)(m->npages - 1) * m->page_size +
					 m->s.off + m->s.used + i] =
					byte_at(m->taken + i);
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

static void check_pkts(const struct model *m)
{
	unsigned long long next = 0;

	for (unsigned int i = 0; i < m->npkts; i++) {
		const struct pkt *p = &m->pkts[i];
		const unsigned char *b = m->pages +
			(size_t)p->page * m->page_size + p->off;

		if (!p->len || p->start != next ||
		    p->off + p->len > m->page_size)
			abort();
		for (unsigned int j = 0; j < p->len; j++)
			if (b[j] != byte_at(p->start + j))
				abort();	/* overwritten or misplaced */
		next += p->len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
			in += receive(m, len, 1 + arg % 8192);
			break;
		case 1:				/* the packing time ran out */
			if (m->s.used)
				close_pkt(m);
			break;
		case 2:				/* the network takes packets */
			for (unsigned int k = 0; k <= arg % 64 &&
			     m->sent < m->npkts; k++)
				m->s.backlog -= m->pkts[m->sent++].len +
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
	if (in != m->taken)
		abort();
	check_pkts(m);
	free(m->pages);
	free(m->pkts);
	free(m);
	return 0;
}
