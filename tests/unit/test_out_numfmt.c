/* test_out_numfmt: number formatting shared by every writer (src/out/numfmt.h).
 *
 * Exact text for a table of doubles, floats and integers (shortest digits, %g layout, NaN/Inf
 * spellings, subnormals, extremes); then random bit patterns: every finite double and float must
 * read back bit for bit, be no longer than %.17g (%.9g), and no decimal with one digit fewer may
 * read back to it (checked by trying the three candidates around the result's digits). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "out/numfmt.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct double_case {
	double x;
	const char *text;
} double_case;

static const double_case doubles[] = {
	{ 0.0, "0" },
	{ -0.0, "-0" },
	{ 1.0, "1" },
	{ -1.0, "-1" },
	{ 0.1, "0.1" },
	{ 0.3, "0.3" },
	{ 0.1 + 0.2, "0.30000000000000004" },
	{ 1.0 / 3.0, "0.3333333333333333" },
	{ 2.0 / 3.0, "0.6666666666666666" },
	{ 100.0, "100" },
	{ 123456.789, "123456.789" },
	{ 180.0, "180" },
	{ -89.99999999, "-89.99999999" },
	{ 0.0001, "0.0001" },
	{ 0.00001, "1e-05" },
	{ 1.5e-7, "1.5e-07" },
	{ 1e16, "10000000000000000" },
	{ 1e17, "1e+17" },
	{ 1.2345678901234567e16, "12345678901234568" },
	{ 9007199254740993.0, "9007199254740992" },
	{ 1.5e300, "1.5e+300" },
	{ 5e-324, "5e-324" },
	{ 1e-323, "1e-323" },
	{ 2.2250738585072014e-308, "2.2250738585072014e-308" },
	{ 2.225073858507201e-308, "2.225073858507201e-308" }, /* largest subnormal */
	{ DBL_MAX, "1.7976931348623157e+308" },
	{ -DBL_MAX, "-1.7976931348623157e+308" },
	{ 5e-310, "5e-310" },
	{ 299792.458, "299792.458" },
	{ 3.141592653589793, "3.141592653589793" },
	{ 2e22, "2e+22" },
	{ 4.35, "4.35" },
	{ 9.5e-5, "9.5e-05" },
};

typedef struct float_case {
	float x;
	const char *text;
} float_case;

static const float_case floats[] = {
	{ 0.0f, "0" },
	{ -0.0f, "-0" },
	{ 0.1f, "0.1" },
	{ 1.0f / 3.0f, "0.33333334" },
	{ 16777216.0f, "16777216" },
	{ 1e10f, "1e+10" },
	{ 123456789.0f, "123456790" },
	{ FLT_MAX, "3.4028235e+38" },
	{ FLT_MIN, "1.1754944e-38" },
	{ 1.4e-45f, "1e-45" },
	{ 3.14159265f, "3.1415927" },
	{ -2.5f, "-2.5" },
	{ 0.001f, "0.001" },
	{ 1e-5f, "1e-05" },
};

static void test_double_table(void **state)
{
	(void)state;
	char buf[NUMFMT_MAX];
	for (size_t i = 0; i < sizeof doubles / sizeof doubles[0]; i++) {
		size_t n = numfmt_double(buf, doubles[i].x);
		if (strcmp(buf, doubles[i].text) != 0 || n != strlen(buf))
			fail_msg("double case %zu: got '%s', expected '%s'", i, buf, doubles[i].text);
	}
}

static void test_float_table(void **state)
{
	(void)state;
	char buf[NUMFMT_MAX];
	for (size_t i = 0; i < sizeof floats / sizeof floats[0]; i++) {
		size_t n = numfmt_float(buf, floats[i].x);
		if (strcmp(buf, floats[i].text) != 0 || n != strlen(buf))
			fail_msg("float case %zu: got '%s', expected '%s'", i, buf, floats[i].text);
	}
}

static void test_specials(void **state)
{
	(void)state;
	char buf[NUMFMT_MAX];
	assert_int_equal(numfmt_double(buf, NAN), 3);
	assert_string_equal(buf, "NaN");
	numfmt_double(buf, -NAN);
	assert_string_equal(buf, "NaN");
	numfmt_double(buf, INFINITY);
	assert_string_equal(buf, "+Inf");
	numfmt_double(buf, -INFINITY);
	assert_string_equal(buf, "-Inf");
	numfmt_float(buf, NAN);
	assert_string_equal(buf, "NaN");
	numfmt_float(buf, -INFINITY);
	assert_string_equal(buf, "-Inf");
	numfmt_float(buf, INFINITY);
	assert_string_equal(buf, "+Inf");
}

static void test_integers(void **state)
{
	(void)state;
	static const struct {
		int64_t v;
		const char *text;
	} ints[] = {
		{ 0, "0" }, { 7, "7" }, { 9, "9" }, { 10, "10" }, { 99, "99" }, { 100, "100" }, { -1, "-1" },
		{ -10, "-10" }, { 1234567890, "1234567890" }, { INT32_MIN, "-2147483648" },
		{ INT64_MAX, "9223372036854775807" }, { INT64_MIN, "-9223372036854775808" },
	};
	char buf[NUMFMT_MAX], ref[64];
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
		size_t n = numfmt_int64(buf, ints[i].v);
		assert_string_equal(buf, ints[i].text);
		assert_int_equal(n, strlen(ints[i].text));
	}
	assert_int_equal(numfmt_uint64(buf, UINT64_MAX), 20);
	assert_string_equal(buf, "18446744073709551615");
	/* every power of ten and its neighbours against printf */
	for (uint64_t p = 1; p <= UINT64_C(10000000000000000000); p *= 10) {
		for (int d = -1; d <= 1; d++) {
			uint64_t u = p + (uint64_t)(int64_t)d;
			numfmt_uint64(buf, u);
			snprintf(ref, sizeof ref, "%llu", (unsigned long long)u);
			assert_string_equal(buf, ref);
			numfmt_int64(buf, -(int64_t)(u / 2));
			snprintf(ref, sizeof ref, "%lld", -(long long)(u / 2));
			assert_string_equal(buf, ref);
		}
		if (p == UINT64_C(10000000000000000000))
			break;
	}
}

/* xorshift64*: reproducible random bit patterns */
static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t next_random(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Du;
}

/* Digits and exponent of our output, parsed independently of numfmt: "-1.25e+03" -> "125", 3. */
static int split_digits(const char *s, char *digits, int *exp10)
{
	int n = 0, point = -1, e = 0;
	const char *p = s;
	if (*p == '-')
		p++;
	for (; *p && *p != 'e'; p++) {
		if (*p == '.')
			point = n;
		else
			digits[n++] = *p;
	}
	if (*p == 'e')
		e = (int)strtol(p + 1, NULL, 10);
	if (point < 0)
		point = n;
	/* strip leading zeros ("0.0001") */
	int lead = 0;
	while (lead < n - 1 && digits[lead] == '0')
		lead++;
	memmove(digits, digits + lead, (size_t)(n - lead));
	n -= lead;
	point -= lead;
	while (n > 1 && digits[n - 1] == '0') /* trailing zeros of an integer: "100" */
		n--;
	digits[n] = '\0';
	*exp10 = e + point - 1; /* exponent of the first digit */
	return n;
}

/* Whether some decimal with one digit fewer than text reads back to x: the candidates are the
 * truncated digits and their neighbours one unit up and down. */
static int shorter_exists(const char *text, double x, int is_float)
{
	char digits[40];
	int e;
	int n = split_digits(text, digits, &e);
	if (n <= 1)
		return 0;
	long long m = 0;
	for (int i = 0; i < n - 1; i++)
		m = m * 10 + (digits[i] - '0');
	for (int d = -1; d <= 1; d++) {
		char cand[64];
		snprintf(cand, sizeof cand, "%s%llde%d", x < 0 ? "-" : "", m + d, e - (n - 2));
		double back = is_float ? (double)strtof(cand, NULL) : strtod(cand, NULL);
		if (m + d > 0 && back == x)
			return 1;
	}
	return 0;
}

static void check_double(double x)
{
	char buf[NUMFMT_MAX], ref[64];
	size_t n = numfmt_double(buf, x);
	assert_int_equal(n, strlen(buf));
	double back = strtod(buf, NULL);
	if (memcmp(&back, &x, sizeof x) != 0)
		fail_msg("%.17g formatted as '%s' reads back as %.17g", x, buf, back);
	int rn = snprintf(ref, sizeof ref, "%.17g", x);
	if ((int)n > rn)
		fail_msg("%.17g: '%s' is longer than %%.17g's '%s'", x, buf, ref);
	if (shorter_exists(buf, x, 0))
		fail_msg("%.17g: '%s' is not the shortest", x, buf);
}

static void check_float(float x)
{
	char buf[NUMFMT_MAX], ref[64];
	size_t n = numfmt_float(buf, x);
	assert_int_equal(n, strlen(buf));
	float back = strtof(buf, NULL);
	if (memcmp(&back, &x, sizeof x) != 0)
		fail_msg("%.9g formatted as '%s' reads back as %.9g", (double)x, buf, (double)back);
	int rn = snprintf(ref, sizeof ref, "%.9g", (double)x);
	if ((int)n > rn)
		fail_msg("%.9g: '%s' is longer than %%.9g's '%s'", (double)x, buf, ref);
	if (shorter_exists(buf, (double)x, 1))
		fail_msg("%.9g: '%s' is not the shortest", (double)x, buf);
}

#define RANDOM_DOUBLES 200000
#define RANDOM_FLOATS 200000

static void test_random_doubles(void **state)
{
	(void)state;
	for (int i = 0; i < RANDOM_DOUBLES; i++) {
		uint64_t bits = next_random();
		double x;
		memcpy(&x, &bits, sizeof x);
		if (isfinite(x))
			check_double(x);
	}
	/* values that look like catalogue data: short decimals must stay short */
	for (int i = 0; i < 20000; i++) {
		double x = (double)(int64_t)(next_random() % 100000000) / 1e5 - 500.0;
		check_double(x);
	}
	/* around the powers of two, where the rounding interval is lopsided */
	for (int e = -1074; e <= 1023; e++) {
		double x = ldexp(1.0, e);
		check_double(x);
		check_double(nextafter(x, 0));
		check_double(nextafter(x, INFINITY));
	}
}

static void test_random_floats(void **state)
{
	(void)state;
	for (int i = 0; i < RANDOM_FLOATS; i++) {
		uint32_t bits = (uint32_t)(next_random() >> 32);
		float x;
		memcpy(&x, &bits, sizeof x);
		if (isfinite(x))
			check_float(x);
	}
	for (int e = -149; e <= 127; e++) {
		float x = ldexpf(1.0f, e);
		check_float(x);
		check_float(nextafterf(x, 0));
		check_float(nextafterf(x, INFINITY));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_double_table),
		cmocka_unit_test(test_float_table),
		cmocka_unit_test(test_specials),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_random_doubles),
		cmocka_unit_test(test_random_floats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
