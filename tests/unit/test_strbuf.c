/* test_strbuf: the growable byte buffer (src/util/strbuf.h).
 *
 * Binary safety and the terminator, the per-instance ceiling with its sticky error (old content
 * kept), reset, reserve/commit, and printf growth past the 1 MiB doubling limit.
 * Each test gets a fresh buffer with the default ceiling; teardown frees it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/strbuf.h"
#include "fixture.h"

#include <stdlib.h>
#include <string.h>

/* The invariants every operation keeps. */
static void check_terminated(const strbuf *sb)
{
	assert_non_null(strbuf_str(sb));
	assert_int_equal(strbuf_str(sb)[strbuf_len(sb)], '\0');
}

static void test_empty(void **state)
{
	strbuf *sb = *state;
	assert_int_equal(strbuf_len(sb), 0);
	assert_string_equal(strbuf_str(sb), "");
	assert_false(strbuf_failed(sb));
	strbuf st = STRBUF_INIT(0);
	assert_string_equal(strbuf_str(&st), "");
	strbuf_free(&st); /* nothing allocated: fine */
	strbuf_add(sb, "", 0);
	check_terminated(sb);
	assert_int_equal(strbuf_len(sb), 0);
}

static void test_appends(void **state)
{
	strbuf *sb = *state;
	static const struct {
		enum { ADD, PUTS, PUTC, PRINTF } op;
		const char *arg;
		size_t n;           /* for ADD: bytes of arg (may hold NULs) */
		const char *expect; /* whole content after the step */
		size_t expect_len;
	} steps[] = {
		{ PUTS, "abc", 0, "abc", 3 },
		{ PUTC, "d", 0, "abcd", 4 },
		{ ADD, "e\0f", 3, "abcde\0f", 7 },
		{ PRINTF, "x", 0, "abcde\0f[x:7]", 12 },
		{ ADD, "ignored", 0, "abcde\0f[x:7]", 12 },
		{ PUTS, "", 0, "abcde\0f[x:7]", 12 },
	};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		switch (steps[i].op) {
		case ADD: strbuf_add(sb, steps[i].arg, steps[i].n); break;
		case PUTS: strbuf_puts(sb, steps[i].arg); break;
		case PUTC: strbuf_putc(sb, steps[i].arg[0]); break;
		case PRINTF: strbuf_printf(sb, "[%s:%d]", steps[i].arg, 7); break;
		}
		assert_false(strbuf_failed(sb));
		assert_int_equal(strbuf_len(sb), steps[i].expect_len);
		assert_memory_equal(strbuf_str(sb), steps[i].expect, steps[i].expect_len);
		check_terminated(sb);
	}
}

static void test_many_small_appends(void **state)
{
	strbuf *sb = *state;
	for (int i = 0; i < 100000; i++)
		strbuf_putc(sb, (char)('a' + i % 26));
	assert_false(strbuf_failed(sb));
	assert_int_equal(strbuf_len(sb), 100000);
	const char *s = strbuf_str(sb);
	for (int i = 0; i < 100000; i++)
		if (s[i] != (char)('a' + i % 26))
			fail_msg("byte %d wrong", i);
	check_terminated(sb);
}

static void test_ceiling_is_sticky_and_keeps_content(void **state)
{
	(void)state;
	static const struct {
		size_t max;
		size_t first;  /* bytes appended first (fit) */
		size_t second; /* bytes that overflow */
	} cases[] = {
		{ 10, 8, 3 },
		{ 10, 10, 1 },   /* exactly at the ceiling is allowed; one more is not */
		{ 10, 0, 11 },
		{ 100, 64, 37 },
		{ 1, 1, 1 },
		{ 4096, 4000, SIZE_MAX }, /* n so large that len + n would wrap */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		strbuf sb;
		strbuf_init(&sb, cases[i].max);
		char *fill = malloc(cases[i].first + 1);
		assert_non_null(fill);
		memset(fill, 'k', cases[i].first);
		strbuf_add(&sb, fill, cases[i].first);
		assert_false(strbuf_failed(&sb));
		assert_int_equal(strbuf_len(&sb), cases[i].first);
		/* The overflowing append fails: the source is never read, so a short one is fine. */
		strbuf_add(&sb, "zzzz", cases[i].second);
		assert_true(strbuf_failed(&sb));
		assert_int_equal(strbuf_len(&sb), cases[i].first);
		if (cases[i].first)
			assert_memory_equal(strbuf_str(&sb), fill, cases[i].first);
		check_terminated(&sb);
		/* Sticky: appends that would fit are no-ops now. */
		strbuf_add(&sb, "", 0);
		strbuf_putc(&sb, 'q');
		strbuf_puts(&sb, "q");
		strbuf_printf(&sb, "%s", "");
		assert_null(strbuf_reserve(&sb, 0));
		strbuf_commit(&sb, 0);
		assert_true(strbuf_failed(&sb));
		assert_int_equal(strbuf_len(&sb), cases[i].first);
		check_terminated(&sb);
		/* Reset clears the error and empties the buffer. */
		strbuf_reset(&sb);
		assert_false(strbuf_failed(&sb));
		assert_int_equal(strbuf_len(&sb), 0);
		check_terminated(&sb);
		strbuf_putc(&sb, 'r');
		assert_false(strbuf_failed(&sb));
		assert_string_equal(strbuf_str(&sb), "r");
		free(fill);
		strbuf_free(&sb);
	}
}

static void test_printf_over_ceiling(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT(16);
	strbuf_printf(&sb, "%s", "0123456789");
	assert_false(strbuf_failed(&sb));
	strbuf_printf(&sb, "%d-%d", 123456, 7890); /* 11 bytes: 21 > 16 */
	assert_true(strbuf_failed(&sb));
	assert_string_equal(strbuf_str(&sb), "0123456789");
	strbuf_free(&sb);
}

static void test_reset_and_free(void **state)
{
	strbuf *sb = *state;
	strbuf_puts(sb, "some text");
	strbuf_reset(sb);
	assert_int_equal(strbuf_len(sb), 0);
	assert_string_equal(strbuf_str(sb), "");
	strbuf_puts(sb, "again");
	assert_string_equal(strbuf_str(sb), "again");
	strbuf_free(sb);
	assert_int_equal(strbuf_len(sb), 0);
	assert_string_equal(strbuf_str(sb), "");
	/* Usable after free, with the same ceiling. */
	strbuf_puts(sb, "third");
	assert_string_equal(strbuf_str(sb), "third");
}

static void test_reserve_commit(void **state)
{
	strbuf *sb = *state;
	char *p = strbuf_reserve(sb, 0);
	assert_non_null(p); /* even an empty reservation gives a place */
	strbuf_commit(sb, 0);
	assert_int_equal(strbuf_len(sb), 0);
	strbuf_puts(sb, "ab");
	p = strbuf_reserve(sb, 100);
	assert_non_null(p);
	assert_ptr_equal(p, strbuf_str(sb) + 2);
	/* The whole reservation is writable (ASan), then only part is committed. */
	memset(p, 'x', 100);
	memcpy(p, "cde", 3);
	strbuf_commit(sb, 3);
	assert_int_equal(strbuf_len(sb), 5);
	assert_string_equal(strbuf_str(sb), "abcde");
	/* A reservation across a growth moves the data along. */
	p = strbuf_reserve(sb, 5000);
	assert_non_null(p);
	memset(p, 'y', 5000);
	strbuf_commit(sb, 5000);
	assert_int_equal(strbuf_len(sb), 5005);
	assert_memory_equal(strbuf_str(sb), "abcde", 5);
	assert_int_equal(strbuf_str(sb)[5004], 'y');
	check_terminated(sb);

	/* Over the ceiling: NULL, sticky error, content kept. */
	strbuf small = STRBUF_INIT(8);
	strbuf_puts(&small, "1234");
	assert_non_null(strbuf_reserve(&small, 4));
	assert_null(strbuf_reserve(&small, 5));
	assert_true(strbuf_failed(&small));
	strbuf_commit(&small, 5); /* ignored after the failure */
	assert_int_equal(strbuf_len(&small), 4);
	assert_string_equal(strbuf_str(&small), "1234");
	strbuf_free(&small);
}

static void test_printf_growth_over_one_mib(void **state)
{
	strbuf *sb = *state;
	/* One call larger than the doubling limit, then many that cross it in small steps. */
	const size_t big = (size_t)1536 * 1024;
	char *chunk = malloc(big + 1);
	assert_non_null(chunk);
	for (size_t i = 0; i < big; i++)
		chunk[i] = (char)('A' + i % 23);
	chunk[big] = '\0';
	strbuf_printf(sb, "%s", chunk);
	assert_false(strbuf_failed(sb));
	assert_int_equal(strbuf_len(sb), big);
	assert_memory_equal(strbuf_str(sb), chunk, big);

	strbuf grow;
	strbuf_init(&grow, 0);
	size_t expect = 0;
	for (int i = 0; expect < (size_t)3 * 1024 * 1024; i++) {
		strbuf_printf(&grow, "line %08d %s\n", i, "abcdefghijklmnopqrstuvwxyz");
		expect += 41;
	}
	assert_false(strbuf_failed(&grow));
	assert_int_equal(strbuf_len(&grow), expect);
	assert_memory_equal(strbuf_str(&grow), "line 00000000 abc", 17);
	/* The last line is intact after several reallocations. */
	const char *last = strbuf_str(&grow) + expect - 41;
	assert_memory_equal(last, "line ", 5);
	assert_int_equal(last[40], '\n');
	check_terminated(&grow);
	strbuf_free(&grow);

	/* printf past a custom ceiling of 2 MiB fails cleanly and keeps the first MiB. */
	strbuf capped = STRBUF_INIT((size_t)2 * 1024 * 1024);
	strbuf_printf(&capped, "%.*s", 1024 * 1024, chunk);
	assert_false(strbuf_failed(&capped));
	strbuf_printf(&capped, "%s", chunk); /* 1 MiB + 1.5 MiB > 2 MiB */
	assert_true(strbuf_failed(&capped));
	assert_int_equal(strbuf_len(&capped), 1024 * 1024);
	assert_memory_equal(strbuf_str(&capped), chunk, 1024 * 1024);
	strbuf_free(&capped);
	free(chunk);
}

static void test_default_ceiling(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT(0);
	char *p = strbuf_reserve(&sb, STRBUF_DEFAULT_MAX + 1);
	assert_null(p);
	assert_true(strbuf_failed(&sb));
	strbuf_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty, tr_test_strbuf_setup, tr_test_strbuf_teardown),
		cmocka_unit_test_setup_teardown(test_appends, tr_test_strbuf_setup, tr_test_strbuf_teardown),
		cmocka_unit_test_setup_teardown(test_many_small_appends, tr_test_strbuf_setup, tr_test_strbuf_teardown),
		cmocka_unit_test_setup_teardown(test_ceiling_is_sticky_and_keeps_content, tr_test_strbuf_setup, tr_test_strbuf_teardown),
		cmocka_unit_test_setup_teardown(test_printf_over_ceiling, tr_test_strbuf_setup, tr_test_strbuf_teardown),
		cmocka_unit_test_setup_teardown(test_reset_and_free, tr_test_strbuf_setup, tr_test_strbuf_teardown),
		cmocka_unit_test_setup_teardown(test_reserve_commit, tr_test_strbuf_setup, tr_test_strbuf_teardown),
		cmocka_unit_test_setup_teardown(test_printf_growth_over_one_mib, tr_test_strbuf_setup, tr_test_strbuf_teardown),
		cmocka_unit_test_setup_teardown(test_default_ceiling, tr_test_strbuf_setup, tr_test_strbuf_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
