// SPDX-License-Identifier: GPL-2.0
/*
 * The one table of the K3 AT command set (usr-k3-at-command-set.txt):
 * every command, its parameters, ranges and factory defaults.
 */
#include <string.h>
#include <strings.h>

#include "at_int.h"

static const char *const onoff[] = { "ON", "OFF", NULL };
static const char *const wanmode[] = { "STATIC", "DHCP", NULL };
static const char *const lang[] = { "EN", "CH", NULL };
static const char *const dbits[] = { "5", "6", "7", "8", NULL };
static const char *const sbits[] = { "1", "2", NULL };
static const char *const parity[] = { "NONE", "EVEN", "ODD", "MASK", "SPACE", NULL };
static const char *const flow[] = { "NFC", "FC", NULL };
static const char *const proto[] = { "TCPS", "TCPC", "UDPS", "UDPC", "HTPC", NULL };
static const char *const regen[] = { "OFF", "MAC", "CLOUD", "USR", NULL };
static const char *const regtcp[] = { "First", "Every", "ALL", NULL };
static const char *const dtype[] = { "ASCII", "HEX", NULL };
static const char *const hearttp[] = { "NONE", "NET", "COM", NULL };
static const char *const method[] = { "GET", "POST", NULL };

#define INT(n, lo, hi, d)	{ n, AT_T_INT, lo, hi, 0, NULL, d }
#define ENUM(n, v, d)		{ n, AT_T_ENUM, 0, 0, 0, v, d }
#define STR(n, lo, hi, d)	{ n, AT_T_STR, lo, hi, 0, NULL, d }
#define IP(n, d)		{ n, AT_T_IP, 0, 0, 0, NULL, d }
#define STATUS(d)		ENUM("Status", onoff, d)
#define NONE			{ NULL, AT_T_STR, 0, 0, 0, NULL, NULL }

const struct at_cmd at_cmds[] = {
	{ "ENTM", 0, AT_K_ACTION, 0, "leave command mode, back to work mode", { NONE } },
	{ "Z", 0, AT_K_ACTION, 0, "restart with the stored settings", { NONE } },
	{ "RELD", 0, AT_K_ACTION, 0, "restore factory (or user) defaults", { NONE } },
	{ "E", 0, AT_K_STORED, 1, "echo of command lines", { STATUS("ON") } },
	{ "VER", 0, AT_K_QUERY, 1, "firmware version", { STR("VER", 0, 0, NULL) } },
	{ "MID", 0, AT_K_STORED, 1, "module name", { STR("Name", 1, 15, "USR-K3") } },
	{ "MAC", 0, AT_K_QUERY, 1, "MAC address", { { "MAC", AT_T_MAC, 0, 0, 0, NULL, NULL } } },
	{ "USERMAC", 0, AT_K_SETSYS, 1, "set the MAC address",
	  { { "MAC", AT_T_MAC, 0, 0, 0, NULL, NULL } } },
	{ "PDTIME", 0, AT_K_QUERY, 1, "production date", { STR("Data", 0, 0, NULL) } },
	{ "WANN", 0, AT_K_SYS, 4, "WAN interface address",
	  { ENUM("Mode", wanmode, "STATIC"), IP("IP address", "192.168.0.7"),
	    IP("Mask", "255.255.255.0"), IP("Gateway", "192.168.0.1") } },
	{ "DNS", 0, AT_K_SYS, 1, "DNS server", { IP("Address", "192.168.0.1") } },
	{ "SEARCH", 0, AT_K_STORED, 2, "discovery port and keyword",
	  { INT("Port", 1, 65535, "48899"), STR("Keyword", 1, 20, "WWW.USR.CN") } },
	{ "RSTIM", 0, AT_K_STORED, 1, "timeout reset time (s)",
	  { { "Time", AT_T_INT, 60, 65535, AT_P_ZERO, NULL, "3600" } } },
	{ "CFGTF", 0, AT_K_ACTION, 0, "save the settings as user defaults", { NONE } },
	{ "PING1", 0, AT_K_SETACT, 1, "ping an address",
	  { { "Address", AT_T_HOST, 1, 30, 0, NULL, NULL } } },
	{ "WEBU", 0, AT_K_STORED, 2, "web server user and password",
	  { STR("Username", 1, 6, "admin"), STR("Password", 1, 6, "admin") } },
	{ "WEBPORT", 0, AT_K_STORED, 1, "web server port", { INT("Port", 1, 65535, "80") } },
	{ "PLANG", 0, AT_K_STORED, 1, "web server language", { ENUM("Language", lang, "EN") } },
	{ "UART", 1, AT_K_STORED, 5, "serial parameters",
	  { INT("Baud rate", 600, 1024000, "115200"), ENUM("Data bits", dbits, "8"),
	    ENUM("Stop bits", sbits, "1"), ENUM("Parity", parity, "NONE"),
	    ENUM("Flow control", flow, "NFC") } },
	{ "UARTTL", 1, AT_K_STORED, 2, "serial packing time (ms) and length",
	  { INT("Time", 0, 255, "0"), INT("Length", 0, 1460, "0") } },
	{ "SOCKA", 1, AT_K_STORED, 3, "socket A",
	  { ENUM("Protocol", proto, "TCPS"), IP("IP address", "192.168.0.7"),
	    INT("Port", 1, 65535, "23") } },
	{ "SOCKLKA", 1, AT_K_LIVE, 1, "socket A status", { STR("Status", 0, 0, NULL) } },
	{ "WEBSOCKPORT", 1, AT_K_STORED, 1, "websocket port", { INT("Port", 1, 65535, "6432") } },
	{ "RFCEN", 1, AT_K_STORED, 1, "baud rate synchronisation", { STATUS("ON") } },
	{ "SOCKSL", 1, AT_K_STORED, 1, "non-persistent connection", { STATUS("OFF") } },
	{ "SHORTO", 1, AT_K_STORED, 1, "non-persistent connection time (s)",
	  { INT("Time", 2, 255, "3") } },
	{ "SOCKTON", 1, AT_K_STORED, 1, "timeout reconnecting time (s)",
	  { INT("Time", 1, 99999, "86400") } },
	{ "NETPR", 1, AT_K_STORED, 1, "network printing", { STATUS("OFF") } },
	{ "UDPON", 1, AT_K_STORED, 1, "UDP client accepts any peer", { STATUS("OFF") } },
	{ "UARTCLBUF", 1, AT_K_STORED, 1, "clear the serial buffer before connecting",
	  { STATUS("OFF") } },
	{ "MODTCP", 1, AT_K_STORED, 1, "Modbus RTU<->Modbus TCP", { STATUS("OFF") } },
	{ "MODPOLL", 1, AT_K_STORED, 1, "Modbus polling", { STATUS("OFF") } },
	{ "MODTO", 1, AT_K_STORED, 1, "Modbus polling time", { INT("Time", 200, 9999, "200") } },
	{ "REGEN", 1, AT_K_STORED, 1, "identity packet", { ENUM("Status", regen, "OFF") } },
	{ "REGTCP", 1, AT_K_STORED, 1, "identity packet sending method",
	  { ENUM("Method", regtcp, "First") } },
	{ "REGUSR", 1, AT_K_STORED, 1, "identity packet data (ASCII)",
	  { STR("Data", 1, 40, "www.usr.cn") } },
	{ "REGUSER", 1, AT_K_STORED, 2, "identity packet data (ASCII or HEX)",
	  { { "Data", AT_T_DATA, 1, 79, 0, NULL, "www.usr.cn" }, ENUM("Type", dtype, "ASCII") } },
	{ "REGCLOUD", 1, AT_K_STORED, 2, "USR Cloud ID and password",
	  { STR("ID", 20, 20, NULL), STR("Password", 8, 8, NULL) } },
	{ "HEARTEN", 1, AT_K_STORED, 1, "heartbeat packet", { STATUS("OFF") } },
	{ "HEARTTP", 1, AT_K_STORED, 1, "heartbeat packet type", { ENUM("Type", hearttp, "NONE") } },
	{ "HEARTTM", 1, AT_K_STORED, 1, "heartbeat interval (s)", { INT("Time", 1, 65535, "30") } },
	{ "HEARTDT", 1, AT_K_STORED, 1, "heartbeat data (ASCII)",
	  { STR("Data", 1, 40, "www.usr.cn") } },
	{ "HEARTUSER", 1, AT_K_STORED, 2, "heartbeat data (ASCII or HEX)",
	  { { "Data", AT_T_DATA, 1, 79, 0, NULL, "www.usr.cn" }, ENUM("Type", dtype, "ASCII") } },
	{ "HTPTP", 1, AT_K_STORED, 1, "HTTP client method", { ENUM("Method", method, "GET") } },
	{ "HTPURL", 1, AT_K_STORED, 1, "HTTP client URL", { STR("URL", 1, 100, "/1.php?") } },
	{ "HTPHEAD", 1, AT_K_STORED, 1, "HTTP client header (`<<CRLF>>` is CR LF)",
	  { STR("Header", 0, 180, "User_Agent: Mozilla/4.0") } },
	{ "HTPCHD", 1, AT_K_STORED, 1, "filter the HTTP header of responses", { STATUS("OFF") } },
};

const unsigned int at_ncmds = sizeof(at_cmds) / sizeof(at_cmds[0]);

const struct at_cmd *at_cmd_find(const char *name, size_t len)
{
	for (unsigned int i = 0; i < at_ncmds; i++)
		if (strlen(at_cmds[i].name) == len && !strncasecmp(at_cmds[i].name, name, len))
			return &at_cmds[i];
	return NULL;
}
