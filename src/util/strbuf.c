#include <config.h> /* autoconf; "config.h" here would be util/config.h */

#include "util/strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Doubling up to this size, then linear growth by the same step: large buffers do not overshoot
 * their real need by half their size. */
#define STRBUF_DOUBLE_LIMIT ((size_t)1024 * 1024)
#define STRBUF_MIN_CAP 64

void strbuf_init(strbuf *sb, size_t max)
{
	sb->data = NULL;
	sb->len = sb->cap = 0;
	sb->max = max;
	sb->failed = 0;
}

void strbuf_free(strbuf *sb)
{
	free(sb->data);
	strbuf_init(sb, sb->max);
}

void strbuf_reset(strbuf *sb)
{
	sb->len = 0;
	sb->failed = 0;
	if (sb->data)
		sb->data[0] = '\0';
}

static size_t ceiling(const strbuf *sb) { return sb->max ? sb->max : STRBUF_DEFAULT_MAX; }

/* Ensures room for n more bytes plus the terminator; sets the sticky error otherwise. */
static int grow(strbuf *sb, size_t n)
{
	if (sb->failed)
		return -1;
	if (n > ceiling(sb) || sb->len > ceiling(sb) - n) {
		sb->failed = 1;
		return -1;
	}
	size_t need = sb->len + n + 1;
	if (need <= sb->cap)
		return 0;
	size_t cap = sb->cap ? sb->cap : STRBUF_MIN_CAP;
	while (cap < need)
		cap = cap < STRBUF_DOUBLE_LIMIT ? cap * 2 : cap + STRBUF_DOUBLE_LIMIT;
	char *p = realloc(sb->data, cap);
	if (p == NULL) {
		sb->failed = 1;
		return -1;
	}
	sb->data = p;
	sb->cap = cap;
	return 0;
}

void strbuf_add(strbuf *sb, const void *p, size_t n)
{
	if (grow(sb, n) < 0)
		return;
	if (n)
		memcpy(sb->data + sb->len, p, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
}

void strbuf_puts(strbuf *sb, const char *s) { strbuf_add(sb, s, strlen(s)); }

void strbuf_putc(strbuf *sb, char c) { strbuf_add(sb, &c, 1); }

char *strbuf_reserve(strbuf *sb, size_t n)
{
	if (grow(sb, n) < 0)
		return NULL;
	return sb->data + sb->len;
}

void strbuf_commit(strbuf *sb, size_t n)
{
	if (sb->failed)
		return;
	sb->len += n;
	sb->data[sb->len] = '\0';
}

void strbuf_vprintf(strbuf *sb, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		sb->failed = 1;
		return;
	}
	char *dst = strbuf_reserve(sb, (size_t)n);
	if (dst == NULL)
		return;
	vsnprintf(dst, (size_t)n + 1, fmt, ap);
	strbuf_commit(sb, (size_t)n);
}

void strbuf_printf(strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strbuf_vprintf(sb, fmt, ap);
	va_end(ap);
}
