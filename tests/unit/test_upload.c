/* test_upload: TAP_UPLOAD's pure parts (src/tap/upload.h) and the resolver's overlay catalog.
 *
 * Spooling: file parts of a multipart body land in unlinked temporary files (nothing visible in
 * the directory) and read back byte for byte, several per request; a part sent without a filename
 * is found among the text parameters; a missing part, a URL upload and a body over max_bytes are
 * refused with their messages.  Resolving: TAP_UPLOAD.name is looked up in the overlay only (any
 * case of a regular identifier), with its columns and metadata, and is unknown without it.
 * The loader itself needs a database: tests/integration/upload.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"

#include "adql/parser.h"
#include "adql/resolve.h"
#include "tap/upload.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BOUNDARY "xYzZy"


/* A POST request whose multipart body is parts (already framed). */
static void make_request(http_request *r, arena *a, const char *body)
{
	char **env = arena_calloc(a, 5, sizeof *env);
	assert_non_null(env);
	env[0] = arena_strdup(a, "REQUEST_METHOD=POST");
	env[1] = arena_strdup(a, "CONTENT_TYPE=multipart/form-data; boundary=" BOUNDARY);
	env[2] = arena_printf(a, "CONTENT_LENGTH=%zu", strlen(body));
	env[3] = arena_strdup(a, "REQUEST_URI=/sync");
	tr_err err = TR_ERR_INIT;
	assert_int_equal(http_request_init(r, a, env, "", &err), TR_OK);
}

static const char *part(arena *a, const char *name, const char *filename, const char *content)
{
	if (filename)
		return arena_printf(a, "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
		                       "Content-Type: application/x-votable+xml\r\n\r\n%s\r\n", name, filename, content);
	return arena_printf(a, "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n", name, content);
}

static char *make_dir(void)
{
	char *dir = strdup("/tmp/upl-unit-XXXXXX");
	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	return dir;
}

static size_t dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* Spools body; returns the code of http_request_read_multipart. */
static int spool_body(arena *a, http_request *r, const char *body, const tap_upload_limits *lim,
                      tap_upload_spool **out, tr_err *err)
{
	make_request(r, a, body);
	*out = tap_upload_spool_new(a, lim, err);
	assert_non_null(*out);
	tr_mem_source *m = arena_alloc(a, sizeof *m);
	assert_non_null(m);
	multipart_limits ml;
	tap_upload_multipart_limits(lim, &ml);
	return http_request_read_multipart(r, a, tr_mem_source_init(m, body, strlen(body)), &ml, tap_upload_spool_file,
	                                   *out, err);
}

static void read_all(const tr_source *src, char *buf, size_t cap, size_t *out_n)
{
	size_t n = 0;
	ssize_t k;
	while ((k = src->read(src->ctx, buf + n, cap - n)) > 0)
		n += (size_t)k;
	assert_true(k == 0);
	*out_n = n;
}

static void test_spool_and_items(void **state)
{
	arena *a = *state;
	char *dir = make_dir();
	tap_upload_limits lim = { 1000, 10, dir, 0, 0, 30, "" };
	const char *body = arena_printf(a, "%s%s%s%s--" BOUNDARY "--\r\n", part(a, "QUERY", NULL, "SELECT 1"),
	                                part(a, "one", "a.xml", "<VOTABLE>first\r\nwith CRLF</VOTABLE>"),
	                                part(a, "two", "b.xml", "second"), part(a, "three", NULL, "as text"));
	http_request r;
	tap_upload_spool *sp;
	tr_err err = TR_ERR_INIT;
	assert_int_equal(spool_body(a, &r, body, &lim, &sp, &err), TR_OK);
	assert_int_equal(dir_entries(dir), 0); /* unlinked at once */

	tap_uploads ups = { .n = 0 };
	assert_int_equal(tap_parse_upload(&ups, a, "t,param:two; u,param:one;v,param:three", 38, &err), TR_OK);
	tap_upload_item *items;
	size_t n;
	assert_int_equal(tap_upload_items(sp, &r, a, &ups, &items, &n, &err), TR_OK);
	assert_int_equal(n, 3);
	char buf[256];
	size_t len;
	static const char *const want[] = { "second", "<VOTABLE>first\r\nwith CRLF</VOTABLE>", "as text" };
	static const char *const names[] = { "t", "u", "v" };
	for (size_t i = 0; i < 3; i++) {
		assert_string_equal(items[i].name, names[i]);
		read_all(&items[i].src, buf, sizeof buf, &len);
		assert_int_equal(len, strlen(want[i]));
		assert_memory_equal(buf, want[i], len);
	}
	/* the same part twice (two UPLOAD names): each read starts at the beginning */
	tap_uploads twice = { .n = 0 };
	assert_int_equal(tap_parse_upload(&twice, a, "a,param:one;b,param:one", 23, &err), TR_OK);
	assert_int_equal(tap_upload_items(sp, &r, a, &twice, &items, &n, &err), TR_OK);
	read_all(&items[0].src, buf, sizeof buf, &len);
	assert_int_equal(len, strlen(want[1]));
	assert_int_equal(tap_upload_items(sp, &r, a, &twice, &items, &n, &err), TR_OK);
	read_all(&items[1].src, buf, sizeof buf, &len);
	assert_int_equal(len, strlen(want[1]));

	/* a part that is not there */
	tap_uploads missing = { .n = 0 };
	assert_int_equal(tap_parse_upload(&missing, a, "t,param:nope", 12, &err), TR_OK);
	assert_int_equal(tap_upload_items(sp, &r, a, &missing, &items, &n, &err), TR_EBADREQ);
	assert_string_equal(err.msg, "UPLOAD t: no part named 'nope' in the request");
	/* by URL: not offered */
	tr_err_clear(&err);
	tap_uploads url = { .n = 0 };
	assert_int_equal(tap_parse_upload(&url, a, "t,https://example.org/t.xml", 27, &err), TR_OK);
	assert_int_equal(tap_upload_items(sp, &r, a, &url, &items, &n, &err), TR_EUNSUPPORTED);
	assert_non_null(strstr(err.msg, "by URL"));
	assert_non_null(strstr(err.msg, "has not enabled them"));
	/* enabled: an https URL goes through the same address check as http (no network needed) */
	tap_upload_limits on = lim;
	on.allow_urls = 1;
	tap_upload_spool *sp_on = tap_upload_spool_new(a, &on, &err);
	assert_non_null(sp_on);
	tr_err_clear(&err);
	static const char loop[] = "t,https://127.0.0.1/t.xml";
	tap_uploads url_lo = { .n = 0 };
	assert_int_equal(tap_parse_upload(&url_lo, a, loop, sizeof loop - 1, &err), TR_OK);
	assert_int_equal(tap_upload_items(sp_on, &r, a, &url_lo, &items, &n, &err), TR_EBADREQ);
	assert_string_equal(err.msg, "UPLOAD t: refusing to fetch https://127.0.0.1/t.xml: 127.0.0.1 is a loopback "
	                    "address");
	/* no spool at all (a urlencoded request) */
	tr_err_clear(&err);
	assert_int_equal(tap_upload_items(NULL, NULL, a, &missing, &items, &n, &err), TR_EBADREQ);
	rmdir(dir);
	free(dir);
}

static void test_spool_limit(void **state)
{
	arena *a = *state;
	char *dir = make_dir();
	tap_upload_limits lim = { 10, 10, dir, 0, 0, 30, "" };
	/* 6 + 5 bytes: each part fits, together they do not */
	const char *body = arena_printf(a, "%s%s--" BOUNDARY "--\r\n", part(a, "a", "a.xml", "123456"),
	                                part(a, "b", "b.xml", "12345"));
	http_request r;
	tap_upload_spool *sp;
	tr_err err = TR_ERR_INIT;
	assert_int_equal(spool_body(a, &r, body, &lim, &sp, &err), TR_ELIMIT);
	assert_string_equal(err.msg, "upload too large: at most 10 bytes allowed");
	assert_int_equal(tr_err_http(err.code), 413);
	assert_int_equal(dir_entries(dir), 0);
	/* exactly at the limit is fine */
	tr_err_clear(&err);
	body = arena_printf(a, "%s%s--" BOUNDARY "--\r\n", part(a, "a", "a.xml", "123456"), part(a, "b", "b.xml", "1234"));
	assert_int_equal(spool_body(a, &r, body, &lim, &sp, &err), TR_OK);
	/* a directory that does not exist: an I/O error naming it */
	tap_upload_limits bad = { 10, 10, "/nonexistent/upl-dir", 0, 0, 30, "" };
	tr_err_clear(&err);
	assert_int_equal(spool_body(a, &r, body, &bad, &sp, &err), TR_EIO);
	assert_non_null(strstr(err.msg, "/nonexistent/upl-dir"));
	rmdir(dir);
	free(dir);
}

/* ---- the resolver's overlay ---------------------------------------------------------------------- */

static catalog *published(void)
{
	tr_err err = TR_ERR_INIT;
	catalog *c = catalog_new(&err);
	assert_non_null(c);
	catalog_schema_def s = { .name = "demo", .schema_index = CATALOG_NULL_INT };
	catalog_table_def t = { .schema_name = "demo", .name = "demo.src", .table_type = "table", .table_index = CATALOG_NULL_INT };
	catalog_column_def col = { .table_name = "demo.src", .name = "ra", .datatype = "double", .unit = "deg",
		                   .size = CATALOG_NULL_INT, .column_index = 1 };
	assert_int_equal(catalog_add_schema(c, &s, &err), TR_OK);
	assert_int_equal(catalog_add_table(c, &t, &err), TR_OK);
	assert_int_equal(catalog_add_column(c, &col, &err), TR_OK);
	assert_int_equal(catalog_finish(c, &err), TR_OK);
	return c;
}

static catalog *overlay(void)
{
	tr_err err = TR_ERR_INIT;
	catalog *c = catalog_new(&err);
	assert_non_null(c);
	catalog_schema_def s = { .name = TAP_UPLOAD_SCHEMA, .schema_index = CATALOG_NULL_INT };
	catalog_table_def t = { .schema_name = TAP_UPLOAD_SCHEMA, .name = "TAP_UPLOAD.mine", .table_type = "table",
		                .table_index = CATALOG_NULL_INT };
	catalog_column_def c1 = { .table_name = "TAP_UPLOAD.mine", .name = "ra", .datatype = "double", .unit = "deg",
		                  .ucd = "pos.eq.ra", .size = CATALOG_NULL_INT, .column_index = 1 };
	catalog_column_def c2 = { .table_name = "TAP_UPLOAD.mine", .name = "\"value\"", .datatype = "int",
		                  .size = CATALOG_NULL_INT, .column_index = 2 };
	assert_int_equal(catalog_add_schema(c, &s, &err), TR_OK);
	assert_int_equal(catalog_add_table(c, &t, &err), TR_OK);
	assert_int_equal(catalog_add_column(c, &c1, &err), TR_OK);
	assert_int_equal(catalog_add_column(c, &c2, &err), TR_OK);
	assert_int_equal(catalog_finish(c, &err), TR_OK);
	return c;
}

static int resolve(arena *a, const catalog *cat, const catalog *up, const char *text, adql_result_meta **meta,
                   tr_err *err)
{
	adql_query *q = adql_parse(a, text, strlen(text), NULL, err);
	assert_non_null(q);
	adql_resolve_opts o = { .uploads = up };
	return adql_resolve(q, cat, &o, a, meta, err);
}

static void test_resolve_overlay(void **state)
{
	arena *a = *state;
	catalog *cat = published(), *up = overlay();
	adql_result_meta *meta;
	tr_err err = TR_ERR_INIT;
	assert_int_equal(resolve(a, cat, up, "SELECT m.ra, \"value\", s.ra AS r2 FROM TAP_UPLOAD.mine AS m, demo.src AS s",
	                         &meta, &err), TR_OK);
	assert_int_equal(meta->n_columns, 3);
	assert_string_equal(meta->columns[0].ucd, "pos.eq.ra");
	assert_string_equal(meta->columns[0].unit, "deg");
	assert_string_equal(meta->columns[1].datatype, "int");
	assert_string_equal(meta->columns[0].column->table->db_schema, "TAP_UPLOAD");
	assert_string_equal(meta->columns[0].column->table->db_table, "mine");
	/* any case of the regular identifiers */
	assert_int_equal(resolve(a, cat, up, "SELECT * FROM tap_upload.MINE", &meta, &err), TR_OK);
	assert_int_equal(meta->n_columns, 2);
	/* a delimited schema name compares exactly */
	assert_int_equal(resolve(a, cat, up, "SELECT * FROM \"tap_upload\".mine", &meta, &err), TR_ENAME);
	/* without uploads, or another name: unknown, with the hint */
	tr_err_clear(&err);
	assert_int_equal(resolve(a, cat, NULL, "SELECT * FROM TAP_UPLOAD.mine", &meta, &err), TR_ENAME);
	assert_non_null(strstr(err.msg, "unknown table 'TAP_UPLOAD.mine'"));
	assert_non_null(strstr(err.detail, "UPLOAD="));
	tr_err_clear(&err);
	assert_int_equal(resolve(a, cat, up, "SELECT * FROM TAP_UPLOAD.other", &meta, &err), TR_ENAME);
	/* uploads are reachable only through TAP_UPLOAD */
	tr_err_clear(&err);
	assert_int_equal(resolve(a, cat, up, "SELECT * FROM mine", &meta, &err), TR_ENAME);
	/* published tables resolve as before, with the overlay present */
	tr_err_clear(&err);
	assert_int_equal(resolve(a, cat, up, "SELECT ra FROM demo.src", &meta, &err), TR_OK);
	catalog_free(cat);
	catalog_free(up);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_spool_and_items, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_spool_limit, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_resolve_overlay, tr_test_arena_setup, tr_test_arena_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
