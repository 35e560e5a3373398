/* SPDX-License-Identifier: GPL-2.0 */
/* The AT engine's insides, shared by at.c, at_table.c and store.c */
#ifndef SERNET_AT_INT_H
#define SERNET_AT_INT_H

#include "at.h"

#define AT_PARAMS_MAX 5

enum at_type {
	AT_T_INT,       /* decimal min..max (AT_P_ZERO: 0 too) */
	AT_T_ENUM,      /* one of vals, case-insensitive in, as written out */
	AT_T_STR,       /* min..max bytes after [hh] unescaping */
	AT_T_IP,        /* dotted quad */
	AT_T_MAC,       /* 12 hex digits */
	AT_T_HOST,      /* dotted quad or a name of min..max bytes */
	AT_T_DATA,      /* ASCII (< 40 bytes) or HEX (hex pairs, < 80) by the next parameter */
};

enum at_kind {
	AT_K_STORED,    /* query and set, stored, takes effect on restart */
	AT_K_QUERY,     /* query only, live value from ops->query */
	AT_K_ACTION,    /* no parameters, no '=' (ENTM Z RELD CFGTF) */
	AT_K_SETACT,    /* set only, through ops->action (PING1) */
	AT_K_LIVE,      /* live query, set answers -5 (SOCKLKA) */
	AT_K_SYS,       /* stored; the live value when ops->query says so, set via ops->action */
	AT_K_SETSYS,    /* set only, via ops->action, then stored (USERMAC) */
};

#define AT_P_ZERO 1

struct at_param {
	const char *name;
	enum at_type type;
	long min, max;
	unsigned int flags;
	const char *const *vals;
	const char *def;
};

struct at_cmd {
	const char *name;
	int per_port;
	enum at_kind kind;
	unsigned int nparams;
	const char *desc;
	struct at_param p[AT_PARAMS_MAX];
};

extern const struct at_cmd at_cmds[];
extern const unsigned int at_ncmds;

const struct at_cmd *at_cmd_find(const char *name, size_t len);
/* validate params text, write canonical text to out; AT_OK or AT_EPARAM */
int at_validate(const struct at_cmd *c, const char *params, char *out, size_t outsz);
/* the factory default's text, "" when none */
void at_default(const struct at_cmd *c, char *out, size_t outsz);
struct at_engine {
	const struct at_ops *ops;
	void *priv;
	char **val;                     /* [cmd * (AT_PORTS_MAX + 1) + port], port 0 = global */
	unsigned char *set;             /* [the same]: given by a set or the file, even if the
					 * factory's value; 0 after a reset */
	char *port[AT_PORTS_MAX + 1];   /* PORTn=/dev/tty.. */
	char **unknown;                 /* lines kept as read */
	size_t nunknown;
	char *path;
};

#define AT_VAL(e, c, port) ((e)->val[((c) - at_cmds) * (AT_PORTS_MAX + 1) + (port)])
#define AT_SET(e, c, port) ((e)->set[((c) - at_cmds) * (AT_PORTS_MAX + 1) + (port)])

/* "UART2" -> the command and its port (1 without a digit, 0 for a global one); AT_OK or -2 */
int at_resolve(const char *name, size_t len, const struct at_cmd **c, int *port);
/* validate and store a value of a stored command */
int at_store_value(struct at_engine *e, const struct at_cmd *c, int port, const char *params);
/* every stored setting back to the factory default */
void at_reset(struct at_engine *e);
/* store.c: replay a file; unknown lines kept when keep_unknown */
int at_store_read(struct at_engine *e, const char *path, at_report_fn report, void *priv,
		  int keep_unknown);

#endif
