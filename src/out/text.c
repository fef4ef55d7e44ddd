/* text: the one character walk shared by every text writer (see text.h). */
#include <config.h>

#include "out/text.h"
#include "out/xml.h"

size_t text_next(const unsigned char *s, size_t n, int *out_valid)
{
	unsigned char c = s[0];
	if (c < 0x80) {
		*out_valid = c >= 0x20 || c == '\t' || c == '\n' || c == '\r';
		return 1;
	}
	size_t len = utf8_seq_len(s, n);
	if (len == 0) {
		*out_valid = 0;
		return 1;
	}
	/* U+FFFE and U+FFFF (EF BF BE, EF BF BF) are not XML 1.0 characters. */
	*out_valid = !(len == 3 && c == 0xEF && s[1] == 0xBF && (s[2] == 0xBE || s[2] == 0xBF));
	return len;
}

uint32_t text_code_point(const unsigned char *s, size_t len)
{
	static const unsigned char lead_mask[5] = { 0, 0x7F, 0x1F, 0x0F, 0x07 };
	uint32_t cp = s[0] & lead_mask[len];
	for (size_t i = 1; i < len; i++)
		cp = (cp << 6) | (s[i] & 0x3F);
	return cp;
}

size_t text_escape(strbuf *sb, const char *s, size_t n, const text_escapes *table)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t replaced = 0, run = 0; /* run: start of the pending span copied verbatim */
	size_t i = 0;
	while (i < n) {
		unsigned char c = p[i];
		const char *rep;
		size_t len = 1;
		int valid = 1;
		if (c < 0x20 || c >= 0x80) /* printable ASCII needs no check */
			len = text_next(p + i, n - i, &valid);
		if (!valid) {
			rep = TEXT_REPLACEMENT;
			replaced++;
		} else {
			rep = c < 0x80 && table ? (*table)[c] : NULL;
		}
		if (rep == NULL) {
			i += len;
			continue;
		}
		strbuf_add(sb, s + run, i - run);
		strbuf_puts(sb, rep);
		i += len;
		run = i;
	}
	strbuf_add(sb, s + run, n - run);
	return replaced;
}

size_t text_prefix(const char *s, size_t n, size_t max_units, text_unit unit, size_t *out_units)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, units = 0;
	while (i < n) {
		int valid;
		size_t len = text_next(p + i, n - i, &valid);
		size_t u;
		if (unit == TEXT_UNIT_BYTE)
			u = valid ? len : sizeof TEXT_REPLACEMENT - 1;
		else if (unit == TEXT_UNIT_UTF16)
			u = valid && len == 4 ? 2 : 1;
		else
			u = 1;
		if (units + u > max_units)
			break;
		units += u;
		i += len;
	}
	if (out_units)
		*out_units = units;
	return i;
}
