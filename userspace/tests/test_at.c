// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: the AT engine (userspace/sernetd/at.c, at_table.c) as a user
 * types at it. Expected values are usr-k3-at-command-set.txt's and
 * PROTOCOLS.md section 1's, written out here by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../sernetd/at.h"

static char ans[8192];
static unsigned int flags;

/* the whole answer to one line, echo included when E is ON */
static const char *run(struct at_engine *e, const char *line)
{
	size_t n;

	flags = 0;
	n = at_engine_line(e, line, strlen(line), ans, sizeof(ans) - 1, &flags);
	ans[n] = '\0';
	return ans;
}

static struct at_engine *quiet(const struct at_ops *ops, void *priv)
{
	struct at_engine *e = at_engine_new(ops, priv);

	assert_non_null(e);
	assert_int_equal(at_engine_set(e, "E", 0, "OFF"), AT_OK);
	return e;
}

#define OK		"\r\n+OK\r\n"
#define ERR(n)		"\r\n+ERR=" #n "\r\n"
#define Q(v)		"\r\n+OK=" v "\r\n"

/* every stored command's factory default, as the seed prints it */
static const char *const defaults[][2] = {
	{ "AT+E", "ON" },
	{ "AT+MID", "USR-K3" },
	{ "AT+WANN", "STATIC,192.168.0.7,255.255.255.0,192.168.0.1" },
	{ "AT+DNS", "192.168.0.1" },
	{ "AT+SEARCH", "48899,WWW.USR.CN" },
	{ "AT+RSTIM", "3600" },
	{ "AT+WEBU", "admin,admin" },
	{ "AT+WEBPORT", "80" },
	{ "AT+PLANG", "EN" },
	{ "AT+UART1", "115200,8,1,NONE,NFC" },
	{ "AT+UARTTL1", "0,0" },
	{ "AT+SOCKA1", "TCPS,192.168.0.7,23" },
	{ "AT+WEBSOCKPORT1", "6432" },
	{ "AT+RFCEN1", "ON" },
	{ "AT+SOCKSL1", "OFF" },
	{ "AT+SHORTO1", "3" },
	{ "AT+SOCKTON1", "86400" },
	{ "AT+NETPR1", "OFF" },
	{ "AT+UDPON1", "OFF" },
	{ "AT+UARTCLBUF", "OFF" },
	{ "AT+UARTCLBUF1", "OFF" },
	{ "AT+MODTCP1", "OFF" },
	{ "AT+MODPOLL1", "OFF" },
	{ "AT+MODTO1", "200" },
	{ "AT+REGEN1", "OFF" },
	{ "AT+REGTCP1", "First" },
	{ "AT+REGUSR1", "www.usr.cn" },
	{ "AT+REGUSER1", "www.usr.cn,ASCII" },
	{ "AT+REGCLOUD1", "" },
	{ "AT+HEARTEN1", "OFF" },
	{ "AT+HEARTTP1", "NONE" },
	{ "AT+HEARTTM1", "30" },
	{ "AT+HEARTDT1", "www.usr.cn" },
	{ "AT+HEARTUSER1", "www.usr.cn,ASCII" },
	{ "AT+HTPTP1", "GET" },
	{ "AT+HTPURL1", "/1.php?" },
	{ "AT+HTPHEAD1", "User_Agent: Mozilla/4.0" },
	{ "AT+HTPCHD1", "OFF" },
};

static void test_defaults(void **state)
{
	struct at_engine *e = at_engine_new(NULL, NULL);
	char want[512], line[64];

	(void)state;
	assert_string_equal(run(e, "AT+E"), "AT+E" Q("ON"));
	assert_int_equal(at_engine_set(e, "E", 0, "OFF"), AT_OK);
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		snprintf(want, sizeof(want), "\r\n+OK=%s\r\n", defaults[i][1]);
		if (!strcmp(defaults[i][0], "AT+E"))
			snprintf(want, sizeof(want), "\r\n+OK=OFF\r\n");
		assert_string_equal(run(e, defaults[i][0]), want);
		/* AT+NAME? is the same query; port 16 has the same defaults */
		snprintf(line, sizeof(line), "%s?", defaults[i][0]);
		assert_string_equal(run(e, line), want);
		if (defaults[i][0][strlen(defaults[i][0]) - 1] == '1') {
			snprintf(line, sizeof(line), "%s6", defaults[i][0]);
			assert_string_equal(run(e, line), want);
		}
		assert_int_equal(flags, 0);
	}
	at_engine_free(e);
}

/* a set accepted, then queried back canonically */
static void set_ok(struct at_engine *e, const char *cmd, const char *val, const char *canon)
{
	char line[1200], want[1200];

	snprintf(line, sizeof(line), "%s=%s", cmd, val);
	assert_string_equal(run(e, line), OK);
	assert_int_equal(flags, AT_F_SAVE);
	snprintf(want, sizeof(want), "\r\n+OK=%s\r\n", canon ? canon : val);
	assert_string_equal(run(e, cmd), want);
}

/* a set refused with code, the stored value unchanged */
static void set_err(struct at_engine *e, const char *cmd, const char *val, const char *code)
{
	char line[1200], before[sizeof(ans)], want[64];

	snprintf(before, sizeof(before), "%s", run(e, cmd));
	snprintf(line, sizeof(line), "%s=%s", cmd, val);
	snprintf(want, sizeof(want), "\r\n+ERR=%s\r\n", code);
	assert_string_equal(run(e, line), want);
	assert_int_equal(flags, 0);
	assert_string_equal(run(e, cmd), before);
}

static void test_ranges(void **state)
{
	struct at_engine *e = quiet(NULL, NULL);
	char s[200], t[200];

	(void)state;
	set_ok(e, "AT+MID", "A", NULL);
	set_ok(e, "AT+MID", "ABCDEFGHIJKLMNO", NULL);
	set_err(e, "AT+MID", "ABCDEFGHIJKLMNOP", "-4");
	set_err(e, "AT+MID", "", "-4");
	set_ok(e, "AT+SEARCH", "1,K", NULL);
	set_ok(e, "AT+SEARCH", "65535,ABCDEFGHIJKLMNOPQRST", NULL);
	set_err(e, "AT+SEARCH", "0,K", "-4");
	set_err(e, "AT+SEARCH", "65536,K", "-4");
	set_err(e, "AT+SEARCH", "1,ABCDEFGHIJKLMNOPQRSTU", "-4");
	set_err(e, "AT+SEARCH", "1", "-4");
	set_err(e, "AT+SEARCH", "1,K,x", "-4");
	set_ok(e, "AT+RSTIM", "0", NULL);
	set_ok(e, "AT+RSTIM", "60", NULL);
	set_ok(e, "AT+RSTIM", "65535", NULL);
	set_err(e, "AT+RSTIM", "59", "-4");
	set_err(e, "AT+RSTIM", "1", "-4");
	set_err(e, "AT+RSTIM", "65536", "-4");
	set_err(e, "AT+RSTIM", "x", "-4");
	set_err(e, "AT+RSTIM", "-1", "-4");
	set_ok(e, "AT+WEBU", "a,b", NULL);
	set_ok(e, "AT+WEBU", "abcdef,ABCDEF", NULL);
	set_err(e, "AT+WEBU", "abcdefg,a", "-4");
	set_err(e, "AT+WEBU", "a,abcdefg", "-4");
	set_ok(e, "AT+WEBPORT", "1", NULL);
	set_ok(e, "AT+WEBPORT", "65535", NULL);
	set_err(e, "AT+WEBPORT", "0", "-4");
	set_err(e, "AT+WEBPORT", "65536", "-4");
	set_ok(e, "AT+PLANG", "ch", "CH");
	set_err(e, "AT+PLANG", "DE", "-4");
	set_ok(e, "AT+UART1", "600,5,2,even,fc", "600,5,2,EVEN,FC");
	set_ok(e, "AT+UART1", "1024000,8,1,SPACE,NFC", NULL);
	set_ok(e, "AT+UART1", "9600,7,1,MASK,NFC", NULL);
	set_ok(e, "AT+UART1", "9600,6,1,ODD,NFC", NULL);
	set_err(e, "AT+UART1", "599,8,1,NONE,NFC", "-4");
	set_err(e, "AT+UART1", "1024001,8,1,NONE,NFC", "-4");
	set_err(e, "AT+UART1", "9600,4,1,NONE,NFC", "-4");
	set_err(e, "AT+UART1", "9600,9,1,NONE,NFC", "-4");
	set_err(e, "AT+UART1", "9600,8,3,NONE,NFC", "-4");
	set_err(e, "AT+UART1", "9600,8,1,MARK,NFC", "-4");
	set_err(e, "AT+UART1", "9600,8,1,NONE,XON", "-4");
	set_err(e, "AT+UART1", "9600,8,1,NONE", "-4");
	set_ok(e, "AT+UARTTL1", "255,1460", NULL);
	set_ok(e, "AT+UARTTL1", "0,0", NULL);
	set_err(e, "AT+UARTTL1", "256,0", "-4");
	set_err(e, "AT+UARTTL1", "0,1461", "-4");
	set_ok(e, "AT+SOCKA1", "tcpc,127.0.0.1,1", "TCPC,127.0.0.1,1");
	set_ok(e, "AT+SOCKA1", "UDPS,0.0.0.0,65535", NULL);
	set_ok(e, "AT+SOCKA1", "UDPC,255.255.255.255,7", NULL);
	set_ok(e, "AT+SOCKA1", "HTPC,127.0.0.1,80", NULL);
	set_ok(e, "AT+SOCKA1", "TCPS,127.0.0.1,23", NULL);
	set_err(e, "AT+SOCKA1", "TCPX,127.0.0.1,23", "-4");
	set_err(e, "AT+SOCKA1", "TCPS,256.0.0.1,23", "-4");
	set_err(e, "AT+SOCKA1", "TCPS,1.2.3,23", "-4");
	set_err(e, "AT+SOCKA1", "TCPS,1.2.3.4.5,23", "-4");
	set_err(e, "AT+SOCKA1", "TCPS,1.2.3.04,23", "-4");
	set_err(e, "AT+SOCKA1", "TCPS,1.2.3.x,23", "-4");
	set_err(e, "AT+SOCKA1", "TCPS,127.0.0.1,0", "-4");
	set_err(e, "AT+SOCKA1", "TCPS,127.0.0.1,65536", "-4");
	set_ok(e, "AT+WEBSOCKPORT1", "1", NULL);
	set_ok(e, "AT+WEBSOCKPORT1", "65535", NULL);
	set_err(e, "AT+WEBSOCKPORT1", "0", "-4");
	set_err(e, "AT+WEBSOCKPORT1", "65536", "-4");
	set_ok(e, "AT+RFCEN1", "off", "OFF");
	set_err(e, "AT+RFCEN1", "1", "-4");
	set_ok(e, "AT+SOCKSL1", "ON", NULL);
	set_ok(e, "AT+SHORTO1", "2", NULL);
	set_ok(e, "AT+SHORTO1", "255", NULL);
	set_err(e, "AT+SHORTO1", "1", "-4");
	set_err(e, "AT+SHORTO1", "256", "-4");
	set_ok(e, "AT+SOCKTON1", "1", NULL);
	set_ok(e, "AT+SOCKTON1", "99999", NULL);
	set_err(e, "AT+SOCKTON1", "0", "-4");
	set_err(e, "AT+SOCKTON1", "100000", "-4");
	set_ok(e, "AT+NETPR1", "ON", NULL);
	set_ok(e, "AT+UDPON1", "ON", NULL);
	set_ok(e, "AT+UARTCLBUF", "ON", NULL);
	set_ok(e, "AT+UARTCLBUF2", "ON", NULL);
	set_ok(e, "AT+MODTCP1", "ON", NULL);
	set_ok(e, "AT+MODPOLL1", "ON", NULL);
	set_ok(e, "AT+MODTO1", "200", NULL);
	set_ok(e, "AT+MODTO1", "9999", NULL);
	set_err(e, "AT+MODTO1", "199", "-4");
	set_err(e, "AT+MODTO1", "10000", "-4");
	set_ok(e, "AT+REGEN1", "mac", "MAC");
	set_ok(e, "AT+REGEN1", "CLOUD", NULL);
	set_ok(e, "AT+REGEN1", "USR", NULL);
	set_err(e, "AT+REGEN1", "ON", "-4");
	set_ok(e, "AT+REGTCP1", "EVERY", "Every");
	set_ok(e, "AT+REGTCP1", "all", "ALL");
	set_ok(e, "AT+REGTCP1", "first", "First");
	set_err(e, "AT+REGTCP1", "NEVER", "-4");
	memset(s, 'a', 40);
	s[40] = '\0';
	set_ok(e, "AT+REGUSR1", s, NULL);
	set_ok(e, "AT+HEARTDT1", s, NULL);
	set_ok(e, "AT+REGUSR1", "a", NULL);
	set_ok(e, "AT+HEARTDT1", "a", NULL);
	set_err(e, "AT+REGUSR1", "", "-4");
	set_err(e, "AT+HEARTDT1", "", "-4");
	strcat(s, "a");
	set_err(e, "AT+REGUSR1", s, "-4");
	set_err(e, "AT+HEARTDT1", s, "-4");
	/* ASCII: less than 40 bytes; HEX: hex pairs, less than 80 */
	s[39] = '\0';
	strcpy(t, s);
	strcat(t, ",ASCII");
	set_ok(e, "AT+REGUSER1", t, NULL);
	set_ok(e, "AT+HEARTUSER1", t, NULL);
	strcpy(t, s);
	strcat(t, "a,ASCII");
	set_err(e, "AT+REGUSER1", t, "-4");
	set_err(e, "AT+HEARTUSER1", t, "-4");
	memset(t, 'f', 78);
	strcpy(t + 78, ",hex");
	memset(s, 'F', 78);
	strcpy(s + 78, ",HEX");
	set_ok(e, "AT+REGUSER1", t, s);
	set_ok(e, "AT+HEARTUSER1", t, s);
	set_ok(e, "AT+REGUSER1", "0A,HEX", NULL);
	strcpy(s, "00");
	for (int i = 0; i < 39; i++)
		strcat(s, "00");
	strcat(s, ",HEX");
	set_err(e, "AT+REGUSER1", s, "-4");
	set_err(e, "AT+REGUSER1", "ABC,HEX", "-4");
	set_err(e, "AT+REGUSER1", "GG,HEX", "-4");
	set_err(e, "AT+REGUSER1", "AB,BIN", "-4");
	set_ok(e, "AT+REGCLOUD1", "00000000000000000001,12345678", NULL);
	set_err(e, "AT+REGCLOUD1", "0000000000000000001,12345678", "-4");
	set_err(e, "AT+REGCLOUD1", "000000000000000000001,12345678", "-4");
	set_err(e, "AT+REGCLOUD1", "00000000000000000001,1234567", "-4");
	set_err(e, "AT+REGCLOUD1", "00000000000000000001,123456789", "-4");
	set_ok(e, "AT+HEARTEN1", "ON", NULL);
	set_ok(e, "AT+HEARTTP1", "NET", NULL);
	set_ok(e, "AT+HEARTTP1", "COM", NULL);
	set_err(e, "AT+HEARTTP1", "UDP", "-4");
	set_ok(e, "AT+HEARTTM1", "1", NULL);
	set_ok(e, "AT+HEARTTM1", "65535", NULL);
	set_err(e, "AT+HEARTTM1", "0", "-4");
	set_err(e, "AT+HEARTTM1", "65536", "-4");
	set_ok(e, "AT+HTPTP1", "post", "POST");
	set_err(e, "AT+HTPTP1", "PUT", "-4");
	memset(s, 'u', 100);
	s[100] = '\0';
	set_ok(e, "AT+HTPURL1", s, NULL);
	set_ok(e, "AT+HTPURL1", "/", NULL);
	set_err(e, "AT+HTPURL1", "", "-4");
	strcat(s, "u");
	set_err(e, "AT+HTPURL1", s, "-4");
	set_ok(e, "AT+HTPHEAD1", "", NULL);
	set_ok(e, "AT+HTPHEAD1", "Host: x<<CRLF>>", NULL);
	memset(s, 'h', 180);
	s[180] = '\0';
	set_ok(e, "AT+HTPHEAD1", s, NULL);
	strcat(s, "h");
	set_err(e, "AT+HTPHEAD1", s, "-4");
	set_ok(e, "AT+HTPCHD1", "ON", NULL);
	at_engine_free(e);
}

/* each port has its own settings; 1..16 */
static void test_ports(void **state)
{
	struct at_engine *e = quiet(NULL, NULL);

	(void)state;
	set_ok(e, "AT+SOCKA2", "TCPC,127.0.0.1,5000", NULL);
	assert_string_equal(run(e, "AT+SOCKA"), Q("TCPS,192.168.0.7,23"));
	assert_string_equal(run(e, "AT+SOCKA1"), Q("TCPS,192.168.0.7,23"));
	assert_string_equal(at_engine_get(e, "SOCKA", 2), "TCPC,127.0.0.1,5000");
	set_ok(e, "AT+UART16", "9600,8,1,NONE,NFC", NULL);
	assert_string_equal(run(e, "AT+UART17"), ERR(-2));
	assert_string_equal(run(e, "AT+UART0"), ERR(-2));
	assert_string_equal(run(e, "AT+UART01"), ERR(-2));
	assert_string_equal(run(e, "AT+MID1"), ERR(-2));
	assert_null(at_engine_get(e, "SOCKA", 0));
	assert_null(at_engine_get(e, "SOCKA", 17));
	assert_null(at_engine_get(e, "MID", 1));
	assert_string_equal(at_engine_get(e, "MID", 0), "USR-K3");
	assert_null(at_engine_get(e, "NOPE", 0));
	assert_int_equal(at_engine_set(e, "SOCKA", 3, "UDPS,0.0.0.0,9"), AT_OK);
	assert_string_equal(run(e, "AT+SOCKA3"), Q("UDPS,0.0.0.0,9"));
	assert_int_equal(at_engine_set(e, "SOCKA", 3, "UDPS"), AT_EPARAM);
	assert_int_equal(at_engine_set(e, "VER", 0, "1"), AT_EOP);
	assert_int_equal(at_engine_set(e, "NOPE", 0, "1"), AT_EUNKNOWN);
	/* the tty mapping is stored, but not an AT command */
	assert_null(at_engine_get(e, "PORT", 1));
	assert_int_equal(at_engine_set(e, "PORT", 1, "/dev/ttyS1"), AT_OK);
	assert_string_equal(at_engine_get(e, "PORT", 1), "/dev/ttyS1");
	assert_int_equal(at_engine_set(e, "PORT", 1, "ttyS1"), AT_EPARAM);
	assert_int_equal(at_engine_set(e, "PORT", 17, "/dev/ttyS1"), AT_EUNKNOWN);
	assert_string_equal(run(e, "AT+PORT"), ERR(-2));
	assert_string_equal(run(e, "AT+PORT1=/dev/ttyS2"), ERR(-2));
	at_engine_free(e);
}

static void test_errors(void **state)
{
	struct at_engine *e = quiet(NULL, NULL);

	(void)state;
	/* -1: malformed */
	assert_string_equal(run(e, ""), ERR(-1));
	assert_string_equal(run(e, "A"), ERR(-1));
	assert_string_equal(run(e, "XT+MID"), ERR(-1));
	assert_string_equal(run(e, "ATMID"), ERR(-1));
	assert_string_equal(run(e, "AT+"), ERR(-1));
	assert_string_equal(run(e, "AT+=1"), ERR(-1));
	assert_string_equal(run(e, "AT+?"), ERR(-1));
	assert_string_equal(run(e, "AT+MID??"), ERR(-1));
	assert_string_equal(run(e, "AT+MID x"), ERR(-1));
	assert_string_equal(run(e, "AT+MID=[4"), ERR(-1));
	assert_string_equal(run(e, "AT+MID=[4G]"), ERR(-1));
	assert_string_equal(run(e, "AT+MID=[00]"), ERR(-1));
	assert_string_equal(run(e, "AT+MID"), Q("USR-K3"));
	assert_int_equal(at_engine_line(e, "AT\0+", 4, ans, sizeof(ans), &flags), 11);
	/* -2: unknown */
	assert_string_equal(run(e, "AT+NOPE"), ERR(-2));
	assert_string_equal(run(e, "AT+NOPE=1"), ERR(-2));
	assert_string_equal(run(e, "AT+PING"), ERR(-2));
	/* -3: wrong operator */
	assert_string_equal(run(e, "AT+VER=1"), ERR(-3));
	assert_string_equal(run(e, "AT+MAC=D8B04C000001"), ERR(-3));
	assert_string_equal(run(e, "AT+PDTIME=1"), ERR(-3));
	assert_string_equal(run(e, "AT+ENTM="), ERR(-3));
	assert_string_equal(run(e, "AT+Z=1"), ERR(-3));
	assert_string_equal(run(e, "AT+RELD=1"), ERR(-3));
	assert_string_equal(run(e, "AT+CFGTF=1"), ERR(-3));
	assert_string_equal(run(e, "AT+USERMAC"), ERR(-3));
	assert_string_equal(run(e, "AT+USERMAC?"), ERR(-3));
	assert_string_equal(run(e, "AT+PING1"), ERR(-3));
	assert_int_equal(flags, 0);
	/* -5: nobody to ask (no ops) */
	assert_string_equal(run(e, "AT+VER"), ERR(-5));
	assert_string_equal(run(e, "AT+SOCKLKA1"), ERR(-5));
	assert_string_equal(run(e, "AT+SOCKLKA1=LISTEN"), ERR(-5));
	assert_string_equal(run(e, "AT+PING1=127.0.0.1"), ERR(-5));
	assert_string_equal(run(e, "AT+WANN=DHCP,0.0.0.0,0.0.0.0,0.0.0.0"), ERR(-5));
	assert_string_equal(run(e, "AT+WANN"), Q("STATIC,192.168.0.7,255.255.255.0,192.168.0.1"));
	assert_string_equal(run(e, "AT+CFGTF"), ERR(-5));      /* no config path */
	/* overlong: more than 1024 bytes */
	{
		char l[1100];

		memcpy(l, "AT+MID=", 7);
		memset(l + 7, 'a', sizeof(l) - 7);
		assert_int_equal(at_engine_line(e, l, 1025, ans, sizeof(ans), &flags), 11);
		assert_memory_equal(ans, ERR(-1), 11);
		memcpy(l, "AT+HTPURL1=", 11);
		assert_int_equal(at_engine_line(e, l, 1024, ans, sizeof(ans), &flags), 11);
		assert_memory_equal(ans, ERR(-4), 11);
	}
	at_engine_free(e);
}

static void test_syntax(void **state)
{
	struct at_engine *e = at_engine_new(NULL, NULL);

	(void)state;
	/* echo ON by default: the line as received, then the answer */
	assert_string_equal(run(e, "AT"), "AT" OK);
	assert_string_equal(run(e, "at+mid"), "at+mid" Q("USR-K3"));
	assert_string_equal(run(e, "AT+E=OFF"), "AT+E=OFF" OK);
	assert_int_equal(flags, AT_F_SAVE);
	assert_string_equal(run(e, "AT+E"), Q("OFF"));
	assert_string_equal(run(e, "AT"), OK);
	assert_string_equal(run(e, "aT"), OK);
	/* case */
	assert_string_equal(run(e, "At+SockA1?"), Q("TCPS,192.168.0.7,23"));
	assert_string_equal(run(e, "at+uart2=9600,8,1,none,nfc"), OK);
	assert_string_equal(run(e, "AT+UART2"), Q("9600,8,1,NONE,NFC"));
	/* escapes: [hh] in, the same out for , ; [ and control bytes */
	assert_string_equal(run(e, "AT+MID=a[2C]b[3D]c"), OK);
	assert_string_equal(run(e, "AT+MID"), Q("a[2C]b=c"));
	assert_string_equal(at_engine_get(e, "MID", 0), "a[2C]b=c");
	assert_string_equal(run(e, "AT+MID=[3b][5b][0D][0a]"), OK);
	assert_string_equal(run(e, "AT+MID"), Q("[3B][5B][0D][0A]"));
	assert_string_equal(run(e, "AT+MID=[41][42]"), OK);
	assert_string_equal(run(e, "AT+MID"), Q("AB"));
	/* an escape counts one byte: 15 escaped bytes fit MID */
	assert_string_equal(run(e, "AT+MID=[2C][2C][2C][2C][2C][2C][2C][2C][2C][2C][2C][2C][2C][2C][2C]"),
			    OK);
	assert_string_equal(run(e, "AT+MID=[2C][2C][2C][2C][2C][2C][2C][2C][2C][2C][2C][2C][2C][2C][2C]a"),
			    ERR(-4));
	/* ; : each answered in turn; AT+ optional after the first */
	assert_string_equal(run(e, "AT+MID=X;AT+MID;WEBPORT;AT+NOPE;AT+WEBPORT=0;PLANG"),
			    OK Q("X") Q("80") ERR(-2) ERR(-4) Q("EN"));
	assert_int_equal(flags, AT_F_SAVE);
	assert_string_equal(run(e, "AT+MID;"), Q("X") ERR(-1));
	/* ENTM and Z end the line */
	assert_string_equal(run(e, "AT+MID=Y;AT+ENTM;AT+MID=Z"), OK OK);
	assert_int_equal(flags, AT_F_SAVE | AT_F_LEAVE);
	assert_string_equal(run(e, "AT+MID"), Q("Y"));
	assert_string_equal(run(e, "AT+Z;AT+MID=Z"), OK);
	assert_int_equal(flags, AT_F_RESTART);
	assert_string_equal(run(e, "AT+ENTM"), OK);
	assert_int_equal(flags, AT_F_LEAVE);
	assert_string_equal(run(e, "AT+MID"), Q("Y"));
	/* the answer never overruns the buffer */
	assert_int_equal(at_engine_line(e, "AT+MID", 6, ans, 4, &flags), 4);
	assert_memory_equal(ans, "\r\n+O", 4);
	at_engine_free(e);
}

static void test_reld(void **state)
{
	struct at_engine *e = quiet(NULL, NULL);

	(void)state;
	set_ok(e, "AT+SOCKA2", "UDPC,127.0.0.1,7", NULL);
	set_ok(e, "AT+MID", "box", NULL);
	assert_int_equal(at_engine_set(e, "PORT", 2, "/dev/ttyS2"), AT_OK);
	assert_string_equal(run(e, "AT+RELD"), OK);
	assert_int_equal(flags, AT_F_RELOAD | AT_F_SAVE);
	/* echo is back ON, the factory default */
	assert_string_equal(run(e, "AT+E"), "AT+E" Q("ON"));
	assert_int_equal(at_engine_set(e, "E", 0, "OFF"), AT_OK);
	assert_string_equal(run(e, "AT+SOCKA2"), Q("TCPS,192.168.0.7,23"));
	assert_string_equal(run(e, "AT+MID"), Q("USR-K3"));
	/* the port mapping is not a setting */
	assert_string_equal(at_engine_get(e, "PORT", 2), "/dev/ttyS2");
	at_engine_free(e);
}

struct live {
	int wan;        /* WANN/DNS sets allowed, queries from the store */
	char last[128];
};

static int l_query(void *priv, const char *name, int port, char *out, size_t outsz)
{
	struct live *l = priv;

	if (!strcmp(name, "VER"))
		snprintf(out, outsz, "sernetd 1, sernet 2");
	else if (!strcmp(name, "MAC"))
		snprintf(out, outsz, "D8B04C000001");
	else if (!strcmp(name, "PDTIME"))
		snprintf(out, outsz, "2026-12-02");
	else if (!strcmp(name, "SOCKLKA"))
		snprintf(out, outsz, port == 1 ? "LISTEN" : "CONNECTED(2)");
	else if (!strcmp(name, "WANN") && !l->wan)
		snprintf(out, outsz, "DHCP,10.0.2.15,255.255.255.0,10.0.2.2");
	else if (!strcmp(name, "DNS") && !l->wan)
		snprintf(out, outsz, "10.0.2.3");
	else
		return AT_EUNKNOWN;
	return AT_OK;
}

static int l_action(void *priv, const char *name, int port, const char *params,
		    char *out, size_t outsz)
{
	struct live *l = priv;

	snprintf(l->last, sizeof(l->last), "%s%d=%s", name, port, params);
	if (!strcmp(name, "PING1")) {
		snprintf(out, outsz, strcmp(params, "127.0.0.1") ? "TIMEOUT" : "SUCCESS");
		return AT_OK;
	}
	if (!strcmp(name, "USERMAC") || !strcmp(name, "WANN") || !strcmp(name, "DNS"))
		return l->wan ? AT_OK : AT_EPERM;
	return AT_EUNKNOWN;
}

static void test_live(void **state)
{
	static const struct at_ops ops = { l_query, l_action };
	struct live l = { 0, "" };
	struct at_engine *e = quiet(&ops, &l);

	(void)state;
	assert_string_equal(run(e, "AT+VER"), Q("sernetd 1, sernet 2"));
	assert_string_equal(run(e, "AT+MAC"), Q("D8B04C000001"));
	assert_string_equal(run(e, "AT+PDTIME?"), Q("2026-12-02"));
	assert_string_equal(run(e, "AT+SOCKLKA1"), Q("LISTEN"));
	assert_string_equal(run(e, "AT+SOCKLKA3"), Q("CONNECTED(2)"));
	assert_string_equal(run(e, "AT+SOCKLKA1=IDLE"), ERR(-5));
	assert_string_equal(run(e, "AT+PING1=127.0.0.1"), Q("SUCCESS"));
	assert_string_equal(l.last, "PING10=127.0.0.1");
	assert_string_equal(run(e, "AT+PING1=example-host.lan"), Q("TIMEOUT"));
	assert_string_equal(run(e, "AT+PING1=ABCDEFGHIJKLMNOPQRSTUVWXYZ1234"), Q("TIMEOUT"));
	assert_string_equal(run(e, "AT+PING1=ABCDEFGHIJKLMNOPQRSTUVWXYZ12345"), ERR(-4));
	assert_string_equal(run(e, "AT+PING1=256.1.1.1"), ERR(-4));
	assert_string_equal(run(e, "AT+PING1="), ERR(-4));
	assert_int_equal(flags, 0);
	/* without --wan: live settings shown, sets refused and not stored */
	assert_string_equal(run(e, "AT+WANN"), Q("DHCP,10.0.2.15,255.255.255.0,10.0.2.2"));
	assert_string_equal(run(e, "AT+DNS"), Q("10.0.2.3"));
	assert_string_equal(run(e, "AT+DNS=127.0.0.53"), ERR(-5));
	assert_string_equal(run(e, "AT+USERMAC=d8b04c000002"), ERR(-5));
	assert_string_equal(l.last, "USERMAC0=D8B04C000002");
	assert_string_equal(at_engine_get(e, "DNS", 0), "192.168.0.1");
	assert_string_equal(at_engine_get(e, "USERMAC", 0), "");
	assert_int_equal(flags, 0);
	/* with --wan: stored, shown from the store */
	l.wan = 1;
	assert_string_equal(run(e, "AT+WANN"), Q("STATIC,192.168.0.7,255.255.255.0,192.168.0.1"));
	assert_string_equal(run(e, "AT+WANN=dhcp,0.0.0.0,0.0.0.0,0.0.0.0"), OK);
	assert_int_equal(flags, AT_F_SAVE);
	assert_string_equal(run(e, "AT+WANN"), Q("DHCP,0.0.0.0,0.0.0.0,0.0.0.0"));
	assert_string_equal(run(e, "AT+WANN=AUTO,0.0.0.0,0.0.0.0,0.0.0.0"), ERR(-4));
	assert_string_equal(run(e, "AT+DNS=127.0.0.53"), OK);
	assert_string_equal(run(e, "AT+DNS"), Q("127.0.0.53"));
	assert_string_equal(run(e, "AT+USERMAC=D8B04C000002"), OK);
	/* stored (applied at the next restart), yet set only as on the K3 */
	assert_int_equal(flags, AT_F_SAVE);
	assert_string_equal(at_engine_get(e, "USERMAC", 0), "D8B04C000002");
	assert_int_equal(at_engine_given(e, "USERMAC", 0), 1);
	assert_string_equal(run(e, "AT+USERMAC"), ERR(-3));
	assert_string_equal(run(e, "AT+USERMAC=D8B04C00000"), ERR(-4));
	assert_string_equal(run(e, "AT+USERMAC=D8B04C00000G"), ERR(-4));
	assert_string_equal(at_engine_get(e, "USERMAC", 0), "D8B04C000002");
	at_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_reld),
		cmocka_unit_test(test_live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
