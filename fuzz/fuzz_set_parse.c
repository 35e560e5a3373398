// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: `sernetctl set` arguments (sernet_set_parse()), the
 * input a user types. The input is split at spaces and NULs into argv.
 * Whatever it is, the parser must either fail with a message, or return
 * settings of the kernel's types holding exactly the numbers typed (the
 * kernel's policy checks the ranges and names them in its error).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "port.h"

#define MAX_ARGS 16

/* The value of a setting as the parser stored it, or -1 */
static long long stored(const struct sernet_set *set, int attr)
{
	const struct sernet_setting_field *f = sernet_setting_find(attr);

	return f ? sernet_setting_get(&set->cfg, f) : -1;
}

static int attr_of(const char *key)
{
	for (int a = 1; a <= SERNET_A_MAX; a++)
		if (a != SERNET_A_PORT_INDEX && sernet_attr_name(a) &&
		    !strcasecmp(sernet_attr_name(a), key))
			return a;
	return -1;
}

static void check(const struct sernet_set *set, int argc, char **argv)
{
	uint64_t known = 0;

	for (int a = 0; a <= SERNET_A_MAX; a++)
		if (sernet_attr_name(a) && a != SERNET_A_PORT_INDEX)
			known |= 1ULL << a;
	if (set->mask & ~known)
		abort();
	if ((set->mask & (1ULL << SERNET_A_SOCK_ADDR)) &&
	    set->cfg.addr_len != 4 && set->cfg.addr_len != 16)
		abort();
	/* a number typed for a plain key is stored as typed, or refused */
	for (int i = 0; i + 1 < argc; i += 2) {
		int a = attr_of(argv[i]);
		char *end;
		unsigned long long v;
		int later = 0;

		if (a < 0 || stored(set, a) < 0 || argv[i + 1][0] < '0' ||
		    argv[i + 1][0] > '9')
			continue;
		/* set again later, or maybe by a compound key (socka ...) */
		for (int j = i + 2; j + 1 < argc; j += 2)
			later |= attr_of(argv[j]) == a || attr_of(argv[j]) < 0;
		v = strtoull(argv[i + 1], &end, 10);
		if (!later && !*end && v != (unsigned long long)stored(set, a))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[MAX_ARGS];
	struct sernet_set set;
	char err[160];
	int argc = 0, ret;

	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (size_t i = 0; i < size && argc < MAX_ARGS;) {
		while (i < size && (buf[i] == ' ' || !buf[i]))
			buf[i++] = '\0';
		if (i < size)
			argv[argc++] = buf + i;
		while (i < size && buf[i] != ' ' && buf[i])
			i++;
	}
	memset(err, 'x', sizeof(err));
	ret = sernet_set_parse(argc, argv, &set, err, sizeof(err));
	if (ret == 0)
		check(&set, argc, argv);
	else if (ret != -EINVAL || !memchr(err, '\0', sizeof(err)) || !err[0])
		abort();		/* an error needs its message */
	free(buf);
	return 0;
}
