/* arena: per-request bump allocator with cleanup handlers.
 *
 * Everything a request allocates (parameters, AST, SQL text, temporary strings) comes from one arena,
 * created at the request's start and reset or destroyed at its single exit.  Non-memory resources
 * (result sets, temporary files, parsers) register a cleanup with arena_on_destroy(), so every exit
 * path releases them.  Nothing is ever freed one by one.
 *
 * Ownership: the arena owns every block and every registered cleanup; pointers it returns stay valid
 * until arena_reset() or arena_destroy().  Not thread-safe (one arena per request per process). */
#ifndef TR_UTIL_ARENA_H
#define TR_UTIL_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct arena arena;
typedef void arena_cleanup_fn(void *arg);

/* Blocks are block_size bytes (0 = ARENA_DEFAULT_BLOCK); larger requests get a block of their own.
 * max_bytes caps the total the arena will hand out (0 = no cap): a runaway request fails cleanly. */
#define ARENA_DEFAULT_BLOCK (64u * 1024u)

arena *arena_create(size_t block_size, size_t max_bytes);
/* Runs the cleanups (last registered first) and frees every block.  NULL is accepted. */
void arena_destroy(arena *a);
/* Runs the cleanups and keeps only the first block, for reuse by the next request. */
void arena_reset(arena *a);

/* Memory aligned for any type; NULL when out of memory or over max_bytes. */
void *arena_alloc(arena *a, size_t n) __attribute__((warn_unused_result, malloc));
void *arena_zalloc(arena *a, size_t n) __attribute__((warn_unused_result, malloc));
/* Array of n elements of size sz, with an overflow check. */
void *arena_calloc(arena *a, size_t n, size_t sz) __attribute__((warn_unused_result, malloc));
char *arena_strdup(arena *a, const char *s) __attribute__((warn_unused_result));
char *arena_strndup(arena *a, const char *s, size_t n) __attribute__((warn_unused_result));
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3), warn_unused_result));
char *arena_vprintf(arena *a, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0), warn_unused_result));

/* Registers fn(arg) to run at reset/destroy.  Returns 0, or -1 when out of memory, in which case
 * fn(arg) has already been run so the caller never leaks the resource. */
int arena_on_destroy(arena *a, arena_cleanup_fn *fn, void *arg) __attribute__((warn_unused_result));

/* Bytes handed out since creation or the last reset (for limits and tests). */
size_t arena_used(const arena *a);

/* Fault injection for tests: the n-th allocation from now on (1-based) in this process fails;
 * 0 disables.  Cheap enough to keep in every build. */
void arena_fail_after(unsigned long n);

#endif
