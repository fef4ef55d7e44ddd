/* test_out_base64: the streaming base64 encoder (src/out/base64.h).
 *
 * RFC 4648 §10 test vectors; then random data fed in pieces cut at every position (and in
 * random piece sizes) must give exactly the one-call encoding, line breaks included, and decode
 * back to the input; the encoder is reusable after finish. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "out/base64.h"

#include <stdlib.h>
#include <string.h>

static void encode_all(strbuf *sb, const void *p, size_t n, size_t line_len)
{
	base64_enc e;
	base64_enc_init(&e, line_len);
	base64_enc_add(&e, sb, p, n);
	base64_enc_finish(&e, sb);
}

static void test_rfc4648_vectors(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		const char *out;
	} v[] = {
		{ "", "" },
		{ "f", "Zg==\n" },
		{ "fo", "Zm8=\n" },
		{ "foo", "Zm9v\n" },
		{ "foob", "Zm9vYg==\n" },
		{ "fooba", "Zm9vYmE=\n" },
		{ "foobar", "Zm9vYmFy\n" },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		strbuf sb = STRBUF_INIT(0);
		encode_all(&sb, v[i].in, strlen(v[i].in), BASE64_LINE);
		assert_string_equal(strbuf_str(&sb), v[i].out);
		strbuf_free(&sb);
	}
	/* every byte value, and the line length */
	unsigned char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	strbuf sb = STRBUF_INIT(0);
	encode_all(&sb, all, 3, 0);
	assert_string_equal(strbuf_str(&sb), "AAEC\n");
	strbuf_reset(&sb);
	encode_all(&sb, all + 0xFB, 5, 0);
	assert_string_equal(strbuf_str(&sb), "+/z9/v8=\n");
	strbuf_reset(&sb);
	encode_all(&sb, all, 57, BASE64_LINE); /* 57 bytes = exactly one 76-character line */
	assert_int_equal(strbuf_len(&sb), 77);
	assert_int_equal(strbuf_str(&sb)[76], '\n');
	strbuf_reset(&sb);
	encode_all(&sb, all, 58, BASE64_LINE);
	assert_int_equal(strbuf_len(&sb), 77 + 5);
	strbuf_free(&sb);
}

static int value_of(char c)
{
	const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = strchr(a, c);
	return c && p ? (int)(p - a) : -1;
}

/* A plain decoder, independent of the encoder: skips line breaks, stops at '='. */
static size_t decode(const char *s, size_t n, unsigned char *out)
{
	size_t k = 0;
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n && s[i] != '='; i++) {
		int v = value_of(s[i]);
		if (v < 0)
			continue;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[k++] = (unsigned char)(acc >> bits);
		}
	}
	return k;
}

static void test_chunk_boundaries(void **state)
{
	(void)state;
	enum { N = 500 };
	unsigned char data[N], back[N];
	srand(7);
	for (int i = 0; i < N; i++)
		data[i] = (unsigned char)rand();
	static const size_t lines[] = { 0, 4, 6, BASE64_LINE };
	for (size_t l = 0; l < sizeof lines / sizeof lines[0]; l++) {
		for (size_t len = 0; len <= 40; len++) {
			strbuf whole = STRBUF_INIT(0);
			encode_all(&whole, data, len, lines[l]);
			assert_int_equal(decode(strbuf_str(&whole), strbuf_len(&whole), back), len);
			assert_memory_equal(back, data, len);
			/* two pieces cut at every position, three pieces at every pair */
			for (size_t a = 0; a <= len; a++) {
				for (size_t b = a; b <= len; b++) {
					strbuf sb = STRBUF_INIT(0);
					base64_enc e;
					base64_enc_init(&e, lines[l]);
					base64_enc_add(&e, &sb, data, a);
					base64_enc_add(&e, &sb, data + a, b - a);
					base64_enc_add(&e, &sb, data + b, len - b);
					base64_enc_finish(&e, &sb);
					if (strcmp(strbuf_str(&sb), strbuf_str(&whole)) != 0)
						fail_msg("len %zu cut %zu/%zu line %zu: '%s' vs '%s'", len, a, b, lines[l],
						         strbuf_str(&sb), strbuf_str(&whole));
					strbuf_free(&sb);
				}
			}
			strbuf_free(&whole);
		}
		/* random piece sizes over the whole array; the encoder reused after finish */
		strbuf whole = STRBUF_INIT(0);
		encode_all(&whole, data, N, lines[l]);
		base64_enc e;
		base64_enc_init(&e, lines[l]);
		for (int round = 0; round < 2; round++) {
			strbuf sb = STRBUF_INIT(0);
			for (size_t i = 0; i < N;) {
				size_t piece = (size_t)rand() % 9;
				if (piece > N - i)
					piece = N - i;
				base64_enc_add(&e, &sb, data + i, piece);
				i += piece;
			}
			base64_enc_finish(&e, &sb);
			assert_string_equal(strbuf_str(&sb), strbuf_str(&whole));
			strbuf_free(&sb);
		}
		strbuf_free(&whole);
	}
}

static void test_encoded_len(void **state)
{
	(void)state;
	assert_int_equal(base64_encoded_len(0), 0);
	assert_int_equal(base64_encoded_len(1), 4);
	assert_int_equal(base64_encoded_len(3), 4);
	assert_int_equal(base64_encoded_len(4), 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4648_vectors),
		cmocka_unit_test(test_chunk_boundaries),
		cmocka_unit_test(test_encoded_len),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
