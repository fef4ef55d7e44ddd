/* taproom-admin: sets up and checks the service's TAP_SCHEMA and async job tables.
 *
 * Thin: options in, publish_init / publish_init_uws / publish_check (tap/publish.h), exit status out.
 * init runs sql/tap_schema.sql (compiled in) and grants SELECT on TAP_SCHEMA to the query account,
 * creates TAP_UPLOAD and grants that account CREATE TEMPORARY TABLES there (uploads), then creates the uws.name database with sql/uws.sql (compiled in) and grants the UWS account
 * SELECT, INSERT, UPDATE, DELETE on it; check compares TAP_SCHEMA with the tables it describes.
 * Exit status: 0 done / consistent, 1 problems found (check) or a statement refused (init), 2 usage,
 * configuration, connection or system error.  TAP 1.1 §4 (TAP_SCHEMA); issues 6 and 7. */
#include <config.h>

#include "tap/publish.h"
#include "tap_schema_sql.h"
#include "uws_sql.h"
#include "util/arena.h"
#include "util/err.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

enum { EXIT_DONE = 0, EXIT_PROBLEMS = 1, EXIT_USAGE = 2 };

static void usage(FILE *out)
{
	fputs("Usage: taproom-admin [OPTION]... init|check\n"
	      "  init    create TAP_SCHEMA with its five tables and its self-description (TAP 1.1 section 4),\n"
	      "          if missing (running it again changes nothing), and grant SELECT on it to the\n"
	      "          query account; create the database TAP_UPLOAD, if missing, and grant CREATE\n"
	      "          TEMPORARY TABLES on it to the query account (uploaded tables); then create the database of the async job tables (uws.name)\n"
	      "          and its tables, if missing, and grant SELECT, INSERT, UPDATE, DELETE on it to\n"
	      "          the UWS account (uws.user)\n"
	      "  check   check that every table and column TAP_SCHEMA publishes exists in the database with\n"
	      "          a type that can serve the declared datatype; print each problem\n\n"
	      "  -q, --quiet          print problems and errors only\n"
	      "  -h, --help           print this help and exit\n"
	      "  -V, --version        print the version and exit\n",
	      out);
	fputs(PUBLISH_DB_HELP, out);
	fputs("\nExit status: 0 done (init) or no problem (check), 1 problems found (check) or a statement the\n"
	      "database refused (init), 2 usage, configuration, connection or system error.\n",
	      out);
}

static void print_line(void *ctx, const char *line)
{
	(void)ctx;
	printf("%s\n", line);
}

static void print_problem(void *ctx, const char *line)
{
	bool quiet = *(const bool *)ctx;
	/* the summary line starts with "checked": only problems when quiet */
	if (!quiet || strncmp(line, "checked ", 8) != 0)
		printf("%s\n", line);
}

int main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		PUBLISH_DB_LONG_OPTIONS,
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	publish_db_opts db = { 0 };
	bool quiet = false;
	tr_err err = TR_ERR_INIT;
	int c;
	while ((c = getopt_long(argc, argv, "qhV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'q': quiet = true; break;
		case 'h': usage(stdout); return EXIT_DONE;
		case 'V': printf("taproom-admin %s\n", PACKAGE_VERSION); return EXIT_DONE;
		default:
			if (publish_db_option(c, optarg, &db, &err) < 0) {
				fprintf(stderr, "taproom-admin: %s\n", err.msg);
				return EXIT_USAGE;
			}
		}
	}
	if (optind + 1 != argc || (strcmp(argv[optind], "init") != 0 && strcmp(argv[optind], "check") != 0)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	bool is_init = strcmp(argv[optind], "init") == 0;
	arena *a = arena_create(0, 0);
	if (a == NULL) {
		fputs("taproom-admin: out of memory\n", stderr);
		return EXIT_USAGE;
	}
	publish_site site;
	db_conn *conn = publish_connect(a, &db, &site, &err);
	int status = EXIT_USAGE;
	if (conn && is_init) {
		publish_report_fn *report = quiet ? NULL : print_line;
		int rc = publish_init(db_conn_handle(conn), admin_tap_schema_sql, admin_tap_schema_sql_len, site.grant_to,
		                      report, NULL, &err);
		if (rc == TR_OK)
			rc = publish_init_uws(db_conn_handle(conn), admin_uws_sql, admin_uws_sql_len, site.uws_name,
			                      site.uws_grant_to, report, NULL, &err);
		status = rc == TR_OK ? EXIT_DONE : rc == TR_EDB || rc == TR_ENOTFOUND ? EXIT_PROBLEMS : EXIT_USAGE;
	} else if (conn) {
		size_t problems = 0;
		if (publish_check(db_conn_handle(conn), print_problem, &quiet, &problems, &err) == TR_OK)
			status = problems ? EXIT_PROBLEMS : EXIT_DONE;
	}
	if (tr_err_isset(&err))
		fprintf(stderr, "taproom-admin: %s\n", err.msg);
	db_conn_free(conn);
	arena_destroy(a);
	return status;
}
