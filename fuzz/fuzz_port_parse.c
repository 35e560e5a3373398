// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: netlink messages as sernetctl receives them
 * (sernet_port_parse(), then every printer: table, detail, JSON and the
 * event line). The input is the attributes after the genetlink header;
 * its first byte picks the command. Nothing may read out of bounds, and
 * what parses must print.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "port.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t hdr = NLMSG_HDRLEN + GENL_HDRLEN, len;
	struct sernet_port_list list = { 0 };
	struct sernet_port_info port;
	struct nlmsghdr *nlh;
	const char *why = NULL;
	char line[512];
	FILE *out;

	if (size < 1 || size > 65536)
		return 0;
	len = hdr + size - 1;
	nlh = calloc(1, len);
	if (!nlh)
		abort();
	nlh->nlmsg_len = (uint32_t)len;
	((struct genlmsghdr *)NLMSG_DATA(nlh))->cmd = data[0] % (SERNET_CMD_MAX + 2);
	memcpy((char *)nlh + hdr, data + 1, size - 1);
	if (sernet_port_parse(nlh, &port, &why)) {
		if (!why)
			abort();	/* an error needs its reason */
		free(nlh);
		return 0;
	}
	out = fopen("/dev/null", "w");
	if (!out || sernet_port_list_add(&list, &port))
		abort();
	sernet_port_print_table(out, &list);
	sernet_port_print_detail(out, &port, &list);
	if (sernet_port_print_json(out, &list, &list))
		abort();
	sernet_event_format(data[0] % (SERNET_CMD_MAX + 2), &port, line,
			    sizeof(line));
	fclose(out);
	sernet_port_list_free(&list);
	free(nlh);
	return 0;
}
