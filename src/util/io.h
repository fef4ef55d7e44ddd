/* io: the byte sink and source that writers and readers are built on, so the same code writes to a
 * FastCGI stream, a result file or memory (tests) and reads from a request body or a file. */
#ifndef TR_UTIL_IO_H
#define TR_UTIL_IO_H

#include <stddef.h>
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

#endif
