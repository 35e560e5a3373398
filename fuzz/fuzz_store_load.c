// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the config loader (userspace/sernetd/store.c) on any
 * file. Loading never fails on content; what it saves loads again to the
 * same store, with no line reported.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "at.h"

static unsigned int reports;

static void report(void *priv, const char *path, unsigned int line, const char *reason)
{
	(void)priv;
	(void)path;
	(void)line;
	(void)reason;
	reports++;
}

static char *slurp(const char *path)
{
	static char buf[1 << 16];
	FILE *f = fopen(path, "r");
	size_t n;

	assert(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return strdup(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[64], in[96], out[96];
	struct at_engine *e, *f;
	char *a, *b;
	FILE *fp;

	if (!dir[0]) {
		/* tmpfs: fsync is cheap there, the fuzzer stays fast */
		strcpy(dir, access("/dev/shm", W_OK) ? "/tmp/fuzz-store-XXXXXX" :
		       "/dev/shm/fuzz-store-XXXXXX");
		assert(mkdtemp(dir));
		snprintf(in, sizeof(in), "%s/in.conf", dir);
		snprintf(out, sizeof(out), "%s/out.conf", dir);
	}
	fp = fopen(in, "w");
	assert(fp);
	fwrite(data, 1, size, fp);
	fclose(fp);
	e = at_engine_new(NULL, NULL);
	assert(at_store_load(e, in, report, NULL) == 0);
	assert(at_store_save(e, out) == 0);
	f = at_engine_new(NULL, NULL);
	reports = 0;
	assert(at_store_load(f, out, report, NULL) == 0);
	assert(reports == 0);
	assert(at_store_save(f, in) == 0);
	a = slurp(in);
	b = slurp(out);
	assert(!strcmp(a, b));
	free(a);
	free(b);
	at_engine_free(e);
	at_engine_free(f);
	return 0;
}
