/* votable/reader_binary: the BINARY and BINARY2 serializations inside a base64 STREAM.
 *
 * Base64 text arrives in pieces of any size; it is decoded into a byte buffer that holds at most
 * the unfinished row plus one slice, and the row layout is scanned incrementally (null flags, then
 * per field an optional 4-byte element count and the elements), so nothing is re-read when a row
 * comes in many pieces.  Must not trust counts: each is checked against the arraysize and the row
 * limit before any byte of it is buffered.  VOTable 1.4 §5.4 (BINARY), §5.5 (BINARY2), §5.6
 * (STREAM), RFC 4648 §4 (base64). */
#include "config.h"

#include "votable/reader_int.h"

#include <stdlib.h>
#include <string.h>

/* Base64 characters decoded per step, so the buffer never holds more than this beyond a row. */
#define VOT_B64_SLICE 4096

static void free_bin(void *p)
{
	vot_bin *b = p;
	free(b->buf);
	b->buf = NULL;
}

int vot_bin_init(vot_reader *r, bool is_binary2)
{
	vot_bin *b = &r->bin;
	memset(b, 0, sizeof *b);
	b->mask_bytes = is_binary2 ? (r->n_fields + 7) / 8 : 0;
	b->counts = arena_calloc(r->a, r->n_fields, sizeof *b->counts);
	b->offs = arena_calloc(r->a, r->n_fields, sizeof *b->offs);
	if (b->counts == NULL || b->offs == NULL || arena_on_destroy(r->a, free_bin, b) < 0)
		return TR_ENOMEM;
	return TR_OK;
}

/* ---- row scanning --------------------------------------------------------------------------- */

static bool is_variable(const vot_field *f) { return f->shape.is_variable; }

/* Elements of a field with a fixed size: its arraysize count, or 1 for a scalar. */
static uint64_t fixed_count(const vot_field *f) { return f->shape.is_array ? f->shape.max : 1; }

/* Decodes the complete row at b->buf + b->start and hands it out. */
static bool finish_row(vot_reader *r)
{
	vot_bin *b = &r->bin;
	const unsigned char *row = b->buf + b->start;
	char why[VOT_WHY_MAX];
	vot_row_clear(&r->row);
	for (size_t k = 0; k < r->n_fields; k++) {
		/* VOTable 1.4 §5.5: the most significant bit of the first flag byte is the first column. */
		if (b->mask_bytes && (row[k / 8] >> (7 - k % 8)) & 1u)
			continue;
		int rc = vot_value_from_binary(&r->row, k, &r->fields[k], row + b->offs[k], b->counts[k], why);
		if (rc < 0) {
			vot_fail_cell(r, rc, k, 0, why);
			return false;
		}
	}
	if (!vot_emit_row(r))
		return false;
	b->start += b->pos;
	b->pos = 0;
	b->field = 0;
	b->has_mask = false;
	return true;
}

/* Advances through whatever complete pieces of rows the buffer holds. */
static void scan(vot_reader *r)
{
	vot_bin *b = &r->bin;
	for (;;) {
		size_t avail = b->len - b->start - b->pos;
		if (!b->has_mask) {
			if (avail < b->mask_bytes)
				return;
			b->pos += b->mask_bytes;
			avail -= b->mask_bytes;
			b->has_mask = true;
			b->field = 0;
			b->need_count = r->n_fields > 0 && is_variable(&r->fields[0]);
		}
		if (b->field == r->n_fields) {
			if (!finish_row(r))
				return;
			continue;
		}
		const vot_field *f = &r->fields[b->field];
		if (b->need_count) {
			if (avail < 4)
				return;
			const unsigned char *p = b->buf + b->start + b->pos;
			uint64_t count = ((uint64_t)p[0] << 24) | ((uint64_t)p[1] << 16) | ((uint64_t)p[2] << 8) | p[3];
			if (f->shape.max != VOT_UNBOUNDED && count > f->shape.max) {
				vot_fail_cell(r, TR_EBADREQ, b->field, 0, "array length above its arraysize bound");
				return;
			}
			if (vot_value_binary_bytes(f, count) > r->max_row_bytes - b->pos) {
				vot_fail_row(r, TR_ELIMIT, "longer than %zu bytes", r->max_row_bytes);
				return;
			}
			b->counts[b->field] = count;
			b->pos += 4;
			b->need_count = false;
			continue;
		}
		if (!is_variable(f))
			b->counts[b->field] = fixed_count(f);
		size_t bytes = vot_value_binary_bytes(f, b->counts[b->field]);
		if (bytes > r->max_row_bytes - b->pos) {
			vot_fail_row(r, TR_ELIMIT, "longer than %zu bytes", r->max_row_bytes);
			return;
		}
		if (avail < bytes)
			return;
		b->offs[b->field] = b->pos;
		b->pos += bytes;
		b->field++;
		b->need_count = b->field < r->n_fields && is_variable(&r->fields[b->field]);
	}
}

/* Drops the consumed rows from the front of the buffer (what remains is less than one row). */
static void compact(vot_bin *b)
{
	if (b->start == 0)
		return;
	memmove(b->buf, b->buf + b->start, b->len - b->start);
	b->len -= b->start;
	b->start = 0;
}

/* ---- base64 --------------------------------------------------------------------------------- */

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static bool grow(vot_reader *r, size_t extra)
{
	vot_bin *b = &r->bin;
	if (b->len + extra <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + extra)
		cap *= 2;
	unsigned char *p = realloc(b->buf, cap);
	if (p == NULL) {
		vot_fail(r, TR_ENOMEM, "out of memory reading %s", r->name);
		return false;
	}
	b->buf = p;
	b->cap = cap;
	return true;
}

/* Appends the bytes of the complete groups in quad (n_quad characters, 2..4). */
static void emit_group(vot_bin *b)
{
	const unsigned char *q = b->quad;
	b->buf[b->len++] = (unsigned char)(q[0] << 2 | q[1] >> 4);
	if (b->n_quad > 2)
		b->buf[b->len++] = (unsigned char)(q[1] << 4 | q[2] >> 2);
	if (b->n_quad > 3)
		b->buf[b->len++] = (unsigned char)(q[2] << 6 | q[3]);
	b->n_quad = 0;
}

static bool decode(vot_reader *r, const char *s, size_t n)
{
	vot_bin *b = &r->bin;
	if (!grow(r, n / 4 * 3 + 3))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c == '=') {
			/* RFC 4648 §4: padding completes a group of 2 or 3 characters and ends the data. */
			if (b->n_quad < 2 && !(b->is_padded && b->n_quad == 0)) {
				vot_fail_row(r, TR_EBADREQ, "misplaced '=' in the base64 STREAM");
				return false;
			}
			if (b->n_quad)
				emit_group(b);
			b->is_padded = true;
			continue;
		}
		int v = b64_value(c);
		if (v < 0 || b->is_padded) {
			if (v < 0)
				vot_fail_row(r, TR_EBADREQ, "invalid character '%c' (0x%02X) in the base64 STREAM",
				             c >= 0x20 && c < 0x7F ? c : '?', c);
			else
				vot_fail_row(r, TR_EBADREQ, "base64 data after the final '=' padding");
			return false;
		}
		b->quad[b->n_quad++] = (unsigned char)v;
		if (b->n_quad == 4)
			emit_group(b);
	}
	return true;
}

void vot_bin_text(vot_reader *r, const char *s, size_t n)
{
	while (n > 0) {
		size_t k = n < VOT_B64_SLICE ? n : VOT_B64_SLICE;
		if (!decode(r, s, k))
			return;
		scan(r);
		if (tr_err_isset(&r->err))
			return;
		compact(&r->bin);
		s += k;
		n -= k;
	}
}

void vot_bin_end(vot_reader *r)
{
	vot_bin *b = &r->bin;
	if (b->n_quad == 1) {
		vot_fail_row(r, TR_EBADREQ, "the base64 STREAM ends inside a group (truncated)");
		return;
	}
	if (b->n_quad > 1) {
		/* Unpadded final group: accepted (RFC 4648 §3.2 lets specifications omit padding). */
		if (!grow(r, 3))
			return;
		emit_group(b);
		scan(r);
		if (tr_err_isset(&r->err))
			return;
	}
	if (b->len - b->start > 0 || b->pos > 0)
		vot_fail_row(r, TR_EBADREQ, "the binary data ends inside the row (truncated STREAM)");
}
