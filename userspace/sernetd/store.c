// SPDX-License-Identifier: GPL-2.0
/*
 * The config store: a file of AT set commands ("AT+SOCKA1=TCPS,...") and
 * "PORTn=/dev/tty.." lines. Loading replays it; saving is atomic.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "at_int.h"

static const char *reason(int r)
{
	switch (r) {
	case AT_EFORMAT:
		return "invalid format (-1)";
	case AT_EUNKNOWN:
		return "no such port (-2)";
	case AT_EOP:
		return "not a stored setting (-3)";
	default:
		return "invalid parameter (-4)";
	}
}

static int keep(struct at_engine *e, const char *line)
{
	char **u = realloc(e->unknown, (e->nunknown + 1) * sizeof(*u));

	if (!u)
		return -ENOMEM;
	e->unknown = u;
	u[e->nunknown] = strdup(line);
	if (!u[e->nunknown])
		return -ENOMEM;
	e->nunknown++;
	return 0;
}

/* one line: AT_OK, an AT_E* code to report, or 1 for an unknown line to keep */
static int apply(struct at_engine *e, char *line)
{
	const struct at_cmd *c;
	char *eq = strchr(line, '=');
	int port;

	if (line[0] == '#')
		return 1;
	if (!strncmp(line, "PORT", 4)) {
		char *end;
		long n = strtol(line + 4, &end, 10);

		if (!eq || end != eq || end == line + 4)
			return AT_EFORMAT;
		return at_engine_set(e, "PORT", n < 1 || n > AT_PORTS_MAX ? 0 : (int)n, eq + 1);
	}
	if (strncasecmp(line, "AT+", 3) || !eq)
		return AT_EFORMAT;
	if (at_resolve(line + 3, (size_t)(eq - line - 3), &c, &port))
		return 1;
	return at_store_value(e, c, port, eq + 1);
}

int at_store_read(struct at_engine *e, const char *path, at_report_fn report, void *priv,
		  int keep_unknown)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	unsigned int lineno = 0;
	ssize_t n;
	int err = 0;

	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while ((n = getline(&line, &cap, f)) >= 0) {
		int r;

		lineno++;
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!n)
			continue;
		r = (size_t)n != strlen(line) ? AT_EFORMAT : apply(e, line);
		if (r == 1 && keep_unknown)
			err = keep(e, line);
		else if (r < 0 && report)
			report(priv, path, lineno, reason(r));
		if (err)
			break;
	}
	if (!err && ferror(f))
		err = -EIO;
	free(line);
	fclose(f);
	return err;
}

/*
 * The temp files of saves a kill cut short (mkstemp's "PATH.XXXXXX", and
 * "PATH.defaults.XXXXXX" of AT+CFGTF): never read, removed at the next load
 */
static void remove_temps(const char *path)
{
	static const char *const pats[] = { "%s.??????", "%s.defaults.??????" };
	char *pat;
	glob_t g;

	for (size_t p = 0; p < sizeof(pats) / sizeof(pats[0]); p++) {
		if (asprintf(&pat, pats[p], path) < 0)
			return;
		if (!glob(pat, GLOB_NOSORT, NULL, &g)) {
			for (size_t i = 0; i < g.gl_pathc; i++)
				unlink(g.gl_pathv[i]);
			globfree(&g);
		}
		free(pat);
	}
}

int at_store_load(struct at_engine *e, const char *path, at_report_fn report, void *priv)
{
	remove_temps(path);
	for (size_t i = 0; i < e->nunknown; i++)
		free(e->unknown[i]);
	e->nunknown = 0;
	return at_store_read(e, path, report, priv, 1);
}

static int write_all(struct at_engine *e, FILE *f)
{
	char def[1024];

	for (int p = 1; p <= AT_PORTS_MAX; p++)
		if (e->port[p])
			fprintf(f, "PORT%d=%s\n", p, e->port[p]);
	for (unsigned int i = 0; i < at_ncmds; i++) {
		const struct at_cmd *c = &at_cmds[i];

		if (c->kind != AT_K_STORED && c->kind != AT_K_SYS &&
		    c->kind != AT_K_SETSYS)
			continue;
		at_default(c, def, sizeof(def));
		for (int p = c->per_port; p <= (c->per_port ? AT_PORTS_MAX : 0); p++) {
			/* a factory value given is kept: --wan applies it */
			if (!AT_SET(e, c, p) && !strcmp(AT_VAL(e, c, p), def))
				continue;
			if (p)
				fprintf(f, "AT+%s%d=%s\n", c->name, p, AT_VAL(e, c, p));
			else
				fprintf(f, "AT+%s=%s\n", c->name, AT_VAL(e, c, p));
		}
	}
	for (size_t i = 0; i < e->nunknown; i++)
		fprintf(f, "%s\n", e->unknown[i]);
	return fflush(f) || ferror(f) ? -EIO : 0;
}

int at_store_save(struct at_engine *e, const char *path)
{
	char *tmp, *dir, *slash;
	FILE *f;
	int fd, err;

	if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = -errno;
		free(tmp);
		return err;
	}
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		goto out;
	}
	err = write_all(e, f);
	if (!err && fsync(fd))
		err = -errno;
	if (fclose(f) && !err)
		err = -EIO;
	if (!err && rename(tmp, path))
		err = -errno;
	if (!err) {
		dir = strdup(path);
		if (!dir) {
			free(tmp);
			return -ENOMEM;
		}
		slash = strrchr(dir, '/');
		if (slash)
			slash[slash == dir] = '\0';
		fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY);
		if (fd >= 0) {
			if (fsync(fd))
				err = -errno;
			close(fd);
		}
		free(dir);
	}
out:
	if (err)
		unlink(tmp);
	free(tmp);
	return err;
}
