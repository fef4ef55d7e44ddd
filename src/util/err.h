/* err: the project-wide error value.
 *
 * Functions that can fail return int (TR_OK or a negative TR_E* code) or a pointer (NULL), and take
 * `tr_err *err` last.  The first error recorded wins: later tr_err_set() calls on an error that is
 * already set change nothing, so the deepest, most specific cause reaches the user.
 * Codes are never renumbered; retired ones stay as placeholders.  tr_err_text() and tr_err_http()
 * read one table; tests/unit/test_err.c walks every code. */
#ifndef TR_UTIL_ERR_H
#define TR_UTIL_ERR_H

#include <stddef.h>

typedef enum tr_code {
	TR_OK = 0,
	TR_ENOMEM = -1,          /* out of memory or over a memory limit */
	TR_EINTERNAL = -2,       /* a bug or an unexpected system failure */
	TR_ECONFIG = -3,         /* invalid configuration */
	TR_EDB_UNAVAILABLE = -4, /* the database cannot be reached */
	TR_EDB = -5,             /* the database reported an error running a statement */
	TR_EBADREQ = -6,         /* malformed HTTP request or parameter */
	TR_ENOTFOUND = -7,       /* no such resource */
	TR_EMETHOD = -8,         /* HTTP method not allowed on this resource */
	TR_ELIMIT = -9,          /* a size or count limit was exceeded */
	TR_ESYNTAX = -10,        /* ADQL syntax error */
	TR_ENAME = -11,          /* unknown, ambiguous or misplaced name in ADQL */
	TR_ETYPE = -12,          /* wrong argument count or type in ADQL */
	TR_EUNSUPPORTED = -13,   /* valid ADQL this service or database cannot run */
	TR_ETIMEOUT = -14,       /* the statement exceeded its time limit */
	TR_EIO = -15,            /* reading or writing a file or stream failed */
	TR_EFORBIDDEN = -16,     /* authenticated, but not allowed */
	TR_ECONFLICT = -17,      /* the resource is not in a state that allows this */
	TR_EENCODING = -18,      /* invalid UTF-8 or a forbidden character */
	TR_CODE_MIN = -18        /* the lowest code; update with every new code */
} tr_code;

#define TR_ERR_MSG_MAX 512
#define TR_ERR_DETAIL_MAX 512

typedef struct tr_err {
	int code;                          /* tr_code; TR_OK while unset */
	int http_status;                   /* from the code table unless set explicitly */
	long pos;                          /* byte offset in the query text, -1 if none */
	long len;                          /* bytes of the offending span, 0 if unknown */
	char msg[TR_ERR_MSG_MAX];          /* short, lower case, no final period */
	char detail[TR_ERR_DETAIL_MAX];    /* optional: the rule behind it, a hint */
} tr_err;

#define TR_ERR_INIT { TR_OK, 0, -1, 0, "", "" }

void tr_err_clear(tr_err *err);
/* Records an error unless one is recorded already (err may be NULL).  Returns code, so that
 * `return tr_err_set(err, TR_EBADREQ, -1, 0, "...")` reads naturally. */
int tr_err_set(tr_err *err, int code, long pos, long len, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Adds a detail line to the recorded error (ignored when no error or a detail is already set). */
void tr_err_detail(tr_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int tr_err_isset(const tr_err *err) { return err->code != TR_OK; }

/* Short text of a code ("syntax error") and its HTTP status (400, 500, 503 ...). */
const char *tr_err_text(int code);
int tr_err_http(int code);

/* 1-based line and column (in characters, counting UTF-8 sequences once) of byte offset pos. */
void tr_err_linecol(const char *text, size_t pos, int *out_line, int *out_col);

#endif
