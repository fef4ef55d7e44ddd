/* votable/value: one cell from its TABLEDATA/CSV text or its BINARY/BINARY2 bytes into a typed
 * vot_cell (VOTable 1.4 §5.4-5.5, §6).  Must not allocate per row beyond the row buffer's growth,
 * and must not know where the bytes came from: positions are the caller's business. */
#include "config.h"

#include "votable/value.h"

#include "votable/limits.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Payloads are aligned for the widest element (double, int64_t). */
#define VOT_ALIGN 8u

/* ---- the row buffer ------------------------------------------------------------------------- */

static void free_row_data(void *p)
{
	vot_row *r = p;
	free(r->data);
	r->data = NULL;
}

int vot_row_init(vot_row *r, arena *a, size_t n_fields, size_t max_bytes, tr_err *err)
{
	memset(r, 0, sizeof *r);
	r->n = n_fields;
	r->max = max_bytes ? max_bytes : VOT_MAX_ROW_BYTES;
	r->cells = arena_calloc(a, n_fields ? n_fields : 1, sizeof *r->cells);
	r->offs = arena_calloc(a, n_fields ? n_fields : 1, sizeof *r->offs);
	if (r->cells == NULL || r->offs == NULL || arena_on_destroy(a, free_row_data, r) < 0)
		return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory");
	vot_row_clear(r);
	return TR_OK;
}

void vot_row_clear(vot_row *r)
{
	for (size_t i = 0; i < r->n; i++) {
		r->cells[i].is_null = true;
		r->cells[i].n = 0;
		r->cells[i].v.p = NULL;
	}
	r->len = 0;
}

void vot_row_seal(vot_row *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (!r->cells[i].is_null)
			r->cells[i].v.p = r->data + r->offs[i];
}

/* Room for `bytes` of cell i's payload plus a NUL; NULL (TR_ELIMIT or TR_ENOMEM in *rc) when the
 * row would pass its ceiling or memory runs out.  The pointer is valid until the next reserve. */
static unsigned char *reserve(vot_row *r, size_t i, size_t bytes, int *rc, char *why)
{
	size_t off = (r->len + VOT_ALIGN - 1) & ~(size_t)(VOT_ALIGN - 1);
	if (off > r->max || bytes >= r->max - off) {
		*rc = TR_ELIMIT;
		snprintf(why, VOT_WHY_MAX, "the row is longer than %zu bytes", r->max);
		return NULL;
	}
	size_t need = off + bytes + 1;
	if (need > r->cap) {
		size_t cap = r->cap ? r->cap : 256;
		while (cap < need)
			cap *= 2;
		unsigned char *p = realloc(r->data, cap);
		if (p == NULL) {
			*rc = TR_ENOMEM;
			snprintf(why, VOT_WHY_MAX, "out of memory");
			return NULL;
		}
		r->data = p;
		r->cap = cap;
	}
	r->offs[i] = off;
	r->len = off + bytes;
	r->data[off + bytes] = '\0';
	return r->data + off;
}

static void set_cell(vot_row *r, size_t i, size_t n)
{
	r->cells[i].is_null = false;
	r->cells[i].n = n;
}

/* ---- shared checks -------------------------------------------------------------------------- */

/* VOTable 1.4 §2.2: a fixed shape takes exactly its count, a variable one at most its bound. */
static int check_count(const vot_field *f, uint64_t count, char *why)
{
	const vot_shape *s = &f->shape;
	if (!s->is_array) {
		if (count == 1)
			return TR_OK;
		snprintf(why, VOT_WHY_MAX, "%llu values for a scalar %s", (unsigned long long)count,
		         vot_datatype_name(f->datatype));
		return TR_EBADREQ;
	}
	if (!s->is_variable && count != s->max) {
		snprintf(why, VOT_WHY_MAX, "%llu elements, arraysize \"%s\" wants %lu", (unsigned long long)count,
		         f->arraysize, (unsigned long)s->max);
		return TR_EBADREQ;
	}
	if (s->is_variable && s->max != VOT_UNBOUNDED && count > s->max) {
		snprintf(why, VOT_WHY_MAX, "%llu elements, more than arraysize \"%s\" allows",
		         (unsigned long long)count, f->arraysize);
		return TR_EBADREQ;
	}
	return TR_OK;
}

/* Text may hold as many characters as the arraysize allows (one for a scalar char). */
static int check_chars(const vot_field *f, size_t chars, char *why)
{
	const vot_shape *s = &f->shape;
	if (s->max != VOT_UNBOUNDED && chars > s->max) {
		snprintf(why, VOT_WHY_MAX, "%zu characters, more than %s allows", chars,
		         s->is_array ? "the arraysize" : "a single char");
		return TR_EBADREQ;
	}
	return TR_OK;
}

/* VOTable 1.4 §4.5: a scalar equal to the VALUES null is a NULL cell. */
static void apply_null(vot_row *r, size_t i, const vot_field *f)
{
	vot_cell *c = &r->cells[i];
	if (!f->has_null || f->shape.is_array || c->is_null)
		return;
	const unsigned char *p = r->data + r->offs[i];
	bool hit = false;
	switch (f->datatype) {
	case VOT_UNSIGNED_BYTE: hit = *p == f->null_int; break;
	case VOT_SHORT: { int16_t v; memcpy(&v, p, sizeof v); hit = v == f->null_int; break; }
	case VOT_INT: { int32_t v; memcpy(&v, p, sizeof v); hit = v == f->null_int; break; }
	case VOT_LONG: { int64_t v; memcpy(&v, p, sizeof v); hit = v == f->null_int; break; }
	case VOT_FLOAT: { float v; memcpy(&v, p, sizeof v); hit = v == (float)f->null_real; break; }
	case VOT_DOUBLE: { double v; memcpy(&v, p, sizeof v); hit = v == f->null_real; break; }
	default: break;
	}
	if (hit) {
		c->is_null = true;
		c->n = 0;
	}
}

size_t vot_utf8_chars(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t chars = 0;
	for (size_t i = 0; i < n; chars++) {
		unsigned char c = p[i];
		size_t len;
		uint32_t cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xC2 && c <= 0xDF) {
			len = 2, cp = c & 0x1Fu;
		} else if (c >= 0xE0 && c <= 0xEF) {
			len = 3, cp = c & 0x0Fu;
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4, cp = c & 0x07u;
		} else {
			return (size_t)-1;
		}
		if (n - i < len)
			return (size_t)-1;
		for (size_t k = 1; k < len; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return (size_t)-1;
			cp = (cp << 6) | (p[i + k] & 0x3Fu);
		}
		if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
			return (size_t)-1;
		i += len;
	}
	return chars;
}

/* ---- text ----------------------------------------------------------------------------------- */

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* The next whitespace-separated token of [*s, end); false when none is left. */
static bool next_token(const char **s, const char *end, const char **tok, size_t *len)
{
	const char *p = *s;
	while (p < end && is_space(*p))
		p++;
	if (p == end)
		return false;
	const char *t = p;
	while (p < end && !is_space(*p))
		p++;
	*tok = t;
	*len = (size_t)(p - t);
	*s = p;
	return true;
}

static int bool_char(char c)
{
	switch (c) {
	case 'T': case 't': case '1': return VOT_BOOL_TRUE;
	case 'F': case 'f': case '0': return VOT_BOOL_FALSE;
	case '?': return VOT_BOOL_NULL;
	default: return -1;
	}
}

static bool word_is(const char *t, size_t n, const char *word)
{
	size_t wl = strlen(word);
	if (n != wl)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = t[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != word[i])
			return false;
	}
	return true;
}

/* Parses booleans or bits into out (one byte each; out NULL: count only), their number in *count. */
typedef int flag_parser(const char *s, size_t n, uint8_t *out, uint64_t *count, char *why);

/* Booleans: "true"/"false" words (any case, VOTable 1.4 §6), otherwise every character of a token
 * is one element ("TF?" is three), so both "T F" and "TF" work.  out NULL: count only. */
static int parse_booleans(const char *s, size_t n, uint8_t *out, uint64_t *count, char *why)
{
	const char *p = s, *end = s + n, *t;
	size_t tl;
	uint64_t k = 0;
	while (next_token(&p, end, &t, &tl)) {
		int v = word_is(t, tl, "true") ? VOT_BOOL_TRUE : word_is(t, tl, "false") ? VOT_BOOL_FALSE : -2;
		if (v != -2) {
			if (out)
				out[k] = (uint8_t)v;
			k++;
			continue;
		}
		for (size_t j = 0; j < tl; j++, k++) {
			v = bool_char(t[j]);
			if (v < 0) {
				snprintf(why, VOT_WHY_MAX, "\"%.*s\" is not a boolean", (int)(tl < 40 ? tl : 40), t);
				return TR_EBADREQ;
			}
			if (out)
				out[k] = (uint8_t)v;
		}
	}
	*count = k;
	return TR_OK;
}

/* Bits: '0' and '1' characters, whitespace anywhere (VOTable 1.4 §6). */
static int parse_bits(const char *s, size_t n, uint8_t *out, uint64_t *count, char *why)
{
	uint64_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (is_space(s[i]))
			continue;
		if (s[i] != '0' && s[i] != '1') {
			snprintf(why, VOT_WHY_MAX, "'%c' is not a bit (0 or 1)", s[i]);
			return TR_EBADREQ;
		}
		if (out)
			out[k] = (uint8_t)(s[i] - '0');
		k++;
	}
	*count = k;
	return TR_OK;
}

static uint64_t count_tokens(const char *s, size_t n)
{
	const char *p = s, *end = s + n, *t;
	size_t tl;
	uint64_t k = 0;
	while (next_token(&p, end, &t, &tl))
		k++;
	return k;
}

/* Numbers separated by whitespace into out (of the field's element type). */
static int parse_numbers(const vot_field *f, const char *s, size_t n, unsigned char *out, char *why)
{
	const char *p = s, *end = s + n, *t;
	size_t tl;
	size_t k = 0;
	while (next_token(&p, end, &t, &tl)) {
		int64_t iv;
		double dv;
		bool ok;
		switch (f->datatype) {
		case VOT_UNSIGNED_BYTE:
			if ((ok = vot_parse_integer(f->datatype, t, tl, &iv)))
				out[k] = (uint8_t)iv;
			break;
		case VOT_SHORT:
			if ((ok = vot_parse_integer(f->datatype, t, tl, &iv)))
				((int16_t *)(void *)out)[k] = (int16_t)iv;
			break;
		case VOT_INT:
			if ((ok = vot_parse_integer(f->datatype, t, tl, &iv)))
				((int32_t *)(void *)out)[k] = (int32_t)iv;
			break;
		case VOT_LONG:
			if ((ok = vot_parse_integer(f->datatype, t, tl, &iv)))
				((int64_t *)(void *)out)[k] = iv;
			break;
		case VOT_FLOAT:
		case VOT_FLOAT_COMPLEX:
			if ((ok = vot_parse_real(f->datatype, t, tl, &dv)))
				((float *)(void *)out)[k] = (float)dv;
			break;
		default:
			if ((ok = vot_parse_real(f->datatype, t, tl, &dv)))
				((double *)(void *)out)[k] = dv;
			break;
		}
		if (!ok) {
			snprintf(why, VOT_WHY_MAX, "\"%.*s\" is not a valid %s", (int)(tl < 40 ? tl : 40), t,
			         vot_datatype_name(f->datatype));
			return TR_EBADREQ;
		}
		k++;
	}
	return TR_OK;
}

int vot_value_from_text(vot_row *r, size_t i, const vot_field *f, const char *s, size_t n, char why[VOT_WHY_MAX])
{
	int rc = TR_OK;
	unsigned char *out;
	uint64_t count = 0;
	switch (f->datatype) {
	case VOT_CHAR:
	case VOT_UNICODE_CHAR: {
		size_t chars = vot_utf8_chars(s, n);
		if (chars == (size_t)-1) {
			snprintf(why, VOT_WHY_MAX, "invalid UTF-8");
			return TR_EENCODING;
		}
		if ((rc = check_chars(f, chars, why)) < 0)
			return rc;
		if ((out = reserve(r, i, n, &rc, why)) == NULL)
			return rc;
		memcpy(out, s, n);
		set_cell(r, i, n);
		return TR_OK;
	}
	case VOT_BOOLEAN:
	case VOT_BIT: {
		/* one byte per element: count them, check the count, then parse into the cell */
		flag_parser *parse = f->datatype == VOT_BIT ? parse_bits : parse_booleans;
		if ((rc = parse(s, n, NULL, &count, why)) < 0 || (rc = check_count(f, count, why)) < 0)
			return rc;
		if ((out = reserve(r, i, count, &rc, why)) == NULL)
			return rc;
		(void)parse(s, n, out, &count, why);
		set_cell(r, i, count);
		if (f->datatype == VOT_BOOLEAN && !f->shape.is_array && out[0] == VOT_BOOL_NULL)
			r->cells[i].is_null = true, r->cells[i].n = 0;
		return TR_OK;
	}
	default:
		break;
	}
	uint64_t tokens = count_tokens(s, n);
	bool is_complex = f->datatype == VOT_FLOAT_COMPLEX || f->datatype == VOT_DOUBLE_COMPLEX;
	if (is_complex && tokens % 2 != 0) {
		snprintf(why, VOT_WHY_MAX, "%llu numbers: a complex value is a pair", (unsigned long long)tokens);
		return TR_EBADREQ;
	}
	count = is_complex ? tokens / 2 : tokens;
	if ((rc = check_count(f, count, why)) < 0)
		return rc;
	size_t bytes = (size_t)count * vot_datatype_cell_size(f->datatype);
	if (count > r->max || (out = reserve(r, i, bytes, &rc, why)) == NULL) {
		if (rc == TR_OK) {
			rc = TR_ELIMIT;
			snprintf(why, VOT_WHY_MAX, "the row is longer than %zu bytes", r->max);
		}
		return rc;
	}
	if ((rc = parse_numbers(f, s, n, out, why)) < 0)
		return rc;
	set_cell(r, i, (size_t)count);
	apply_null(r, i, f);
	return TR_OK;
}

/* ---- binary --------------------------------------------------------------------------------- */

size_t vot_value_binary_bytes(const vot_field *f, uint64_t count)
{
	if (f->datatype == VOT_BIT)
		return (size_t)((count + 7) / 8);
	return (size_t)count * vot_datatype_binary_size(f->datatype);
}

static uint64_t be_bits(const unsigned char *p, size_t bytes)
{
	uint64_t v = 0;
	for (size_t k = 0; k < bytes; k++)
		v = (v << 8) | p[k];
	return v;
}

/* v, the bits of a width-byte number, stored in host order (width 2, 4 or 8). */
static void put_host(unsigned char *out, uint64_t v, size_t width)
{
	if (width == 2) {
		uint16_t x = (uint16_t)v;
		memcpy(out, &x, 2);
	} else if (width == 4) {
		uint32_t x = (uint32_t)v;
		memcpy(out, &x, 4);
	} else {
		memcpy(out, &v, 8);
	}
}

/* UCS-2 / UTF-16BE units into UTF-8, stopping at U+0000 (the FITS rule for fixed strings). */
static int utf16_to_utf8(const unsigned char *p, uint64_t units, unsigned char *out, size_t *out_len, size_t *out_chars,
                         char *why)
{
	size_t o = 0, chars = 0;
	for (uint64_t k = 0; k < units; k++) {
		uint32_t cp = (uint32_t)be_bits(p + 2 * k, 2);
		if (cp == 0)
			break;
		if (cp >= 0xD800 && cp <= 0xDBFF && k + 1 < units) {
			uint32_t lo = (uint32_t)be_bits(p + 2 * (k + 1), 2);
			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				k++;
			}
		}
		if (cp >= 0xD800 && cp <= 0xDFFF) {
			snprintf(why, VOT_WHY_MAX, "unpaired UTF-16 surrogate 0x%04X", (unsigned)cp);
			return TR_EENCODING;
		}
		if (cp < 0x80) {
			out[o++] = (unsigned char)cp;
		} else if (cp < 0x800) {
			out[o++] = (unsigned char)(0xC0 | (cp >> 6));
			out[o++] = (unsigned char)(0x80 | (cp & 0x3F));
		} else if (cp < 0x10000) {
			out[o++] = (unsigned char)(0xE0 | (cp >> 12));
			out[o++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
			out[o++] = (unsigned char)(0x80 | (cp & 0x3F));
		} else {
			out[o++] = (unsigned char)(0xF0 | (cp >> 18));
			out[o++] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
			out[o++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
			out[o++] = (unsigned char)(0x80 | (cp & 0x3F));
		}
		chars++;
	}
	*out_len = o;
	*out_chars = chars;
	return TR_OK;
}

static int binary_text(vot_row *r, size_t i, const vot_field *f, const unsigned char *p, uint64_t count, char *why)
{
	int rc = TR_OK;
	size_t len, chars;
	unsigned char *out;
	if (f->datatype == VOT_CHAR) {
		/* VOTable 1.4 §6: a string may end with a NUL before its arraysize. */
		const unsigned char *nul = memchr(p, 0, (size_t)count);
		len = nul ? (size_t)(nul - p) : (size_t)count;
		chars = vot_utf8_chars((const char *)p, len);
		if (chars == (size_t)-1) {
			snprintf(why, VOT_WHY_MAX, "invalid UTF-8 in a char value");
			return TR_EENCODING;
		}
		if ((out = reserve(r, i, len, &rc, why)) == NULL)
			return rc;
		memcpy(out, p, len);
	} else {
		/* Up to 3 UTF-8 bytes per UTF-16 unit (a surrogate pair: 4 bytes for 2 units). */
		if ((out = reserve(r, i, (size_t)count * 3, &rc, why)) == NULL)
			return rc;
		if ((rc = utf16_to_utf8(p, count, out, &len, &chars, why)) < 0)
			return rc;
		r->len = r->offs[i] + len;
		out[len] = '\0';
	}
	if ((rc = check_chars(f, chars, why)) < 0)
		return rc;
	set_cell(r, i, len);
	return TR_OK;
}

int vot_value_from_binary(vot_row *r, size_t i, const vot_field *f, const unsigned char *p, uint64_t count,
                          char why[VOT_WHY_MAX])
{
	int rc = TR_OK;
	if (vot_datatype_is_text(f->datatype))
		return binary_text(r, i, f, p, count, why);
	if ((rc = check_count(f, count, why)) < 0)
		return rc;
	size_t esize = vot_datatype_cell_size(f->datatype);
	unsigned char *out = reserve(r, i, (size_t)count * esize, &rc, why);
	if (out == NULL)
		return rc;
	for (uint64_t k = 0; k < count; k++) {
		switch (f->datatype) {
		case VOT_BOOLEAN: {
			int v = p[k] == 0 || p[k] == ' ' ? VOT_BOOL_NULL : bool_char((char)p[k]);
			if (v < 0) {
				snprintf(why, VOT_WHY_MAX, "byte 0x%02X is not a boolean", p[k]);
				return TR_EBADREQ;
			}
			out[k] = (uint8_t)v;
			break;
		}
		case VOT_BIT:
			out[k] = (uint8_t)((p[k / 8] >> (7 - k % 8)) & 1u);
			break;
		case VOT_UNSIGNED_BYTE:
			out[k] = p[k];
			break;
		default: {
			/* numbers: big-endian, of the type's width; a complex element is two of them */
			size_t width = f->datatype == VOT_FLOAT_COMPLEX ? 4 : f->datatype == VOT_DOUBLE_COMPLEX ? 8 : esize;
			for (size_t j = 0; j < esize / width; j++) {
				size_t idx = (size_t)k * (esize / width) + j;
				put_host(out + width * idx, be_bits(p + width * idx, width), width);
			}
			break;
		}
		}
	}
	set_cell(r, i, (size_t)count);
	if (f->datatype == VOT_BOOLEAN && !f->shape.is_array && out[0] == VOT_BOOL_NULL)
		r->cells[i].is_null = true, r->cells[i].n = 0;
	apply_null(r, i, f);
	return TR_OK;
}

int vot_field_prepare_null(vot_field *f, char why[VOT_WHY_MAX])
{
	f->has_null = false;
	if (f->null_value == NULL)
		return TR_OK;
	size_t n = strlen(f->null_value);
	if (vot_datatype_is_integer(f->datatype)) {
		if (!vot_parse_integer(f->datatype, f->null_value, n, &f->null_int)) {
			snprintf(why, VOT_WHY_MAX, "VALUES null \"%.40s\" is not a valid %s", f->null_value,
			         vot_datatype_name(f->datatype));
			return TR_EBADREQ;
		}
		f->has_null = true;
	} else if (f->datatype == VOT_FLOAT || f->datatype == VOT_DOUBLE) {
		if (!vot_parse_real(f->datatype, f->null_value, n, &f->null_real)) {
			snprintf(why, VOT_WHY_MAX, "VALUES null \"%.40s\" is not a valid %s", f->null_value,
			         vot_datatype_name(f->datatype));
			return TR_EBADREQ;
		}
		/* NaN never compares equal: a NaN null marks nothing beyond what NaN already says. */
		f->has_null = !isnan(f->null_real);
	}
	return TR_OK;
}
