/* fuzz/fuzz_adql: the whole ADQL pipeline on arbitrary bytes: adql_parse -> adql_resolve against a
 * fixed catalog -> adql_translate (without geometry, then with the geometry emitter), and the error
 * formatting the service applies to whatever fails.
 *
 * Each input runs in a fresh arena destroyed at the end, so anything a stage keeps outside it leaks
 * and LeakSanitizer says so.  Beyond "no crash, no hang, no leak" it checks what the translator
 * promises (adql/translate.h): a successful translation is one statement whose only quoted text is
 * backtick identifiers and '...' literals without backslashes, with no ';' or comment outside them;
 * a failing stage returns a code its header lists, the one err records, with a span inside the
 * query; one input in eight has an arena allocation fail, which must fail the pipeline cleanly
 * (TR_ENOMEM), never crash it nor be swallowed by a stage that then succeeds.  A broken promise
 * aborts, so the fuzzer keeps the input.  The options (extensions, dialect, server version, MAXREC,
 * ungrouped columns, the failing allocation) come from a hash of the input: every input is
 * reproducible, and the corpus spreads over all of them. */
#include <config.h>

#include "adql/geometry.h"
#include "adql/lexer.h"
#include "adql/parser.h"
#include "adql/resolve.h"
#include "adql/translate.h"
#include "tap/catalog.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/strbuf.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the catalog: tests/adql/schema.xml, built in code so the target needs no file ----------- */

typedef struct fuzz_column {
	const char *table, *name, *datatype, *arraysize, *xtype, *unit, *ucd;
	int is_indexed, is_primary, is_std;
} fuzz_column;

/* survey.objects has a column of every type the resolver distinguishes (a column named dec, a
 * delimited mixed-case "ObjClass", a point, a timestamp, a boolean); survey.obs uses TAP type names;
 * survey.bands is a view with a column whose name holds a backtick; TAP_SCHEMA describes itself. */
static const fuzz_column fuzz_columns[] = {
	{ "survey.objects", "id", "long", NULL, NULL, NULL, "meta.id;meta.main", 1, 1, 0 },
	{ "survey.objects", "name", "char", "32*", NULL, NULL, "meta.id", 0, 0, 0 },
	{ "survey.objects", "ra", "double", NULL, NULL, "deg", "pos.eq.ra;meta.main", 1, 0, 0 },
	{ "survey.objects", "dec", "double", NULL, NULL, "deg", "pos.eq.dec;meta.main", 0, 0, 0 },
	{ "survey.objects", "mag", "float", NULL, NULL, "mag", "phot.mag", 0, 0, 0 },
	{ "survey.objects", "flags", "short", NULL, NULL, NULL, "meta.code.qual", 0, 0, 0 },
	{ "survey.objects", "n_obs", "int", NULL, NULL, NULL, "meta.number", 0, 0, 0 },
	{ "survey.objects", "quality", "unsignedByte", NULL, NULL, NULL, "meta.code.qual", 0, 0, 0 },
	{ "survey.objects", "is_var", "boolean", NULL, NULL, NULL, "meta.code;src.var", 0, 0, 0 },
	{ "survey.objects", "dist", "double", NULL, NULL, "pc", "pos.distance", 0, 0, 0 },
	{ "survey.objects", "period", "double", NULL, NULL, "d", "time.period", 0, 0, 0 },
	{ "survey.objects", "flux", "double", NULL, NULL, "mJy", "phot.flux.density", 0, 0, 0 },
	{ "survey.objects", "obs_time", "char", "*", "timestamp", NULL, "time.epoch", 0, 0, 0 },
	{ "survey.objects", "\"ObjClass\"", "char", "8*", NULL, NULL, "src.class", 0, 0, 0 },
	{ "survey.objects", "pos", "double", "2", "point", "deg", "pos.eq", 0, 0, 0 },
	{ "survey.obs", "obs_id", "INTEGER", NULL, NULL, NULL, "meta.id;meta.main", 0, 0, 0 },
	{ "survey.obs", "object_id", "BIGINT", NULL, NULL, NULL, "meta.id", 0, 0, 0 },
	{ "survey.obs", "band", "CHAR", "1", NULL, NULL, "instr.bandpass", 0, 0, 0 },
	{ "survey.obs", "mag", "DOUBLE", NULL, NULL, "mag", "phot.mag", 0, 0, 0 },
	{ "survey.obs", "obs_time", "TIMESTAMP", NULL, NULL, NULL, "time.epoch", 0, 0, 0 },
	{ "survey.obs", "exptime", "DOUBLE", NULL, NULL, "s", "time.duration;obs.exposure", 0, 0, 0 },
	{ "survey.obs", "seeing", "REAL", NULL, NULL, "arcsec", "instr.obsty.seeing", 0, 0, 0 },
	{ "survey.bands", "band", "char", "1", NULL, NULL, "instr.bandpass", 0, 0, 0 },
	{ "survey.bands", "wavelength", "double", NULL, NULL, "nm", "em.wl.central", 0, 0, 0 },
	{ "survey.bands", "label", "char", "16*", NULL, NULL, "meta.note", 0, 0, 0 },
	{ "survey.bands", "\"Note`s\"", "char", "*", NULL, NULL, NULL, 0, 0, 0 },
	{ "TAP_SCHEMA.schemas", "schema_name", "char", "128*", NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.schemas", "utype", "char", "512*", NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.schemas", "description", "char", "*", NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.schemas", "schema_index", "int", NULL, NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.tables", "schema_name", "char", "128*", NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.tables", "table_name", "char", "256*", NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.tables", "table_type", "char", "16*", NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.tables", "utype", "char", "512*", NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.tables", "description", "char", "*", NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.tables", "table_index", "int", NULL, NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.columns", "table_name", "char", "256*", NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.columns", "column_name", "char", "128*", NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.columns", "datatype", "char", "64*", NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.columns", "arraysize", "char", "64*", NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.columns", "xtype", "char", "64*", NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.columns", "\"size\"", "int", NULL, NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.columns", "description", "char", "*", NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.columns", "utype", "char", "512*", NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.columns", "unit", "char", "128*", NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.columns", "ucd", "char", "256*", NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.columns", "indexed", "int", NULL, NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.columns", "principal", "int", NULL, NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.columns", "std", "int", NULL, NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.columns", "column_index", "int", NULL, NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.keys", "key_id", "char", "128*", NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.keys", "from_table", "char", "256*", NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.keys", "target_table", "char", "256*", NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.keys", "utype", "char", "512*", NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.keys", "description", "char", "*", NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.key_columns", "key_id", "char", "128*", NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.key_columns", "from_column", "char", "128*", NULL, NULL, NULL, 0, 0, 1 },
	{ "TAP_SCHEMA.key_columns", "target_column", "char", "128*", NULL, NULL, NULL, 0, 0, 1 },
};

static const struct {
	const char *schema, *name, *type;
} fuzz_tables[] = {
	{ "survey", "survey.objects", "table" },
	{ "survey", "survey.obs", "table" },
	{ "survey", "survey.bands", "view" },
	{ "TAP_SCHEMA", "TAP_SCHEMA.schemas", "table" },
	{ "TAP_SCHEMA", "TAP_SCHEMA.tables", "table" },
	{ "TAP_SCHEMA", "TAP_SCHEMA.columns", "table" },
	{ "TAP_SCHEMA", "TAP_SCHEMA.keys", "table" },
	{ "TAP_SCHEMA", "TAP_SCHEMA.key_columns", "table" },
};

#define N_ELEMS FUZZ_N_ELEMS

/* Injected allocation failures hit one of the first INJECT_MAX arena allocations of a run. */
#define INJECT_MAX 256

/* A broken promise or a fixture that does not build: the fuzzer must stop and keep the input. */
#define fail(what, detail) fuzz_fail("fuzz_adql", what, detail)

/* TAP 1.1 §4.3 "size": a one-dimensional arraysize as an integer (no '*'), else NULL. */
static long size_of(const char *arraysize)
{
	if (arraysize == NULL || strcmp(arraysize, "*") == 0)
		return CATALOG_NULL_INT;
	return strtol(arraysize, NULL, 10);
}

static catalog *build_catalog(void)
{
	tr_err err = TR_ERR_INIT;
	catalog *c = catalog_new(&err);
	if (c == NULL)
		fail("catalog", err.msg);
	static const catalog_schema_def schemas[] = {
		{ "survey", NULL, "A small survey", CATALOG_NULL_INT },
		{ "TAP_SCHEMA", NULL, "Metadata of this service (TAP 1.1 section 4)", CATALOG_NULL_INT },
	};
	int rc = TR_OK;
	for (size_t i = 0; rc == TR_OK && i < N_ELEMS(schemas); i++)
		rc = catalog_add_schema(c, &schemas[i], &err);
	for (size_t i = 0; rc == TR_OK && i < N_ELEMS(fuzz_tables); i++) {
		catalog_table_def t = { fuzz_tables[i].schema, fuzz_tables[i].name, fuzz_tables[i].type, NULL, NULL,
		                        CATALOG_NULL_INT };
		rc = catalog_add_table(c, &t, &err);
	}
	for (size_t i = 0; rc == TR_OK && i < N_ELEMS(fuzz_columns); i++) {
		const fuzz_column *f = &fuzz_columns[i];
		catalog_column_def d = {
			.table_name = f->table, .name = f->name, .datatype = f->datatype, .arraysize = f->arraysize,
			.xtype = f->xtype, .unit = f->unit, .ucd = f->ucd, .size = size_of(f->arraysize),
			.is_indexed = f->is_indexed, .is_primary = f->is_primary, .is_principal = f->is_primary,
			.is_std = f->is_std, .column_index = CATALOG_NULL_INT,
		};
		rc = catalog_add_column(c, &d, &err);
	}
	if (rc == TR_OK) {
		catalog_key_def k = { "obs_object", "survey.obs", "survey.objects", NULL, NULL };
		rc = catalog_add_key(c, &k, &err);
	}
	if (rc == TR_OK)
		rc = catalog_add_key_column(c, "obs_object", "object_id", "id", &err);
	if (rc == TR_OK)
		rc = catalog_finish(c, &err);
	if (rc != TR_OK)
		fail("catalog", err.msg);
	return c;
}

/* ---- checks ---------------------------------------------------------------------------------- */

/* The codes each stage may return (its header's list); TR_ENOMEM only when an allocation was made
 * to fail: the arena has no cap, so anything else reporting it is a limit or a bug misnamed. */
static const int parse_codes[] = { TR_ESYNTAX, TR_EENCODING, TR_ELIMIT, TR_EUNSUPPORTED, 0 };
static const int resolve_codes[] = { TR_ENAME, TR_ETYPE, TR_EUNSUPPORTED, TR_ELIMIT, 0 };
/* Geometry emitters add TR_EBADREQ (a constant declination outside [-90, 90]: geometry.h). */
static const int translate_codes[] = { TR_EUNSUPPORTED, TR_EBADREQ, TR_ELIMIT, 0 };

/* A stage returned rc with err: they must agree, the code must be one the stage documents, the
 * message must say something, and the position must lie in the query. */
static void check_error(const char *stage, int rc, const tr_err *err, size_t text_len, const int *codes,
                        int is_injected)
{
	if (err->code != rc)
		fail(stage, "returned a code other than the one err records");
	if (err->msg[0] == '\0')
		fail(stage, "failed with an empty message");
	int is_listed = is_injected && rc == TR_ENOMEM;
	for (const int *c = codes; *c; c++)
		is_listed |= rc == *c;
	if (!is_listed) {
		fprintf(stderr, "fuzz_adql: %s: code %d (%s)\n", stage, rc, tr_err_text(rc));
		fail(stage, err->msg);
	}
	if (err->pos < -1 || err->len < 0 || (err->pos >= 0 && (size_t)err->pos + (size_t)err->len > text_len))
		fail(stage, "error span outside the query");
}

/* The translator's promises about its output (adql/translate.h): one statement, identifiers only
 * in backticks (`` for a backtick), string literals only as '...' ('' for a quote, no backslash:
 * a backslash would read differently with and without NO_BACKSLASH_ESCAPES) or X'hex', and no
 * ';', comment or double quote outside them. */
static void check_sql(const char *sql, size_t n)
{
	enum { NORMAL, IDENT, STRING } st = NORMAL;
	for (size_t i = 0; i < n; i++) {
		char c = sql[i];
		if (c == '\0')
			fail("translate", "NUL byte in the SQL");
		switch (st) {
		case IDENT:
			if (c == '`' && i + 1 < n && sql[i + 1] == '`')
				i++;
			else if (c == '`')
				st = NORMAL;
			break;
		case STRING:
			if (c == '\\')
				fail("translate", "backslash in a string literal");
			if (c == '\'' && i + 1 < n && sql[i + 1] == '\'')
				i++;
			else if (c == '\'')
				st = NORMAL;
			break;
		case NORMAL:
			if (c == '`')
				st = IDENT;
			else if (c == '\'')
				st = STRING;
			else if (c == ';')
				fail("translate", "';' outside a literal: more than one statement");
			else if (c == '"')
				fail("translate", "double quote outside a literal (ANSI_QUOTES dependent)");
			else if (c == '#' || (c == '/' && i + 1 < n && sql[i + 1] == '*') ||
			         (c == '-' && i + 1 < n && sql[i + 1] == '-'))
				fail("translate", "comment outside a literal");
			else if (c == '\\')
				fail("translate", "backslash outside a literal");
			break;
		}
	}
	if (st != NORMAL)
		fail("translate", "unterminated identifier or literal");
	if (n == 0)
		fail("translate", "empty SQL");
}

/* ---- the target ------------------------------------------------------------------------------ */

/* Server versions whose feature sets differ (translate.h): newest, MariaDB before WITH, before
 * INTERSECT/EXCEPT and before their ALL forms, MySQL 8.0 before set operations. */
static const unsigned long versions[] = { 0, 100100, 100200, 100300, 100500, 80000, 80031, 50700 };
static const long long maxrecs[] = { -1, 0, 1, 100, 9223372036854775806LL };

/* What the service does with an error: a message with line and column, and the excerpt
 * taproom-adql prints; text is NUL-terminated (tap/query.c formats the NUL-terminated QUERY). */
static void format_error(const char *text, size_t len, const tr_err *err)
{
	strbuf sb = STRBUF_INIT(0);
	adql_format_error(&sb, text, err);
	adql_format_excerpt(&sb, text, len, err);
	if (strbuf_failed(&sb))
		fail("format", "could not format an error");
	strbuf_free(&sb);
}

static void translate(const adql_query *q, const adql_result_meta *meta, const adql_translate_opts *o,
                      const char *text, size_t len)
{
	strbuf sql = STRBUF_INIT(0);
	tr_err err = TR_ERR_INIT;
	int rc = adql_translate(q, meta, o, &sql, &err);
	if (rc == TR_OK) {
		if (strbuf_failed(&sql))
			fail("translate", "succeeded with a failed buffer");
		check_sql(strbuf_str(&sql), strbuf_len(&sql));
	} else {
		check_error("translate", rc, &err, len, translate_codes, 0);
		format_error(text, len, &err);
	}
	strbuf_free(&sql);
}

/* An allocation made to fail must fail the stage: a stage that succeeds anyway lost something. */
static void check_not_swallowed(arena *a, int is_injected, const char *stage)
{
	if (is_injected && fuzz_failure_happened(a, INJECT_MAX))
		fail(stage, "succeeded although an arena allocation failed");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static catalog *cat;
	if (cat == NULL)
		cat = build_catalog();
	if (size > (size_t)ADQL_MAX_QUERY_BYTES + 1)
		return 0; /* the size check itself is tested at exactly one byte over */
	uint64_t h = fuzz_hash(data, size);
	arena *a = arena_create(0, 0);
	if (a == NULL)
		fail("arena", "out of memory");
	/* The service hands the parser QUERY as a NUL-terminated string with its length. */
	char *text = arena_alloc(a, size + 1);
	if (text == NULL)
		fail("arena", "out of memory");
	memcpy(text, data, size);
	text[size] = '\0';
	/* One input in eight also has one arena allocation fail (the n-th from here): every stage must
	 * then end in a clean error (STYLE.md: debug builds can fail the N-th allocation). */
	int is_injected = (h >> 13) % 8 == 0;
	if (is_injected)
		arena_fail_after(1 + (h >> 16) % INJECT_MAX);

	adql_parse_opts popts = { .extensions = (h & 1) ? ADQL_EXT_HEX | ADQL_EXT_BITWISE : 0 };
	tr_err err = TR_ERR_INIT;
	adql_query *q = adql_parse(a, (const char *)data, size, &popts, &err);
	if (q == NULL) {
		if (err.code == TR_OK)
			fail("parse", "no tree and no error");
		check_error("parse", err.code, &err, size, parse_codes, is_injected);
		format_error(text, size, &err);
		arena_fail_after(0);
		arena_destroy(a);
		return 0;
	}
	adql_resolve_opts ropts = { .allow_ungrouped = (h >> 1) & 1 };
	adql_result_meta *meta = NULL;
	int rc = adql_resolve(q, cat, &ropts, a, &meta, &err);
	if (rc != TR_OK) {
		check_error("resolve", rc, &err, size, resolve_codes, is_injected);
		format_error(text, size, &err);
		arena_fail_after(0);
		arena_destroy(a);
		return 0;
	}
	/* The translator allocates nothing from the arena (translate.h): the parser and the resolver
	 * had every chance to meet the failing allocation. */
	check_not_swallowed(a, is_injected, "parse or resolve");
	if (meta == NULL || meta->n_columns == 0 || meta->columns == NULL)
		fail("resolve", "succeeded without output columns");
	for (size_t i = 0; i < meta->n_columns; i++)
		if (meta->columns[i].name == NULL || meta->columns[i].datatype == NULL)
			fail("resolve", "an output column without a name or datatype");

	adql_translate_opts topts = {
		.dialect = (h >> 2) & 1 ? ADQL_DIALECT_MYSQL : ADQL_DIALECT_MARIADB,
		.server_version = versions[(h >> 3) % N_ELEMS(versions)],
		.maxrec = maxrecs[(h >> 8) % N_ELEMS(maxrecs)],
		.geom = NULL,
	};
	translate(q, meta, &topts, text, size);
	topts.geom = &adql_geometry_emitter;
	translate(q, meta, &topts, text, size);
	arena_destroy(a);
	return 0;
}
