/* test_out_text: the character walk every text writer shares (src/out/text.h).
 *
 * Replacement of what is not an XML character (NUL, C0 controls, invalid UTF-8, U+FFFE/U+FFFF)
 * with and without an escape table; code points; the arraysize prefix in bytes and in UTF-16
 * units, which never splits a character.  xml_escape's own cases stay in test_xml. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "out/text.h"

#include <string.h>

#define FFFD TEXT_REPLACEMENT
#define IN(s) s, sizeof(s) - 1

static text_escapes table = { ['a'] = "<A>", ['\t'] = "\\t", ['\\'] = "\\\\" };

static void test_escape(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		size_t n;
		const char *plain;  /* no table */
		const char *tabled; /* with table */
		size_t replaced;
	} cases[] = {
		{ IN(""), "", "", 0 },
		{ IN("xyz"), "xyz", "xyz", 0 },
		{ IN("a\tb\\"), "a\tb\\", "<A>\\tb\\\\", 0 },
		{ IN("n\0l"), "n" FFFD "l", "n" FFFD "l", 1 },
		{ IN("\x01\x1f\x7f"), FFFD FFFD "\x7f", FFFD FFFD "\x7f", 2 },
		{ IN("\r\n"), "\r\n", "\r\n", 0 },
		{ IN("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"), "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80",
		  "c<A>f\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", 0 },
		{ IN("\xFF" "a"), FFFD "a", FFFD "<A>", 1 },
		{ IN("\xC3"), FFFD, FFFD, 1 },
		{ IN("\xED\xA0\x80"), FFFD FFFD FFFD, FFFD FFFD FFFD, 3 },
		{ IN("\xEF\xBF\xBE" "a"), FFFD "a", FFFD "<A>", 1 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		strbuf sb = STRBUF_INIT(0);
		assert_int_equal(text_escape(&sb, cases[i].in, cases[i].n, NULL), cases[i].replaced);
		if (strcmp(strbuf_str(&sb), cases[i].plain) != 0)
			fail_msg("case %zu plain: '%s'", i, strbuf_str(&sb));
		strbuf_reset(&sb);
		assert_int_equal(text_escape(&sb, cases[i].in, cases[i].n, &table), cases[i].replaced);
		if (strcmp(strbuf_str(&sb), cases[i].tabled) != 0)
			fail_msg("case %zu table: '%s'", i, strbuf_str(&sb));
		strbuf_free(&sb);
	}
}

static void test_next_and_code_point(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		size_t n;
		size_t len;
		int valid;
		uint32_t cp;
	} cases[] = {
		{ IN("A"), 1, 1, 'A' },
		{ IN("\t"), 1, 1, '\t' },
		{ IN("\0"), 1, 0, 0 },
		{ IN("\x1B"), 1, 0, 0 },
		{ IN("\xC3\xA9"), 2, 1, 0xE9 },
		{ IN("\xE2\x82\xAC"), 3, 1, 0x20AC },
		{ IN("\xF0\x9F\x98\x80"), 4, 1, 0x1F600 },
		{ IN("\xEF\xBF\xBF"), 3, 0, 0 },
		{ IN("\x80"), 1, 0, 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int valid = -1;
		size_t len = text_next((const unsigned char *)cases[i].s, cases[i].n, &valid);
		assert_int_equal(len, cases[i].len);
		assert_int_equal(valid, cases[i].valid);
		if (valid)
			assert_int_equal(text_code_point((const unsigned char *)cases[i].s, len), cases[i].cp);
	}
}

static void test_prefix(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		size_t n;
		size_t max;
		text_unit unit;
		size_t bytes;
		size_t units;
	} cases[] = {
		{ IN("abcdef"), 4, TEXT_UNIT_BYTE, 4, 4 },
		{ IN("abc"), 10, TEXT_UNIT_BYTE, 3, 3 },
		{ IN("ab\xC3\xA9"), 3, TEXT_UNIT_BYTE, 2, 2 },          /* é does not fit whole */
		{ IN("ab\xC3\xA9"), 4, TEXT_UNIT_BYTE, 4, 4 },
		{ IN("ab\xC3\xA9"), 3, TEXT_UNIT_UTF16, 4, 3 },
		{ IN("\xF0\x9F\x98\x80z"), 1, TEXT_UNIT_UTF16, 0, 0 },   /* a surrogate pair is 2 units */
		{ IN("\xF0\x9F\x98\x80z"), 2, TEXT_UNIT_UTF16, 4, 2 },
		{ IN("\xF0\x9F\x98\x80z"), 3, TEXT_UNIT_UTF16, 5, 3 },
		{ IN("\xFFz"), 2, TEXT_UNIT_BYTE, 0, 0 },                /* its U+FFFD takes 3 bytes */
		{ IN("\xFFz"), 4, TEXT_UNIT_BYTE, 2, 4 },
		{ IN("\xFFz"), 1, TEXT_UNIT_UTF16, 1, 1 },
		{ IN(""), 5, TEXT_UNIT_BYTE, 0, 0 },
		{ IN("x"), 0, TEXT_UNIT_BYTE, 0, 0 },
		{ IN("ab\xC3\xA9\xF0\x9F\x98\x80z"), 4, TEXT_UNIT_CHAR, 8, 4 }, /* characters */
		{ IN("\xFF\xFFz"), 2, TEXT_UNIT_CHAR, 2, 2 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t units = 99;
		size_t bytes = text_prefix(cases[i].s, cases[i].n, cases[i].max, cases[i].unit, &units);
		if (bytes != cases[i].bytes || units != cases[i].units)
			fail_msg("case %zu: %zu bytes %zu units, expected %zu %zu", i, bytes, units, cases[i].bytes,
			         cases[i].units);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_next_and_code_point),
		cmocka_unit_test(test_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
