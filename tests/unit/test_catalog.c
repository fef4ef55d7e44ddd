/* test_catalog: the TAP_SCHEMA model (src/tap/catalog.h) and the tableset reader (catalog_xml.c).
 *
 * The model fixture is built through the builder API: lookups with ADQL case rules (regular vs
 * delimited, TAP 1.1 §4 quoted names), ambiguity, the iteration order, builder errors and
 * out-of-memory at every allocation.  The reader loads the files in tests/catalog/ (from $top_srcdir):
 * a realistic VOSI tableset checked field by field, the same document fed one byte at a time, and
 * malformed documents whose errors must carry the file and line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "catalog_dump.h"
#include "tap/catalog.h"
#include "util/arena.h"
#include "util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define NUL CATALOG_NULL_INT

/* ---- helpers -------------------------------------------------------------------------------- */

static const char *fixture_path(const char *name)
{
	static char path[4096];
	const char *top = getenv("top_srcdir");
	snprintf(path, sizeof path, "%s/tests/catalog/%s", top && top[0] ? top : ".", name);
	return path;
}

static catalog_name nm(const char *s, int is_delimited)
{
	catalog_name n = { s, strlen(s), is_delimited };
	return n;
}

/* ---- the model fixture ---------------------------------------------------------------------- */

static const catalog_schema_def model_schemas[] = {
	{ "demo", "ivo://demo", "Demo data", 2 },
	{ "other", NULL, NULL, 1 },
	{ "TAP_SCHEMA", NULL, "Metadata", NUL },
	{ "zeta", NULL, NULL, 2 }, /* same index as demo: the name decides */
};

static const catalog_table_def model_tables[] = {
	{ "demo", "demo.catalog", "table", "demo:Cat", "Objects", 2 },
	{ "demo", "demo.obs", "view", NULL, NULL, 1 },
	{ "demo", "demo.\"Quoted.Name\"", "table", NULL, NULL, NUL },
	{ "other", "other.catalog", "table", NULL, NULL, NUL },
	{ "zeta", "plain", "table", NULL, NULL, NUL },                /* unprefixed: lives in zeta */
	{ "TAP_SCHEMA", "TAP_SCHEMA.tables", "table", NULL, NULL, 1 },
};

static const catalog_column_def model_columns[] = {
	{ .table_name = "demo.catalog", .name = "ra", .datatype = "double", .unit = "deg", .ucd = "pos.eq.ra",
	  .size = NUL, .is_indexed = 1, .column_index = 2 },
	{ .table_name = "demo.catalog", .name = "dec", .datatype = "double", .size = NUL, .column_index = 1 },
	{ .table_name = "demo.catalog", .name = "\"Mixed\"", .datatype = "char", .arraysize = "16*", .size = 16,
	  .column_index = 3 },
	{ .table_name = "demo.catalog", .name = "Flux", .datatype = "float", .size = NUL, .column_index = 4 },
	{ .table_name = "demo.catalog", .name = "\"flux\"", .datatype = "float", .size = NUL, .column_index = 5 },
	{ .table_name = "demo.catalog", .name = "id", .datatype = "long", .size = NUL, .is_principal = 1,
	  .is_std = 1, .column_index = NUL },
	{ .table_name = "demo.obs", .name = "object_id", .datatype = "long", .size = NUL, .column_index = NUL },
	{ .table_name = "other.catalog", .name = "ra", .datatype = "double", .size = NUL, .column_index = NUL },
	{ .table_name = "TAP_SCHEMA.tables", .name = "table_name", .datatype = "char", .size = NUL,
	  .column_index = NUL },
};

static int build_model(catalog **out, tr_err *err)
{
	*out = catalog_new(err);
	catalog *c = *out;
	if (c == NULL)
		return err->code;
	for (size_t i = 0; i < N_OF(model_schemas); i++)
		if (catalog_add_schema(c, &model_schemas[i], err))
			return err->code;
	for (size_t i = 0; i < N_OF(model_tables); i++)
		if (catalog_add_table(c, &model_tables[i], err))
			return err->code;
	for (size_t i = 0; i < N_OF(model_columns); i++)
		if (catalog_add_column(c, &model_columns[i], err))
			return err->code;
	catalog_key_def key = { "obs-catalog", "demo.obs", "demo.catalog", NULL, "object observed" };
	if (catalog_add_key(c, &key, err) || catalog_add_key_column(c, "obs-catalog", "object_id", "id", err))
		return err->code;
	return catalog_finish(c, err);
}

static int setup_model(void **state)
{
	catalog *c;
	tr_err err = TR_ERR_INIT;
	if (build_model(&c, &err) != TR_OK) {
		catalog_free(c);
		return -1;
	}
	*state = c;
	return 0;
}

static int teardown_model(void **state)
{
	catalog_free(*state);
	return 0;
}

/* ---- model tests ---------------------------------------------------------------------------- */

static void test_find_table(void **state)
{
	const catalog *c = *state;
	static const struct {
		const char *schema; /* NULL: no schema given */
		int is_schema_delimited;
		const char *table;
		int is_table_delimited;
		catalog_match expect;
		const char *found; /* published name of the (first) result */
		const char *other; /* second candidate when ambiguous */
	} cases[] = {
		{ NULL, 0, "catalog", 0, CATALOG_AMBIGUOUS, "other.catalog", "demo.catalog" },
		{ "demo", 0, "catalog", 0, CATALOG_FOUND, "demo.catalog", NULL },
		{ "DEMO", 0, "CaTaLoG", 0, CATALOG_FOUND, "demo.catalog", NULL },
		{ "demo", 1, "catalog", 1, CATALOG_FOUND, "demo.catalog", NULL },
		{ "DEMO", 1, "catalog", 0, CATALOG_NOT_FOUND, NULL, NULL },
		{ "demo", 0, "CATALOG", 1, CATALOG_NOT_FOUND, NULL, NULL },
		{ NULL, 0, "OBS", 0, CATALOG_FOUND, "demo.obs", NULL },
		{ NULL, 0, "quoted.name", 0, CATALOG_FOUND, "demo.\"Quoted.Name\"", NULL },
		{ NULL, 0, "Quoted.Name", 1, CATALOG_FOUND, "demo.\"Quoted.Name\"", NULL },
		{ NULL, 0, "quoted.name", 1, CATALOG_NOT_FOUND, NULL, NULL },
		{ NULL, 0, "plain", 0, CATALOG_FOUND, "plain", NULL },
		{ "zeta", 0, "plain", 0, CATALOG_FOUND, "plain", NULL },
		{ "demo", 0, "plain", 0, CATALOG_NOT_FOUND, NULL, NULL },
		{ "tap_schema", 0, "tables", 0, CATALOG_FOUND, "TAP_SCHEMA.tables", NULL },
		{ NULL, 0, "nope", 0, CATALOG_NOT_FOUND, NULL, NULL },
		{ NULL, 0, "", 0, CATALOG_NOT_FOUND, NULL, NULL },
	};
	for (size_t i = 0; i < N_OF(cases); i++) {
		catalog_name schema = cases[i].schema ? nm(cases[i].schema, cases[i].is_schema_delimited) : nm("", 0);
		catalog_name table = nm(cases[i].table, cases[i].is_table_delimited);
		const catalog_table *t = NULL, *other = NULL;
		catalog_match m = catalog_find_table(c, cases[i].schema ? &schema : NULL, &table, &t, &other);
		if (m != cases[i].expect)
			fail_msg("case %zu (%s): match %d, expected %d", i, cases[i].table, m, cases[i].expect);
		if (cases[i].found)
			assert_string_equal(t->name, cases[i].found);
		else
			assert_null(t);
		if (cases[i].other)
			assert_string_equal(other->name, cases[i].other);
		else
			assert_null(other);
	}
	/* names are (pointer, length) slices of the query text, not C strings */
	catalog_name slice = { "obsXYZ", 3, 0 };
	const catalog_table *t;
	assert_int_equal(catalog_find_table(c, NULL, &slice, &t, NULL), CATALOG_FOUND);
	assert_string_equal(t->name, "demo.obs");
}

static void test_find_column(void **state)
{
	const catalog *c = *state;
	const catalog_table *t = catalog_table_by_name(c, "demo.catalog");
	assert_non_null(t);
	static const struct {
		const char *name;
		int is_delimited;
		catalog_match expect;
		const char *found, *other; /* published names */
	} cases[] = {
		{ "ra", 0, CATALOG_FOUND, "ra", NULL },
		{ "RA", 0, CATALOG_FOUND, "ra", NULL },
		{ "RA", 1, CATALOG_NOT_FOUND, NULL, NULL },
		{ "ra", 1, CATALOG_FOUND, "ra", NULL },
		{ "mixed", 0, CATALOG_FOUND, "\"Mixed\"", NULL },
		{ "Mixed", 1, CATALOG_FOUND, "\"Mixed\"", NULL },
		{ "\"Mixed\"", 1, CATALOG_NOT_FOUND, NULL, NULL }, /* callers pass names without quotes */
		{ "flux", 0, CATALOG_AMBIGUOUS, "Flux", "\"flux\"" },
		{ "flux", 1, CATALOG_FOUND, "\"flux\"", NULL },
		{ "Flux", 1, CATALOG_FOUND, "Flux", NULL },
		{ "object_id", 0, CATALOG_NOT_FOUND, NULL, NULL }, /* a column of another table */
	};
	for (size_t i = 0; i < N_OF(cases); i++) {
		catalog_name n = nm(cases[i].name, cases[i].is_delimited);
		const catalog_column *col = NULL, *other = NULL;
		catalog_match m = catalog_find_column(c, t, &n, &col, &other);
		if (m != cases[i].expect)
			fail_msg("case %zu (%s): match %d, expected %d", i, cases[i].name, m, cases[i].expect);
		if (cases[i].found) {
			assert_string_equal(col->name, cases[i].found);
			assert_ptr_equal(col->table, t);
		} else {
			assert_null(col);
		}
		if (cases[i].other)
			assert_string_equal(other->name, cases[i].other);
		else
			assert_null(other);
	}
}

static void test_exact_lookups_and_locations(void **state)
{
	const catalog *c = *state;
	const catalog_table *q = catalog_table_by_name(c, "demo.\"Quoted.Name\"");
	assert_non_null(q);
	assert_string_equal(q->db_schema, "demo");
	assert_string_equal(q->db_table, "Quoted.Name");
	const catalog_table *plain = catalog_table_by_name(c, "plain");
	assert_string_equal(plain->db_schema, "zeta");
	assert_string_equal(plain->db_table, "plain");
	assert_null(catalog_table_by_name(c, "DEMO.CATALOG")); /* published names are exact */
	const catalog_table *cat = catalog_table_by_name(c, "demo.catalog");
	assert_string_equal(cat->db_schema, "demo");
	assert_string_equal(cat->db_table, "catalog");
	assert_string_equal(catalog_column_by_name(c, cat, "\"Mixed\"")->db_name, "Mixed");
	assert_null(catalog_column_by_name(c, cat, "Mixed"));
	assert_string_equal(catalog_schema_by_name(c, "zeta")->name, "zeta");
	assert_null(catalog_schema_by_name(c, "ZETA"));
	const catalog_key *k = catalog_key_by_id(c, "obs-catalog");
	assert_non_null(k);
	assert_string_equal(k->from->name, "demo.obs");
	assert_ptr_equal(k->target, cat);
	assert_int_equal(k->n_columns, 1);
	assert_string_equal(k->columns[0].from->name, "object_id");
	assert_string_equal(k->columns[0].target->name, "id");
	assert_int_equal(catalog_n_schemas(c), 4);
	assert_int_equal(catalog_n_tables(c), N_OF(model_tables));
	assert_int_equal(catalog_n_columns(c), N_OF(model_columns));
	assert_int_equal(catalog_n_keys(c), 1);
}

static void test_iteration_order(void **state)
{
	const catalog *c = *state;
	strbuf sb = STRBUF_INIT(0);
	catalog_dump(c, &sb);
	assert_false(strbuf_failed(&sb));
	/* schemas by (schema_index, name), NULL last; tables and columns likewise within their parent */
	static const char expect[] =
		"schema other index=1\n"
		" table other.catalog type=table db=other.catalog\n"
		"  column ra db=ra type=double flags=00000\n"
		"schema demo utype=[ivo://demo] descr=[Demo data] index=2\n"
		" table demo.obs type=view db=demo.obs index=1\n"
		"  column object_id db=object_id type=long flags=00000\n"
		"  key obs-catalog -> demo.catalog (object_id=id) descr=[object observed]\n"
		" table demo.catalog type=table db=demo.catalog utype=[demo:Cat] descr=[Objects] index=2\n"
		"  column dec db=dec type=double flags=00000 index=1\n"
		"  column ra db=ra type=double flags=10000 unit=[deg] ucd=[pos.eq.ra] index=2\n"
		"  column \"Mixed\" db=Mixed type=char flags=00000 arraysize=[16*] size=16 index=3\n"
		"  column Flux db=Flux type=float flags=00000 index=4\n"
		"  column \"flux\" db=flux type=float flags=00000 index=5\n"
		"  column id db=id type=long flags=01100\n"
		" table demo.\"Quoted.Name\" type=table db=demo.Quoted.Name\n"
		"schema zeta index=2\n"
		" table plain type=table db=zeta.plain\n"
		"schema TAP_SCHEMA descr=[Metadata]\n"
		" table TAP_SCHEMA.tables type=table db=TAP_SCHEMA.tables index=1\n"
		"  column table_name db=table_name type=char flags=00000\n";
	assert_string_equal(strbuf_str(&sb), expect);
	const catalog_table *cat = catalog_table_by_name(c, "demo.catalog");
	for (size_t i = 0; i < cat->n_columns; i++)
		assert_int_equal(cat->columns[i]->ord, i);
	for (size_t i = 0; i < catalog_n_schemas(c); i++)
		assert_int_equal(catalog_schema_at(c, i)->ord, i);
	strbuf_free(&sb);
}

/* Thousands of columns: every lookup finds its column through the hash indexes (which grow many
 * times on the way), and a table name shared by every schema is ambiguous until qualified. */
static void test_many_columns(void **state)
{
	(void)state;
	enum { N_SCHEMAS = 20, N_TABLES = 25, N_COLUMNS = 40 };
	tr_err err = TR_ERR_INIT;
	catalog *c = catalog_new(&err);
	assert_non_null(c);
	char schema[32], table[64], column[32];
	for (int s = 0; s < N_SCHEMAS; s++) {
		snprintf(schema, sizeof schema, "s%d", s);
		catalog_schema_def sd = { schema, NULL, NULL, NUL };
		assert_int_equal(catalog_add_schema(c, &sd, &err), TR_OK);
		for (int t = 0; t < N_TABLES; t++) {
			snprintf(table, sizeof table, "s%d.t%d", s, t);
			catalog_table_def td = { schema, table, "table", NULL, NULL, NUL };
			assert_int_equal(catalog_add_table(c, &td, &err), TR_OK);
			for (int k = 0; k < N_COLUMNS; k++) {
				snprintf(column, sizeof column, "Col%d", k);
				catalog_column_def cd = { .table_name = table, .name = column, .datatype = "int", .size = NUL,
					                  .column_index = N_COLUMNS - k };
				assert_int_equal(catalog_add_column(c, &cd, &err), TR_OK);
			}
		}
	}
	assert_int_equal(catalog_finish(c, &err), TR_OK);
	assert_int_equal(catalog_n_columns(c), N_SCHEMAS * N_TABLES * N_COLUMNS);
	for (int s = 0; s < N_SCHEMAS; s++) {
		for (int t = 0; t < N_TABLES; t++) {
			snprintf(schema, sizeof schema, "S%d", s);
			snprintf(table, sizeof table, "T%d", t);
			catalog_name sn = nm(schema, 0), tn = nm(table, 0);
			const catalog_table *found, *other;
			assert_int_equal(catalog_find_table(c, &sn, &tn, &found, NULL), CATALOG_FOUND);
			assert_int_equal(catalog_find_table(c, NULL, &tn, &found, &other), CATALOG_AMBIGUOUS);
			assert_string_equal(other->schema->name, "s1"); /* the first two schemas by name: s0, s1 */
			assert_int_equal(catalog_find_table(c, &sn, &tn, &found, NULL), CATALOG_FOUND);
			assert_int_equal(found->n_columns, N_COLUMNS);
			assert_string_equal(found->columns[0]->name, "Col39"); /* column_index order */
			for (int k = 0; k < N_COLUMNS; k++) {
				snprintf(column, sizeof column, "COL%d", k);
				catalog_name cn = nm(column, 0);
				const catalog_column *col;
				assert_int_equal(catalog_find_column(c, found, &cn, &col, NULL), CATALOG_FOUND);
				assert_ptr_equal(col->table, found);
				assert_int_equal(strcmp(col->name + 3, column + 3), 0);
			}
		}
	}
	catalog_free(c);
}

/* Builder errors: each case adds a valid base, then the steps; the last step must fail. */
static void test_builder_errors(void **state)
{
	(void)state;
	enum op { SCHEMA, TABLE, COLUMN, KEY, KEYCOL, FINISH };
	static const struct {
		enum op op;
		const char *a, *b, *cc; /* names: see the switch */
		int flag;               /* for COLUMN: the indexed value */
		const char *expect;     /* substring of the message */
	} cases[] = {
		{ SCHEMA, "s", NULL, NULL, 0, "duplicate schema \"s\"" },
		{ SCHEMA, "", NULL, NULL, 0, "schema_name is missing" },
		{ TABLE, "nope", "nope.t", NULL, 0, "no schema \"nope\"" },
		{ TABLE, "s", "s.t", NULL, 0, "duplicate table \"s.t\"" },
		{ TABLE, "s", "s.", NULL, 0, "table_name \"s.\" is not a valid identifier" },
		{ TABLE, "s", "\"s.x", NULL, 0, "is not a valid identifier" },
		{ TABLE, "s", "s.a\"b", NULL, 0, "is not a valid identifier" },
		{ COLUMN, "s.nope", "c", "int", 0, "no table \"s.nope\"" },
		{ COLUMN, "s.t", "c", "int", 0, "duplicate column \"c\"" },
		{ COLUMN, "s.t", "d", NULL, 0, "datatype is missing" },
		{ COLUMN, "s.t", "d", "int", 2, "indexed is 2, not 0 or 1" },
		{ COLUMN, "s.t", "\"\"", "int", 0, "is not a valid identifier" },
		{ KEY, "k", "s.t", "s.nope", 0, "no target_table \"s.nope\"" },
		{ KEY, "k", "s.nope", "s.t", 0, "no from_table \"s.nope\"" },
		{ KEY, "base", "s.t", "s.t", 0, "duplicate key \"base\"" },
		{ KEYCOL, "nokey", "c", "c", 0, "no key \"nokey\"" },
		{ KEYCOL, "base", "zz", "c", 0, "no from_column \"zz\" in table \"s.t\"" },
		{ KEYCOL, "base", "c", "zz", 0, "no target_column \"zz\" in table \"s.t\"" },
		{ FINISH, "empty", NULL, NULL, 0, "key \"empty\" has no key_columns" }, /* TAP 1.1 §4.5 */
	};
	for (size_t i = 0; i < N_OF(cases); i++) {
		tr_err err = TR_ERR_INIT;
		catalog *c = catalog_new(&err);
		assert_non_null(c);
		catalog_schema_def s = { "s", NULL, NULL, NUL };
		catalog_table_def t = { "s", "s.t", "table", NULL, NULL, NUL };
		catalog_column_def col = { .table_name = "s.t", .name = "c", .datatype = "int", .size = NUL,
		                           .column_index = NUL };
		catalog_key_def key = { "base", "s.t", "s.t", NULL, NULL };
		assert_int_equal(catalog_add_schema(c, &s, &err), TR_OK);
		assert_int_equal(catalog_add_table(c, &t, &err), TR_OK);
		assert_int_equal(catalog_add_column(c, &col, &err), TR_OK);
		assert_int_equal(catalog_add_key(c, &key, &err), TR_OK);
		assert_int_equal(catalog_add_key_column(c, "base", "c", "c", &err), TR_OK);
		int rc = TR_OK;
		switch (cases[i].op) {
		case SCHEMA: s.name = cases[i].a; rc = catalog_add_schema(c, &s, &err); break;
		case TABLE:
			t.schema_name = cases[i].a;
			t.name = cases[i].b;
			rc = catalog_add_table(c, &t, &err);
			break;
		case COLUMN:
			col.table_name = cases[i].a;
			col.name = cases[i].b;
			col.datatype = cases[i].cc;
			col.is_indexed = cases[i].flag;
			rc = catalog_add_column(c, &col, &err);
			break;
		case KEY:
			key.key_id = cases[i].a;
			key.from_table = cases[i].b;
			key.target_table = cases[i].cc;
			rc = catalog_add_key(c, &key, &err);
			break;
		case KEYCOL: rc = catalog_add_key_column(c, cases[i].a, cases[i].b, cases[i].cc, &err); break;
		case FINISH:
			key.key_id = cases[i].a; /* a key without any key_columns row */
			rc = catalog_add_key(c, &key, &err);
			assert_int_equal(rc, TR_OK);
			rc = catalog_finish(c, &err);
			break;
		}
		if (rc != TR_ECONFIG || strstr(err.msg, cases[i].expect) == NULL)
			fail_msg("case %zu: rc %d, message \"%s\", expected \"%s\"", i, rc, err.msg, cases[i].expect);
		catalog_free(c);
	}
}

/* Every allocation failing in turn: a clean TR_ENOMEM each time, never a crash or a leak. */
static void test_model_out_of_memory(void **state)
{
	(void)state;
	for (unsigned long n = 1;; n++) {
		tr_err err = TR_ERR_INIT;
		catalog *c = NULL;
		arena_fail_after(n);
		int rc = build_model(&c, &err);
		arena_fail_after(0);
		catalog_free(c);
		if (rc == TR_OK)
			break;
		if (rc != TR_ENOMEM)
			fail_msg("failing allocation %lu: rc %d (%s)", n, rc, err.msg);
		assert_true(n < 10000);
	}
}

/* ---- the tableset reader -------------------------------------------------------------------- */

static const char tableset_dump[] =
	"schema demo utype=[ivo://example/demo] descr=[Objects and observations of the demo survey.] index=1\n"
	" table demo.catalog type=table db=demo.catalog utype=[demo:Catalog] descr=[The object catalogue] index=1\n"
	"  column id db=id type=long flags=11110 descr=[Object identifier] utype=[demo:Catalog.id]"
	" ucd=[meta.id;meta.main] index=1\n"
	"  column ra db=ra type=double flags=10000 descr=[Right ascension (ICRS)] unit=[deg]"
	" ucd=[pos.eq.ra;meta.main] index=2\n"
	"  column dec db=dec type=double flags=00000 unit=[deg] ucd=[pos.eq.dec;meta.main] index=3\n"
	"  column name db=name type=char flags=00001 arraysize=[32*] size=32 descr=[Designation] index=4\n"
	"  column pos db=pos type=double flags=00000 arraysize=[2] xtype=[point] size=2 index=5\n"
	"  column \"Mixed Case\" db=Mixed Case type=float flags=00000 arraysize=[3x2] index=6\n"
	"  column obs_time db=obs_time type=TIMESTAMP flags=00000 size=23 index=7\n"
	" table demo.obs type=view db=demo.obs descr=[Observations of the objects] index=2\n"
	"  column obs_id db=obs_id type=int flags=10000 index=1\n"
	"  column object_id db=object_id type=long flags=00000 index=2\n"
	"  key demo.obs#1 -> demo.catalog (object_id=id) utype=[demo:Obs.object] descr=[The object observed]\n"
	"schema TAP_SCHEMA descr=[Metadata of this service] index=2\n"
	" table TAP_SCHEMA.schemas type=table db=TAP_SCHEMA.schemas index=1\n"
	"  column schema_name db=schema_name type=char flags=00100 arraysize=[128*] size=128 index=1\n"
	"  column description db=description type=char flags=00000 arraysize=[*] index=2\n"
	" table TAP_SCHEMA.tables type=table db=TAP_SCHEMA.tables index=2\n"
	"  column schema_name db=schema_name type=char flags=00000 arraysize=[128*] size=128 index=1\n"
	"  column table_name db=table_name type=char flags=00000 arraysize=[256*] size=256 index=2\n"
	"  key TAP_SCHEMA.tables#1 -> TAP_SCHEMA.schemas (schema_name=schema_name)\n"
	" table TAP_SCHEMA.columns type=table db=TAP_SCHEMA.columns index=3\n"
	"  column table_name db=table_name type=char flags=00000 arraysize=[256*] size=256 index=1\n"
	"  column column_name db=column_name type=char flags=00000 arraysize=[128*] size=128 index=2\n"
	"  column \"size\" db=size type=int flags=00000 index=3\n";

static void check_dump(const catalog *c, const char *expect)
{
	strbuf sb = STRBUF_INIT(0);
	catalog_dump(c, &sb);
	assert_false(strbuf_failed(&sb));
	assert_string_equal(strbuf_str(&sb), expect);
	strbuf_free(&sb);
}

static void test_xml_tableset(void **state)
{
	(void)state;
	tr_err err = TR_ERR_INIT;
	catalog *c = catalog_load_xml(fixture_path("tableset.xml"), &err);
	if (c == NULL)
		fail_msg("%s", err.msg);
	check_dump(c, tableset_dump);
	/* the resolver's view of the same document */
	catalog_name schema = nm("tap_schema", 0), table = nm("columns", 0), col = nm("size", 1);
	const catalog_table *t;
	const catalog_column *size;
	assert_int_equal(catalog_find_table(c, &schema, &table, &t, NULL), CATALOG_FOUND);
	assert_int_equal(catalog_find_column(c, t, &col, &size, NULL), CATALOG_FOUND);
	assert_string_equal(size->name, "\"size\"");
	catalog_free(c);
}

static char *slurp(const char *path, size_t *out_n)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *buf = malloc(1 << 20);
	assert_non_null(buf);
	*out_n = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

/* Readers are fed one byte at a time too (house rule): the result must not depend on chunking. */
static void test_xml_byte_at_a_time(void **state)
{
	(void)state;
	size_t n;
	char *doc = slurp(fixture_path("tableset.xml"), &n);
	tr_err err = TR_ERR_INIT;
	catalog_xml_reader *r = catalog_xml_begin("bytes", &err);
	assert_non_null(r);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(catalog_xml_feed(r, doc + i, 1, &err), TR_OK);
	catalog *c = catalog_xml_end(r, &err);
	if (c == NULL)
		fail_msg("%s", err.msg);
	check_dump(c, tableset_dump);
	catalog_free(c);
	free(doc);
}

static void test_xml_out_of_memory(void **state)
{
	(void)state;
	for (unsigned long n = 1;; n++) {
		tr_err err = TR_ERR_INIT;
		arena_fail_after(n);
		catalog *c = catalog_load_xml(fixture_path("tableset.xml"), &err);
		arena_fail_after(0);
		if (c) {
			catalog_free(c);
			break;
		}
		if (err.code != TR_ENOMEM)
			fail_msg("failing allocation %lu: %s", n, err.msg);
		assert_true(n < 10000);
	}
}

static void test_xml_bad_files(void **state)
{
	(void)state;
	static const struct {
		const char *file;
		int code;
		int line;           /* expected in "FILE:LINE:" (0: no line) */
		const char *expect; /* substring of the message */
	} cases[] = {
		{ "bad_xml.xml", TR_ECONFIG, 7, "not well-formed XML: mismatched tag" },
		{ "column_outside_table.xml", TR_ECONFIG, 5, "<column> outside a <table>" },
		{ "table_without_name.xml", TR_ECONFIG, 5, "<table> without a <name>" },
		{ "column_without_name.xml", TR_ECONFIG, 11, "<column> without a <name>" },
		{ "bad_foreign_key.xml", TR_ECONFIG, 8, "no target_table \"demo.other\"" },
		{ "wrong_root.xml", TR_ECONFIG, 2, "root element is <VOTABLE>, not a VODataService <tableset>" },
		{ "does_not_exist.xml", TR_EIO, 0, "cannot open" },
	};
	for (size_t i = 0; i < N_OF(cases); i++) {
		tr_err err = TR_ERR_INIT;
		const char *path = fixture_path(cases[i].file);
		catalog *c = catalog_load_xml(path, &err);
		if (c != NULL)
			fail_msg("%s: loaded", cases[i].file);
		char where[4200];
		if (cases[i].line)
			snprintf(where, sizeof where, "%s:%d:", path, cases[i].line);
		else
			snprintf(where, sizeof where, "%s", path);
		if (err.code != cases[i].code || strstr(err.msg, where) == NULL || strstr(err.msg, cases[i].expect) == NULL)
			fail_msg("%s: code %d, message \"%s\"; expected %d, \"%s\" and \"%s\"", cases[i].file, err.code, err.msg,
			         cases[i].code, where, cases[i].expect);
	}
}

/* Small documents in memory: tolerated variations and more errors. */
static void test_xml_documents(void **state)
{
	(void)state;
#define HEAD "<tableset xmlns=\"urn:any\"><schema><name>s</name><table><name>s.t</name>"
#define TAIL "</table></schema></tableset>"
#define COL(x) "<column><name>c</name><dataType>int</dataType>" x "</column>"
	static const struct {
		const char *doc;
		const char *expect; /* NULL: loads, and the dump is `dump`; else a message substring */
		const char *dump;
	} cases[] = {
		/* any prefix, unknown elements skipped with their content, std attribute, unknown flags */
		{ "<vs:tableset xmlns:vs=\"urn:x\"><schema><name>s</name><x:ext xmlns:x=\"urn:y\"><table>junk</table>"
		  "</x:ext><table><name>s.t</name><column std=\"1\"><name>c</name><dataType>int</dataType><flag>odd"
		  "</flag></column></table></schema></vs:tableset>",
		  NULL,
		  "schema s index=1\n table s.t type=table db=s.t index=1\n  column c db=c type=int flags=00100 index=1\n" },
		/* an empty schema and a table without columns */
		{ "<tableset><schema><name>e</name></schema><schema><name>s</name><table><name>s.t</name></table>"
		  "</schema></tableset>",
		  NULL, "schema e index=1\nschema s index=2\n table s.t type=table db=s.t index=1\n" },
		{ HEAD "<column><name>c</name></column>" TAIL, "1: column \"c\" has no <dataType>", NULL },
		{ HEAD COL("<dataType>int</dataType>") TAIL, "1: column has two <dataType> elements", NULL },
		{ HEAD "<column><name>c</name><name>d</name></column>" TAIL, "duplicate <name> in <column>", NULL },
		{ HEAD "<column><name>c<b/></name></column>" TAIL, "unexpected <b> inside <name>", NULL },
		{ HEAD "<column><name>c</name><dataType size=\"0\">CHAR</dataType></column>" TAIL,
		  "size=\"0\" is not a positive integer", NULL },
		{ HEAD COL("") "<foreignKey><fkColumn><fromColumn>c</fromColumn><targetColumn>c</targetColumn>"
		  "</fkColumn></foreignKey>" TAIL, "<foreignKey> without a <targetTable>", NULL },
		{ HEAD COL("") "<foreignKey><targetTable>s.t</targetTable></foreignKey>" TAIL,
		  "<foreignKey> without an <fkColumn>", NULL },
		{ HEAD COL("") "<foreignKey><targetTable>s.t</targetTable><fkColumn><fromColumn>c</fromColumn>"
		  "</fkColumn></foreignKey>" TAIL, "<fkColumn> without a <targetColumn>", NULL },
		{ HEAD COL("") "<foreignKey><targetTable>s.t</targetTable><fkColumn><fromColumn>x</fromColumn>"
		  "<targetColumn>c</targetColumn></fkColumn></foreignKey>" TAIL, "no from_column \"x\"", NULL },
		{ "<tableset><schema><table><name>t</name></table></schema></tableset>", "<schema> without a <name>",
		  NULL },
		{ "<tableset><schema><name>s</name><schema/></schema></tableset>", "<schema> outside a <tableset>", NULL },
		{ "<tableset><tableset/></tableset>", "<tableset> must be the root element", NULL },
		{ "<column/>", "mem:1: root element is <column>", NULL }, /* stopped in an empty element's start */
		{ HEAD "<fkColumn/>" TAIL, "<fkColumn> outside a <foreignKey>", NULL },
		{ "<tableset><schema><name>s</name><name>t</name></schema></tableset>", "duplicate <name> in <schema>",
		  NULL },
		{ "", "not well-formed XML: no element found", NULL },
		{ "<tableset><schema><name>s</name><table><name>s.t</name><column><name>c</name><dataType>int"
		  "</dataType></column><column><name>c</name><dataType>int</dataType></column></table></schema>"
		  "</tableset>", "mem:1: duplicate column \"c\"", NULL },
	};
	for (size_t i = 0; i < N_OF(cases); i++) {
		tr_err err = TR_ERR_INIT;
		catalog_xml_reader *r = catalog_xml_begin("mem", &err);
		assert_non_null(r);
		catalog *c = NULL;
		if (catalog_xml_feed(r, cases[i].doc, strlen(cases[i].doc), &err) == TR_OK)
			c = catalog_xml_end(r, &err);
		else
			catalog_xml_abort(r);
		if (cases[i].expect == NULL) {
			if (c == NULL)
				fail_msg("case %zu: %s", i, err.msg);
			check_dump(c, cases[i].dump);
		} else if (c != NULL || err.code != TR_ECONFIG || strstr(err.msg, cases[i].expect) == NULL) {
			fail_msg("case %zu: code %d, message \"%s\", expected \"%s\"", i, err.code, err.msg, cases[i].expect);
		}
		catalog_free(c);
	}
#undef HEAD
#undef TAIL
#undef COL
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_find_table, setup_model, teardown_model),
		cmocka_unit_test_setup_teardown(test_find_column, setup_model, teardown_model),
		cmocka_unit_test_setup_teardown(test_exact_lookups_and_locations, setup_model, teardown_model),
		cmocka_unit_test_setup_teardown(test_iteration_order, setup_model, teardown_model),
		cmocka_unit_test(test_many_columns),
		cmocka_unit_test(test_builder_errors),
		cmocka_unit_test(test_model_out_of_memory),
		cmocka_unit_test(test_xml_tableset),
		cmocka_unit_test(test_xml_byte_at_a_time),
		cmocka_unit_test(test_xml_out_of_memory),
		cmocka_unit_test(test_xml_bad_files),
		cmocka_unit_test(test_xml_documents),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
