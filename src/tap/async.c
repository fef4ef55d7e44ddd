#include "config.h"

#include "tap/async.h"

#include "out/writer.h"
#include "tap/sync.h"
#include "tap/upload.h"
#include "tap/vosi_capabilities.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "uws/store.h"
#include "uws/uws_xml.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define XML_TYPE "text/xml; charset=utf-8"
#define TEXT_TYPE "text/plain; charset=utf-8"

/* Names that control the job rather than parameterise the query: never stored as parameters. */
static const char *const control_names[] = { "PHASE", "ACTION", "EXECUTIONDURATION", "DESTRUCTION" };

static int response_write(void *ctx, const char *p, size_t n)
{
	return http_write(ctx, p, n);
}

/* The answer to every failure: a VOTable error document with the error's status. */
static int reply_error(tr_request_ctx *ctx, const tr_err *e)
{
	http_response *resp = ctx->resp;
	int status = e->http_status ? e->http_status : tr_err_http(e->code);
	if (status >= 500)
		log_warn("async: %s", e->msg);
	else
		log_info("async: %s", e->msg);
	http_set_status(resp, status);
	http_set_content_type(resp, OUT_ERROR_CONTENT_TYPE);
	tr_sink sink = { response_write, resp };
	tr_err werr = TR_ERR_INIT;
	if (out_write_error_document(&sink, e->msg, NULL, &werr) < 0)
		return -1;
	return http_flush(resp);
}

static int reply_doc(tr_request_ctx *ctx, const char *type, strbuf *sb)
{
	http_set_content_type(ctx->resp, type);
	int rc = http_write(ctx->resp, strbuf_str(sb), strbuf_len(sb));
	strbuf_free(sb);
	return rc < 0 ? rc : http_flush(ctx->resp);
}

static int reply_text(tr_request_ctx *ctx, const char *text)
{
	http_set_content_type(ctx->resp, TEXT_TYPE);
	if (http_puts(ctx->resp, text) < 0)
		return -1;
	return http_flush(ctx->resp);
}

/* 303 See Other to url (UWS 1.1 §2.2.3: the answer to a successful POST). */
static int reply_redirect(tr_request_ctx *ctx, const char *url)
{
	const char *line = arena_printf(ctx->a, "Location: %s", url);
	if (line == NULL || http_add_header(ctx->resp, line) < 0)
		return -1;
	http_set_status(ctx->resp, 303);
	http_set_content_type(ctx->resp, TEXT_TYPE);
	if (http_printf(ctx->resp, "%s\n", url) < 0)
		return -1;
	return http_flush(ctx->resp);
}

static int oom(tr_err *err)
{
	return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory");
}

static const char *jobs_url(tr_request_ctx *ctx)
{
	const char *base = vosi_base_url(ctx->cfg, ctx->req, ctx->a);
	return base ? arena_printf(ctx->a, "%s/async", base) : NULL;
}

static const char *client_addr(const tr_request_ctx *ctx)
{
	const char *addr = http_request_env(ctx->req, "REMOTE_ADDR");
	return addr && addr[0] ? addr : "-";
}

static const char *owner_of(const tr_request_ctx *ctx)
{
	return ctx->req->remote_user[0] ? ctx->req->remote_user : NULL;
}

/* The single value of a parameter: NULL when absent or empty; an error when given twice with
 * different values (DALI 1.1 §3.1: single-valued). */
static int single_param(const tr_request_ctx *ctx, const char *name, const char **out, tr_err *err)
{
	*out = NULL;
	for (const http_param *p = ctx->req->params; p; p = p->next) {
		if (strcasecmp(p->name, name) != 0 || p->value_len == 0)
			continue;
		if (strlen(p->value) != p->value_len)
			return tr_err_set(err, TR_EBADREQ, -1, 0, "parameter %s holds a NUL byte", name);
		if (*out && strcmp(*out, p->value) != 0)
			return tr_err_set(err, TR_EBADREQ, -1, 0, "parameter %s given more than once with different values",
			                  name);
		*out = p->value;
	}
	return TR_OK;
}

static int parse_int(const char *name, const char *s, long lo, long hi, long *out, tr_err *err)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < lo || v > hi)
		return tr_err_set(err, TR_EBADREQ, -1, 0, "%s must be an integer from %ld to %ld, not '%.64s'", name, lo,
		                  hi, s);
	*out = v;
	return TR_OK;
}

/* UWS 1.1 §2.2.3.4: 0 asks for no limit; the service gives its ceiling. */
static int clamp_duration(const tr_config *cfg, long asked)
{
	return asked <= 0 || asked > cfg->max_execution_duration ? cfg->max_execution_duration : (int)asked;
}

/* ---- the job list ------------------------------------------------------------------------------ */

static int list_filter(tr_request_ctx *ctx, uws_list_filter *f, tr_err *err)
{
	memset(f, 0, sizeof *f);
	f->owner = owner_of(ctx);
	f->client = f->owner ? NULL : client_addr(ctx);
	f->max = ASYNC_LIST_MAX;
	for (const http_param *p = ctx->req->params; p; p = p->next) {
		if (strcasecmp(p->name, "PHASE") == 0) {
			uws_phase ph;
			if (uws_phase_parse(p->value, &ph) < 0)
				return tr_err_set(err, TR_EBADREQ, -1, 0, "PHASE filter: unknown phase '%.32s'", p->value);
			f->phases |= 1u << ph;
		} else if (strcasecmp(p->name, "AFTER") == 0) {
			int64_t ms;
			if (uws_time_parse(p->value, &ms, err) < 0)
				return err->code;
			if (f->after_ms == 0 || ms > f->after_ms)
				f->after_ms = ms; /* several AFTERs: the latest bound (all must hold) */
		} else if (strcasecmp(p->name, "LAST") == 0) {
			long n;
			if (parse_int("LAST", p->value, 1, ASYNC_LIST_MAX, &n, err) < 0)
				return err->code;
			f->last = n;
		}
	}
	return TR_OK;
}

static int list_jobs(tr_request_ctx *ctx)
{
	tr_err err = TR_ERR_INIT;
	uws_list_filter f;
	uws_job *jobs = NULL;
	size_t n = 0;
	const char *url = jobs_url(ctx);
	if (url == NULL)
		oom(&err);
	else if (list_filter(ctx, &f, &err) == TR_OK)
		(void)uws_store_list(ctx->uws, ctx->a, &f, &jobs, &n, &err);
	if (tr_err_isset(&err))
		return reply_error(ctx, &err);
	strbuf sb = STRBUF_INIT(0);
	if (uws_xml_job_list(&sb, jobs, n, url, &err) < 0) {
		strbuf_free(&sb);
		return reply_error(ctx, &err);
	}
	return reply_doc(ctx, XML_TYPE, &sb);
}

/* ---- creating and queueing ---------------------------------------------------------------------- */

/* Refuses to queue one more job over the configured limits (TAP_ELIMIT as 429). */
static int check_limits(tr_request_ctx *ctx, const char *owner, const char *client, tr_err *err)
{
	long n_owner = 0, n_total = 0;
	if (uws_store_count_active(ctx->uws, owner, client, &n_owner, &n_total, err) < 0)
		return err->code;
	int rc = TR_OK;
	if (n_total >= ctx->cfg->max_active_jobs)
		rc = tr_err_set(err, TR_ELIMIT, -1, 0,
		                "the service already has %ld queued or executing jobs, its limit: try again later", n_total);
	else if (n_owner >= ctx->cfg->max_active_jobs_per_owner)
		rc = tr_err_set(err, TR_ELIMIT, -1, 0,
		                "you already have %ld queued or executing jobs, the limit per user: wait for one to "
		                "finish or abort one",
		                n_owner);
	if (rc < 0)
		err->http_status = 429;
	return rc;
}

static bool is_control(const char *name)
{
	for (size_t i = 0; i < sizeof control_names / sizeof control_names[0]; i++)
		if (strcasecmp(name, control_names[i]) == 0)
			return true;
	return false;
}

/* The request's parameters that belong to the job (all but the control ones), in order. */
static int job_params(tr_request_ctx *ctx, uws_param **out, size_t *n, tr_err *err)
{
	size_t count = 0;
	for (const http_param *p = ctx->req->params; p; p = p->next)
		count += !is_control(p->name);
	uws_param *v = count ? arena_alloc(ctx->a, count * sizeof *v) : NULL;
	if (count && v == NULL)
		return oom(err);
	size_t i = 0;
	for (const http_param *p = ctx->req->params; p; p = p->next) {
		if (is_control(p->name))
			continue;
		v[i++] = (uws_param){ .name = p->name, .value = p->value, .value_len = p->value_len };
	}
	*out = v;
	*n = count;
	return TR_OK;
}

/* Reads EXECUTIONDURATION and DESTRUCTION when the creating request gives them. */
static int creation_settings(tr_request_ctx *ctx, uws_job *job, int *destruction_s, tr_err *err)
{
	const char *v;
	job->execution_duration = ctx->cfg->execution_duration;
	*destruction_s = ctx->cfg->destruction;
	if (single_param(ctx, "EXECUTIONDURATION", &v, err) < 0)
		return err->code;
	long n;
	if (v) {
		if (parse_int("EXECUTIONDURATION", v, 0, INT_MAX, &n, err) < 0)
			return err->code;
		job->execution_duration = clamp_duration(ctx->cfg, n);
	}
	if (single_param(ctx, "DESTRUCTION", &v, err) < 0)
		return err->code;
	if (v) {
		int64_t ms;
		if (uws_time_parse(v, &ms, err) < 0)
			return err->code;
		int64_t from_now_s = (ms - (int64_t)time(NULL) * 1000) / 1000;
		if (from_now_s < 1)
			from_now_s = 1;
		*destruction_s = from_now_s > ctx->cfg->max_destruction ? ctx->cfg->max_destruction : (int)from_now_s;
	}
	return TR_OK;
}

/* Reads PHASE from a request that may start a job: *run = 1 for RUN, 0 when absent; ABORT only
 * where allowed. */
static int phase_action(tr_request_ctx *ctx, int *action, tr_err *err)
{
	const char *v;
	*action = 0;
	if (single_param(ctx, "PHASE", &v, err) < 0)
		return err->code;
	if (v == NULL)
		return TR_OK;
	if (strcasecmp(v, "RUN") == 0)
		*action = 'R';
	else if (strcasecmp(v, "ABORT") == 0)
		*action = 'A';
	else
		return tr_err_set(err, TR_EBADREQ, -1, 0, "PHASE must be RUN or ABORT, not '%.32s'", v);
	return TR_OK;
}

/* Reads the body, spooling the file parts that may carry uploaded tables. */
static int read_body(tr_request_ctx *ctx, tap_upload_spool **spool, tr_err *err)
{
	tap_upload_limits lim;
	tap_upload_limits_of(ctx->cfg, &lim);
	*spool = tap_upload_spool_new(ctx->a, &lim, err);
	return *spool ? tap_read_body_spool(ctx, *spool, err) : err->code;
}

/* Copies one uploaded table to the job's file (written aside, then renamed: a half-written copy is
 * never taken for the table). */
static int store_upload(tr_request_ctx *ctx, const char *id, const tap_upload_item *item, tr_err *err)
{
	const char *path = uws_upload_path(ctx->a, ctx->cfg->results_dir, id, item->name);
	const char *part = path ? arena_printf(ctx->a, "%s.part", path) : NULL;
	char *buf = arena_alloc(ctx->a, HTTP_FLUSH_THRESHOLD);
	if (part == NULL || buf == NULL)
		return oom(err);
	int fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0)
		return tr_err_set(err, TR_EIO, -1, 0, "cannot keep the uploaded table %s: %s", item->name, strerror(errno));
	int rc = TR_OK;
	ssize_t got;
	while (rc == TR_OK && (got = item->src.read(item->src.ctx, buf, HTTP_FLUSH_THRESHOLD)) != 0) {
		if (got < 0) {
			rc = tr_err_set(err, TR_EIO, -1, 0, "cannot read the uploaded table %s", item->name);
			break;
		}
		for (ssize_t off = 0; off < got && rc == TR_OK;) {
			ssize_t w = write(fd, buf + off, (size_t)(got - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				rc = tr_err_set(err, TR_EIO, -1, 0, "cannot keep the uploaded table %s: %s", item->name,
				                strerror(errno));
			else
				off += w;
		}
	}
	if (close(fd) < 0 && rc == TR_OK)
		rc = tr_err_set(err, TR_EIO, -1, 0, "cannot keep the uploaded table %s: %s", item->name, strerror(errno));
	if (rc == TR_OK && rename(part, path) < 0)
		rc = tr_err_set(err, TR_EIO, -1, 0, "cannot keep the uploaded table %s: %s", item->name, strerror(errno));
	if (rc < 0)
		unlink(part);
	return rc;
}

/* TAP 1.1 §3, §2.5.6: an async job keeps its uploaded tables with its data until it runs (and
 * until it is destroyed: a re-queued job runs again).  The UPLOAD parameters themselves are stored
 * as given; the executor finds each table at uws_upload_path by its name.  A URL upload (when
 * upload.allow_urls is set) is fetched here, at creation, and kept like an inline one: the job runs
 * on the table as it was when submitted, a 4xx reaches the client at once, and no executor does
 * network I/O. */
static int store_uploads(tr_request_ctx *ctx, const char *id, tap_upload_spool *spool, tr_err *err)
{
	tap_uploads ups;
	memset(&ups, 0, sizeof ups);
	for (const http_param *p = ctx->req->params; p; p = p->next)
		if (strcasecmp(p->name, "UPLOAD") == 0 && tap_parse_upload(&ups, ctx->a, p->value, p->value_len, err) < 0)
			return err->code;
	if (ups.n == 0)
		return TR_OK;
	tap_upload_item *items = NULL;
	size_t n = 0;
	if (tap_upload_items(spool, ctx->req, ctx->a, &ups, &items, &n, err) < 0)
		return err->code;
	const char *dir = uws_job_dir(ctx->a, ctx->cfg->results_dir, id);
	if (dir == NULL)
		return oom(err);
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return tr_err_set(err, TR_EIO, -1, 0, "cannot keep the uploaded tables: %s: %s", dir, strerror(errno));
	for (size_t i = 0; i < n; i++)
		if (store_upload(ctx, id, &items[i], err) < 0)
			return err->code;
	return TR_OK;
}

static int create_job(tr_request_ctx *ctx)
{
	tr_err err = TR_ERR_INIT;
	uws_job job;
	memset(&job, 0, sizeof job);
	int destruction_s = 0, action = 0;
	const char *url = jobs_url(ctx);
	if (url == NULL)
		oom(&err);
	tap_upload_spool *spool = NULL;
	if (url && read_body(ctx, &spool, &err) == TR_OK && phase_action(ctx, &action, &err) == TR_OK &&
	         job_params(ctx, &job.params, &job.n_params, &err) == TR_OK &&
	         creation_settings(ctx, &job, &destruction_s, &err) == TR_OK &&
	         single_param(ctx, "RUNID", &job.run_id, &err) == TR_OK) {
		if (action == 'A')
			tr_err_set(&err, TR_EBADREQ, -1, 0, "a new job cannot be aborted: PHASE must be RUN or absent");
	}
	job.owner = owner_of(ctx);
	job.client = client_addr(ctx);
	job.phase = action == 'R' ? UWS_QUEUED : UWS_PENDING;
	if (!tr_err_isset(&err) && action == 'R')
		check_limits(ctx, job.owner, job.owner ? NULL : job.client, &err);
	if (!tr_err_isset(&err) && uws_job_id_new(job.id, &err) == TR_OK &&
	    store_uploads(ctx, job.id, spool, &err) == TR_OK &&
	    uws_store_create(ctx->uws, &job, destruction_s, &err) == TR_OK) {
		log_info("async: created job %s (%s)", job.id, uws_phase_name(job.phase));
		const char *job_url = arena_printf(ctx->a, "%s/%s", url, job.id);
		return job_url ? reply_redirect(ctx, job_url) : -1;
	}
	if (job.id[0]) {
		/* No job: no files of one either. */
		tr_err ignored = TR_ERR_INIT;
		(void)uws_job_remove_files(ctx->cfg->results_dir, job.id, &ignored);
	}
	return reply_error(ctx, &err);
}

int tap_async_list(tr_request_ctx *ctx)
{
	if (ctx->req->method == HTTP_POST)
		return create_job(ctx);
	return list_jobs(ctx);
}

/* ---- one job ------------------------------------------------------------------------------------ */

typedef struct job_path {
	const char *id;
	const char *child;  /* "" for the job itself, "phase", "results/result" ... */
} job_path;

/* Splits "/async/ID[/CHILD...]"; an id that is not one of ours is 404 before any lookup. */
static int split_path(tr_request_ctx *ctx, job_path *jp, tr_err *err)
{
	const char *rest = ctx->req->path + strlen("/async/");
	const char *slash = strchr(rest, '/');
	size_t idlen = slash ? (size_t)(slash - rest) : strlen(rest);
	char *id = arena_strndup(ctx->a, rest, idlen);
	if (id == NULL)
		return oom(err);
	if (!uws_job_id_is_valid(id))
		return tr_err_set(err, TR_ENOTFOUND, -1, 0, "no such job");
	jp->id = id;
	jp->child = slash ? slash + 1 : "";
	return TR_OK;
}

/* Reads the job and checks the requester may see it (UWS 1.1 §2.1.9 owner). */
static int load_job(tr_request_ctx *ctx, const char *id, uws_job *job, tr_err *err)
{
	if (uws_store_get(ctx->uws, ctx->a, id, job, err) < 0)
		return err->code;
	if (job->owner && strcmp(job->owner, ctx->req->remote_user) != 0)
		return tr_err_set(err, TR_EFORBIDDEN, -1, 0, "job %s belongs to another user", id);
	return TR_OK;
}

static int kill_running(tr_request_ctx *ctx, const char *id, bool was_executing, unsigned long thread_id)
{
	if (!was_executing || thread_id == 0)
		return TR_OK;
	/* The statement runs on the query database under the same account as ours, which may always
	 * kill its own statements, whichever replica started it. */
	tr_err err = TR_ERR_INIT;
	if (db_conn_ensure(ctx->db, &err) < 0 || db_conn_kill_query(ctx->db, thread_id, &err) < 0) {
		log_warn("async: job %s: cannot stop its statement (thread %lu): %s", id, thread_id, err.msg);
		return err.code;
	}
	log_info("async: job %s: killed its statement (thread %lu)", id, thread_id);
	return TR_OK;
}

static int abort_job(tr_request_ctx *ctx, const char *id, tr_err *err)
{
	bool was_executing = false;
	unsigned long thread_id = 0;
	if (uws_store_abort(ctx->uws, id, &was_executing, &thread_id, err) < 0)
		return err->code;
	log_info("async: aborted job %s", id);
	kill_running(ctx, id, was_executing, thread_id);
	return TR_OK;
}

static int delete_job(tr_request_ctx *ctx, const char *id)
{
	tr_err err = TR_ERR_INIT;
	bool was_executing = false;
	unsigned long thread_id = 0;
	const char *url = jobs_url(ctx);
	if (url == NULL)
		return -1;
	if (uws_store_delete(ctx->uws, id, &was_executing, &thread_id, &err) < 0)
		return reply_error(ctx, &err);
	kill_running(ctx, id, was_executing, thread_id);
	if (uws_job_remove_files(ctx->cfg->results_dir, id, &err) < 0)
		log_warn("async: job %s deleted, but its files stay: %s", id, err.msg);
	log_info("async: deleted job %s", id);
	return reply_redirect(ctx, url);
}

static const char *job_url_of(tr_request_ctx *ctx, const char *id)
{
	const char *url = jobs_url(ctx);
	return url ? arena_printf(ctx->a, "%s/%s", url, id) : NULL;
}

/* The answer to a POST that changed the job: its error, or 303 See Other to the job. */
static int reply_posted(tr_request_ctx *ctx, const uws_job *job, const tr_err *err)
{
	if (tr_err_isset(err))
		return reply_error(ctx, err);
	const char *url = job_url_of(ctx, job->id);
	return url ? reply_redirect(ctx, url) : -1;
}

static int run_job(tr_request_ctx *ctx, const uws_job *job, tr_err *err)
{
	if (job->phase == UWS_PENDING && check_limits(ctx, job->owner, job->owner ? NULL : job->client, err) < 0)
		return err->code;
	if (uws_store_run(ctx->uws, job->id, err) < 0)
		return err->code;
	log_info("async: queued job %s", job->id);
	return TR_OK;
}

/* POST PHASE=RUN|ABORT to the job or its phase. */
static int post_phase(tr_request_ctx *ctx, const uws_job *job, int action)
{
	tr_err err = TR_ERR_INIT;
	if (action == 0)
		tr_err_set(&err, TR_EBADREQ, -1, 0, "missing parameter PHASE (RUN or ABORT)");
	else if (action == 'R')
		run_job(ctx, job, &err);
	else
		abort_job(ctx, job->id, &err);
	return reply_posted(ctx, job, &err);
}

/* UWS 1.1 §2.2.1.1 blocking: waits while the job is active and its phase is the one the client
 * names (or the current one), at most WAIT seconds (-1: the service's maximum, async.max_wait).
 * A worker told to stop (SIGTERM is pending) returns at once. */
static int wait_for_change(tr_request_ctx *ctx, uws_job *job, tr_err *err)
{
	const char *wait_s, *phase_s;
	if (single_param(ctx, "WAIT", &wait_s, err) < 0 || single_param(ctx, "PHASE", &phase_s, err) < 0)
		return err->code;
	if (wait_s == NULL)
		return TR_OK;
	long wait;
	if (parse_int("WAIT", wait_s, -1, LONG_MAX / 2000, &wait, err) < 0)
		return err->code;
	if (wait < 0 || wait > ctx->cfg->max_wait)
		wait = ctx->cfg->max_wait;
	uws_phase from = job->phase;
	if (phase_s && uws_phase_parse(phase_s, &from) < 0)
		return tr_err_set(err, TR_EBADREQ, -1, 0, "PHASE: unknown phase '%.32s'", phase_s);
	if (from != job->phase || !(job->phase == UWS_PENDING || job->phase == UWS_QUEUED || job->phase == UWS_EXECUTING))
		return TR_OK;
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	long step_ms = 20;
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		long elapsed_ms = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
		long left_ms = wait * 1000 - elapsed_ms;
		sigset_t pending;
		if (left_ms <= 0 || (sigpending(&pending) == 0 && sigismember(&pending, SIGTERM)))
			break;
		struct timespec ts = { 0, (step_ms < left_ms ? step_ms : left_ms) * 1000000L };
		nanosleep(&ts, NULL);
		step_ms = step_ms * 2 > ASYNC_WAIT_POLL_MS ? ASYNC_WAIT_POLL_MS : step_ms * 2;
		uws_phase ph;
		if (uws_store_phase(ctx->uws, job->id, &ph, err) < 0)
			return err->code;
		if (ph != from)
			break;
	}
	/* Re-read everything: the phase change comes with times and results. */
	char id[UWS_JOB_ID_LEN + 1];
	memcpy(id, job->id, sizeof id);
	return load_job(ctx, id, job, err);
}

static int get_job(tr_request_ctx *ctx, uws_job *job)
{
	tr_err err = TR_ERR_INIT;
	const char *url = jobs_url(ctx);
	if (url == NULL)
		return -1;
	if (wait_for_change(ctx, job, &err) < 0)
		return reply_error(ctx, &err);
	strbuf sb = STRBUF_INIT(0);
	if (uws_xml_job(&sb, job, url, &err) < 0) {
		strbuf_free(&sb);
		return reply_error(ctx, &err);
	}
	return reply_doc(ctx, XML_TYPE, &sb);
}

/* POST to the job itself: ACTION=DELETE, or PHASE=RUN|ABORT (UWS 1.1 §2.2.3.1, §2.2.3.2). */
static int post_job(tr_request_ctx *ctx, const uws_job *job)
{
	tr_err err = TR_ERR_INIT;
	const char *action_s;
	int action = 0;
	if (single_param(ctx, "ACTION", &action_s, &err) < 0 || phase_action(ctx, &action, &err) < 0)
		return reply_error(ctx, &err);
	if (action_s) {
		if (strcasecmp(action_s, "DELETE") != 0) {
			tr_err_set(&err, TR_EBADREQ, -1, 0, "ACTION must be DELETE, not '%.32s'", action_s);
			return reply_error(ctx, &err);
		}
		return delete_job(ctx, job->id);
	}
	return post_phase(ctx, job, action);
}

static int post_duration(tr_request_ctx *ctx, const uws_job *job)
{
	tr_err err = TR_ERR_INIT;
	const char *v;
	long n;
	if (single_param(ctx, "EXECUTIONDURATION", &v, &err) == TR_OK) {
		if (v == NULL)
			tr_err_set(&err, TR_EBADREQ, -1, 0, "missing parameter EXECUTIONDURATION (seconds)");
		else if (parse_int("EXECUTIONDURATION", v, 0, INT_MAX, &n, &err) == TR_OK)
			uws_store_set_execution_duration(ctx->uws, job->id, clamp_duration(ctx->cfg, n), &err);
	}
	return reply_posted(ctx, job, &err);
}

/* UWS 1.1 §2.2.3.3: the service may shorten a requested destruction time; it caps it at
 * async.max_destruction after the job's creation. */
static int post_destruction(tr_request_ctx *ctx, const uws_job *job)
{
	tr_err err = TR_ERR_INIT;
	const char *v;
	int64_t ms;
	if (single_param(ctx, "DESTRUCTION", &v, &err) == TR_OK) {
		if (v == NULL)
			tr_err_set(&err, TR_EBADREQ, -1, 0, "missing parameter DESTRUCTION (an ISO 8601 date and time)");
		else if (uws_time_parse(v, &ms, &err) == TR_OK) {
			int64_t max_ms = job->creation_ms + (int64_t)ctx->cfg->max_destruction * 1000;
			uws_store_set_destruction(ctx->uws, job->id, ms > max_ms ? max_ms : ms, &err);
		}
	}
	return reply_posted(ctx, job, &err);
}

static int post_parameters(tr_request_ctx *ctx, const uws_job *job, tap_upload_spool *spool)
{
	tr_err err = TR_ERR_INIT;
	uws_param *params = NULL;
	size_t n = 0;
	/* Checked here too, before new upload files could replace those of a job that runs. */
	if (job->phase != UWS_PENDING)
		tr_err_set(&err, TR_ECONFLICT, -1, 0, "job %s is %s: its parameters can no longer change", job->id,
		           uws_phase_name(job->phase));
	else if (job_params(ctx, &params, &n, &err) == TR_OK && n > 0 && store_uploads(ctx, job->id, spool, &err) == TR_OK)
		uws_store_set_params(ctx->uws, job->id, params, n, &err);
	return reply_posted(ctx, job, &err);
}

/* Streams the result file (TAP 1.1 §3: /results/result). */
static int get_result(tr_request_ctx *ctx, const uws_job *job)
{
	tr_err err = TR_ERR_INIT;
	if (job->phase != UWS_COMPLETED || job->result_type == NULL) {
		tr_err_set(&err, TR_ENOTFOUND, -1, 0, "job %s has no result: it is %s", job->id, uws_phase_name(job->phase));
		return reply_error(ctx, &err);
	}
	const char *path = uws_result_path(ctx->a, ctx->cfg->results_dir, job->id);
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0) {
		/* Deleted by a concurrent DELETE or the housekeeper, or the shared volume is missing. */
		tr_err_set(&err, errno == ENOENT ? TR_ENOTFOUND : TR_EIO, -1, 0, "the result of job %s cannot be read: %s",
		           job->id, strerror(errno));
		return reply_error(ctx, &err);
	}
	struct stat st;
	if (fstat(fd, &st) == 0) {
		const char *len = arena_printf(ctx->a, "Content-Length: %lld", (long long)st.st_size);
		if (len)
			(void)http_add_header(ctx->resp, len);
	}
	http_set_content_type(ctx->resp, job->result_type);
	char *buf = arena_alloc(ctx->a, HTTP_FLUSH_THRESHOLD);
	int rc = buf ? 0 : -1;
	ssize_t got;
	while (rc == 0 && !ctx->resp->head_only && (got = read(fd, buf, HTTP_FLUSH_THRESHOLD)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			log_warn("async: reading %s: %s", path, strerror(errno));
			ctx->resp->is_aborted = 1;
			rc = -1;
			break;
		}
		rc = http_write(ctx->resp, buf, (size_t)got);
	}
	close(fd);
	return rc < 0 ? rc : http_flush(ctx->resp);
}

/* TAP 1.1 §3: the error of a failed job is a VOTable error document. */
static int get_error(tr_request_ctx *ctx, const uws_job *job)
{
	if (job->phase != UWS_ERROR || job->error_msg == NULL) {
		tr_err err = TR_ERR_INIT;
		tr_err_set(&err, TR_ENOTFOUND, -1, 0, "job %s has no error: it is %s", job->id, uws_phase_name(job->phase));
		return reply_error(ctx, &err);
	}
	http_set_content_type(ctx->resp, OUT_ERROR_CONTENT_TYPE);
	tr_sink sink = { response_write, ctx->resp };
	tr_err err = TR_ERR_INIT;
	if (out_write_error_document(&sink, job->error_msg, NULL, &err) < 0)
		return -1;
	return http_flush(ctx->resp);
}

static int get_time(tr_request_ctx *ctx, int64_t ms)
{
	char buf[UWS_TIME_BUF];
	return reply_text(ctx, ms ? uws_time_format(ms, buf) : "");
}

static int get_child(tr_request_ctx *ctx, uws_job *job, const char *child)
{
	tr_err err = TR_ERR_INIT;
	strbuf sb = STRBUF_INIT(0);
	char num[32];
	if (strcmp(child, "phase") == 0)
		return reply_text(ctx, uws_phase_name(job->phase));
	if (strcmp(child, "executionduration") == 0) {
		snprintf(num, sizeof num, "%d", job->execution_duration);
		return reply_text(ctx, num);
	}
	if (strcmp(child, "destruction") == 0)
		return get_time(ctx, job->destruction_ms);
	if (strcmp(child, "quote") == 0)
		return reply_text(ctx, ""); /* UWS 1.1 §2.1.5: unknown */
	if (strcmp(child, "owner") == 0)
		return reply_text(ctx, job->owner ? job->owner : "");
	if (strcmp(child, "runId") == 0)
		return reply_text(ctx, job->run_id ? job->run_id : "");
	if (strcmp(child, "creationTime") == 0)
		return get_time(ctx, job->creation_ms);
	if (strcmp(child, "startTime") == 0)
		return get_time(ctx, job->start_ms);
	if (strcmp(child, "endTime") == 0)
		return get_time(ctx, job->end_ms);
	if (strcmp(child, "error") == 0)
		return get_error(ctx, job);
	if (strcmp(child, "results/result") == 0)
		return get_result(ctx, job);
	if (strcmp(child, "parameters") == 0 || strcmp(child, "results") == 0) {
		const char *url = jobs_url(ctx);
		int rc = url == NULL ? oom(&err)
		         : child[0] == 'p' ? uws_xml_parameters(&sb, job, &err)
		                           : uws_xml_results(&sb, job, url, &err);
		if (rc < 0) {
			strbuf_free(&sb);
			return reply_error(ctx, &err);
		}
		return reply_doc(ctx, XML_TYPE, &sb);
	}
	tr_err_set(&err, TR_ENOTFOUND, -1, 0, "job %s has no resource '%.64s'", job->id, child);
	return reply_error(ctx, &err);
}

static int post_child(tr_request_ctx *ctx, uws_job *job, const char *child, tap_upload_spool *spool)
{
	tr_err err = TR_ERR_INIT;
	if (strcmp(child, "phase") == 0) {
		int action = 0;
		if (phase_action(ctx, &action, &err) < 0)
			return reply_error(ctx, &err);
		return post_phase(ctx, job, action);
	}
	if (strcmp(child, "executionduration") == 0)
		return post_duration(ctx, job);
	if (strcmp(child, "destruction") == 0)
		return post_destruction(ctx, job);
	if (strcmp(child, "parameters") == 0)
		return post_parameters(ctx, job, spool);
	(void)http_add_header(ctx->resp, "Allow: GET, HEAD");
	tr_err_set(&err, TR_EMETHOD, -1, 0, "'%.64s' of a job cannot be changed with POST", child);
	return reply_error(ctx, &err);
}

int tap_async_job(tr_request_ctx *ctx)
{
	tr_err err = TR_ERR_INIT;
	job_path jp = { NULL, NULL };
	uws_job job;
	if (split_path(ctx, &jp, &err) < 0 || load_job(ctx, jp.id, &job, &err) < 0)
		return reply_error(ctx, &err);
	const char *rid = arena_printf(ctx->a, "%s job=%s", ctx->request_id, jp.id);
	if (rid)
		log_set_request(rid);
	switch (ctx->req->method) {
	case HTTP_DELETE:
		if (jp.child[0] == '\0')
			return delete_job(ctx, jp.id);
		(void)http_add_header(ctx->resp, "Allow: GET, HEAD, POST");
		tr_err_set(&err, TR_EMETHOD, -1, 0, "only the job itself can be deleted");
		return reply_error(ctx, &err);
	case HTTP_POST: {
		tap_upload_spool *spool = NULL;
		if (read_body(ctx, &spool, &err) < 0)
			return reply_error(ctx, &err);
		return jp.child[0] == '\0' ? post_job(ctx, &job) : post_child(ctx, &job, jp.child, spool);
	}
	default:
		return jp.child[0] == '\0' ? get_job(ctx, &job) : get_child(ctx, &job, jp.child);
	}
}
