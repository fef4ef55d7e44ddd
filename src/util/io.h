/* io: the byte sink and source that writers and readers are built on, so the same code writes to a
 * FastCGI stream, a result file or memory (tests) and reads from a request body or a file. */
#ifndef TR_UTIL_IO_H
#define TR_UTIL_IO_H

#include <stddef.h>
#include <string.h>
#include <sys/types.h>

typedef struct tr_sink {
	/* Writes all n bytes; returns 0, or -1 when the peer or the file is gone. */
	int (*write)(void *ctx, const char *p, size_t n);
	void *ctx;
} tr_sink;

typedef struct tr_source {
	/* Reads up to n bytes; returns the count, 0 at the end, -1 on error. */
	ssize_t (*read)(void *ctx, char *p, size_t n);
	void *ctx;
} tr_source;

/* A source reading bytes already in memory (a text parameter, a test's document).  The memory
 * must outlive the reads. */
typedef struct tr_mem_source {
	const char *p;
	size_t n, off;
} tr_mem_source;

static inline ssize_t tr_mem_read(void *ctx, char *p, size_t n)
{
	tr_mem_source *m = ctx;
	size_t k = m->n - m->off < n ? m->n - m->off : n;
	memcpy(p, m->p + m->off, k);
	m->off += k;
	return (ssize_t)k;
}

/* Points m at p[0..n) and returns the source reading it. */
static inline tr_source tr_mem_source_init(tr_mem_source *m, const char *p, size_t n)
{
	*m = (tr_mem_source){ p, n, 0 };
	return (tr_source){ tr_mem_read, m };
}

#endif
