/* examples: serves the DALI 1.1 §2.3 examples page (TAP 1.1 §2.6).
 *
 * Must not parse or rewrite the page: what the operator wrote is what clients get, byte for byte,
 * so the operator's own checks (xmllint, taplint stage EXA) stay valid.  The built-in page lives in
 * the generated examples_doc.c. */
#include "config.h"

#include "tap/examples.h"

#include "util/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Bytes read from the operator's file per write: a page is a few kilobytes, and the response
 * buffers up to HTTP_FLUSH_THRESHOLD anyway. */
#define EXAMPLES_READ_CHUNK 16384

/* Streams the file at path to the response.  Returns TR_OK, TR_EIO with a message (cannot open or
 * read it: nothing was sent when nothing could be read), or -1 when the client went away. */
static int send_file(http_response *resp, const char *path, tr_err *err)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return tr_err_set(err, TR_EIO, -1, 0, "cannot open examples_file %s: %s", path, strerror(errno));
	char buf[EXAMPLES_READ_CHUNK];
	size_t n;
	int rc = TR_OK;
	while (rc == TR_OK && (n = fread(buf, 1, sizeof buf, f)) > 0)
		if (http_write(resp, buf, n) < 0)
			rc = -1;
	if (rc == TR_OK && ferror(f))
		rc = tr_err_set(err, TR_EIO, -1, 0, "cannot read examples_file %s", path);
	fclose(f);
	return rc;
}

int tap_examples(tr_request_ctx *ctx)
{
	http_response *resp = ctx->resp;
	const char *path = ctx->cfg->examples_file;
	http_set_content_type(resp, EXAMPLES_CONTENT_TYPE);
	if (path == NULL || path[0] == '\0') {
		if (http_write(resp, examples_builtin, examples_builtin_len) < 0)
			return -1;
		return http_flush(resp);
	}
	tr_err err = TR_ERR_INIT;
	int rc = send_file(resp, path, &err);
	if (rc == TR_OK)
		return http_flush(resp);
	if (err.code != TR_EIO)
		return rc;
	log_error("examples: %s", err.msg);
	if (resp->body_bytes > 0) {
		/* Part of the page is out: only a cut-off transfer tells the client. */
		resp->is_aborted = 1;
		return http_flush(resp);
	}
	/* Public message: the path stays in the log. */
	return http_send_text(resp, 500, "the examples document is unavailable");
}
