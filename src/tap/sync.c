#include "config.h"

#include "tap/sync.h"

#include "http/multipart.h"
#include "tap/query.h"
#include "util/log.h"

#include <string.h>

static int start_response(void *ctx, const char *content_type)
{
	http_response *resp = ctx;
	http_set_content_type(resp, content_type);
	return resp->failed ? -1 : 0;
}

static int response_write(void *ctx, const char *p, size_t n)
{
	return http_write(ctx, p, n);
}

int tap_read_body_spool(tr_request_ctx *ctx, tap_upload_spool *spool, tr_err *err)
{
	http_request *req = ctx->req;
	if (req->method != HTTP_POST)
		return TR_OK;
	if (!multipart_is_form_data(req->content_type))
		return http_request_read_form(req, ctx->a, ctx->body, err);
	multipart_limits lim = { 0 };
	if (spool == NULL) /* file parts are refused */
		return http_request_read_multipart(req, ctx->a, ctx->body, &lim, NULL, NULL, err);
	tap_upload_limits ulim;
	tap_upload_limits_of(ctx->cfg, &ulim);
	tap_upload_multipart_limits(&ulim, &lim);
	int rc = http_request_read_multipart(req, ctx->a, ctx->body, &lim, tap_upload_spool_file, spool, err);
	if (rc == TR_ELIMIT)
		tr_err_detail(err, "uploaded tables may have %lld bytes together (upload.max_bytes)", ulim.max_bytes);
	return rc;
}


/* TAP 1.1 §2.5.6: the uploaded tables become temporary tables of this worker's session for the
 * request (dropped by the arena's cleanups) and TAP_UPLOAD.name in the query. */
static int load_uploads(tr_request_ctx *ctx, tap_upload_spool *spool, const tap_params *p, tap_query_env *env,
                        tr_err *err)
{
	tap_upload_limits ulim;
	tap_upload_limits_of(ctx->cfg, &ulim);
	tap_upload_item *items;
	size_t n;
	catalog *overlay;
	if (tap_upload_items(spool, ctx->req, ctx->a, &p->uploads, &items, &n, err) < 0 ||
	    tap_upload_load(ctx->db, ctx->a, items, n, &ulim, &overlay, err) < 0)
		return err->code;
	env->uploads = overlay;
	return TR_OK;
}

int tap_sync(tr_request_ctx *ctx)
{
	tr_err err = TR_ERR_INIT;
	tap_params p;
	memset(&p, 0, sizeof p);
	tap_query_env env = {
		.db = ctx->db, .a = ctx->a, .timeout_s = ctx->cfg->query_timeout,
		.request_id = ctx->request_id, .server = "taproom " PACKAGE_VERSION,
	};
	tap_query_output out = { start_response, ctx->resp, { response_write, ctx->resp } };
	tap_params_opts popts = {
		.maxrec_default = ctx->cfg->maxrec_default, .maxrec_limit = ctx->cfg->maxrec_max,
	};
	tap_upload_limits ulim;
	tap_upload_limits_of(ctx->cfg, &ulim);
	tap_upload_spool *spool = tap_upload_spool_new(ctx->a, &ulim, &err);
	int rc = spool ? tap_read_body_spool(ctx, spool, &err) : err.code;
	if (rc == TR_OK)
		rc = tap_params_parse(ctx->req, ctx->a, &popts, &p, &err);
	if (rc == TR_OK) {
		env.cat = catalog_cache_get(ctx->catalogs, ctx->db, &err);
		rc = env.cat ? TR_OK : err.code;
	}
	if (rc == TR_OK && p.uploads.n > 0)
		rc = load_uploads(ctx, spool, &p, &env, &err);
	tap_query_stats stats = { 0 };
	if (rc == TR_OK)
		rc = tap_query_run(&env, &p, &out, &stats, &err);
	if (rc == TR_OK) {
		log_info("query ok: %llu rows%s", (unsigned long long)stats.rows, stats.is_overflow ? " (overflow)" : "");
		return http_flush(ctx->resp);
	}
	if (stats.is_started) {
		/* The document already carries the error (VOTable); CSV and TSV cannot, so the transfer
		 * is cut off for the client to notice. */
		log_warn("query failed after %llu rows: %s", (unsigned long long)stats.rows, err.msg);
		if (stats.is_truncated)
			ctx->resp->is_aborted = 1;
		return http_flush(ctx->resp);
	}
	log_info("query rejected: %s", err.msg);
	http_set_status(ctx->resp, err.http_status ? err.http_status : 500);
	tap_query_write_error(&env, p.query ? &p : NULL, &err, &out);
	return http_flush(ctx->resp);
}
