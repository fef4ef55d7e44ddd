/* fuzz/fuzz_multipart: the multipart/form-data parser (http/multipart.h) on arbitrary bytes, then
 * the TAP parameter rules (tap/params.h) on the fields it yields.
 *
 * Input format (as tests/fuzz/multipart/README and tests/unit/test_multipart.c): the first line, up
 * to the first LF, is the Content-Type value; the rest is the body.  Inputs without an LF are not
 * inputs of this target and are ignored.  Each input runs through:
 *   1. multipart_create / multipart_feed in random-size chunks (one byte at a time for a quarter of
 *      the inputs) / multipart_finish, with callbacks that check the protocol of multipart.h (begin,
 *      data*, end per part; nothing after an error; names non-empty; errors sticky) and may fail on
 *      the n-th call; then, unless a failure was injected, the same body fed whole: the parts, their
 *      content and the result must not depend on how the body was cut;
 *   2. http_request_init over a CGI environment with that Content-Type, http_request_read_multipart
 *      from a source handing out random-size pieces (file parts accepted or refused), then
 *      tap_params_parse on the parameters.
 * Limits, chunk sizes, the failing callback and a failing arena allocation come from a hash of the
 * input.  Results must be TR_OK or a client error (400, 413), TR_ENOMEM only when an allocation was
 * made to fail, and the injected callback code only when it was injected. */
#include <config.h>

#include "http/multipart.h"
#include "http/request.h"
#include "tap/params.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/strbuf.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define fail(what, detail) fuzz_fail("fuzz_multipart", what, detail)

/* The code an injected callback failure returns: one no parser path returns by itself. */
#define INJECTED_CODE TR_ECONFLICT

typedef struct tracker {
	int in_part;            /* between a begin and its end */
	int has_failed;         /* a callback returned an error: no callback may run again */
	size_t n_begun;         /* parts begun: the next part's index */
	unsigned long n_calls;  /* callbacks so far */
	unsigned long fail_at;  /* the call that fails (1-based), 0 = none */
	size_t content;         /* content bytes received */
	size_t body_size;       /* bytes of the body: content can never exceed it */
	strbuf trace;           /* the events, content pieces merged: equal whatever the chunking */
	int is_in_data;         /* the last event was content (the next piece continues it) */
} tracker;

/* Counts a call and returns INJECTED_CODE when it is the one to fail. */
static int tick(tracker *t, tr_err *err)
{
	if (t->has_failed)
		fail("callback", "called after a callback failed");
	if (++t->n_calls == t->fail_at) {
		t->has_failed = 1;
		return tr_err_set(err, INJECTED_CODE, -1, 0, "injected callback failure");
	}
	return TR_OK;
}

static void check_part(const tracker *t, const multipart_part *part)
{
	if (part->name == NULL || part->name[0] == '\0')
		fail("part", "a part without a name");
	if (part->content_type == NULL)
		fail("part", "content_type is NULL");
	if (part->index + 1 != t->n_begun)
		fail("part", "index is not the part's position");
}

static int on_begin(void *ctx, const multipart_part *part, tr_err *err)
{
	tracker *t = ctx;
	if (t->in_part)
		fail("begin", "a part began before the previous one ended");
	t->in_part = 1;
	t->n_begun++;
	check_part(t, part);
	strbuf_printf(&t->trace, "[begin %zu name=%s filename=%s type=%s]", part->index, part->name,
	              part->filename ? part->filename : "(none)", part->content_type);
	t->is_in_data = 0;
	return tick(t, err);
}

static int on_data(void *ctx, const multipart_part *part, const char *p, size_t n, tr_err *err)
{
	tracker *t = ctx;
	if (!t->in_part)
		fail("data", "content outside a part");
	check_part(t, part);
	if (n > t->body_size - t->content)
		fail("data", "more content than body");
	t->content += n;
	if (!t->is_in_data)
		strbuf_puts(&t->trace, "[data]");
	strbuf_add(&t->trace, p, n);
	t->is_in_data = 1;
	return tick(t, err);
}

static int on_end(void *ctx, const multipart_part *part, tr_err *err)
{
	tracker *t = ctx;
	if (!t->in_part)
		fail("end", "a part ended that had not begun");
	check_part(t, part);
	t->in_part = 0;
	strbuf_puts(&t->trace, "[end]");
	t->is_in_data = 0;
	return tick(t, err);
}

static void check_error(const char *what, int rc, const tr_err *err, int is_injected, int may_be_callback)
{
	if (err->code != rc)
		fail(what, "returned a code other than the one err records");
	if (err->msg[0] == '\0')
		fail(what, "failed with an empty message");
	if (rc != TR_EBADREQ && rc != TR_ELIMIT && !(is_injected && rc == TR_ENOMEM) &&
	    !(may_be_callback && rc == INJECTED_CODE))
		fail(what, err->msg);
}

/* Feeds body in pieces of 1 .. max_chunk bytes (0: all at once) through a parser with the tracker's
 * callbacks; returns the result, with every check of the protocol made. */
static int parse_body(arena *a, const char *ct, const uint8_t *body, size_t n, const multipart_limits *lim,
                      size_t max_chunk, uint64_t rng, tracker *t, int is_injected)
{
	static const multipart_callbacks cb = { on_begin, on_data, on_end };
	tr_err err = TR_ERR_INIT;
	multipart_parser *p = multipart_create(a, ct, lim, &cb, t, &err);
	if (p == NULL) {
		check_error("create", err.code, &err, is_injected, 0);
		return err.code;
	}
	int rc = TR_OK;
	for (size_t pos = 0; pos < n && rc == TR_OK;) {
		size_t piece = max_chunk ? 1 + (size_t)(fuzz_next(&rng) % max_chunk) : n;
		if (piece > n - pos)
			piece = n - pos;
		rc = multipart_feed(p, (const char *)body + pos, piece, &err);
		pos += piece;
	}
	if (rc == TR_OK)
		rc = multipart_finish(p, &err);
	if (rc != TR_OK) {
		check_error("feed", rc, &err, is_injected, t->fail_at != 0);
		/* Errors are sticky: the next call fails the same way and calls nothing. */
		tr_err again = TR_ERR_INIT;
		if (multipart_feed(p, "x", 1, &again) != rc || multipart_finish(p, &again) != rc)
			fail("feed", "an error that is not sticky");
	} else if (t->in_part) {
		fail("finish", "success with a part that never ended");
	} else if (multipart_n_parts(p) != t->n_begun) {
		fail("parts", "multipart_n_parts disagrees with the begin calls");
	}
	strbuf_printf(&t->trace, "[result %d]", rc);
	return rc;
}

/* 1: the parser itself, fed in random pieces, and (without injected failures, which would strike
 * at other points) compared with the same body fed whole: the events must not depend on chunking. */
static void run_parser(arena *a, const char *ct, const uint8_t *body, size_t n, const multipart_limits *lim,
                       uint64_t h, int is_injected)
{
	unsigned long fail_at = (h >> 24) % 4 == 0 ? 1 + (h >> 26) % 12 : 0;
	tracker t = { 0, 0, 0, 0, fail_at, 0, n, STRBUF_INIT(0), 0 };
	size_t max_chunk = (h >> 8) % 4 == 0 ? 1 : 1 + (size_t)((h >> 10) % 300);
	parse_body(a, ct, body, n, lim, max_chunk, h | 1, &t, is_injected);
	/* A body over max_body_bytes fails at the feed that crosses it, before that feed is parsed, so
	 * the events differ by design (an earlier error may come first in either). */
	int is_over_body = lim && (long long)n > lim->max_body_bytes;
	if (!is_injected && fail_at == 0 && !is_over_body) {
		tracker whole = { 0, 0, 0, 0, 0, 0, n, STRBUF_INIT(0), 0 };
		parse_body(a, ct, body, n, lim, 0, 1, &whole, 0);
		if (strbuf_failed(&t.trace) || strbuf_failed(&whole.trace))
			fail("trace", "out of memory");
		if (strbuf_len(&t.trace) != strbuf_len(&whole.trace) ||
		    memcmp(strbuf_str(&t.trace), strbuf_str(&whole.trace), strbuf_len(&t.trace)) != 0) {
			fprintf(stderr, "in pieces of at most %zu: %s\nwhole: %s\n", max_chunk, strbuf_str(&t.trace),
			        strbuf_str(&whole.trace));
			fail("feed", "the parts differ between the body fed in pieces and fed whole");
		}
		strbuf_free(&whole.trace);
	}
	strbuf_free(&t.trace);
}

typedef struct file_sink {
	size_t n_events;
} file_sink;

static int on_file(void *ctx, multipart_event ev, const multipart_part *part, const char *p, size_t n, tr_err *err)
{
	file_sink *f = ctx;
	(void)err;
	f->n_events++;
	if (part->filename == NULL)
		fail("file", "a part without a filename went to on_file");
	if (ev == MULTIPART_PART_DATA && n > 0 && p == NULL)
		fail("file", "data without bytes");
	return TR_OK;
}

/* 2: the request path the service takes. */
static void run_request(arena *a, const char *ct, const uint8_t *body, size_t n, const multipart_limits *lim,
                        uint64_t h, int is_injected)
{
	char *ct_var = arena_printf(a, "CONTENT_TYPE=%s", ct);
	if (ct_var == NULL) {
		if (!is_injected)
			fail("arena", "out of memory");
		return;
	}
	char cl[64];
	snprintf(cl, sizeof cl, "CONTENT_LENGTH=%zu", n);
	char *envp[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/sync?LANG=ADQL", ct_var, cl, NULL };
	http_request r;
	tr_err err = TR_ERR_INIT;
	int rc = http_request_init(&r, a, envp, "", &err);
	if (rc != TR_OK) {
		check_error("init", rc, &err, is_injected, 0);
		return;
	}
	fuzz_body src_body = { body, n, 0, (h >> 30) & 1 ? 0 : 1 + (size_t)((h >> 31) % 200), h | 1 };
	tr_source src = { fuzz_body_read, &src_body };
	file_sink files = { 0 };
	rc = http_request_read_multipart(&r, a, src, lim, (h >> 40) & 1 ? on_file : NULL, &files, &err);
	if (rc != TR_OK) {
		check_error("read_multipart", rc, &err, is_injected, 0);
		return;
	}
	for (const http_param *p = r.params; p; p = p->next)
		if (p->value[p->value_len] != '\0' || p->name[0] == '\0')
			fail("read_multipart", "a parameter without a name or a terminated value");
	tap_params_opts opts = { 1000, 100000, (int)((h >> 41) & 1) };
	tap_params tp;
	rc = tap_params_parse(&r, a, &opts, &tp, &err);
	if (rc != TR_OK)
		check_error("tap_params", rc, &err, is_injected, 0);
	else if (tp.query == NULL || tp.maxrec > opts.maxrec_limit)
		fail("tap_params", "success without QUERY or with MAXREC over the limit");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	if (nl == NULL)
		return 0;
	uint64_t h = fuzz_hash(data, size);
	arena *a = arena_create(0, 0);
	if (a == NULL)
		fail("arena", "out of memory");
	/* A header value is a C string: it ends at a NUL, as a CGI variable would. */
	size_t ct_len = (size_t)(nl - data);
	char *ct = arena_strndup(a, (const char *)data, ct_len);
	if (ct == NULL)
		fail("arena", "out of memory");
	const uint8_t *body = nl + 1;
	size_t n = size - ct_len - 1;
	/* Tight limits for one input in four, so each limit is crossed in every state. */
	multipart_limits small = { 1 + (h >> 50) % 4, 16 + (h >> 52) % 256, 1 + (long long)((h >> 54) % 2048) };
	const multipart_limits *lim = (h >> 48) % 4 == 0 ? &small : NULL;
	int is_injected = (h >> 44) % 8 == 0;
	if (is_injected)
		arena_fail_after(1 + (h >> 56) % 32);
	run_parser(a, ct, body, n, lim, h, is_injected);
	run_request(a, ct, body, n, lim, h, is_injected);
	arena_fail_after(0);
	arena_destroy(a);
	return 0;
}
