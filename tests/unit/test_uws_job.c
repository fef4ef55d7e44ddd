/* test_uws_job: phases, job ids, ISO 8601 times, paths and file removal (src/uws/job.h).
 *
 * Phase names round trip and parse case-insensitively; ids are 32 lower-case hex digits, distinct,
 * and validation refuses anything else (traversal, upper case, wrong length); times format as
 * xs:dateTime with milliseconds and parse every DALI 1.1 §3.3.3 form (date only, no seconds,
 * fractions, Z, offsets) and refuse the rest naming the text; uws_job_remove_files removes a job's
 * directory and its files and nothing a link inside it points to.  Each test gets a fresh arena. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"

#include "uws/job.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ID_A "0123456789abcdef0123456789abcdef"
#define ID_B "fedcba9876543210fedcba9876543210"

/* ---- phases ------------------------------------------------------------------------------------ */

static void test_phase_round_trip(void **state)
{
	(void)state;
	static const char *const names[UWS_PHASE_COUNT] = { "PENDING", "QUEUED", "EXECUTING", "COMPLETED",
		                                            "ERROR", "ABORTED", "UNKNOWN", "HELD",
		                                            "SUSPENDED", "ARCHIVED" };
	for (int p = 0; p < UWS_PHASE_COUNT; p++) {
		assert_string_equal(uws_phase_name((uws_phase)p), names[p]);
		uws_phase got = UWS_PHASE_COUNT;
		assert_int_equal(uws_phase_parse(names[p], &got), TR_OK);
		assert_int_equal(got, p);
	}
	assert_string_equal(uws_phase_name(UWS_PHASE_COUNT), "UNKNOWN");
}

static void test_phase_parse_case(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int rc;
		uws_phase p;
	} cases[] = {
		{ "run", TR_EBADREQ, 0 }, /* an action, not a phase */
		{ "pending", TR_OK, UWS_PENDING },
		{ "Executing", TR_OK, UWS_EXECUTING },
		{ "cOmPlEtEd", TR_OK, UWS_COMPLETED },
		{ "aborted", TR_OK, UWS_ABORTED },
		{ "archived", TR_OK, UWS_ARCHIVED },
		{ "", TR_EBADREQ, 0 },
		{ "PENDINGX", TR_EBADREQ, 0 },
		{ "PEND", TR_EBADREQ, 0 },
		{ " QUEUED", TR_EBADREQ, 0 },
		{ "QUEUED ", TR_EBADREQ, 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uws_phase got = UWS_PHASE_COUNT;
		int rc = uws_phase_parse(cases[i].in, &got);
		if (rc != cases[i].rc)
			fail_msg("'%s': rc %d, expected %d", cases[i].in, rc, cases[i].rc);
		if (rc == TR_OK)
			assert_int_equal(got, cases[i].p);
		else
			assert_int_equal(got, UWS_PHASE_COUNT); /* untouched */
	}
}

static void test_phase_active(void **state)
{
	(void)state;
	static const bool active[UWS_PHASE_COUNT] = {
		[UWS_PENDING] = true, [UWS_QUEUED] = true, [UWS_EXECUTING] = true,
		[UWS_HELD] = true,    [UWS_SUSPENDED] = true,
	};
	for (int p = 0; p < UWS_PHASE_COUNT; p++)
		if (uws_phase_is_active((uws_phase)p) != active[p])
			fail_msg("%s: active %d", uws_phase_name((uws_phase)p), !active[p]);
}

/* ---- ids --------------------------------------------------------------------------------------- */

#define N_IDS 2000

static int cmp_id(const void *a, const void *b) { return strcmp(a, b); }

static void test_id_new(void **state)
{
	(void)state;
	char(*ids)[UWS_JOB_ID_LEN + 1] = calloc(N_IDS, sizeof *ids);
	assert_non_null(ids);
	unsigned seen[16] = { 0 };
	for (int i = 0; i < N_IDS; i++) {
		tr_err err = TR_ERR_INIT;
		assert_int_equal(uws_job_id_new(ids[i], &err), TR_OK);
		assert_int_equal(strlen(ids[i]), UWS_JOB_ID_LEN);
		assert_true(uws_job_id_is_valid(ids[i]));
		for (int k = 0; k < UWS_JOB_ID_LEN; k++) {
			char c = ids[i][k];
			seen[c <= '9' ? c - '0' : c - 'a' + 10]++;
		}
	}
	/* 64000 random hex digits: every digit turns up (about 4000 times each). */
	for (int d = 0; d < 16; d++)
		assert_true(seen[d] > 3000 && seen[d] < 5000);
	qsort(ids, N_IDS, sizeof *ids, cmp_id);
	for (int i = 1; i < N_IDS; i++)
		assert_string_not_equal(ids[i - 1], ids[i]);
	free(ids);
}

static void test_id_valid(void **state)
{
	(void)state;
	static const struct {
		const char *id;
		bool ok;
	} cases[] = {
		{ ID_A, true },
		{ "ffffffffffffffffffffffffffffffff", true },
		{ "00000000000000000000000000000000", true },
		{ "../x", false },
		{ "../0123456789abcdef0123456789ab", false }, /* right length, traversal */
		{ "0123456789abcdef0123456789abcdeF", false },
		{ "0123456789ABCDEF0123456789ABCDEF", false },
		{ "0123456789abcdef0123456789abcde", false },   /* 31 */
		{ "0123456789abcdef0123456789abcdef0", false }, /* 33 */
		{ "0123456789abcdef0123456789abcdeg", false },
		{ "0123456789abcdef/123456789abcdef", false },
		{ "0123456789abcdef 123456789abcdef", false },
		{ "", false },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (uws_job_id_is_valid(cases[i].id) != cases[i].ok)
			fail_msg("'%s': valid %d, expected %d", cases[i].id, !cases[i].ok, cases[i].ok);
	assert_false(uws_job_id_is_valid(NULL));
}

static void test_param(void **state)
{
	(void)state;
	uws_param params[] = {
		{ "QUERY", "SELECT 1", 8, false },
		{ "lang", "ADQL", 4, false },
		{ "Query", "SELECT 2", 8, false },
		{ "UPLOAD", "t,http://x/y", 12, true },
	};
	uws_job job = { .params = params, .n_params = 4 };
	assert_ptr_equal(uws_job_param(&job, "query"), &params[0]); /* the first of repeats */
	assert_ptr_equal(uws_job_param(&job, "LANG"), &params[1]);
	assert_ptr_equal(uws_job_param(&job, "upload"), &params[3]);
	assert_null(uws_job_param(&job, "MAXREC"));
	assert_null(uws_job_param(&job, "QUER"));
	uws_job empty = { 0 };
	assert_null(uws_job_param(&empty, "QUERY"));
}

/* ---- times ------------------------------------------------------------------------------------- */

static void test_time_format(void **state)
{
	(void)state;
	static const struct {
		int64_t ms;
		const char *text;
	} cases[] = {
		{ 0, "1970-01-01T00:00:00.000Z" },
		{ 1, "1970-01-01T00:00:00.001Z" },
		{ 1700000000000, "2023-11-14T22:13:20.000Z" },
		{ 1700000000123, "2023-11-14T22:13:20.123Z" },
		{ 951825600999, "2000-02-29T12:00:00.999Z" },
		{ -1, "1969-12-31T23:59:59.999Z" },
		{ -14182940000, "1969-07-20T20:17:40.000Z" },
		{ 253402300799000, "9999-12-31T23:59:59.000Z" },
		{ -62135596800000, "0001-01-01T00:00:00.000Z" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[UWS_TIME_BUF];
		assert_ptr_equal(uws_time_format(cases[i].ms, buf), buf);
		assert_string_equal(buf, cases[i].text);
	}
	/* The extremes still give text that fits (and does not crash). */
	char buf[UWS_TIME_BUF];
	assert_true(strlen(uws_time_format(INT64_MAX, buf)) < UWS_TIME_BUF);
	assert_true(strlen(uws_time_format(INT64_MIN, buf)) < UWS_TIME_BUF);
}

static void test_time_parse(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int64_t ms;
	} cases[] = {
		{ "2023-11-14T22:13:20.123Z", 1700000000123 },
		{ "2023-11-14T22:13:20.123", 1700000000123 },
		{ "2023-11-14T22:13:20Z", 1700000000000 },
		{ "2023-11-14T22:13:20", 1700000000000 },
		{ "2023-11-14T22:13Z", 1699999980000 },
		{ "2023-11-14T22:13", 1699999980000 },
		{ "2023-11-14", 1699920000000 },
		{ "2023-11-14T22:13:20.1Z", 1700000000100 },
		{ "2023-11-14T22:13:20.12Z", 1700000000120 },
		{ "2023-11-14T22:13:20.123456789Z", 1700000000123 }, /* truncated to milliseconds */
		{ "2023-11-14T22:13:20.999999Z", 1700000000999 },
		{ "2023-11-14T23:13:20+01:00", 1700000000000 },
		{ "2023-11-15T03:43:20.123+05:30", 1700000000123 },
		{ "2023-11-14T20:43:20-01:30", 1700000000000 },
		{ "2023-11-14T22:13:20+00:00", 1700000000000 },
		{ "2023-11-14T22:13:20-00:00", 1700000000000 },
		{ "2023-11-14T20:13-02:00", 1699999980000 },
		{ "2000-02-29T12:00:00Z", 951825600000 },
		{ "1969-12-31T23:59:59.999Z", -1 },
		{ "1970-01-01", 0 },
		{ "9999-12-31T23:59:59Z", 253402300799000 },
		{ "0001-01-01", -62135596800000 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tr_err err = TR_ERR_INIT;
		int64_t ms = 42;
		int rc = uws_time_parse(cases[i].text, &ms, &err);
		if (rc != TR_OK)
			fail_msg("'%s': %s", cases[i].text, err.msg);
		if (ms != cases[i].ms)
			fail_msg("'%s': %lld, expected %lld", cases[i].text, (long long)ms, (long long)cases[i].ms);
	}
}

static void test_time_parse_errors(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",
		"now",
		"2023",
		"2023-11",
		"2023-1-14",
		"23-11-14",
		"2023/11/14",
		"2023-11-14T",
		"2023-11-14T22",
		"2023-11-14T22:",
		"2023-11-14T22:1",
		"2023-11-14T22:13:",
		"2023-11-14T22:13:2",
		"2023-11-14 22:13:20",   /* a space is not the ISO separator */
		"2023-11-14t22:13:20",
		"2023-11-14T22:13:20.",
		"2023-11-14T22:13:20.1234567890Z", /* ten fraction digits */
		"2023-11-14T22:13:20.z",
		"2023-11-14T22:13:20Zjunk",
		"2023-11-14T22:13:20z",
		"2023-11-14T22:13:20+01",
		"2023-11-14T22:13:20+0100",
		"2023-11-14T22:13:20+24:00",
		"2023-11-14T22:13:20+01:60",
		"2023-11-14Z", /* a zone needs a time */
		"2023-11-14+01:00",
		" 2023-11-14",
		"2023-11-14 ",
		"2023-00-14",
		"2023-13-01",
		"2023-11-00",
		"2023-11-31",
		"2023-02-29",
		"1900-02-29",
		"2023-11-14T24:00:00",
		"2023-11-14T23:60",
		"2023-11-14T23:59:60", /* no leap seconds */
		"+2023-11-14",
		"-2023-11-14",
		"2023-11-14T22:13:20.123Z\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		tr_err err = TR_ERR_INIT;
		int64_t ms = 42;
		int rc = uws_time_parse(bad[i], &ms, &err);
		if (rc != TR_EBADREQ)
			fail_msg("'%s': rc %d, expected TR_EBADREQ (got %lld)", bad[i], rc, (long long)ms);
		assert_int_equal(err.code, TR_EBADREQ);
		assert_int_equal(ms, 42);
		/* The message names the text (up to its first 64 bytes). */
		char quoted[80];
		snprintf(quoted, sizeof quoted, "'%.20s", bad[i]);
		if (strstr(err.msg, quoted) == NULL)
			fail_msg("'%s': message does not name it: %s", bad[i], err.msg);
	}
	/* A long text is cut in the message, which stays short. */
	char longtext[300];
	memset(longtext, 'x', sizeof longtext - 1);
	longtext[sizeof longtext - 1] = '\0';
	tr_err err = TR_ERR_INIT;
	int64_t ms;
	assert_int_equal(uws_time_parse(longtext, &ms, &err), TR_EBADREQ);
	assert_non_null(strstr(err.msg, "xxx..."));
	assert_true(strlen(err.msg) < 200);
}

static void test_time_round_trip(void **state)
{
	(void)state;
	static const int64_t values[] = {
		0, 1, 999, 1000, -1, -999, -1000, -1001, 1700000000123, 1767225599999, 4102444800000,
		951782400000, 951868799999, -62135596800000, 253402300799999,
	};
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		char buf[UWS_TIME_BUF];
		tr_err err = TR_ERR_INIT;
		int64_t back = 42;
		uws_time_format(values[i], buf);
		if (uws_time_parse(buf, &back, &err) != TR_OK)
			fail_msg("'%s': %s", buf, err.msg);
		if (back != values[i])
			fail_msg("%lld -> '%s' -> %lld", (long long)values[i], buf, (long long)back);
	}
	/* And every millisecond of a second, and a day's worth of steps across a leap day. */
	for (int64_t ms = 951782400000 - 86400000; ms < 951782400000 + 2 * 86400000; ms += 3599999) {
		char buf[UWS_TIME_BUF];
		tr_err err = TR_ERR_INIT;
		int64_t back;
		assert_int_equal(uws_time_parse(uws_time_format(ms, buf), &back, &err), TR_OK);
		assert_true(back == ms);
	}
	for (int64_t ms = 1700000000000; ms < 1700000001000; ms++) {
		char buf[UWS_TIME_BUF];
		tr_err err = TR_ERR_INIT;
		int64_t back;
		assert_int_equal(uws_time_parse(uws_time_format(ms, buf), &back, &err), TR_OK);
		assert_true(back == ms);
	}
}

/* ---- paths and files --------------------------------------------------------------------------- */

static void test_paths(void **state)
{
	arena *a = *state;
	assert_string_equal(uws_job_dir(a, "/var/lib/taproom/results", ID_A), "/var/lib/taproom/results/" ID_A);
	assert_string_equal(uws_job_dir(a, "/r/", ID_A), "/r/" ID_A);
	assert_string_equal(uws_job_dir(a, "/r//", ID_A), "/r/" ID_A);
	assert_string_equal(uws_job_dir(a, "/", ID_A), "/" ID_A);
	assert_string_equal(uws_job_dir(a, "", ID_A), "./" ID_A);
	assert_string_equal(uws_result_path(a, "/r", ID_A), "/r/" ID_A "/result");
	assert_string_equal(uws_result_part_path(a, "/r", ID_A), "/r/" ID_A "/result.part");
	assert_string_equal(uws_result_path(a, "rel/dir", ID_A), "rel/dir/" ID_A "/result");
	/* An id that is not one never becomes a path. */
	assert_null(uws_job_dir(a, "/r", "../x"));
	assert_null(uws_result_path(a, "/r", "../../etc/passwd"));
	assert_null(uws_result_part_path(a, "/r", "0123456789ABCDEF0123456789ABCDEF"));
}

typedef struct files_fixture {
	arena *a;
	char dir[256];
} files_fixture;

static int files_setup(void **state)
{
	files_fixture *f = calloc(1, sizeof *f);
	if (f == NULL)
		return -1;
	f->a = arena_create(0, 0);
	const char *tmp = getenv("TMPDIR");
	snprintf(f->dir, sizeof f->dir, "%s/test_uws_job.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (f->a == NULL || mkdtemp(f->dir) == NULL) {
		arena_destroy(f->a);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

/* Removes what the tests left in the temporary directory (known names only). */
static int files_teardown(void **state)
{
	files_fixture *f = *state;
	/* In order: a failed test may have left the job directory with files in it. */
	static const char *const leftovers[] = {
		"/" ID_A "/result", "/" ID_A "/result.part", "/" ID_A "/notes", "/" ID_A "/out_link",
		"/" ID_A "/sub", "/" ID_A, "/outside.txt", "/target/keep", "/target",
	};
	for (size_t i = 0; i < sizeof leftovers / sizeof leftovers[0]; i++) {
		const char *p = arena_printf(f->a, "%s%s", f->dir, leftovers[i]);
		if (p && unlink(p) < 0 && errno != ENOENT)
			rmdir(p);
	}
	int rc = rmdir(f->dir);
	arena_destroy(f->a);
	free(f);
	return rc;
}

static void write_file(arena *a, const char *dir, const char *name, const char *text)
{
	const char *p = arena_printf(a, "%s/%s", dir, name);
	assert_non_null(p);
	FILE *fp = fopen(p, "w");
	assert_non_null(fp);
	assert_true(fputs(text, fp) >= 0);
	assert_int_equal(fclose(fp), 0);
}

static bool exists(arena *a, const char *dir, const char *name)
{
	const char *p = arena_printf(a, "%s/%s", dir, name);
	assert_non_null(p);
	struct stat st;
	return lstat(p, &st) == 0;
}

static void test_remove_files(void **state)
{
	files_fixture *f = *state;
	arena *a = f->a;
	const char *jd = uws_job_dir(a, f->dir, ID_A);
	assert_non_null(jd);
	assert_int_equal(mkdir(jd, 0700), 0);
	write_file(a, f->dir, "outside.txt", "keep me");
	write_file(a, jd, "result", "<VOTABLE/>");
	write_file(a, jd, "result.part", "<VOT");
	write_file(a, jd, "notes", "x");
	/* A link inside to a file outside: the link goes, its target stays. */
	assert_int_equal(symlink(arena_printf(a, "%s/outside.txt", f->dir), arena_printf(a, "%s/out_link", jd)), 0);

	tr_err err = TR_ERR_INIT;
	assert_int_equal(uws_job_remove_files(f->dir, ID_A, &err), TR_OK);
	assert_false(exists(a, f->dir, ID_A));
	assert_true(exists(a, f->dir, "outside.txt"));
	/* Again: nothing there is fine. */
	assert_int_equal(uws_job_remove_files(f->dir, ID_A, &err), TR_OK);
	/* A results directory that does not exist is fine too. */
	assert_int_equal(uws_job_remove_files(arena_printf(a, "%s/nonexistent", f->dir), ID_A, &err), TR_OK);
	assert_false(tr_err_isset(&err));
}

/* Only the result and its partial file go: a job given back keeps its uploads. */
static void test_remove_results(void **state)
{
	files_fixture *f = *state;
	arena *a = f->a;
	const char *jd = uws_job_dir(a, f->dir, ID_A);
	assert_int_equal(mkdir(jd, 0700), 0);
	write_file(a, jd, "result", "<VOTABLE/>");
	write_file(a, jd, "result.part", "<VOT");
	const char *up = uws_upload_path(a, f->dir, ID_A, "my_table2");
	assert_string_equal(up, arena_printf(a, "%s/%s/upload-my_table2.vot", f->dir, ID_A));
	write_file(a, jd, "upload-my_table2.vot", "<VOTABLE/>");
	tr_err err = TR_ERR_INIT;
	assert_int_equal(uws_job_remove_results(f->dir, ID_A, &err), TR_OK);
	assert_false(exists(a, jd, "result"));
	assert_false(exists(a, jd, "result.part"));
	assert_true(exists(a, jd, "upload-my_table2.vot"));
	/* Nothing left to remove, or no directory at all: fine. */
	assert_int_equal(uws_job_remove_results(f->dir, ID_A, &err), TR_OK);
	assert_int_equal(uws_job_remove_results(f->dir, ID_B, &err), TR_OK);
	assert_int_equal(uws_job_remove_results(f->dir, "../x", &err), TR_EBADREQ);
	/* Upload names are identifiers: nothing else becomes a path. */
	assert_null(uws_upload_path(a, f->dir, ID_A, "../x"));
	assert_null(uws_upload_path(a, f->dir, ID_A, "a/b"));
	assert_null(uws_upload_path(a, f->dir, ID_A, ""));
	assert_null(uws_upload_path(a, f->dir, "nope", "t"));
	assert_int_equal(uws_job_remove_files(f->dir, ID_A, &err), TR_OK);
}

static void test_remove_files_refuses(void **state)
{
	files_fixture *f = *state;
	arena *a = f->a;
	write_file(a, f->dir, "outside.txt", "keep me");
	/* Ids that are not ids: nothing is touched. */
	static const char *const bad[] = { "../x", "..", ".", "", "outside.txt",
		                           "0123456789ABCDEF0123456789ABCDEF" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		tr_err err = TR_ERR_INIT;
		assert_int_equal(uws_job_remove_files(f->dir, bad[i], &err), TR_EBADREQ);
		assert_int_equal(err.code, TR_EBADREQ);
	}
	tr_err err = TR_ERR_INIT;
	assert_int_equal(uws_job_remove_files(f->dir, NULL, &err), TR_EBADREQ);
	assert_true(exists(a, f->dir, "outside.txt"));

	/* DIR/ID a link to a directory elsewhere: the link is removed, the directory and its files are
	 * not. */
	const char *target = arena_printf(a, "%s/target", f->dir);
	assert_int_equal(mkdir(target, 0700), 0);
	write_file(a, target, "keep", "x");
	assert_int_equal(symlink(target, arena_printf(a, "%s/%s", f->dir, ID_A)), 0);
	tr_err err2 = TR_ERR_INIT;
	assert_int_equal(uws_job_remove_files(f->dir, ID_A, &err2), TR_OK);
	assert_false(exists(a, f->dir, ID_A));
	assert_true(exists(a, target, "keep"));

	/* A subdirectory is not ours to remove: the files go, the error names the directory. */
	const char *jd = uws_job_dir(a, f->dir, ID_A);
	assert_int_equal(mkdir(jd, 0700), 0);
	write_file(a, jd, "result", "x");
	assert_int_equal(mkdir(arena_printf(a, "%s/sub", jd), 0700), 0);
	tr_err err3 = TR_ERR_INIT;
	assert_int_equal(uws_job_remove_files(f->dir, ID_A, &err3), TR_EIO);
	assert_non_null(strstr(err3.msg, ID_A));
	assert_false(exists(a, jd, "result"));
	assert_true(exists(a, jd, "sub"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phase_round_trip),
		cmocka_unit_test(test_phase_parse_case),
		cmocka_unit_test(test_phase_active),
		cmocka_unit_test(test_id_new),
		cmocka_unit_test(test_id_valid),
		cmocka_unit_test(test_param),
		cmocka_unit_test(test_time_format),
		cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_time_parse_errors),
		cmocka_unit_test(test_time_round_trip),
		cmocka_unit_test_setup_teardown(test_paths, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_remove_files, files_setup, files_teardown),
		cmocka_unit_test_setup_teardown(test_remove_files_refuses, files_setup, files_teardown),
		cmocka_unit_test_setup_teardown(test_remove_results, files_setup, files_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
