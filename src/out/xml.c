#include "config.h"

#include "out/xml.h"

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	size_t len;
	unsigned long cp;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

size_t xml_escape(strbuf *sb, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t replaced = 0, run = 0; /* run: start of the pending span copied verbatim */
	size_t i = 0;
	while (i < n) {
		unsigned char c = p[i];
		const char *rep = NULL;
		size_t skip = 1;
		if (c >= 0x80) {
			size_t len = utf8_seq_len(p + i, n - i);
			if (len == 0) {
				rep = replacement;
				replaced++;
			} else if (len == 3 && c == 0xEF && p[i + 1] == 0xBF && (p[i + 2] == 0xBE || p[i + 2] == 0xBF)) {
				rep = replacement; /* U+FFFE, U+FFFF are not XML characters */
				replaced++;
				skip = 3;
			} else {
				i += len;
				continue;
			}
		} else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
			rep = replacement;
			replaced++;
		} else {
			switch (c) {
			case '&': rep = "&amp;"; break;
			case '<': rep = "&lt;"; break;
			case '>': rep = "&gt;"; break;
			case '"': rep = "&quot;"; break;
			case '\'': rep = "&apos;"; break;
			/* A raw CR would be normalised away by parsers (XML 1.0 §2.11). */
			case '\r': rep = "&#13;"; break;
			default: i++; continue;
			}
		}
		strbuf_add(sb, s + run, i - run);
		strbuf_puts(sb, rep);
		i += skip;
		run = i;
	}
	strbuf_add(sb, s + run, n - run);
	return replaced;
}
