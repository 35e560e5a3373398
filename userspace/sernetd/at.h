/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sernet AT engine: the K3 command set (one table, at_table.c), its parser
 * (at.c) and the config store (store.c).  The daemon feeds it the lines the
 * module sends in command mode and writes the answers back to the tty.
 */
#ifndef SERNET_AT_H
#define SERNET_AT_H

#include <stddef.h>

#define AT_PORTS_MAX 16                 /* AT+UART1 .. AT+UART16 */
#define AT_LINE_MAX 1024                /* longer lines answer -1 */

enum { AT_OK = 0, AT_EFORMAT = -1, AT_EUNKNOWN = -2, AT_EOP = -3, AT_EPARAM = -4, AT_EPERM = -5 };

enum at_flag {                           /* what the caller does after writing the answer */
	AT_F_SAVE = 1,                   /* the store changed: write the config file (atomic) */
	AT_F_LEAVE = 2,                  /* ENTM: back to work mode */
	AT_F_RESTART = 4,                /* Z: push the stored config to the module, restart, work mode */
	AT_F_RELOAD = 8,                 /* RELD: store restored to (user) defaults */
};

struct at_engine;

struct at_ops {                          /* the daemon's; any may be NULL (answer -5) */
	/* a live value (VER MAC PDTIME SOCKLKA, and WANN DNS without --wan): params text into out */
	int (*query)(void *priv, const char *name, int port, char *out, size_t outsz);
	/* an action or a set the engine cannot do alone (PING1, USERMAC, WANN/DNS permission):
	 * return AT_OK (out = params for "+OK=<out>" or "" for "+OK") or an AT_E* code */
	int (*action)(void *priv, const char *name, int port, const char *params,
		      char *out, size_t outsz);
};

struct at_engine *at_engine_new(const struct at_ops *ops, void *priv);
void at_engine_free(struct at_engine *e);

/* One line as received (no CR/LF). Writes the whole answer (echo when E is ON, then per command
 * "\r\n+OK\r\n" / "\r\n+OK=...\r\n" / "\r\n+ERR=n\r\n") to out; returns its length; *flags |= AT_F_*.
 */
size_t at_engine_line(struct at_engine *e, const char *line, size_t len,
		      char *out, size_t outsz, unsigned int *flags);

/* Stored values: canonical params text as a query answers it ("TCPS,192.168.0.7,23"); port 1..16,
 * 0 for a global command. NULL for unknown.
 */
const char *at_engine_get(struct at_engine *e, const char *name, int port);
int at_engine_set(struct at_engine *e, const char *name, int port, const char *params); /* AT_* */
/* 1: the value was given (a set, the file), if only the factory's; 0 since a reset */
int at_engine_given(struct at_engine *e, const char *name, int port);

/* Persistence: a file of "AT+NAME[n]=params" lines. Load replays it; a bad line is reported with
 * report(priv, path, lineno, reason) and skipped; unknown lines are kept and written back by save.
 * Missing file = factory defaults, returns 0. Save is atomic (temp, fsync, rename, fsync dir).
 */
typedef void (*at_report_fn)(void *priv, const char *path, unsigned int line, const char *reason);
int at_store_load(struct at_engine *e, const char *path, at_report_fn report, void *priv);
int at_store_save(struct at_engine *e, const char *path);

/* User defaults (AT+CFGTF / AT+RELD) are kept in "<path>.defaults" beside it; the engine is told
 * the config path once:
 */
void at_engine_set_path(struct at_engine *e, const char *path);

#endif
