/* tap/params: the parameters of a TAP query (TAP 1.1 §2.7, DALI 1.1 §3), read from a request's
 * http_param list into one struct, with every rule about presence, repetition and syntax applied.
 *
 * It does not interpret values that belong to other modules: RESPONSEFORMAT is carried raw to the
 * writer, which maps formats; QUERY goes unchecked to the ADQL lexer, which reports bad bytes with
 * their position; UPLOAD entries are checked for syntax only (the upload module fetches the tables
 * and enforces the operator's policy on URLs).  Everything it returns lives in the request's arena.
 *
 * Decisions, where the standards leave room:
 * - Names are case-insensitive (DALI 1.1 §3), values case-sensitive: LANG=adql is refused with a
 *   message naming ADQL, as TAP 1.1 §2.7.1 defines no other spelling.
 * - An empty value (FORMAT= from a web form's blank field) counts as not given.
 * - Single-valued parameters (all but UPLOAD) given more than once with different values are an
 *   error (DALI "Multiple Values": services must reject multiple values for single-valued
 *   parameters); the same value repeated is one value and accepted.  RESPONSEFORMAT and its TAP 1.1
 *   alias FORMAT are one parameter: both given with different values is an error (TAP 1.1 §2.7.3
 *   leaves it undefined).
 * - REQUEST was removed by TAP 1.1; it stays optional, REQUEST=doQuery (TAP 1.0 clients) is
 *   accepted and any other value is refused: it asks for a TAP 1.0 operation this endpoint does
 *   not perform, and running the query instead would answer a different question.
 * - LANG is required by TAP 1.1 §2.7.1 ("the client must provide a value"); as ADQL is the only
 *   language served, a missing LANG means ADQL unless the caller asks for strictness
 *   (tap_params_opts.is_lang_required).
 * - MAXREC above the service's limit is clamped to it (DALI 1.1 MAXREC: "the service may also
 *   enforce a limit on the value of MAXREC that is smaller than the value in the request"); the
 *   result then overflows at the limit and says so.
 * - Unknown parameters are ignored (TAP 1.1 §2.7: spurious parameters must not cause errors). */
#ifndef TR_TAP_PARAMS_H
#define TR_TAP_PARAMS_H

#include "http/request.h"
#include "util/arena.h"
#include "util/err.h"

#include <stddef.h>

/* Tables in one request's UPLOAD parameters.  Each becomes a temporary table in the worker's
 * database session; 32 is far above real cross-match use and bounds the session's work and the
 * duplicate-name check (quadratic in this number). */
#define TAP_UPLOAD_MAX_TABLES 32

typedef enum tap_upload_kind {
	TAP_UPLOAD_PARAM, /* param:NAME: inline, the multipart part called NAME (DALI 1.1 UPLOAD) */
	TAP_UPLOAD_URL,   /* http:// or https:// URL, fetched by the service (if the operator allows) */
} tap_upload_kind;

typedef struct tap_upload {
	const char *name;     /* table name as given, an ADQL regular identifier: TAP_UPLOAD.name */
	const char *uri;      /* the URI as given */
	tap_upload_kind kind;
	const char *part;     /* TAP_UPLOAD_PARAM: the part name after "param:"; NULL for URLs */
} tap_upload;

typedef struct tap_uploads {
	tap_upload items[TAP_UPLOAD_MAX_TABLES]; /* in the order given */
	size_t n;                                /* entries in use */
} tap_uploads;

/* What the service configuration decides. */
typedef struct tap_params_opts {
	long long maxrec_default; /* rows when MAXREC is not given (clamped to maxrec_limit too) */
	long long maxrec_limit;   /* rows never exceeded, >= 0: larger MAXREC values are clamped */
	int is_lang_required;     /* 1: a missing LANG is an error; 0: it means ADQL */
} tap_params_opts;

typedef struct tap_params {
	const char *lang;          /* "ADQL", "ADQL-2.0" or "ADQL-2.1" as given; "ADQL" when defaulted */
	int has_lang;              /* LANG was given */
	const char *query;         /* QUERY, NUL-terminated; may hold NULs inside (see query_len) */
	size_t query_len;          /* bytes of query */
	const char *responseformat; /* RESPONSEFORMAT or FORMAT as given; NULL = not given (VOTable) */
	long long maxrec;          /* rows to return at most, 0 <= maxrec <= maxrec_limit */
	int has_maxrec;            /* MAXREC was given */
	int is_maxrec_clamped;     /* MAXREC was above maxrec_limit and was lowered to it */
	const char *runid;         /* RUNID as given, NULL when not given; echoed in the result */
	tap_uploads uploads;       /* every UPLOAD parameter's entries, in order */
} tap_params;

/* Reads r's parameters into out (zeroed first).  Errors, all TR_EBADREQ with the parameter named:
 * "missing required parameter QUERY" (and LANG when required), "unsupported LANG 'SQL'; use ADQL",
 * "unsupported REQUEST ...", "MAXREC must be a non-negative integer", a single-valued parameter
 * given with different values, a NUL byte in LANG, REQUEST, RESPONSEFORMAT, MAXREC or RUNID, and
 * tap_parse_upload's errors; TR_ELIMIT over TAP_UPLOAD_MAX_TABLES; TR_ENOMEM. */
int tap_params_parse(const http_request *r, arena *a, const tap_params_opts *opts, tap_params *out, tr_err *err)
	__attribute__((warn_unused_result));

/* Appends the entries of one UPLOAD value to list: "name,URI" pairs separated by ';' (whitespace
 * around names and URIs ignored).  A name is an ADQL regular identifier (a letter, then letters,
 * digits or '_', ADQL 2.1 §2.1.2; not a reserved word; at most ADQL_MAX_IDENT_BYTES) unique in the
 * list ignoring case (TAP 1.1 §2.7.6 leaves duplicates unspecified; they are refused).  A URI is
 * param:PART (PART non-empty, no spaces or control characters) or an http:// or https:// URL with
 * a host (schemes case-insensitive, RFC 3986 §3.1).  Strings are copied into the arena.
 * Errors: TR_EBADREQ (message names the entry), TR_ELIMIT over TAP_UPLOAD_MAX_TABLES, TR_ENOMEM;
 * on error list keeps the entries appended before the bad one. */
int tap_parse_upload(tap_uploads *list, arena *a, const char *text, size_t len, tr_err *err)
	__attribute__((warn_unused_result));

#endif
