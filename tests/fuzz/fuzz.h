/* fuzz/fuzz: what the fuzz targets share: the entry point's prototype, a hash of the input that
 * picks each input's options (so a replay takes exactly the path the fuzzer took), a small PRNG
 * for chunk sizes, a body source that hands out random-size pieces, and the abort that tells the
 * fuzzer an input broke a promise.  Header-only: each target is one translation unit plus the
 * runner (tests/fuzz/runner.c) or libFuzzer. */
#ifndef TR_TESTS_FUZZ_H
#define TR_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "util/arena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* A broken promise: print it and abort, so libFuzzer saves the input and the replay fails it. */
__attribute__((noreturn)) static inline void fuzz_fail(const char *target, const char *what, const char *detail)
{
	fprintf(stderr, "%s: %s: %s\n", target, what, detail);
	abort();
}

/* FNV-1a of the input: the options of one run are bits of it. */
static inline uint64_t fuzz_hash(const uint8_t *data, size_t size)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 0x100000001b3ull;
	return h;
}

/* xorshift64*: chunk sizes, seeded from the hash (never 0). */
static inline uint64_t fuzz_next(uint64_t *state)
{
	uint64_t x = *state ? *state : 0x9e3779b97f4a7c15ull;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* After a run with arena_fail_after(n): whether the failure happened (was consumed by the code under
 * test) rather than still pending.  Probes with up to max_n one-byte allocations from a, which
 * fail only while the countdown is pending; then disables the injection. */
static inline int fuzz_failure_happened(arena *a, unsigned long max_n)
{
	int is_pending = 0;
	for (unsigned long i = 0; i < max_n && !is_pending; i++)
		is_pending = arena_alloc(a, 1) == NULL;
	arena_fail_after(0);
	return !is_pending;
}

/* A request body handed out in pieces of 1 .. max_chunk bytes (max_chunk 0: all at once), the way
 * a FastCGI stream hands out records; for a tr_source (util/io.h). */
typedef struct fuzz_body {
	const uint8_t *data;
	size_t size;
	size_t pos;        /* bytes handed out */
	size_t max_chunk;  /* largest piece, 0 = no limit */
	uint64_t rng;      /* chunk-size state */
} fuzz_body;

static inline ssize_t fuzz_body_read(void *ctx, char *p, size_t n)
{
	fuzz_body *b = ctx;
	size_t left = b->size - b->pos;
	if (left > n)
		left = n;
	if (b->max_chunk && left > 0) {
		size_t piece = 1 + (size_t)(fuzz_next(&b->rng) % b->max_chunk);
		if (piece < left)
			left = piece;
	}
	memcpy(p, b->data + b->pos, left);
	b->pos += left;
	return (ssize_t)left;
}

#endif
