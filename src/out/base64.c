/* base64: streaming encoder (see base64.h).  RFC 4648 §4 alphabet with '=' padding; output is
 * written in place through strbuf_reserve so a row costs one bounds check, not one per character. */
#include <config.h>

#include "out/base64.h"

#include <string.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void base64_enc_init(base64_enc *e, size_t line_len)
{
	e->n_carry = 0;
	e->col = 0;
	e->line_len = line_len;
}

/* Writes one 4-character group and the line break that may follow it. */
static char *put_group(base64_enc *e, char *out, const char group[4])
{
	memcpy(out, group, 4);
	out += 4;
	e->col += 4;
	if (e->line_len && e->col >= e->line_len) {
		*out++ = '\n';
		e->col = 0;
	}
	return out;
}

static char *encode3(base64_enc *e, char *out, const unsigned char *in)
{
	char g[4] = {
		alphabet[in[0] >> 2],
		alphabet[((in[0] & 0x03) << 4) | (in[1] >> 4)],
		alphabet[((in[1] & 0x0F) << 2) | (in[2] >> 6)],
		alphabet[in[2] & 0x3F],
	};
	return put_group(e, out, g);
}

/* Room for the characters of `groups` groups plus their line breaks (line_len >= 4 assumed; a
 * shorter line still breaks after every group, at most one break per group). */
static size_t room(const base64_enc *e, size_t groups)
{
	size_t chars = groups * 4;
	return chars + (e->line_len ? chars / (e->line_len < 4 ? 4 : e->line_len) + 1 : 0);
}

void base64_enc_add(base64_enc *e, strbuf *sb, const void *p, size_t n)
{
	const unsigned char *in = p;
	size_t total = e->n_carry + n;
	if (total < 3) {
		memcpy(e->carry + e->n_carry, in, n);
		e->n_carry = total;
		return;
	}
	size_t groups = total / 3;
	char *start = strbuf_reserve(sb, room(e, groups));
	if (start == NULL)
		return;
	char *out = start;
	if (e->n_carry) { /* complete the waiting group with the first new bytes */
		unsigned char g[3];
		size_t take = 3 - e->n_carry;
		memcpy(g, e->carry, e->n_carry);
		memcpy(g + e->n_carry, in, take);
		out = encode3(e, out, g);
		in += take;
		n -= take;
		groups--;
		e->n_carry = 0;
	}
	for (size_t i = 0; i < groups; i++, in += 3)
		out = encode3(e, out, in);
	n -= groups * 3;
	memcpy(e->carry, in, n);
	e->n_carry = n;
	strbuf_commit(sb, (size_t)(out - start));
}

void base64_enc_finish(base64_enc *e, strbuf *sb)
{
	char *start = strbuf_reserve(sb, 6);
	if (start == NULL)
		return;
	char *out = start;
	if (e->n_carry) {
		const unsigned char *c = e->carry;
		unsigned b1 = e->n_carry > 1 ? c[1] : 0;
		char g[4] = {
			alphabet[c[0] >> 2],
			alphabet[((c[0] & 0x03) << 4) | (b1 >> 4)],
			e->n_carry > 1 ? alphabet[(b1 & 0x0F) << 2] : '=',
			'=',
		};
		out = put_group(e, out, g);
	}
	if (e->col)
		*out++ = '\n';
	strbuf_commit(sb, (size_t)(out - start));
	base64_enc_init(e, e->line_len);
}
