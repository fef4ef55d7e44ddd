/* multipart: streaming multipart/form-data parser (RFC 7578 on the framing of RFC 2046 §5.1).
 *
 * Byte-at-a-time capable: all state lives in struct multipart_parser, so a chunk may end anywhere.
 * Content is never copied: bytes that may start a delimiter are held back only as a count of
 * matched delimiter bytes, and re-emitted from the delimiter itself when the match fails.
 * It must not interpret parts beyond their headers: parameters and uploads are the callers'. */
#include <config.h> /* autoconf; "config.h" here would be util/config.h */

#include "http/multipart.h"

#include "util/strbuf.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

/* "\r\n--" before the boundary: every delimiter but the first starts a line (RFC 2046 §5.1.1). */
#define DELIM_PREFIX "\r\n--"
#define DELIM_PREFIX_LEN 4

typedef enum mp_state {
	MP_PREAMBLE,    /* before the first boundary: bytes ignored while looking for it */
	MP_AFTER_DELIM, /* "--boundary" matched: "--", transport padding or CRLF must follow */
	MP_PADDING,     /* transport padding (spaces, tabs) after a boundary */
	MP_DELIM_LF,    /* the CR ending a boundary line seen: LF must follow */
	MP_CLOSE_DASH,  /* the first '-' of the closing "--" seen */
	MP_HEADERS,     /* collecting a part's header block, up to its blank line */
	MP_CONTENT,     /* in a part's content, looking for the next delimiter */
	MP_EPILOGUE,    /* after the closing boundary: bytes ignored (RFC 2046 §5.1.1) */
	MP_FAILED,      /* an error was reported; every later call fails the same way */
} mp_state;

struct multipart_parser {
	mp_state state;
	char delim[DELIM_PREFIX_LEN + MULTIPART_BOUNDARY_MAX + 1]; /* "\r\n--" boundary, NUL-terminated */
	size_t delim_len;      /* bytes of delim: 5 to 74 */
	size_t match;          /* bytes of delim matched and held back (not yet given as content) */
	char *hdr;             /* the current part's header block; max_header + 1 bytes, arena */
	size_t hdr_len;        /* bytes of hdr in use */
	size_t max_parts;      /* limits, defaults resolved */
	size_t max_header;
	long long max_body;
	long long total;       /* bytes fed so far, preamble and epilogue included */
	size_t n_parts;        /* parts begun */
	int in_part;           /* begin has run for the current part, end not yet */
	int failed;            /* the error code once state is MP_FAILED */
	multipart_part part;   /* the current part; its strings point into hdr */
	multipart_callbacks cb;
	void *ctx;
};

/* ---- Content-Type and Content-Disposition parameters ------------------------------------------ */

static int is_ows(char c) { return c == ' ' || c == '\t'; }

/* True if s[0..n) is word, ignoring ASCII case (header, parameter and type names). */
static int word_eq(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

static void limits_resolve(const multipart_limits *lim, multipart_limits *out)
{
	out->max_parts = lim && lim->max_parts ? lim->max_parts : MULTIPART_DEFAULT_MAX_PARTS;
	out->max_header_bytes = lim && lim->max_header_bytes ? lim->max_header_bytes : MULTIPART_DEFAULT_HEADER_BYTES;
	out->max_body_bytes = lim && lim->max_body_bytes > 0 ? lim->max_body_bytes : MULTIPART_DEFAULT_BODY_BYTES;
}

/* Length of the media type "multipart/form-data" at the start of ct, or 0 if ct names another. */
static size_t form_data_prefix(const char *ct)
{
	static const char type[] = "multipart/form-data";
	const size_t tlen = sizeof type - 1;
	if (strncasecmp(ct, type, tlen) != 0)
		return 0;
	char c = ct[tlen];
	return c == '\0' || c == ';' || is_ows(c) ? tlen : 0;
}

int multipart_is_form_data(const char *content_type)
{
	return form_data_prefix(content_type) != 0;
}

/* Called for each parameter; name is not NUL-terminated, value is (unquoted in place). */
typedef int param_fn(void *ctx, const char *name, size_t name_len, char *value, tr_err *err);

/* Parses `*( OWS ";" OWS [ name OWS "=" OWS value ] )` in place (RFC 9110 §5.6.6, with the
 * whitespace around "=" that MIME headers allow, RFC 2045 §5.1).  A value is a quoted-string or
 * everything up to the next ';' or whitespace (lenient: some clients send boundaries with ':' or
 * '=' unquoted).  In quoted strings, full_pairs selects RFC 9110 quoted-pairs (a backslash escapes
 * any byte); otherwise only \" and \\ are escapes and other backslashes are literal, so Windows paths
 * in file names survive (see decode_form_name).  what names the header in messages. */
static int parse_params(char *s, int full_pairs, const char *what, param_fn *fn, void *ctx, tr_err *err)
{
	int had_semicolon = 0; /* the ';' before the next parameter was consumed with the last value */
	for (;;) {
		if (!had_semicolon) {
			while (is_ows(*s))
				s++;
			if (*s == '\0')
				return TR_OK;
			if (*s != ';')
				return tr_err_set(err, TR_EBADREQ, -1, 0, "malformed %s: expected ';' before \"%.32s\"", what, s);
			s++;
		}
		had_semicolon = 0;
		while (is_ows(*s))
			s++;
		if (*s == ';' || *s == '\0')
			continue; /* an empty parameter */
		const char *name = s;
		while (*s && *s != '=' && *s != ';' && !is_ows(*s))
			s++;
		size_t name_len = (size_t)(s - name);
		while (is_ows(*s))
			s++;
		if (*s != '=')
			return tr_err_set(err, TR_EBADREQ, -1, 0, "malformed %s: parameter \"%.*s\" without a value", what,
			                  (int)(name_len > 32 ? 32 : name_len), name);
		s++;
		while (is_ows(*s))
			s++;
		char *value = s;
		if (*s == '"') {
			char *w = s++;
			for (;;) {
				if (*s == '\0')
					return tr_err_set(err, TR_EBADREQ, -1, 0, "malformed %s: unterminated quoted string", what);
				if (*s == '"')
					break;
				if (*s == '\\' && s[1] != '\0' && (full_pairs || s[1] == '"' || s[1] == '\\'))
					s++;
				*w++ = *s++;
			}
			s++;         /* past the closing quote, which is after w */
			*w = '\0';
		} else {
			while (*s && *s != ';' && !is_ows(*s))
				s++;
			/* The separator's byte becomes the terminator; a ';' is remembered. */
			char sep = *s;
			*s = '\0';
			if (sep != '\0')
				s++;
			had_semicolon = sep == ';';
		}
		int rc = fn(ctx, name, name_len, value, err);
		if (rc < 0)
			return rc;
	}
}

/* RFC 2046 §5.1.1 allows digits, letters, space and '()+_,-./:=?; clients use more (STILTS taplint
 * sends '<' and '>'), and the boundary is only ever compared as bytes, so any printable ASCII but
 * the quote is taken.  Control characters and non-ASCII bytes are still refused. */
static int is_bchar(char c)
{
	return c >= ' ' && c <= '~' && c != '"';
}

typedef struct boundary_ctx {
	const char *boundary; /* NULL until found */
} boundary_ctx;

static int boundary_param(void *vctx, const char *name, size_t name_len, char *value, tr_err *err)
{
	boundary_ctx *b = vctx;
	if (!word_eq(name, name_len, "boundary"))
		return TR_OK; /* charset and others: not ours */
	if (b->boundary)
		return tr_err_set(err, TR_EBADREQ, -1, 0, "multipart/form-data with more than one boundary parameter");
	size_t len = strlen(value);
	if (len == 0 || len > MULTIPART_BOUNDARY_MAX)
		return tr_err_set(err, TR_EBADREQ, -1, 0, "multipart boundary of %zu characters; it must have 1 to %d",
		                  len, MULTIPART_BOUNDARY_MAX);
	for (size_t i = 0; i < len; i++)
		if (!is_bchar(value[i]))
			return tr_err_set(err, TR_EBADREQ, -1, 0, "invalid character 0x%02X in the multipart boundary",
			                  (unsigned)(unsigned char)value[i]);
	if (value[len - 1] == ' ')
		return tr_err_set(err, TR_EBADREQ, -1, 0, "multipart boundary ends in a space");
	b->boundary = value;
	return TR_OK;
}

int multipart_parse_boundary(arena *a, const char *content_type, const char **out_boundary, tr_err *err)
{
	size_t tlen = form_data_prefix(content_type);
	if (tlen == 0)
		return tr_err_set(err, TR_EBADREQ, -1, 0, "Content-Type \"%.64s\" is not multipart/form-data", content_type);
	char *params = arena_strdup(a, content_type + tlen);
	if (params == NULL)
		return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory reading the Content-Type");
	boundary_ctx b = { NULL };
	int rc = parse_params(params, 1, "Content-Type", boundary_param, &b, err);
	if (rc < 0) {
		tr_err_detail(err, "RFC 2046 §5.1.1: a boundary is 1 to 70 characters of digits, letters and '()+_,-./:=? ");
		return rc;
	}
	if (b.boundary == NULL)
		return tr_err_set(err, TR_EBADREQ, -1, 0, "multipart/form-data without a boundary parameter");
	*out_boundary = b.boundary;
	return TR_OK;
}

/* ---- part headers ------------------------------------------------------------------------------ */

/* Undoes the escapes clients apply to field names and file names: %22, %0D and %0A for '"', CR and
 * LF (the HTML form submission algorithm, and curl since 7.81), case-insensitive hex.  No other
 * percent sequence is decoded: browsers leave '%' itself unescaped, so "100%25" may be literal. */
static void decode_form_name(char *s)
{
	char *w = s;
	for (const char *r = s; *r;) {
		if (r[0] == '%' && r[1] == '2' && r[2] == '2') {
			*w++ = '"';
			r += 3;
		} else if (r[0] == '%' && r[1] == '0' && (r[2] == 'D' || r[2] == 'd')) {
			*w++ = '\r';
			r += 3;
		} else if (r[0] == '%' && r[1] == '0' && (r[2] == 'A' || r[2] == 'a')) {
			*w++ = '\n';
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

typedef struct disposition_ctx {
	multipart_part *part;
	int has_name;
	int has_filename;
} disposition_ctx;

static int disposition_param(void *vctx, const char *name, size_t name_len, char *value, tr_err *err)
{
	disposition_ctx *d = vctx;
	int is_name = word_eq(name, name_len, "name");
	int is_filename = word_eq(name, name_len, "filename");
	/* Others, "filename*" included (RFC 7578 §4.2 forbids it), are ignored. */
	if (!is_name && !is_filename)
		return TR_OK;
	int *seen = is_name ? &d->has_name : &d->has_filename;
	if (*seen)
		return tr_err_set(err, TR_EBADREQ, -1, 0, "part %zu: repeated %s in Content-Disposition",
		                  d->part->index + 1, is_name ? "name" : "filename");
	*seen = 1;
	decode_form_name(value);
	if (is_name)
		d->part->name = value;
	else
		d->part->filename = value;
	return TR_OK;
}

static int parse_disposition(multipart_parser *p, char *value, tr_err *err)
{
	/* RFC 7578 §4.2: the disposition type is "form-data", then the parameters. */
	char *s = value;
	while (*s && *s != ';' && !is_ows(*s))
		s++;
	if (!word_eq(value, (size_t)(s - value), "form-data"))
		return tr_err_set(err, TR_EBADREQ, -1, 0, "part %zu: Content-Disposition \"%.*s\" is not form-data",
		                  p->part.index + 1, (int)(s - value > 32 ? 32 : s - value), value);
	disposition_ctx d = { &p->part, 0, 0 };
	return parse_params(s, 0, "Content-Disposition", disposition_param, &d, err);
}

static int is_tchar(char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Which headers a part has had, to refuse repeats. */
typedef struct headers_seen {
	int disposition;
	int type;
} headers_seen;

/* One header line, NUL-terminated in place: "Name: value". */
static int parse_header_line(multipart_parser *p, char *line, headers_seen *seen, tr_err *err)
{
	char *colon = line;
	while (is_tchar(*colon))
		colon++;
	if (*colon != ':' || colon == line)
		return tr_err_set(err, TR_EBADREQ, -1, 0, "part %zu: malformed header line \"%.40s\"", p->part.index + 1, line);
	size_t name_len = (size_t)(colon - line);
	char *value = colon + 1;
	while (is_ows(*value))
		value++;
	char *end = value + strlen(value);
	while (end > value && is_ows(end[-1]))
		end--;
	*end = '\0';
	if (word_eq(line, name_len, "Content-Disposition")) {
		if (seen->disposition++)
			return tr_err_set(err, TR_EBADREQ, -1, 0, "part %zu: more than one Content-Disposition", p->part.index + 1);
		return parse_disposition(p, value, err);
	}
	if (word_eq(line, name_len, "Content-Type")) {
		if (seen->type++)
			return tr_err_set(err, TR_EBADREQ, -1, 0, "part %zu: more than one Content-Type", p->part.index + 1);
		p->part.content_type = value;
		return TR_OK;
	}
	/* RFC 7578 §4.7: senders must not use Content-Transfer-Encoding; an encoded part would be read
	 * as its encoded bytes, so anything but the identity encodings is refused. */
	if (word_eq(line, name_len, "Content-Transfer-Encoding") && strcasecmp(value, "binary") != 0 &&
	    strcasecmp(value, "8bit") != 0 && strcasecmp(value, "7bit") != 0)
		return tr_err_set(err, TR_EBADREQ, -1, 0, "part %zu: Content-Transfer-Encoding \"%.32s\" is not supported",
		                  p->part.index + 1, value);
	return TR_OK;
}

/* Parses the complete header block hdr[0..hdr_len) (CRLF-terminated lines, then CRLF). */
static int parse_headers(multipart_parser *p, tr_err *err)
{
	char *h = p->hdr;
	size_t n = p->hdr_len;
	/* Unfold (RFC 5322 §2.2.3): a CRLF followed by a space or tab continues the line. */
	for (size_t i = 0; i + 2 < n; i++)
		if (h[i] == '\r' && is_ows(h[i + 2]))
			h[i] = h[i + 1] = ' ';
	headers_seen seen = { 0, 0 };
	for (size_t start = 0; start < n;) {
		char *cr = memchr(h + start, '\r', n - start); /* every CR is followed by LF (checked on input) */
		if (cr == h + start)
			break; /* the blank line */
		*cr = '\0';
		int rc = parse_header_line(p, h + start, &seen, err);
		if (rc < 0)
			return rc;
		start = (size_t)(cr - h) + 2;
	}
	if (!seen.disposition)
		return tr_err_set(err, TR_EBADREQ, -1, 0, "part %zu has no Content-Disposition header", p->part.index + 1);
	if (p->part.name == NULL || p->part.name[0] == '\0')
		return tr_err_set(err, TR_EBADREQ, -1, 0, "part %zu has no name", p->part.index + 1);
	return TR_OK;
}

/* ---- the state machine ------------------------------------------------------------------------- */

multipart_parser *multipart_create(arena *a, const char *content_type, const multipart_limits *lim,
                                   const multipart_callbacks *cb, void *ctx, tr_err *err)
{
	const char *boundary;
	if (multipart_parse_boundary(a, content_type, &boundary, err) < 0)
		return NULL;
	multipart_limits l;
	limits_resolve(lim, &l);
	multipart_parser *p = arena_zalloc(a, sizeof *p);
	char *hdr = l.max_header_bytes < SIZE_MAX ? arena_alloc(a, l.max_header_bytes + 1) : NULL; /* + NUL */
	if (p == NULL || hdr == NULL) {
		tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory starting the multipart parser");
		return NULL;
	}
	size_t blen = strlen(boundary);
	memcpy(p->delim, DELIM_PREFIX, DELIM_PREFIX_LEN);
	memcpy(p->delim + DELIM_PREFIX_LEN, boundary, blen + 1);
	p->delim_len = DELIM_PREFIX_LEN + blen;
	/* The first boundary may open the body with no CRLF before it ("[preamble CRLF] dash-boundary",
	 * RFC 2046 §5.1.1): start as if a CRLF had just been read. */
	p->state = MP_PREAMBLE;
	p->match = 2;
	p->hdr = hdr;
	p->max_parts = l.max_parts;
	p->max_header = l.max_header_bytes;
	p->max_body = l.max_body_bytes;
	if (cb)
		p->cb = *cb;
	p->ctx = ctx;
	return p;
}

size_t multipart_n_parts(const multipart_parser *p) { return p->n_parts; }

/* A callback failed: make sure err says something even if the callback did not. */
static int callback_failed(int rc, tr_err *err)
{
	if (!tr_err_isset(err))
		tr_err_set(err, rc, -1, 0, "multipart part handler failed");
	return rc;
}

static int emit(multipart_parser *p, const char *data, size_t n, tr_err *err)
{
	if (p->state != MP_CONTENT || n == 0 || p->cb.on_part_data == NULL)
		return TR_OK;
	int rc = p->cb.on_part_data(p->ctx, &p->part, data, n, err);
	return rc < 0 ? callback_failed(rc, err) : TR_OK;
}

static int end_part(multipart_parser *p, tr_err *err)
{
	if (!p->in_part)
		return TR_OK;
	p->in_part = 0;
	int rc = p->cb.on_part_end ? p->cb.on_part_end(p->ctx, &p->part, err) : TR_OK;
	return rc < 0 ? callback_failed(rc, err) : TR_OK;
}

/* Scans data[*pos..n) for the delimiter (in the preamble or a part's content) and gives content
 * bytes to on_part_data, at most one run per call plus the bytes a failed match carried in from an
 * earlier call.  Returns at the end of the input or right after a complete delimiter (state
 * MP_AFTER_DELIM), with *pos at the next unread byte. */
static int scan_content(multipart_parser *p, const char *data, size_t n, size_t *pos, tr_err *err)
{
	size_t i = *pos, run = i;  /* data[run..) is content not yet given out */
	size_t mstart = i;         /* where the current match began in data (here for one carried in) */
	size_t carried = p->match; /* delimiter bytes matched by earlier calls, not in data */
	int rc;
	while (i < n) {
		if (p->match == 0) {
			const char *cr = memchr(data + i, '\r', n - i);
			if (cr == NULL) {
				i = n;
				break;
			}
			i = (size_t)(cr - data);
			mstart = i++;
			p->match = 1;
		} else if (data[i] == p->delim[p->match]) {
			i++;
			if (++p->match == p->delim_len) {
				rc = emit(p, data + run, mstart - run, err);
				p->match = 0;
				p->state = MP_AFTER_DELIM;
				*pos = i;
				return rc;
			}
		} else {
			/* Not a delimiter: the held bytes were content.  Those matched in data stay in the run;
			 * those carried in are given out from delim itself.  None of their suffixes can start a
			 * delimiter, as only its first byte is a CR; data[i] is looked at again. */
			if (carried && (rc = emit(p, p->delim, carried, err)) < 0)
				return rc;
			carried = 0;
			p->match = 0;
		}
	}
	*pos = n;
	return emit(p, data + run, (p->match ? mstart : n) - run, err);
}

static int bad_boundary_line(multipart_parser *p, tr_err *err)
{
	if (p->n_parts == 0)
		tr_err_set(err, TR_EBADREQ, -1, 0, "malformed multipart boundary line before the first part");
	else
		tr_err_set(err, TR_EBADREQ, -1, 0, "malformed multipart boundary line after part %zu", p->n_parts);
	tr_err_detail(err, "RFC 2046 §5.1.1: a boundary must be followed by CRLF, or by \"--\" at the end");
	return TR_EBADREQ;
}

/* One byte of a boundary line's tail: after "--boundary", before the part headers or epilogue. */
static int boundary_byte(multipart_parser *p, char c, tr_err *err)
{
	switch (p->state) {
	case MP_AFTER_DELIM:
	case MP_PADDING:
		if (c == '-' && p->state == MP_AFTER_DELIM)
			p->state = MP_CLOSE_DASH;
		else if (is_ows(c))
			p->state = MP_PADDING; /* transport padding: receivers must accept it */
		else if (c == '\r')
			p->state = MP_DELIM_LF;
		else
			return bad_boundary_line(p, err);
		return TR_OK;
	case MP_DELIM_LF:
	case MP_CLOSE_DASH: {
		int is_close = p->state == MP_CLOSE_DASH;
		if (c != (is_close ? '-' : '\n'))
			return bad_boundary_line(p, err);
		int rc = end_part(p, err);
		if (rc < 0)
			return rc;
		if (is_close) {
			p->state = MP_EPILOGUE;
			return TR_OK;
		}
		if (p->n_parts >= p->max_parts)
			return tr_err_set(err, TR_ELIMIT, -1, 0, "more than %zu parts in the multipart body", p->max_parts);
		p->hdr_len = 0;
		p->state = MP_HEADERS;
		return TR_OK;
	}
	default:
		return tr_err_set(err, TR_EINTERNAL, -1, 0, "multipart parser in state %d", (int)p->state);
	}
}

/* Collects header bytes from data[*pos..n) until the blank line, then starts the part. */
static int header_bytes(multipart_parser *p, const char *data, size_t n, size_t *pos, tr_err *err)
{
	size_t i = *pos;
	while (i < n) {
		char c = data[i++];
		char prev = p->hdr_len ? p->hdr[p->hdr_len - 1] : '\0';
		if (p->hdr_len == p->max_header)
			return tr_err_set(err, TR_ELIMIT, -1, 0, "part %zu: headers longer than %zu bytes", p->n_parts + 1,
			                  p->max_header);
		/* Header lines end in CRLF exactly (RFC 2046 §5.1.1, RFC 5322 §2.2). */
		if (prev == '\r' && c != '\n')
			return tr_err_set(err, TR_EBADREQ, -1, 0, "part %zu: CR without LF in the part headers", p->n_parts + 1);
		if (c == '\n' && prev != '\r')
			return tr_err_set(err, TR_EBADREQ, -1, 0, "part %zu: LF without CR in the part headers", p->n_parts + 1);
		if (((unsigned char)c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f)
			return tr_err_set(err, TR_EBADREQ, -1, 0, "part %zu: control character 0x%02X in the part headers",
			                  p->n_parts + 1, (unsigned)(unsigned char)c);
		p->hdr[p->hdr_len++] = c;
		if (c != '\n')
			continue;
		if (p->hdr_len == 2 || (p->hdr_len >= 4 && memcmp(p->hdr + p->hdr_len - 4, "\r\n\r\n", 4) == 0)) {
			*pos = i;
			p->hdr[p->hdr_len] = '\0';
			p->part = (multipart_part){ NULL, NULL, "", p->n_parts };
			p->n_parts++;
			int rc = parse_headers(p, err);
			if (rc < 0)
				return rc;
			p->state = MP_CONTENT;
			p->match = 0;
			p->in_part = 1;
			rc = p->cb.on_part_begin ? p->cb.on_part_begin(p->ctx, &p->part, err) : TR_OK;
			return rc < 0 ? callback_failed(rc, err) : TR_OK;
		}
	}
	*pos = n;
	return TR_OK;
}

static int fail(multipart_parser *p, int rc)
{
	p->state = MP_FAILED;
	p->failed = rc;
	return rc;
}

int multipart_feed(multipart_parser *p, const char *data, size_t n, tr_err *err)
{
	if (p->state == MP_FAILED)
		return tr_err_set(err, p->failed, -1, 0, "multipart body already failed");
	if ((long long)n > p->max_body - p->total) {
		tr_err_set(err, TR_ELIMIT, -1, 0, "multipart body longer than %lld bytes", p->max_body);
		return fail(p, TR_ELIMIT);
	}
	p->total += (long long)n;
	size_t i = 0;
	int rc = TR_OK;
	while (i < n && rc == TR_OK) {
		switch (p->state) {
		case MP_PREAMBLE:
		case MP_CONTENT:
			rc = scan_content(p, data, n, &i, err);
			break;
		case MP_HEADERS:
			rc = header_bytes(p, data, n, &i, err);
			break;
		case MP_EPILOGUE:
			i = n;
			break;
		default:
			rc = boundary_byte(p, data[i++], err);
			break;
		}
	}
	return rc < 0 ? fail(p, rc) : TR_OK;
}

int multipart_finish(multipart_parser *p, tr_err *err)
{
	if (p->state == MP_FAILED)
		return tr_err_set(err, p->failed, -1, 0, "multipart body already failed");
	if (p->state == MP_EPILOGUE)
		return TR_OK;
	tr_err_set(err, TR_EBADREQ, -1, 0, "truncated multipart body");
	if (p->state == MP_PREAMBLE)
		tr_err_detail(err, "no boundary line was found (RFC 2046 §5.1.1)");
	else if (p->state == MP_HEADERS)
		tr_err_detail(err, "the body ends in the headers of part %zu (RFC 2046 §5.1.1)", p->n_parts + 1);
	else
		tr_err_detail(err, "the body ends in part %zu, before the closing boundary (RFC 2046 §5.1.1)", p->n_parts);
	return fail(p, TR_EBADREQ);
}

/* ---- the request body as parameters and files ----------------------------------------------- */

typedef struct form_reader {
	http_request *r;
	arena *a;
	multipart_file_fn *on_file;
	void *ctx;
	strbuf value;      /* the current text part's value */
	size_t used;       /* bytes of text values kept so far (HTTP_FORM_MAX in total) */
	int is_file;       /* the current part goes to on_file */
} form_reader;

static int form_begin(void *vctx, const multipart_part *part, tr_err *err)
{
	form_reader *f = vctx;
	f->is_file = part->filename != NULL;
	if (!f->is_file) {
		strbuf_reset(&f->value);
		return TR_OK;
	}
	if (f->on_file == NULL)
		return tr_err_set(err, TR_EBADREQ, -1, 0, "file parts are not accepted here (part \"%.64s\")", part->name);
	return f->on_file(f->ctx, MULTIPART_PART_BEGIN, part, NULL, 0, err);
}

static int form_data(void *vctx, const multipart_part *part, const char *p, size_t n, tr_err *err)
{
	form_reader *f = vctx;
	if (f->is_file)
		return f->on_file(f->ctx, MULTIPART_PART_DATA, part, p, n, err);
	if (n > HTTP_FORM_MAX - f->used - strbuf_len(&f->value))
		return tr_err_set(err, TR_ELIMIT, -1, 0, "form fields longer than %zu bytes in total", HTTP_FORM_MAX);
	strbuf_add(&f->value, p, n);
	if (strbuf_failed(&f->value))
		return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory reading form field \"%.64s\"", part->name);
	return TR_OK;
}

static int form_end(void *vctx, const multipart_part *part, tr_err *err)
{
	form_reader *f = vctx;
	if (f->is_file)
		return f->on_file(f->ctx, MULTIPART_PART_END, part, NULL, 0, err);
	size_t len = strbuf_len(&f->value);
	char *name = arena_strdup(f->a, part->name);
	char *value = arena_alloc(f->a, len + 1);
	if (name == NULL || value == NULL)
		return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory reading form field \"%.64s\"", part->name);
	memcpy(value, strbuf_str(&f->value), len + 1);
	f->used += len;
	return http_request_add_param(f->r, f->a, name, value, len, err);
}

int http_request_read_multipart(http_request *r, arena *a, tr_source body, const multipart_limits *lim,
                                multipart_file_fn *on_file, void *ctx, tr_err *err)
{
	if (!multipart_is_form_data(r->content_type))
		return TR_OK;
	multipart_limits l;
	limits_resolve(lim, &l);
	if (r->content_length > l.max_body_bytes)
		return tr_err_set(err, TR_ELIMIT, -1, 0, "request body longer than %lld bytes", l.max_body_bytes);
	static const multipart_callbacks cb = { form_begin, form_data, form_end };
	form_reader f = { r, a, on_file, ctx, STRBUF_INIT(HTTP_FORM_MAX), 0, 0 };
	multipart_parser *p = multipart_create(a, r->content_type, &l, &cb, &f, err);
	char *buf = p ? arena_alloc(a, MULTIPART_READ_CHUNK) : NULL;
	int rc = TR_OK;
	if (p == NULL)
		rc = err->code;
	else if (buf == NULL)
		rc = tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory reading the request body");
	while (rc == TR_OK) {
		ssize_t n = body.read(body.ctx, buf, MULTIPART_READ_CHUNK);
		if (n < 0)
			rc = tr_err_set(err, TR_EIO, -1, 0, "error reading the request body");
		else if (n == 0)
			break;
		else
			rc = multipart_feed(p, buf, (size_t)n, err);
	}
	if (rc == TR_OK)
		rc = multipart_finish(p, err);
	strbuf_free(&f.value);
	return rc;
}
