/* test_vosi: the VOSI tables and capabilities documents and the examples page
 * (src/tap/vosi_tables.h, vosi_capabilities.h, examples.h).
 *
 * The tables writer runs on a catalog built in code with awkward text (markup characters, control
 * bytes, invalid UTF-8, delimited names, a TAP 1.0 datatype, one no standard knows): expected
 * fragments, detail=min, streaming through a sink (also a failing one), the child-table document,
 * and a round trip through the project's own tableset reader.  The capabilities writer: access URLs,
 * limits from the configuration, what must not be declared yet; every declared output format is
 * checked against out_format_parse and every language feature against the ADQL parser.  The
 * handlers and routes run on a fake request with a memory sink (no database needed). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../out/memsink.h"
#include "fixture.h"

#include "adql/parser.h"
#include "http/router.h"
#include "tap/catalog.h"
#include "tap/examples.h"
#include "tap/vosi_capabilities.h"
#include "tap/vosi_tables.h"
#include "util/arena.h"
#include <config.h>
#include "util/config.h"
#include "util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define NUL CATALOG_NULL_INT

/* ---- the catalog fixture ---------------------------------------------------------------------- */

/* Markup, quotes, a tab, a newline, a control byte (XML 1.0 forbids it) and an invalid UTF-8 byte;
 * AWKWARD_XML is how it must appear in the document, AWKWARD_BACK what the tableset reader gets
 * back: U+FFFD for the bad bytes, and the whitespace collapsed as for the xs:token it is. */
#define AWKWARD "a < b & \"c\" 'd'\tx\ny\001z\377!"
#define AWKWARD_XML "a &lt; b &amp; &quot;c&quot; &apos;d&apos;\tx\ny\xEF\xBF\xBDz\xEF\xBF\xBD!"
#define AWKWARD_BACK "a < b & \"c\" 'd' x y\xEF\xBF\xBDz\xEF\xBF\xBD!"

static const catalog_schema_def schemas[] = {
	{ "demo", "ivo://example/demo", AWKWARD, 1 },
	{ "TAP_SCHEMA", NULL, "Metadata", 2 },
};

static const catalog_table_def tables[] = {
	{ "demo", "demo.sources", "table", "demo:Source", "Sources <main>", 1 },
	{ "demo", "demo.obs", "table", NULL, NULL, 2 },
	{ "demo", "demo.\"Mixed\"", "view", NULL, "A view & more", 3 },
	{ "TAP_SCHEMA", "TAP_SCHEMA.tables", "table", NULL, NULL, 1 },
};

static const catalog_column_def columns[] = {
	{ .table_name = "demo.sources", .name = "source_id", .datatype = "long", .ucd = "meta.id;meta.main",
	  .size = NUL, .is_indexed = 1, .is_principal = 1, .is_primary = 1, .column_index = 1 },
	{ .table_name = "demo.sources", .name = "ra", .datatype = "double", .unit = "deg", .ucd = "pos.eq.ra",
	  .description = AWKWARD, .size = NUL, .is_indexed = 1, .column_index = 2 },
	{ .table_name = "demo.sources", .name = "name", .datatype = "char", .arraysize = "32*",
	  .utype = "demo:name", .is_nullable = 1, .size = NUL, .column_index = 3 },
	{ .table_name = "demo.sources", .name = "obs_time", .datatype = "char", .arraysize = "*",
	  .xtype = "timestamp", .size = NUL, .column_index = 4 },
	{ .table_name = "demo.sources", .name = "legacy", .datatype = "adql:VARCHAR", .size = 20, .column_index = 5 },
	{ .table_name = "demo.sources", .name = "odd", .datatype = "mystery", .size = NUL, .column_index = 6 },
	{ .table_name = "demo.obs", .name = "obs_id", .datatype = "int", .size = NUL, .is_std = 1, .column_index = 1 },
	{ .table_name = "demo.obs", .name = "source_id", .datatype = "long", .size = NUL, .column_index = 2 },
	{ .table_name = "demo.\"Mixed\"", .name = "\"Dec\"", .datatype = "double", .size = NUL, .column_index = 1 },
	{ .table_name = "TAP_SCHEMA.tables", .name = "table_name", .datatype = "char", .arraysize = "256*",
	  .size = 256, .is_std = 1, .column_index = 1 },
};

/* The catalog above; without the column of unknown datatype when is_strict (the tableset reader,
 * like TAP 1.1 §4.3, requires a datatype on every column). */
static catalog *build_catalog(int is_strict)
{
	tr_err err = TR_ERR_INIT;
	catalog *c = catalog_new(&err);
	assert_non_null(c);
	for (size_t i = 0; i < N_OF(schemas); i++)
		assert_int_equal(catalog_add_schema(c, &schemas[i], &err), TR_OK);
	for (size_t i = 0; i < N_OF(tables); i++)
		assert_int_equal(catalog_add_table(c, &tables[i], &err), TR_OK);
	for (size_t i = 0; i < N_OF(columns); i++)
		if (!(is_strict && strcmp(columns[i].datatype, "mystery") == 0) &&
		    catalog_add_column(c, &columns[i], &err) != TR_OK)
			fail_msg("column %zu: %s", i, err.msg);
	catalog_key_def key = { "obs-sources", "demo.obs", "demo.sources", "demo:observed", "Source <observed>" };
	assert_int_equal(catalog_add_key(c, &key, &err), TR_OK);
	assert_int_equal(catalog_add_key_column(c, "obs-sources", "source_id", "source_id", &err), TR_OK);
	assert_int_equal(catalog_finish(c, &err), TR_OK);
	return c;
}

static int setup_catalog(void **state)
{
	*state = build_catalog(0);
	return 0;
}

static int teardown_catalog(void **state)
{
	catalog_free(*state);
	return 0;
}

static void assert_contains(const char *doc, const char *fragment)
{
	if (strstr(doc, fragment) == NULL)
		fail_msg("missing fragment:\n%s\n---- in ----\n%s", fragment, doc);
}

static void assert_lacks(const char *doc, const char *fragment)
{
	if (strstr(doc, fragment) != NULL)
		fail_msg("unexpected fragment:\n%s\n---- in ----\n%s", fragment, doc);
}

static void write_tableset(const catalog *c, vosi_detail detail, strbuf *sb)
{
	tr_err err = TR_ERR_INIT;
	if (vosi_tables_write_tableset(c, detail, sb, NULL, &err) != TR_OK)
		fail_msg("%s", err.msg);
}

/* ---- tables ---------------------------------------------------------------------------------- */

static void test_tableset_full(void **state)
{
	const catalog *c = *state;
	strbuf sb = STRBUF_INIT(0);
	write_tableset(c, VOSI_DETAIL_MAX, &sb);
	const char *doc = strbuf_str(&sb);
	static const char *const fragments[] = {
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<vosi:tableset xmlns:vosi=\"http://www.ivoa.net/xml/VOSITables/v1.0\""
		" xmlns:vs=\"http://www.ivoa.net/xml/VODataService/v1.1\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n",
		"  <schema>\n    <name>demo</name>\n    <description>" AWKWARD_XML "</description>\n"
		"    <utype>ivo://example/demo</utype>\n    <table type=\"table\">\n      <name>demo.sources</name>\n"
		"      <description>Sources &lt;main&gt;</description>\n      <utype>demo:Source</utype>\n",
		/* name, description, unit, ucd, utype, dataType, flags: the TableParam order */
		"      <column std=\"false\">\n        <name>source_id</name>\n        <ucd>meta.id;meta.main</ucd>\n"
		"        <dataType xsi:type=\"vs:VOTableType\">long</dataType>\n        <flag>indexed</flag>\n"
		"        <flag>primary</flag>\n        <flag>principal</flag>\n      </column>\n",
		"        <name>ra</name>\n        <description>" AWKWARD_XML "</description>\n        <unit>deg</unit>\n",
		"        <utype>demo:name</utype>\n        <dataType xsi:type=\"vs:VOTableType\" arraysize=\"32*\">char</dataType>\n"
		"        <flag>nullable</flag>\n",
		"<dataType xsi:type=\"vs:VOTableType\" arraysize=\"*\" extendedType=\"timestamp\">char</dataType>",
		/* TAP 1.0 datatypes become vs:TAPType, without the adql: prefix */
		"<dataType xsi:type=\"vs:TAPType\" size=\"20\">VARCHAR</dataType>",
		/* a datatype no standard knows: no dataType element rather than an invalid one */
		"        <name>odd</name>\n      </column>\n",
		"      <column std=\"true\">\n        <name>obs_id</name>\n",
		"      <foreignKey>\n        <targetTable>demo.sources</targetTable>\n        <fkColumn>\n"
		"          <fromColumn>source_id</fromColumn>\n          <targetColumn>source_id</targetColumn>\n"
		"        </fkColumn>\n        <description>Source &lt;observed&gt;</description>\n"
		"        <utype>demo:observed</utype>\n      </foreignKey>\n",
		"    <table type=\"view\">\n      <name>demo.&quot;Mixed&quot;</name>\n      <description>A view &amp; more</description>\n"
		"      <column std=\"false\">\n        <name>&quot;Dec&quot;</name>\n",
		"  </schema>\n  <schema>\n    <name>TAP_SCHEMA</name>\n",
		"</vosi:tableset>\n",
	};
	for (size_t i = 0; i < N_OF(fragments); i++)
		assert_contains(doc, fragments[i]);
	/* tables in table_index order within their schema */
	assert_true(strstr(doc, "<name>demo.sources</name>") < strstr(doc, "<name>demo.obs</name>"));
	assert_true(strstr(doc, "<name>demo.obs</name>") < strstr(doc, "<name>demo.&quot;Mixed&quot;</name>"));
	assert_lacks(doc, "\001");
	assert_lacks(doc, "\377");
	strbuf_free(&sb);
}

static void test_tableset_min(void **state)
{
	const catalog *c = *state;
	strbuf sb = STRBUF_INIT(0);
	write_tableset(c, VOSI_DETAIL_MIN, &sb);
	const char *doc = strbuf_str(&sb);
	assert_contains(doc, "    <table type=\"table\">\n      <name>demo.sources</name>\n"
	                     "      <description>Sources &lt;main&gt;</description>\n      <utype>demo:Source</utype>\n"
	                     "    </table>\n");
	assert_contains(doc, "<name>TAP_SCHEMA.tables</name>");
	assert_lacks(doc, "<column");
	assert_lacks(doc, "<foreignKey");
	strbuf_free(&sb);
}

static void test_tableset_streams(void **state)
{
	const catalog *c = *state;
	strbuf whole = STRBUF_INIT(0);
	write_tableset(c, VOSI_DETAIL_MAX, &whole);

	memsink m;
	memsink_init(&m, 0);
	tr_sink sink = memsink_sink(&m);
	strbuf sb = STRBUF_INIT(0);
	tr_err err = TR_ERR_INIT;
	assert_int_equal(vosi_tables_write_tableset(c, VOSI_DETAIL_MAX, &sb, &sink, &err), TR_OK);
	/* one piece per table, then the end: never the whole document in memory at once */
	assert_int_equal(m.writes, catalog_n_tables(c) + 1);
	assert_int_equal(strbuf_len(&sb), 0);
	assert_string_equal(strbuf_str(&m.sb), strbuf_str(&whole));

	/* a sink that fails (the client went away) stops the writer with TR_EIO at once */
	for (size_t fail_at = 1; fail_at <= m.writes; fail_at++) {
		memsink bad;
		memsink_init(&bad, 0);
		bad.fail_at = fail_at;
		tr_sink bad_sink = memsink_sink(&bad);
		strbuf_reset(&sb);
		tr_err e2 = TR_ERR_INIT;
		assert_int_equal(vosi_tables_write_tableset(c, VOSI_DETAIL_MAX, &sb, &bad_sink, &e2), TR_EIO);
		assert_int_equal(bad.writes, fail_at);
		memsink_free(&bad);
	}
	strbuf_free(&sb);
	memsink_free(&m);
	strbuf_free(&whole);
}

static void test_table_child(void **state)
{
	const catalog *c = *state;
	strbuf sb = STRBUF_INIT(0);
	tr_err err = TR_ERR_INIT;
	assert_int_equal(vosi_tables_write_table(catalog_table_by_name(c, "demo.\"Mixed\""), &sb, &err), TR_OK);
	const char *doc = strbuf_str(&sb);
	/* VOSITables 1.1: the root is vosi:table, of type vs:Table */
	assert_contains(doc, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<vosi:table xmlns:vosi=\"http://www.ivoa.net/xml/"
	                     "VOSITables/v1.0\" xmlns:vs=\"http://www.ivoa.net/xml/VODataService/v1.1\" xmlns:xsi=\""
	                     "http://www.w3.org/2001/XMLSchema-instance\" type=\"view\">\n      <name>demo.&quot;Mixed&quot;</name>\n");
	assert_contains(doc, "<dataType xsi:type=\"vs:VOTableType\">double</dataType>");
	assert_contains(doc, "</vosi:table>\n");
	assert_lacks(doc, "<schema>");
	/* the child of a table with a foreign key has it */
	strbuf_reset(&sb);
	assert_int_equal(vosi_tables_write_table(catalog_table_by_name(c, "demo.obs"), &sb, &err), TR_OK);
	assert_contains(strbuf_str(&sb), "<targetTable>demo.sources</targetTable>");
	strbuf_free(&sb);
}

/* The document read back by catalog_xml (the reader the ADQL tools use) gives the same metadata. */
static void test_tableset_round_trip(void **state)
{
	(void)state;
	catalog *c = build_catalog(1);
	strbuf sb = STRBUF_INIT(0);
	write_tableset(c, VOSI_DETAIL_MAX, &sb);
	tr_err err = TR_ERR_INIT;
	catalog_xml_reader *r = catalog_xml_begin("tables", &err);
	assert_non_null(r);
	if (catalog_xml_feed(r, strbuf_str(&sb), strbuf_len(&sb), &err) != TR_OK)
		fail_msg("%s", err.msg);
	catalog *back = catalog_xml_end(r, &err);
	if (back == NULL)
		fail_msg("%s", err.msg);
	assert_int_equal(catalog_n_tables(back), catalog_n_tables(c));
	assert_string_equal(catalog_schema_by_name(back, "demo")->description, AWKWARD_BACK);
	for (size_t i = 0; i < N_OF(columns); i++) {
		const catalog_column_def *d = &columns[i];
		const catalog_table *t = catalog_table_by_name(back, d->table_name);
		assert_non_null(t);
		if (strcmp(d->datatype, "mystery") == 0)
			continue;
		const catalog_column *col = catalog_column_by_name(back, t, d->name);
		if (col == NULL)
			fail_msg("column %s of %s not read back", d->name, d->table_name);
		assert_string_equal(col->datatype, strcmp(d->datatype, "adql:VARCHAR") == 0 ? "VARCHAR" : d->datatype);
#define SAME_TEXT(f)                                                                             \
	do {                                                                                     \
		if (d->f == NULL)                                                                \
			assert_null(col->f);                                                     \
		else                                                                             \
			assert_string_equal(col->f, strcmp(d->f, AWKWARD) == 0 ? AWKWARD_BACK : d->f); \
	} while (0)
		SAME_TEXT(arraysize);
		SAME_TEXT(xtype);
		SAME_TEXT(unit);
		SAME_TEXT(ucd);
		SAME_TEXT(utype);
		SAME_TEXT(description);
#undef SAME_TEXT
		assert_int_equal(col->is_indexed, d->is_indexed);
		assert_int_equal(col->is_principal, d->is_principal);
		assert_int_equal(col->is_std, d->is_std);
		assert_int_equal(col->is_primary, d->is_primary);
		assert_int_equal(col->is_nullable, d->is_nullable);
	}
	const catalog_table *obs = catalog_table_by_name(back, "demo.obs");
	assert_int_equal(obs->n_keys, 1);
	assert_string_equal(obs->keys[0]->target->name, "demo.sources");
	assert_string_equal(obs->keys[0]->description, "Source <observed>");
	assert_string_equal(obs->keys[0]->columns[0].from->name, "source_id");
	assert_string_equal(catalog_table_by_name(back, "demo.\"Mixed\"")->table_type, "view");
	catalog_free(back);
	catalog_free(c);
	strbuf_free(&sb);
}

static void test_tableset_empty_catalog(void **state)
{
	(void)state;
	tr_err err = TR_ERR_INIT;
	catalog *c = catalog_new(&err);
	assert_non_null(c);
	assert_int_equal(catalog_finish(c, &err), TR_OK);
	strbuf sb = STRBUF_INIT(0);
	write_tableset(c, VOSI_DETAIL_MAX, &sb);
	/* vs:TableSet needs a schema */
	assert_contains(strbuf_str(&sb), "<schema>\n    <name>default</name>\n  </schema>\n");
	strbuf_free(&sb);
	catalog_free(c);
}

static void test_tableset_out_of_memory(void **state)
{
	const catalog *c = *state;
	strbuf sb = STRBUF_INIT(64); /* a ceiling far below the document */
	tr_err err = TR_ERR_INIT;
	assert_int_equal(vosi_tables_write_tableset(c, VOSI_DETAIL_MAX, &sb, NULL, &err), TR_ENOMEM);
	strbuf_free(&sb);
	strbuf small = STRBUF_INIT(64);
	tr_err e2 = TR_ERR_INIT;
	assert_int_equal(vosi_tables_write_table(catalog_table_by_name(c, "demo.sources"), &small, &e2), TR_ENOMEM);
	strbuf_free(&small);
}

static void test_detail_parse(void **state)
{
	(void)state;
	static const struct {
		const char *value;
		int rc;
		vosi_detail detail;
	} cases[] = {
		{ NULL, TR_OK, VOSI_DETAIL_MAX }, { "max", TR_OK, VOSI_DETAIL_MAX }, { "MAX", TR_OK, VOSI_DETAIL_MAX },
		{ "min", TR_OK, VOSI_DETAIL_MIN }, { "Min", TR_OK, VOSI_DETAIL_MIN }, { "", TR_EBADREQ, VOSI_DETAIL_MAX },
		{ "minimum", TR_EBADREQ, VOSI_DETAIL_MAX }, { "full", TR_EBADREQ, VOSI_DETAIL_MAX },
	};
	for (size_t i = 0; i < N_OF(cases); i++) {
		tr_err err = TR_ERR_INIT;
		vosi_detail d = VOSI_DETAIL_MIN;
		int rc = vosi_detail_parse(cases[i].value, &d, &err);
		if (rc != cases[i].rc)
			fail_msg("case %zu (%s): rc %d", i, cases[i].value ? cases[i].value : "NULL", rc);
		if (rc == TR_OK)
			assert_int_equal(d, cases[i].detail);
		else
			assert_non_null(strstr(err.msg, "DETAIL"));
	}
}

/* ---- capabilities ---------------------------------------------------------------------------- */

static tr_config *default_config(arena *a)
{
	tr_err err = TR_ERR_INIT;
	tr_config *cfg = config_load(a, NULL, &err);
	if (cfg == NULL)
		fail_msg("%s", err.msg);
	return cfg;
}

static void test_capabilities_document(void **state)
{
	arena *a = *state;
	tr_config *cfg = default_config(a);
	cfg->execution_duration = 321;
	cfg->max_execution_duration = 4321;
	cfg->destruction = 86400;
	cfg->max_destruction = 172800;
	cfg->maxrec_default = 1000;
	cfg->maxrec_max = 2000000;
	strbuf sb = STRBUF_INIT(0);
	tr_err err = TR_ERR_INIT;
	assert_int_equal(vosi_capabilities_write(cfg, "https://tap.example.org/x?a=1&b=2", &sb, &err), TR_OK);
	const char *doc = strbuf_str(&sb);
#define BASE "https://tap.example.org/x?a=1&amp;b=2"
	static const char *const fragments[] = {
		"<vosi:capabilities xmlns:vosi=\"http://www.ivoa.net/xml/VOSICapabilities/v1.0\"",
		"  <capability standardID=\"ivo://ivoa.net/std/TAP\" xsi:type=\"tr:TableAccess\">\n"
		"    <interface xsi:type=\"vs:ParamHTTP\" role=\"std\" version=\"1.1\">\n"
		"      <accessURL use=\"base\">" BASE "</accessURL>\n    </interface>\n",
		"      <name>ADQL</name>\n      <version ivo-id=\"ivo://ivoa.net/std/ADQL#v2.0\">2.0</version>\n"
		"      <version ivo-id=\"ivo://ivoa.net/std/ADQL#v2.1\">2.1</version>\n",
		"<languageFeatures type=\"ivo://ivoa.net/std/TAPRegExt#features-adqlgeo\">\n        <feature>\n"
		"          <form>POINT</form>\n",
		"<form>x &amp; y</form>",
		"    <outputFormat ivo-id=\"ivo://ivoa.net/std/TAPRegExt#output-votable-td\">\n"
		"      <mime>application/x-votable+xml;serialization=TABLEDATA</mime>\n      <alias>votable</alias>\n",
		"      <mime>text/csv;header=present</mime>\n      <alias>csv</alias>\n",
		"    <retentionPeriod>\n      <default>86400</default>\n      <hard>172800</hard>\n    </retentionPeriod>\n"
		"    <executionDuration>\n      <default>321</default>\n      <hard>4321</hard>\n    </executionDuration>\n",
		"    <outputLimit>\n      <default unit=\"row\">1000</default>\n      <hard unit=\"row\">2000000</hard>\n"
		"    </outputLimit>\n    <uploadLimit>\n      <hard unit=\"byte\">67108864</hard>\n    </uploadLimit>\n"
		"  </capability>\n",
		"  <capability standardID=\"ivo://ivoa.net/std/TAP#sync-1.1\">\n"
		"    <interface xsi:type=\"vs:ParamHTTP\" role=\"std\" version=\"1.1\">\n"
		"      <accessURL use=\"base\">" BASE "/sync</accessURL>\n",
		"  <capability standardID=\"ivo://ivoa.net/std/TAP#async-1.1\">\n"
		"    <interface xsi:type=\"vs:ParamHTTP\" role=\"std\" version=\"1.1\">\n"
		"      <accessURL use=\"base\">" BASE "/async</accessURL>\n",
		"  <capability standardID=\"ivo://ivoa.net/std/VOSI#capabilities\">\n"
		"    <interface xsi:type=\"vs:ParamHTTP\">\n      <accessURL use=\"full\">" BASE "/capabilities</accessURL>\n",
		"<capability standardID=\"ivo://ivoa.net/std/VOSI#availability\">\n    <interface xsi:type=\"vs:ParamHTTP\">\n"
		"      <accessURL use=\"full\">" BASE "/availability</accessURL>",
		"<capability standardID=\"ivo://ivoa.net/std/VOSI#tables-1.1\">\n    <interface xsi:type=\"vs:ParamHTTP\">\n"
		"      <accessURL use=\"full\">" BASE "/tables</accessURL>",
		"<capability standardID=\"ivo://ivoa.net/std/DALI#examples\">\n    <interface xsi:type=\"vr:WebBrowser\">\n"
		"      <accessURL use=\"full\">" BASE "/examples</accessURL>",
		"</vosi:capabilities>\n",
	};
#undef BASE
	for (size_t i = 0; i < N_OF(fragments); i++)
		assert_contains(doc, fragments[i]);
	/* TAPRegExt 1.0 §2.5, §2.8: inline uploads only, limited by upload.max_bytes, in schema order */
	assert_contains(doc, "<uploadMethod ivo-id=\"ivo://ivoa.net/std/TAPRegExt#upload-inline\"/>");
	assert_lacks(doc, "upload-http");
	assert_contains(doc, "</outputFormat>\n    <uploadMethod");
	assert_contains(doc, "</outputLimit>\n    <uploadLimit>\n");
	strbuf_free(&sb);

	/* upload.allow_urls: by http:// and https:// URL too, right after the inline method */
	cfg->upload_allow_urls = 1;
	strbuf sb2 = STRBUF_INIT(0);
	assert_int_equal(vosi_capabilities_write(cfg, "http://x", &sb2, &err), TR_OK);
	assert_contains(strbuf_str(&sb2), "<uploadMethod ivo-id=\"ivo://ivoa.net/std/TAPRegExt#upload-inline\"/>\n"
	                                  "    <uploadMethod ivo-id=\"ivo://ivoa.net/std/TAPRegExt#upload-http\"/>\n"
	                                  "    <uploadMethod ivo-id=\"ivo://ivoa.net/std/TAPRegExt#upload-https\"/>\n"
	                                  "    <retentionPeriod>");
	strbuf_free(&sb2);
	cfg->upload_allow_urls = 0;

	strbuf small = STRBUF_INIT(100);
	tr_err e2 = TR_ERR_INIT;
	assert_int_equal(vosi_capabilities_write(cfg, "http://x", &small, &e2), TR_ENOMEM);
	strbuf_free(&small);
}

/* Every value the capabilities promise for RESPONSEFORMAT selects the writer they name. */
static void test_output_formats_accepted(void **state)
{
	(void)state;
	size_t n;
	const vosi_output_format *f = vosi_output_formats(&n);
	int seen[4] = { 0 };
	for (size_t i = 0; i < n; i++) {
		const char *values[1 + N_OF(f[i].aliases)] = { f[i].mime };
		for (size_t k = 0; k < N_OF(f[i].aliases); k++)
			values[k + 1] = f[i].aliases[k];
		for (size_t k = 0; k < N_OF(values) && values[k]; k++) {
			out_format got;
			const char *ct;
			tr_err err = TR_ERR_INIT;
			if (out_format_parse(values[k], &got, &ct, &err) != TR_OK)
				fail_msg("declared format \"%s\" rejected: %s", values[k], err.msg);
			if (got != f[i].format)
				fail_msg("declared format \"%s\" selects writer %d, not %d", values[k], got, f[i].format);
		}
		assert_true((int)f[i].format < 4);
		seen[f[i].format]++;
	}
	/* each writer is declared exactly once */
	for (int k = 0; k < 4; k++)
		assert_int_equal(seen[k], 1);
}

/* One query per declared feature form, using it; each must parse.  Every declared feature needs a
 * row here, so a feature cannot be declared without a query that shows the parser takes it. */
static void test_features_parse(void **state)
{
	arena *a = *state;
	static const struct {
		const char *form;
		const char *query;
	} uses[] = {
		{ "POINT", "SELECT POINT(1, 2) FROM t" },
		{ "CIRCLE", "SELECT CIRCLE(1, 2, 3) FROM t" },
		{ "BOX", "SELECT BOX('ICRS', 1, 2, 3, 4) FROM t" },
		{ "POLYGON", "SELECT POLYGON(1, 2, 3, 4, 5, 6) FROM t" },
		{ "REGION", "SELECT REGION('CIRCLE ICRS 1 2 3') FROM t" },
		{ "CONTAINS", "SELECT x FROM t WHERE 1 = CONTAINS(POINT(ra, dec), CIRCLE(1, 2, 3))" },
		{ "INTERSECTS", "SELECT x FROM t WHERE 1 = INTERSECTS(CIRCLE(1, 2, 3), CIRCLE(2, 3, 4))" },
		{ "DISTANCE", "SELECT DISTANCE(POINT(1, 2), POINT(3, 4)) FROM t" },
		{ "AREA", "SELECT AREA(CIRCLE(1, 2, 3)) FROM t" },
		{ "CENTROID", "SELECT CENTROID(CIRCLE(1, 2, 3)) FROM t" },
		{ "COORD1", "SELECT COORD1(POINT(1, 2)) FROM t" },
		{ "COORD2", "SELECT COORD2(POINT(1, 2)) FROM t" },
		{ "COORDSYS", "SELECT COORDSYS(POINT(1, 2)) FROM t" },
		{ "LOWER", "SELECT LOWER(s) FROM t" },
		{ "UPPER", "SELECT UPPER(s) FROM t" },
		{ "ILIKE", "SELECT s FROM t WHERE s ILIKE 'a%'" },
		{ "UNION", "SELECT a FROM t UNION SELECT a FROM u" },
		{ "EXCEPT", "SELECT a FROM t EXCEPT SELECT a FROM u" },
		{ "INTERSECT", "SELECT a FROM t INTERSECT SELECT a FROM u" },
		{ "WITH", "WITH w AS (SELECT a FROM t) SELECT a FROM w" },
		{ "CAST", "SELECT CAST(a AS INTEGER) FROM t" },
		{ "IN_UNIT", "SELECT IN_UNIT(a, 'arcsec') FROM t" },
		{ "OFFSET", "SELECT a FROM t ORDER BY a OFFSET 10" },
		{ "COALESCE", "SELECT COALESCE(a, b, 0) FROM t" },
		{ "0xHEX", "SELECT a FROM t WHERE a = 0x1F" },
		{ "x & y", "SELECT a & 3 FROM t" },
		{ "x | y", "SELECT a | 3 FROM t" },
		{ "x ^ y", "SELECT a ^ 3 FROM t" },
		{ "~x", "SELECT ~a FROM t" },
	};
	size_t n_groups;
	const vosi_feature_group *g = vosi_feature_groups(&n_groups);
	size_t n_declared = 0;
	adql_parse_opts opts = { ADQL_EXT_HEX | ADQL_EXT_BITWISE };
	for (size_t i = 0; i < n_groups; i++) {
		assert_true(g[i].n_features > 0);
		for (size_t j = 0; j < g[i].n_features; j++, n_declared++) {
			const char *form = g[i].features[j].form;
			size_t k = 0;
			while (k < N_OF(uses) && strcmp(uses[k].form, form) != 0)
				k++;
			if (k == N_OF(uses))
				fail_msg("declared feature \"%s\" has no query in this test", form);
			tr_err err = TR_ERR_INIT;
			if (adql_parse(a, uses[k].query, strlen(uses[k].query), &opts, &err) == NULL)
				fail_msg("feature \"%s\": \"%s\" does not parse: %s", form, uses[k].query, err.msg);
		}
	}
	assert_int_equal(n_declared, N_OF(uses));
}

/* ---- handlers and routes, on a fake request --------------------------------------------------- */

typedef struct http_fixture {
	arena *a;
	tr_config *cfg;
	memsink sink;
	http_request req;
	http_response resp;
	tr_request_ctx ctx;
} http_fixture;

static int http_setup(void **state)
{
	http_fixture *f = calloc(1, sizeof *f);
	if (f == NULL || (f->a = arena_create(0, 0)) == NULL)
		return -1;
	tr_err err = TR_ERR_INIT;
	f->cfg = config_load(f->a, NULL, &err);
	if (f->cfg == NULL)
		return -1;
	memsink_init(&f->sink, 0);
	*state = f;
	return 0;
}

static int http_teardown(void **state)
{
	http_fixture *f = *state;
	http_response_free(&f->resp);
	memsink_free(&f->sink);
	arena_destroy(f->a);
	free(f);
	return 0;
}

/* Runs one request through the router; env is a NULL-terminated CGI environment. */
static const char *run(http_fixture *f, char *const *env)
{
	tr_err err = TR_ERR_INIT;
	memsink_free(&f->sink);
	memsink_init(&f->sink, 0);
	http_response_free(&f->resp);
	http_response_init(&f->resp, memsink_sink(&f->sink));
	if (http_request_init(&f->req, f->a, env, f->cfg->base_path, &err) != TR_OK)
		fail_msg("%s", err.msg);
	f->ctx = (tr_request_ctx){ .cfg = f->cfg, .a = f->a, .req = &f->req, .resp = &f->resp, .request_id = "t" };
	assert_int_equal(router_dispatch(&f->ctx), 0);
	return strbuf_str(&f->sink.sb);
}

static const char *body_of(const char *out)
{
	const char *p = strstr(out, "\r\n\r\n");
	assert_non_null(p);
	return p + 4;
}

static void test_base_url(void **state)
{
	http_fixture *f = *state;
	static const struct {
		const char *base_url, *base_path, *https, *host, *port;
		const char *expect;
	} cases[] = {
		/* the web server passes the Host header without its port (nginx $host): SERVER_PORT adds it */
		{ "", "", NULL, "127.0.0.1", "8080", "http://127.0.0.1:8080" },
		{ "", "", NULL, "tap.example.org", "80", "http://tap.example.org" },
		{ "", "/tap", "on", "tap.example.org", "443", "https://tap.example.org/tap" },
		{ "", "/tap", "on", "tap.example.org", "8443", "https://tap.example.org:8443/tap" },
		{ "", "", NULL, "tap.example.org:8080", "8080", "http://tap.example.org:8080" },
		{ "", "", NULL, "[::1]", "8080", "http://[::1]:8080" },
		{ "", "", NULL, "[::1]:8080", "8080", "http://[::1]:8080" },
		/* a configured base URL wins, without a trailing slash */
		{ "https://public.example.org/tap", "/tap", NULL, "internal", "8080", "https://public.example.org/tap" },
		{ "https://public.example.org/tap/", "", NULL, "internal", "8080", "https://public.example.org/tap" },
	};
	for (size_t i = 0; i < N_OF(cases); i++) {
		f->cfg->base_url = cases[i].base_url;
		f->cfg->base_path = cases[i].base_path;
		char host[128], port[64], https[32];
		snprintf(host, sizeof host, "HTTP_HOST=%s", cases[i].host);
		snprintf(port, sizeof port, "SERVER_PORT=%s", cases[i].port);
		snprintf(https, sizeof https, "HTTPS=%s", cases[i].https ? cases[i].https : "");
		char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/tap/capabilities", host, port, https, NULL };
		tr_err err = TR_ERR_INIT;
		assert_int_equal(http_request_init(&f->req, f->a, env, "", &err), TR_OK);
		const char *got = vosi_base_url(f->cfg, &f->req, f->a);
		assert_non_null(got);
		if (strcmp(got, cases[i].expect) != 0)
			fail_msg("case %zu: \"%s\", expected \"%s\"", i, got, cases[i].expect);
	}
}

static void test_capabilities_handler(void **state)
{
	http_fixture *f = *state;
	f->cfg->base_path = "/tap";
	char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/tap/capabilities", "HTTP_HOST=tap.example.org",
		        "SERVER_PORT=80", NULL };
	const char *out = run(f, env);
	assert_contains(out, "Status: 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\n");
	assert_contains(body_of(out), "<accessURL use=\"full\">http://tap.example.org/tap/tables</accessURL>");
	/* HEAD: the same headers, no body */
	char *head[] = { "REQUEST_METHOD=HEAD", "REQUEST_URI=/tap/capabilities", "HTTP_HOST=tap.example.org", NULL };
	out = run(f, head);
	assert_contains(out, "Status: 200 OK\r\n");
	assert_string_equal(body_of(out), "");
}

static void test_routes(void **state)
{
	http_fixture *f = *state;
	static const struct {
		const char *method, *uri;
		const char *expect; /* a fragment of the output */
	} cases[] = {
		{ "POST", "/capabilities", "Status: 405 Method Not Allowed\r\nContent-Type: text/plain; charset=utf-8\r\n"
		                           "Server: taproom/" PACKAGE_VERSION "\r\nAllow: GET, HEAD\r\n" },
		{ "DELETE", "/tables", "Status: 405" },
		{ "PUT", "/tables/demo.sources", "Allow: GET, HEAD" },
		{ "POST", "/examples", "Status: 405" },
		{ "GET", "/tables/", "Status: 404" }, /* a child needs a name */
		{ "GET", "/tablesx", "Status: 404" },
		{ "GET", "/capabilities/x", "Status: 404" },
	};
	for (size_t i = 0; i < N_OF(cases); i++) {
		char method[32], uri[64];
		snprintf(method, sizeof method, "REQUEST_METHOD=%s", cases[i].method);
		snprintf(uri, sizeof uri, "REQUEST_URI=%s", cases[i].uri);
		char *env[] = { method, uri, NULL };
		const char *out = run(f, env);
		if (strstr(out, cases[i].expect) == NULL)
			fail_msg("%s %s: got\n%s", cases[i].method, cases[i].uri, out);
	}
}

static void test_examples_builtin(void **state)
{
	http_fixture *f = *state;
	char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/examples", NULL };
	const char *out = run(f, env);
	assert_contains(out, "Status: 200 OK\r\nContent-Type: " EXAMPLES_CONTENT_TYPE "\r\n");
	assert_string_equal(body_of(out), examples_builtin);
	assert_int_equal(strlen(examples_builtin), examples_builtin_len);
	/* DALI 1.1 §2.3 / TAP 1.1 §2.6 structure; the integration test parses it and runs every query */
	const char *doc = examples_builtin;
	assert_contains(doc, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
	assert_contains(doc, "vocab=\"http://www.ivoa.net/rdf/examples#\"");
	int n_examples = 0, n_names = 0, n_queries = 0;
	for (const char *p = doc; (p = strstr(p, "<div typeof=\"example\" id=")) != NULL; p++)
		n_examples++;
	for (const char *p = doc; (p = strstr(p, "property=\"name\">")) != NULL; p++)
		n_names++;
	for (const char *p = doc; (p = strstr(p, "property=\"query\">")) != NULL; p++)
		n_queries++;
	assert_true(n_examples >= 6);
	assert_int_equal(n_names, n_examples);
	assert_int_equal(n_queries, n_examples);
}

static void test_examples_file(void **state)
{
	http_fixture *f = *state;
	char path[] = "/tmp/taproom-test-examples-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	/* bigger than one read chunk, so the file is sent in pieces */
	strbuf page = STRBUF_INIT(0);
	strbuf_puts(&page, "<html xmlns=\"http://www.w3.org/1999/xhtml\"><body vocab=\"http://www.ivoa.net/rdf/examples#\">");
	for (int i = 0; i < 2000; i++)
		strbuf_printf(&page, "<p>operator's page, line %d</p>\n", i);
	strbuf_puts(&page, "</body></html>\n");
	assert_int_equal(write(fd, strbuf_str(&page), strbuf_len(&page)), (ssize_t)strbuf_len(&page));
	close(fd);
	f->cfg->examples_file = path;
	char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/examples", NULL };
	const char *out = run(f, env);
	assert_contains(out, "Status: 200 OK\r\nContent-Type: " EXAMPLES_CONTENT_TYPE "\r\n");
	assert_string_equal(body_of(out), strbuf_str(&page));
	/* the file went away after the configuration was checked: 500, the path only in the log */
	unlink(path);
	out = run(f, env);
	assert_contains(out, "Status: 500");
	assert_lacks(out, path);
	strbuf_free(&page);
}

/* The configuration refuses an examples_file it cannot read, naming the setting. */
static void test_examples_file_config(void **state)
{
	http_fixture *f = *state;
	tr_err err = TR_ERR_INIT;
	assert_int_equal(config_set(f->a, f->cfg, "examples_file", "/nonexistent/examples.html", &err), TR_ECONFIG);
	assert_non_null(strstr(err.msg, "examples_file"));
	assert_string_equal(f->cfg->examples_file, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tableset_full, setup_catalog, teardown_catalog),
		cmocka_unit_test_setup_teardown(test_tableset_min, setup_catalog, teardown_catalog),
		cmocka_unit_test_setup_teardown(test_tableset_streams, setup_catalog, teardown_catalog),
		cmocka_unit_test_setup_teardown(test_table_child, setup_catalog, teardown_catalog),
		cmocka_unit_test(test_tableset_round_trip),
		cmocka_unit_test_setup_teardown(test_tableset_out_of_memory, setup_catalog, teardown_catalog),
		cmocka_unit_test(test_tableset_empty_catalog),
		cmocka_unit_test(test_detail_parse),
		cmocka_unit_test_setup_teardown(test_capabilities_document, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test(test_output_formats_accepted),
		cmocka_unit_test_setup_teardown(test_features_parse, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_base_url, http_setup, http_teardown),
		cmocka_unit_test_setup_teardown(test_capabilities_handler, http_setup, http_teardown),
		cmocka_unit_test_setup_teardown(test_routes, http_setup, http_teardown),
		cmocka_unit_test_setup_teardown(test_examples_builtin, http_setup, http_teardown),
		cmocka_unit_test_setup_teardown(test_examples_file, http_setup, http_teardown),
		cmocka_unit_test_setup_teardown(test_examples_file_config, http_setup, http_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
