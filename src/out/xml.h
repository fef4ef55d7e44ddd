/* xml: escaping text for XML 1.0 documents. */
#ifndef TR_OUT_XML_H
#define TR_OUT_XML_H

#include "util/strbuf.h"

#include <stddef.h>

/* Appends s[0..n) escaped for element content and attribute values (&, <, >, ", ').  Characters
 * XML 1.0 §2.2 forbids (C0 controls other than tab, newline and carriage return; U+FFFE, U+FFFF)
 * and invalid UTF-8 sequences become U+FFFD, so the document always parses.  Returns the number
 * of replacements made. */
size_t xml_escape(strbuf *sb, const char *s, size_t n);

/* As xml_escape, for attribute values: tab, newline and CR also become character references, so
 * that attribute-value normalisation (XML 1.0 §3.3.3) keeps them. */
size_t xml_escape_attr(strbuf *sb, const char *s, size_t n);

#include <string.h>
static inline size_t xml_escape_str(strbuf *sb, const char *s) { return xml_escape(sb, s, strlen(s)); }

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when the bytes there are not one (overlong
 * forms, surrogates and values above U+10FFFF included). */
size_t utf8_seq_len(const unsigned char *s, size_t n);

#endif
