/* SPDX-License-Identifier: MIT */
/* sernetd: what its files share (sernetd.c the loop, ports.c the ports,
 * sys.c the system commands) */
#ifndef SERNETD_H
#define SERNETD_H

#include <stdint.h>

#include "at.h"
#include "port.h"
#include "rstim.h"
#include "sernet_nl.h"

struct nl_sock;
struct nl_msg;

/* A port of the module, known by its index, served as AT port num */
struct port_ent {
	int used;
	int num;			/* 1..AT_PORTS_MAX, 0: no free number */
	struct sernet_port_info info;	/* as the module last reported it */
	struct rstim rstim;		/* AT+RSTIM's look at it */
};

#define PORTS_TABLE 64

struct agent {
	struct at_engine *e;
	const char *conf;
	const char *wan;		/* --wan IFNAME or NULL */
	const char *dhcp_cmd;		/* --dhcp-cmd, %s = the interface */
	const char *resolv;		/* --resolv FILE */
	unsigned int second_ms;		/* RSTIM's second (1000; tests shorten it) */
	unsigned int rstim_s;		/* AT+RSTIM as at the start or the last AT+Z */
	struct nl_sock *sk;		/* the registered agent socket */
	int family;
	struct nl_sock *ev;		/* the events group */
	struct sernet_nl req;		/* requests: dump, get, set */
	struct port_ent ports[PORTS_TABLE];
	int logged_htpc, logged_restart;
	int search_fd;			/* the SEARCH responder, or -1 */
	unsigned int search_port;
	char search_kw[64];
};

void logf_(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void save(struct agent *a);

/* ports.c: join the events group, dump the ports and push their settings */
int ports_start(struct agent *a);
/* a message of the events group */
int ports_event(struct nl_msg *msg, void *arg);
/* AT+Z: every port's stored settings, with SERNET_A_PORT_RESTART */
void ports_restart(struct agent *a);
/* AT+RSTIM: each served port's network counter, once a second */
void ports_tick(struct agent *a, int64_t now_ms);
/* AT+SOCKLKA: the status of AT port num as the seed spells it */
int ports_status(struct agent *a, int num, char *out, size_t outsz);

/* sys.c: the at_ops of the live values and actions */
int sys_query(void *priv, const char *name, int port, char *out, size_t outsz);
int sys_action(void *priv, const char *name, int port, const char *params,
	       char *out, size_t outsz);
/* wan.c: with --wan, apply WANN, DNS and USERMAC (start, AT+Z) */
void wan_apply(struct agent *a);
/* SEARCH: (re)bind when the stored port changed; answer a datagram */
void search_open(struct agent *a);
void search_read(struct agent *a);

#endif
