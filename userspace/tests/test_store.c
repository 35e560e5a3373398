// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: the config store (userspace/sernetd/store.c): a file of AT
 * set commands and PORTn= lines, replayed on load, written atomically.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../sernetd/at.h"

static char dir[64], path[128];
static char reports[1024];

static void report(void *priv, const char *file, unsigned int line, const char *reason)
{
	size_t n = strlen(reports);

	(void)priv;
	snprintf(reports + n, sizeof(reports) - n, "%s:%u: %s\n",
		 file + strlen(dir) + 1, line, reason);
}

static void put(const char *name, const char *text)
{
	char p[160];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *get(const char *name)
{
	static char text[4096];
	char p[160];
	size_t n;
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "r");
	if (!f)
		return NULL;
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

/* the folder holds exactly these names */
static void only(const char *want)
{
	char got[256] = "";
	struct dirent *d;
	DIR *dp = opendir(dir);

	assert_non_null(dp);
	while ((d = readdir(dp)))
		if (d->d_name[0] != '.') {
			strcat(got, d->d_name);
			strcat(got, " ");
		}
	closedir(dp);
	if (strcmp(want, got) && strlen(want) == strlen(got))
		return;         /* the same two names in the other order */
	assert_string_equal(got, want);
}

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/sernet-store-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sernet.conf", dir);
	reports[0] = '\0';
	return 0;
}

static int teardown(void **state)
{
	char p[320];
	struct dirent *d;
	DIR *dp = opendir(dir);

	(void)state;
	while (dp && (d = readdir(dp)))
		if (d->d_name[0] != '.') {
			snprintf(p, sizeof(p), "%s/%s", dir, d->d_name);
			unlink(p);
		}
	if (dp)
		closedir(dp);
	rmdir(dir);
	return 0;
}

static void test_missing(void **state)
{
	struct at_engine *e = at_engine_new(NULL, NULL);

	(void)state;
	assert_int_equal(at_store_load(e, path, report, NULL), 0);
	assert_string_equal(reports, "");
	assert_string_equal(at_engine_get(e, "SOCKA", 1), "TCPS,192.168.0.7,23");
	assert_string_equal(at_engine_get(e, "WANN", 0),
			    "STATIC,192.168.0.7,255.255.255.0,192.168.0.1");
	/* a factory store saves to an empty file */
	assert_int_equal(at_store_save(e, path), 0);
	assert_string_equal(get("sernet.conf"), "");
	only("sernet.conf ");
	at_engine_free(e);
}

static void test_round_trip(void **state)
{
	struct at_engine *e = at_engine_new(NULL, NULL), *f;

	(void)state;
	assert_int_equal(at_engine_set(e, "PORT", 2, "/dev/ttyS1"), AT_OK);
	assert_int_equal(at_engine_set(e, "SOCKA", 2, "udpc,127.0.0.1,7000"), AT_OK);
	assert_int_equal(at_engine_set(e, "MID", 0, "a[2C]b"), AT_OK);
	assert_int_equal(at_engine_set(e, "UARTTL", 16, "10,512"), AT_OK);
	assert_int_equal(at_engine_set(e, "E", 0, "OFF"), AT_OK);
	assert_int_equal(at_store_save(e, path), 0);
	assert_string_equal(get("sernet.conf"),
			    "PORT2=/dev/ttyS1\n"
			    "AT+E=OFF\n"
			    "AT+MID=a[2C]b\n"
			    "AT+UARTTL16=10,512\n"
			    "AT+SOCKA2=UDPC,127.0.0.1,7000\n");
	only("sernet.conf ");
	f = at_engine_new(NULL, NULL);
	assert_int_equal(at_store_load(f, path, report, NULL), 0);
	assert_string_equal(reports, "");
	assert_string_equal(at_engine_get(f, "PORT", 2), "/dev/ttyS1");
	assert_string_equal(at_engine_get(f, "SOCKA", 2), "UDPC,127.0.0.1,7000");
	assert_string_equal(at_engine_get(f, "SOCKA", 1), "TCPS,192.168.0.7,23");
	assert_string_equal(at_engine_get(f, "MID", 0), "a[2C]b");
	assert_string_equal(at_engine_get(f, "UARTTL", 16), "10,512");
	assert_string_equal(at_engine_get(f, "E", 0), "OFF");
	/* saving again over the old file: the same text, no temp file left */
	assert_int_equal(at_store_save(f, path), 0);
	assert_string_equal(get("sernet.conf"),
			    "PORT2=/dev/ttyS1\nAT+E=OFF\nAT+MID=a[2C]b\n"
			    "AT+UARTTL16=10,512\nAT+SOCKA2=UDPC,127.0.0.1,7000\n");
	only("sernet.conf ");
	at_engine_free(e);
	at_engine_free(f);
}

static void test_bad_lines(void **state)
{
	struct at_engine *e = at_engine_new(NULL, NULL);

	(void)state;
	put("sernet.conf",
	    "AT+SOCKA1=TCPC,127.0.0.1,5000\n"   /* 1 */
	    "AT+UART1=9600,8,1,NONE\n"          /* 2: one parameter short */
	    "\n"                                /* 3: blank */
	    "at+mid=box\r\n"                    /* 4: case, CR LF */
	    "AT+WEBPORT=0\n"                    /* 5: out of range */
	    "garbage\n"                         /* 6 */
	    "AT+FUTURE7=1,2\n"                  /* 7: unknown: kept */
	    "# a comment\n"                     /* 8: kept */
	    "AT+VER=3\n"                        /* 9: not a setting */
	    "PORTx=/dev/ttyS0\n"                /* 10 */
	    "PORT1=/dev/ttyUSB0\n"              /* 11 */
	    "AT+MID\n"                          /* 12: a query */
	    "AT+UARTCLBUF=ON\n");               /* 13: no digit: port 1 */
	assert_int_equal(at_store_load(e, path, report, NULL), 0);
	assert_string_equal(reports,
			    "sernet.conf:2: invalid parameter (-4)\n"
			    "sernet.conf:5: invalid parameter (-4)\n"
			    "sernet.conf:6: invalid format (-1)\n"
			    "sernet.conf:9: not a stored setting (-3)\n"
			    "sernet.conf:10: invalid format (-1)\n"
			    "sernet.conf:12: invalid format (-1)\n");
	assert_string_equal(at_engine_get(e, "SOCKA", 1), "TCPC,127.0.0.1,5000");
	assert_string_equal(at_engine_get(e, "UART", 1), "115200,8,1,NONE,NFC");
	assert_string_equal(at_engine_get(e, "MID", 0), "box");
	assert_string_equal(at_engine_get(e, "WEBPORT", 0), "80");
	assert_string_equal(at_engine_get(e, "PORT", 1), "/dev/ttyUSB0");
	assert_string_equal(at_engine_get(e, "UARTCLBUF", 1), "ON");
	/* unknown lines are written back, bad ones are not */
	assert_int_equal(at_store_save(e, path), 0);
	assert_string_equal(get("sernet.conf"),
			    "PORT1=/dev/ttyUSB0\n"
			    "AT+MID=box\n"
			    "AT+SOCKA1=TCPC,127.0.0.1,5000\n"
			    "AT+UARTCLBUF1=ON\n"
			    "AT+FUTURE7=1,2\n"
			    "# a comment\n");
	/* loading again does not double them */
	assert_int_equal(at_store_load(e, path, NULL, NULL), 0);
	assert_int_equal(at_store_save(e, path), 0);
	assert_string_equal(get("sernet.conf"),
			    "PORT1=/dev/ttyUSB0\nAT+MID=box\nAT+SOCKA1=TCPC,127.0.0.1,5000\n"
			    "AT+UARTCLBUF1=ON\nAT+FUTURE7=1,2\n# a comment\n");
	at_engine_free(e);
}

static void test_cfgtf_reld(void **state)
{
	struct at_engine *e = at_engine_new(NULL, NULL);
	char out[256];
	unsigned int flags = 0;
	size_t n;

	(void)state;
	at_engine_set_path(e, path);
	assert_int_equal(at_engine_set(e, "E", 0, "OFF"), AT_OK);
	assert_int_equal(at_engine_set(e, "SOCKA", 1, "UDPS,0.0.0.0,9000"), AT_OK);
	n = at_engine_line(e, "AT+CFGTF", 8, out, sizeof(out), &flags);
	assert_int_equal(n, strlen("\r\n+OK=SAVED\r\n"));
	assert_memory_equal(out, "\r\n+OK=SAVED\r\n", n);
	assert_int_equal(flags, 0);
	assert_string_equal(get("sernet.conf.defaults"),
			    "AT+E=OFF\nAT+SOCKA1=UDPS,0.0.0.0,9000\n");
	/* change things, then RELD: back to the user defaults */
	assert_int_equal(at_engine_set(e, "SOCKA", 1, "TCPC,127.0.0.1,1"), AT_OK);
	assert_int_equal(at_engine_set(e, "MID", 0, "x"), AT_OK);
	n = at_engine_line(e, "AT+RELD", 7, out, sizeof(out), &flags);
	assert_memory_equal(out, "\r\n+OK\r\n", n);
	assert_int_equal(flags, AT_F_RELOAD | AT_F_SAVE);
	assert_string_equal(at_engine_get(e, "SOCKA", 1), "UDPS,0.0.0.0,9000");
	assert_string_equal(at_engine_get(e, "MID", 0), "USR-K3");
	assert_string_equal(at_engine_get(e, "E", 0), "OFF");
	/* without the defaults file: factory defaults */
	snprintf(out, sizeof(out), "%s.defaults", path);
	assert_int_equal(unlink(out), 0);
	assert_int_equal(at_engine_set(e, "MID", 0, "x"), AT_OK);
	at_engine_line(e, "AT+RELD", 7, out, sizeof(out), &flags);
	assert_string_equal(at_engine_get(e, "SOCKA", 1), "TCPS,192.168.0.7,23");
	assert_string_equal(at_engine_get(e, "E", 0), "ON");
	assert_string_equal(at_engine_get(e, "MID", 0), "USR-K3");
	at_engine_free(e);
}

/* A factory value the user gave is kept as given (--wan applies it) */
static void test_given_factory_value(void **state)
{
	struct at_engine *e = at_engine_new(NULL, NULL);
	char def[128], want[160];
	unsigned int flags = 0;
	char out[256];

	(void)state;
	snprintf(def, sizeof(def), "%s", at_engine_get(e, "WANN", 0));
	assert_string_equal(def, "STATIC,192.168.0.7,255.255.255.0,192.168.0.1");
	assert_int_equal(at_engine_given(e, "WANN", 0), 0);
	assert_int_equal(at_engine_set(e, "WANN", 0, def), AT_OK);
	assert_int_equal(at_engine_given(e, "WANN", 0), 1);
	assert_int_equal(at_engine_given(e, "DNS", 0), 0);
	assert_int_equal(at_store_save(e, path), 0);
	snprintf(want, sizeof(want), "AT+WANN=%s\n", def);
	assert_string_equal(get("sernet.conf"), want);
	at_engine_free(e);
	e = at_engine_new(NULL, NULL);
	assert_int_equal(at_store_load(e, path, report, NULL), 0);
	assert_int_equal(at_engine_given(e, "WANN", 0), 1);
	/* AT+RELD without user defaults: the factory's, not given */
	at_engine_set_path(e, path);
	at_engine_line(e, "AT+RELD", 7, out, sizeof(out), &flags);
	assert_int_equal(at_engine_given(e, "WANN", 0), 0);
	assert_int_equal(at_store_save(e, path), 0);
	assert_string_equal(get("sernet.conf"), "");
	at_engine_free(e);
}

/* Saves a kill cut short leave temp files: the next load removes them */
static void test_stale_temps_removed(void **state)
{
	struct at_engine *e = at_engine_new(NULL, NULL);

	(void)state;
	put("sernet.conf", "AT+MID=X\n");
	put("sernet.conf.defaults", "AT+MID=Y\n");
	put("sernet.conf.Ab12Cd", "AT+MID=cut sho");
	put("sernet.conf.defaults.Xy34Zw", "AT+MI");
	assert_int_equal(at_store_load(e, path, report, NULL), 0);
	assert_string_equal(at_engine_get(e, "MID", 0), "X");
	only("sernet.conf sernet.conf.defaults ");
	assert_string_equal(reports, "");
	at_engine_free(e);
}

static void test_save_fails(void **state)
{
	struct at_engine *e = at_engine_new(NULL, NULL);
	char p[160];

	(void)state;
	/* a folder that does not exist: an error, nothing written */
	snprintf(p, sizeof(p), "%s/none/sernet.conf", dir);
	assert_true(at_store_save(e, p) < 0);
	put("sernet.conf", "AT+MID=old\n");
	/* the target is a folder: rename fails, the temp file is removed */
	snprintf(p, sizeof(p), "%s/sub", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	assert_true(at_store_save(e, p) < 0);
	rmdir(p);
	only("sernet.conf ");
	assert_string_equal(get("sernet.conf"), "AT+MID=old\n");
	/* an unreadable file (a folder) is an error, not defaults */
	assert_int_equal(mkdir(p, 0700), 0);
	assert_true(at_store_load(e, p, report, NULL) < 0);
	rmdir(p);
	at_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cfgtf_reld, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_given_factory_value, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_temps_removed, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
