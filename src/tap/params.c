/* tap/params: TAP query parameters (TAP 1.1 §2.7, DALI 1.1 §3) from the request's parameter list.
 *
 * One pass over the list files each known parameter into its slot (checking repeats), then each
 * slot is interpreted.  No I/O and no knowledge of formats, ADQL syntax or upload policy: those
 * belong to the writer, the ADQL front end and the upload module.  The rules and the decisions
 * taken where the standards leave room are listed in params.h. */
#include <config.h> /* autoconf; "config.h" here would be util/config.h */

#include "tap/params.h"

#include "adql/lexer.h"
#include "adql/limits.h"

#include <limits.h>
#include <string.h>
#include <strings.h>

typedef enum param_slot {
	SLOT_REQUEST,
	SLOT_LANG,
	SLOT_QUERY,
	SLOT_FORMAT, /* RESPONSEFORMAT and FORMAT (TAP 1.1 §2.7.3) */
	SLOT_MAXREC,
	SLOT_RUNID,
	SLOT_COUNT_, /* single-valued slots above */
	SLOT_UPLOAD = SLOT_COUNT_, /* accumulating (TAP 1.1 §2.7.6) */
} param_slot;

/* Every parameter name this module reads, as the standards spell it. */
static const struct {
	const char *name;
	param_slot slot;
} known[] = {
	{ "REQUEST", SLOT_REQUEST }, { "LANG", SLOT_LANG },     { "QUERY", SLOT_QUERY },
	{ "RESPONSEFORMAT", SLOT_FORMAT }, { "FORMAT", SLOT_FORMAT }, { "MAXREC", SLOT_MAXREC },
	{ "RUNID", SLOT_RUNID },     { "UPLOAD", SLOT_UPLOAD },
};
#define N_KNOWN (sizeof known / sizeof known[0])

/* LANG values served (TAP 1.1 §2.7.1: "ADQL", optionally with a version as "ADQL-2.0"). */
static const char *const langs[] = { "ADQL", "ADQL-2.0", "ADQL-2.1" };

/* Index in known[] of a parameter name (case-insensitive, DALI 1.1 §3), or -1. */
static int known_index(const char *name)
{
	for (size_t i = 0; i < N_KNOWN; i++)
		if (strcasecmp(name, known[i].name) == 0)
			return (int)i;
	return -1;
}

static int is_ows(char c) { return c == ' ' || c == '\t'; }

static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Bytes a URI may not contain unescaped (RFC 3986 §2): controls, space, DEL. */
static int has_ctl_or_space(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

/* ---- UPLOAD ------------------------------------------------------------------------------------ */

/* s[0..*n) without leading and trailing spaces and tabs. */
static const char *trim(const char *s, size_t *n)
{
	while (*n && is_ows(*s)) {
		s++;
		(*n)--;
	}
	while (*n && is_ows(s[*n - 1]))
		(*n)--;
	return s;
}

static int check_upload_name(const char *name, size_t n, tr_err *err)
{
	if (n == 0)
		return tr_err_set(err, TR_EBADREQ, -1, 0, "UPLOAD entry without a table name");
	if (n > ADQL_MAX_IDENT_BYTES)
		return tr_err_set(err, TR_EBADREQ, -1, 0, "UPLOAD table name \"%.*s...\" is longer than %d bytes", 32, name,
		                  ADQL_MAX_IDENT_BYTES);
	int ok = is_alpha(name[0]);
	for (size_t i = 1; ok && i < n; i++)
		ok = is_alpha(name[i]) || is_digit(name[i]) || name[i] == '_';
	if (!ok) {
		tr_err_set(err, TR_EBADREQ, -1, 0, "UPLOAD table name \"%.*s\" is not an ADQL regular identifier", (int)n,
		           name);
		tr_err_detail(err, "TAP 1.1 §2.7.6: a letter, then letters, digits or '_' (ADQL 2.1 §2.1.2)");
		return TR_EBADREQ;
	}
	if (adql_lex_keyword(name, n) != ADQL_TOK_IDENT)
		return tr_err_set(err, TR_EBADREQ, -1, 0, "UPLOAD table name \"%.*s\" is an ADQL reserved word", (int)n, name);
	return TR_OK;
}

/* Bytes of "scheme:" if uri starts with it (the scheme compared ignoring case, RFC 3986 §3.1),
 * else 0. */
static size_t scheme_len(const char *uri, size_t n, const char *scheme)
{
	size_t len = strlen(scheme);
	return n > len && strncasecmp(uri, scheme, len) == 0 && uri[len] == ':' ? len + 1 : 0;
}

static int check_upload_uri(const char *name, size_t name_len, const char *uri, size_t n, tap_upload *out,
                            tr_err *err)
{
	if (n == 0)
		return tr_err_set(err, TR_EBADREQ, -1, 0, "UPLOAD table %.*s has no URI", (int)name_len, name);
	if (has_ctl_or_space(uri, n))
		return tr_err_set(err, TR_EBADREQ, -1, 0, "UPLOAD URI for table %.*s contains a space or control character",
		                  (int)name_len, name);
	size_t s = scheme_len(uri, n, "param");
	if (s) {
		if (n == s)
			return tr_err_set(err, TR_EBADREQ, -1, 0, "UPLOAD URI for table %.*s is \"param:\" without a part name",
			                  (int)name_len, name);
		out->kind = TAP_UPLOAD_PARAM;
		out->part = uri + s; /* in the input; moved with the URI by the caller */
		return TR_OK;
	}
	s = scheme_len(uri, n, "http");
	if (s == 0)
		s = scheme_len(uri, n, "https");
	if (s) {
		size_t host = s + 2, end = host; /* after "//" (RFC 3986 §3.2) */
		while (end < n && uri[end] != '/' && uri[end] != '?' && uri[end] != '#')
			end++;
		if (n < host || uri[s] != '/' || uri[s + 1] != '/' || end == host)
			return tr_err_set(err, TR_EBADREQ, -1, 0, "UPLOAD URL \"%.*s\" for table %.*s has no host",
			                  (int)(n > 64 ? 64 : n), uri, (int)name_len, name);
		out->kind = TAP_UPLOAD_URL;
		return TR_OK;
	}
	size_t colon = 0;
	while (colon < n && (is_alpha(uri[colon]) || (colon > 0 && (is_digit(uri[colon]) || strchr("+-.", uri[colon])))))
		colon++;
	if (colon > 0 && colon < n && uri[colon] == ':') {
		tr_err_set(err, TR_EBADREQ, -1, 0,
		           "unsupported UPLOAD URI scheme \"%.*s\" for table %.*s; use param: or http(s)",
		           (int)(colon > 32 ? 32 : colon), uri, (int)name_len, name);
		tr_err_detail(err, "DALI 1.1 UPLOAD: param:PART names a part of this multipart request");
		return TR_EBADREQ;
	}
	return tr_err_set(err, TR_EBADREQ, -1, 0, "UPLOAD URI \"%.*s\" for table %.*s is not a URI", (int)(n > 64 ? 64 : n),
	                  uri, (int)name_len, name);
}

/* One "name,URI" entry, s[0..n). */
static int upload_entry(tap_uploads *list, arena *a, const char *s, size_t n, tr_err *err)
{
	s = trim(s, &n);
	if (n == 0) {
		tr_err_set(err, TR_EBADREQ, -1, 0, "empty entry in UPLOAD");
		tr_err_detail(err, "TAP 1.1 §2.7.6: UPLOAD=name,URI; several entries are separated by ';'");
		return TR_EBADREQ;
	}
	const char *comma = memchr(s, ',', n);
	if (comma == NULL) {
		tr_err_set(err, TR_EBADREQ, -1, 0, "UPLOAD entry \"%.*s\" is not name,URI", (int)(n > 64 ? 64 : n), s);
		tr_err_detail(err, "TAP 1.1 §2.7.6: UPLOAD=name,URI; several entries are separated by ';'");
		return TR_EBADREQ;
	}
	size_t name_len = (size_t)(comma - s), uri_len = n - name_len - 1;
	const char *name = trim(s, &name_len);
	const char *uri = trim(comma + 1, &uri_len);
	tap_upload up = { NULL, NULL, TAP_UPLOAD_URL, NULL };
	int rc = check_upload_name(name, name_len, err);
	if (rc == TR_OK)
		rc = check_upload_uri(name, name_len, uri, uri_len, &up, err);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < list->n; i++)
		if (strlen(list->items[i].name) == name_len && strncasecmp(list->items[i].name, name, name_len) == 0)
			return tr_err_set(err, TR_EBADREQ, -1, 0, "UPLOAD table name %.*s given twice", (int)name_len, name);
	if (list->n == TAP_UPLOAD_MAX_TABLES)
		return tr_err_set(err, TR_ELIMIT, -1, 0, "more than %d UPLOAD tables", TAP_UPLOAD_MAX_TABLES);
	up.name = arena_strndup(a, name, name_len);
	char *copy = arena_strndup(a, uri, uri_len);
	if (up.name == NULL || copy == NULL)
		return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory reading UPLOAD");
	if (up.part)
		up.part = copy + (up.part - uri);
	up.uri = copy;
	list->items[list->n++] = up;
	return TR_OK;
}

int tap_parse_upload(tap_uploads *list, arena *a, const char *text, size_t len, tr_err *err)
{
	if (memchr(text, '\0', len))
		return tr_err_set(err, TR_EBADREQ, -1, 0, "UPLOAD contains a NUL byte");
	for (size_t i = 0;;) {
		const char *semi = memchr(text + i, ';', len - i);
		size_t end = semi ? (size_t)(semi - text) : len;
		int rc = upload_entry(list, a, text + i, end - i, err);
		if (rc < 0)
			return rc;
		if (semi == NULL)
			return TR_OK;
		i = end + 1;
	}
}

/* ---- the single-valued parameters ------------------------------------------------------------ */

static int parse_maxrec(const http_param *p, const tap_params_opts *opts, tap_params *out, tr_err *err)
{
	long long v = 0;
	int over = 0; /* beyond long long: certainly above the limit */
	for (size_t i = 0; i < p->value_len; i++) {
		char c = p->value[i];
		if (!is_digit(c)) {
			tr_err_set(err, TR_EBADREQ, -1, 0, "MAXREC must be a non-negative integer, not \"%.32s\"", p->value);
			tr_err_detail(err, "DALI 1.1 MAXREC: the maximum number of rows to return; 0 asks for metadata only");
			return TR_EBADREQ;
		}
		if (!over && v > (LLONG_MAX - (c - '0')) / 10)
			over = 1;
		else if (!over)
			v = v * 10 + (c - '0');
	}
	out->has_maxrec = 1;
	out->is_maxrec_clamped = over || v > opts->maxrec_limit;
	out->maxrec = out->is_maxrec_clamped ? opts->maxrec_limit : v;
	return TR_OK;
}

static int parse_lang(const http_param *p, tap_params *out, tr_err *err)
{
	for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++)
		if (strcmp(p->value, langs[i]) == 0) {
			out->lang = langs[i];
			out->has_lang = 1;
			return TR_OK;
		}
	tr_err_set(err, TR_EBADREQ, -1, 0, "unsupported LANG \"%.32s\"; use ADQL", p->value);
	tr_err_detail(err, "TAP 1.1 §2.7.1: this service accepts LANG=ADQL, ADQL-2.0 or ADQL-2.1 (case-sensitive)");
	return TR_EBADREQ;
}

static int same_value(const http_param *a, const http_param *b)
{
	return a->value_len == b->value_len && memcmp(a->value, b->value, a->value_len) == 0;
}

/* A second value for a single-valued slot: fine if equal, an error otherwise. */
static int check_repeat(const http_param *first, int first_known, const http_param *p, int k, tr_err *err)
{
	if (same_value(first, p))
		return TR_OK;
	if (first_known == k)
		tr_err_set(err, TR_EBADREQ, -1, 0, "parameter %s given more than once with different values", known[k].name);
	else
		tr_err_set(err, TR_EBADREQ, -1, 0, "parameters %s and %s given with different values", known[first_known].name,
		           known[k].name);
	tr_err_detail(err, "DALI 1.1 §3: a single-valued parameter takes one value");
	return TR_EBADREQ;
}

int tap_params_parse(const http_request *r, arena *a, const tap_params_opts *opts, tap_params *out, tr_err *err)
{
	memset(out, 0, sizeof *out);
	const http_param *got[SLOT_COUNT_] = { NULL }; /* first non-empty value of each slot */
	int got_known[SLOT_COUNT_] = { 0 };            /* known[] index it came under */
	for (const http_param *p = r->params; p; p = p->next) {
		int k = known_index(p->name);
		if (k < 0 || p->value_len == 0)
			continue; /* not ours (TAP 1.1 §2.7), or blank: as if not given */
		param_slot s = known[k].slot;
		int rc = TR_OK;
		if (s == SLOT_UPLOAD)
			rc = tap_parse_upload(&out->uploads, a, p->value, p->value_len, err);
		else if (got[s])
			rc = check_repeat(got[s], got_known[s], p, k, err);
		else {
			got[s] = p;
			got_known[s] = k;
		}
		if (rc < 0)
			return rc;
	}
	/* QUERY's bytes are the ADQL lexer's to judge (it reports a NUL with its position). */
	for (int s = 0; s < SLOT_COUNT_; s++)
		if (got[s] && s != SLOT_QUERY && memchr(got[s]->value, '\0', got[s]->value_len))
			return tr_err_set(err, TR_EBADREQ, -1, 0, "parameter %s contains a NUL byte", known[got_known[s]].name);

	if (got[SLOT_REQUEST] && strcmp(got[SLOT_REQUEST]->value, "doQuery") != 0) {
		tr_err_set(err, TR_EBADREQ, -1, 0, "unsupported REQUEST \"%.32s\"; use REQUEST=doQuery or leave it out",
		           got[SLOT_REQUEST]->value);
		tr_err_detail(err, "TAP 1.1 removed REQUEST; TAP 1.0 operations other than doQuery have their own endpoints");
		return TR_EBADREQ;
	}
	if (got[SLOT_LANG]) {
		int rc = parse_lang(got[SLOT_LANG], out, err);
		if (rc < 0)
			return rc;
	} else if (opts->is_lang_required) {
		tr_err_set(err, TR_EBADREQ, -1, 0, "missing required parameter LANG");
		tr_err_detail(err, "TAP 1.1 §2.7.1: LANG=ADQL");
		return TR_EBADREQ;
	} else {
		out->lang = langs[0];
	}
	if (got[SLOT_QUERY] == NULL) {
		tr_err_set(err, TR_EBADREQ, -1, 0, "missing required parameter QUERY");
		tr_err_detail(err, "TAP 1.1 §2.7.2: QUERY holds the ADQL query text");
		return TR_EBADREQ;
	}
	out->query = got[SLOT_QUERY]->value;
	out->query_len = got[SLOT_QUERY]->value_len;
	out->responseformat = got[SLOT_FORMAT] ? got[SLOT_FORMAT]->value : NULL;
	out->runid = got[SLOT_RUNID] ? got[SLOT_RUNID]->value : NULL;
	if (got[SLOT_MAXREC])
		return parse_maxrec(got[SLOT_MAXREC], opts, out, err);
	out->maxrec = opts->maxrec_default < opts->maxrec_limit ? opts->maxrec_default : opts->maxrec_limit;
	return TR_OK;
}
