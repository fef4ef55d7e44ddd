/* test_arena: the per-request bump allocator (src/util/arena.h).
 *
 * Alignment, large objects, the max_bytes cap, reset keeping the first block usable, cleanup order
 * and fault injection (including arena_on_destroy running the cleanup when it cannot register).
 * Each test gets a fresh arena; teardown disables fault injection, which is process-global. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/arena.h"

#include <stdalign.h>
#include <string.h>

/* Small blocks make block boundaries easy to cross in tests. */
#define TEST_BLOCK 1024u

static int setup(void **state)
{
	arena *a = arena_create(TEST_BLOCK, 0);
	if (a == NULL)
		return -1;
	*state = a;
	return 0;
}

static int teardown(void **state)
{
	arena_fail_after(0);
	arena_destroy(*state);
	return 0;
}

static int is_aligned(const void *p) { return (uintptr_t)p % alignof(max_align_t) == 0; }

static void test_alignment(void **state)
{
	arena *a = *state;
	/* Odd sizes in a row, across block boundaries and around the large-object cut (block/4). */
	static const size_t sizes[] = { 1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 100, 255, 256, 257, 300, 511, 1000, 1024, 4097 };
	for (int round = 0; round < 8; round++) {
		for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
			unsigned char *p = arena_alloc(a, sizes[i]);
			assert_non_null(p);
			assert_true(is_aligned(p));
			memset(p, 0xA5, sizes[i]); /* ASan: the whole span is ours */
		}
	}
	char *s = arena_strdup(a, "x");
	assert_non_null(s);
	assert_true(is_aligned(s));
	double *d = arena_calloc(a, 3, sizeof *d);
	assert_non_null(d);
	assert_true(is_aligned(d));
}

static void test_zero_size_allocations_are_distinct(void **state)
{
	arena *a = *state;
	void *p = arena_alloc(a, 0);
	void *q = arena_alloc(a, 0);
	assert_non_null(p);
	assert_non_null(q);
	assert_ptr_not_equal(p, q);
}

static void test_used_counts_aligned_bytes(void **state)
{
	arena *a = *state;
	const size_t align = alignof(max_align_t);
	assert_int_equal(arena_used(a), 0);
	void *p = arena_alloc(a, 1);
	assert_non_null(p);
	assert_int_equal(arena_used(a), align);
	p = arena_alloc(a, align + 1);
	assert_non_null(p);
	assert_int_equal(arena_used(a), 3 * align);
}

static void test_large_allocations(void **state)
{
	arena *a = *state;
	unsigned char *small1 = arena_alloc(a, 16);
	assert_non_null(small1);
	/* Far beyond the block size: gets a block of its own. */
	const size_t big = 10 * TEST_BLOCK + 3;
	unsigned char *p = arena_alloc(a, big);
	assert_non_null(p);
	assert_true(is_aligned(p));
	memset(p, 0x5A, big);
	/* The current block's free space stays usable: the next small object follows the first. */
	unsigned char *small2 = arena_alloc(a, 16);
	assert_non_null(small2);
	assert_ptr_equal(small2, small1 + 16);
	memset(small1, 1, 16);
	memset(small2, 2, 16);
	for (size_t i = 0; i < big; i++)
		if (p[i] != 0x5A)
			fail_msg("large object overwritten at byte %zu", i);
	/* A megabyte, and a string longer than a block. */
	unsigned char *mb = arena_alloc(a, 1024 * 1024);
	assert_non_null(mb);
	memset(mb, 0, 1024 * 1024);
	char *s = arena_printf(a, "%*s|", 3000, "x");
	assert_non_null(s);
	assert_int_equal(strlen(s), 3001);
	assert_int_equal(s[3000], '|');
}

static void test_overflowing_sizes_fail(void **state)
{
	arena *a = *state;
	assert_null(arena_alloc(a, SIZE_MAX));
	assert_null(arena_alloc(a, SIZE_MAX - 8));
	assert_null(arena_calloc(a, SIZE_MAX / 2, 3));
	assert_null(arena_calloc(a, (size_t)1 << (sizeof(size_t) * 4), (size_t)1 << (sizeof(size_t) * 4)));
	/* Still usable afterwards. */
	void *p = arena_alloc(a, 10);
	assert_non_null(p);
}

static void test_zalloc_zeroes_reused_memory(void **state)
{
	arena *a = *state;
	unsigned char *p = arena_alloc(a, 200);
	assert_non_null(p);
	memset(p, 0xFF, 200);
	arena_reset(a);
	unsigned char *z = arena_zalloc(a, 200);
	assert_non_null(z);
	for (int i = 0; i < 200; i++)
		assert_int_equal(z[i], 0);
	int *c = arena_calloc(a, 10, sizeof *c);
	assert_non_null(c);
	for (int i = 0; i < 10; i++)
		assert_int_equal(c[i], 0);
	assert_non_null(arena_calloc(a, 0, 8));
}

static void test_strings(void **state)
{
	arena *a = *state;
	static const struct {
		const char *in;
		size_t n;        /* bytes for strndup */
		const char *out; /* strndup result */
	} cases[] = {
		{ "", 0, "" },
		{ "abc", 3, "abc" },
		{ "abcdef", 2, "ab" },
		{ "abc", 0, "" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *d = arena_strdup(a, cases[i].in);
		assert_non_null(d);
		assert_string_equal(d, cases[i].in);
		assert_ptr_not_equal(d, cases[i].in);
		char *nd = arena_strndup(a, cases[i].in, cases[i].n);
		assert_non_null(nd);
		assert_string_equal(nd, cases[i].out);
	}
	char *p = arena_printf(a, "%s-%d-%05.1f", "x", 42, 3.5);
	assert_non_null(p);
	assert_string_equal(p, "x-42-003.5");
	p = arena_printf(a, "%s", "");
	assert_non_null(p);
	assert_string_equal(p, "");
}

static void test_reset_keeps_memory_usable(void **state)
{
	arena *a = *state;
	char *first = arena_alloc(a, 8);
	assert_non_null(first);
	/* Fill several ordinary blocks and some large ones. */
	for (int i = 0; i < 100; i++) {
		char *p = arena_alloc(a, 100);
		assert_non_null(p);
		memset(p, i, 100);
	}
	for (int i = 0; i < 5; i++)
		assert_non_null(arena_alloc(a, 5 * TEST_BLOCK));
	assert_true(arena_used(a) > 10 * TEST_BLOCK);
	arena_reset(a);
	assert_int_equal(arena_used(a), 0);
	/* The first block is kept for reuse: the next allocation starts where the first one did. */
	char *again = arena_alloc(a, 8);
	assert_ptr_equal(again, first);
	/* And everything works as before, several resets in a row. */
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 50; i++) {
			char *s = arena_printf(a, "round %d item %d", round, i);
			assert_non_null(s);
		}
		assert_non_null(arena_alloc(a, 3 * TEST_BLOCK));
		arena_reset(a);
		assert_int_equal(arena_used(a), 0);
	}
	char *s = arena_strdup(a, "after reset");
	assert_non_null(s);
	assert_string_equal(s, "after reset");
}

/* Cleanup bookkeeping: each call appends its id to a log. */
typedef struct cleanup_log {
	int ids[16];
	int n;
} cleanup_log;

typedef struct cleanup_arg {
	cleanup_log *log;
	int id;
} cleanup_arg;

static void record_cleanup(void *arg)
{
	cleanup_arg *c = arg;
	if (c->log->n < 16)
		c->log->ids[c->log->n] = c->id;
	c->log->n++;
}

static void test_cleanup_order_on_destroy(void **state)
{
	(void)state;
	arena *a = arena_create(0, 0);
	assert_non_null(a);
	cleanup_log log = { { 0 }, 0 };
	cleanup_arg args[4] = { { &log, 1 }, { &log, 2 }, { &log, 3 }, { &log, 4 } };
	for (int i = 0; i < 4; i++) {
		assert_int_equal(arena_on_destroy(a, record_cleanup, &args[i]), 0);
		/* Allocations in between must not disturb the cleanup list. */
		assert_non_null(arena_alloc(a, 1000));
	}
	assert_int_equal(log.n, 0);
	arena_destroy(a);
	assert_int_equal(log.n, 4);
	/* Last registered first: a result set registered after its connection is freed before it. */
	static const int expect[] = { 4, 3, 2, 1 };
	for (int i = 0; i < 4; i++)
		assert_int_equal(log.ids[i], expect[i]);
	arena_destroy(NULL); /* accepted */
}

static void test_cleanup_on_reset_runs_once(void **state)
{
	arena *a = *state;
	cleanup_log log = { { 0 }, 0 };
	cleanup_arg args[3] = { { &log, 1 }, { &log, 2 }, { &log, 3 } };
	assert_int_equal(arena_on_destroy(a, record_cleanup, &args[0]), 0);
	assert_int_equal(arena_on_destroy(a, record_cleanup, &args[1]), 0);
	arena_reset(a);
	assert_int_equal(log.n, 2);
	assert_int_equal(log.ids[0], 2);
	assert_int_equal(log.ids[1], 1);
	/* After a reset the list is empty, and new registrations work. */
	arena_reset(a);
	assert_int_equal(log.n, 2);
	assert_int_equal(arena_on_destroy(a, record_cleanup, &args[2]), 0);
	arena_reset(a);
	assert_int_equal(log.n, 3);
	assert_int_equal(log.ids[2], 3);
}

static void test_max_bytes_cap(void **state)
{
	(void)state;
	const size_t align = alignof(max_align_t);
	static const struct {
		size_t block, max;
	} cases[] = {
		{ 1024, 4096 },
		{ 256, 4096 },       /* most allocations become large objects */
		{ 65536, 1000 * 16 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		arena *a = arena_create(cases[i].block, cases[i].max);
		assert_non_null(a);
		/* More than the cap in one go fails, and leaves the arena usable. */
		assert_null(arena_alloc(a, cases[i].max + 1));
		assert_int_equal(arena_used(a), 0);
		/* Exactly up to the cap, in aligned steps. */
		size_t handed = 0;
		while (handed + align <= cases[i].max) {
			void *p = arena_alloc(a, align);
			assert_non_null(p);
			handed += align;
		}
		assert_int_equal(arena_used(a), handed);
		assert_null(arena_alloc(a, 1));
		assert_null(arena_strdup(a, "x"));
		assert_null(arena_printf(a, "%d", 1));
		cleanup_log log = { { 0 }, 0 };
		cleanup_arg arg = { &log, 7 };
		/* Over the cap the cleanup cannot be recorded: it runs at once. */
		assert_int_equal(arena_on_destroy(a, record_cleanup, &arg), -1);
		assert_int_equal(log.n, 1);
		/* A reset gives the whole budget back. */
		arena_reset(a);
		assert_non_null(arena_alloc(a, cases[i].max));
		assert_null(arena_alloc(a, 1));
		arena_destroy(a);
		assert_int_equal(log.n, 1); /* not run a second time */
	}
}

static void test_fail_after(void **state)
{
	arena *a = *state;
	static const struct {
		unsigned long n;   /* argument to arena_fail_after */
		int fails_at;      /* 1-based allocation that fails, 0 = none within 10 */
	} cases[] = { { 0, 0 }, { 1, 1 }, { 2, 2 }, { 5, 5 } };
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		arena_fail_after(cases[i].n);
		for (int k = 1; k <= 10; k++) {
			void *p = arena_alloc(a, 32);
			if (k == cases[i].fails_at)
				assert_null(p);
			else
				assert_non_null(p);
		}
	}
	/* Every allocating function honours it. */
	arena_fail_after(1);
	assert_null(arena_strdup(a, "abc"));
	arena_fail_after(1);
	assert_null(arena_strndup(a, "abc", 2));
	arena_fail_after(1);
	assert_null(arena_zalloc(a, 8));
	arena_fail_after(1);
	assert_null(arena_calloc(a, 2, 8));
	arena_fail_after(1);
	assert_null(arena_printf(a, "%s", "abc"));
	/* Disabling it in the middle of a countdown. */
	arena_fail_after(2);
	arena_fail_after(0);
	for (int k = 0; k < 5; k++)
		assert_non_null(arena_alloc(a, 1));
}

static void test_on_destroy_runs_cleanup_when_it_cannot_register(void **state)
{
	arena *a = *state;
	cleanup_log log = { { 0 }, 0 };
	cleanup_arg keep = { &log, 1 }, lost = { &log, 2 };
	assert_int_equal(arena_on_destroy(a, record_cleanup, &keep), 0);
	arena_fail_after(1);
	/* The resource is released at once, so the caller never leaks it. */
	assert_int_equal(arena_on_destroy(a, record_cleanup, &lost), -1);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.ids[0], 2);
	/* The earlier registration is intact and the failed one does not run twice. */
	arena_reset(a);
	assert_int_equal(log.n, 2);
	assert_int_equal(log.ids[1], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_alignment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero_size_allocations_are_distinct, setup, teardown),
		cmocka_unit_test_setup_teardown(test_used_counts_aligned_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_allocations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overflowing_sizes_fail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zalloc_zeroes_reused_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_keeps_memory_usable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cleanup_order_on_destroy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cleanup_on_reset_runs_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_bytes_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fail_after, setup, teardown),
		cmocka_unit_test_setup_teardown(test_on_destroy_runs_cleanup_when_it_cannot_register, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
