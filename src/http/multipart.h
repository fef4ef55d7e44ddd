/* multipart: a streaming multipart/form-data parser (RFC 7578 on the RFC 2046 §5.1 framing).
 *
 * Fed chunks of any size, down to one byte; part content goes to the caller's callbacks as it
 * arrives and is never re-buffered, only a part's header block is held (up to a limit).  It does not
 * decide what a part means: text fields, upload files and their storage belong to the callers
 * (http_request_read_multipart below, the upload module).  Memory comes from the caller's arena. */
#ifndef TR_HTTP_MULTIPART_H
#define TR_HTTP_MULTIPART_H

#include "http/request.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/io.h"

#include <stddef.h>

/* Characters of a boundary (RFC 2046 §5.1.1: 1 to 70 characters of bchars, not ending in a space). */
#define MULTIPART_BOUNDARY_MAX 70

/* Parts in one body, when multipart_limits.max_parts is 0.  A TAP request has at most seven text
 * parameters plus one part per uploaded table; 64 leaves room for many uploads and for browser forms
 * while bounding the per-part work (header parsing, callbacks) a hostile body can cause. */
#define MULTIPART_DEFAULT_MAX_PARTS 64

/* Bytes of one part's header block (blank line included), when multipart_limits.max_header_bytes
 * is 0.  Real parts carry a Content-Disposition and a Content-Type of ~200 bytes; 8 KiB allows long
 * UTF-8 file names and matches the per-header limits of common web servers.  The parser holds one
 * block at a time, so this is also its memory use beyond a few dozen bytes of state. */
#define MULTIPART_DEFAULT_HEADER_BYTES ((size_t)8 * 1024)

/* Bytes of a whole body (preamble, parts, epilogue), when multipart_limits.max_body_bytes is 0.
 * Callers pass the operator's upload limit from the configuration; 64 MiB is the fallback, about
 * half a million rows of a small VOTable, far more than text parameters ever need. */
#define MULTIPART_DEFAULT_BODY_BYTES (64LL * 1024 * 1024)

/* Bytes read from the source per call by http_request_read_multipart(): large reads keep the
 * per-call cost (FastCGI framing, callbacks) negligible; the buffer comes from the arena. */
#define MULTIPART_READ_CHUNK ((size_t)64 * 1024)

typedef struct multipart_limits {
	size_t max_parts;          /* parts per body; 0 = MULTIPART_DEFAULT_MAX_PARTS */
	size_t max_header_bytes;   /* bytes of one part's header block; 0 = MULTIPART_DEFAULT_HEADER_BYTES */
	long long max_body_bytes;  /* bytes of the whole body; 0 = MULTIPART_DEFAULT_BODY_BYTES */
} multipart_limits;

/* One part, as its headers describe it.  The strings live in the parser's header buffer: valid
 * from the part's begin callback until its end callback returns (copy what must outlive that). */
typedef struct multipart_part {
	const char *name;          /* Content-Disposition name, decoded, never empty, no NUL bytes */
	const char *filename;      /* Content-Disposition filename, decoded; NULL when absent */
	const char *content_type;  /* the part's Content-Type as sent, trimmed; "" when absent */
	size_t index;              /* 0 for the first part */
} multipart_part;

/* Callbacks return TR_OK, or a negative code after recording the reason in err: the parser then
 * stops, and the same code comes back from multipart_feed() or multipart_finish().  on_part_data
 * gets the content in pieces of any size (possibly empty parts get no data call at all); content
 * bytes are exact, NULs and CRLFs included.  Any callback may be NULL.  After an error no callback
 * runs again: a part that began gets no end call, so whatever a callback holds (a temporary file)
 * must be released by the arena's cleanups (arena_on_destroy), as on every other error path. */
typedef struct multipart_callbacks {
	int (*on_part_begin)(void *ctx, const multipart_part *part, tr_err *err);
	int (*on_part_data)(void *ctx, const multipart_part *part, const char *p, size_t n, tr_err *err);
	int (*on_part_end)(void *ctx, const multipart_part *part, tr_err *err);
} multipart_callbacks;

typedef struct multipart_parser multipart_parser;

/* True when a Content-Type value names multipart/form-data (media type case-insensitive, RFC 9110
 * §8.3.1; parameters not looked at). */
int multipart_is_form_data(const char *content_type);

/* The boundary parameter of a multipart/form-data Content-Type value (token or quoted-string),
 * checked against RFC 2046 §5.1.1: 1..MULTIPART_BOUNDARY_MAX characters of bchars, no trailing
 * space.  Stores a NUL-terminated copy in the arena.  Errors: TR_EBADREQ for another media type, a
 * missing, repeated or invalid boundary, malformed parameters; TR_ENOMEM. */
int multipart_parse_boundary(arena *a, const char *content_type, const char **out_boundary, tr_err *err)
	__attribute__((warn_unused_result));

/* A parser for a body of that Content-Type.  lim may be NULL (all defaults); cb and ctx are kept.
 * NULL on error (see multipart_parse_boundary; TR_ENOMEM). */
multipart_parser *multipart_create(arena *a, const char *content_type, const multipart_limits *lim,
                                   const multipart_callbacks *cb, void *ctx, tr_err *err)
	__attribute__((warn_unused_result));

/* Parses the next n bytes.  Errors are sticky (every later call returns the same code):
 * TR_EBADREQ for a malformed body (boundary line not followed by CRLF or "--", part headers that
 * are not CRLF-terminated lines, missing or malformed Content-Disposition, unsupported
 * Content-Transfer-Encoding), TR_ELIMIT over a limit, or a callback's code.  Bytes after the
 * closing boundary (the epilogue) are counted against max_body_bytes and ignored. */
int multipart_feed(multipart_parser *p, const char *data, size_t n, tr_err *err)
	__attribute__((warn_unused_result));

/* Ends the body.  TR_EBADREQ "truncated multipart body" unless the closing boundary was seen. */
int multipart_finish(multipart_parser *p, tr_err *err) __attribute__((warn_unused_result));

/* Parts begun so far (for tests and logs). */
size_t multipart_n_parts(const multipart_parser *p);

/* What the file callback of http_request_read_multipart() is told. */
typedef enum multipart_event {
	MULTIPART_PART_BEGIN, /* a part with a filename starts; p, n unused */
	MULTIPART_PART_DATA,  /* p[0..n) are its next content bytes */
	MULTIPART_PART_END,   /* its content is complete */
} multipart_event;

/* Receives the parts that have a filename (uploads); returns TR_OK or a negative code (set err). */
typedef int multipart_file_fn(void *ctx, multipart_event ev, const multipart_part *part, const char *p,
                              size_t n, tr_err *err);

/* Reads a multipart/form-data body from the source in MULTIPART_READ_CHUNK reads.  Parts without a
 * filename become parameters appended to r->params in order (names and values in the arena; values
 * NUL-terminated, NULs inside kept, see http_param), their values at most HTTP_FORM_MAX bytes in
 * total (TR_ELIMIT).  Parts with a filename go to on_file; when on_file is NULL they are an error
 * (TR_EBADREQ "file parts are not accepted here").  Does nothing and returns TR_OK when the request
 * is not multipart/form-data (urlencoded bodies are http_request_read_form's), without reading.
 * Errors: as multipart_feed/multipart_finish; TR_ELIMIT when Content-Length exceeds the body limit
 * (refused before reading); TR_EIO when the source fails. */
int http_request_read_multipart(http_request *r, arena *a, tr_source body, const multipart_limits *lim,
                                multipart_file_fn *on_file, void *ctx, tr_err *err)
	__attribute__((warn_unused_result));

#endif
