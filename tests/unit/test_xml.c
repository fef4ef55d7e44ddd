/* test_xml: XML 1.0 text escaping and UTF-8 validation (src/out/xml.h).
 *
 * Markup characters, kept whitespace, CR as a character reference, and every way the input can
 * fail to be an XML character: C0 controls, NUL inside the given length, overlong forms, surrogates,
 * truncated sequences, values above U+10FFFF, U+FFFE/U+FFFF.  An exhaustive pass over all byte
 * pairs checks that the output is always well-formed.  Each test gets a fresh strbuf. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "out/xml.h"
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FFFD "\xEF\xBF\xBD"

/* Input given with its length (sizeof - 1) so that NUL bytes inside count. */
#define IN(s) s, sizeof(s) - 1

typedef struct escape_case {
	const char *name;
	const char *in;
	size_t n;
	const char *out;
	size_t replaced;
} escape_case;

static const escape_case cases[] = {
	{ "empty", IN(""), "", 0 },
	{ "plain", IN("plain text 123"), "plain text 123", 0 },
	{ "ampersand", IN("a&b"), "a&amp;b", 0 },
	{ "markup", IN("<a href=\"x\">it's</a>"), "&lt;a href=&quot;x&quot;&gt;it&apos;s&lt;/a&gt;", 0 },
	{ "already escaped", IN("&amp;"), "&amp;amp;", 0 },
	{ "tab newline kept", IN("a\tb\nc"), "a\tb\nc", 0 },
	{ "cr as reference", IN("a\r\nb\r"), "a&#13;\nb&#13;", 0 },
	{ "nul inside", IN("a\0b"), "a" FFFD "b", 1 },
	{ "only nul", IN("\0"), FFFD, 1 },
	{ "c0 controls", IN("\x01\x08\x0B\x0C\x1B\x1F"), FFFD FFFD FFFD FFFD FFFD FFFD, 6 },
	{ "del kept", IN("\x7F"), "\x7F", 0 },
	{ "c1 control kept", IN("\xC2\x85"), "\xC2\x85", 0 }, /* U+0085 is an XML 1.0 Char */
	{ "two-byte", IN("caf\xC3\xA9"), "caf\xC3\xA9", 0 },
	{ "three-byte", IN("\xE2\x82\xAC 5"), "\xE2\x82\xAC 5", 0 },
	{ "four-byte", IN("\xF0\x9F\x98\x80!"), "\xF0\x9F\x98\x80!", 0 },
	{ "max code point", IN("\xF4\x8F\xBF\xBF"), "\xF4\x8F\xBF\xBF", 0 },
	{ "before surrogates", IN("\xED\x9F\xBF"), "\xED\x9F\xBF", 0 },
	{ "private use", IN("\xEE\x80\x80"), "\xEE\x80\x80", 0 },
	{ "U+FFFD kept", IN(FFFD), FFFD, 0 },
	{ "U+FFFC kept", IN("\xEF\xBF\xBC"), "\xEF\xBF\xBC", 0 },
	{ "U+FFFE", IN("a\xEF\xBF\xBE" "b"), "a" FFFD "b", 1 },
	{ "U+FFFF", IN("\xEF\xBF\xBF"), FFFD, 1 },
	{ "U+1FFFE kept", IN("\xF0\x9F\xBF\xBE"), "\xF0\x9F\xBF\xBE", 0 }, /* only the BMP pair is excluded */
	/* Invalid sequences: each byte that does not start a valid sequence becomes one U+FFFD. */
	{ "overlong slash C0", IN("\xC0\xAF"), FFFD FFFD, 2 },
	{ "overlong C1", IN("\xC1\xBF"), FFFD FFFD, 2 },
	{ "overlong three-byte", IN("\xE0\x80\xAF"), FFFD FFFD FFFD, 3 },
	{ "overlong four-byte", IN("\xF0\x80\x80\xAF"), FFFD FFFD FFFD FFFD, 4 },
	{ "overlong nul", IN("\xC0\x80"), FFFD FFFD, 2 },
	{ "high surrogate", IN("\xED\xA0\x80"), FFFD FFFD FFFD, 3 },
	{ "low surrogate", IN("\xED\xBF\xBF"), FFFD FFFD FFFD, 3 },
	{ "above U+10FFFF", IN("\xF4\x90\x80\x80"), FFFD FFFD FFFD FFFD, 4 },
	{ "F5 lead", IN("\xF5\x80\x80\x80"), FFFD FFFD FFFD FFFD, 4 },
	{ "FE FF", IN("\xFE\xFF"), FFFD FFFD, 2 },
	{ "lone continuation", IN("a\x80z"), "a" FFFD "z", 1 },
	{ "truncated two-byte at end", IN("x\xC3"), "x" FFFD, 1 },
	{ "truncated three-byte at end", IN("\xE2\x82"), FFFD FFFD, 2 },
	{ "truncated four-byte at end", IN("\xF0\x9F\x98"), FFFD FFFD FFFD, 3 },
	{ "truncated before ascii", IN("\xE2\x82<"), FFFD FFFD "&lt;", 2 },
	{ "lead then lead", IN("\xC3\xC3\xA9"), FFFD "\xC3\xA9", 1 },
	{ "mixed", IN("a<\xFF>&\x01\xC3\xA9\r"), "a&lt;" FFFD "&gt;&amp;" FFFD "\xC3\xA9&#13;", 2 },
};

static void test_escape_table(void **state)
{
	strbuf *sb = *state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		strbuf_reset(sb);
		size_t replaced = xml_escape(sb, cases[i].in, cases[i].n);
		assert_false(strbuf_failed(sb));
		if (strbuf_len(sb) != strlen(cases[i].out) ||
		    memcmp(strbuf_str(sb), cases[i].out, strbuf_len(sb)) != 0)
			fail_msg("case '%s': got '%s', expected '%s'", cases[i].name, strbuf_str(sb), cases[i].out);
		if (replaced != cases[i].replaced)
			fail_msg("case '%s': %zu replacements, expected %zu", cases[i].name, replaced,
			         cases[i].replaced);
	}
}

static void test_appends_to_existing_content(void **state)
{
	strbuf *sb = *state;
	strbuf_puts(sb, "<v>");
	assert_int_equal(xml_escape_str(sb, "1 < 2"), 0);
	strbuf_puts(sb, "</v>");
	assert_string_equal(strbuf_str(sb), "<v>1 &lt; 2</v>");
}

static void test_length_is_respected(void **state)
{
	strbuf *sb = *state;
	/* Only n bytes are read: what follows (a split sequence, markup) is not looked at. */
	assert_int_equal(xml_escape(sb, "ab<cd", 2), 0);
	assert_string_equal(strbuf_str(sb), "ab");
	strbuf_reset(sb);
	assert_int_equal(xml_escape(sb, "\xC3\xA9", 1), 1);
	assert_string_equal(strbuf_str(sb), FFFD);
	strbuf_reset(sb);
	assert_int_equal(xml_escape(sb, "\xEF\xBF\xBE", 2), 2); /* U+FFFE cut short: two bad bytes */
	assert_string_equal(strbuf_str(sb), FFFD FFFD);
}

static void test_utf8_seq_len(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		size_t n;
		size_t len;
	} lens[] = {
		{ IN("a"), 1 },
		{ IN("\x7F"), 1 },
		{ IN("\xC2\x80"), 2 },
		{ IN("\xDF\xBF"), 2 },
		{ IN("\xE0\xA0\x80"), 3 },
		{ IN("\xEF\xBF\xBF"), 3 },       /* well-formed UTF-8, though not an XML character */
		{ IN("\xF0\x90\x80\x80"), 4 },
		{ IN("\xF4\x8F\xBF\xBF"), 4 },
		{ IN("\x80"), 0 },
		{ IN("\xC0\x80"), 0 },
		{ IN("\xC1\xBF"), 0 },
		{ IN("\xC2"), 0 },               /* truncated by n */
		{ IN("\xC2" "A"), 0 },           /* not a continuation byte */
		{ IN("\xE0\x9F\xBF"), 0 },       /* overlong */
		{ IN("\xED\xA0\x80"), 0 },       /* surrogate */
		{ IN("\xF0\x8F\xBF\xBF"), 0 },   /* overlong */
		{ IN("\xF4\x90\x80\x80"), 0 },   /* above U+10FFFF */
		{ IN("\xF8\x88\x80\x80\x80"), 0 },
		{ IN("\xFF"), 0 },
	};
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		size_t got = utf8_seq_len((const unsigned char *)lens[i].s, lens[i].n);
		if (got != lens[i].len)
			fail_msg("case %zu: length %zu, expected %zu", i, got, lens[i].len);
	}
}

/* Output check: valid UTF-8, only XML characters, no raw markup or CR. */
static void check_well_formed(const strbuf *sb, const unsigned char *in, size_t n)
{
	const unsigned char *p = (const unsigned char *)strbuf_str(sb);
	size_t len = strbuf_len(sb);
	for (size_t i = 0; i < len;) {
		size_t l = utf8_seq_len(p + i, len - i);
		int bad = l == 0 || (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n') || p[i] == '<' || p[i] == '>' ||
		          p[i] == '"' || p[i] == '\'' ||
		          (l == 3 && p[i] == 0xEF && p[i + 1] == 0xBF && (p[i + 2] == 0xBE || p[i + 2] == 0xBF));
		if (bad)
			fail_msg("input %02x %02x (n=%zu): bad output byte %02x at %zu", in[0], n > 1 ? in[1] : 0, n, p[i], i);
		i += l;
	}
}

static void test_all_byte_pairs_give_well_formed_output(void **state)
{
	strbuf *sb = *state;
	unsigned char in[3];
	for (unsigned a = 0; a < 256; a++) {
		for (unsigned b = 0; b < 256; b++) {
			in[0] = (unsigned char)a;
			in[1] = (unsigned char)b;
			strbuf_reset(sb);
			xml_escape(sb, (const char *)in, 2);
			check_well_formed(sb, in, 2);
		}
	}
	/* Three-byte inputs starting with each multi-byte lead, all second bytes, a few third bytes. */
	static const unsigned char thirds[] = { 0x00, 0x3C, 0x7F, 0x80, 0xBE, 0xBF, 0xC0, 0xFF };
	for (unsigned a = 0xC0; a < 256; a++)
		for (unsigned b = 0; b < 256; b++)
			for (size_t t = 0; t < sizeof thirds; t++) {
				in[0] = (unsigned char)a;
				in[1] = (unsigned char)b;
				in[2] = thirds[t];
				strbuf_reset(sb);
				xml_escape(sb, (const char *)in, 3);
				check_well_formed(sb, in, 3);
			}
}

static void test_failed_buffer(void **state)
{
	(void)state;
	strbuf small = STRBUF_INIT(8);
	xml_escape_str(&small, "<<<<"); /* 16 bytes of output */
	assert_true(strbuf_failed(&small));
	assert_true(strbuf_len(&small) <= 8);
	strbuf_free(&small);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_escape_table, tr_test_strbuf_setup, tr_test_strbuf_teardown),
		cmocka_unit_test_setup_teardown(test_appends_to_existing_content, tr_test_strbuf_setup, tr_test_strbuf_teardown),
		cmocka_unit_test_setup_teardown(test_length_is_respected, tr_test_strbuf_setup, tr_test_strbuf_teardown),
		cmocka_unit_test_setup_teardown(test_utf8_seq_len, tr_test_strbuf_setup, tr_test_strbuf_teardown),
		cmocka_unit_test_setup_teardown(test_all_byte_pairs_give_well_formed_output, tr_test_strbuf_setup, tr_test_strbuf_teardown),
		cmocka_unit_test_setup_teardown(test_failed_buffer, tr_test_strbuf_setup, tr_test_strbuf_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
