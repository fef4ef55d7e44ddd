/* tests/adql/cases: reads the declarative ADQL case files (resolve.cases, translate.cases) for the
 * cmocka programs test_adql_resolve, test_adql_translate and test_adql_db.
 *
 * A file is a sequence of cases separated by blank lines; a case is a group of "key: value" lines
 * (the key is the word before the first ": "; a line "key:" has the empty value).  Lines starting
 * with '#' are comments and neither start nor end a case.  Keys may repeat (query: lines join with
 * newlines, col: and row: lines are lists); each program says which keys it reads and ignores the
 * others.  Every line keeps its line number, for messages. */
#ifndef TR_TESTS_ADQL_CASES_H
#define TR_TESTS_ADQL_CASES_H

#include "adql/parser.h"
#include "adql/resolve.h"
#include "adql/translate.h"
#include "tap/catalog.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/strbuf.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct adql_case_line {
	const char *key;   /* NUL-terminated */
	const char *value; /* NUL-terminated, after ": " */
	int line;          /* 1-based line number in the file */
} adql_case_line;

typedef struct adql_case {
	const char *file;       /* path, for messages */
	const adql_case_line *lines;
	size_t n_lines;
	int line;               /* line number of the first line */
} adql_case;

/* Returns 0 when the case passed, non-zero when it failed (the callback reports how). */
typedef int adql_case_fn(const adql_case *c, void *ctx);

/* $top_srcdir/tests/adql/NAME (top_srcdir from the environment, as `make check` exports it;
 * "." without it), into buf. */
const char *adql_cases_path(const char *name, char *buf, size_t size);

/* Calls fn for every case of the file; stores the number of cases and of failed ones.  Returns 0,
 * or -1 when the file cannot be read or holds a line that is not "key: value". */
int adql_cases_run(const char *path, adql_case_fn *fn, void *ctx, int *out_cases, int *out_failed);

/* adql_cases_run() on tests/adql/NAME, with a summary line on stdout; returns the number of failed
 * cases (-1 when the file cannot be read) and stores the number of cases. */
int adql_cases_run_named(const char *name, adql_case_fn *fn, void *ctx, int *out_cases);

/* The value of the first line with key, or NULL. */
const char *adql_case_get(const adql_case *c, const char *key);
/* The line number of the first line with key, or the case's first line. */
int adql_case_line_of(const adql_case *c, const char *key);
/* All query: lines joined with newlines into sb (reset first); 0, or -1 when there are none. */
int adql_case_query(const adql_case *c, strbuf *sb);

/* Splits "CODE POS MSG" of an error: line: CODE is a tr_code name without TR_E (NAME, TYPE, ...),
 * POS a byte offset or "-" (-1), MSG a part of the expected message.  Returns 0, or -1 when
 * malformed. */
int adql_case_error(const char *value, int *out_code, long *out_pos, const char **out_msg);
/* TR_E<name> for "NAME", "TYPE", "SYNTAX", "UNSUPPORTED", "LIMIT", "ENCODING", "INTERNAL",
 * "NOMEM"; 0 when unknown.  And back: the name of a code, "OK" for TR_OK, "?" for others. */
int adql_case_code(const char *name);
const char *adql_case_code_name(int code);

/* What the ADQL test programs share: the metadata of tests/adql/schema.xml and an arena that
 * adql_case_compile() resets for every query. */
typedef struct adql_case_env {
	catalog *cat; /* tests/adql/schema.xml */
	arena *a;     /* the queries' arena */
} adql_case_env;
/* 0, or -1 with the reason on stderr. */
int adql_case_env_open(adql_case_env *env);
void adql_case_env_close(adql_case_env *env);

/* Reports a failed case on stderr ("FILE:LINE: message" and the query) and returns 1, so that a
 * case callback can `return adql_case_fail(...)`. */
int adql_case_fail(const adql_case *c, int line, const char *query, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Checks a failed stage (its code rc and err) against the case's error: line; 0 when it matches,
 * else reports and returns 1. */
int adql_case_check_error(const adql_case *c, const char *query, int rc, const tr_err *err);

/* Reads an opts: value, words separated by spaces: "mariadb" or "mysql" (optionally -X.Y.Z, the
 * server version), "maxrec=N", "ungrouped" (adql_resolve_opts.allow_ungrouped).  NULL is no
 * options.  False when a word is not one of these. */
bool adql_case_opts(const char *value, adql_translate_opts *t, adql_resolve_opts *r);

/* The pipeline as the service runs it: parses text (extensions on) into arena a (reset first),
 * resolves it against cat, and, when sql is not NULL, translates it into sql (reset first).
 * Returns TR_OK or the failing stage's code (*out_q is NULL when the parser failed). */
int adql_case_compile(const catalog *cat, arena *a, const char *text, const adql_resolve_opts *ropts,
                      const adql_translate_opts *topts, strbuf *sql, adql_query **out_q, adql_result_meta **out_meta,
                      tr_err *err);

#endif
