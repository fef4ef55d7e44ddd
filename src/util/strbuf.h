/* strbuf: growable, binary-safe, always NUL-terminated byte buffer with a per-instance ceiling.
 *
 * Errors are sticky: once an append fails (out of memory or over the ceiling) every later append is a
 * no-op and strbuf_failed() says so, so a caller builds a whole text and checks once at the end.
 * A failed buffer keeps what it held before the failing append.  Fields are private: use the API. */
#ifndef TR_UTIL_STRBUF_H
#define TR_UTIL_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct strbuf {
	char *data;  /* heap, NUL-terminated; NULL until the first append */
	size_t len;  /* bytes held, excluding the terminator */
	size_t cap;  /* bytes allocated */
	size_t max;  /* ceiling on len; 0 = STRBUF_DEFAULT_MAX */
	int failed;  /* sticky: 1 after an append failed */
} strbuf;

/* 64 MiB: far above any document we build in memory; results stream and never get near it. */
#define STRBUF_DEFAULT_MAX ((size_t)64 * 1024 * 1024)

#define STRBUF_INIT(maxbytes) { NULL, 0, 0, (maxbytes), 0 }

void strbuf_init(strbuf *sb, size_t max);
void strbuf_free(strbuf *sb);
/* Empties the buffer and clears the error, keeping its memory. */
void strbuf_reset(strbuf *sb);

/* Not "strbuf_append": libconfig exports a strbuf_append of its own, and ours would replace it
 * inside libconfig at run time (ELF symbol interposition), breaking its string parsing. */
void strbuf_add(strbuf *sb, const void *p, size_t n);
void strbuf_puts(strbuf *sb, const char *s);
void strbuf_putc(strbuf *sb, char c);
void strbuf_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vprintf(strbuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Makes room for n more bytes and returns where they go (NULL on failure); strbuf_commit() then
 * records how many were written.  Lets formatters write in place without a copy. */
char *strbuf_reserve(strbuf *sb, size_t n);
void strbuf_commit(strbuf *sb, size_t n);

static inline int strbuf_failed(const strbuf *sb) { return sb->failed; }
static inline size_t strbuf_len(const strbuf *sb) { return sb->len; }
/* Never NULL: an empty buffer gives "". */
static inline const char *strbuf_str(const strbuf *sb) { return sb->data ? sb->data : ""; }

#endif
