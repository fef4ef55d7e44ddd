#include "config.h"

#include "out/xml.h"
#include "out/text.h"

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

/* XML 1.0 §2.4 markup characters; a raw CR would be normalised away by parsers (§2.11). */
static text_escapes content_escapes = {
	['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;", ['\''] = "&apos;",
	['\r'] = "&#13;",
};

/* As above, plus tab and newline, which attribute-value normalisation (§3.3.3) turns into spaces. */
static text_escapes attr_escapes = {
	['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;", ['\''] = "&apos;",
	['\r'] = "&#13;", ['\n'] = "&#10;", ['\t'] = "&#9;",
};

size_t xml_escape(strbuf *sb, const char *s, size_t n)
{
	return text_escape(sb, s, n, &content_escapes);
}

size_t xml_escape_attr(strbuf *sb, const char *s, size_t n)
{
	return text_escape(sb, s, n, &attr_escapes);
}
