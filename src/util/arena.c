#include <config.h> /* autoconf; "config.h" here would be util/config.h */

#include "util/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct arena_block arena_block;
struct arena_block {
	arena_block *next;
	size_t size; /* usable bytes after the header */
	size_t used; /* bytes handed out from this block */
	alignas(max_align_t) unsigned char data[];
};

typedef struct arena_cleanup arena_cleanup;
struct arena_cleanup {
	arena_cleanup *next;
	arena_cleanup_fn *fn;
	void *arg;
};

struct arena {
	arena_block *head;       /* current block; older ones follow */
	arena_block *first;      /* the block made at creation, kept across resets */
	arena_cleanup *cleanups; /* newest first */
	size_t block_size;       /* bytes per ordinary block */
	size_t max_bytes;        /* cap on total bytes handed out, 0 = none */
	size_t used;             /* total handed out since create/reset */
};

static unsigned long fail_countdown; /* test-only fault injection; 0 = off */

void arena_fail_after(unsigned long n) { fail_countdown = n; }

static int injected_failure(void)
{
	if (fail_countdown == 0)
		return 0;
	return --fail_countdown == 0;
}

static arena_block *block_new(size_t size)
{
	if (size > SIZE_MAX - sizeof(arena_block))
		return NULL;
	arena_block *b = malloc(sizeof(arena_block) + size);
	if (b == NULL)
		return NULL;
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

arena *arena_create(size_t block_size, size_t max_bytes)
{
	arena *a = malloc(sizeof *a);
	if (a == NULL)
		return NULL;
	a->block_size = block_size ? block_size : ARENA_DEFAULT_BLOCK;
	a->max_bytes = max_bytes;
	a->used = 0;
	a->cleanups = NULL;
	a->head = a->first = block_new(a->block_size);
	if (a->head == NULL) {
		free(a);
		return NULL;
	}
	return a;
}

static void run_cleanups(arena *a)
{
	while (a->cleanups) {
		arena_cleanup *c = a->cleanups;
		a->cleanups = c->next;
		c->fn(c->arg); /* the record itself lives in the arena's memory */
	}
}

static void free_blocks(arena_block *b)
{
	while (b) {
		arena_block *next = b->next;
		free(b);
		b = next;
	}
}

void arena_destroy(arena *a)
{
	if (a == NULL)
		return;
	run_cleanups(a);
	free_blocks(a->head);
	free(a);
}

void arena_reset(arena *a)
{
	run_cleanups(a);
	/* Keep the first block: a typical request fits in it. */
	arena_block *b = a->head;
	while (b) {
		arena_block *next = b->next;
		if (b != a->first)
			free(b);
		b = next;
	}
	a->first->next = NULL;
	a->head = a->first;
	a->head->used = 0;
	a->used = 0;
}

void *arena_alloc(arena *a, size_t n)
{
	const size_t align = alignof(max_align_t);
	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - align)
		return NULL;
	size_t need = (n + align - 1) & ~(align - 1);
	if (injected_failure())
		return NULL;
	if (a->max_bytes && (need > a->max_bytes || a->used > a->max_bytes - need))
		return NULL;

	arena_block *b = a->head;
	if (b->size - b->used < need) {
		if (need > a->block_size / 4) {
			/* Large object: a block of its own behind the current one, so the current block's
			 * free space stays usable. */
			arena_block *big = block_new(need);
			if (big == NULL)
				return NULL;
			big->used = need;
			big->next = b->next;
			b->next = big;
			a->used += need;
			return big->data;
		}
		arena_block *nb = block_new(a->block_size);
		if (nb == NULL)
			return NULL;
		nb->next = b;
		a->head = b = nb;
	}
	void *p = b->data + b->used;
	b->used += need;
	a->used += need;
	return p;
}

void *arena_zalloc(arena *a, size_t n)
{
	void *p = arena_alloc(a, n);
	if (p)
		memset(p, 0, n ? n : 1);
	return p;
}

void *arena_calloc(arena *a, size_t n, size_t sz)
{
	if (sz && n > SIZE_MAX / sz)
		return NULL;
	return arena_zalloc(a, n * sz);
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_vprintf(arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return NULL;
	char *p = arena_alloc(a, (size_t)n + 1);
	if (p)
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *arena_printf(arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

int arena_on_destroy(arena *a, arena_cleanup_fn *fn, void *arg)
{
	arena_cleanup *c = arena_alloc(a, sizeof *c);
	if (c == NULL) {
		fn(arg);
		return -1;
	}
	c->fn = fn;
	c->arg = arg;
	c->next = a->cleanups;
	a->cleanups = c;
	return 0;
}

size_t arena_used(const arena *a) { return a->used; }
