/* uws/uws_xml: the UWS 1.1 job, job list, results and parameters documents (uws/uws_xml.h).
 *
 * Pure formatting from a uws_job: no database, no I/O.  Every text and attribute value goes
 * through xml_escape / xml_escape_attr, so hostile parameters (markup, NUL, invalid UTF-8) cannot
 * break the document.  Element order and nillability follow UWS-v1.1.xsd (UWS 1.1 REC 2016-10-24,
 * §2.2.1 and Appendix A); tests/integration/uws_xml.sh validates the output against it. */
#include <config.h> /* autoconf; "config.h" here would be util/config.h */

#include "uws/uws_xml.h"

#include "out/xml.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

/* UWS 1.1 keeps the 1.0 namespace; the version attribute on job and jobs says 1.1. */
#define UWS_NS "http://www.ivoa.net/xml/UWS/v1.0"
#define XLINK_NS "http://www.w3.org/1999/xlink"
#define XSI_NS "http://www.w3.org/2001/XMLSchema-instance"
#define UWS_VERSION "1.1"

static void put_text(strbuf *sb, const char *s) { xml_escape(sb, s, strlen(s)); }
static void put_attr(strbuf *sb, const char *s) { xml_escape_attr(sb, s, strlen(s)); }

/* The document's start: declaration and root element root with the namespaces and version.  The
 * results and parameters documents need neither xsi nor a version (the schema gives them none). */
static void put_root(strbuf *sb, const char *root, int is_versioned)
{
	strbuf_puts(sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	strbuf_printf(sb, "<uws:%s xmlns:uws=\"" UWS_NS "\" xmlns:xlink=\"" XLINK_NS "\"", root);
	if (is_versioned)
		strbuf_puts(sb, " xmlns:xsi=\"" XSI_NS "\" version=\"" UWS_VERSION "\"");
}

static void put_element(strbuf *sb, const char *indent, const char *name, const char *text)
{
	strbuf_printf(sb, "%s<uws:%s>", indent, name);
	put_text(sb, text);
	strbuf_printf(sb, "</uws:%s>\n", name);
}

static void put_nil(strbuf *sb, const char *indent, const char *name)
{
	strbuf_printf(sb, "%s<uws:%s xsi:nil=\"true\"/>\n", indent, name);
}

/* A time, or xsi:nil when unset (0) for the elements that allow it. */
static void put_time(strbuf *sb, const char *indent, const char *name, int64_t ms)
{
	if (ms == 0) {
		put_nil(sb, indent, name);
		return;
	}
	char buf[UWS_TIME_BUF];
	put_element(sb, indent, name, uws_time_format(ms, buf));
}

/* ownerId is nillable and, in a job, required: anonymous jobs say so with nil (UWS 1.1, Owner). */
static void put_owner(strbuf *sb, const char *indent, const char *owner)
{
	if (owner)
		put_element(sb, indent, "ownerId", owner);
	else
		put_nil(sb, indent, "ownerId");
}

static int finish(strbuf *sb, const char *what, tr_err *err)
{
	if (strbuf_failed(sb))
		return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory writing the %s document", what);
	return TR_OK;
}

/* ---- pieces shared by the job document and its children ---------------------------------------- */

static void put_parameters(strbuf *sb, const char *indent, const uws_job *job)
{
	for (size_t i = 0; i < job->n_params; i++) {
		const uws_param *p = &job->params[i];
		strbuf_printf(sb, "%s<uws:parameter id=\"", indent);
		put_attr(sb, p->name ? p->name : "");
		strbuf_puts(sb, p->is_reference ? "\" byReference=\"true\">" : "\">");
		/* Bytes that are not XML characters (NUL, C0 controls, invalid UTF-8) become U+FFFD here;
		 * the job itself runs with the exact bytes stored. */
		if (p->value)
			xml_escape(sb, p->value, p->value_len);
		strbuf_puts(sb, "</uws:parameter>\n");
	}
}

static bool has_result(const uws_job *job) { return job->phase == UWS_COMPLETED && job->result_type != NULL; }

static void put_results(strbuf *sb, const char *indent, const uws_job *job, const char *jobs_url)
{
	if (!has_result(job))
		return;
	/* TAP 1.1: the one result of a query job is JOB/results/result. */
	strbuf_printf(sb, "%s<uws:result id=\"result\" xlink:type=\"simple\" xlink:href=\"", indent);
	put_attr(sb, jobs_url);
	strbuf_puts(sb, "/");
	put_attr(sb, job->id);
	strbuf_puts(sb, "/results/result\" mime-type=\"");
	put_attr(sb, job->result_type);
	strbuf_puts(sb, "\"");
	if (job->result_bytes >= 0)
		strbuf_printf(sb, " size=\"%" PRId64 "\"", job->result_bytes);
	strbuf_puts(sb, "/>\n");
}

/* Transient (UWS 1.1, Error Summary: trying again later may succeed) when the database was unavailable
 * (503) or the statement ran out of time: both depend on the load at the time, not on the query.
 * A time limit has no status of its own (500, as in /sync), so its message tells it apart: the
 * text every time-limit error starts with (db/cursor.c, uws/executor.c). */
#define UWS_TIME_LIMIT_TEXT "the query exceeded its time limit"

static const char *error_type(const uws_job *job)
{
	if (job->error_status == 503)
		return "transient";
	if (job->error_msg && strncmp(job->error_msg, UWS_TIME_LIMIT_TEXT, sizeof UWS_TIME_LIMIT_TEXT - 1) == 0)
		return "transient";
	return "fatal";
}

/* ---- documents --------------------------------------------------------------------------------- */

int uws_xml_job(strbuf *sb, const uws_job *job, const char *jobs_url, tr_err *err)
{
	static const char in[] = "  ";
	put_root(sb, "job", 1);
	strbuf_puts(sb, ">\n");
	put_element(sb, in, "jobId", job->id);
	if (job->run_id) /* optional and not nillable: absent when the client gave none */
		put_element(sb, in, "runId", job->run_id);
	put_owner(sb, in, job->owner);
	put_element(sb, in, "phase", uws_phase_name(job->phase));
	/* We cannot predict when a queued job will finish: "don't know" is nil (UWS 1.1, Quote). */
	put_nil(sb, in, "quote");
	if (job->creation_ms) /* optional, not nillable; every stored job has one */
		put_time(sb, in, "creationTime", job->creation_ms);
	put_time(sb, in, "startTime", job->start_ms);
	put_time(sb, in, "endTime", job->end_ms);
	strbuf_printf(sb, "%s<uws:executionDuration>%d</uws:executionDuration>\n", in, job->execution_duration);
	put_time(sb, in, "destruction", job->destruction_ms);
	if (job->n_params) {
		strbuf_printf(sb, "%s<uws:parameters>\n", in);
		put_parameters(sb, "    ", job);
		strbuf_printf(sb, "%s</uws:parameters>\n", in);
	} else {
		strbuf_printf(sb, "%s<uws:parameters/>\n", in);
	}
	if (has_result(job)) {
		strbuf_printf(sb, "%s<uws:results>\n", in);
		put_results(sb, "    ", job, jobs_url);
		strbuf_printf(sb, "%s</uws:results>\n", in);
	} else {
		strbuf_printf(sb, "%s<uws:results/>\n", in);
	}
	if (job->phase == UWS_ERROR) {
		/* The full error is a VOTable at JOB/error (TAP 1.1, DALI error document): hence hasDetail. */
		strbuf_printf(sb, "%s<uws:errorSummary type=\"%s\" hasDetail=\"true\">\n", in, error_type(job));
		put_element(sb, "    ", "message", job->error_msg ? job->error_msg : "the job failed");
		strbuf_printf(sb, "%s</uws:errorSummary>\n", in);
	}
	/* No jobInfo: the row count and overflow are in the result itself, and pyvo (1.4) warns about
	 * any jobInfo content on every job it reads. */
	strbuf_puts(sb, "</uws:job>\n");
	return finish(sb, "job", err);
}

int uws_xml_job_list(strbuf *sb, const uws_job *jobs, size_t n, const char *jobs_url, tr_err *err)
{
	put_root(sb, "jobs", 1);
	strbuf_puts(sb, ">\n");
	for (size_t i = 0; i < n; i++) {
		const uws_job *job = &jobs[i];
		strbuf_puts(sb, "  <uws:jobref id=\"");
		put_attr(sb, job->id);
		strbuf_puts(sb, "\" xlink:type=\"simple\" xlink:href=\"");
		put_attr(sb, jobs_url);
		strbuf_puts(sb, "/");
		put_attr(sb, job->id);
		strbuf_puts(sb, "\">\n");
		/* ShortJobDescription: phase, runId?, ownerId?, creationTime? in this order. */
		put_element(sb, "    ", "phase", uws_phase_name(job->phase));
		if (job->run_id)
			put_element(sb, "    ", "runId", job->run_id);
		put_owner(sb, "    ", job->owner);
		if (job->creation_ms)
			put_time(sb, "    ", "creationTime", job->creation_ms);
		strbuf_puts(sb, "  </uws:jobref>\n");
	}
	strbuf_puts(sb, "</uws:jobs>\n");
	return finish(sb, "job list", err);
}

int uws_xml_results(strbuf *sb, const uws_job *job, const char *jobs_url, tr_err *err)
{
	put_root(sb, "results", 0);
	if (has_result(job)) {
		strbuf_puts(sb, ">\n");
		put_results(sb, "  ", job, jobs_url);
		strbuf_puts(sb, "</uws:results>\n");
	} else {
		strbuf_puts(sb, "/>\n");
	}
	return finish(sb, "results", err);
}

int uws_xml_parameters(strbuf *sb, const uws_job *job, tr_err *err)
{
	put_root(sb, "parameters", 0);
	if (job->n_params) {
		strbuf_puts(sb, ">\n");
		put_parameters(sb, "  ", job);
		strbuf_puts(sb, "</uws:parameters>\n");
	} else {
		strbuf_puts(sb, "/>\n");
	}
	return finish(sb, "parameters", err);
}
