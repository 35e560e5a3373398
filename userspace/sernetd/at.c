// SPDX-License-Identifier: GPL-2.0
/*
 * The AT engine: PROTOCOLS.md section 1's parser and answers, driven by the
 * one command table of at_table.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "at_int.h"

#define VAL_MAX 1024

struct buf {
	char *p;
	size_t sz, n;
};

static void put(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n && b->n < b->sz; i++)
		b->p[b->n++] = s[i];
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void answer(struct buf *b, int code, const char *val)
{
	char tmp[32];

	if (code != AT_OK) {
		snprintf(tmp, sizeof(tmp), "\r\n+ERR=%d\r\n", code);
		puts_(b, tmp);
		return;
	}
	puts_(b, "\r\n+OK");
	if (val) {
		puts_(b, "=");
		puts_(b, val);
	}
	puts_(b, "\r\n");
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = toupper(ch);
	return ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* "[hh]" -> the byte; AT_EFORMAT for a bad escape or a NUL */
static int unescape(const char *s, size_t n, char *out, size_t outsz, size_t *outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int ch = (unsigned char)s[i];

		if (ch == '[') {
			int hi, lo;

			if (i + 3 >= n)
				return AT_EFORMAT;
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0 || s[i + 3] != ']')
				return AT_EFORMAT;
			ch = hi << 4 | lo;
			i += 3;
		}
		if (!ch)
			return AT_EFORMAT;
		if (o + 1 >= outsz)
			return AT_EPARAM;
		out[o++] = (char)ch;
	}
	out[o] = '\0';
	*outlen = o;
	return AT_OK;
}

/* the byte as a query writes it: ',', ';', '[' and control bytes as [hh] */
static void escape(struct buf *b, const char *s, size_t n)
{
	char tmp[8];

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == ',' || ch == ';' || ch == '[' || ch < 0x20 || ch >= 0x7f) {
			snprintf(tmp, sizeof(tmp), "[%02X]", ch);
			puts_(b, tmp);
		} else {
			put(b, (const char *)&ch, 1);
		}
	}
}

static int parse_ip(const char *s)
{
	unsigned int parts = 0;

	for (;;) {
		unsigned int v = 0, digits = 0;

		while (isdigit((unsigned char)*s)) {
			if (digits && v == 0)
				return 0;       /* no leading zeros */
			v = v * 10 + (unsigned int)(*s++ - '0');
			if (++digits > 3 || v > 255)
				return 0;
		}
		if (!digits)
			return 0;
		parts++;
		if (!*s)
			return parts == 4;
		if (*s++ != '.' || parts == 4)
			return 0;
	}
}

static int check(const struct at_param *p, const char *v, size_t n, const char *dtype,
		 struct buf *b)
{
	char tmp[24];

	switch (p->type) {
	case AT_T_INT: {
		long x = 0;

		if (!n || n > 9)
			return AT_EPARAM;
		for (size_t i = 0; i < n; i++) {
			if (!isdigit((unsigned char)v[i]))
				return AT_EPARAM;
			x = x * 10 + (v[i] - '0');
		}
		if ((x < p->min || x > p->max) && !(x == 0 && (p->flags & AT_P_ZERO)))
			return AT_EPARAM;
		snprintf(tmp, sizeof(tmp), "%ld", x);
		puts_(b, tmp);
		return AT_OK;
	}
	case AT_T_ENUM:
		for (const char *const *e = p->vals; *e; e++)
			if (!strcasecmp(*e, v)) {
				puts_(b, *e);
				return AT_OK;
			}
		return AT_EPARAM;
	case AT_T_IP:
		if (!parse_ip(v))
			return AT_EPARAM;
		puts_(b, v);
		return AT_OK;
	case AT_T_MAC:
		if (n != 12)
			return AT_EPARAM;
		for (size_t i = 0; i < n; i++) {
			if (hexval(v[i]) < 0)
				return AT_EPARAM;
			tmp[i] = (char)toupper((unsigned char)v[i]);
		}
		put(b, tmp, 12);
		return AT_OK;
	case AT_T_HOST:
		if (parse_ip(v)) {
			puts_(b, v);
			return AT_OK;
		}
		if (n < (size_t)p->min || n > (size_t)p->max || strspn(v, "0123456789.") == n)
			return AT_EPARAM;
		for (size_t i = 0; i < n; i++)
			if (!isalnum((unsigned char)v[i]) && v[i] != '-' && v[i] != '.')
				return AT_EPARAM;
		puts_(b, v);
		return AT_OK;
	case AT_T_DATA:
		if (dtype && !strcasecmp(dtype, "HEX")) {
			if (!n || n % 2 || n >= 80)
				return AT_EPARAM;
			for (size_t i = 0; i < n; i++) {
				if (hexval(v[i]) < 0)
					return AT_EPARAM;
				tmp[0] = (char)toupper((unsigned char)v[i]);
				put(b, tmp, 1);
			}
			return AT_OK;
		}
		if (!n || n >= 40)
			return AT_EPARAM;
		escape(b, v, n);
		return AT_OK;
	case AT_T_STR:
		if (n < (size_t)p->min || n > (size_t)p->max)
			return AT_EPARAM;
		escape(b, v, n);
		return AT_OK;
	}
	return AT_EPARAM;
}

int at_validate(const struct at_cmd *c, const char *params, char *out, size_t outsz)
{
	char vals[AT_PARAMS_MAX][VAL_MAX];
	size_t lens[AT_PARAMS_MAX];
	struct buf b = { out, outsz - 1, 0 };
	const char *s = params;
	unsigned int n = 0;

	for (;;) {
		size_t len = strcspn(s, ",");
		int r;

		if (n == c->nparams)
			return AT_EPARAM;
		r = unescape(s, len, vals[n], VAL_MAX, &lens[n]);
		if (r)
			return r;
		n++;
		if (!s[len])
			break;
		s += len + 1;
	}
	if (n != c->nparams)
		return AT_EPARAM;
	for (unsigned int i = 0; i < n; i++) {
		const char *dtype = i + 1 < n && c->p[i + 1].type == AT_T_ENUM ? vals[i + 1] : NULL;
		int r;

		if (i)
			puts_(&b, ",");
		r = check(&c->p[i], vals[i], lens[i], dtype, &b);
		if (r)
			return r;
	}
	if (b.n >= b.sz)
		return AT_EPARAM;
	out[b.n] = '\0';
	return AT_OK;
}

void at_default(const struct at_cmd *c, char *out, size_t outsz)
{
	struct buf b = { out, outsz - 1, 0 };

	for (unsigned int i = 0; i < c->nparams && c->p[0].def; i++) {
		if (i)
			puts_(&b, ",");
		puts_(&b, c->p[i].def);
	}
	out[b.n] = '\0';
}

static int stored(const struct at_cmd *c)
{
	return c->kind == AT_K_STORED || c->kind == AT_K_SYS || c->kind == AT_K_SETSYS;
}

int at_store_value(struct at_engine *e, const struct at_cmd *c, int port, const char *params)
{
	char canon[VAL_MAX * 3];
	char *dup;
	int r;

	if (!stored(c))
		return AT_EOP;
	r = at_validate(c, params, canon, sizeof(canon));
	if (r)
		return r;
	dup = strdup(canon);
	if (!dup)
		return AT_EPERM;
	free(AT_VAL(e, c, port));
	AT_VAL(e, c, port) = dup;
	AT_SET(e, c, port) = 1;
	return AT_OK;
}

void at_reset(struct at_engine *e)
{
	char def[VAL_MAX];

	for (unsigned int i = 0; i < at_ncmds; i++) {
		const struct at_cmd *c = &at_cmds[i];

		if (!stored(c))
			continue;
		at_default(c, def, sizeof(def));
		for (int p = c->per_port; p <= (c->per_port ? AT_PORTS_MAX : 0); p++) {
			free(AT_VAL(e, c, p));
			AT_VAL(e, c, p) = strdup(def);
			AT_SET(e, c, p) = 0;
		}
	}
}

int at_resolve(const char *name, size_t len, const struct at_cmd **c, int *port)
{
	size_t d = len;

	*port = 0;
	*c = at_cmd_find(name, len);
	if (*c) {
		*port = (*c)->per_port;
		return AT_OK;
	}
	while (d && isdigit((unsigned char)name[d - 1]))
		d--;
	if (d == len || !d || len - d > 2 || name[d] == '0')
		return AT_EUNKNOWN;
	*c = at_cmd_find(name, d);
	*port = atoi(name + d);
	if (!*c || !(*c)->per_port || *port > AT_PORTS_MAX)
		return AT_EUNKNOWN;
	return AT_OK;
}

struct at_engine *at_engine_new(const struct at_ops *ops, void *priv)
{
	struct at_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->ops = ops;
	e->priv = priv;
	e->val = calloc(at_ncmds * (AT_PORTS_MAX + 1), sizeof(*e->val));
	e->set = calloc(at_ncmds * (AT_PORTS_MAX + 1), sizeof(*e->set));
	if (!e->val || !e->set) {
		free(e->val);
		free(e->set);
		free(e);
		return NULL;
	}
	at_reset(e);
	return e;
}

void at_engine_free(struct at_engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < at_ncmds * (AT_PORTS_MAX + 1); i++)
		free(e->val[i]);
	for (int i = 0; i <= AT_PORTS_MAX; i++)
		free(e->port[i]);
	for (size_t i = 0; i < e->nunknown; i++)
		free(e->unknown[i]);
	free(e->unknown);
	free(e->val);
	free(e->set);
	free(e->path);
	free(e);
}

void at_engine_set_path(struct at_engine *e, const char *path)
{
	free(e->path);
	e->path = path ? strdup(path) : NULL;
}

static int name_port(const char *name, int port, const struct at_cmd **c)
{
	*c = at_cmd_find(name, strlen(name));
	if (!*c)
		return AT_EUNKNOWN;
	if ((*c)->per_port ? port < 1 || port > AT_PORTS_MAX : port != 0)
		return AT_EUNKNOWN;
	return AT_OK;
}

const char *at_engine_get(struct at_engine *e, const char *name, int port)
{
	const struct at_cmd *c;

	if (!strcmp(name, "PORT"))
		return port >= 1 && port <= AT_PORTS_MAX ? e->port[port] : NULL;
	if (name_port(name, port, &c) || !stored(c))
		return NULL;
	return AT_VAL(e, c, port);
}

int at_engine_given(struct at_engine *e, const char *name, int port)
{
	const struct at_cmd *c;

	if (name_port(name, port, &c) || !stored(c))
		return 0;
	return AT_SET(e, c, port);
}

int at_engine_set(struct at_engine *e, const char *name, int port, const char *params)
{
	const struct at_cmd *c;
	int r;

	if (!strcmp(name, "PORT")) {
		char *dup;

		if (port < 1 || port > AT_PORTS_MAX)
			return AT_EUNKNOWN;
		if (params[0] != '/' || strlen(params) > 255 || strpbrk(params, "\r\n"))
			return AT_EPARAM;
		dup = strdup(params);
		if (!dup)
			return AT_EPERM;
		free(e->port[port]);
		e->port[port] = dup;
		return AT_OK;
	}
	r = name_port(name, port, &c);
	return r ? r : at_store_value(e, c, port, params);
}

static int reload(struct at_engine *e)
{
	char *dpath;
	int r = 0;

	at_reset(e);
	if (!e->path)
		return 0;
	if (asprintf(&dpath, "%s.defaults", e->path) < 0)
		return AT_EPERM;
	r = at_store_read(e, dpath, NULL, NULL, 0);
	free(dpath);
	return r < 0 ? AT_EPERM : AT_OK;
}

static int save_defaults(struct at_engine *e)
{
	char *dpath;
	int r;

	if (!e->path)
		return AT_EPERM;
	if (asprintf(&dpath, "%s.defaults", e->path) < 0)
		return AT_EPERM;
	r = at_store_save(e, dpath);
	free(dpath);
	return r ? AT_EPERM : AT_OK;
}

/* one command of a line; returns 1 when the line stops here (ENTM, Z) */
static int command(struct at_engine *e, char *s, struct buf *b, unsigned int *flags)
{
	const struct at_ops *ops = e->ops;
	char out[VAL_MAX * 3], canon[VAL_MAX * 3];
	const struct at_cmd *c;
	size_t nl = 0;
	const char *params = NULL;
	int port, r;

	while (isalnum((unsigned char)s[nl]))
		nl++;
	if (!nl || (s[nl] == '?' && s[nl + 1]) || (s[nl] && s[nl] != '?' && s[nl] != '=')) {
		answer(b, AT_EFORMAT, NULL);
		return 0;
	}
	if (s[nl] == '=')
		params = s + nl + 1;
	r = at_resolve(s, nl, &c, &port);
	if (r) {
		answer(b, r, NULL);
		return 0;
	}
	out[0] = '\0';
	switch (c->kind) {
	case AT_K_ACTION:
		if (params) {
			answer(b, AT_EOP, NULL);
			return 0;
		}
		if (!strcmp(c->name, "ENTM") || !strcmp(c->name, "Z")) {
			*flags |= c->name[0] == 'Z' ? AT_F_RESTART : AT_F_LEAVE;
			answer(b, AT_OK, NULL);
			return 1;
		}
		if (!strcmp(c->name, "RELD")) {
			r = reload(e);
			*flags |= AT_F_RELOAD | AT_F_SAVE;
			answer(b, r, NULL);
			return 0;
		}
		r = save_defaults(e);
		answer(b, r, "SAVED");
		return 0;
	case AT_K_QUERY:
	case AT_K_LIVE:
		if (params) {
			answer(b, c->kind == AT_K_LIVE ? AT_EPERM : AT_EOP, NULL);
			return 0;
		}
		r = ops && ops->query ? ops->query(e->priv, c->name, port, out, sizeof(out)) : AT_EPERM;
		answer(b, r, out);
		return 0;
	case AT_K_SETACT:
	case AT_K_SETSYS:
		if (!params) {
			answer(b, AT_EOP, NULL);
			return 0;
		}
		r = at_validate(c, params, canon, sizeof(canon));
		if (!r)
			r = ops && ops->action ?
			    ops->action(e->priv, c->name, port, canon, out, sizeof(out)) : AT_EPERM;
		if (!r && c->kind == AT_K_SETSYS) {
			r = at_store_value(e, c, port, canon);
			if (!r)
				*flags |= AT_F_SAVE;
		}
		answer(b, r, out[0] ? out : NULL);
		return 0;
	case AT_K_SYS:
		if (!params) {
			if (ops && ops->query &&
			    ops->query(e->priv, c->name, port, out, sizeof(out)) == AT_OK)
				answer(b, AT_OK, out);
			else
				answer(b, AT_OK, AT_VAL(e, c, port));
			return 0;
		}
		r = at_validate(c, params, canon, sizeof(canon));
		if (!r)
			r = ops && ops->action ?
			    ops->action(e->priv, c->name, port, canon, out, sizeof(out)) : AT_EPERM;
		if (!r)
			r = at_store_value(e, c, port, canon);
		if (!r)
			*flags |= AT_F_SAVE;
		answer(b, r, NULL);
		return 0;
	case AT_K_STORED:
		if (!params) {
			answer(b, AT_OK, AT_VAL(e, c, port));
			return 0;
		}
		r = at_store_value(e, c, port, params);
		if (!r)
			*flags |= AT_F_SAVE;
		answer(b, r, NULL);
		return 0;
	}
	return 0;
}

size_t at_engine_line(struct at_engine *e, const char *line, size_t len,
		      char *out, size_t outsz, unsigned int *flags)
{
	const struct at_cmd *ec = at_cmd_find("E", 1);
	struct buf b = { out, outsz, 0 };
	char s[AT_LINE_MAX + 1];
	char *p;

	if (!strcmp(AT_VAL(e, ec, 0), "ON"))
		put(&b, line, len);
	if (len > AT_LINE_MAX || memchr(line, '\0', len) || len < 2 ||
	    strncasecmp(line, "AT", 2) || (len > 2 && line[2] != '+')) {
		answer(&b, AT_EFORMAT, NULL);
		return b.n;
	}
	if (len == 2) {
		answer(&b, AT_OK, NULL);
		return b.n;
	}
	memcpy(s, line + 3, len - 3);
	s[len - 3] = '\0';
	p = s;
	for (;;) {
		char *semi = strchr(p, ';');

		if (semi)
			*semi = '\0';
		if (command(e, p, &b, flags) || !semi)
			break;
		p = semi + 1;
		if (!strncasecmp(p, "AT+", 3))
			p += 3;
	}
	return b.n;
}
