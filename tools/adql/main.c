/* taproom-adql: checks an ADQL query from the command line and prints the SQL it becomes.
 *
 * Thin: reads the query (argument or stdin), loads the metadata (a VOSI tableset file, or
 * TAP_SCHEMA through the service's configuration), calls parse -> resolve -> translate, prints.
 * --parse-only stops after the parser and prints the syntax tree.  Exit status: 0 valid, 1 invalid
 * query, 2 usage, configuration or system error (issue 3). */
#include <config.h>

#include "adql/geometry.h"
#include "adql/limits.h"
#include "adql/parser.h"
#include "adql/resolve.h"
#include "adql/translate.h"
#include "db/conn.h"
#include "tap/catalog.h"
#include "util/arena.h"
#include "util/config.h"
#include "util/err.h"
#include "util/strbuf.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { EXIT_VALID = 0, EXIT_INVALID = 1, EXIT_USAGE = 2 };

typedef struct options {
	adql_parse_opts parse;
	adql_translate_opts translate;
	bool parse_only;
	const char *schema; /* --schema FILE */
	const char *config; /* --config FILE */
} options;

static void usage(FILE *out)
{
	fputs("Usage: taproom-adql (--schema FILE | --config FILE | --parse-only) [OPTION]... [QUERY]\n"
	      "Translates an ADQL 2.1 query to the SQL the service runs: QUERY, or standard input when QUERY\n"
	      "is absent or \"-\".\n\n"
	      "  -s, --schema FILE    resolve names against a VOSI tableset document (/tables output)\n"
	      "  -c, --config FILE    connect to the database of this taproom configuration and resolve\n"
	      "                       against its TAP_SCHEMA; dialect and version come from the server\n"
	      "  -p, --parse-only     check the syntax alone (no metadata) and print the syntax tree\n"
	      "  -d, --dialect NAME   mariadb or mysql, optionally with the server version:\n"
	      "                       mysql-8.0.30 (default: mariadb, newest release)\n"
	      "  -m, --maxrec N       limit the result to N rows (the SQL returns at most N+1)\n"
	      "  -x, --extensions     also accept hexadecimal literals (0x2F) and the bitwise operators\n"
	      "  -h, --help           print this help and exit\n"
	      "  -V, --version        print the version and exit\n\n"
	      "Exit status: 0 valid query, 1 invalid query (the error, with its line and column, goes\n"
	      "to standard error), 2 usage, configuration or system error.\n",
	      out);
}

/* The query text: the argument, or all of stdin.  Reads at most one block past the size limit, so
 * that the parser reports an over-long query without the tool holding more of it. */
static bool read_query(const char *arg, strbuf *sb)
{
	if (arg && strcmp(arg, "-") != 0) {
		strbuf_puts(sb, arg);
		return !strbuf_failed(sb);
	}
	while (strbuf_len(sb) <= (size_t)ADQL_MAX_QUERY_BYTES) {
		char *dst = strbuf_reserve(sb, 65536);
		if (dst == NULL)
			return false;
		size_t n = fread(dst, 1, 65536, stdin);
		strbuf_commit(sb, n);
		if (n == 0)
			return !ferror(stdin);
	}
	return true;
}

/* "mariadb", "mysql", "mysql-8.0.30", "mariadb-10.6" */
static bool parse_dialect(const char *s, adql_translate_opts *o)
{
	const char *dash = strchr(s, '-');
	size_t n = dash ? (size_t)(dash - s) : strlen(s);
	if (n == 7 && strncmp(s, "mariadb", n) == 0)
		o->dialect = ADQL_DIALECT_MARIADB;
	else if (n == 5 && strncmp(s, "mysql", n) == 0)
		o->dialect = ADQL_DIALECT_MYSQL;
	else
		return false;
	o->server_version = 0;
	if (dash == NULL)
		return true;
	unsigned major = 0, minor = 0, patch = 0;
	char extra;
	int k = sscanf(dash + 1, "%u.%u.%u%c", &major, &minor, &patch, &extra);
	if (k < 2 || k > 3 || minor > 99 || patch > 99)
		return false;
	o->server_version = major * 10000UL + minor * 100UL + patch;
	return true;
}

/* The metadata: from the tableset file or the configured database (which also gives the dialect). */
static catalog *load_catalog(options *opt, tr_err *err)
{
	if (opt->schema)
		return catalog_load_xml(opt->schema, err);
	arena *a = arena_create(0, 0);
	tr_config *cfg = a ? config_load(a, opt->config, err) : NULL;
	catalog *cat = NULL;
	if (cfg) {
		db_params dp;
		db_conn_query_params(cfg, &dp);
		db_conn *db = db_conn_new(&dp);
		if (db && db_conn_ensure(db, err) == TR_OK) {
			opt->translate.dialect = db_conn_dialect(db) == DB_DIALECT_MYSQL ? ADQL_DIALECT_MYSQL : ADQL_DIALECT_MARIADB;
			opt->translate.server_version = db_conn_server_version(db);
			cat = catalog_load_db(db_conn_handle(db), err);
		} else if (db == NULL) {
			tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory");
		}
		db_conn_free(db);
	} else if (a == NULL) {
		tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory");
	}
	arena_destroy(a);
	return cat;
}

/* Parse, then (unless --parse-only) resolve and translate; the result or the error into out. */
static int run(const char *text, size_t len, const options *opt, const catalog *cat, strbuf *out)
{
	arena *a = arena_create(0, 0);
	tr_err err = TR_ERR_INIT;
	if (a == NULL) {
		strbuf_puts(out, "taproom-adql: out of memory\n");
		return EXIT_USAGE;
	}
	adql_result_meta *meta = NULL;
	adql_query *q = adql_parse(a, text, len, &opt->parse, &err);
	int rc = q ? TR_OK : err.code;
	if (rc == TR_OK && opt->parse_only)
		adql_ast_dump(out, q->root);
	else if (rc == TR_OK && (rc = adql_resolve(q, cat, NULL, a, &meta, &err)) == TR_OK)
		rc = adql_translate(q, meta, &opt->translate, out, &err);
	int status = EXIT_VALID;
	if (rc == TR_ENOMEM || rc == TR_EINTERNAL) {
		strbuf_reset(out);
		strbuf_printf(out, "taproom-adql: %s\n", err.msg);
		status = EXIT_USAGE;
	} else if (rc != TR_OK) {
		strbuf_reset(out);
		strbuf_puts(out, "taproom-adql: ");
		adql_format_error(out, text, &err);
		strbuf_putc(out, '\n');
		adql_format_excerpt(out, text, len, &err);
		if (err.detail[0])
			strbuf_printf(out, "hint: %s\n", err.detail);
		status = EXIT_INVALID;
	} else {
		strbuf_putc(out, '\n');
	}
	arena_destroy(a);
	return strbuf_failed(out) ? EXIT_USAGE : status;
}

/* Reads the options; returns -1 to go on, or the exit status. */
static int parse_options(int argc, char **argv, options *opt)
{
	static const struct option longopts[] = {
		{ "parse-only", no_argument, NULL, 'p' }, { "schema", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' }, { "dialect", required_argument, NULL, 'd' },
		{ "maxrec", required_argument, NULL, 'm' }, { "extensions", no_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },         { "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	char *end;
	while ((c = getopt_long(argc, argv, "ps:c:d:m:xhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': opt->parse_only = true; break;
		case 's': opt->schema = optarg; break;
		case 'c': opt->config = optarg; break;
		case 'x': opt->parse.extensions = ADQL_EXT_HEX | ADQL_EXT_BITWISE; break;
		case 'h': usage(stdout); return EXIT_VALID;
		case 'V': puts("taproom-adql " PACKAGE_VERSION); return EXIT_VALID;
		case 'd':
			if (!parse_dialect(optarg, &opt->translate)) {
				fprintf(stderr, "taproom-adql: --dialect takes mariadb or mysql, optionally -X.Y.Z: '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'm':
			errno = 0;
			opt->translate.maxrec = strtoll(optarg, &end, 10);
			if (errno || end == optarg || *end || opt->translate.maxrec < 0) {
				fprintf(stderr, "taproom-adql: --maxrec takes a number of rows: '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		fputs("taproom-adql: give one query (quote it), or none to read standard input\n", stderr);
		return EXIT_USAGE;
	}
	if (!opt->parse_only && (opt->schema == NULL) == (opt->config == NULL)) {
		fputs("taproom-adql: give the metadata with --schema FILE or --config FILE (one of them), or "
		      "check the syntax alone with --parse-only\n",
		      stderr);
		return EXIT_USAGE;
	}
	return -1;
}

int main(int argc, char **argv)
{
	options opt = { .translate = { ADQL_DIALECT_MARIADB, 0, -1, &adql_geometry_emitter } };
	int rc = parse_options(argc, argv, &opt);
	if (rc >= 0)
		return rc;
	tr_err err = TR_ERR_INIT;
	catalog *cat = opt.parse_only ? NULL : load_catalog(&opt, &err);
	if (!opt.parse_only && cat == NULL) {
		fprintf(stderr, "taproom-adql: %s\n", err.msg);
		return EXIT_USAGE;
	}
	strbuf text = STRBUF_INIT((size_t)ADQL_MAX_QUERY_BYTES + 65536);
	strbuf out = STRBUF_INIT(0);
	rc = EXIT_USAGE;
	if (!read_query(optind < argc ? argv[optind] : NULL, &text))
		fprintf(stderr, "taproom-adql: cannot read the query: %s\n", strbuf_failed(&text) ? "out of memory" : "read error");
	else
		rc = run(strbuf_str(&text), strbuf_len(&text), &opt, cat, &out);
	fputs(strbuf_str(&out), rc == EXIT_VALID ? stdout : stderr);
	strbuf_free(&out);
	strbuf_free(&text);
	catalog_free(cat);
	return rc;
}
