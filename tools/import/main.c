/* taproom-import: loads a VOTable or CSV file into a MariaDB table and publishes it in TAP_SCHEMA,
 * or publishes an existing table (--describe).
 *
 * Thin: options in, publish_import / publish_describe (tap/publish.h), exit status out.  The target
 * comes from the command line or the file name.  Exit status: 0 published, 1 the input or the
 * target was refused (the message has the file, row and column), 2 usage, configuration, database
 * or system error.  In every failure the database and TAP_SCHEMA are left as they were.  Issue 6. */
#include <config.h>

#include "tap/publish.h"
#include "util/arena.h"
#include "util/err.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { EXIT_DONE = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2 };

enum {
	OPT_TYPES = 0x200, OPT_DELIMITER, OPT_NO_INDEX, OPT_DESCRIPTION, OPT_PRINCIPAL, OPT_BATCH_BYTES, OPT_SCHEMA
};

static void usage(FILE *out)
{
	fputs("Usage: taproom-import [OPTION]... FILE [[SCHEMA.]TABLE]\n"
	      "       taproom-import --describe [OPTION]... [SCHEMA.]TABLE [METADATA.vot]\n"
	      "Loads FILE, a VOTable (TABLEDATA, BINARY2 or BINARY, any size; - for standard input) or a CSV\n"
	      "file with a header line, into a new MariaDB table and publishes it in TAP_SCHEMA with the\n"
	      "units, UCDs, utypes, xtypes and descriptions of the VOTable FIELDs.  The target defaults to\n"
	      "the file name without its extension (\"gaia.sources.vot\" is gaia.sources); a table without\n"
	      "a schema goes into --schema, else the configured database.name.  Nothing changes unless\n"
	      "every row loads: errors name the file, row and column.\n\n"
	      "  -r, --replace          replace an existing table (and its TAP_SCHEMA rows) atomically\n"
	      "  -a, --append           add the rows to an existing table (columns matched by name)\n"
	      "  -d, --describe         only publish the existing table [SCHEMA.]TABLE: columns and types\n"
	      "                         from the database, units, UCDs and descriptions from the FIELDs of\n"
	      "                         the optional METADATA VOTable\n"
	      "  -f, --format FMT       votable or csv (default: csv for *.csv, *.tsv and *.txt, else votable)\n"
	      "  -k, --primary-key COL  primary key column (default: the FIELD whose UCD has meta.id and\n"
	      "                         meta.main; \"\" for none)\n"
	      "      --types LIST       CSV column types, NAME=TYPE,... (short, int, long, float, double,\n"
	      "                         boolean, char, char(N); default: inferred: int, long, double or char)\n"
	      "      --delimiter C      CSV field separator (default ','; \"tab\" for a tab)\n"
	      "      --schema NAME      schema for targets given without one\n"
	      "      --description TEXT TAP_SCHEMA description of the table (default: the TABLE's DESCRIPTION)\n"
	      "      --principal LIST   comma-separated principal columns (default: all)\n"
	      "      --no-index         no indexes on the position columns (pos.eq.ra/pos.eq.dec, meta.main)\n"
	      "      --batch-bytes N    size of one INSERT (default 1 MiB, at most half max_allowed_packet)\n"
	      "  -q, --quiet            print errors only\n"
	      "  -h, --help             print this help and exit\n"
	      "  -V, --version          print the version and exit\n",
	      out);
	fputs(PUBLISH_DB_HELP, out);
	fputs("\nExit status: 0 published, 1 the input or the target was refused, 2 usage, configuration,\n"
	      "database or system error.\n",
	      out);
}

static void print_line(void *ctx, const char *line)
{
	(void)ctx;
	printf("taproom-import: %s\n", line);
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* "SCHEMA.TABLE" or "TABLE" into the options; the default schema for the second. */
static bool split_target(arena *a, const char *target, const char *default_schema, publish_import_opts *o)
{
	const char *dot = strchr(target, '.');
	if (dot) {
		o->schema = arena_strndup(a, target, (size_t)(dot - target));
		o->table = dot + 1;
	} else {
		o->schema = default_schema;
		o->table = target;
	}
	return o->schema && o->schema[0] && o->table[0];
}

/* The target named by the file: its base name without the extension. */
static const char *target_of_file(arena *a, const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *ext = strrchr(base, '.');
	return arena_strndup(a, base, ext && ext != base ? (size_t)(ext - base) : strlen(base));
}

/* Codes that mean "this input or target was refused", as opposed to the tool or the database failing. */
static bool is_refusal(int code)
{
	return code == TR_EBADREQ || code == TR_EENCODING || code == TR_ELIMIT || code == TR_ECONFLICT ||
	       code == TR_EUNSUPPORTED || code == TR_ENOTFOUND;
}

int main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		PUBLISH_DB_LONG_OPTIONS,
		{ "replace", no_argument, NULL, 'r' },
		{ "append", no_argument, NULL, 'a' },
		{ "describe", no_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "primary-key", required_argument, NULL, 'k' },
		{ "types", required_argument, NULL, OPT_TYPES },
		{ "delimiter", required_argument, NULL, OPT_DELIMITER },
		{ "schema", required_argument, NULL, OPT_SCHEMA },
		{ "description", required_argument, NULL, OPT_DESCRIPTION },
		{ "principal", required_argument, NULL, OPT_PRINCIPAL },
		{ "no-index", no_argument, NULL, OPT_NO_INDEX },
		{ "batch-bytes", required_argument, NULL, OPT_BATCH_BYTES },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	publish_db_opts db = { 0 };
	publish_import_opts o = { .mode = PUBLISH_CREATE, .format = PUBLISH_VOTABLE };
	const char *format = NULL, *schema = NULL;
	bool describe = false, quiet = false;
	tr_err err = TR_ERR_INIT;
	int c;
	while ((c = getopt_long(argc, argv, "radf:k:qhV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'r': o.mode = PUBLISH_REPLACE; break;
		case 'a': o.mode = PUBLISH_APPEND; break;
		case 'd': describe = true; break;
		case 'f': format = optarg; break;
		case 'k': o.primary_key = optarg; break;
		case OPT_TYPES: o.types = optarg; break;
		case OPT_SCHEMA: schema = optarg; break;
		case OPT_DESCRIPTION: o.description = optarg; break;
		case OPT_PRINCIPAL: o.principal = optarg; break;
		case OPT_NO_INDEX: o.is_no_index = true; break;
		case OPT_DELIMITER:
			if (strcmp(optarg, "tab") == 0 || strcmp(optarg, "\\t") == 0) {
				o.delimiter = '\t';
			} else if (strlen(optarg) == 1 && optarg[0] != '"' && optarg[0] != '\n' && optarg[0] != '\r') {
				o.delimiter = optarg[0];
			} else {
				fprintf(stderr, "taproom-import: --delimiter: one character, or \"tab\"\n");
				return EXIT_USAGE;
			}
			break;
		case OPT_BATCH_BYTES: {
			char *end;
			errno = 0;
			unsigned long long v = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || v < 1024 || v > PUBLISH_SQL_MAX) {
				fprintf(stderr, "taproom-import: --batch-bytes: a number from 1024 to %zu\n", PUBLISH_SQL_MAX);
				return EXIT_USAGE;
			}
			o.batch_bytes = (size_t)v;
			break;
		}
		case 'q': quiet = true; break;
		case 'h': usage(stdout); return EXIT_DONE;
		case 'V': printf("taproom-import %s\n", PACKAGE_VERSION); return EXIT_DONE;
		default:
			if (publish_db_option(c, optarg, &db, &err) < 0) {
				fprintf(stderr, "taproom-import: %s\n", err.msg);
				return EXIT_USAGE;
			}
		}
	}
	int n_args = argc - optind;
	if (n_args < 1 || n_args > 2 || (describe && o.mode != PUBLISH_CREATE) ||
	    (format && strcmp(format, "votable") != 0 && strcmp(format, "csv") != 0)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	arena *a = arena_create(0, 0);
	if (a == NULL) {
		fputs("taproom-import: out of memory\n", stderr);
		return EXIT_USAGE;
	}
	const char *target = describe ? argv[optind] : n_args == 2 ? argv[optind + 1] : NULL;
	const char *meta = describe && n_args == 2 ? argv[optind + 1] : NULL;
	if (!describe) {
		o.path = argv[optind];
		bool csv = format ? strcmp(format, "csv") == 0
		                  : has_suffix(o.path, ".csv") || has_suffix(o.path, ".tsv") || has_suffix(o.path, ".txt");
		o.format = csv ? PUBLISH_CSV : PUBLISH_VOTABLE;
		if (has_suffix(o.path, ".tsv") && o.delimiter == 0)
			o.delimiter = '\t';
		if (target == NULL && strcmp(o.path, "-") == 0) {
			fputs("taproom-import: reading standard input: name the target, [SCHEMA.]TABLE\n", stderr);
			arena_destroy(a);
			return EXIT_USAGE;
		}
		if (target == NULL)
			target = target_of_file(a, o.path);
	}
	o.report = quiet ? NULL : print_line;
	publish_site site;
	db_conn *conn = publish_connect(a, &db, &site, &err), *tconn = NULL;
	int rc = conn ? TR_OK : err.code;
	if (rc == TR_OK && !split_target(a, target, schema ? schema : site.default_schema, &o))
		rc = tr_err_set(&err, TR_EBADREQ, -1, 0, "no target table in \"%s\"", target ? target : "");
	o.grant_to = site.grant_to;
	if (rc == TR_OK && describe) {
		rc = publish_describe(a, db_conn_handle(conn), &o, meta, &err);
	} else if (rc == TR_OK) {
		/* the TAP_SCHEMA transaction needs a connection of its own (publish.h) */
		publish_site ignored;
		if ((tconn = publish_connect(a, &db, &ignored, &err)) == NULL)
			rc = err.code;
		publish_stats st;
		if (rc == TR_OK)
			rc = publish_import(a, db_conn_handle(conn), db_conn_handle(tconn), &o, &st, &err);
		if (rc == TR_OK && !quiet)
			printf("taproom-import: published %s.%s: %llu rows, %zu columns, primary key %s, %zu position index%s\n",
			       o.schema, o.table, (unsigned long long)st.rows, st.n_columns,
			       st.primary_key ? st.primary_key : "none", st.n_indexes, st.n_indexes == 1 ? "" : "es");
	}
	if (rc < 0)
		fprintf(stderr, "taproom-import: %s\n", err.msg);
	db_conn_free(tconn);
	db_conn_free(conn);
	arena_destroy(a);
	return rc == TR_OK ? EXIT_DONE : is_refusal(rc) ? EXIT_REFUSED : EXIT_USAGE;
}
