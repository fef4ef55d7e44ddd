#include <config.h> /* autoconf; "config.h" here would be util/config.h */

#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
	int code;
	int http;
	const char *text;
} codes[] = {
	{ TR_OK, 200, "ok" },
	{ TR_ENOMEM, 500, "out of memory" },
	{ TR_EINTERNAL, 500, "internal error" },
	{ TR_ECONFIG, 500, "configuration error" },
	{ TR_EDB_UNAVAILABLE, 503, "database unavailable" },
	{ TR_EDB, 500, "database error" },
	{ TR_EBADREQ, 400, "bad request" },
	{ TR_ENOTFOUND, 404, "not found" },
	{ TR_EMETHOD, 405, "method not allowed" },
	{ TR_ELIMIT, 413, "limit exceeded" },
	{ TR_ESYNTAX, 400, "syntax error" },
	{ TR_ENAME, 400, "name error" },
	{ TR_ETYPE, 400, "type error" },
	{ TR_EUNSUPPORTED, 400, "not supported" },
	{ TR_ETIMEOUT, 500, "time limit exceeded" },
	{ TR_EIO, 500, "i/o error" },
	{ TR_EFORBIDDEN, 403, "forbidden" },
	{ TR_ECONFLICT, 409, "conflict" },
	{ TR_EENCODING, 400, "invalid encoding" },
};

static int find(int code)
{
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (codes[i].code == code)
			return (int)i;
	return -1;
}

const char *tr_err_text(int code)
{
	int i = find(code);
	return i < 0 ? "unknown error" : codes[i].text;
}

int tr_err_http(int code)
{
	int i = find(code);
	return i < 0 ? 500 : codes[i].http;
}

void tr_err_clear(tr_err *err)
{
	*err = (tr_err)TR_ERR_INIT;
}

int tr_err_set(tr_err *err, int code, long pos, long len, const char *fmt, ...)
{
	if (err == NULL || err->code != TR_OK)
		return code;
	err->code = code;
	err->http_status = tr_err_http(code);
	err->pos = pos;
	err->len = len;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	err->detail[0] = '\0';
	return code;
}

void tr_err_detail(tr_err *err, const char *fmt, ...)
{
	if (err == NULL || err->code == TR_OK || err->detail[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof err->detail, fmt, ap);
	va_end(ap);
}

void tr_err_linecol(const char *text, size_t pos, int *out_line, int *out_col)
{
	int line = 1, col = 1;
	for (size_t i = 0; i < pos && text[i]; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == '\n') {
			line++;
			col = 1;
		} else if ((c & 0xC0) != 0x80) {
			col++; /* continuation bytes do not start a character */
		}
	}
	*out_line = line;
	*out_col = col;
}
