// SPDX-License-Identifier: MIT
/*
 * sernetd's ports: the module's ports (a dump at start, then the events
 * group), each mapped to an AT port number by its tty (PORTn=/dev/ttyXX in
 * the config; a new tty takes the lowest unmapped number), and each given
 * its stored settings: when it appears, at the agent's start and on AT+Z.
 * A setting the module already has is not sent, so a restarted agent keeps
 * the connections of ports whose settings did not change.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "sernetd.h"

/* The AT commands the module implements, parsed by libsernet's table */
static const char *const pushed[] = {
	"UART", "UARTTL", "SOCKA", "SOCKSL", "SHORTO", "SOCKTON", "UDPON",
	"UARTCLBUF",
};

/* The device node of a tty the kernel names "ttyS1", "pts3" */
static void tty_path(const char *tty, char *buf, size_t len)
{
	unsigned int n;
	char end;

	if (sscanf(tty, "pts%u%c", &n, &end) == 1)
		snprintf(buf, len, "/dev/pts/%u", n);
	else
		snprintf(buf, len, "/dev/%s", tty);
	for (char *p = buf; *p; p++)
		if (*p == '!')
			*p = '/';
}

/* The AT port number of tty: its PORTn line, or a new one stored */
static int port_num(struct agent *a, const char *tty)
{
	char path[SERNET_TTY_NAME_MAX + 16];
	const char *v;
	int n;

	tty_path(tty, path, sizeof(path));
	for (n = 1; n <= AT_PORTS_MAX; n++) {
		v = at_engine_get(a->e, "PORT", n);
		if (v && !strcmp(v, path))
			return n;
	}
	for (n = 1; n <= AT_PORTS_MAX; n++)
		if (!at_engine_get(a->e, "PORT", n) &&
		    at_engine_set(a->e, "PORT", n, path) == AT_OK) {
			save(a);
			return n;
		}
	logf_(LOG_WARNING, "%s: no free port number, not served", path);
	return 0;
}

static int differs(const struct sernet_settings *want,
		   const struct sernet_settings *have,
		   const struct sernet_setting_field *f)
{
	if (f->size)
		return sernet_setting_get(want, f) != sernet_setting_get(have, f);
	return want->addr_len != have->addr_len ||
	       memcmp(want->addr, have->addr, want->addr_len);
}

/*
 * What the stored AT+cmd of port num changes in the module's have; 0 when
 * nothing or when it cannot be pushed (logged)
 */
static int wanted(struct agent *a, const char *cmd, int num,
		  const struct sernet_settings *have, struct sernet_set *set)
{
	const char *v = at_engine_get(a->e, cmd, num);
	char *argv[2] = { (char *)cmd, (char *)v };
	struct sernet_set one;
	char err[128];

	memset(set, 0, sizeof(*set));
	if (!v)
		return 0;
	if (!strncasecmp(v, "HTPC,", 5)) {
		if (!a->logged_htpc++)
			logf_(LOG_WARNING,
			      "AT+SOCKA%d=%s: stored; the module has no HTPC yet, the socket is left as it is",
			      num, v);
		return 0;
	}
	if (sernet_set_parse(2, argv, &one, err, sizeof(err))) {
		logf_(LOG_WARNING, "AT+%s%d=%s: not pushed: %s", cmd, num, v,
		      err);
		return 0;
	}
	for (size_t j = 0; j < sernet_setting_field_count; j++) {
		const struct sernet_setting_field *f = &sernet_setting_fields[j];

		if (!(one.mask & (1ULL << f->attr)) || !differs(&one.cfg, have, f))
			continue;
		set->mask |= 1ULL << f->attr;
		if (f->size) {
			sernet_setting_put(&set->cfg, f,
					   sernet_setting_get(&one.cfg, f));
		} else {
			set->cfg.addr_len = one.cfg.addr_len;
			memcpy(set->cfg.addr, one.cfg.addr, sizeof(set->cfg.addr));
		}
	}
	return set->mask != 0;
}

/*
 * A PORT_SET a command, so that what one port cannot do (a pty has no
 * parity) does not keep the others out; then, for AT+Z, the restart.
 */
static void push(struct agent *a, struct port_ent *p, int restart)
{
	struct sernet_set set;

	if (!p->num)
		return;
	for (size_t i = 0; i < sizeof(pushed) / sizeof(pushed[0]); i++)
		if (wanted(a, pushed[i], p->num, &p->info.cfg, &set) &&
		    sernet_nl_set_port(&a->req, p->info.index, &set))
			logf_(LOG_ERR, "%s (port %d): AT+%s not applied: %s",
			      p->info.tty, p->num, pushed[i], a->req.errmsg);
	memset(&set, 0, sizeof(set));
	set.mask = 1ULL << SERNET_A_PORT_RESTART;
	if (restart && sernet_nl_set_port(&a->req, p->info.index, &set) &&
	    !a->logged_restart++)
		logf_(LOG_WARNING, "%s: the module refuses port-restart: %s",
		      p->info.tty, a->req.errmsg);
	if (sernet_nl_get_port(&a->req, p->info.index, &p->info))
		p->used = 0;
}

static struct port_ent *find(struct agent *a, uint32_t index)
{
	for (int i = 0; i < PORTS_TABLE; i++)
		if (a->ports[i].used && a->ports[i].info.index == index)
			return &a->ports[i];
	return NULL;
}

static void added(struct agent *a, const struct sernet_port_info *info)
{
	struct port_ent *p = find(a, info->index);

	for (int i = 0; !p && i < PORTS_TABLE; i++)
		if (!a->ports[i].used)
			p = &a->ports[i];
	if (!p) {
		logf_(LOG_WARNING, "sernet%u: too many ports, not served",
		      info->index);
		return;
	}
	if (!p->used)
		p->rstim.known = 0;
	p->used = 1;
	p->info = *info;
	p->num = port_num(a, info->tty);
	push(a, p, 0);
}

int ports_event(struct nl_msg *msg, void *arg)
{
	struct agent *a = arg;
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(msg));
	struct sernet_port_info info;
	struct port_ent *p;
	const char *err;

	if ((g->cmd != SERNET_CMD_PORT_ADDED &&
	     g->cmd != SERNET_CMD_PORT_REMOVED) ||
	    sernet_port_parse(nlmsg_hdr(msg), &info, &err))
		return NL_OK;
	p = find(a, info.index);
	if (g->cmd == SERNET_CMD_PORT_REMOVED) {
		if (p)
			p->used = 0;
	} else if (!sernet_nl_get_port(&a->req, info.index, &info)) {
		added(a, &info);	/* the event's settings may be old */
	}
	return NL_OK;
}

/* AT+RSTIM takes effect at the start and on AT+Z, like the other sets */
static void rstim_latch(struct agent *a)
{
	const char *v = at_engine_get(a->e, "RSTIM", 0);

	a->rstim_s = v ? (unsigned int)strtoul(v, NULL, 10) : 0;
}

int ports_start(struct agent *a)
{
	struct sernet_port_list list = { 0 };
	int grp, err;

	rstim_latch(a);
	err = sernet_nl_open(&a->req);
	if (err) {
		logf_(LOG_ERR, "%s", a->req.errmsg);
		return -1;
	}
	a->ev = nl_socket_alloc();
	if (!a->ev || genl_connect(a->ev))
		return -1;
	grp = genl_ctrl_resolve_grp(a->ev, SERNET_GENL_NAME,
				    SERNET_MCGRP_EVENTS);
	if (grp < 0 || nl_socket_add_membership(a->ev, grp))
		return -1;
	nl_socket_disable_seq_check(a->ev);
	nl_socket_modify_cb(a->ev, NL_CB_VALID, NL_CB_CUSTOM, ports_event, a);
	nl_socket_set_nonblocking(a->ev);
	/* joined first: a port attached during the dump is an event */
	err = sernet_nl_dump_ports(&a->req, &list);
	if (err) {
		logf_(LOG_ERR, "cannot list the ports: %s", a->req.errmsg);
		return -1;
	}
	for (size_t i = 0; i < list.count; i++)
		added(a, &list.ports[i]);
	sernet_port_list_free(&list);
	return 0;
}

void ports_restart(struct agent *a)
{
	rstim_latch(a);
	for (int i = 0; i < PORTS_TABLE; i++)
		if (a->ports[i].used)
			push(a, &a->ports[i], 1);
}

void ports_tick(struct agent *a, int64_t now_ms)
{
	unsigned int s = a->rstim_s;

	for (int i = 0; i < PORTS_TABLE; i++) {
		struct port_ent *p = &a->ports[i];
		int err;

		if (!p->used || !p->num)
			continue;
		err = sernet_nl_get_port(&a->req, p->info.index, &p->info);
		if (err) {
			if (err == -ENODEV)	/* detached: its event follows */
				p->used = 0;
			continue;
		}
		if (!rstim_step(&p->rstim,
				p->info.stats[SERNET_STATS_NET_RX_BYTES],
				p->info.mode == SERNET_PORT_MODE_WORK, now_ms, s))
			continue;
		logf_(LOG_NOTICE,
		      "%s (port %d): nothing from the network for %u s (AT+RSTIM): restarted",
		      p->info.tty, p->num, s);
		push(a, p, 1);
	}
}

int ports_status(struct agent *a, int num, char *out, size_t outsz)
{
	for (int i = 0; i < PORTS_TABLE; i++) {
		struct port_ent *p = &a->ports[i];

		if (!p->used || p->num != num)
			continue;
		if (sernet_nl_get_port(&a->req, p->info.index, &p->info))
			break;
		if (p->info.status[0])
			snprintf(out, outsz, "%s", p->info.status);
		else
			sernet_state_str(p->info.state, out, outsz);
		return AT_OK;
	}
	snprintf(out, outsz, "IDLE");	/* no such port attached */
	return AT_OK;
}
