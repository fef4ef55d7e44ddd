/* fixture: the cmocka fixture most unit tests share — a fresh arena per test in *state. */
#ifndef TR_TESTS_FIXTURE_H
#define TR_TESTS_FIXTURE_H

#include "util/arena.h"

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

#endif
