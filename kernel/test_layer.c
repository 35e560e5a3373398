// SPDX-License-Identifier: GPL-2.0
/*
 * sernet: a layer of the test build only, to prove the seam of layer.h.
 *
 * With /sys/kernel/debug/sernet/on_test_layer set, a transport started
 * after has it: letters change case both ways (test_layer_step.h), a new
 * TCP connection alone is greeted with SERNET_TEST_LAYER_HELLO, and each
 * connection that ends counts in count_layer_down_hits.
 */
#include <linux/mm.h>

#include "conn.h"
#include "layer.h"
#include "test_layer_step.h"

#define SERNET_TEST_LAYER_HELLO	"sernet test layer\r\n"

static bool sernet_test_layer_wanted(struct sernet_port *port)
{
	return sernet_hook_on(SERNET_HOOK_TEST_LAYER);
}

static void sernet_test_layer_swap(u8 *buf, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		buf[i] = sernet_test_layer_step(buf[i]);
}

static struct sernet_pkt *sernet_test_layer_to_net(struct sernet_layer *l,
						   struct sernet_pkt *pkt)
{
	sernet_test_layer_swap((u8 *)page_address(pkt->page) + pkt->off,
			       pkt->len);
	return pkt;
}

static unsigned int sernet_test_layer_to_serial(struct sernet_layer *l,
						u8 *buf, unsigned int len)
{
	sernet_test_layer_swap(buf, len);
	return len;
}

static void sernet_test_layer_conn_up(struct sernet_layer *l,
				      struct sernet_conn *c)
{
	sernet_conn_send(c, SERNET_TEST_LAYER_HELLO,
			 sizeof(SERNET_TEST_LAYER_HELLO) - 1);
}

static void sernet_test_layer_conn_down(struct sernet_layer *l,
					struct sernet_conn *c)
{
	sernet_hook_count(SERNET_HOOK_LAYER_DOWN);
}

const struct sernet_layer_ops sernet_test_layer_ops = {
	.name		= "test",
	.wanted		= sernet_test_layer_wanted,
	.to_net		= sernet_test_layer_to_net,
	.to_serial	= sernet_test_layer_to_serial,
	.conn_up	= sernet_test_layer_conn_up,
	.conn_down	= sernet_test_layer_conn_down,
};
