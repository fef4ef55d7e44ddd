/* tests/adql/cases: the case-file reader shared by the ADQL test programs (format in cases.h). */
#include <config.h>

#include "cases.h"

#include "util/err.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *adql_cases_path(const char *name, char *buf, size_t size)
{
	const char *top = getenv("top_srcdir");
	snprintf(buf, size, "%s/tests/adql/%s", top && top[0] ? top : ".", name);
	return buf;
}

/* The lines of the case being read: owned copies, freed after the callback. */
typedef struct pending {
	adql_case_line *v;
	size_t n, cap;
} pending;

static void pending_clear(pending *p)
{
	for (size_t i = 0; i < p->n; i++)
		free((char *)p->v[i].key);
	p->n = 0;
}

static int pending_add(pending *p, const char *text, size_t key_len, int line)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		adql_case_line *v = realloc(p->v, cap * sizeof *v);
		if (v == NULL)
			return -1;
		p->v = v;
		p->cap = cap;
	}
	/* one allocation: "key\0value\0" */
	size_t len = strlen(text);
	char *copy = malloc(len + 1);
	if (copy == NULL)
		return -1;
	memcpy(copy, text, len + 1);
	copy[key_len] = '\0';
	const char *value = copy + key_len + 1;
	if (*value == ' ')
		value++;
	p->v[p->n++] = (adql_case_line){ copy, value, line };
	return 0;
}

static void flush(const char *path, pending *p, adql_case_fn *fn, void *ctx, int *n_cases, int *n_failed)
{
	if (p->n == 0)
		return;
	adql_case c = { path, p->v, p->n, p->v[0].line };
	(*n_cases)++;
	if (fn(&c, ctx) != 0)
		(*n_failed)++;
	pending_clear(p);
}

int adql_cases_run(const char *path, adql_case_fn *fn, void *ctx, int *out_cases, int *out_failed)
{
	FILE *f = fopen(path, "r");
	*out_cases = *out_failed = 0;
	if (f == NULL) {
		fprintf(stderr, "cannot open %s (is top_srcdir set?)\n", path);
		return -1;
	}
	pending p = { NULL, 0, 0 };
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int lineno = 0, rc = 0;
	while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (line[0] == '#')
			continue;
		if (n == 0) {
			flush(path, &p, fn, ctx, out_cases, out_failed);
			continue;
		}
		const char *colon = strchr(line, ':');
		if (colon == NULL || colon == line || (colon[1] != ' ' && colon[1] != '\0') ||
		    strcspn(line, " ") < (size_t)(colon - line)) {
			fprintf(stderr, "%s:%d: not a \"key: value\" line: %s\n", path, lineno, line);
			rc = -1;
		} else if (pending_add(&p, line, (size_t)(colon - line), lineno) != 0) {
			rc = -1;
		}
	}
	if (rc == 0)
		flush(path, &p, fn, ctx, out_cases, out_failed);
	pending_clear(&p);
	free(p.v);
	free(line);
	fclose(f);
	return rc;
}

const char *adql_case_get(const adql_case *c, const char *key)
{
	for (size_t i = 0; i < c->n_lines; i++)
		if (strcmp(c->lines[i].key, key) == 0)
			return c->lines[i].value;
	return NULL;
}

int adql_case_line_of(const adql_case *c, const char *key)
{
	for (size_t i = 0; i < c->n_lines; i++)
		if (strcmp(c->lines[i].key, key) == 0)
			return c->lines[i].line;
	return c->line;
}

int adql_case_query(const adql_case *c, strbuf *sb)
{
	int n = 0;
	strbuf_reset(sb);
	for (size_t i = 0; i < c->n_lines; i++) {
		if (strcmp(c->lines[i].key, "query") != 0)
			continue;
		if (n++)
			strbuf_putc(sb, '\n');
		strbuf_puts(sb, c->lines[i].value);
	}
	return n ? 0 : -1;
}

static const struct {
	const char *name;
	int code;
} codes[] = {
	{ "NAME", TR_ENAME },         { "TYPE", TR_ETYPE },         { "SYNTAX", TR_ESYNTAX },
	{ "UNSUPPORTED", TR_EUNSUPPORTED }, { "LIMIT", TR_ELIMIT }, { "ENCODING", TR_EENCODING },
	{ "INTERNAL", TR_EINTERNAL }, { "NOMEM", TR_ENOMEM },
};

int adql_case_code(const char *name)
{
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (strcmp(codes[i].name, name) == 0)
			return codes[i].code;
	return 0;
}

const char *adql_case_code_name(int code)
{
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (codes[i].code == code)
			return codes[i].name;
	return code == TR_OK ? "OK" : "?";
}

int adql_case_error(const char *value, int *out_code, long *out_pos, const char **out_msg)
{
	char name[32], pos[32];
	int consumed = 0;
	if (sscanf(value, "%31s %31s %n", name, pos, &consumed) < 2 || consumed == 0 || adql_case_code(name) == 0)
		return -1;
	char *end = pos;
	*out_code = adql_case_code(name);
	*out_pos = strcmp(pos, "-") == 0 ? -1 : strtol(pos, &end, 10);
	if (strcmp(pos, "-") != 0 && (*end || end == pos))
		return -1;
	*out_msg = value + consumed;
	return 0;
}

bool adql_case_opts(const char *value, adql_translate_opts *t, adql_resolve_opts *r)
{
	char word[64];
	int used;
	while (value && sscanf(value, "%63s%n", word, &used) == 1) {
		value += used;
		unsigned major, minor, patch = 0;
		char name[16];
		if (strcmp(word, "ungrouped") == 0)
			r->allow_ungrouped = true;
		else if (strncmp(word, "maxrec=", 7) == 0)
			t->maxrec = strtoll(word + 7, NULL, 10);
		else if (strcmp(word, "mariadb") == 0 || strcmp(word, "mysql") == 0)
			t->dialect = word[1] == 'y' ? ADQL_DIALECT_MYSQL : ADQL_DIALECT_MARIADB;
		else if (sscanf(word, "%15[a-z]-%u.%u.%u", name, &major, &minor, &patch) >= 3 &&
		         (strcmp(name, "mariadb") == 0 || strcmp(name, "mysql") == 0)) {
			t->dialect = name[1] == 'y' ? ADQL_DIALECT_MYSQL : ADQL_DIALECT_MARIADB;
			t->server_version = major * 10000UL + minor * 100UL + patch;
		} else {
			return false;
		}
	}
	return true;
}

int adql_case_compile(const catalog *cat, arena *a, const char *text, const adql_resolve_opts *ropts,
                      const adql_translate_opts *topts, strbuf *sql, adql_query **out_q, adql_result_meta **out_meta,
                      tr_err *err)
{
	adql_parse_opts popts = { ADQL_EXT_HEX | ADQL_EXT_BITWISE };
	tr_err_clear(err);
	arena_reset(a);
	*out_meta = NULL;
	*out_q = adql_parse(a, text, strlen(text), &popts, err);
	if (*out_q == NULL)
		return err->code;
	int rc = adql_resolve(*out_q, cat, ropts, a, out_meta, err);
	if (rc != TR_OK || sql == NULL)
		return rc;
	strbuf_reset(sql);
	return adql_translate(*out_q, *out_meta, topts, sql, err);
}

int adql_case_env_open(adql_case_env *env)
{
	char path[4096];
	tr_err err = TR_ERR_INIT;
	env->cat = catalog_load_xml(adql_cases_path("schema.xml", path, sizeof path), &err);
	env->a = arena_create(0, 0);
	if (env->cat && env->a)
		return 0;
	fprintf(stderr, "cannot set up the ADQL tests: %s\n", env->cat ? "out of memory" : err.msg);
	adql_case_env_close(env);
	return -1;
}

void adql_case_env_close(adql_case_env *env)
{
	catalog_free(env->cat);
	arena_destroy(env->a);
	env->cat = NULL;
	env->a = NULL;
}

int adql_case_fail(const adql_case *c, int line, const char *query, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s:%d: ", c->file, line);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n    query: %s\n", query);
	va_end(ap);
	return 1;
}

int adql_cases_run_named(const char *name, adql_case_fn *fn, void *ctx, int *out_cases)
{
	char path[4096];
	int n_failed;
	adql_cases_path(name, path, sizeof path);
	if (adql_cases_run(path, fn, ctx, out_cases, &n_failed) != 0)
		return -1;
	printf("%s: %d cases, %d failed\n", path, *out_cases, n_failed);
	return n_failed;
}

int adql_case_check_error(const adql_case *c, const char *query, int rc, const tr_err *err)
{
	int code;
	long pos;
	const char *msg;
	const char *want = adql_case_get(c, "error");
	int line = adql_case_line_of(c, "error");
	if (want == NULL || adql_case_error(want, &code, &pos, &msg) != 0)
		return adql_case_fail(c, line, query, "malformed or missing error: line");
	if (rc == code && err->pos == pos && strstr(err->msg, msg) != NULL)
		return 0;
	return adql_case_fail(c, line, query, "want %s %ld '%s'\n    got  %s %ld '%s'", adql_case_code_name(code), pos, msg,
	                      adql_case_code_name(rc), err->pos, err->msg);
}
