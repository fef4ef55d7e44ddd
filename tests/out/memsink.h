/* memsink: tr_sink implementations for the writer tests: gather everything in memory, or only
 * count bytes (for very long results), and optionally fail the n-th write. */
#ifndef TR_TESTS_OUT_MEMSINK_H
#define TR_TESTS_OUT_MEMSINK_H

#include "util/io.h"
#include "util/strbuf.h"

#include <stddef.h>
#include <stdint.h>

typedef struct memsink {
	strbuf sb;            /* everything written, unless count_only */
	int count_only;       /* 1: keep no bytes, only count them */
	uint64_t bytes;       /* bytes written so far */
	size_t writes;        /* calls so far */
	size_t largest_write; /* biggest single write, bytes */
	size_t fail_at;       /* this write (1-based) and all later ones fail; 0 = never */
} memsink;

void memsink_init(memsink *m, int count_only);
void memsink_free(memsink *m);
tr_sink memsink_sink(memsink *m);

#endif
