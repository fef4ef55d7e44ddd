/* fixture: the cmocka fixtures unit tests share — a fresh arena, or a fresh strbuf, per test in
 * *state. */
#ifndef TR_TESTS_FIXTURE_H
#define TR_TESTS_FIXTURE_H

#include "util/arena.h"
#include "util/strbuf.h"

#include <stdlib.h>

static inline int tr_test_arena_setup(void **state)
{
	arena *a = arena_create(0, 0);
	if (a == NULL)
		return -1;
	*state = a;
	return 0;
}

static inline int tr_test_arena_teardown(void **state)
{
	arena_destroy(*state);
	return 0;
}

/* A strbuf with the default ceiling, freed by the teardown. */
static inline int tr_test_strbuf_setup(void **state)
{
	strbuf *sb = malloc(sizeof *sb);
	if (sb == NULL)
		return -1;
	strbuf_init(sb, 0);
	*state = sb;
	return 0;
}

static inline int tr_test_strbuf_teardown(void **state)
{
	strbuf_free(*state);
	free(*state);
	return 0;
}

#endif
