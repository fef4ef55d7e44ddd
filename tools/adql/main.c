/* taproom-adql: checks an ADQL query from the command line and prints what it becomes.
 *
 * Thin: reads the query (argument or stdin), calls the library, prints.  Today every mode is
 * --parse-only (syntax tree as an S-expression); translation to SQL arrives with the resolver, which
 * will add --schema FILE and make SQL output the default.  Exit status: 0 valid, 1 invalid query,
 * 2 usage or system error (issue 3). */
#include <config.h>

#include "adql/limits.h"
#include "adql/parser.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/strbuf.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

enum { EXIT_VALID = 0, EXIT_INVALID = 1, EXIT_USAGE = 2 };

static void usage(FILE *out)
{
	fputs("Usage: taproom-adql --parse-only [OPTION]... [QUERY]\n"
	      "Checks an ADQL 2.1 query: QUERY, or standard input when QUERY is absent or \"-\".\n\n"
	      "  -p, --parse-only   check the syntax alone (no database, no TAP_SCHEMA) and print the\n"
	      "                     syntax tree as an S-expression\n"
	      "  -x, --extensions   also accept the extensions: hexadecimal literals (0x2F) and the\n"
	      "                     bitwise operators & | ^ ~\n"
	      "  -h, --help         print this help and exit\n"
	      "  -V, --version      print the version and exit\n\n"
	      "Translation to SQL needs the resolver, which is not built yet; until then --parse-only\n"
	      "is required.\n\n"
	      "Exit status: 0 valid query, 1 invalid query (the error, with its line and column, goes\n"
	      "to standard error), 2 usage or system error.\n",
	      out);
}

/* The query text: the argument, or all of stdin.  Reads at most one byte past the size limit, so
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

static int run(const char *text, size_t len, const adql_parse_opts *opts)
{
	arena *a = arena_create(0, 0);
	strbuf out = STRBUF_INIT(0);
	tr_err err = TR_ERR_INIT;
	int rc = EXIT_USAGE;
	if (a == NULL) {
		fputs("taproom-adql: out of memory\n", stderr);
		return EXIT_USAGE;
	}
	adql_query *q = adql_parse(a, text, len, opts, &err);
	if (q != NULL) {
		adql_ast_dump(&out, q->root);
		strbuf_putc(&out, '\n');
		rc = strbuf_failed(&out) ? EXIT_USAGE : EXIT_VALID;
	} else if (err.code == TR_ENOMEM || err.code == TR_EINTERNAL) {
		fprintf(stderr, "taproom-adql: %s\n", err.msg);
	} else {
		strbuf_puts(&out, "taproom-adql: ");
		adql_format_error(&out, text, &err);
		strbuf_putc(&out, '\n');
		adql_format_excerpt(&out, text, len, &err);
		if (err.detail[0])
			strbuf_printf(&out, "hint: %s\n", err.detail);
		rc = EXIT_INVALID;
	}
	fputs(strbuf_str(&out), rc == EXIT_VALID ? stdout : stderr);
	strbuf_free(&out);
	arena_destroy(a);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "parse-only", no_argument, NULL, 'p' },
		{ "extensions", no_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	adql_parse_opts opts = { 0 };
	bool parse_only = false;
	int c;
	while ((c = getopt_long(argc, argv, "pxhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': parse_only = true; break;
		case 'x': opts.extensions = ADQL_EXT_HEX | ADQL_EXT_BITWISE; break;
		case 'h': usage(stdout); return EXIT_VALID;
		case 'V': puts("taproom-adql " PACKAGE_VERSION); return EXIT_VALID;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		fputs("taproom-adql: give one query (quote it), or none to read standard input\n", stderr);
		return EXIT_USAGE;
	}
	if (!parse_only) {
		fputs("taproom-adql: translation to SQL needs the resolver, which is not built yet; "
		      "use --parse-only to check the syntax\n",
		      stderr);
		return EXIT_USAGE;
	}
	strbuf text = STRBUF_INIT((size_t)ADQL_MAX_QUERY_BYTES + 65536);
	if (!read_query(optind < argc ? argv[optind] : NULL, &text)) {
		fprintf(stderr, "taproom-adql: cannot read the query: %s\n",
		        strbuf_failed(&text) ? "out of memory" : "read error");
		strbuf_free(&text);
		return EXIT_USAGE;
	}
	int rc = run(strbuf_str(&text), strbuf_len(&text), &opts);
	strbuf_free(&text);
	return rc;
}
