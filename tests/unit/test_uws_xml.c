/* test_uws_xml: the UWS 1.1 documents (src/uws/uws_xml.h).
 *
 * Sample jobs in every phase, with unset times (xsi:nil), hostile parameters (markup, quotes, NUL,
 * invalid UTF-8, control bytes) and run ids, a COMPLETED job with its result, ERROR jobs with fatal
 * and transient summaries, job lists, the results and parameters documents, and a buffer that
 * runs out.  Every document is parsed with expat (well-formed, hostile text read back as text) and
 * its elements are checked in schema order.  When TR_UWS_XML_OUT names a directory, each document
 * is also written there: tests/integration/uws_xml.sh validates them against UWS-v1.1.xsd. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "uws/uws_xml.h"
#include "fixture.h"

#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JOBS_URL "https://tap.example.org/tap/async"
#define ID_A "0123456789abcdef0123456789abcdef"
#define ID_B "fedcba9876543210fedcba9876543210"
#define FFFD "\xEF\xBF\xBD"

/* 2023-11-14T22:13:20.123Z and a few later instants. */
#define T0 1700000000123
#define T0_TEXT "2023-11-14T22:13:20.123Z"

/* ---- reading a document back --------------------------------------------------------------------- */

#define MAX_ELEMS 64

/* What expat saw: the element names in document order and the text of each (concatenated). */
typedef struct parsed {
	char names[MAX_ELEMS][64];
	strbuf text[MAX_ELEMS];
	int n;
	int depth;
	int current[16]; /* element index per depth */
} parsed;

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	(void)atts;
	parsed *p = ud;
	assert_true(p->n < MAX_ELEMS);
	snprintf(p->names[p->n], sizeof p->names[0], "%s", name);
	strbuf_init(&p->text[p->n], 0);
	p->current[p->depth++] = p->n++;
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
	(void)name;
	parsed *p = ud;
	p->depth--;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	parsed *p = ud;
	if (p->depth > 0)
		strbuf_add(&p->text[p->current[p->depth - 1]], s, (size_t)len);
}

/* Parses doc with namespace processing (names come as "URI|local"); fails the test when it is not
 * well-formed. */
static void parse(const char *doc, parsed *p)
{
	memset(p, 0, sizeof *p);
	XML_Parser xp = XML_ParserCreateNS(NULL, '|');
	assert_non_null(xp);
	XML_SetUserData(xp, p);
	XML_SetElementHandler(xp, on_start, on_end);
	XML_SetCharacterDataHandler(xp, on_text);
	if (XML_Parse(xp, doc, (int)strlen(doc), 1) != XML_STATUS_OK)
		fail_msg("not well-formed (line %lu: %s):\n%s", (unsigned long)XML_GetCurrentLineNumber(xp),
		         XML_ErrorString(XML_GetErrorCode(xp)), doc);
	XML_ParserFree(xp);
}

static void parsed_free(parsed *p)
{
	for (int i = 0; i < p->n; i++)
		strbuf_free(&p->text[i]);
}

#define UWS "http://www.ivoa.net/xml/UWS/v1.0|"

/* Index of the first element named name (local name in the UWS namespace), -1 if none. */
static int find(const parsed *p, const char *local)
{
	char full[96];
	snprintf(full, sizeof full, UWS "%s", local);
	for (int i = 0; i < p->n; i++)
		if (strcmp(p->names[i], full) == 0)
			return i;
	return -1;
}

static const char *text_of(const parsed *p, const char *local)
{
	int i = find(p, local);
	if (i < 0)
		fail_msg("no element %s", local);
	return strbuf_str(&p->text[i]);
}

/* ---- writing documents out for the schema check -------------------------------------------------- */

static void save(const char *name, const strbuf *sb)
{
	const char *dir = getenv("TR_UWS_XML_OUT");
	if (dir == NULL || *dir == '\0')
		return;
	char path[4096];
	snprintf(path, sizeof path, "%s/%s.xml", dir, name);
	FILE *f = fopen(path, "wb");
	if (f == NULL)
		fail_msg("cannot write %s", path);
	assert_int_equal(fwrite(strbuf_str(sb), 1, strbuf_len(sb), f), strbuf_len(sb));
	assert_int_equal(fclose(f), 0);
}

/* ---- sample jobs ------------------------------------------------------------------------------- */

static uws_param plain_params[] = {
	{ "LANG", "ADQL", 4, false },
	{ "QUERY", "SELECT TOP 10 * FROM demo.sources WHERE mag < 20", 48, false },
	{ "RESPONSEFORMAT", "votable", 7, false },
};

static uws_job base_job(uws_phase phase)
{
	uws_job j = { .phase = phase, .creation_ms = T0, .destruction_ms = T0 + 604800000, .execution_duration = 3600,
		      .params = plain_params, .n_params = 3, .result_bytes = -1 };
	memcpy(j.id, ID_A, sizeof j.id);
	if (phase == UWS_EXECUTING || phase == UWS_COMPLETED || phase == UWS_ERROR || phase == UWS_ABORTED ||
	    phase == UWS_SUSPENDED || phase == UWS_ARCHIVED)
		j.start_ms = T0 + 1000;
	if (!uws_phase_is_active(phase) && phase != UWS_UNKNOWN)
		j.end_ms = T0 + 2000;
	return j;
}

/* The job document's elements, in UWS-v1.1.xsd's order, for the order check. */
static const char *const job_order[] = {
	"jobId", "runId", "ownerId", "phase", "quote", "creationTime", "startTime", "endTime",
	"executionDuration", "destruction", "parameters", "results", "errorSummary", "jobInfo",
};

static void check_order(const parsed *p)
{
	int last = -1;
	for (size_t i = 0; i < sizeof job_order / sizeof job_order[0]; i++) {
		int at = find(p, job_order[i]);
		if (at < 0)
			continue;
		if (at < last)
			fail_msg("%s out of schema order", job_order[i]);
		last = at;
	}
}

/* ---- tests ------------------------------------------------------------------------------------- */

static void test_every_phase(void **state)
{
	strbuf *sb = *state;
	for (int ph = 0; ph < UWS_PHASE_COUNT; ph++) {
		strbuf_reset(sb);
		uws_job j = base_job((uws_phase)ph);
		tr_err err = TR_ERR_INIT;
		assert_int_equal(uws_xml_job(sb, &j, JOBS_URL, &err), TR_OK);
		const char *doc = strbuf_str(sb);
		char name[64];
		snprintf(name, sizeof name, "job-%s", uws_phase_name((uws_phase)ph));
		save(name, sb);
		parsed p;
		parse(doc, &p);
		check_order(&p);
		assert_string_equal(p.names[0], UWS "job");
		assert_non_null(strstr(doc, "<uws:job xmlns:uws=\"http://www.ivoa.net/xml/UWS/v1.0\""));
		assert_non_null(strstr(doc, " version=\"1.1\">"));
		assert_string_equal(text_of(&p, "jobId"), ID_A);
		assert_string_equal(text_of(&p, "phase"), uws_phase_name((uws_phase)ph));
		assert_string_equal(text_of(&p, "creationTime"), T0_TEXT);
		assert_string_equal(text_of(&p, "executionDuration"), "3600");
		assert_string_equal(text_of(&p, "destruction"), "2023-11-21T22:13:20.123Z");
		/* Unset values are nil, never empty or absent where the schema requires them. */
		assert_non_null(strstr(doc, "<uws:ownerId xsi:nil=\"true\"/>"));
		assert_non_null(strstr(doc, "<uws:quote xsi:nil=\"true\"/>"));
		assert_int_equal(find(&p, "runId"), -1);
		if (j.start_ms == 0)
			assert_non_null(strstr(doc, "<uws:startTime xsi:nil=\"true\"/>"));
		else
			assert_string_equal(text_of(&p, "startTime"), "2023-11-14T22:13:21.123Z");
		if (j.end_ms == 0)
			assert_non_null(strstr(doc, "<uws:endTime xsi:nil=\"true\"/>"));
		else
			assert_string_equal(text_of(&p, "endTime"), "2023-11-14T22:13:22.123Z");
		/* Results always present (required), empty without a result; no summary but for ERROR. */
		assert_true(find(&p, "results") >= 0);
		assert_int_equal(find(&p, "result"), -1);
		assert_int_equal(find(&p, "errorSummary") >= 0, ph == UWS_ERROR);
		assert_int_equal(find(&p, "jobInfo"), -1);
		/* Parameters in the order given. */
		int q = find(&p, "parameter");
		assert_true(q > 0);
		assert_string_equal(strbuf_str(&p.text[q]), "ADQL");
		assert_string_equal(strbuf_str(&p.text[q + 1]), plain_params[1].value);
		assert_string_equal(strbuf_str(&p.text[q + 2]), "votable");
		parsed_free(&p);
	}
}

static void test_nil_and_optional(void **state)
{
	strbuf *sb = *state;
	/* A job with nothing set but its id and phase: every nillable time is nil. */
	uws_job j = { .phase = UWS_PENDING };
	memcpy(j.id, ID_B, sizeof j.id);
	tr_err err = TR_ERR_INIT;
	assert_int_equal(uws_xml_job(sb, &j, JOBS_URL, &err), TR_OK);
	const char *doc = strbuf_str(sb);
	save("job-minimal", sb);
	parsed p;
	parse(doc, &p);
	check_order(&p);
	static const char *const nils[] = { "ownerId", "quote", "startTime", "endTime", "destruction" };
	for (size_t i = 0; i < sizeof nils / sizeof nils[0]; i++) {
		char want[64];
		snprintf(want, sizeof want, "<uws:%s xsi:nil=\"true\"/>", nils[i]);
		if (strstr(doc, want) == NULL)
			fail_msg("%s is not nil:\n%s", nils[i], doc);
	}
	/* creationTime may not be nil: absent instead; executionDuration 0 = unlimited. */
	assert_int_equal(find(&p, "creationTime"), -1);
	assert_string_equal(text_of(&p, "executionDuration"), "0");
	assert_non_null(strstr(doc, "<uws:parameters/>"));
	assert_non_null(strstr(doc, "<uws:results/>"));
	parsed_free(&p);
}

/* Value given as a literal, so that NUL bytes inside count. */
#define PARAM(name, lit, is_ref) { name, lit, sizeof(lit) - 1, is_ref }

static uws_param hostile_params[] = {
	PARAM("QUERY", "</uws:parameter><x>", false),
	PARAM("nul", "a\0b", false),
	PARAM("utf8", "\xFF\xFE caf\xC3\xA9 \xC0\xAF", false),
	PARAM("controls", "\x01\x1B[31m\r\n\t", false),
	PARAM("\"><x y=\"", "amp & lt < gt > quot \" apos '", false),
	PARAM("UPLOAD", "t,http://example.org/t.xml?a=1&b=2", true),
	PARAM("empty", "", false),
	PARAM("\xFF" "name", "v", false),
};

static void test_hostile_values(void **state)
{
	strbuf *sb = *state;
	uws_job j = base_job(UWS_PENDING);
	j.params = hostile_params;
	j.n_params = sizeof hostile_params / sizeof hostile_params[0];
	j.run_id = "<run & \"id\">\x01";
	j.owner = "CN=O'Brien & <co>, O=\"x\"";
	tr_err err = TR_ERR_INIT;
	assert_int_equal(uws_xml_job(sb, &j, JOBS_URL, &err), TR_OK);
	save("job-hostile", sb);
	const char *doc = strbuf_str(sb);
	/* Nothing the client sent appears as markup. */
	assert_null(strstr(doc, "<x>"));
	assert_null(strstr(doc, "<x y"));
	assert_null(strstr(doc, "<co>"));
	parsed p;
	parse(doc, &p);
	check_order(&p);
	/* The only elements are the schema's: one parameter element per parameter. */
	for (int i = 0; i < p.n; i++)
		assert_true(strncmp(p.names[i], UWS, strlen(UWS)) == 0);
	int q = find(&p, "parameter");
	assert_true(q > 0);
	assert_string_equal(strbuf_str(&p.text[q]), "</uws:parameter><x>");
	assert_string_equal(strbuf_str(&p.text[q + 1]), "a" FFFD "b");
	assert_string_equal(strbuf_str(&p.text[q + 2]), FFFD FFFD " caf\xC3\xA9 " FFFD FFFD);
	assert_string_equal(strbuf_str(&p.text[q + 3]), FFFD FFFD "[31m\r\n\t"); /* CR kept as &#13; */
	assert_string_equal(strbuf_str(&p.text[q + 4]), "amp & lt < gt > quot \" apos '");
	assert_string_equal(strbuf_str(&p.text[q + 5]), "t,http://example.org/t.xml?a=1&b=2");
	assert_string_equal(strbuf_str(&p.text[q + 6]), "");
	assert_string_equal(text_of(&p, "runId"), "<run & \"id\">" FFFD);
	assert_string_equal(text_of(&p, "ownerId"), "CN=O'Brien & <co>, O=\"x\"");
	parsed_free(&p);
	/* Names are attribute values: escaped too; references say so. */
	assert_non_null(strstr(doc, "<uws:parameter id=\"&quot;&gt;&lt;x y=&quot;\">"));
	assert_non_null(strstr(doc, "<uws:parameter id=\"UPLOAD\" byReference=\"true\">"));
	assert_non_null(strstr(doc, "<uws:parameter id=\"" FFFD "name\">v</uws:parameter>"));
	assert_non_null(strstr(doc, "<uws:parameter id=\"empty\"></uws:parameter>"));

	/* The same parameters as their own document. */
	strbuf_reset(sb);
	assert_int_equal(uws_xml_parameters(sb, &j, &err), TR_OK);
	save("parameters-hostile", sb);
	parse(strbuf_str(sb), &p);
	assert_string_equal(p.names[0], UWS "parameters");
	assert_int_equal(p.n, 1 + (int)j.n_params);
	assert_string_equal(strbuf_str(&p.text[1]), "</uws:parameter><x>");
	parsed_free(&p);
}

static uws_job completed_job(void)
{
	uws_job j = base_job(UWS_COMPLETED);
	j.owner = "alice";
	j.run_id = "my-run";
	j.result_type = "application/x-votable+xml";
	j.result_rows = 12345;
	j.result_bytes = 987654321;
	j.result_overflow = true;
	return j;
}

static void test_completed_with_result(void **state)
{
	strbuf *sb = *state;
	uws_job j = completed_job();
	tr_err err = TR_ERR_INIT;
	assert_int_equal(uws_xml_job(sb, &j, JOBS_URL, &err), TR_OK);
	save("job-COMPLETED-result", sb);
	const char *doc = strbuf_str(sb);
	parsed p;
	parse(doc, &p);
	check_order(&p);
	assert_string_equal(text_of(&p, "runId"), "my-run");
	assert_string_equal(text_of(&p, "ownerId"), "alice");
	assert_non_null(strstr(doc, "<uws:result id=\"result\" xlink:type=\"simple\" xlink:href=\"" JOBS_URL "/" ID_A
	                            "/results/result\" mime-type=\"application/x-votable+xml\" size=\"987654321\"/>"));
	assert_int_equal(find(&p, "jobInfo"), -1);
	assert_int_equal(find(&p, "errorSummary"), -1);
	parsed_free(&p);

	/* The results document alone. */
	strbuf_reset(sb);
	assert_int_equal(uws_xml_results(sb, &j, JOBS_URL, &err), TR_OK);
	save("results-COMPLETED", sb);
	doc = strbuf_str(sb);
	parse(doc, &p);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.names[0], UWS "results");
	assert_string_equal(p.names[1], UWS "result");
	assert_non_null(strstr(doc, "xlink:href=\"" JOBS_URL "/" ID_A "/results/result\""));
	parsed_free(&p);

	/* Size unknown (negative): the optional attribute is left out; a URL needing escapes is escaped. */
	j.result_bytes = -1;
	j.result_overflow = false;
	j.result_type = "text/csv;header=present";
	strbuf_reset(sb);
	assert_int_equal(uws_xml_job(sb, &j, "https://h/t?a=1&b=\"2\"", &err), TR_OK);
	save("job-COMPLETED-nosize", sb);
	doc = strbuf_str(sb);
	assert_null(strstr(doc, "size="));
	assert_non_null(strstr(doc, "xlink:href=\"https://h/t?a=1&amp;b=&quot;2&quot;/" ID_A "/results/result\""));
	parse(doc, &p);
	parsed_free(&p);

	/* No result in other phases, even with a stale type recorded. */
	j.phase = UWS_ABORTED;
	strbuf_reset(sb);
	assert_int_equal(uws_xml_results(sb, &j, JOBS_URL, &err), TR_OK);
	save("results-empty", sb);
	assert_non_null(strstr(strbuf_str(sb), "<uws:results xmlns:uws="));
	assert_non_null(strstr(strbuf_str(sb), "/>\n"));
	parse(strbuf_str(sb), &p);
	assert_int_equal(p.n, 1);
	parsed_free(&p);
}

static void test_error_summary(void **state)
{
	strbuf *sb = *state;
	static const struct {
		const char *msg;
		int status;
		const char *type;
		const char *name;
	} cases[] = {
		{ "syntax error at or near \"FORM\" <line 1>", 400, "fatal", "job-ERROR-fatal" },
		{ "database unavailable: cannot connect", 503, "transient", "job-ERROR-transient" },
		{ "the query exceeded its time limit (execution duration 60 s)", 500, "transient", "job-ERROR-timeout" },
		{ "database error 1146: Table 'x' doesn't exist", 500, "fatal", "job-ERROR-db" },
		{ NULL, 500, "fatal", "job-ERROR-nomsg" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		strbuf_reset(sb);
		uws_job j = base_job(UWS_ERROR);
		j.error_msg = cases[i].msg;
		j.error_status = cases[i].status;
		tr_err err = TR_ERR_INIT;
		assert_int_equal(uws_xml_job(sb, &j, JOBS_URL, &err), TR_OK);
		save(cases[i].name, sb);
		const char *doc = strbuf_str(sb);
		char want[96];
		snprintf(want, sizeof want, "<uws:errorSummary type=\"%s\" hasDetail=\"true\">", cases[i].type);
		if (strstr(doc, want) == NULL)
			fail_msg("case %zu: no %s in\n%s", i, want, doc);
		parsed p;
		parse(doc, &p);
		check_order(&p);
		assert_string_equal(text_of(&p, "message"), cases[i].msg ? cases[i].msg : "the job failed");
		assert_true(find(&p, "message") == find(&p, "errorSummary") + 1);
		parsed_free(&p);
	}
}

static void test_job_list(void **state)
{
	strbuf *sb = *state;
	uws_job jobs[3] = { base_job(UWS_COMPLETED), base_job(UWS_EXECUTING), base_job(UWS_PENDING) };
	memcpy(jobs[1].id, ID_B, sizeof jobs[1].id);
	jobs[1].owner = "bob & <eve>";
	jobs[1].run_id = "r\"1\"";
	memcpy(jobs[2].id, "00000000000000000000000000000000", UWS_JOB_ID_LEN + 1);
	jobs[2].creation_ms = 0; /* not known: left out (not nillable) */
	tr_err err = TR_ERR_INIT;
	assert_int_equal(uws_xml_job_list(sb, jobs, 3, JOBS_URL, &err), TR_OK);
	save("jobs", sb);
	const char *doc = strbuf_str(sb);
	assert_non_null(strstr(doc, "<uws:jobs xmlns:uws=\"http://www.ivoa.net/xml/UWS/v1.0\""));
	assert_non_null(strstr(doc, " version=\"1.1\">"));
	assert_non_null(strstr(doc, "<uws:jobref id=\"" ID_A "\" xlink:type=\"simple\" xlink:href=\"" JOBS_URL "/" ID_A "\">"));
	assert_non_null(strstr(doc, "<uws:jobref id=\"" ID_B "\" xlink:type=\"simple\" xlink:href=\"" JOBS_URL "/" ID_B "\">"));
	parsed p;
	parse(doc, &p);
	assert_string_equal(p.names[0], UWS "jobs");
	/* jobref 1: phase, ownerId (nil), creationTime; jobref 2: phase, runId, ownerId, creationTime;
	 * jobref 3: phase, ownerId. */
	static const char *const expect[] = {
		"jobs", "jobref", "phase", "ownerId", "creationTime", "jobref", "phase", "runId", "ownerId",
		"creationTime", "jobref", "phase", "ownerId",
	};
	assert_int_equal(p.n, (int)(sizeof expect / sizeof expect[0]));
	for (int i = 0; i < p.n; i++) {
		char want[96];
		snprintf(want, sizeof want, UWS "%s", expect[i]);
		assert_string_equal(p.names[i], want);
	}
	assert_string_equal(strbuf_str(&p.text[2]), "COMPLETED");
	assert_string_equal(strbuf_str(&p.text[4]), T0_TEXT);
	assert_string_equal(strbuf_str(&p.text[6]), "EXECUTING");
	assert_string_equal(strbuf_str(&p.text[7]), "r\"1\"");
	assert_string_equal(strbuf_str(&p.text[8]), "bob & <eve>");
	assert_string_equal(strbuf_str(&p.text[11]), "PENDING");
	parsed_free(&p);

	strbuf_reset(sb);
	assert_int_equal(uws_xml_job_list(sb, NULL, 0, JOBS_URL, &err), TR_OK);
	save("jobs-empty", sb);
	parse(strbuf_str(sb), &p);
	assert_int_equal(p.n, 1);
	parsed_free(&p);
}

static void test_parameters_empty(void **state)
{
	strbuf *sb = *state;
	uws_job j = base_job(UWS_PENDING);
	j.n_params = 0;
	tr_err err = TR_ERR_INIT;
	assert_int_equal(uws_xml_parameters(sb, &j, &err), TR_OK);
	save("parameters-empty", sb);
	parsed p;
	parse(strbuf_str(sb), &p);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.names[0], UWS "parameters");
	parsed_free(&p);
	strbuf_reset(sb);
	j.n_params = 3;
	assert_int_equal(uws_xml_parameters(sb, &j, &err), TR_OK);
	save("parameters", sb);
	parse(strbuf_str(sb), &p);
	assert_int_equal(p.n, 4);
	parsed_free(&p);
}

/* Bytes the document takes, built without a ceiling. */
static size_t full_size(const uws_job *j, int is_list)
{
	strbuf sb = STRBUF_INIT(0);
	tr_err err = TR_ERR_INIT;
	int rc = is_list ? uws_xml_job_list(&sb, j, 1, JOBS_URL, &err) : uws_xml_job(&sb, j, JOBS_URL, &err);
	assert_int_equal(rc, TR_OK);
	size_t n = strbuf_len(&sb);
	strbuf_free(&sb);
	return n;
}

static void test_out_of_memory(void **state)
{
	(void)state;
	/* Every ceiling below a document's size fails cleanly with TR_ENOMEM; its size is enough. */
	uws_job j = completed_job();
	for (int is_list = 0; is_list < 2; is_list++) {
		size_t need = full_size(&j, is_list);
		for (size_t max = 1; max <= need; max += max + 7 < need ? 7 : 1) {
			strbuf sb = STRBUF_INIT(max);
			tr_err err = TR_ERR_INIT;
			int rc = is_list ? uws_xml_job_list(&sb, &j, 1, JOBS_URL, &err) : uws_xml_job(&sb, &j, JOBS_URL, &err);
			if (max < need) {
				assert_int_equal(rc, TR_ENOMEM);
				assert_int_equal(err.code, TR_ENOMEM);
			} else {
				assert_int_equal(rc, TR_OK);
			}
			strbuf_free(&sb);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_phase, tr_test_strbuf_setup, tr_test_strbuf_teardown),
		cmocka_unit_test_setup_teardown(test_nil_and_optional, tr_test_strbuf_setup, tr_test_strbuf_teardown),
		cmocka_unit_test_setup_teardown(test_hostile_values, tr_test_strbuf_setup, tr_test_strbuf_teardown),
		cmocka_unit_test_setup_teardown(test_completed_with_result, tr_test_strbuf_setup, tr_test_strbuf_teardown),
		cmocka_unit_test_setup_teardown(test_error_summary, tr_test_strbuf_setup, tr_test_strbuf_teardown),
		cmocka_unit_test_setup_teardown(test_job_list, tr_test_strbuf_setup, tr_test_strbuf_teardown),
		cmocka_unit_test_setup_teardown(test_parameters_empty, tr_test_strbuf_setup, tr_test_strbuf_teardown),
		cmocka_unit_test_setup_teardown(test_out_of_memory, tr_test_strbuf_setup, tr_test_strbuf_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
